import Ember
@testable import EmberML
import Foundation
import XCTest

/// PolynomialExpansion, ElementwiseProduct, VectorSlicer, Interaction,
/// VarianceThresholdSelector and ChiSqSelector against Apache Spark 4.1.1
/// (scripts/ml/expected_features.py → expected/features.json).
final class FeatureVectorTests: XCTestCase {
    func testPolynomialExpansionMatchesSpark() throws {
        let v = try FeatureData.vectors()
        for d in [2, 3] {
            try FeatureData.check(try FeatureData.rows(PolynomialExpansion(inputCol: "v", outputCol: "o", degree: d).transform(v), ["id", "o"]),
                                  try FeatureData.expected("poly\(d)"), "degree \(d)")
        }
        FeatureData.assertThrows("parameter degree given invalid value 0: must be >= 1") { _ = try PolynomialExpansion(inputCol: "v", outputCol: "o", degree: 0).transform(v) }
        FeatureData.assertThrows("column id must be of type vector") { _ = try PolynomialExpansion(inputCol: "id", outputCol: "o").transform(v) }
    }

    func testElementwiseProductAndSlicerMatchSpark() throws {
        let v = try FeatureData.vectors()
        let ewp = ElementwiseProduct(inputCol: "v", outputCol: "o", scalingVec: Vectors.dense([2, 0, -1, 0.5]))
        try FeatureData.check(try FeatureData.rows(ewp.transform(v), ["id", "o"]), try FeatureData.expected("ewp"), "ewp")
        try FeatureData.check(try FeatureData.rows(VectorSlicer(inputCol: "v", outputCol: "o", indices: [3, 0]).transform(v), ["id", "o"]),
                              try FeatureData.expected("slicer"), "slicer")
        FeatureData.assertThrows("scalingVec is not set") { _ = try ElementwiseProduct().transform(v) }
        FeatureData.assertThrows("vector size 4 does not match the 2 features") {
            _ = try ElementwiseProduct(inputCol: "v", outputCol: "o", scalingVec: Vectors.dense([1, 2])).transform(v).collect()
        }
        FeatureData.assertThrows("parameter indices given invalid value [1, 1]") { _ = try VectorSlicer(inputCol: "v", outputCol: "o", indices: [1, 1]).transform(v) }
        FeatureData.assertThrows("out of bounds for a vector of size 4") { _ = try VectorSlicer(inputCol: "v", outputCol: "o", indices: [4]).transform(v).collect() }
        FeatureData.assertThrows("column nope does not exist") { _ = try VectorSlicer(inputCol: "nope", outputCol: "o", indices: [0]).transform(v) }
    }

    func testInteractionMatchesSpark() throws {
        let rows: [[Value]] = [
            [.int(1), .double(2), Vectors.dense([1, 0, 3]).value, Vectors.dense([4, 5]).value],
            [.int(2), .double(0), Vectors.dense([1, 2, 3]).value, Vectors.dense([1, 1]).value],
            [.int(3), .double(-1), try Vectors.sparse(3, [1], [2]).value, try Vectors.sparse(2, [1], [2]).value],
        ]
        let df = try FeatureData.spark.createDataFrame(rows, schema: Schema([StructField("id", .int), StructField("s", .double), StructField("v1", .vector), StructField("v2", .vector)]))
        try FeatureData.check(try FeatureData.rows(Interaction(inputCols: ["s", "v1", "v2"], outputCol: "o").transform(df), ["id", "o"]),
                              try FeatureData.expected("interaction"), "interaction")
        FeatureData.assertThrows("inputCols must not be empty") { _ = try Interaction(inputCols: [], outputCol: "o").transform(df) }
        let cat = try FeatureData.catTest()
        FeatureData.assertThrows("Data type STRING of column cat is not supported.") { _ = try Interaction(inputCols: ["id", "cat"], outputCol: "o").transform(cat) }
    }

    func chiFrame() throws -> DataFrame {
        let rows: [(Int32, [Double], Double)] = [
            (1, [0, 0, 18, 1], 1), (2, [0, 1, 12, 0], 0), (3, [1, 0, 15, 0.1], 0),
            (4, [1, 1, 18, 0], 1), (5, [0, 1, 12, 1], 1), (6, [1, 0, 15, 0.1], 0),
        ]
        return try FeatureData.spark.createDataFrame(rows.map { [.int($0.0), Vectors.dense($0.1).value, .double($0.2)] },
                                                     schema: Schema([StructField("id", .int), StructField("features", .vector), StructField("label", .double)]))
    }

    func testSelectorsMatchSpark() throws {
        let v = try FeatureData.vectors()
        guard let m = try VarianceThresholdSelector(featuresCol: "v", outputCol: "o", varianceThreshold: 5).fit(v) as? VarianceThresholdSelectorModel else { return XCTFail() }
        let exp = try FeatureData.expected("vts") as? [String: Any]
        XCTAssertEqual(m.selectedFeatures, exp?["selected"] as? [Int])
        try FeatureData.check(try FeatureData.rows(m.transform(v), ["id", "o"]), exp?["rows"], "vts")
        let chi = try chiFrame()
        for k in [1, 2] {
            guard let c = try ChiSqSelector(numTopFeatures: k, outputCol: "o").fit(chi) as? ChiSqSelectorModel else { return XCTFail() }
            let e = try FeatureData.expected("chisq_\(k)") as? [String: Any]
            XCTAssertEqual(c.selectedFeatures, e?["selected"] as? [Int], "k \(k)")
            try FeatureData.check(try FeatureData.rows(c.transform(chi), ["id", "o"]), e?["rows"], "chisq \(k)")
        }
        // Every selector type (Spark 4.1.1's choices on a wider table).
        let wide = try XCTUnwrap(try FeatureData.expected("chi_wide_rows") as? [[Any]])
        let wideRows: [[Value]] = wide.map { r in
            [.int(Int32((r[0] as? NSNumber)?.intValue ?? -1)), Vectors.dense(Expected.doubles(r[1]) ?? []).value, .double(Expected.double(r[2]) ?? .nan)]
        }
        let wideDF = try TestSession.spark.createDataFrame(wideRows, schema: Schema([StructField("id", .int), StructField("features", .vector), StructField("label", .double)]))
        for (type, param, value) in [("numTopFeatures", "numTopFeatures", 3.0), ("percentile", "percentile", 0.5), ("fpr", "fpr", 0.2),
                                     ("fdr", "fdr", 0.3), ("fwe", "fwe", 0.3)] {
            let sel = ChiSqSelector()
            sel.set(sel.selectorType, type).set(sel.outputCol, "o")
            try sel.set(name: param, json: param == "numTopFeatures" ? Int(value) as Any : value as Any)
            let m = try XCTUnwrap(try sel.fit(wideDF) as? ChiSqSelectorModel)
            XCTAssertEqual(m.selectedFeatures, try FeatureData.expected("chisq_type_" + type) as? [Int], type)
        }
        // P(1, x) = 1 − e^(−x): the chi-squared CDF with 2 degrees of freedom.
        XCTAssertEqual(ChiSqSelector.regularizedGammaP(1, 0.5), 1 - Foundation.exp(-0.5), accuracy: 1e-15)
        XCTAssertEqual(ChiSqSelector.regularizedGammaP(1, 7), 1 - Foundation.exp(-7), accuracy: 1e-15)
    }

    func testVectorIndexerMatchesSpark() throws {
        let chi = try chiFrame()
        guard let m = try VectorIndexer(inputCol: "features", outputCol: "o", maxCategories: 2, handleInvalid: "keep").fit(chi) as? VectorIndexerModel else { return XCTFail() }
        let exp = try FeatureData.expected("vindexer") as? [String: Any]
        let maps = (exp?["categoryMaps"] as? [String: [String: Int]]) ?? [:]
        XCTAssertEqual(m.categoryMaps, Dictionary(uniqueKeysWithValues: maps.map { (Int($0.key) ?? -1, Dictionary(uniqueKeysWithValues: $0.value.map { (Double($0.key) ?? .nan, $0.value) })) }))
        try FeatureData.check(try FeatureData.rows(m.transform(chi), ["id", "o"]), exp?["rows"], "vindexer")
        // Categories 12, 15, 18 of feature 2 become 0, 1, 2 (0, 0.1, 1 of feature 3); an unseen value is kept, skipped or an error.
        guard let m3 = try VectorIndexer(inputCol: "features", outputCol: "o", maxCategories: 3).fit(chi) as? VectorIndexerModel else { return XCTFail() }
        XCTAssertEqual(m3.categoryMaps[2], [12: 0, 15: 1, 18: 2])
        XCTAssertEqual(m3.categoryMaps[3], [0: 0, 0.1: 1, 1: 2])
        XCTAssertEqual(m3.categoryMaps[1], [0: 0, 1: 1])
        let unseen = try FeatureData.spark.createDataFrame([[.int(1), Vectors.dense([0, 1, 13, 0.5]).value], [.int(2), Vectors.dense([1, 0, 15, 0.1]).value]],
                                                           schema: Schema([StructField("id", .int), StructField("features", .vector)]))
        FeatureData.assertThrows("VectorIndexer encountered invalid value 13.0 on feature index 2.") { _ = try m3.transform(unseen).collect() }
        let kept = try FeatureData.rows(m3.copy(extra: ParamMap().put(m3.handleInvalid, "keep")).transform(unseen), ["id", "o"])
        XCTAssertEqual(try kept.map { try Vector(value: $0[1]) }, [Vectors.dense([0, 1, 3, 3]), Vectors.dense([1, 0, 1, 1])])
        let skipped = try FeatureData.rows(m3.copy(extra: ParamMap().put(m3.handleInvalid, "skip")).transform(unseen), ["id", "o"])
        XCTAssertEqual(skipped.map { $0[0] }, [.int(2)])
        FeatureData.assertThrows("parameter maxCategories given invalid value 1: must be >= 2") { _ = try VectorIndexer(inputCol: "features", outputCol: "o", maxCategories: 1).fit(chi) }
        FeatureData.assertThrows("column label must be of type vector") { _ = try VectorIndexer(inputCol: "label", outputCol: "o").fit(chi) }
        let dir = try temporaryDirectory("vindexer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try m3.save(dir + "/m")
        guard let loaded = try MLReader.load(dir + "/m") as? VectorIndexerModel else { return XCTFail() }
        XCTAssertEqual(loaded.categoryMaps, m3.categoryMaps)
        XCTAssertEqual(loaded.numFeatures, 4)
    }

    func testSelectorErrorsAndPersistence() throws {
        let v = try FeatureData.vectors(), chi = try chiFrame()
        FeatureData.assertThrows("parameter varianceThreshold given invalid value -1.0") { _ = try VarianceThresholdSelector(featuresCol: "v", outputCol: "o", varianceThreshold: -1).fit(v) }
        FeatureData.assertThrows("column id must be of type vector") { _ = try VarianceThresholdSelector(featuresCol: "id", outputCol: "o").fit(v) }
        FeatureData.assertThrows("parameter numTopFeatures given invalid value 0") { _ = try ChiSqSelector(numTopFeatures: 0, outputCol: "o").fit(chi) }
        FeatureData.assertThrows("column label does not exist") { _ = try ChiSqSelector(numTopFeatures: 1, outputCol: "o").fit(v.withColumnRenamed("v", "features")) }
        let dir = try temporaryDirectory("selector")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try ChiSqSelector(numTopFeatures: 2, outputCol: "o").fit(chi)
        try m.save(dir + "/chi")
        guard let loaded = try MLReader.load(dir + "/chi") as? ChiSqSelectorModel else { return XCTFail() }
        XCTAssertEqual(loaded.selectedFeatures, [2, 3])
        XCTAssertEqual(try FeatureData.rows(loaded.transform(chi), ["id", "o"]), try FeatureData.rows(m.transform(chi), ["id", "o"]))
        let p = PolynomialExpansion(inputCol: "v", outputCol: "o", degree: 3)
        try p.save(dir + "/poly")
        guard let lp = try MLReader.load(dir + "/poly") as? PolynomialExpansion else { return XCTFail() }
        XCTAssertEqual(lp.get(lp.degree), 3)
    }
}
