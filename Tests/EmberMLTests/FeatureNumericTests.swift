import Ember
@testable import EmberML
import Foundation
import XCTest

/// Bucketizer, QuantileDiscretizer, Imputer, Binarizer on numbers and SQLTransformer
/// against Apache Spark 4.1.1 (scripts/ml/expected_features.py → expected/features.json).
final class FeatureNumericTests: XCTestCase {
    let splits = [-Double.infinity, 0, 1, 2, .infinity]

    func testBucketizerMatchesSpark() throws {
        let n = try FeatureData.numeric()
        try FeatureData.check(try FeatureData.rows(Bucketizer(inputCol: "x", outputCol: "b", splits: splits, handleInvalid: "keep").transform(n), ["id", "b"]),
                              try FeatureData.expected("bucket_keep"), "keep")
        try FeatureData.check(try FeatureData.rows(Bucketizer(inputCol: "x", outputCol: "b", splits: splits, handleInvalid: "skip").transform(n), ["id", "b"]),
                              try FeatureData.expected("bucket_skip"), "skip")
        let multi = Bucketizer(inputCols: ["x", "y"], outputCols: ["bx", "by"], splitsArray: [splits, [0, 2, 4]], handleInvalid: "keep")
        try FeatureData.check(try FeatureData.rows(multi.transform(n), ["id", "bx", "by"]), try FeatureData.expected("bucket_multi"), "multi")
    }

    func testBucketizerErrors() throws {
        let n = try FeatureData.numeric()
        FeatureData.assertThrows("Bucketizer encountered NaN value. To handle or skip NaNs, try setting Bucketizer.handleInvalid.") {
            _ = try Bucketizer(inputCol: "x", outputCol: "b", splits: splits).transform(n).collect()
        }
        FeatureData.assertThrows("Feature value -1.0 out of Bucketizer bounds [0.0, 2.0].  Check your features, or loosen the lower/upper bound constraints.") {
            _ = try Bucketizer(inputCol: "x", outputCol: "b", splits: [0, 1, 2], handleInvalid: "keep").transform(n.filter(col("id") === 1)).collect()
        }
        FeatureData.assertThrows("parameter splits given invalid value [0.0, 2.0, 1.0]") {
            _ = try Bucketizer(inputCol: "x", outputCol: "b", splits: [0, 2, 1]).transform(n)
        }
        FeatureData.assertThrows("parameter splits given invalid value [0.0, 1.0]") { _ = try Bucketizer(inputCol: "x", outputCol: "b", splits: [0, 1]).transform(n) }
        FeatureData.assertThrows("column nope does not exist") { _ = try Bucketizer(inputCol: "nope", outputCol: "b", splits: splits).transform(n) }
        let v = try FeatureData.vectors()
        FeatureData.assertThrows("column v must be of type numeric") { _ = try Bucketizer(inputCol: "v", outputCol: "b", splits: splits).transform(v) }
    }

    func testQuantileDiscretizerMatchesSpark() throws {
        let n = try FeatureData.numeric()
        for nb in [2, 3, 4] {
            let exp = try FeatureData.expected("qd_\(nb)") as? [String: Any]
            guard let b = try QuantileDiscretizer(inputCol: "x", outputCol: "q", numBuckets: nb, handleInvalid: "keep").fit(n) as? Bucketizer else { return XCTFail() }
            XCTAssertEqual(b.get(b.splits), FeatureData.doubles(exp?["splits"]), "splits \(nb)")
            try FeatureData.check(try FeatureData.rows(b.transform(n), ["id", "q"]), exp?["rows"], "qd \(nb)")
        }
        let multi = QuantileDiscretizer(inputCols: ["x", "k"], outputCols: ["qx", "qk"], numBucketsArray: [3, 2], handleInvalid: "skip")
        guard let mb = try multi.fit(n) as? Bucketizer else { return XCTFail() }
        let exp = try FeatureData.expected("qd_multi") as? [String: Any]
        XCTAssertEqual(mb.get(mb.splitsArray), (exp?["splitsArray"] as? [Any])?.compactMap(FeatureData.doubles))
        try FeatureData.check(try FeatureData.rows(mb.transform(n), ["id", "qx", "qk"]), exp?["rows"], "qd multi")
    }

    /// 1000 values: Spark's summary compresses, and its splits are approximate (within
    /// relativeError·n = 1 rank of the exact ones, which Ember returns).
    func testQuantileDiscretizerLargeInputIsWithinSparksError() throws {
        let big = try FeatureData.spark.range(1000).select(col("id").cast(.int).alias("id"), ((col("id") * 37) % 1000).cast(.double).alias("x"))
        guard let b = try QuantileDiscretizer(inputCol: "x", outputCol: "q", numBuckets: 4).fit(big) as? Bucketizer,
              let s = b.get(b.splits), let spark = FeatureData.doubles(try FeatureData.expected("qd_big_splits")) else { return XCTFail() }
        XCTAssertEqual(s, [-.infinity, 249, 499, 749, .infinity])
        XCTAssertEqual(spark.count, s.count)
        for (a, e) in zip(s, spark) where a.isFinite { XCTAssertLessThanOrEqual(abs(a - e), 0.001 * 1000 + 1) }
    }

    func testQuantileDiscretizerErrors() throws {
        let n = try FeatureData.numeric()
        FeatureData.assertThrows("parameter numBuckets given invalid value 1: must be >= 2") { _ = try QuantileDiscretizer(inputCol: "x", outputCol: "q", numBuckets: 1).fit(n) }
        let q = QuantileDiscretizer(inputCol: "x", outputCol: "q")
        q.set(q.relativeError, 2)
        FeatureData.assertThrows("parameter relativeError given invalid value 2.0") { _ = try q.fit(n) }
        FeatureData.assertThrows("column nope does not exist") { _ = try QuantileDiscretizer(inputCol: "nope", outputCol: "q").fit(n) }
        FeatureData.assertThrows("no non-NULL, non-NaN values") { _ = try QuantileDiscretizer(inputCol: "x", outputCol: "q").fit(n.filter(col("id") > 7 && col("id") < 10)) }
        FeatureData.assertThrows("Bucketizer encountered NaN value") { _ = try QuantileDiscretizer(inputCol: "x", outputCol: "q").fit(n).transform(n).collect() }
    }

    func testImputerMatchesSpark() throws {
        let n = try FeatureData.numeric()
        for s in ["mean", "median", "mode"] {
            let exp = try FeatureData.expected("imp_" + s) as? [String: Any]
            guard let m = try Imputer(inputCols: ["x", "y", "k"], outputCols: ["ox", "oy", "ok"], strategy: s).fit(n) as? ImputerModel else { return XCTFail() }
            XCTAssertEqual(m.surrogates, FeatureData.doubles(exp?["surrogates"]), s)
            let out = try m.transform(n)
            XCTAssertEqual(try out.schema().fields.first { $0.name == "ok" }?.dataType, .int)
            try FeatureData.check(try FeatureData.rows(out, ["id", "ox", "oy", "ok"]), exp?["rows"], s)
        }
        let exp = try FeatureData.expected("imp_missing4") as? [String: Any]
        guard let m4 = try Imputer(inputCol: "y", outputCol: "oy", missingValue: 4).fit(n) as? ImputerModel else { return XCTFail() }
        XCTAssertEqual(m4.surrogates, [FeatureData.double(exp?["surrogate"]) ?? -1])
        try FeatureData.check(try FeatureData.rows(m4.transform(n), ["id", "oy"]), exp?["rows"], "missingValue 4")
    }

    func testImputerErrors() throws {
        let n = try FeatureData.numeric()
        FeatureData.assertThrows("surrogate cannot be computed. All the values in x are Null, Nan or missingValue(NaN)") {
            _ = try Imputer(inputCols: ["x"], outputCols: ["o"]).fit(n.filter(col("id") === 8 || col("id") === 9))
        }
        FeatureData.assertThrows("parameter strategy given invalid value avg") { _ = try Imputer(inputCols: ["x"], outputCols: ["o"], strategy: "avg").fit(n) }
        FeatureData.assertThrows("column nope does not exist") { _ = try Imputer(inputCols: ["nope"], outputCols: ["o"]).fit(n) }
        let cat = try FeatureData.cat()
        FeatureData.assertThrows("column cat must be of type numeric") { _ = try Imputer(inputCols: ["cat"], outputCols: ["o"]).fit(cat) }
        guard let m = try Imputer(inputCols: ["x"], outputCols: ["o"]).fit(n) as? ImputerModel else { return XCTFail() }
        FeatureData.assertThrows("has no surrogate for column y") { _ = try m.copy(extra: ParamMap().put(m.inputCols, ["y"])).transform(n) }
    }

    func testBinarizerOnNumbersMatchesSpark() throws {
        let n = try FeatureData.numeric()
        try FeatureData.check(try FeatureData.rows(Binarizer(inputCol: "x", outputCol: "o", threshold: 1).transform(n), ["id", "o"]),
                              try FeatureData.expected("binarizer_double"), "double")
        try FeatureData.check(try FeatureData.rows(Binarizer(inputCols: ["x", "y"], outputCols: ["ox", "oy"], thresholds: [0.5, 2]).transform(n), ["id", "ox", "oy"]),
                              try FeatureData.expected("binarizer_multi"), "multi")
        FeatureData.assertThrows("thresholds has 1 values but inputCols has 2") {
            _ = try Binarizer(inputCols: ["x", "y"], outputCols: ["ox", "oy"], thresholds: [0.5]).transform(n)
        }
        let cat = try FeatureData.cat()
        FeatureData.assertThrows("Data type STRING of column cat is not supported.") { _ = try Binarizer(inputCol: "cat", outputCol: "o").transform(cat) }
        FeatureData.assertThrows("parameter threshold expects a double") { try Binarizer(inputCol: "x", outputCol: "o").set(name: "threshold", json: "high") }
    }

    func testSQLTransformerMatchesSpark() throws {
        let n = try FeatureData.numeric()
        let t = SQLTransformer(statement: "SELECT id, x + y AS s, k * 2 AS k2 FROM __THIS__ WHERE id > 3")
        let views = try n.session.sql("SHOW TABLES").count()
        let out = try t.transform(n)
        // The temporary view of the input is gone (as Spark drops it), and the result still runs.
        XCTAssertEqual(try n.session.sql("SHOW TABLES").count(), views)
        try FeatureData.check(try FeatureData.rows(out, ["id", "s", "k2"]), try FeatureData.expected("sql"), "sql")
        XCTAssertEqual(try t.transformSchema(try n.schema()).names, ["id", "s", "k2"])
        FeatureData.assertThrows("statement is not set") { _ = try SQLTransformer().transform(n) }
        FeatureData.assertThrows("must refer to the input as __THIS__") { _ = try SQLTransformer(statement: "SELECT 1").transform(n) }
        FeatureData.assertThrows("nope") { _ = try SQLTransformer(statement: "SELECT nope FROM __THIS__").transform(n) }
    }
}
