import Ember
@testable import EmberML
import Foundation
import XCTest

/// Evaluators. Expected values come from Apache Spark 4.1.1 and scikit-learn 1.9.1
/// (`scripts/ml/expected_eval.py` → expected/eval.json, which also holds the generated rows).
final class EvaluatorTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("eval") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func expected() throws -> [String: Any] { try Expected.load("eval") }

    func rows(_ key: String) throws -> [[Any]] {
        guard let r = try expected()[key] as? [[Any]] else { throw EmberError.internalError("missing \(key)") }
        return r
    }

    func num(_ x: Any) -> Double { Expected.double(x) ?? .nan }

    func metrics(_ key: String) throws -> [String: Double] {
        guard let m = try expected()[key] as? [String: Any] else { throw EmberError.internalError("missing \(key)") }
        return m.mapValues { Expected.double($0) ?? .nan }
    }

    func assertClose(_ got: Double, _ want: Double?, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let want else { return XCTFail("no expected value for \(message)", file: file, line: line) }
        XCTAssertEqual(got, want, accuracy: 1e-12 * max(1, abs(want)), message, file: file, line: line)
    }

    func binaryFrame() throws -> DataFrame {
        let data: [[Value]] = try rows("binary_rows").map { r in
            let s = num(r[0])
            return [.double(s), Vectors.dense([-s, s]).value, .double(num(r[1])), .double(num(r[2]))]
        }
        return try spark.createDataFrame(data, schema: Schema([StructField("score", .double), StructField("raw", .vector),
                                                               StructField("label", .double), StructField("weight", .double)]))
    }

    func multiFrame() throws -> DataFrame {
        let data: [[Value]] = try rows("multi_rows").map { r in
            [.double(num(r[0])), .double(num(r[1])), .double(num(r[2])), Vectors.dense((r[3] as? [Any] ?? []).map(num)).value]
        }
        return try spark.createDataFrame(data, schema: Schema([StructField("prediction", .double), StructField("label", .double),
                                                               StructField("weight", .double), StructField("probability", .vector)]))
    }

    func regressionFrame() throws -> DataFrame {
        try spark.createDataFrame(try rows("reg_rows").map { r in r.map { .double(num($0)) } }, schema: "prediction DOUBLE, label DOUBLE, weight DOUBLE")
    }

    func clusteringFrame() throws -> DataFrame {
        let data: [[Value]] = try rows("clu_rows").map { r in
            [.int(Int32(num(r[0]))), Vectors.dense((r[1] as? [Any] ?? []).map(num)).value, .double(num(r[2]))]
        }
        return try spark.createDataFrame(data, schema: Schema([StructField("prediction", .int), StructField("features", .vector), StructField("weight", .double)]))
    }

    func testBinaryClassificationEvaluatorMatchesSpark() throws {
        let df = try binaryFrame()
        let exp = try metrics("binary")
        for metric in ["areaUnderROC", "areaUnderPR"] {
            for bins in [1000, 0, 50, 7] {
                for c in ["score", "raw"] {
                    let e = BinaryClassificationEvaluator(rawPredictionCol: c, metricName: metric, numBins: bins)
                    assertClose(try e.evaluate(df), exp["\(metric)_\(bins)_\(c)"], "\(metric) bins \(bins) \(c)")
                }
                let w = BinaryClassificationEvaluator(rawPredictionCol: "score", metricName: metric, numBins: bins, weightCol: "weight")
                assertClose(try w.evaluate(df), exp["\(metric)_\(bins)_weighted"], "\(metric) bins \(bins) weighted")
            }
        }
        let sk = try metrics("binary_sklearn")
        assertClose(try BinaryClassificationEvaluator(rawPredictionCol: "score", numBins: 0).evaluate(df), sk["roc_auc"], "sklearn roc_auc")
        assertClose(try BinaryClassificationEvaluator(rawPredictionCol: "raw", weightCol: "weight").evaluate(df), sk["roc_auc_weighted"], "sklearn weighted roc_auc")
        // Down-sampling changes the area (the test data has 251 distinct scores).
        XCTAssertNotEqual(exp["areaUnderROC_7_score"], exp["areaUnderROC_0_score"])
    }

    func testMulticlassClassificationEvaluatorMatchesSpark() throws {
        let df = try multiFrame()
        let exp = try metrics("multi")
        for name in MulticlassClassificationEvaluator.metricNames {
            let e = MulticlassClassificationEvaluator(metricName: name)
            assertClose(try e.evaluate(df), exp[name], name)
            assertClose(try MulticlassClassificationEvaluator(metricName: name, weightCol: "weight").evaluate(df), exp[name + "_weighted"], name + " weighted")
            assertClose(try MulticlassClassificationEvaluator(metricName: name, metricLabel: 2, beta: 0.5).evaluate(df), exp[name + "_label2_beta0.5"], name + " label 2")
            XCTAssertEqual(e.isLargerBetter, !["weightedFalsePositiveRate", "falsePositiveRateByLabel", "logLoss", "hammingLoss"].contains(name), name)
        }
        let sk = try metrics("multi_sklearn")
        func ev(_ m: String, weighted: Bool = false) throws -> Double {
            try MulticlassClassificationEvaluator(metricName: m, weightCol: weighted ? "weight" : nil).evaluate(df)
        }
        assertClose(try ev("accuracy"), sk["accuracy"], "sklearn accuracy")
        assertClose(try ev("accuracy", weighted: true), sk["accuracy_weighted"], "sklearn weighted accuracy")
        assertClose(try ev("f1"), sk["f1_weighted"], "sklearn f1")
        assertClose(try ev("weightedPrecision"), sk["precision_weighted"], "sklearn precision")
        assertClose(try ev("weightedRecall"), sk["recall_weighted"], "sklearn recall")
        assertClose(try ev("hammingLoss"), sk["hamming_loss"], "sklearn hamming")
        assertClose(try ev("logLoss"), sk["log_loss"], "sklearn log_loss")
        assertClose(try ev("logLoss", weighted: true), sk["log_loss_weighted"], "sklearn weighted log_loss")
        assertClose(try MulticlassClassificationEvaluator(metricName: "fMeasureByLabel", metricLabel: 2, beta: 0.5).evaluate(df), sk["fbeta0.5_label2"], "sklearn fbeta")
    }

    func testRegressionEvaluatorMatchesSpark() throws {
        let df = try regressionFrame()
        let exp = try metrics("reg")
        for name in ["rmse", "mse", "r2", "mae", "var"] {
            let e = RegressionEvaluator(metricName: name)
            assertClose(try e.evaluate(df), exp[name], name)
            assertClose(try RegressionEvaluator(metricName: name, weightCol: "weight").evaluate(df), exp[name + "_weighted"], name + " weighted")
            assertClose(try RegressionEvaluator(metricName: name, throughOrigin: true).evaluate(df), exp[name + "_origin"], name + " through origin")
            XCTAssertEqual(e.isLargerBetter, name == "r2" || name == "var")
        }
        let sk = try metrics("reg_sklearn")
        for (mine, theirs, weighted) in [("mse", "mse", false), ("mse", "mse_weighted", true), ("rmse", "rmse", false),
                                         ("mae", "mae", false), ("mae", "mae_weighted", true), ("r2", "r2", false)] {
            assertClose(try RegressionEvaluator(metricName: mine, weightCol: weighted ? "weight" : nil).evaluate(df), sk[theirs], "sklearn \(theirs)")
        }
    }

    func testClusteringEvaluatorMatchesSpark() throws {
        let df = try clusteringFrame()
        let exp = try metrics("clu"), sk = try metrics("clu_sklearn")
        for d in ["squaredEuclidean", "cosine"] {
            assertClose(try ClusteringEvaluator(distanceMeasure: d).evaluate(df), exp[d], d)
            assertClose(try ClusteringEvaluator(distanceMeasure: d, weightCol: "weight").evaluate(df), exp[d + "_weighted"], d + " weighted")
            assertClose(try ClusteringEvaluator(distanceMeasure: d).evaluate(df), sk[d], "sklearn silhouette " + d)
        }
    }

    func assertThrows(_ body: @autoclosure () throws -> Any, _ contains: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(contains), "\(e)", file: file, line: line)
        }
    }

    func testBadParamsAndColumns() throws {
        let b = try binaryFrame(), m = try multiFrame(), r = try regressionFrame(), c = try clusteringFrame()
        assertThrows(try BinaryClassificationEvaluator(metricName: "auc").evaluate(b), "metricName given invalid value auc")
        assertThrows(try BinaryClassificationEvaluator(numBins: -1).evaluate(b), "numBins given invalid value -1")
        assertThrows(try BinaryClassificationEvaluator(rawPredictionCol: "nope").evaluate(b), "column nope does not exist")
        let strings = try spark.createDataFrame([[.string("a"), .double(1)]], schema: "rawPrediction STRING, label DOUBLE")
        assertThrows(try BinaryClassificationEvaluator().evaluate(strings), "must be of type double or vector")
        assertThrows(try MulticlassClassificationEvaluator(metricName: "f2").evaluate(m), "metricName given invalid value f2")
        assertThrows(try MulticlassClassificationEvaluator(beta: 0).evaluate(m), "beta given invalid value 0")
        let eps = MulticlassClassificationEvaluator(metricName: "logLoss")
        eps.set(eps.eps, 0.5)
        assertThrows(try eps.evaluate(m), "eps given invalid value 0.5")
        assertThrows(try MulticlassClassificationEvaluator(metricName: "precisionByLabel", metricLabel: 7).evaluate(m), "metricLabel 7.0 is not a label")
        assertThrows(try MulticlassClassificationEvaluator(labelCol: "nope").evaluate(m), "column nope does not exist")
        assertThrows(try MulticlassClassificationEvaluator(metricName: "logLoss").evaluate(r), "column probability does not exist")
        assertThrows(try RegressionEvaluator(metricName: "mape").evaluate(r), "metricName given invalid value mape")
        assertThrows(try RegressionEvaluator(predictionCol: "features").evaluate(c), "column features must be of type numeric")
        assertThrows(try RegressionEvaluator(weightCol: "nope").evaluate(r), "column nope does not exist")
        let negative = try spark.createDataFrame([[.double(1), .double(1), .double(-1)]], schema: "prediction DOUBLE, label DOUBLE, weight DOUBLE")
        assertThrows(try RegressionEvaluator(weightCol: "weight").evaluate(negative), "weights must be non-negative")
        assertThrows(try ClusteringEvaluator(distanceMeasure: "manhattan").evaluate(c), "distanceMeasure given invalid value manhattan")
        assertThrows(try ClusteringEvaluator(featuresCol: "weight").evaluate(c), "column weight must be of type vector")
        assertThrows(try ClusteringEvaluator().evaluate(try c.filter("prediction = 1")), "Number of clusters must be greater than one.")
    }

    func testSaveLoadParamsAndExtra() throws {
        let evaluators: [Evaluator] = [
            BinaryClassificationEvaluator(rawPredictionCol: "raw", metricName: "areaUnderPR", numBins: 5, weightCol: "weight"),
            MulticlassClassificationEvaluator(metricName: "fMeasureByLabel", weightCol: "weight", metricLabel: 2, beta: 0.5),
            RegressionEvaluator(metricName: "r2", weightCol: "weight", throughOrigin: true),
            ClusteringEvaluator(distanceMeasure: "cosine", weightCol: "weight"),
        ]
        let frames = [try binaryFrame(), try multiFrame(), try regressionFrame(), try clusteringFrame()]
        for (k, (e, df)) in zip(evaluators, frames).enumerated() {
            try e.save(dir + "/e\(k)")
            let meta = try MLReader.metadata(dir + "/e\(k)")
            XCTAssertEqual(meta.className, "org.apache.spark.ml.evaluation." + type(of: e).className)
            let loaded = try XCTUnwrap(try MLReader.load(dir + "/e\(k)") as? Evaluator)
            XCTAssertTrue(type(of: loaded) == type(of: e))
            XCTAssertEqual(loaded.uid, e.uid)
            XCTAssertEqual(loaded.paramMap, e.paramMap)
            XCTAssertEqual(try loaded.evaluate(df), try e.evaluate(df))
            XCTAssertEqual(loaded.isLargerBetter, e.isLargerBetter)
        }
        let reg = RegressionEvaluator()
        let df = try regressionFrame()
        let exp = try metrics("reg")
        assertClose(try reg.evaluate(df, ParamMap().put(reg.metricName, "mae")), exp["mae"], "extra param map")
        assertClose(try reg.evaluate(df), exp["rmse"], "unchanged after extra")
        XCTAssertTrue(try RegressionEvaluator.load(dir + "/e2").get(reg.throughOrigin) ?? false)
    }
}
