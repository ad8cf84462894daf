import Ember
@testable import EmberML
import Foundation
import XCTest

/// GaussianMixture against Spark 4.1.1 (section "gmm" of expected/clustering.json, from
/// scripts/ml/expected_clustering.py): both fit with tol 1e-10 so that EM reaches the same
/// fixed point from different random initializations; compared within 1e-6.
final class ClusteringGaussianMixtureTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryDirectory("gmm") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func fit() throws -> ([String: Any], DataFrame, GaussianMixtureModel) {
        let s = try ClusteringFixtures.section("gmm")
        let df = try ClusteringFixtures.frame(ClusteringFixtures.rows(s["rows"]))
        return (s, df, try GaussianMixture(k: 3, maxIter: 500, tol: 1e-10, seed: 3).fit(df))
    }

    func testMatchesSpark() throws {
        let (s, df, model) = try fit()
        let order = (0..<3).sorted { model.gaussians[$0].mean.toArray().lexicographicallyPrecedes(model.gaussians[$1].mean.toArray()) }
        let weights = try XCTUnwrap(Expected.doubles(s["weights"])), means = ClusteringFixtures.rows(s["means"])
        let covs = (s["covs"] as? [Any] ?? []).map(ClusteringFixtures.rows)
        for (e, c) in order.enumerated() {
            XCTAssertEqual(model.weights[c], weights[e], accuracy: 1e-6)
            let m = model.gaussians[c].mean.toArray()
            for j in 0..<2 { XCTAssertEqual(m[j], means[e][j], accuracy: 1e-6, "mean \(e)") }
            for a in 0..<2 { for b in 0..<2 { XCTAssertEqual(model.gaussians[c].cov[a, b], covs[e][a][b], accuracy: 1e-6, "cov \(e)") } }
        }
        let ll = try XCTUnwrap(model.summary?.logLikelihood)
        XCTAssertEqual(ll, try XCTUnwrap(Expected.double(s["logLikelihood"])), accuracy: 1e-8 * abs(ll))
        XCTAssertEqual(model.summary?.clusterSizes.sorted(), s["sizes"] as? [Int])
        let probs = try model.transform(df).orderBy("id").select("probability", "prediction").collect()
        let maxProb = try XCTUnwrap(Expected.doubles(s["max_probability"]))
        for (i, e) in maxProb.enumerated() {
            let p = try Vector(value: probs[i].values[0]).toArray()
            XCTAssertEqual(p.max() ?? 0, e, accuracy: 1e-6, "row \(i)")
            XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertEqual(probs[i].values[1], .int(Int32(p.firstIndex(of: p.max() ?? 0) ?? -1)))
        }
    }

    func testSaveLoadRoundTrip() throws {
        let (_, df, model) = try fit()
        try model.save(dir + "/gmm")
        let loaded = try GaussianMixtureModel.load(dir + "/gmm")
        XCTAssertEqual(loaded.weights, model.weights)
        XCTAssertEqual(loaded.gaussians.map(\.cov), model.gaussians.map(\.cov))
        XCTAssertEqual(try model.transform(df).orderBy("id").select("prediction", "probability").collect(),
                       try loaded.transform(df).orderBy("id").select("prediction", "probability").collect())
    }

    func testBadParamsAndColumns() throws {
        let df = try ClusteringFixtures.frame([[1, 2], [3, 4], [5, 7], [2, 2]])
        XCTAssertThrowsError(try GaussianMixture(k: 1).fit(df)) { XCTAssertTrue("\($0)".contains("parameter k"), "\($0)") }
        XCTAssertThrowsError(try GaussianMixture(tol: -1).fit(df)) { XCTAssertTrue("\($0)".contains("tol"), "\($0)") }
        XCTAssertThrowsError(try GaussianMixture(featuresCol: "x").fit(df)) { XCTAssertTrue("\($0)".contains("x does not exist"), "\($0)") }
        XCTAssertThrowsError(try GaussianMixture(featuresCol: "id").fit(df)) { XCTAssertTrue("\($0)".contains("vector"), "\($0)") }
    }
}
