import Ember
@testable import EmberML
import Foundation
import XCTest

/// Column metadata: StringIndexer and VectorIndexer describe their outputs, VectorAssembler
/// gathers the descriptions, and they survive projections, filters and caching.
final class MLAttributesTests: XCTestCase {
    func testCategoricalFeaturesFlowFromIndexersThroughAssembler() throws {
        let spark = TestSession.spark
        let df = try spark.createDataFrame([[.string("a"), .double(1), Vectors.dense([0, 5]).value], [.string("b"), .double(2), Vectors.dense([1, 6]).value],
                                            [.string("a"), .double(3), Vectors.dense([2, 7]).value], [.string("c"), .double(4), Vectors.dense([0, 8]).value]],
                                           schema: Schema([StructField("s", .string), StructField("x", .double), StructField("v", .vector)]))
        let indexed = try StringIndexer(inputCol: "s", outputCol: "s_idx").fit(df).transform(df)
        let vi = VectorIndexer()
        vi.set(vi.inputCol, "v").set(vi.outputCol, "v_idx").set(vi.maxCategories, 3)
        let both = try vi.fit(indexed).transform(indexed)
        let sField = try both.schema().fields.first { $0.name == "s_idx" }
        XCTAssertEqual(sField.flatMap { MLAttributes.features($0) }.map { $0.map { "\($0)" } }, ["nominal(values: 3)"])
        let vField = try both.schema().fields.first { $0.name == "v_idx" }
        XCTAssertEqual(vField.map(MLAttributes.categoricalFeatures), [0: 3])

        let assembled = try VectorAssembler(inputCols: ["x", "s_idx", "v_idx"], outputCol: "features").transform(both)
        let later = try assembled.select("features", "x").filter(col("x") > 1).cache()
        let field = try XCTUnwrap(later.schema().fields.first { $0.name == "features" })
        XCTAssertEqual(MLAttributes.categoricalFeatures(field), [1: 3, 2: 3])
        XCTAssertEqual(MLAttributes.features(field)?.count, 4)
        // A renamed column keeps its attributes.
        let renamed = try XCTUnwrap(assembled.select(col("features").alias("f")).schema().fields.first)
        XCTAssertEqual(MLAttributes.categoricalFeatures(renamed), [1: 3, 2: 3])
        // Metadata is not part of a field's identity.
        XCTAssertEqual(field, StructField("features", .vector, nullable: false))
    }
}

extension MLAttributesTests {
    /// A StringIndexer column assembled into the features makes a tree split on it as a
    /// category (`feature 1 in {…}`), as Spark's trees read the attribute metadata.
    func testTreesSplitIndexedStringsAsCategories() throws {
        let spark = TestSession.spark
        var rows: [[Value]] = []
        for i in 0..<120 {
            let cat = ["red", "green", "blue", "white"][i % 4]
            let label: Double = (cat == "red" || cat == "white") ? 1 : 0
            rows.append([.double(Double(i % 7)), .string(cat), .double(label)])
        }
        let df = try spark.createDataFrame(rows, schema: "x DOUBLE, color STRING, label DOUBLE")
        let indexed = try StringIndexer(inputCol: "color", outputCol: "color_idx").fit(df).transform(df)
        let data = try VectorAssembler(inputCols: ["x", "color_idx"], outputCol: "features").transform(indexed)
        let dt = DecisionTreeClassifier()
        dt.set(dt.maxDepth, 2)
        let model = try dt.fit(data)
        XCTAssertTrue(model.toDebugString.contains("feature 1 in {"), model.toDebugString)
        // The same data without attributes splits on thresholds.
        let plain = try spark.createDataFrame(try data.select("features", "label").collect().map { $0.values },
                                              schema: Schema([StructField("features", .vector), StructField("label", .double)]))
        XCTAssertFalse(try dt.fit(plain).toDebugString.contains(" in {"))
    }
}
