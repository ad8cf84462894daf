import Ember
@testable import EmberML
import Foundation
import XCTest

/// PCA / PCAModel against Spark 4.1.1 and scikit-learn (scripts/ml/expected_clustering.py,
/// expected/clustering.json, section "pca").
final class PCATests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryDirectory("pca") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func fixture() throws -> ([String: Any], [[Double]], DataFrame) {
        let s = try ClusteringFixtures.section("pca")
        let rows = ClusteringFixtures.rows(s["rows"])
        return (s, rows, try ClusteringFixtures.frame(rows))
    }

    func testMatchesSparkAndSklearn() throws {
        let (s, _, df) = try fixture()
        let model = try PCA(k: 3, inputCol: "features", outputCol: "pca").fit(df)
        XCTAssertEqual(model.pc.numRows, 5)
        XCTAssertEqual(model.pc.numCols, 3)
        let ratio = try XCTUnwrap(Expected.doubles(s["sklearn_ratio"])), sparkVar = try XCTUnwrap(Expected.doubles(s["spark_explained"]))
        let ev = model.explainedVariance.toArray()
        for c in 0..<3 {
            XCTAssertEqual(ev[c], ratio[c], accuracy: 1e-9 * ratio[c], "explained variance \(c) vs sklearn")
            XCTAssertEqual(ev[c], sparkVar[c], accuracy: 1e-9 * sparkVar[c], "explained variance \(c) vs Spark")
        }
        // Spark's pc exactly (sign included); sklearn's components up to sign.
        let sparkPC = ClusteringFixtures.rows(s["spark_pc"]), skComp = ClusteringFixtures.rows(s["sklearn_components"])
        for j in 0..<5 {
            for c in 0..<3 {
                XCTAssertEqual(model.pc[j, c], sparkPC[j][c], accuracy: 1e-9, "pc[\(j), \(c)] vs Spark")
            }
        }
        for c in 0..<3 {
            let sign = (0..<5).map { model.pc[$0, c] * skComp[c][$0] }.reduce(0, +) < 0 ? -1.0 : 1.0
            for j in 0..<5 { XCTAssertEqual(model.pc[j, c], sign * skComp[c][j], accuracy: 1e-9, "component \(c) vs sklearn") }
        }
        // transform = pcᵀ·x without centering, as Spark.
        let out = try model.transform(df).orderBy("id").select("pca").collect()
        let expected = ClusteringFixtures.rows(s["spark_transform"])
        for (i, e) in expected.enumerated() {
            let got = try Vector(value: out[i].values[0]).toArray()
            XCTAssertEqual(got.count, 3)
            for c in 0..<3 { XCTAssertEqual(got[c], e[c], accuracy: 1e-9 * max(1, abs(e[c])), "row \(i)") }
        }
    }

    func testSparseInputAndDefaultOutputColumn() throws {
        let (_, rows, df) = try fixture()
        let sparse = try TestSession.spark.createDataFrame(rows.enumerated().map { i, r in
            let idx = r.indices.filter { r[$0] != 0 }
            return [.int(Int32(i)), (try Vectors.sparse(5, idx, idx.map { r[$0] })).value]
        }, schema: Schema([StructField("id", .int), StructField("features", .vector)]))
        let dense = try PCA(k: 2, inputCol: "features").fit(df)
        let sp = try PCA(k: 2, inputCol: "features").fit(sparse)
        for j in 0..<5 { for c in 0..<2 { XCTAssertEqual(dense.pc[j, c], sp.pc[j, c], accuracy: 1e-12) } }
        let out = try sp.transform(sparse)
        XCTAssertEqual(try out.schema().names.last, sp.uid + "__output")
    }

    func testSaveLoadRoundTrip() throws {
        let (_, _, df) = try fixture()
        let model = try PCA(k: 3, inputCol: "features", outputCol: "pca").fit(df)
        try model.save(dir + "/pca")
        let loaded = try PCAModel.load(dir + "/pca")
        XCTAssertEqual(loaded.pc, model.pc)
        XCTAssertEqual(loaded.explainedVariance, model.explainedVariance)
        XCTAssertEqual(try model.transform(df).orderBy("id").select("pca").collect(), try loaded.transform(df).orderBy("id").select("pca").collect())
    }

    func testBadParamsAndColumns() throws {
        let (_, _, df) = try fixture()
        XCTAssertThrowsError(try PCA(k: 0, inputCol: "features").fit(df)) { XCTAssertTrue("\($0)".contains("parameter k"), "\($0)") }
        XCTAssertThrowsError(try PCA(k: 6, inputCol: "features").fit(df)) { XCTAssertTrue("\($0)".contains("parameter k"), "\($0)") }
        XCTAssertThrowsError(try PCA(inputCol: "features").fit(df)) { XCTAssertTrue("\($0)".contains("k is not set and has no default"), "\($0)") }
        XCTAssertThrowsError(try PCA(k: 2, inputCol: "missing").fit(df)) { XCTAssertTrue("\($0)".contains("missing"), "\($0)") }
        XCTAssertThrowsError(try PCA(k: 2, inputCol: "id").fit(df)) { XCTAssertTrue("\($0)".contains("vector"), "\($0)") }
        XCTAssertThrowsError(try PCA(k: 2, inputCol: "features", outputCol: "id").fit(df)) { XCTAssertTrue("\($0)".contains("already exists"), "\($0)") }
    }
}
