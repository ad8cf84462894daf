import Ember
import EmberCore

/// Maps a sequence of terms to their term frequencies with the hashing trick (Spark's
/// `HashingTF`): term index = nonNegativeMod(Murmur3_x86_32(term, seed 42), numFeatures),
/// strings hashed over their UTF-8 bytes (`hashUnsafeBytes2`), numbers and booleans as
/// Spark's `FeatureHasher.murmur3Hash` does, NULL terms as the seed. Output rows are
/// sparse vectors, as Spark's.
public final class HashingTF: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let numFeatures = Param<Int>("numFeatures", "Number of features. Should be greater than 0", default: 1 << 18, .inRange(1, Int(Int32.max)))
    public let binary = Param<Bool>("binary", "If true, all non zero counts are set to 1. This is useful for discrete probabilistic models that model binary events rather than integer counts", default: false)

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, numFeatures: Int? = nil, binary: Bool? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let n = numFeatures { set(self.numFeatures, n) }
        if let b = binary { set(self.binary, b) }
    }

    static let hashableElements: [DataType] = [.string, .int, .long, .short, .byte, .boolean, .double, .float, .null]

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let f = try SchemaUtils.field(schema, try value(inputCol), stage: uid)
        guard case .array(let e, _) = f.dataType else {
            throw MLError.invalidColumn(uid, "The input column must be array, but got \(f.dataType.sql).")
        }
        guard HashingTF.hashableElements.contains(e) else {
            throw MLError.invalidColumn(uid, "HashingTF does not support terms of type \(e.sql)")
        }
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .vector, nullable: f.nullable, stage: uid)
    }

    /// The index of one string term (Spark's `indexOf`).
    public func indexOf(_ term: String) throws -> Int {
        Murmur3.nonNegativeMod(Murmur3.hashString(term), try value(numFeatures))
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let n = try value(numFeatures), bin = try value(binary), stage = uid
        let f = udf("hashing_tf", returnType: .vector) { cols, count in
            try HashingTF.hash(cols[0], count: count, numFeatures: n, binary: bin, stage: stage)
        }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol))))
    }

    /// Calls `body(row, hash)` for each term of each row (hash of NULL = the seed), and
    /// `end(row, isNull)` after each row.
    static func forEachTermHash(_ column: ColumnData, count n: Int, stage: String,
                                _ body: (Int32) -> Void, endRow: (Int, Bool) -> Void) throws {
        guard case .list(let offsets, let values) = column.storage else {
            if case .none = column.storage { for row in 0..<n { endRow(row, true) }; return }
            throw MLError.invalidColumn(stage, "expected an array column, got \(column.type.sql)")
        }
        let seed = Int32(bitPattern: Murmur3.featureSeed)
        @inline(__always) func rows(_ hashAt: (Int) -> Int32) {
            for row in 0..<n {
                if column.isNull(row) { endRow(row, true); continue }
                for k in Int(offsets[row])..<Int(offsets[row + 1]) {
                    body(values.isNull(k) ? seed : hashAt(k))
                }
                endRow(row, false)
            }
        }
        switch values.storage {
        case .bytes(let so, let data):
            data.withUnsafeBytes { d in
                rows { k in Murmur3.hashBytes(UnsafeRawBufferPointer(rebasing: d[Int(so[k])..<Int(so[k + 1])])) }
            }
        case .i32(let a): a.withUnsafeBufferPointer { b in rows { Murmur3.hashInt(b[$0]) } }
        case .i64(let a): a.withUnsafeBufferPointer { b in rows { Murmur3.hashLong(b[$0]) } }
        case .i16(let a): a.withUnsafeBufferPointer { b in rows { Murmur3.hashInt(Int32(b[$0])) } }
        case .i8(let a): a.withUnsafeBufferPointer { b in rows { Murmur3.hashInt(Int32(b[$0])) } }
        case .bool(let a): a.withUnsafeBufferPointer { b in rows { Murmur3.hashInt(b[$0] ? 1 : 0) } }
        case .f64(let a): a.withUnsafeBufferPointer { b in rows { Murmur3.hashDouble(b[$0]) } }
        case .f32(let a): a.withUnsafeBufferPointer { b in rows { Murmur3.hashFloat(b[$0]) } }
        case .none: rows { _ in seed }
        default: throw MLError.invalidColumn(stage, "HashingTF does not support terms of type \(values.type.sql)")
        }
    }

    static func hash(_ column: ColumnData, count n: Int, numFeatures: Int, binary: Bool, stage: String) throws -> ColumnData {
        var out = VectorColumnAppender(capacity: n)
        var counts = TermCounts()
        try forEachTermHash(column, count: n, stage: stage, { h in
            counts.indices.append(Int32(truncatingIfNeeded: Murmur3.nonNegativeMod(h, numFeatures)))
        }, endRow: { _, isNull in
            if isNull { out.appendNull(); return }
            counts.appendRow(size: numFeatures, binary: binary, to: &out)
        })
        return out.finish()
    }
}
