import Ember
import EmberCore

/// The params `CountVectorizer` and `CountVectorizerModel` share (Spark's `CountVectorizerParams`).
enum CountVectorizerShared {
    static func vocabSize() -> Param<Int> { Param("vocabSize", "max size of the vocabulary", default: 1 << 18, .gt(0)) }
    static func minDF() -> Param<Double> {
        Param("minDF", "Specifies the minimum number of different documents a term must appear in to be included in the vocabulary. If this is an integer >= 1, this specifies the number of documents the term must appear in; if this is a double in [0,1), then this specifies the fraction of documents.", default: 1.0, .gtEq(0))
    }
    static func maxDF() -> Param<Double> {
        Param("maxDF", "Specifies the maximum number of different documents a term could appear in to be included in the vocabulary. A term that appears more than the threshold will be ignored. If this is an integer >= 1, this specifies the maximum number of documents the term could appear in; if this is a double in [0,1), then this specifies the maximum fraction of documents the term could appear in.", default: Double(Int64.max), .gtEq(0))
    }
    static func minTF() -> Param<Double> {
        Param("minTF", "Filter to ignore rare words in a document. For each document, terms with frequency/count less than the given threshold are ignored. If this is an integer >= 1, then this specifies a count (of times the term must appear in the document); if this is a double in [0,1), then this specifies a fraction (out of the document's token count). Note that the parameter is only used in transform of CountVectorizerModel and does not affect fitting.", default: 1.0, .gtEq(0))
    }
    static func binary() -> Param<Bool> {
        Param("binary", "If True, all non zero counts (after minTF filter applied) are set to 1. This is useful for discrete probabilistic models that model binary events rather than integer counts. Default False", default: false)
    }

    static func transformSchema(_ stage: PipelineStage, _ schema: Schema, inputCol: String, outputCol: String) throws -> Schema {
        try stage.validateParams()
        let f = try SchemaUtils.checkStringArray(schema, inputCol, stage: stage.uid)
        return try SchemaUtils.appendColumn(schema, outputCol, .vector, nullable: f.nullable, stage: stage.uid)
    }
}

/// Learns a vocabulary from token arrays (Spark's `CountVectorizer`): terms ordered by
/// total count, descending (ties, which Spark leaves to partitioning, by term), at most
/// `vocabSize`, filtered by document frequency (`minDF`/`maxDF`: counts when >= 1,
/// fractions of the documents otherwise) when either is set.
public final class CountVectorizer: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let vocabSize = CountVectorizerShared.vocabSize()
    public let minDF = CountVectorizerShared.minDF()
    public let maxDF = CountVectorizerShared.maxDF()
    public let minTF = CountVectorizerShared.minTF()
    public let binary = CountVectorizerShared.binary()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, vocabSize: Int? = nil, minDF: Double? = nil, maxDF: Double? = nil,
                            minTF: Double? = nil, binary: Bool? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let v = vocabSize { set(self.vocabSize, v) }
        if let v = minDF { set(self.minDF, v) }
        if let v = maxDF { set(self.maxDF, v) }
        if let v = minTF { set(self.minTF, v) }
        if let v = binary { set(self.binary, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try CountVectorizerShared.transformSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    public override func fit(_ df: DataFrame) throws -> CountVectorizerModel {
        _ = try transformSchema(try df.schema())
        let lo = try value(minDF), hi = try value(maxDF)
        if (lo >= 1 && hi >= 1) || (lo < 1 && hi < 1) {
            guard hi >= lo else { throw MLError.invalidParam(uid, "maxDF", "must be >= minDF.") }
        }
        let batches = try df.select(col(try value(inputCol))).collectBatches()
        var table = ByteStringTable(capacity: 1024)
        var termCount: [Int] = []
        var docFreq: [Int] = []
        var lastDoc: [Int] = []
        var doc = 0
        for b in batches {
            let r = try StringListReader(b.columns[0], stage: uid)
            r.data.withUnsafeBytes { data in
                for row in 0..<r.count {
                    defer { doc += 1 }
                    if r.isNull(row) { continue }
                    for k in r.elements(row) where !r.isNullElement(k) {
                        let id = table.insert(UnsafeRawBufferPointer(rebasing: data[r.byteRange(k)]))
                        if id == termCount.count { termCount.append(0); docFreq.append(0); lastDoc.append(-1) }
                        termCount[id] += 1
                        if lastDoc[id] != doc { lastDoc[id] = doc; docFreq[id] += 1 }
                    }
                }
            }
        }
        let minDf = lo >= 1 ? lo : lo * Double(doc)
        let maxDf = hi >= 1 ? hi : hi * Double(doc)
        guard maxDf >= minDf else { throw MLError.invalidParam(uid, "maxDF", "must be >= minDF.") }
        let filtering = isSet(minDF.name) || isSet(maxDF.name)
        var ids = (0..<table.count).filter { !filtering || (Double(docFreq[$0]) >= minDf && Double(docFreq[$0]) <= maxDf) }
        let keys = (0..<table.count).map { table.key($0) }
        ids.sort { a, b in termCount[a] != termCount[b] ? termCount[a] > termCount[b] : keys[a].utf8.lexicographicallyPrecedes(keys[b].utf8) }
        let vocab = ids.prefix(try value(vocabSize)).map { keys[$0] }
        let model = CountVectorizerModel(uid: uid)
        copyValues(to: model)
        model.vocabulary = vocab
        model.parentUID = uid
        return model
    }
}

/// Counts the vocabulary's terms in token arrays (Spark's `CountVectorizerModel`): a sparse
/// vector of vocabulary size per row, terms below `minTF` dropped, counts set to 1 with `binary`.
public final class CountVectorizerModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let vocabSize = CountVectorizerShared.vocabSize()
    public let minDF = CountVectorizerShared.minDF()
    public let maxDF = CountVectorizerShared.maxDF()
    public let minTF = CountVectorizerShared.minTF()
    public let binary = CountVectorizerShared.binary()

    /// The terms, in vector index order.
    public internal(set) var vocabulary: [String] = []

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    /// A model over a given vocabulary (sets `vocabSize` to its length, as Spark's).
    public convenience init(vocabulary: [String], inputCol: String? = nil, outputCol: String? = nil) {
        self.init()
        self.vocabulary = vocabulary
        set(vocabSize, max(1, vocabulary.count))
        if let c = inputCol { set(self.inputCol, c) }
        if let c = outputCol { set(self.outputCol, c) }
    }

    public override func copyState(from other: Params) {
        guard let o = other as? CountVectorizerModel else { return }
        vocabulary = o.vocabulary; parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try CountVectorizerShared.transformSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        var table = ByteStringTable(capacity: vocabulary.count)
        for w in vocabulary { table.insert(w) }
        let dict = table, size = vocabulary.count, tf = try value(minTF), bin = try value(binary), stage = uid
        let f = udf("count_vectorizer", returnType: .vector) { cols, n in
            try CountVectorizerModel.count(cols[0], count: n, dict: dict, size: size, minTF: tf, binary: bin, stage: stage)
        }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol))))
    }

    static func count(_ column: ColumnData, count n: Int, dict: ByteStringTable, size: Int, minTF: Double, binary: Bool, stage: String) throws -> ColumnData {
        let r = try StringListReader(column, stage: stage)
        var out = VectorColumnAppender(capacity: n)
        var counts = TermCounts()
        r.data.withUnsafeBytes { data in
            for row in 0..<n {
                if r.isNull(row) { out.appendNull(); continue }
                let e = r.elements(row)
                for k in e where !r.isNullElement(k) {
                    if let id = dict.find(UnsafeRawBufferPointer(rebasing: data[r.byteRange(k)])) { counts.indices.append(Int32(id)) }
                }
                let effective = minTF >= 1 ? minTF : Double(e.count) * minTF
                counts.appendRow(size: size, minCount: effective, binary: binary, to: &out)
            }
        }
        return out.finish()
    }

    public override func saveData(to dir: String, session: Session) throws {
        let schema = Schema([StructField("vocabulary", .array(element: .string, containsNull: false), nullable: false)])
        try FeatureSupport.saveData([FeatureSupport.stringsArray(vocabulary)], schema: schema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        vocabulary = try FeatureSupport.stringsValue(try FeatureSupport.field(row, "vocabulary", dir), dir)
    }
}
