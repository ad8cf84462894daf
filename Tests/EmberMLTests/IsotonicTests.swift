import Ember
@testable import EmberML
import Foundation
import XCTest

/// IsotonicRegression and its model against Apache Spark 4.1.1: training rows (with tied
/// features and zero weights), boundaries, predictions and transform output come from
/// `scripts/ml/expected_nb.py` (expected/nb.json, key "isotonic").
final class IsotonicTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("iso") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func expected() throws -> [String: Any] {
        guard let e = try Expected.load("nb")["isotonic"] as? [String: Any] else { throw EmberError.internalError("isotonic missing") }
        return e
    }

    func training(_ e: [String: Any]) throws -> DataFrame {
        guard let rows = e["rows"] as? [[String: Any]] else { throw EmberError.internalError("rows") }
        let values: [[Value]] = try rows.map { r in
            guard let id = (r["id"] as? NSNumber)?.int32Value, let x = Expected.double(r["x"]), let x2 = Expected.double(r["x2"]),
                  let l = Expected.double(r["label"]), let w = Expected.double(r["weight"]) else { throw EmberError.internalError("row \(r)") }
            return [.int(id), .double(x), .double(x2), .double(l), .double(w), Vectors.dense([x2, x]).value]
        }
        return try spark.createDataFrame(values, schema: Schema([StructField("id", .int), StructField("x", .double), StructField("x2", .double),
                                                                 StructField("label", .double), StructField("weight", .double), StructField("v", .vector)]))
    }

    func tests(_ e: [String: Any]) throws -> DataFrame {
        let ts = Expected.doubles(e["tests"]) ?? []
        return try spark.createDataFrame(ts.enumerated().map { [.int(Int32($0.offset)), .double($0.element), .double($0.element), Vectors.dense([0, $0.element]).value] },
                                         schema: Schema([StructField("id", .int), StructField("x", .double), StructField("x2", .double), StructField("v", .vector)]))
    }

    func estimator(_ c: [String: Any]) -> IsotonicRegression {
        let p = c["params"] as? [String: Any] ?? [:]
        return IsotonicRegression(featuresCol: p["featuresCol"] as? String, weightCol: (c["weighted"] as? Bool) == true ? "weight" : nil,
                                  isotonic: p["isotonic"] as? Bool, featureIndex: (p["featureIndex"] as? NSNumber)?.intValue)
    }

    func predictions(_ df: DataFrame) throws -> [Double] {
        try df.orderBy("id").select("prediction").collect().map { r in
            guard case .double(let d) = r.values[0] else { throw EmberError.internalError("prediction \(r)") }
            return d
        }
    }

    func testMatchesSpark() throws {
        let e = try expected()
        let train = try training(e), test = try tests(e)
        for name in ["isotonic_weighted", "isotonic", "antitonic_weighted", "vector_index1", "antitonic_x2"] {
            guard let c = e[name] as? [String: Any] else { XCTFail("missing \(name)"); continue }
            let model = try estimator(c).fit(train)
            XCTAssertEqual(model.boundaries, Expected.doubles(c["boundaries"]) ?? [], name)
            nbAssertClose(model.predictions, Expected.doubles(c["predictions"]) ?? [], "\(name) predictions")
            nbAssertClose(try predictions(try model.transform(test)), Expected.doubles(c["transform"]) ?? [], "\(name) transform")
        }
    }

    func testPoolAdjacentViolators() throws {
        // Ties pooled first (weighted mean 2.0 at x = 1), then 3.0 > 2.5 violates and pools.
        let pts: [(Double, Double, Double)] = [(1, 0, 1), (1, 1, 1), (3, 1, 1), (3, 2, 1), (2, 3, 1), (5, 4, 2)]
        let pooled = IsotonicRegression.poolAdjacentViolators(IsotonicRegression.makeUnique(pts))
        XCTAssertEqual(pooled.map(\.0), [1, 2, 2.5, 2.5, 5])
        XCTAssertEqual(pooled.map(\.1), [0, 1, 2, 3, 4])
        XCTAssertEqual(pooled.map(\.2), [1, 2, 1, 1, 2])
        // Adjacent blocks of equal mean are merged (Spark merges on >=): one block, two ends.
        let flat = IsotonicRegression.poolAdjacentViolators([(1, 0, 1), (1, 1, 1), (1, 2, 1)])
        XCTAssertEqual(flat.map(\.1), [0, 2])
        XCTAssertEqual(flat.map(\.2), [1.5, 1.5])
        let b: [Double] = [0, 1, 3], p: [Double] = [1, 2, 6]
        b.withUnsafeBufferPointer { bb in
            p.withUnsafeBufferPointer { pp in
                XCTAssertEqual(IsotonicRegressionModel.predict(bb, pp, -1), 1)
                XCTAssertEqual(IsotonicRegressionModel.predict(bb, pp, 2), 4)
                XCTAssertEqual(IsotonicRegressionModel.predict(bb, pp, 3), 6)
                XCTAssertEqual(IsotonicRegressionModel.predict(bb, pp, 9), 6)
                // As java.util.Arrays.binarySearch: NaN sorts last.
                XCTAssertEqual(IsotonicRegressionModel.predict(bb, pp, .nan), 6)
            }
        }
    }

    func testSaveLoadRoundTrip() throws {
        let e = try expected()
        guard let c = e["vector_index1"] as? [String: Any] else { return XCTFail("vector_index1") }
        let model = try estimator(c).fit(try training(e))
        try model.save(dir + "/m")
        let loaded = try IsotonicRegressionModel.load(dir + "/m")
        XCTAssertEqual(loaded.boundaries, model.boundaries)
        XCTAssertEqual(loaded.predictions, model.predictions)
        XCTAssertEqual(try loaded.value(loaded.featureIndex), 1)
        XCTAssertEqual(try loaded.value(loaded.featuresCol), "v")
        let test = try tests(e)
        XCTAssertEqual(try predictions(try loaded.transform(test)), try predictions(try model.transform(test)))
    }

    func testBadParamsAndColumns() throws {
        let e = try expected()
        let train = try training(e)
        let neg = IsotonicRegression(featuresCol: "x", featureIndex: -1)
        XCTAssertThrowsError(try neg.fit(train)) { err in
            XCTAssertTrue("\(err)".contains("\(neg.uid) parameter featureIndex given invalid value -1: must be >= 0"), "\(err)")
        }
        XCTAssertThrowsError(try IsotonicRegression(featuresCol: "v", featureIndex: 2).fit(train)) { err in
            XCTAssertTrue("\(err)".contains("featureIndex 2 is out of range for a vector of size 2"), "\(err)")
        }
        let missing = IsotonicRegression(featuresCol: "nope")
        XCTAssertThrowsError(try missing.fit(train)) { err in
            XCTAssertTrue("\(err)".contains("\(missing.uid): column nope does not exist"), "\(err)")
        }
        XCTAssertThrowsError(try IsotonicRegression(featuresCol: "id").fit(train)) { err in
            XCTAssertTrue("\(err)".contains("The type of column id should be Double or Vector, but got INT"), "\(err)")
        }
        let negWeights = train.withColumn("weight", col("weight") - lit(1.0))
        XCTAssertThrowsError(try IsotonicRegression(featuresCol: "x", weightCol: "weight").fit(negWeights)) { err in
            XCTAssertTrue("\(err)".contains("Weights must be non-negative"), "\(err)")
        }
        let model = try IsotonicRegression(featuresCol: "x").fit(train)
        XCTAssertThrowsError(try model.transform(train.drop("x"))) { err in
            XCTAssertTrue("\(err)".contains("column x does not exist"), "\(err)")
        }
    }

    func testParamDocsMatchPySpark() throws {
        let explain = try Expected.load("nb")["iso_explain"] as? String ?? ""
        let ours = IsotonicRegression().explainParams()
        for name in ["isotonic", "featureIndex"] {
            let line = explain.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map { String($0).replacingOccurrences(of: "True", with: "true") }
            let mine = ours.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map(String.init)
            XCTAssertEqual(mine, line, name)
        }
    }
}
