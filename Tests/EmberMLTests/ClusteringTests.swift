import Ember
@testable import EmberML
import Foundation
import XCTest

/// Shared fixtures for the clustering tests: the data and expected values written by
/// `scripts/ml/expected_clustering.py` (Apache Spark 4.1.1 and scikit-learn 1.9.1,
/// expected/clustering.json).
enum ClusteringFixtures {
    static func json() throws -> [String: Any] { try Expected.load("clustering") }

    static func section(_ name: String) throws -> [String: Any] {
        guard let s = try json()[name] as? [String: Any] else { throw EmberError.internalError("\(name) missing") }
        return s
    }

    static func rows(_ j: Any?) -> [[Double]] { (j as? [Any] ?? []).compactMap(Expected.doubles) }

    /// (id, weight, features) rows.
    static func frame(_ rows: [[Double]], weights: [Double]? = nil) throws -> DataFrame {
        let values: [[Value]] = rows.enumerated().map { i, r in
            [.int(Int32(i)), .double(weights?[i] ?? 1), Vectors.dense(r).value]
        }
        return try TestSession.spark.createDataFrame(values, schema: Schema([StructField("id", .int), StructField("weight", .double),
                                                                            StructField("features", .vector)]))
    }

    /// Centers sorted lexicographically (cluster order is arbitrary).
    static func sorted(_ cs: [[Double]]) -> [[Double]] { cs.sorted { $0.lexicographicallyPrecedes($1) } }

    static func assertCentersEqual(_ a: [[Double]], _ b: [[Double]], tol: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        for (x, y) in zip(sorted(a), sorted(b)) {
            XCTAssertEqual(x.count, y.count, message, file: file, line: line)
            for (u, v) in zip(x, y) { XCTAssertEqual(u, v, accuracy: tol * max(1, abs(v)), "\(message): \(x) vs \(y)", file: file, line: line) }
        }
    }

    /// Σ weight · min squared distance (or cosine distance) to `centers`.
    static func cost(_ rows: [[Double]], _ centers: [[Double]], cosine: Bool = false) -> Double {
        var total = 0.0
        for r in rows {
            var best = Double.infinity
            for c in centers {
                var dot = 0.0, sq = 0.0, nr = 0.0, nc = 0.0
                for j in 0..<r.count {
                    dot += r[j] * c[j]
                    sq += (r[j] - c[j]) * (r[j] - c[j])
                    nr += r[j] * r[j]
                    nc += c[j] * c[j]
                }
                let d = cosine ? 1 - dot / nr.squareRoot() / nc.squareRoot() : sq
                best = Swift.min(best, d)
            }
            total += best
        }
        return total
    }
}

/// KMeans / KMeansModel against Spark 4.1.1 and scikit-learn (see `ClusteringFixtures`).
final class ClusteringKMeansTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryDirectory("kmeans") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func centers(_ m: KMeansModel) -> [[Double]] { m.clusterCenters.map { $0.toArray() } }

    func testSeparatedBlobsMatchSparkAndSklearn() throws {
        let s = try ClusteringFixtures.section("separated")
        let rows = ClusteringFixtures.rows(s["rows"])
        let df = try ClusteringFixtures.frame(rows)
        for mode in ["k-means||", "random"] {
            let model = try KMeans(k: 4, maxIter: 50, initMode: mode, seed: 1).fit(df)
            ClusteringFixtures.assertCentersEqual(centers(model), ClusteringFixtures.rows(s["spark_centers"]), tol: 1e-9, "\(mode) vs Spark")
            ClusteringFixtures.assertCentersEqual(centers(model), ClusteringFixtures.rows(s["sklearn_centers"]), tol: 1e-9, "\(mode) vs sklearn")
            let cost = try XCTUnwrap(model.summary?.trainingCost)
            XCTAssertEqual(cost, try XCTUnwrap(Expected.double(s["spark_cost"])), accuracy: 1e-9 * cost)
            XCTAssertEqual(cost, try XCTUnwrap(Expected.double(s["sklearn_inertia"])), accuracy: 1e-9 * cost)
            XCTAssertEqual(model.summary?.clusterSizes.sorted(), (s["spark_sizes"] as? [Int]) ?? [])
            XCTAssertEqual(model.summary?.k, 4)
            XCTAssertGreaterThan(model.summary?.numIter ?? 0, 0)
        }
        // Default params: k = 2, still a valid fit with 2 centers.
        let two = try KMeans().fit(df)
        XCTAssertEqual(two.numClusters, 2)
        XCTAssertEqual(two.getOrDefaultK, 2)
    }

    func testWeightedMatchesSparkAndSklearn() throws {
        let s = try ClusteringFixtures.section("separated")
        let rows = ClusteringFixtures.rows(s["rows"])
        let df = try ClusteringFixtures.frame(rows, weights: Expected.doubles(s["weights"]))
        let model = try KMeans(k: 4, maxIter: 50, seed: 1, weightCol: "weight").fit(df)
        ClusteringFixtures.assertCentersEqual(centers(model), ClusteringFixtures.rows(s["spark_weighted_centers"]), tol: 1e-9, "vs Spark")
        ClusteringFixtures.assertCentersEqual(centers(model), ClusteringFixtures.rows(s["sklearn_weighted_centers"]), tol: 1e-9, "vs sklearn")
        let cost = try XCTUnwrap(model.summary?.trainingCost)
        XCTAssertEqual(cost, try XCTUnwrap(Expected.double(s["spark_weighted_cost"])), accuracy: 1e-9 * cost)
        XCTAssertEqual(cost, try XCTUnwrap(Expected.double(s["sklearn_weighted_inertia"])), accuracy: 1e-9 * cost)
    }

    /// From fixed initial centers, 1, 3 and 6 Lloyd steps give sklearn's and Spark's centers
    /// (same cluster order, as the initial centers fix it).
    func testLloydStepsFromGivenCenters() throws {
        let s = try ClusteringFixtures.section("lloyd")
        let rows = ClusteringFixtures.rows(s["rows"]), initial = ClusteringFixtures.rows(s["init"])
        let df = try ClusteringFixtures.frame(rows)
        guard let eu = s["euclidean"] as? [String: [String: Any]], let cos = s["cosine"] as? [String: [String: Any]] else { return XCTFail("cases") }
        for (iters, c) in eu {
            let km = KMeans(k: 3, maxIter: Int(iters) ?? 0, tol: 0)
            km.initialCenters = initial
            let model = try km.fit(df)
            for (a, (b, e)) in zip(centers(model), zip(ClusteringFixtures.rows(c["sklearn_centers"]), ClusteringFixtures.rows(c["spark_centers"]))) {
                for j in 0..<a.count {
                    XCTAssertEqual(a[j], b[j], accuracy: 1e-12, "\(iters) steps vs sklearn")
                    XCTAssertEqual(a[j], e[j], accuracy: 1e-12, "\(iters) steps vs Spark")
                }
            }
            let final = ClusteringFixtures.cost(rows, centers(model))
            XCTAssertEqual(final, try XCTUnwrap(Expected.double(c["spark_final_cost"])), accuracy: 1e-9 * final)
        }
        for (iters, c) in cos {
            let km = KMeans(k: 3, maxIter: Int(iters) ?? 0, tol: 0, distanceMeasure: "cosine")
            km.initialCenters = initial
            let model = try km.fit(df)
            for (a, e) in zip(centers(model), ClusteringFixtures.rows(c["spark_centers"])) {
                for j in 0..<a.count { XCTAssertEqual(a[j], e[j], accuracy: 1e-12, "cosine \(iters) steps vs Spark") }
            }
            // pyspark's mllib computeCost on a Python-side model is Euclidean.
            let final = ClusteringFixtures.cost(rows, centers(model))
            XCTAssertEqual(final, try XCTUnwrap(Expected.double(c["spark_final_cost"])), accuracy: 1e-9 * final)
        }
    }

    func testCosineSeparatedMatchesSpark() throws {
        let s = try ClusteringFixtures.section("cosine_separated")
        let df = try ClusteringFixtures.frame(ClusteringFixtures.rows(s["rows"]))
        let model = try KMeans(k: 3, maxIter: 50, distanceMeasure: "cosine", seed: 1).fit(df)
        ClusteringFixtures.assertCentersEqual(centers(model), ClusteringFixtures.rows(s["spark_centers"]), tol: 1e-9, "cosine")
        let cost = try XCTUnwrap(model.summary?.trainingCost)
        XCTAssertEqual(cost, try XCTUnwrap(Expected.double(s["spark_cost"])), accuracy: 1e-6 * cost)
    }

    func testTransformPredictAndSilhouette() throws {
        let s = try ClusteringFixtures.section("separated")
        let rows = ClusteringFixtures.rows(s["rows"])
        let df = try ClusteringFixtures.frame(rows)
        let model = try KMeans(k: 4, maxIter: 50, seed: 1).fit(df)
        let out = try model.transform(df)
        XCTAssertEqual(try out.schema().fields.last?.dataType, .int)
        let preds = try out.orderBy("id").select("prediction").collect()
        XCTAssertEqual(preds.count, rows.count)
        for (i, r) in preds.enumerated() {
            XCTAssertEqual(r.values[0], .int(Int32(try model.predict(Vectors.dense(rows[i])))), "row \(i)")
        }
        let sil = try ClusteringEvaluator().evaluate(out)
        XCTAssertEqual(sil, try XCTUnwrap(Expected.double(s["silhouette"])), accuracy: 1e-12)
        let silCos = try ClusteringEvaluator(distanceMeasure: "cosine").evaluate(out)
        XCTAssertEqual(silCos, try XCTUnwrap(Expected.double(s["silhouette_cosine"])), accuracy: 1e-12)
    }

    func testSaveLoadRoundTrip() throws {
        let s = try ClusteringFixtures.section("separated")
        let df = try ClusteringFixtures.frame(ClusteringFixtures.rows(s["rows"]))
        let model = try KMeans(k: 4, seed: 1, predictionCol: "cluster").fit(df)
        try model.save(dir + "/km")
        let loaded = try KMeansModel.load(dir + "/km")
        XCTAssertEqual(loaded.uid, model.uid)
        XCTAssertEqual(loaded.centerValues, model.centerValues)
        XCTAssertFalse(loaded.hasSummary)
        XCTAssertEqual(try loaded.value(loaded.predictionCol), "cluster")
        let a = try model.transform(df).orderBy("id").select("cluster").collect()
        let b = try loaded.transform(df).orderBy("id").select("cluster").collect()
        XCTAssertEqual(a, b)
        let est = KMeans(k: 5, initMode: "random")
        try est.save(dir + "/est")
        let e2 = try KMeans.load(dir + "/est")
        XCTAssertEqual(try e2.value(e2.k), 5)
        XCTAssertEqual(try e2.value(e2.initMode), "random")
    }

    func testBadParamsAndColumns() throws {
        let df = try ClusteringFixtures.frame([[1, 2], [3, 4], [5, 6]])
        XCTAssertThrowsError(try KMeans(k: 1).fit(df)) { XCTAssertTrue("\($0)".contains("parameter k"), "\($0)") }
        XCTAssertThrowsError(try KMeans(initMode: "kmeans++").fit(df)) { XCTAssertTrue("\($0)".contains("initMode"), "\($0)") }
        XCTAssertThrowsError(try KMeans(distanceMeasure: "manhattan").fit(df)) { XCTAssertTrue("\($0)".contains("distanceMeasure"), "\($0)") }
        XCTAssertThrowsError(try KMeans(initSteps: 0).fit(df)) { XCTAssertTrue("\($0)".contains("initSteps"), "\($0)") }
        XCTAssertThrowsError(try KMeans(featuresCol: "nope").fit(df)) { XCTAssertTrue("\($0)".contains("nope"), "\($0)") }
        XCTAssertThrowsError(try KMeans(featuresCol: "weight").fit(df)) { XCTAssertTrue("\($0)".contains("vector"), "\($0)") }
        XCTAssertThrowsError(try KMeans(weightCol: "features").fit(df)) { XCTAssertTrue("\($0)".contains("numeric"), "\($0)") }
        let zero = try ClusteringFixtures.frame([[0, 0], [1, 1], [2, 0]])
        XCTAssertThrowsError(try KMeans(distanceMeasure: "cosine").fit(zero)) { XCTAssertTrue("\($0)".contains("zero"), "\($0)") }
        let model = try KMeans(k: 2, seed: 3).fit(df)
        XCTAssertThrowsError(try model.transform(df.withColumnRenamed("features", "f"))) { XCTAssertTrue("\($0)".contains("features"), "\($0)") }
        let wrongSize = try ClusteringFixtures.frame([[1, 2, 3]])
        XCTAssertThrowsError(try model.transform(wrongSize).collect()) { XCTAssertTrue("\($0)".contains("size 3"), "\($0)") }
        // Fewer distinct points than k: Spark's k-means|| keeps the distinct ones.
        let dup = try ClusteringFixtures.frame([[1, 1], [1, 1], [2, 2]])
        XCTAssertEqual(try KMeans(k: 3).fit(dup).numClusters, 2)
    }
}

extension KMeansModel {
    var getOrDefaultK: Int { (try? value(k)) ?? -1 }
}
