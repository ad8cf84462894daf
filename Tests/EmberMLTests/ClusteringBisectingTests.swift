import Ember
@testable import EmberML
import Foundation
import XCTest

/// BisectingKMeans against Spark 4.1.1 (section "bisecting" of expected/clustering.json, from
/// scripts/ml/expected_clustering.py): same seed, same java.util.Random split noise, so the
/// leaves, their costs and sizes agree within 1e-9.
final class ClusteringBisectingTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryDirectory("bkm") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func fit() throws -> ([String: Any], DataFrame, BisectingKMeansModel) {
        let rows = ClusteringFixtures.rows(try ClusteringFixtures.section("separated")["rows"])
        let df = try ClusteringFixtures.frame(rows)
        return (try ClusteringFixtures.section("bisecting"), df, try BisectingKMeans(k: 4, seed: 1).fit(df))
    }

    func testMatchesSpark() throws {
        let (s, _, model) = try fit()
        XCTAssertEqual(model.numClusters, 4)
        ClusteringFixtures.assertCentersEqual(model.clusterCenters.map { $0.toArray() }, ClusteringFixtures.rows(s["spark_centers"]), tol: 1e-9, "centers")
        let cost = model.trainingCost
        XCTAssertEqual(cost, try XCTUnwrap(Expected.double(s["spark_cost"])), accuracy: 1e-9 * cost)
        XCTAssertEqual(model.summary?.trainingCost, cost)
        XCTAssertEqual(model.summary?.clusterSizes.sorted(), s["spark_sizes"] as? [Int])
        XCTAssertEqual(model.summary?.numIter, 20)
    }

    func testSaveLoadRoundTrip() throws {
        let (_, df, model) = try fit()
        try model.save(dir + "/bkm")
        let loaded = try BisectingKMeansModel.load(dir + "/bkm")
        XCTAssertEqual(loaded.clusterCenters, model.clusterCenters)
        XCTAssertEqual(loaded.trainingCost, model.trainingCost)
        XCTAssertEqual(try model.transform(df).orderBy("id").select("prediction").collect(),
                       try loaded.transform(df).orderBy("id").select("prediction").collect())
    }

    func testBadParamsAndColumns() throws {
        let df = try ClusteringFixtures.frame([[1, 2], [3, 4], [5, 7], [2, 2]])
        XCTAssertThrowsError(try BisectingKMeans(k: 1).fit(df)) { XCTAssertTrue("\($0)".contains("parameter k"), "\($0)") }
        XCTAssertThrowsError(try BisectingKMeans(minDivisibleClusterSize: 0).fit(df)) { XCTAssertTrue("\($0)".contains("minDivisibleClusterSize"), "\($0)") }
        XCTAssertThrowsError(try BisectingKMeans(featuresCol: "nope").fit(df)) { XCTAssertTrue("\($0)".contains("nope"), "\($0)") }
        XCTAssertThrowsError(try BisectingKMeans(featuresCol: "id").fit(df)) { XCTAssertTrue("\($0)".contains("vector"), "\($0)") }
    }
}
