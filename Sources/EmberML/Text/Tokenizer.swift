import Ember
import EmberCore

/// Lowercases a string column and splits it on single whitespace characters (Spark's
/// `Tokenizer`: `s.toLowerCase.split("\\s")`, Java split semantics: a leading empty token
/// is kept, trailing empty tokens are dropped, "" gives [""]). NULL strings give NULL.
public final class Tokenizer: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try TokenSplitting.checkSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let stage = uid
        let f = udf("tokenizer", returnType: .array(element: .string, containsNull: true)) { cols, n in
            try TokenSplitting.splitColumn(cols[0], count: n, lowercase: true, runs: false, minLength: 0, stage: stage)
        }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol))))
    }
}

/// Whitespace splitting with Java's `Pattern.split` semantics, over UTF-8 bytes.
enum TokenSplitting {
    static func checkSchema(_ stage: PipelineStage, _ schema: Schema, inputCol: String, outputCol: String) throws -> Schema {
        let f = try SchemaUtils.field(schema, inputCol, stage: stage.uid)
        guard f.dataType == .string else {
            throw MLError.invalidColumn(stage.uid, "Input type must be string type but got \(f.dataType.sql).")
        }
        return try SchemaUtils.appendColumn(schema, outputCol, .array(element: .string, containsNull: true), nullable: f.nullable, stage: stage.uid)
    }

    /// Java's `String.length` (UTF-16 units) of UTF-8 bytes.
    @inline(__always)
    static func utf16Length(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int {
        var n = 0
        for i in r {
            let x = b[i]
            if x & 0xC0 != 0x80 { n += x >= 0xF0 ? 2 : 1 }
        }
        return n
    }

    /// Splits each string of `column` on Java whitespace (`\s`, or `\s+` when `runs`),
    /// optionally lowercasing first, keeping tokens of at least `minLength` UTF-16 units.
    static func splitColumn(_ column: ColumnData, count n: Int, lowercase: Bool, runs: Bool, minLength: Int, stage: String) throws -> ColumnData {
        guard case .bytes(let offsets, let data) = column.storage else {
            if case .none = column.storage {
                var out = StringListAppender(capacity: n, stage: stage)
                for _ in 0..<n { out.appendNullRow() }
                return out.finish()
            }
            throw MLError.invalidColumn(stage, "expected a string column, got \(column.type.sql)")
        }
        var out = StringListAppender(capacity: n, bytes: data.count, stage: stage)
        var lower: [UInt8] = []
        var tokens: [Range<Int>] = []
        try data.withUnsafeBufferPointer { all in
            for row in 0..<n {
                if column.isNull(row) { out.appendNullRow(); continue }
                let src = UnsafeBufferPointer(rebasing: all[Int(offsets[row])..<Int(offsets[row + 1])])
                lower.removeAll(keepingCapacity: true)
                if lowercase { JavaText.appendLowercased(src, to: &lower) } else { lower.append(contentsOf: src) }
                try lower.withUnsafeBufferPointer { b in
                    split(b, runs: runs, into: &tokens)
                    for t in tokens where minLength <= 0 || utf16Length(b, t) >= minLength {
                        out.appendElement(UnsafeBufferPointer(rebasing: b[t]))
                    }
                    try out.endRow()
                }
            }
        }
        return out.finish()
    }

    /// The token ranges of `b` split as Java's `Pattern.split(b, 0)` with `\s` or `\s+`.
    static func split(_ b: UnsafeBufferPointer<UInt8>, runs: Bool, into tokens: inout [Range<Int>]) {
        tokens.removeAll(keepingCapacity: true)
        var index = 0
        var i = 0
        let n = b.count
        while i < n {
            if JavaText.isSpace(b[i]) {
                var e = i + 1
                if runs { while e < n && JavaText.isSpace(b[e]) { e += 1 } }
                tokens.append(index..<i)
                index = e
                i = e
            } else {
                i += 1
            }
        }
        if index == 0 {
            tokens.removeAll(keepingCapacity: true)
            tokens.append(0..<n)
            return
        }
        tokens.append(index..<n)
        while let last = tokens.last, last.isEmpty { tokens.removeLast() }
    }
}
