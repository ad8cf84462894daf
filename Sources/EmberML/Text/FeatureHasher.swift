import Ember
import EmberCore

/// Hashes several columns into one sparse feature vector (Spark's `FeatureHasher`):
/// a numeric column not in `categoricalCols` adds its value at the index of hash(name);
/// string, boolean and categorical numeric columns add 1.0 at the index of
/// hash("name=value") (the value as Java's `toString`). Colliding entries are summed;
/// NULLs are skipped. Index = nonNegativeMod(Murmur3_x86_32(UTF-8, seed 42), numFeatures).
public final class FeatureHasher: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCols = SharedParams.inputCols()
    public let outputCol = SharedParams.outputCol()
    public let categoricalCols = Param<[String]>("categoricalCols", "numeric columns to treat as categorical")
    public let numFeatures = Param<Int>("numFeatures", "Number of features. Should be greater than 0", default: 1 << 18, .inRange(1, Int(Int32.max)))

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCols: [String], outputCol: String, categoricalCols: [String]? = nil, numFeatures: Int? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCol, outputCol)
        if let c = categoricalCols { set(self.categoricalCols, c) }
        if let n = numFeatures { set(self.numFeatures, n) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        for c in try value(inputCols) {
            let f = try SchemaUtils.field(schema, c, stage: uid)
            guard f.dataType.isNumeric || f.dataType == .string || f.dataType == .boolean else {
                throw MLError.invalidColumn(uid, "FeatureHasher requires columns to be of numeric, boolean or string. Column \(c) was \(f.dataType.sql)")
            }
        }
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let n = try value(numFeatures), stage = uid
        let cats = Set(get(categoricalCols) ?? [])
        let names = try value(inputCols).map { try SchemaUtils.field(schema, $0, stage: uid).name }
        let fields = try value(inputCols).map { try SchemaUtils.field(schema, $0, stage: uid) }
        let real = zip(names, fields).map { name, f in f.dataType.isNumeric && !cats.contains(name) }
        let columnIndex = zip(names, real).map { name, r in r ? Murmur3.nonNegativeMod(Murmur3.hashString(name), n) : -1 }
        let prefixes = names.map { Array(($0 + "=").utf8) }
        let f = udf("feature_hasher", returnType: .vector, nullable: false) { cols, count in
            try FeatureHasher.hash(cols, count: count, numFeatures: n, real: real, columnIndex: columnIndex, prefixes: prefixes, stage: stage)
        }
        return df.withColumn(try value(outputCol), f(names.map { col($0) }))
    }

    /// A numeric cell as a double.
    @inline(__always)
    static func number(_ c: ColumnData, _ i: Int) -> Double? {
        switch c.storage {
        case .i8(let a): return Double(a[i])
        case .i16(let a): return Double(a[i])
        case .i32(let a): return Double(a[i])
        case .i64(let a): return Double(a[i])
        case .f32(let a): return Double(a[i])
        case .f64(let a): return a[i]
        case .i128(let a):
            if case .decimal(_, let s) = c.type { return Decimal128(unscaled: a[i], scale: s).doubleValue }
            return nil
        default: return nil
        }
    }

    /// Appends a cell's Java `toString` to `out`.
    static func appendText(_ c: ColumnData, _ i: Int, to out: inout [UInt8]) throws {
        switch c.storage {
        case .bytes(let o, let d): out.append(contentsOf: d[Int(o[i])..<Int(o[i + 1])])
        case .bool(let a): out.append(contentsOf: (a[i] ? "true" : "false").utf8)
        case .i8(let a): out.append(contentsOf: String(a[i]).utf8)
        case .i16(let a): out.append(contentsOf: String(a[i]).utf8)
        case .i32(let a): out.append(contentsOf: String(a[i]).utf8)
        case .i64(let a): out.append(contentsOf: String(a[i]).utf8)
        case .f32(let a): out.append(contentsOf: NumberFormat.javaFloat(a[i]).utf8)
        case .f64(let a): out.append(contentsOf: NumberFormat.javaDouble(a[i]).utf8)
        case .i128(let a):
            guard case .decimal(_, let s) = c.type else { fallthrough }
            out.append(contentsOf: Decimal128(unscaled: a[i], scale: s).description.utf8)
        default: throw MLError.invalidColumn("FeatureHasher", "unsupported column type \(c.type.sql)")
        }
    }

    static func hash(_ cols: [ColumnData], count n: Int, numFeatures: Int, real: [Bool], columnIndex: [Int],
                     prefixes: [[UInt8]], stage: String) throws -> ColumnData {
        var out = VectorColumnAppender(capacity: n)
        var entries: [(index: Int32, value: Double)] = []
        var key: [UInt8] = []
        var idx: [Int32] = []
        var vals: [Double] = []
        for row in 0..<n {
            entries.removeAll(keepingCapacity: true)
            for (k, c) in cols.enumerated() where !c.isNull(row) {
                if real[k] {
                    guard let x = number(c, row) else { throw MLError.invalidColumn(stage, "column \(k) is not numeric") }
                    entries.append((Int32(columnIndex[k]), x))
                } else {
                    key.removeAll(keepingCapacity: true)
                    key.append(contentsOf: prefixes[k])
                    try appendText(c, row, to: &key)
                    let h = key.withUnsafeBytes { Murmur3.hashBytes($0) }
                    entries.append((Int32(Murmur3.nonNegativeMod(h, numFeatures)), 1.0))
                }
            }
            // Stable: collisions sum in column order, as Spark's OpenHashMap.changeValue.
            if entries.count > 1 {
                for a in 1..<entries.count {
                    var b = a
                    let e = entries[a]
                    while b > 0 && entries[b - 1].index > e.index { entries[b] = entries[b - 1]; b -= 1 }
                    entries[b] = e
                }
            }
            idx.removeAll(keepingCapacity: true)
            vals.removeAll(keepingCapacity: true)
            for e in entries {
                if let last = idx.last, last == e.index { vals[vals.count - 1] += e.value } else { idx.append(e.index); vals.append(e.value) }
            }
            idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in out.appendSparse(size: numFeatures, indices: ib, values: vb) } }
        }
        return out.finish()
    }
}
