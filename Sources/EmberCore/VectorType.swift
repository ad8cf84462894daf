/// Spark ML's vector type (`VectorUDT`). Its values are stored as Spark stores them, in
/// the UDT's SQL type: `struct<type: tinyint, size: int, indices: array<int>, values:
/// array<double>>`, where `type` 0 is sparse (size, indices and values) and 1 is dense
/// (values only). A struct of exactly this shape is a vector wherever a type is shown
/// (`printSchema` says `vector`, `show()` prints `[1.0,2.0]` or `(5,[1,3],[0.5,2.0])`), and
/// Parquet files hold it as Spark writes vector columns.
extension DataType {
    public static let vector: DataType = .structure([
        StructField("type", .byte, nullable: false),
        StructField("size", .int, nullable: true),
        StructField("indices", .array(element: .int, containsNull: false), nullable: true),
        StructField("values", .array(element: .double, containsNull: false), nullable: true),
    ])

    /// Whether this is the vector type.
    public var isVector: Bool {
        guard case .structure(let fs) = self, fs.count == 4 else { return false }
        return fs[0].name == "type" && fs[0].dataType == .byte && fs[1].name == "size" && fs[1].dataType == .int
            && fs[2].name == "indices" && fs[2].dataType == .array(element: .int, containsNull: false)
            && fs[3].name == "values" && fs[3].dataType == .array(element: .double, containsNull: false)
    }
}

extension Value {
    /// Spark's `Vector.toString` of a vector value: `[1.0,2.0]` (dense) or
    /// `(5,[1,3],[0.5,2.0])` (sparse); nil when the value is not a vector.
    public var vectorString: String? {
        guard case .structure(let parts) = self, parts.count == 4, case .byte(let kind) = parts[0] else { return nil }
        func doubles(_ v: Value) -> [String]? {
            guard case .array(let xs) = v else { return nil }
            return xs.map { x in if case .double(let d) = x { return NumberFormat.javaDouble(d) }; return "null" }
        }
        guard let values = doubles(parts[3]) else { return nil }
        if kind == 1 { return "[" + values.joined(separator: ",") + "]" }
        guard case .int(let size) = parts[1], case .array(let idx) = parts[2] else { return nil }
        let indices = idx.map { x in if case .int(let i) = x { return String(i) }; return "null" }
        return "(\(size),[" + indices.joined(separator: ",") + "],[" + values.joined(separator: ",") + "])"
    }
}

extension Value {
    /// A vector value's elements, dense (zeros filled in for a sparse vector); nil when the
    /// value is not a vector.
    public var vectorElements: [Double]? {
        guard case .structure(let parts) = self, parts.count == 4, case .byte(let kind) = parts[0], case .array(let vs) = parts[3] else { return nil }
        let values = vs.map { x -> Double in if case .double(let d) = x { return d }; return .nan }
        if kind == 1 { return values }
        guard case .int(let size) = parts[1], size >= 0, case .array(let idx) = parts[2], idx.count == values.count else { return nil }
        var out = [Double](repeating: 0, count: Int(size))
        for (k, i) in idx.enumerated() {
            guard case .int(let j) = i, j >= 0, Int(j) < out.count else { return nil }
            out[Int(j)] = values[k]
        }
        return out
    }
}
