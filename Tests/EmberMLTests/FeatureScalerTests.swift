import Ember
@testable import EmberML
import Foundation
import XCTest

/// StandardScaler, MinMaxScaler, MaxAbsScaler, Normalizer and Binarizer on vectors against
/// Apache Spark 4.1.1 (scripts/ml/expected_features.py → expected/features.json).
/// StandardScaler's statistics are sums over row ranges merged as Spark merges partitions;
/// with other range splits the last bits may differ, so they are compared to 1e-12 relative
/// (with 2 cores the ranges are Spark's local[2] partitions and the values agree exactly).
final class FeatureScalerTests: XCTestCase {
    func testStandardScalerMatchesSpark() throws {
        let v = try FeatureData.vectors()
        guard let m = try StandardScaler(inputCol: "v", outputCol: "o").fit(v) as? StandardScalerModel else { return XCTFail() }
        let exp = try FeatureData.expected("std_default") as? [String: Any]
        assertVectorsEqual(m.std, try FeatureData.vector(exp?["std"]), accuracy: 1e-12, "std")
        assertVectorsEqual(m.mean, try FeatureData.vector(exp?["mean"]), accuracy: 1e-12, "mean")
        try FeatureData.check(try FeatureData.rows(m.transform(v), ["id", "o"]), exp?["rows"], accuracy: 1e-12, "std default")
        let both = try StandardScaler(inputCol: "v", outputCol: "o", withMean: true, withStd: true).fit(v)
        try FeatureData.check(try FeatureData.rows(both.transform(v), ["id", "o"]), try FeatureData.expected("std_mean"), accuracy: 1e-12, "withMean")
        let meanOnly = try StandardScaler(inputCol: "v", outputCol: "o", withMean: true, withStd: false).fit(v)
        try FeatureData.check(try FeatureData.rows(meanOnly.transform(v), ["id", "o"]), try FeatureData.expected("std_mean_only"), accuracy: 1e-12, "mean only")
    }

    func testMinMaxAndMaxAbsScalersMatchSpark() throws {
        let v = try FeatureData.vectors()
        guard let m = try MinMaxScaler(inputCol: "v", outputCol: "o").fit(v) as? MinMaxScalerModel else { return XCTFail() }
        let exp = try FeatureData.expected("minmax_default") as? [String: Any]
        assertVectorsEqual(m.originalMin, try FeatureData.vector(exp?["originalMin"]), "originalMin")
        assertVectorsEqual(m.originalMax, try FeatureData.vector(exp?["originalMax"]), "originalMax")
        try FeatureData.check(try FeatureData.rows(m.transform(v), ["id", "o"]), exp?["rows"], "minmax")
        let pm1 = try MinMaxScaler(inputCol: "v", outputCol: "o", min: -1, max: 1).fit(v)
        try FeatureData.check(try FeatureData.rows(pm1.transform(v), ["id", "o"]), try FeatureData.expected("minmax_pm1"), "minmax [-1, 1]")
        guard let a = try MaxAbsScaler(inputCol: "v", outputCol: "o").fit(v) as? MaxAbsScalerModel else { return XCTFail() }
        let ea = try FeatureData.expected("maxabs") as? [String: Any]
        assertVectorsEqual(a.maxAbs, try FeatureData.vector(ea?["maxAbs"]), "maxAbs")
        try FeatureData.check(try FeatureData.rows(a.transform(v), ["id", "o"]), ea?["rows"], "maxabs")
    }

    func testNormalizerAndBinarizerOnVectorsMatchSpark() throws {
        let v = try FeatureData.vectors()
        for (p, key) in [(2.0, "normalizer_2.0"), (1.0, "normalizer_1.0"), (Double.infinity, "normalizer_inf")] {
            try FeatureData.check(try FeatureData.rows(Normalizer(inputCol: "v", outputCol: "o", p: p).transform(v), ["id", "o"]), try FeatureData.expected(key), key)
        }
        try FeatureData.check(try FeatureData.rows(Binarizer(inputCol: "v", outputCol: "o", threshold: 0.5).transform(v), ["id", "o"]),
                              try FeatureData.expected("binarizer_vec"), "binarizer 0.5")
        try FeatureData.check(try FeatureData.rows(Binarizer(inputCol: "v", outputCol: "o", threshold: -1).transform(v), ["id", "o"]),
                              try FeatureData.expected("binarizer_vec_neg"), "binarizer -1")
    }

    func testScalerErrors() throws {
        let v = try FeatureData.vectors(), n = try FeatureData.numeric()
        FeatureData.assertThrows("column x must be of type vector") { _ = try StandardScaler(inputCol: "x", outputCol: "o").fit(n) }
        FeatureData.assertThrows("column nope does not exist") { _ = try StandardScaler(inputCol: "nope", outputCol: "o").fit(v) }
        let std = StandardScaler(inputCol: "v", outputCol: "o")
        FeatureData.assertThrows("parameter withMean expects a boolean") { try std.set(name: "withMean", json: "yes") }
        FeatureData.assertThrows("The specified min(1.0) is larger or equal to max(1.0)") { _ = try MinMaxScaler(inputCol: "v", outputCol: "o", min: 1, max: 1).fit(v) }
        FeatureData.assertThrows("column x must be of type vector") { _ = try MinMaxScaler(inputCol: "x", outputCol: "o").fit(n) }
        FeatureData.assertThrows("column x must be of type vector") { _ = try MaxAbsScaler(inputCol: "x", outputCol: "o").fit(n) }
        FeatureData.assertThrows("output column v already exists") { _ = try MaxAbsScaler(inputCol: "v", outputCol: "v").fit(v) }
        FeatureData.assertThrows("parameter p given invalid value 0.5: must be >= 1") { _ = try Normalizer(inputCol: "v", outputCol: "o", p: 0.5).transform(v) }
        FeatureData.assertThrows("column x must be of type vector") { _ = try Normalizer(inputCol: "x", outputCol: "o").transform(n) }
        // A model applied to vectors of another size.
        let m = try StandardScaler(inputCol: "v", outputCol: "o").fit(v)
        let short = try FeatureData.spark.createDataFrame([[.int(1), Vectors.dense([1.0]).value]], schema: Schema([StructField("id", .int), StructField("v", .vector)]))
        FeatureData.assertThrows("vector size 1 does not match the 4 features") { _ = try m.transform(short).collect() }
    }
}
