import Ember
import EmberColumnar
import EmberCore

/// Word vectors learned by `Word2Vec` (Spark's `Word2VecModel`). `transform` maps each row's
/// words to the average of their vectors: the sum of the known words' vectors times
/// 1 / (number of words, unknown ones included), a dense vector; an empty row gives an
/// empty sparse vector of `vectorSize`, a NULL row NULL (Spark fails on it).
public final class Word2VecModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let vectorSize = Word2VecShared.vectorSize()
    public let windowSize = Word2VecShared.windowSize()
    public let numPartitions = Word2VecShared.numPartitions()
    public let minCount = Word2VecShared.minCount()
    public let maxSentenceLength = Word2VecShared.maxSentenceLength()
    public let stepSize = Word2VecShared.stepSize()
    public let maxIter = SharedParams.maxIter(1)
    public let seed = SharedParams.seed(Word2VecShared.defaultSeed)

    /// The vocabulary, in vector order.
    public private(set) var words: [String] = []
    /// The word vectors as Spark keeps them: floats, row-major, `vectorSize` per word.
    public private(set) var wordVectors: [Float] = []
    private var index = ByteStringTable()
    /// The Euclidean norm of each word's vector (float, as Spark's `wordVecNorms`).
    private var norms: [Float] = []

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    /// A model over given word vectors (all of one length; `vectorSize` is set to it).
    public convenience init(words: [String], vectors: [[Float]], inputCol: String? = nil, outputCol: String? = nil) throws {
        self.init()
        guard let dim = vectors.first?.count, dim > 0, words.count == vectors.count else {
            throw MLError.invalidData(uid, "Word2VecModel needs one non-empty vector per word (\(words.count) words, \(vectors.count) vectors)")
        }
        guard vectors.allSatisfy({ $0.count == dim }) else {
            throw MLError.invalidData(uid, "Word2VecModel vectors must all have \(dim) values")
        }
        guard Set(words).count == words.count else { throw MLError.invalidData(uid, "Word2VecModel words must be distinct") }
        set(vectorSize, dim)
        if let c = inputCol { set(self.inputCol, c) }
        if let c = outputCol { set(self.outputCol, c) }
        setState(words: words, vectors: vectors.flatMap { $0 })
    }

    /// Sets the vocabulary and vectors (row-major, `words.count * dim` floats).
    func setState(words: [String], vectors: [Float]) {
        self.words = words
        wordVectors = vectors
        var t = ByteStringTable(capacity: words.count)
        for w in words { t.insert(w) }
        index = t
        let d = words.isEmpty ? 0 : vectors.count / words.count
        norms = (0..<words.count).map { w in
            var s: Float = 0
            for i in 0..<d { let x = vectors[w * d + i]; s += x * x }
            return s.squareRoot()
        }
    }

    /// The length of the word vectors.
    public var dimension: Int { words.isEmpty ? 0 : wordVectors.count / words.count }

    public override func copyState(from other: Params) {
        guard let o = other as? Word2VecModel else { return }
        words = o.words; wordVectors = o.wordVectors; index = o.index; norms = o.norms; parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try Word2VecShared.transformSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let table = index, d = dimension, stage = uid
        let vectors = wordVectors.map(Double.init)
        let f = udf("word2vec", returnType: .vector) { cols, n in
            try Word2VecModel.average(cols[0], count: n, table: table, vectors: vectors, dim: d, stage: stage)
        }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol))))
    }

    static func average(_ column: ColumnData, count n: Int, table: ByteStringTable, vectors: [Double], dim d: Int, stage: String) throws -> ColumnData {
        let r = try StringListReader(column, stage: stage)
        var out = VectorColumnAppender(capacity: n)
        out.reserveValues(n * d)
        var sum = [Double](repeating: 0, count: d)
        r.data.withUnsafeBytes { data in
            vectors.withUnsafeBufferPointer { v in
                for row in 0..<n {
                    if r.isNull(row) { out.appendNull(); continue }
                    let e = r.elements(row)
                    if e.isEmpty { out.appendSparse(size: d, indices: [], values: []); continue }
                    for i in 0..<d { sum[i] = 0 }
                    for k in e where !r.isNullElement(k) {
                        guard let w = table.find(UnsafeRawBufferPointer(rebasing: data[r.byteRange(k)])) else { continue }
                        let base = w * d
                        for i in 0..<d { sum[i] += v[base + i] }
                    }
                    let scale = 1.0 / Double(e.count)
                    for i in 0..<d { sum[i] *= scale }
                    sum.withUnsafeBufferPointer { out.appendDense($0) }
                }
            }
        }
        return out.finish()
    }

    // MARK: Vectors and synonyms

    /// Every word with its vector (Spark's `getVectors`): columns `word`, `vector`, in
    /// vocabulary order.
    public func getVectors(session: Session? = nil) throws -> DataFrame {
        let s = try session ?? MLSession.shared()
        let schema = Schema([StructField("word", .string, nullable: false), StructField("vector", .vector, nullable: false)])
        let vecs = VectorColumnBuilder.dense(wordVectors.map(Double.init), dim: dimension, count: words.count)
        return s.createDataFrame(batches: [RecordBatch(schema: schema, columns: [Self.stringColumn(words), vecs], count: words.count)], schema: schema)
    }

    /// The `num` words closest to `word` by cosine similarity, `word` itself excluded
    /// (Spark's `findSynonymsArray`); throws when `word` is not in the vocabulary.
    public func findSynonymsArray(_ word: String, _ num: Int) throws -> [(word: String, similarity: Double)] {
        guard let w = index.find(word) else { throw MLError.invalidData(uid, "\(word) not in vocabulary") }
        let d = dimension
        return try synonyms(Array(wordVectors[(w * d)..<((w + 1) * d)]), num, excluding: word)
    }

    /// The `num` words closest to `vector` by cosine similarity.
    public func findSynonymsArray(_ vector: Vector, _ num: Int) throws -> [(word: String, similarity: Double)] {
        guard vector.size == dimension else {
            throw MLError.invalidData(uid, "the query vector has \(vector.size) values but the word vectors have \(dimension)")
        }
        return try synonyms(vector.toArray().map { Float($0) }, num, excluding: nil)
    }

    /// `findSynonymsArray` as a DataFrame with columns `word`, `similarity`.
    public func findSynonyms(_ word: String, _ num: Int, session: Session? = nil) throws -> DataFrame {
        try synonymFrame(try findSynonymsArray(word, num), session)
    }

    public func findSynonyms(_ vector: Vector, _ num: Int, session: Session? = nil) throws -> DataFrame {
        try synonymFrame(try findSynonymsArray(vector, num), session)
    }

    private func synonymFrame(_ s: [(word: String, similarity: Double)], _ session: Session?) throws -> DataFrame {
        try (session ?? MLSession.shared()).createDataFrame(s.map { [.string($0.word), .double($0.similarity)] },
                                                            schema: "word STRING, similarity DOUBLE")
    }

    /// Spark's `mllib.feature.Word2VecModel.findSynonyms`, in float: the query scaled to unit
    /// length, dotted with every word vector, divided by the word's norm (0 for a zero
    /// vector); the best `num + 1`, best first, less `excluding`, first `num`.
    private func synonyms(_ query: [Float], _ num: Int, excluding: String?) throws -> [(word: String, similarity: Double)] {
        guard num > 0 else { throw MLError.invalidData(uid, "Number of similar words should > 0") }
        let d = dimension
        var q = query
        var sq: Float = 0
        for x in q { sq += x * x }
        let qn = sq.squareRoot()
        if qn != 0 { let inv = 1 / qn; for i in 0..<d { q[i] *= inv } }
        var cos = [Float](repeating: 0, count: words.count)
        wordVectors.withUnsafeBufferPointer { v in
            for w in 0..<words.count {
                guard norms[w] != 0 else { continue }
                var dot: Float = 0
                for i in 0..<d { dot += v[w * d + i] * q[i] }
                cos[w] = dot / norms[w]
            }
        }
        let order = (0..<words.count).sorted { cos[$0] != cos[$1] ? cos[$0] > cos[$1] : $0 < $1 }
        return order.prefix(num + 1).filter { words[$0] != excluding }.prefix(num).map { (words[$0], Double(cos[$0])) }
    }

    // MARK: Persistence

    static let dataSchema = Schema([StructField("word", .string, nullable: false),
                                    StructField("vector", .array(element: .float, containsNull: false), nullable: false)])

    static func stringColumn(_ strings: [String]) -> ColumnData {
        var offsets: [Int32] = [0]
        var bytes: [UInt8] = []
        for s in strings { bytes.append(contentsOf: s.utf8); offsets.append(Int32(truncatingIfNeeded: bytes.count)) }
        return ColumnData(type: .string, count: strings.count, validity: nil, storage: .bytes(offsets: offsets, data: bytes))
    }

    /// Spark's layout: one row per word, `word` and its float `vector`, in vocabulary order.
    public override func saveData(to dir: String, session: Session) throws {
        let n = words.count, d = dimension
        let offsets = (0...n).map { Int32(truncatingIfNeeded: $0 * d) }
        let values = ColumnData(type: .float, count: wordVectors.count, validity: nil, storage: .f32(wordVectors))
        let vecs = ColumnData(type: .array(element: .float, containsNull: false), count: n, validity: nil, storage: .list(offsets: offsets, values: values))
        let batch = RecordBatch(schema: Self.dataSchema, columns: [Self.stringColumn(words), vecs], count: n)
        try session.createDataFrame(batches: [batch], schema: Self.dataSchema).write.parquet(dir + "/data")
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let batches = try session.read.parquet(dir + "/data").select("word", "vector").collectBatches()
        var ws: [String] = []
        var vs: [Float] = []
        var d = -1
        for b in batches {
            let wc = b.columns[0], vc = b.columns[1]
            guard case .list(let o, let values) = vc.storage, case .f32(let fs) = values.storage, o.count > b.count else {
                throw MLError.invalidModelDirectory(dir, "Word2VecModel data vector must be array<float>, got \(vc.type.sql)")
            }
            for row in 0..<b.count {
                guard !wc.isNull(row), !vc.isNull(row) else { throw MLError.invalidModelDirectory(dir, "Word2VecModel data row \(ws.count) has NULL") }
                let lo = Int(o[row]), hi = Int(o[row + 1])
                guard lo >= 0, lo <= hi, hi <= fs.count else { throw MLError.invalidModelDirectory(dir, "Word2VecModel data row \(ws.count) is malformed") }
                if d < 0 { d = hi - lo }
                guard hi - lo == d, d > 0 else {
                    throw MLError.invalidModelDirectory(dir, "Word2VecModel data row \(ws.count) has \(hi - lo) values, expected \(d)")
                }
                ws.append(wc.stringAt(row))
                vs.append(contentsOf: fs[lo..<hi])
            }
        }
        guard !ws.isEmpty, Set(ws).count == ws.count else { throw MLError.invalidModelDirectory(dir, "Word2VecModel data must hold distinct words") }
        setState(words: ws, vectors: vs)
    }
}
