import Ember
@testable import EmberML
import Foundation
import XCTest

/// StringIndexer, IndexToString and OneHotEncoder against Apache Spark 4.1.1
/// (scripts/ml/expected_features.py → expected/features.json). Error texts are Spark's
/// (as its logs print them).
final class FeatureEncoderTests: XCTestCase {
    func testStringIndexerOrdersMatchSpark() throws {
        let cat = try FeatureData.cat(), test = try FeatureData.catTest()
        for order in ["frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"] {
            let exp = try FeatureData.expected("si_" + order) as? [String: Any]
            let m = try StringIndexer(inputCol: "cat", outputCol: "idx", stringOrderType: order, handleInvalid: "keep").fit(cat)
            guard let model = m as? StringIndexerModel else { return XCTFail("not a StringIndexerModel") }
            XCTAssertEqual(model.labels, exp?["labels"] as? [String], order)
            try FeatureData.check(try FeatureData.rows(model.transform(cat), ["id", "idx"]), exp?["train"], order)
            try FeatureData.check(try FeatureData.rows(model.transform(test), ["id", "idx"]), exp?["test"], order)
        }
        let skip = try StringIndexer(inputCol: "cat", outputCol: "idx", handleInvalid: "skip").fit(cat)
        try FeatureData.check(try FeatureData.rows(skip.transform(test), ["id", "idx"]), try FeatureData.expected("si_skip"), "skip")
    }

    func testStringIndexerMultipleAndNumericColumns() throws {
        let cat = try FeatureData.cat()
        let m = try StringIndexer(inputCols: ["cat", "num", "n"], outputCols: ["i1", "i2", "i3"], handleInvalid: "keep").fit(cat)
        let exp = try FeatureData.expected("si_multi") as? [String: Any]
        XCTAssertEqual((m as? StringIndexerModel)?.labelsArray, exp?["labelsArray"] as? [[String]])
        try FeatureData.check(try FeatureData.rows(m.transform(cat), ["id", "i1", "i2", "i3"]), exp?["train"], "multi")
        XCTAssertEqual(try m.transform(cat).schema().fields.first { $0.name == "i1" }?.dataType, .double)
    }

    func testStringIndexerErrors() throws {
        let cat = try FeatureData.cat(), test = try FeatureData.catTest()
        guard let m = try StringIndexer(inputCol: "cat", outputCol: "idx").fit(cat) as? StringIndexerModel else { return XCTFail() }
        FeatureData.assertThrows("Unseen label: e. To handle unseen labels, set Param handleInvalid to keep.") {
            _ = try m.transform(test.filter(col("id") === 1)).collect()
        }
        FeatureData.assertThrows("StringIndexer encountered NULL value. To handle or skip NULLS, try setting StringIndexer.handleInvalid.") {
            _ = try m.transform(test.filter(col("id") === 2)).collect()
        }
        FeatureData.assertThrows("stringOrderType given invalid value byCount") {
            _ = try StringIndexer(inputCol: "cat", outputCol: "idx", stringOrderType: "byCount").fit(cat)
        }
        FeatureData.assertThrows("handleInvalid given invalid value drop") {
            _ = try StringIndexer(inputCol: "cat", outputCol: "idx", handleInvalid: "drop").fit(cat)
        }
        FeatureData.assertThrows("column nope does not exist") { _ = try StringIndexer(inputCol: "nope", outputCol: "idx").fit(cat) }
        let vectors = try FeatureData.vectors()
        FeatureData.assertThrows("The input column v must be either string type or numeric type") {
            _ = try StringIndexer(inputCol: "v", outputCol: "idx").fit(vectors)
        }
        FeatureData.assertThrows("outputCols has 1 columns but inputCols has 2") {
            _ = try StringIndexer(inputCols: ["cat", "num"], outputCols: ["a"]).fit(cat)
        }
        FeatureData.assertThrows("output column num already exists") { _ = try m.copy(extra: ParamMap().put(m.outputCol, "num")).transform(cat) }
    }

    func testIndexToString() throws {
        let df = try FeatureData.spark.createDataFrame([[.int(0), .double(0)], [.int(1), .double(2)], [.int(2), .double(1)]], schema: "id INT, idx DOUBLE")
        let its = IndexToString(inputCol: "idx", outputCol: "s", labels: ["x", "y", "z"])
        try FeatureData.check(try FeatureData.rows(its.transform(df), ["id", "s"]), try FeatureData.expected("its"), "its")
        let bad = try FeatureData.spark.createDataFrame([[.int(0), .double(3)]], schema: "id INT, idx DOUBLE")
        FeatureData.assertThrows("Unseen index: 3 ??") { _ = try its.transform(bad).collect() }
        FeatureData.assertThrows("labels is not set") { _ = try IndexToString(inputCol: "idx", outputCol: "s", labels: []).transform(df) }
        FeatureData.assertThrows("column nope does not exist") { _ = try IndexToString(inputCol: "nope", outputCol: "s", labels: ["a"]).transform(df) }
        // Round trip through a fitted StringIndexerModel.
        let cat = try FeatureData.cat()
        guard let m = try StringIndexer(inputCol: "cat", outputCol: "idx", handleInvalid: "skip").fit(cat) as? StringIndexerModel else { return XCTFail() }
        let back = try IndexToString(inputCol: "idx", outputCol: "back", model: m).transform(m.transform(cat))
        for r in try back.select("cat", "back").collect() { XCTAssertEqual(r.values[0], r.values[1]) }
    }

    func testOneHotEncoderMatchesSpark() throws {
        let df = try FeatureData.ohe(), test = try FeatureData.oheTest()
        for (name, drop, hi) in [("default", true, "error"), ("nodrop", false, "error"), ("keep", true, "keep"), ("keep_nodrop", false, "keep")] {
            let exp = try FeatureData.expected("ohe_" + name) as? [String: Any]
            let m = try OneHotEncoder(inputCols: ["a", "b"], outputCols: ["va", "vb"], dropLast: drop, handleInvalid: hi).fit(df)
            XCTAssertEqual((m as? OneHotEncoderModel)?.categorySizes, exp?["categorySizes"] as? [Int], name)
            try FeatureData.check(try FeatureData.rows(m.transform(df), ["id", "va", "vb"]), exp?["train"], name)
            if hi == "keep" { try FeatureData.check(try FeatureData.rows(m.transform(test), ["id", "va", "vb"]), exp?["test"], name + " test") }
        }
        let single = try OneHotEncoder(inputCol: "a", outputCol: "va").fit(df)
        try FeatureData.check(try FeatureData.rows(single.transform(df), ["id", "va"]), try FeatureData.expected("ohe_single"), "single")
    }

    func testOneHotEncoderErrors() throws {
        let df = try FeatureData.ohe(), test = try FeatureData.oheTest()
        guard let m = try OneHotEncoder(inputCols: ["a"], outputCols: ["va"]).fit(df) as? OneHotEncoderModel else { return XCTFail() }
        FeatureData.assertThrows("Unseen value: 3.0. To handle unseen values, set Param handleInvalid to keep.") {
            _ = try m.transform(test.filter(col("id") === 1)).collect()
        }
        let negative = try FeatureData.spark.createDataFrame([[.int(0), .double(-1)]], schema: "id INT, a DOUBLE")
        FeatureData.assertThrows("Values from column a must be indices, but got -1.0.") { _ = try OneHotEncoder(inputCols: ["a"], outputCols: ["va"]).fit(negative) }
        FeatureData.assertThrows("Negative value: -1.0. Input can't be negative.") { _ = try m.transform(negative).collect() }
        FeatureData.assertThrows("handleInvalid given invalid value skip") {
            _ = try OneHotEncoder(inputCols: ["a"], outputCols: ["va"], handleInvalid: "skip").fit(df)
        }
        FeatureData.assertThrows("column c does not exist") { _ = try OneHotEncoder(inputCols: ["c"], outputCols: ["vc"]).fit(df) }
        let strings = try FeatureData.catTest()
        FeatureData.assertThrows("column cat must be of type numeric") { _ = try OneHotEncoder(inputCols: ["cat"], outputCols: ["v"]).fit(strings) }
        FeatureData.assertThrows("must be the same as the number of features 1") {
            _ = try m.copy(extra: ParamMap().put(m.inputCols, ["a", "b"]).put(m.outputCols, ["x", "y"])).transform(df)
        }
    }
}
