import Ember
import EmberCore

/// Drops stop words from `array<string>` columns (Spark's `StopWordsRemover`): one column
/// (`inputCol`/`outputCol`) or several (`inputCols`/`outputCols`). Without `caseSensitive`
/// terms and stop words are compared lowercased (Java's `toLowerCase(locale)`: Unicode
/// mapping, Turkish/Azeri dotless i for those locales). NULL terms are kept.
public final class StopWordsRemover: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let stopWords = Param<[String]>("stopWords", "the words to be filtered out", default: StopWords.english)
    public let caseSensitive = Param<Bool>("caseSensitive", "whether to do a case-sensitive comparison over the stop words", default: false)
    public let locale = Param<String>("locale", "Locale of the input for case insensitive matching. Ignored when caseSensitive is true.",
                                      default: "en_US", ParamValidator("must be a locale name such as en_US") { l in
        !l.isEmpty && l.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x23 }
    })

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, stopWords: [String]? = nil, caseSensitive: Bool? = nil, locale: String? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let s = stopWords { set(self.stopWords, s) }
        if let c = caseSensitive { set(self.caseSensitive, c) }
        if let l = locale { set(self.locale, l) }
    }

    public convenience init(inputCols: [String], outputCols: [String], stopWords: [String]? = nil, caseSensitive: Bool? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCols, outputCols)
        if let s = stopWords { set(self.stopWords, s) }
        if let c = caseSensitive { set(self.caseSensitive, c) }
    }

    /// The (input, output) column pairs, checked as Spark's `checkSingleVsMultiColumnParams`.
    func columnPairs() throws -> [(String, String)] {
        if isSet(inputCols.name) {
            if isSet(inputCol.name) {
                throw MLError.invalidParam(uid, "inputCol", "cannot be set together with inputCols")
            }
            if isSet(outputCol.name) {
                throw MLError.invalidParam(uid, "outputCol", "cannot be set when inputCols is set (use outputCols)")
            }
            let ins = try value(inputCols)
            guard isSet(outputCols.name) else { throw MLError.invalidParam(uid, "outputCols", "must be set when inputCols is set") }
            let outs = try value(outputCols)
            guard ins.count == outs.count else {
                throw MLError.invalidParam(uid, "outputCols", "should have the same length as inputCols, but they have different lengths: (\(ins.count), \(outs.count))")
            }
            return Array(zip(ins, outs))
        }
        guard isSet(inputCol.name) else { throw MLError.invalidParam(uid, "inputCol", "is not set (set inputCol or inputCols)") }
        if isSet(outputCols.name) { throw MLError.invalidParam(uid, "outputCols", "cannot be set when inputCol is set (use outputCol)") }
        return [(try value(inputCol), try value(outputCol))]
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        var s = schema
        for (i, o) in try columnPairs() {
            let f = try SchemaUtils.checkStringArray(schema, i, stage: uid)
            s = try SchemaUtils.appendColumn(s, o, f.dataType, nullable: f.nullable, stage: uid)
        }
        return s
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let sensitive = try value(caseSensitive)
        let turkic = JavaText.isTurkic(try value(locale))
        var table = ByteStringTable(capacity: try value(stopWords).count)
        for w in try value(stopWords) { table.insert(sensitive ? w : JavaText.lowercased(w, turkic: turkic)) }
        let words = table
        let stage = uid
        var out = df
        for (i, o) in try columnPairs() {
            let type = try SchemaUtils.field(schema, i, stage: uid).dataType
            var containsNull = true
            if case .array(_, let c) = type { containsNull = c }
            let f = udf("stop_words_remover", returnType: type) { cols, n in
                try StopWordsRemover.remove(cols[0], count: n, words: words, caseSensitive: sensitive, turkic: turkic,
                                            containsNull: containsNull, stage: stage)
            }
            out = out.withColumn(o, f(col(i)))
        }
        return out
    }

    static func remove(_ column: ColumnData, count n: Int, words: ByteStringTable, caseSensitive: Bool, turkic: Bool,
                       containsNull: Bool, stage: String) throws -> ColumnData {
        let r = try StringListReader(column, stage: stage)
        var out = StringListAppender(capacity: n, bytes: r.data.count, stage: stage)
        var lower: [UInt8] = []
        try r.data.withUnsafeBufferPointer { data in
            for row in 0..<n {
                if r.isNull(row) { out.appendNullRow(); continue }
                for k in r.elements(row) {
                    if r.isNullElement(k) { out.appendNullElement(); continue }
                    let term = UnsafeBufferPointer(rebasing: data[r.byteRange(k)])
                    let isStop: Bool
                    if caseSensitive {
                        isStop = words.find(UnsafeRawBufferPointer(term)) != nil
                    } else {
                        lower.removeAll(keepingCapacity: true)
                        JavaText.appendLowercased(term, to: &lower, turkic: turkic)
                        isStop = lower.withUnsafeBytes { words.find($0) } != nil
                    }
                    if !isStop { out.appendElement(term) }
                }
                try out.endRow()
            }
        }
        return out.finish(containsNull: containsNull)
    }
}
