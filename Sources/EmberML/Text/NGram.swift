import Ember
import EmberCore

/// Turns an `array<string>` of tokens into its n-grams joined by a space (Spark's `NGram`);
/// rows with fewer than `n` tokens give an empty array, NULL rows give NULL.
public final class NGram: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let n = Param<Int>("n", "number elements per n-gram (>=1)", default: 2, .gtEq(1))

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, n: Int? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let x = n { set(self.n, x) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let f = try SchemaUtils.checkStringArray(schema, try value(inputCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(outputCol), .array(element: .string, containsNull: false), nullable: f.nullable, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let size = try value(n), stage = uid
        let f = udf("ngram", returnType: .array(element: .string, containsNull: false)) { cols, count in
            try NGram.ngrams(cols[0], count: count, n: size, stage: stage)
        }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol))))
    }

    static func ngrams(_ column: ColumnData, count: Int, n: Int, stage: String) throws -> ColumnData {
        let r = try StringListReader(column, stage: stage)
        var out = StringListAppender(capacity: count, bytes: r.data.count * n, stage: stage)
        var gram: [UInt8] = []
        let nullBytes: [UInt8] = Array("null".utf8)
        try r.data.withUnsafeBufferPointer { data in
            for row in 0..<count {
                if r.isNull(row) { out.appendNullRow(); continue }
                let e = r.elements(row)
                if e.count >= n {
                    for start in e.lowerBound...(e.upperBound - n) {
                        gram.removeAll(keepingCapacity: true)
                        for k in start..<(start + n) {
                            if k > start { gram.append(0x20) }
                            if r.isNullElement(k) { gram.append(contentsOf: nullBytes) } else {
                                gram.append(contentsOf: UnsafeBufferPointer(rebasing: data[r.byteRange(k)]))
                            }
                        }
                        gram.withUnsafeBufferPointer { out.appendElement($0) }
                    }
                }
                try out.endRow()
            }
        }
        return out.finish(containsNull: false)
    }
}
