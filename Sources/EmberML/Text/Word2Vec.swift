import Ember
import EmberCore

/// Learns word vectors from token arrays (Spark's `Word2Vec`): skip-gram with hierarchical
/// softmax over a Huffman tree of the vocabulary, as Spark's `mllib.feature.Word2Vec`.
///
/// The vocabulary is every word seen at least `minCount` times, by count descending (ties,
/// which Spark leaves to hashing, by UTF-8 bytes). Each row's known words form a sentence,
/// cut into chunks of `maxSentenceLength`. Training runs `maxIter` passes with a window
/// shrunk at random per word and a learning rate decaying linearly with the words processed
/// (`stepSize * max(0.0001, 1 - words / (maxIter * trainWords + 1))`, updated every 10 000
/// words as Spark's). Vectors start uniform in [-0.5, 0.5) / vectorSize.
///
/// `numPartitions` = 1 (the default) trains single-threaded and is deterministic for a
/// `seed`. With more, sentences are dealt round-robin to that many partitions trained in
/// parallel from the same vectors, and after each pass every vector is the average of the
/// partitions that changed it (Spark's semantics; still deterministic here).
///
/// Randomness is Spark's `XORShiftRandom` (MurmurHash3-seeded xorshift under
/// `java.util.Random`'s `nextInt`/`nextFloat`) with Spark's seeds, so with one partition and
/// the sentences in the same order the vectors are Spark's up to float rounding (about 1e-4
/// apart in the tests), not bit for bit: Spark's float BLAS sums in another order, and with
/// several partitions Spark's shuffle deals sentences differently. NULL rows and NULL words
/// are skipped (Spark fails on them).
public final class Word2Vec: Estimator {
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

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, vectorSize: Int? = nil, minCount: Int? = nil,
                            numPartitions: Int? = nil, stepSize: Double? = nil, maxIter: Int? = nil, seed: Int? = nil,
                            windowSize: Int? = nil, maxSentenceLength: Int? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let v = vectorSize { set(self.vectorSize, v) }
        if let v = minCount { set(self.minCount, v) }
        if let v = numPartitions { set(self.numPartitions, v) }
        if let v = stepSize { set(self.stepSize, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = seed { set(self.seed, v) }
        if let v = windowSize { set(self.windowSize, v) }
        if let v = maxSentenceLength { set(self.maxSentenceLength, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try Word2VecShared.transformSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    public override func fit(_ df: DataFrame) throws -> Word2VecModel {
        _ = try transformSchema(try df.schema())
        let (vocab, sentences, offsets) = try corpus(df)
        let trainer = Word2VecTrainer(vocab: vocab, vectorSize: try value(vectorSize), window: try value(windowSize), learningRate: try value(stepSize),
                                      numPartitions: try value(numPartitions), iterations: try value(maxIter), seed: Int64(try value(seed)))
        let vectors = trainer.train(sentences: sentences, offsets: offsets)
        let model = Word2VecModel(uid: uid)
        copyValues(to: model)
        model.setState(words: vocab.words, vectors: vectors)
        model.parentUID = uid
        return model
    }

    /// The vocabulary (Spark's `learnVocab` and Huffman tree) and the sentences as
    /// vocabulary ids, flat, sentence `s` at `offsets[s]..<offsets[s + 1]`.
    func corpus(_ df: DataFrame) throws -> (Word2VecVocabulary, [Int32], [Int]) {
        let dim = try value(vectorSize), maxLen = try value(maxSentenceLength)
        let batches = try df.select(col(try value(inputCol))).collectBatches()
        // Count every word, remembering each row's word ids.
        var table = ByteStringTable(capacity: 1024)
        var counts: [Int] = []
        var tokens: [Int32] = []
        var rowEnds: [Int] = []
        for b in batches {
            let r = try StringListReader(b.columns[0], stage: uid)
            r.data.withUnsafeBytes { data in
                for row in 0..<r.count where !r.isNull(row) {
                    for k in r.elements(row) where !r.isNullElement(k) {
                        let id = table.insert(UnsafeRawBufferPointer(rebasing: data[r.byteRange(k)]))
                        if id == counts.count { counts.append(0) }
                        counts[id] += 1
                        tokens.append(Int32(id))
                    }
                    rowEnds.append(tokens.count)
                }
            }
        }
        let minC = try value(minCount)
        let keys = (0..<table.count).map { table.key($0) }
        var ids = (0..<table.count).filter { counts[$0] >= minC }
        ids.sort { a, b in counts[a] != counts[b] ? counts[a] > counts[b] : keys[a].utf8.lexicographicallyPrecedes(keys[b].utf8) }
        guard !ids.isEmpty else {
            throw MLError.invalidData(uid, "The vocabulary size should be > 0. You may need to check the setting of minCount, which could be large enough to remove all your words in sentences.")
        }
        guard ids.count.multipliedReportingOverflow(by: dim).partialValue < Int(Int32.max), ids.count <= Int(Int32.max) / dim else {
            throw MLError.invalidData(uid, "Please increase minCount or decrease vectorSize in Word2Vec to avoid an OOM. You are highly recommended to make your vocabSize*vectorSize, which is \(ids.count)*\(dim) for now, less than `Int.MaxValue`.")
        }
        var rank = [Int32](repeating: -1, count: table.count)
        for (i, id) in ids.enumerated() { rank[id] = Int32(i) }
        // Sentences: each row's vocabulary words, in chunks of maxSentenceLength.
        var sentences: [Int32] = []
        sentences.reserveCapacity(tokens.count)
        var offsets: [Int] = [0]
        var start = 0
        for end in rowEnds {
            var inChunk = 0
            for t in tokens[start..<end] {
                let w = rank[Int(t)]
                guard w >= 0 else { continue }
                sentences.append(w)
                inChunk += 1
                if inChunk == maxLen { offsets.append(sentences.count); inChunk = 0 }
            }
            if inChunk > 0 { offsets.append(sentences.count) }
            start = end
        }
        let vocab = Word2VecVocabulary(words: ids.map { keys[$0] }, counts: ids.map { counts[$0] })
        return (vocab, sentences, offsets)
    }
}
