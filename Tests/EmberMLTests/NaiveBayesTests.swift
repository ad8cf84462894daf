import Ember
@testable import EmberML
import Foundation
import XCTest

/// |a - b| within `rel` of the larger magnitude (equal infinities pass).
func nbAssertClose(_ a: Double, _ b: Double, rel: Double = 1e-9, _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    if a == b { return }
    XCTAssertLessThanOrEqual(abs(a - b), rel * max(abs(a), abs(b)), "\(message()): \(a) vs \(b)", file: file, line: line)
}

func nbAssertClose(_ a: [Double], _ b: [Double], rel: Double = 1e-9, _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message()): lengths", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() { nbAssertClose(x, y, rel: rel, "\(message())[\(i)]", file: file, line: line) }
}

/// NaiveBayes and NaiveBayesModel against Apache Spark 4.1.1: the training rows, the
/// fitted pi/theta/sigma and the transform output come from `scripts/ml/expected_nb.py`
/// (expected/nb.json).
final class NaiveBayesTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("nb") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func cases() throws -> [String: [String: Any]] {
        guard let nb = try Expected.load("nb")["naive_bayes"] as? [String: [String: Any]] else { throw EmberError.internalError("naive_bayes missing") }
        return nb
    }

    /// The rows of a case as (id, label, weight, features).
    func frame(_ c: [String: Any]) throws -> DataFrame {
        guard let rows = c["rows"] as? [[String: Any]] else { throw EmberError.internalError("rows") }
        let values: [[Value]] = try rows.map { r in
            guard let id = (r["id"] as? NSNumber)?.int32Value, let l = Expected.double(r["label"]), let w = Expected.double(r["weight"]),
                  let v = try Expected.vector(r["features"]) else { throw EmberError.internalError("row \(r)") }
            return [.int(id), .double(l), .double(w), v.value]
        }
        return try spark.createDataFrame(values, schema: Schema([StructField("id", .int), StructField("label", .double),
                                                                 StructField("weight", .double), StructField("features", .vector)]))
    }

    func estimator(_ c: [String: Any]) -> NaiveBayes {
        let params = c["params"] as? [String: Any] ?? [:]
        let nb = NaiveBayes(modelType: c["modelType"] as? String, smoothing: Expected.double(params["smoothing"]),
                            weightCol: (c["weighted"] as? Bool) == true ? "weight" : nil, thresholds: Expected.doubles(params["thresholds"]))
        return nb
    }

    /// (rawPrediction, probability, prediction) by id.
    func outputs(_ df: DataFrame, raw: String = "rawPrediction", prob: String = "probability", pred: String = "prediction") throws -> [([Double], [Double], Double)] {
        try df.orderBy("id").select(raw, prob, pred).collect().map { r in
            guard case .double(let p) = r.values[2] else { throw EmberError.internalError("prediction") }
            return (try Vector(value: r.values[0]).toArray(), try Vector(value: r.values[1]).toArray(), p)
        }
    }

    func check(_ name: String, _ c: [String: Any], _ model: NaiveBayesModel, _ got: [([Double], [Double], Double)]) throws {
        XCTAssertEqual(model.numClasses, (c["numClasses"] as? NSNumber)?.intValue, name)
        XCTAssertEqual(model.numFeatures, (c["numFeatures"] as? NSNumber)?.intValue, name)
        nbAssertClose(model.pi, Expected.doubles(c["pi"]) ?? [], "\(name) pi")
        let theta = (c["theta"] as? [Any] ?? []).compactMap(Expected.doubles)
        XCTAssertEqual(model.theta.count, theta.count, "\(name) theta rows")
        for (i, (a, b)) in zip(model.theta, theta).enumerated() { nbAssertClose(a, b, "\(name) theta row \(i)") }
        let sigma = (c["sigma"] as? [Any] ?? []).compactMap(Expected.doubles)
        XCTAssertEqual(model.sigma.count, sigma.count, "\(name) sigma rows")
        for (i, (a, b)) in zip(model.sigma, sigma).enumerated() { nbAssertClose(a, b, "\(name) sigma row \(i)") }
        let raws = (c["rawPrediction"] as? [Any] ?? []).compactMap(Expected.doubles)
        let probs = (c["probability"] as? [Any] ?? []).compactMap(Expected.doubles)
        let preds = Expected.doubles(c["prediction"]) ?? []
        XCTAssertEqual(got.count, preds.count, name)
        for (i, g) in got.enumerated() where i < preds.count {
            nbAssertClose(g.0, raws[i], "\(name) rawPrediction row \(i)")
            XCTAssertEqual(g.1.count, probs[i].count, "\(name) probability row \(i)")
            for (a, b) in zip(g.1, probs[i]) { XCTAssertEqual(a, b, accuracy: 1e-9, "\(name) probability row \(i)") }
            XCTAssertEqual(g.2, preds[i], "\(name) prediction row \(i)")
        }
    }

    func testMatchesSparkForEveryModelType() throws {
        let all = try cases()
        for name in ["multinomial", "multinomial_unweighted_s05", "complement", "bernoulli", "gaussian", "multinomial_thresholds", "label_gap"] {
            guard let c = all[name] else { XCTFail("missing case \(name)"); continue }
            let df = try frame(c)
            let model = try estimator(c).fit(df)
            try check(name, c, model, try outputs(try model.transform(df)))
        }
    }

    func testOutputsWithoutRawPredictionColumn() throws {
        guard let c = try cases()["gaussian"] else { return XCTFail("gaussian") }
        let df = try frame(c)
        let model = try estimator(c).fit(df)
        model.set(model.rawPredictionCol, "")
        let out = try model.transform(df)
        XCTAssertFalse(try out.schema().names.contains("rawPrediction"))
        let rows = try out.orderBy("id").select("probability", "prediction").collect()
        let probs = (c["probability"] as? [Any] ?? []).compactMap(Expected.doubles)
        let preds = Expected.doubles(c["prediction"]) ?? []
        XCTAssertEqual(rows.count, preds.count)
        for (i, r) in rows.enumerated() {
            let p = try Vector(value: r.values[0]).toArray()
            for (a, b) in zip(p, probs[i]) { XCTAssertEqual(a, b, accuracy: 1e-9, "row \(i)") }
            XCTAssertEqual(r.values[1], .double(preds[i]), "row \(i)")
        }
    }

    func testSaveLoadRoundTrip() throws {
        let all = try cases()
        for name in ["multinomial", "complement", "bernoulli", "gaussian"] {
            guard let c = all[name] else { XCTFail(name); continue }
            let df = try frame(c)
            let model = try estimator(c).fit(df)
            let path = dir + "/" + name
            try model.save(path)
            let loaded = try NaiveBayesModel.load(path)
            XCTAssertEqual(loaded.uid, model.uid)
            XCTAssertEqual(loaded.pi, model.pi, name)
            XCTAssertEqual(loaded.thetaValues, model.thetaValues, name)
            XCTAssertEqual(loaded.sigmaValues, model.sigmaValues, name)
            XCTAssertEqual(try loaded.value(loaded.modelType), name)
            let a = try outputs(try model.transform(df)), b = try outputs(try loaded.transform(df))
            XCTAssertEqual(a.map(\.0), b.map(\.0), name)
            XCTAssertEqual(a.map(\.1), b.map(\.1), name)
            XCTAssertEqual(a.map(\.2), b.map(\.2), name)
            let est = estimator(c)
            try est.save(dir + "/est_" + name)
            let e2 = try NaiveBayes.load(dir + "/est_" + name)
            XCTAssertEqual(try e2.value(e2.modelType), name)
        }
    }

    func testBadParams() throws {
        guard let c = try cases()["multinomial"] else { return XCTFail("multinomial") }
        let df = try frame(c)
        // modelType is case-sensitive, as Spark's.
        XCTAssertThrowsError(try NaiveBayes(modelType: "Multinomial").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter modelType given invalid value Multinomial"), "\(e)")
        }
        let nb = NaiveBayes(smoothing: -1)
        XCTAssertThrowsError(try nb.fit(df)) { e in
            XCTAssertTrue("\(e)".contains("\(nb.uid) parameter smoothing given invalid value -1.0: must be >= 0.0"), "\(e)")
        }
        XCTAssertThrowsError(try NaiveBayes(thresholds: [0.5, 0.5]).fit(df)) { e in
            XCTAssertTrue("\(e)".contains("thresholds has length 2 but the data has 3 classes"), "\(e)")
        }
        let model = try NaiveBayes().fit(df)
        model.set(model.thresholds, [0.5, 0.5])
        XCTAssertThrowsError(try model.transform(df)) { e in
            XCTAssertTrue("\(e)".contains("thresholds has length 2 but the model has 3 classes"), "\(e)")
        }
    }

    func testBadColumns() throws {
        guard let c = try cases()["multinomial"] else { return XCTFail("multinomial") }
        let df = try frame(c)
        let nb = NaiveBayes(featuresCol: "nope")
        XCTAssertThrowsError(try nb.fit(df)) { e in
            XCTAssertTrue("\(e)".contains("\(nb.uid): column nope does not exist"), "\(e)")
        }
        let strings = try spark.createDataFrame([[.string("a"), Vectors.dense([1.0]).value]], schema: Schema([StructField("label", .string), StructField("features", .vector)]))
        XCTAssertThrowsError(try NaiveBayes().fit(strings)) { e in
            XCTAssertTrue("\(e)".contains("column label must be of type numeric but was actually of type string"), "\(e)")
        }
        XCTAssertThrowsError(try NaiveBayes().fit(df.withColumnRenamed("features", "f").withColumn("features", col("label")))) { e in
            XCTAssertTrue("\(e)".contains("column features must be of type vector but was actually double"), "\(e)")
        }
        let model = try NaiveBayes().fit(df)
        XCTAssertThrowsError(try model.transform(df.withColumnRenamed("features", "f"))) { e in
            XCTAssertTrue("\(e)".contains("column features does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try model.transform(df.withColumnRenamed("id", "prediction"))) { e in
            XCTAssertTrue("\(e)".contains("output column prediction already exists"), "\(e)")
        }
    }

    func testInvalidData() throws {
        func frame(_ rows: [(Double, Vector)]) throws -> DataFrame {
            try spark.createDataFrame(rows.map { [.double($0.0), $0.1.value] }, schema: Schema([StructField("label", .double), StructField("features", .vector)]))
        }
        let negative = try frame([(0, Vectors.dense([1, 2])), (1, Vectors.dense([0, -1]))])
        XCTAssertThrowsError(try NaiveBayes().fit(negative)) { e in
            XCTAssertTrue("\(e)".contains("Naive Bayes requires nonnegative feature values but found [0.0,-1.0]."), "\(e)")
        }
        XCTAssertThrowsError(try NaiveBayes(modelType: "complement").fit(negative))
        XCTAssertNoThrow(try NaiveBayes(modelType: "gaussian").fit(negative))
        let notBinary = try frame([(0, Vectors.dense([1, 0])), (1, try Vectors.sparse(2, [1], [2]))])
        XCTAssertThrowsError(try NaiveBayes(modelType: "bernoulli").fit(notBinary)) { e in
            XCTAssertTrue("\(e)".contains("Bernoulli naive Bayes requires 0 or 1 feature values but found (2,[1],[2.0])."), "\(e)")
        }
        XCTAssertThrowsError(try NaiveBayes().fit(try frame([(0, Vectors.dense([1, 0])), (1.5, Vectors.dense([1, 1]))]))) { e in
            XCTAssertTrue("\(e)".contains("Labels MUST be Integers, but got 1.5"), "\(e)")
        }
        XCTAssertThrowsError(try NaiveBayes().fit(try frame([(-1, Vectors.dense([1, 0]))]))) { e in
            XCTAssertTrue("\(e)".contains("Labels MUST be in [0, 2147483647), but got -1.0"), "\(e)")
        }
        // A fitted multinomial model rejects negative features at transform time too.
        let model = try NaiveBayes().fit(try frame([(0, Vectors.dense([1, 0])), (1, Vectors.dense([0, 1]))]))
        XCTAssertThrowsError(try model.transform(negative).collect()) { e in
            XCTAssertTrue("\(e)".contains("Naive Bayes requires nonnegative feature values but found [0.0,-1.0]."), "\(e)")
        }
        XCTAssertThrowsError(try model.transform(try frame([(0, Vectors.dense([1, 0, 1]))])).collect()) { e in
            XCTAssertTrue("\(e)".contains("features vector of size 3 does not match the model's 2 features"), "\(e)")
        }
    }

    func testParamDocsMatchPySpark() throws {
        let explain = try Expected.load("nb")["nb_explain"] as? String ?? ""
        let ours = NaiveBayes().explainParams()
        for name in ["modelType", "smoothing"] {
            let line = explain.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            let mine = ours.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            XCTAssertEqual(mine.map(String.init), line.map(String.init), name)
        }
    }
}
