import Ember
@testable import EmberML
import Foundation
import XCTest

/// Word2Vec against Apache Spark 4.1.1: expected values from scripts/ml/expected_w2v.py
/// (Tests/EmberMLTests/expected/w2v.json), which also holds the generated two-topic corpus.
/// Spark's float BLAS summation order cannot be matched bit for bit, so Spark is the exact
/// reference for the deterministic parts (vocabulary, averaging, synonyms of given vectors),
/// and training is checked by its outcome (topic neighbours), determinism, and closeness
/// to Spark's trained vectors (same XORShiftRandom sequence, one partition).
final class Word2VecTests: XCTestCase {
    let spark = TestSession.spark
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("w2v") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func expected() throws -> [String: Any] { try Expected.load("w2v") }

    func frame(_ sentences: [[String]]) throws -> DataFrame {
        try spark.createDataFrame(sentences.enumerated().map { [.int(Int32($0.offset)), .array($0.element.map { .string($0) })] },
                                  schema: "id INT, words ARRAY<STRING>")
    }

    func corpus() throws -> DataFrame {
        try frame(try XCTUnwrap(try expected()["corpus"] as? [[String]]))
    }

    /// A model over Spark's trained vectors (floats widened to doubles, so exact).
    func sparkModel() throws -> Word2VecModel {
        let exp = try expected()
        let words = try XCTUnwrap(exp["vocab_words"] as? [String])
        let vecs = try XCTUnwrap(exp["spark_vectors"] as? [[Double]])
        return try Word2VecModel(words: words, vectors: vecs.map { $0.map { Float($0) } }, inputCol: "words", outputCol: "vec")
    }

    func vectors(_ df: DataFrame, _ c: String) throws -> [Vector?] {
        try df.orderBy("id").select(c).collect().map { r in r.values[0].isNull ? nil : try Vector(value: r.values[0]) }
    }

    func assertThrows(_ body: @autoclosure () throws -> Any, _ contains: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(contains), "\(e)", file: file, line: line)
        }
    }

    func testDefaults() throws {
        let w = Word2Vec()
        XCTAssertEqual(w.get(w.vectorSize), 100)
        XCTAssertEqual(w.get(w.minCount), 5)
        XCTAssertEqual(w.get(w.numPartitions), 1)
        XCTAssertEqual(w.get(w.stepSize), 0.025)
        XCTAssertEqual(w.get(w.maxIter), 1)
        XCTAssertEqual(w.get(w.windowSize), 5)
        XCTAssertEqual(w.get(w.maxSentenceLength), 1000)
        XCTAssertEqual(w.get(w.seed), -1_961_189_076)
        XCTAssertEqual(w.get(w.outputCol), w.uid + "__output")
        XCTAssertEqual(Word2Vec.sparkClassName, "org.apache.spark.ml.feature.Word2Vec")
        XCTAssertEqual(Word2VecModel.sparkClassName, "org.apache.spark.ml.feature.Word2VecModel")
    }

    /// (a) The vocabulary and counts are Spark's (the script checks Spark's model has exactly
    /// these words); the Huffman codes are a complete prefix code, shorter for frequent words.
    func testVocabularyMatchesSpark() throws {
        let exp = try expected()
        let w2v = Word2Vec(inputCol: "words", outputCol: "vec", vectorSize: 10)
        let (vocab, sentences, offsets) = try w2v.corpus(try corpus())
        XCTAssertEqual(vocab.words, exp["vocab_words"] as? [String])
        XCTAssertEqual(vocab.counts, exp["vocab_counts"] as? [Int])
        XCTAssertEqual(sentences.count, vocab.trainWordsCount)
        XCTAssertEqual(offsets.count - 1, 400)
        var kraft = 0.0
        var codes: [[Int32]] = []
        for w in 0..<vocab.count {
            let c = Array(vocab.codes[vocab.codeOffsets[w]..<vocab.codeOffsets[w + 1]])
            kraft += pow(2, -Double(c.count))
            codes.append(c)
            if w > 0 { XCTAssertGreaterThanOrEqual(c.count, codes[w - 1].count - 1) }
            for p in vocab.points[vocab.codeOffsets[w]..<vocab.codeOffsets[w + 1]] { XCTAssertTrue(p >= 0 && Int(p) < vocab.count - 1) }
        }
        XCTAssertEqual(kraft, 1, accuracy: 1e-12)
        for a in codes.indices { for b in codes.indices where a != b { XCTAssertFalse(codes[b].starts(with: codes[a]), "\(a) prefixes \(b)") } }
        XCTAssertEqual(codes[0].count, codes.map(\.count).min())
        XCTAssertEqual(vocab.points[vocab.codeOffsets[0]], Int32(vocab.count - 2), "the root comes first")

        // minCount 0 keeps the rare words; chunks of maxSentenceLength.
        let all = try Word2Vec(inputCol: "words", outputCol: "v", minCount: 0).corpus(try corpus())
        XCTAssertEqual(all.0.count, 24)
        let short = try Word2Vec(inputCol: "words", outputCol: "v", maxSentenceLength: 4).corpus(try frame([["apple", "x", "apple", "apple", "apple", "apple", "apple"], [], ["x"]]))
        XCTAssertEqual(short.0.words, ["apple"])
        XCTAssertEqual(short.1, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(short.2, [0, 4, 6])
    }

    /// (b) transform of Spark's vectors equals Spark's averages.
    func testTransformMatchesSpark() throws {
        let exp = try expected()
        let model = try sparkModel()
        let sentences = try XCTUnwrap(exp["sentences"] as? [[String]])
        let got = try vectors(try model.transform(try frame(sentences)), "vec")
        let want = try (exp["transform"] as? [Any] ?? []).map { try Expected.vector($0) }
        XCTAssertEqual(got.count, sentences.count)
        for (k, (g, w)) in zip(got, want).enumerated() { assertVectorsEqual(g, w, accuracy: 1e-12, "sentence \(k)") }
        // NULL rows give NULL.
        let nulls = try spark.createDataFrame([[.int(0), .null]], schema: "id INT, words ARRAY<STRING>")
        XCTAssertEqual(try vectors(try model.transform(nulls), "vec"), [nil])
        // getVectors holds the same vectors, in vocabulary order.
        let rows = try model.getVectors(session: spark).collect()
        XCTAssertEqual(rows.map { $0.values[0] }, model.words.map { .string($0) })
        let first = try Vector(value: rows[0].values[1])
        // (JSON parsing on Linux may be off in the last double bit; the values are floats.)
        XCTAssertEqual(first.toArray().map { Float($0) }, try XCTUnwrap((exp["spark_vectors"] as? [[Double]])?.first).map { Float($0) })
    }

    /// (c) findSynonyms equals Spark's: same words in the same order, similarities within 1e-6.
    func testFindSynonymsMatchesSpark() throws {
        let exp = try expected()
        let model = try sparkModel()
        for case let s as [String: Any] in exp["synonyms"] as? [Any] ?? [] {
            let word = try XCTUnwrap(s["word"] as? String), num = try XCTUnwrap(s["num"] as? Int)
            let got = try model.findSynonymsArray(word, num)
            XCTAssertEqual(got.map(\.word), s["words"] as? [String], word)
            for (g, w) in zip(got.map(\.similarity), try XCTUnwrap(Expected.doubles(s["similarities"]))) { XCTAssertEqual(g, w, accuracy: 1e-6, word) }
            let df = try model.findSynonyms(word, num, session: spark)
            XCTAssertEqual(try df.schema().names, ["word", "similarity"])
            XCTAssertEqual(try df.collect().map { $0.values[0] }, got.map { .string($0.word) })
        }
        let q = try XCTUnwrap(exp["synonyms_vector"] as? [String: Any])
        let got = try model.findSynonymsArray(Vectors.dense(try XCTUnwrap(Expected.doubles(q["query"]))), 4)
        XCTAssertEqual(got.map(\.word), q["words"] as? [String])
        for (g, w) in zip(got.map(\.similarity), try XCTUnwrap(Expected.doubles(q["similarities"]))) { XCTAssertEqual(g, w, accuracy: 1e-6) }
    }

    /// (d) Trained on the two-topic corpus (vectorSize 10, maxIter 5, seed 42), each topic
    /// word's 3 nearest synonyms are words of its own topic (Spark passes the same check in the
    /// script); training is deterministic for a seed, with one partition and with three, and a
    /// different seed gives different vectors.
    func testTrainingSeparatesTopicsAndIsDeterministic() throws {
        let exp = try expected()
        let fruit = try XCTUnwrap(exp["fruit"] as? [String]), tools = try XCTUnwrap(exp["tools"] as? [String])
        let data = try corpus()
        for parts in [1, 3] {
            let est = Word2Vec(inputCol: "words", outputCol: "vec", vectorSize: 10, numPartitions: parts, maxIter: 5, seed: 42)
            let model = try est.fit(data)
            XCTAssertEqual(model.words, exp["vocab_words"] as? [String])
            XCTAssertEqual(model.wordVectors.count, 200)
            for topic in [fruit, tools] {
                for w in topic {
                    let syn = try model.findSynonymsArray(w, 3).map(\.word)
                    XCTAssertEqual(syn.count, 3)
                    XCTAssertTrue(syn.allSatisfy(topic.contains), "\(parts) partitions: \(w) → \(syn)")
                }
            }
            XCTAssertEqual(try est.fit(data).wordVectors, model.wordVectors, "same seed, same vectors")
            let other = try Word2Vec(inputCol: "words", outputCol: "vec", vectorSize: 10, numPartitions: parts, maxIter: 5, seed: 43).fit(data)
            XCTAssertNotEqual(other.wordVectors, model.wordVectors)
        }
        // Spark's RNG sequence is reproduced, so with one partition and the sentences in the
        // same order the trained vectors are Spark's up to float rounding order (measured max
        // difference 1.0e-4 on values of about 1).
        let single = try Word2Vec(inputCol: "words", outputCol: "vec", vectorSize: 10, maxIter: 5, seed: 42).fit(data)
        let sv = (exp["spark_vectors"] as? [[Double]] ?? []).flatMap { $0 }
        XCTAssertEqual(sv.count, single.wordVectors.count)
        let maxDiff = zip(single.wordVectors, sv).map { abs(Double($0) - $1) }.max() ?? .infinity
        XCTAssertLessThan(maxDiff, 1e-3)
        // maxIter 0 leaves the initial vectors: uniform in [-0.5, 0.5) / vectorSize.
        let untrained = try Word2Vec(inputCol: "words", outputCol: "vec", vectorSize: 10, maxIter: 0).fit(data)
        XCTAssertTrue(untrained.wordVectors.allSatisfy { $0 >= -0.05 && $0 < 0.05 })
        XCTAssertGreaterThan(Set(untrained.wordVectors).count, 190)
    }

    func testBadParamsAndColumns() throws {
        let data = try corpus()
        assertThrows(try Word2Vec(inputCol: "words", outputCol: "v", vectorSize: 0).fit(data), "vectorSize given invalid value 0")
        assertThrows(try Word2Vec(inputCol: "words", outputCol: "v", minCount: -1).fit(data), "minCount given invalid value -1")
        assertThrows(try Word2Vec(inputCol: "words", outputCol: "v", stepSize: 0).fit(data), "stepSize given invalid value 0")
        assertThrows(try Word2Vec(inputCol: "words", outputCol: "v", windowSize: 0).fit(data), "windowSize given invalid value 0")
        assertThrows(try Word2Vec(inputCol: "nope", outputCol: "v").fit(data), "nope")
        assertThrows(try Word2Vec(inputCol: "id", outputCol: "v").fit(data), "Input type must be array<string>")
        assertThrows(try Word2Vec(inputCol: "words", outputCol: "id").fit(data), "id")
        assertThrows(try Word2Vec(inputCol: "words", outputCol: "v", minCount: 100_000).fit(data), "The vocabulary size should be > 0")
        let model = try sparkModel()
        assertThrows(try model.transform(try spark.createDataFrame([[.int(1)]], schema: "words INT")), "Input type must be array<string>")
        model.set(model.outputCol, "words")
        assertThrows(try model.transform(data), "words")
        assertThrows(try model.findSynonymsArray("kiwi", 3), "kiwi not in vocabulary")
        assertThrows(try model.findSynonymsArray("apple", 0), "Number of similar words should > 0")
        assertThrows(try model.findSynonymsArray(Vectors.dense(1, 2), 3), "has 2 values")
        assertThrows(try Word2VecModel(words: ["a", "b"], vectors: [[1, 2], [3]]), "must all have 2 values")
    }

    func testSaveLoadRoundTrip() throws {
        let data = try corpus()
        let est = Word2Vec(inputCol: "words", outputCol: "vec", vectorSize: 7, minCount: 3, maxIter: 2, seed: 5)
        let model = try est.fit(data)
        try model.save(dir + "/m")
        let loaded = try XCTUnwrap(try MLReader.load(dir + "/m") as? Word2VecModel)
        XCTAssertEqual(loaded.uid, model.uid)
        XCTAssertEqual(loaded.paramMap, model.paramMap)
        XCTAssertEqual(loaded.words, model.words)
        XCTAssertEqual(loaded.wordVectors, model.wordVectors)
        let probe = try frame(try XCTUnwrap(try expected()["sentences"] as? [[String]]))
        XCTAssertEqual(try loaded.transform(probe).orderBy("id").select("vec").collect(), try model.transform(probe).orderBy("id").select("vec").collect())
        XCTAssertEqual(try loaded.findSynonymsArray("apple", 4).map(\.word), try model.findSynonymsArray("apple", 4).map(\.word))
        let copy = model.copy()
        XCTAssertEqual(copy.wordVectors, model.wordVectors)
        try est.save(dir + "/e")
        let e2 = try XCTUnwrap(try MLReader.load(dir + "/e") as? Word2Vec)
        XCTAssertEqual(e2.paramMap, est.paramMap)
        XCTAssertEqual(try e2.fit(data).wordVectors, model.wordVectors)
    }
}
