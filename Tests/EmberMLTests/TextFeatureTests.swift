import Ember
@testable import EmberML
import Foundation
import XCTest

/// Text feature stages. Expected values come from Apache Spark 4.1.1
/// (`scripts/ml/expected_text.py` → expected/text.json, which also holds the input texts).
final class TextFeatureTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("text") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func expected() throws -> [String: Any] { try Expected.load("text") }

    /// (id, text) rows of the script's texts.
    func texts() throws -> DataFrame {
        guard let texts = try expected()["texts"] as? [String] else { throw EmberError.internalError("texts") }
        return try spark.createDataFrame(texts.enumerated().map { [.int(Int32($0.offset)), .string($0.element)] }, schema: "id INT, text STRING")
    }

    func words() throws -> DataFrame { try Tokenizer(inputCol: "text", outputCol: "words").transform(try texts()) }

    func lists(_ df: DataFrame, _ column: String) throws -> [[String]?] {
        try df.orderBy("id").select(column).collect().map { r in
            guard case .array(let xs) = r.values[0] else { return nil }
            return xs.map { if case .string(let s) = $0 { return s }; return "<null>" }
        }
    }

    func vectors(_ df: DataFrame, _ column: String) throws -> [Vector?] {
        try df.orderBy("id").select(column).collect().map { r in r.values[0].isNull ? nil : try Vector(value: r.values[0]) }
    }

    func expectedLists(_ key: String, _ exp: [String: Any]? = nil) throws -> [[String]] {
        let source = try exp ?? expected()
        guard let v = source[key] as? [[String]] else { throw EmberError.internalError("missing \(key)") }
        return v
    }

    func checkVectors(_ got: [Vector?], _ key: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let rows = try expected()[key] as? [Any] else { return XCTFail("missing \(key)", file: file, line: line) }
        XCTAssertEqual(got.count, rows.count, key, file: file, line: line)
        for (i, (g, e)) in zip(got, rows).enumerated() {
            assertVectorsEqual(g, try Expected.vector(e), accuracy: 1e-14, "\(key) row \(i)", file: file, line: line)
        }
    }

    // MARK: Tokenizers

    func testTokenizerMatchesSpark() throws {
        XCTAssertEqual(try lists(try words(), "words").map { $0 ?? [] }, try expectedLists("tokenizer"))
        let schema = try Tokenizer(inputCol: "text", outputCol: "w").transformSchema(try texts().schema())
        XCTAssertEqual(schema.fields.last?.dataType, .array(element: .string, containsNull: true))
        // NULL text gives a NULL token list.
        let withNull = try spark.createDataFrame([[.int(0), .null], [.int(1), .string("A b")]], schema: "id INT, text STRING")
        XCTAssertEqual(try lists(Tokenizer(inputCol: "text", outputCol: "w").transform(withNull), "w").map { $0 ?? ["NULL"] }, [["NULL"], ["a", "b"]])
    }

    func testRegexTokenizerMatchesSpark() throws {
        let exp = try expected()
        let df = try texts()
        XCTAssertEqual(try lists(RegexTokenizer(inputCol: "text", outputCol: "t").transform(df), "t").map { $0 ?? [] }, try expectedLists("regex_default", exp))
        XCTAssertEqual(try lists(RegexTokenizer(inputCol: "text", outputCol: "t", pattern: "[,.!? ]+", toLowercase: false).transform(df), "t").map { $0 ?? [] },
                       try expectedLists("regex_punct_gaps", exp))
        XCTAssertEqual(try lists(RegexTokenizer(inputCol: "text", outputCol: "t", pattern: "[a-z']+", gaps: false, minTokenLength: 2).transform(df), "t").map { $0 ?? [] },
                       try expectedLists("regex_match_min2", exp))
        XCTAssertEqual(try lists(RegexTokenizer(inputCol: "text", outputCol: "t", pattern: " ", minTokenLength: 0).transform(df), "t").map { $0 ?? [] },
                       try expectedLists("regex_min0_single_space", exp))
    }

    // MARK: StopWordsRemover, NGram

    func testStopWordsRemoverMatchesSpark() throws {
        let exp = try expected()
        XCTAssertEqual(StopWords.english, exp["stopwords_english"] as? [String])
        let w = try words()
        XCTAssertEqual(try lists(StopWordsRemover(inputCol: "words", outputCol: "f").transform(w), "f").map { $0 ?? [] }, try expectedLists("stopwords_default", exp))
        let raw = try RegexTokenizer(inputCol: "text", outputCol: "raw", toLowercase: false).transform(try texts())
        XCTAssertEqual(try lists(StopWordsRemover(inputCol: "raw", outputCol: "f", caseSensitive: true).transform(raw), "f").map { $0 ?? [] },
                       try expectedLists("stopwords_case_sensitive", exp))
        XCTAssertEqual(try lists(StopWordsRemover(inputCol: "raw", outputCol: "f").transform(raw), "f").map { $0 ?? [] },
                       try expectedLists("stopwords_insensitive_raw", exp))
        let both = try raw.join(w.select("id", "words"), on: "id")
        let multi = try StopWordsRemover(inputCols: ["words", "raw"], outputCols: ["fa", "fb"], stopWords: ["Spark", "and", "A"]).transform(both)
        guard let m = exp["stopwords_custom_multi"] as? [String: Any] else { return XCTFail("multi") }
        XCTAssertEqual(try lists(multi, "fa").map { $0 ?? [] }, try expectedLists("a", m))
        XCTAssertEqual(try lists(multi, "fb").map { $0 ?? [] }, try expectedLists("b", m))
        // NULL terms are kept; Turkish lowercasing maps I to dotless ı.
        let nulls = try spark.createDataFrame([[.int(0), .array([.string("THE"), .null, .string("x")])]], schema: "id INT, t ARRAY<STRING>")
        XCTAssertEqual(try lists(StopWordsRemover(inputCol: "t", outputCol: "f").transform(nulls), "f"), [["<null>", "x"]])
        let turkish = try spark.createDataFrame([[.int(0), .array([.string("IRMAK"), .string("irmak")])]], schema: "id INT, t ARRAY<STRING>")
        XCTAssertEqual(try lists(StopWordsRemover(inputCol: "t", outputCol: "f", stopWords: ["ırmak"], locale: "tr").transform(turkish), "f"), [["irmak"]])
    }

    func testNGramMatchesSpark() throws {
        let exp = try expected()
        let w = try words()
        XCTAssertEqual(try lists(NGram(inputCol: "words", outputCol: "g").transform(w), "g").map { $0 ?? [] }, try expectedLists("ngram2", exp))
        XCTAssertEqual(try lists(NGram(inputCol: "words", outputCol: "g", n: 3).transform(w), "g").map { $0 ?? [] }, try expectedLists("ngram3", exp))
        XCTAssertEqual(try lists(NGram(inputCol: "words", outputCol: "g", n: 1).transform(w), "g").map { $0 ?? [] }, try expectedLists("ngram1", exp))
    }

    // MARK: HashingTF, IDF

    func testMurmur3MatchesSpark() throws {
        let exp = try expected()
        guard let terms = exp["hash_terms"] as? [String], let idx = exp["hash_terms_index"] as? [Int] else { return XCTFail("hash_terms") }
        for (t, i) in zip(terms, idx) {
            XCTAssertEqual(Murmur3.nonNegativeMod(Murmur3.hashString(t), Int(Int32.max)), i, t)
        }
        XCTAssertEqual(try HashingTF().indexOf("spark"), Murmur3.nonNegativeMod(Murmur3.hashString("spark"), 1 << 18))
    }

    func testHashingTFMatchesSpark() throws {
        let w = try words()
        try checkVectors(try vectors(HashingTF(inputCol: "words", outputCol: "tf").transform(w), "tf"), "hashing_default")
        try checkVectors(try vectors(HashingTF(inputCol: "words", outputCol: "tf", numFeatures: 16, binary: true).transform(w), "tf"), "hashing_16_binary")
        let ints = try spark.createDataFrame([
            [.int(0), .array([.int(1), .int(2), .int(2), .int(-7)])], [.int(1), .array([])],
            [.int(2), .array([.int(Int32.max), .int(Int32.min), .int(0)])],
        ], schema: "id INT, xs ARRAY<INT>")
        try checkVectors(try vectors(HashingTF(inputCol: "xs", outputCol: "tf", numFeatures: 1000).transform(ints), "tf"), "hashing_ints")
    }

    func tf32() throws -> DataFrame { try HashingTF(inputCol: "words", outputCol: "tf", numFeatures: 32).transform(try words()) }

    func testIDFMatchesSpark() throws {
        let exp = try expected()
        let tf = try tf32()
        let model = try IDF(inputCol: "tf", outputCol: "tfidf").fit(tf)
        guard let m = exp["idf_model"] as? [String: Any] else { return XCTFail("idf_model") }
        XCTAssertEqual(model.docFreq, m["docFreq"] as? [Int])
        XCTAssertEqual(model.numDocs, (m["numDocs"] as? NSNumber)?.intValue)
        assertVectorsEqual(Vectors.dense(model.idf), Vectors.dense(Expected.doubles(m["idf"]) ?? []), accuracy: 1e-14, "idf")
        try checkVectors(try vectors(model.transform(tf), "tfidf"), "idf_tfidf")

        guard let m2 = exp["idf_min2"] as? [String: Any] else { return XCTFail("idf_min2") }
        let model2 = try IDF(inputCol: "tf", outputCol: "tfidf", minDocFreq: 2).fit(tf)
        assertVectorsEqual(Vectors.dense(model2.idf), Vectors.dense(Expected.doubles(m2["idf"]) ?? []), accuracy: 1e-14, "idf min2")
        let got = try vectors(model2.transform(tf), "tfidf")
        for (i, (g, e)) in zip(got, m2["tfidf"] as? [Any] ?? []).enumerated() { assertVectorsEqual(g, try Expected.vector(e), accuracy: 1e-14, "min2 row \(i)") }

        guard let m3 = exp["idf_dense"] as? [String: Any] else { return XCTFail("idf_dense") }
        let dense = try spark.createDataFrame([
            [.int(0), Vectors.dense([1, 0, 3]).value], [.int(1), Vectors.dense([0, 0, 2]).value], [.int(2), Vectors.dense([-1, 4, 0]).value],
        ], schema: Schema([StructField("id", .int), StructField("v", .vector)]))
        let model3 = try IDF(inputCol: "v", outputCol: "o").fit(dense)
        assertVectorsEqual(Vectors.dense(model3.idf), Vectors.dense(Expected.doubles(m3["idf"]) ?? []), accuracy: 1e-14, "idf dense")
        for (i, (g, e)) in zip(try vectors(model3.transform(dense), "o"), m3["out"] as? [Any] ?? []).enumerated() {
            assertVectorsEqual(g, try Expected.vector(e), accuracy: 1e-14, "dense row \(i)")
        }
    }

    // MARK: CountVectorizer

    func filtered() throws -> DataFrame { try StopWordsRemover(inputCol: "words", outputCol: "filtered").transform(try words()) }

    /// Each row as term → value through `vocab` (Spark orders ties in counts arbitrarily).
    func byTerm(_ vs: [Vector?], _ vocab: [String]) -> [[String: Double]] {
        vs.map { v in
            var d: [String: Double] = [:]
            v?.forEachActive { i, x in d[vocab[i]] = x }
            return d
        }
    }

    func testCountVectorizerMatchesSpark() throws {
        let exp = try expected()
        let f = try filtered()
        let model = try CountVectorizer(inputCol: "filtered", outputCol: "cv").fit(f)
        guard let vocab = exp["cv_vocab"] as? [String], let counts = exp["cv_counts"] as? [Int] else { return XCTFail("cv_vocab") }
        XCTAssertEqual(model.vocabulary.count, vocab.count)
        // Same terms at each count; within a count Ember orders by term.
        var sparkGroups: [Int: Set<String>] = [:]
        for (w, c) in zip(vocab, counts) { sparkGroups[c, default: []].insert(w) }
        var at = 0
        for c in Array(Set(counts)).sorted(by: >) {
            let group = sparkGroups[c] ?? []
            let mine = Array(model.vocabulary[at..<min(at + group.count, model.vocabulary.count)])
            XCTAssertEqual(Set(mine), group, "terms counted \(c) times")
            XCTAssertEqual(mine, mine.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            at += group.count
        }
        XCTAssertEqual(Array(model.vocabulary.prefix(3)), Array(vocab.prefix(3)))
        let expectedOut = try (exp["cv_out"] as? [Any] ?? []).map { try Expected.vector($0) }
        XCTAssertEqual(byTerm(try vectors(model.transform(f), "cv"), model.vocabulary), byTerm(expectedOut, vocab))

        let m2 = try CountVectorizer(inputCol: "filtered", outputCol: "cv", vocabSize: 3, minDF: 2, binary: true).fit(f)
        XCTAssertEqual(m2.vocabulary, exp["cv2_vocab"] as? [String])
        try checkVectors(try vectors(m2.transform(f), "cv"), "cv2_out")

        let m3 = try CountVectorizer(inputCol: "filtered", outputCol: "cv", maxDF: 0.1, minTF: 0.3).fit(f)
        XCTAssertEqual(m3.vocabulary.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, exp["cv3_vocab_sorted"] as? [String])

        let fixed = CountVectorizerModel(vocabulary: vocab, inputCol: "filtered", outputCol: "cv")
        fixed.set(fixed.minTF, 0.3)
        try checkVectors(try vectors(fixed.transform(f), "cv"), "cv_mintf_frac")
        XCTAssertEqual(fixed.get(fixed.vocabSize), vocab.count)
    }

    // MARK: FeatureHasher

    func testFeatureHasherMatchesSpark() throws {
        let rows: [[Value]] = [
            [.int(0), .double(2.5), .int(3), .boolean(true), .string("red"), .int(1)],
            [.int(1), .double(0.0), .int(-1), .boolean(false), .string("green"), .int(2)],
            [.int(2), .double(-1.25), .int(0), .boolean(true), .null, .int(1)],
            [.int(3), .null, .int(7), .boolean(false), .string("blue"), .int(3)],
            [.int(4), .double(1e10), .int(Int32.max), .boolean(true), .string("Straße"), .int(0)],
        ]
        let df = try spark.createDataFrame(rows, schema: "id INT, real DOUBLE, n INT, flag BOOLEAN, color STRING, cat INT")
        let cols = ["real", "n", "flag", "color", "cat"]
        try checkVectors(try vectors(FeatureHasher(inputCols: cols, outputCol: "f", categoricalCols: ["cat"]).transform(df), "f"), "fh_default")
        try checkVectors(try vectors(FeatureHasher(inputCols: cols, outputCol: "f", numFeatures: 8).transform(df), "f"), "fh_small")
        try checkVectors(try vectors(FeatureHasher(inputCols: ["real"], outputCol: "f", categoricalCols: ["real"], numFeatures: 1000).transform(df), "f"), "fh_double_cat")
    }

    // MARK: Errors and persistence

    func assertThrows(_ body: @autoclosure () throws -> Any, _ contains: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(contains), "\(e)", file: file, line: line)
        }
    }

    func testBadParamsAndColumns() throws {
        let df = try texts()
        let w = try words()
        let tf = try tf32()
        assertThrows(try Tokenizer(inputCol: "nope", outputCol: "w").transform(df), "column nope does not exist")
        assertThrows(try Tokenizer(inputCol: "id", outputCol: "w").transform(df), "Input type must be string type but got INT")
        assertThrows(try Tokenizer(inputCol: "text", outputCol: "id").transform(df), "output column id already exists")
        assertThrows(try RegexTokenizer(inputCol: "text", outputCol: "t", minTokenLength: -1).transform(df), "minTokenLength given invalid value -1")
        assertThrows(try RegexTokenizer(inputCol: "text", outputCol: "t", pattern: "([a-z").transform(df), "parameter pattern given invalid regular expression")
        assertThrows(try RegexTokenizer(inputCol: "id", outputCol: "t").transform(df), "Input type must be string type")
        assertThrows(try StopWordsRemover(inputCol: "text", outputCol: "f").transform(df), "Input type must be array<string> type but got STRING")
        assertThrows(try StopWordsRemover(inputCols: ["words"], outputCols: ["a", "b"]).transform(w), "should have the same length as inputCols")
        assertThrows(try StopWordsRemover(inputCol: "words", outputCol: "f", locale: "").transform(w), "locale given invalid value")
        let both = StopWordsRemover(inputCols: ["words"], outputCols: ["a"])
        both.set(both.inputCol, "words")
        assertThrows(try both.transform(w), "inputCol cannot be set together with inputCols")
        assertThrows(try NGram(inputCol: "words", outputCol: "g", n: 0).transform(w), "parameter n given invalid value 0")
        assertThrows(try NGram(inputCol: "text", outputCol: "g").transform(w), "Input type must be array<string>")
        assertThrows(try HashingTF(inputCol: "words", outputCol: "h", numFeatures: 0).transform(w), "numFeatures given invalid value 0")
        assertThrows(try HashingTF(inputCol: "text", outputCol: "h").transform(w), "The input column must be array, but got STRING")
        assertThrows(try IDF(inputCol: "tf", outputCol: "o", minDocFreq: -1).fit(tf), "minDocFreq given invalid value -1")
        assertThrows(try IDF(inputCol: "words", outputCol: "o").fit(tf), "column words must be of type vector")
        let model = try IDF(inputCol: "tf", outputCol: "o").fit(tf)
        let other = try HashingTF(inputCol: "words", outputCol: "tf", numFeatures: 8).transform(w)
        assertThrows(try model.transform(other).collect(), "does not match the IDF size 32")
        assertThrows(try CountVectorizer(inputCol: "words", outputCol: "c", vocabSize: 0).fit(w), "vocabSize given invalid value 0")
        assertThrows(try CountVectorizer(inputCol: "words", outputCol: "c", minDF: 3, maxDF: 2).fit(w), "maxDF must be >= minDF")
        assertThrows(try CountVectorizer(inputCol: "text", outputCol: "c").fit(w), "Input type must be array<string>")
        assertThrows(try FeatureHasher(inputCols: ["words"], outputCol: "f").transform(w), "FeatureHasher requires columns to be of numeric, boolean or string. Column words was ARRAY<STRING>")
        assertThrows(try FeatureHasher(inputCols: ["id"], outputCol: "f", numFeatures: -3).transform(w), "numFeatures given invalid value -3")
    }

    func testSaveLoadRoundTrip() throws {
        let w = try words()
        let f = try filtered()
        let tf = try tf32()
        let stages: [Transformer] = [
            Tokenizer(inputCol: "text", outputCol: "t"),
            RegexTokenizer(inputCol: "text", outputCol: "t", pattern: "[a-z]+", gaps: false, minTokenLength: 2, toLowercase: false),
            StopWordsRemover(inputCol: "words", outputCol: "s", stopWords: ["a", "b"], caseSensitive: true),
            NGram(inputCol: "words", outputCol: "g", n: 3),
            HashingTF(inputCol: "words", outputCol: "h", numFeatures: 64, binary: true),
            FeatureHasher(inputCols: ["id", "text"], outputCol: "fh", categoricalCols: ["id"], numFeatures: 128),
            try IDF(inputCol: "tf", outputCol: "o", minDocFreq: 2).fit(tf),
            try CountVectorizer(inputCol: "filtered", outputCol: "c", minTF: 0.2, binary: true).fit(f),
        ]
        let inputs = [try texts(), try texts(), w, w, w, w, tf, f]
        for (k, (s, input)) in zip(stages, inputs).enumerated() {
            let path = dir + "/s\(k)"
            try s.save(path)
            let loaded = try MLReader.load(path)
            XCTAssertEqual(loaded.uid, s.uid)
            XCTAssertTrue(type(of: loaded) == type(of: s))
            XCTAssertEqual(loaded.paramMap, s.paramMap, "\(s.uid)")
            guard let t = loaded as? Transformer else { return XCTFail("not a transformer") }
            let out = try s.transformSchema(try input.schema()).names.last ?? ""
            XCTAssertEqual(try t.transform(input).orderBy("id").select(out).collect(), try s.transform(input).orderBy("id").select(out).collect(), "\(s.uid)")
        }
        let idf = try XCTUnwrap(try MLReader.load(dir + "/s6") as? IDFModel)
        XCTAssertEqual(idf.docFreq, (stages[6] as? IDFModel)?.docFreq)
        XCTAssertEqual(idf.numDocs, 12)
        let cv = try XCTUnwrap(try MLReader.load(dir + "/s7") as? CountVectorizerModel)
        XCTAssertEqual(cv.vocabulary, (stages[7] as? CountVectorizerModel)?.vocabulary)
    }

    func testPipelineOfTextStages() throws {
        let pipeline = Pipeline(stages: [
            Tokenizer(inputCol: "text", outputCol: "words"),
            StopWordsRemover(inputCol: "words", outputCol: "filtered"),
            HashingTF(inputCol: "filtered", outputCol: "tf", numFeatures: 32),
            IDF(inputCol: "tf", outputCol: "tfidf"),
        ])
        let model = try pipeline.fit(try texts())
        let out = try vectors(model.transform(try texts()), "tfidf")
        XCTAssertEqual(out.count, 12)
        // Row 6 ("The THE the tHe and AND And") is all stop words: an empty vector.
        XCTAssertEqual(out[6]?.numActives, 0)
        XCTAssertEqual(out[6]?.size, 32)
    }
}
