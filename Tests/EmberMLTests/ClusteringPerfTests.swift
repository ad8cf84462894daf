import Ember
@testable import EmberML
import Foundation
import XCTest

/// Timing of KMeans (k 8) and PCA (k 5) on 1M generated rows of 10 features; runs only with
/// EMBER_ML_PERF=1: `EMBER_ML_PERF=1 swift test -c release -Xswiftc -enable-testing --filter ClusteringPerfTests`
/// prints the fit times and checks the fits are sane.
final class ClusteringPerfTests: XCTestCase {
    func testKMeansAndPCAOnAMillionRows() throws {
        guard ProcessInfo.processInfo.environment["EMBER_ML_PERF"] == "1" else { throw XCTSkip("set EMBER_ML_PERF=1") }
        let n = 1_000_000, d = 10
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var values = [Double](repeating: 0, count: n * d)
        for i in 0..<n { let c = Double(i % 8) * 5; for j in 0..<d { values[i * d + j] = c * Double(j % 3 + 1) + next() } }
        let column = VectorColumnBuilder.dense(values, dim: d, count: n)
        let schema = Schema([StructField("features", .vector)])
        let df = TestSession.spark.createDataFrame(batches: [RecordBatch(schema: schema, columns: [column])], schema: schema)
        var t = Date()
        let km = try KMeans(k: 8, seed: 1).fit(df)
        let kmTime = Date().timeIntervalSince(t)
        t = Date()
        let pca = try PCA(k: 5, inputCol: "features").fit(df)
        let pcaTime = Date().timeIntervalSince(t)
        print("PERF kmeans k=8 1M x 10: \(kmTime) s (\(km.summary?.numIter ?? -1) iterations, cost \(km.summary?.trainingCost ?? -1)); pca k=5: \(pcaTime) s")
        XCTAssertEqual(km.numClusters, 8)
        XCTAssertGreaterThan(pca.explainedVariance.toArray()[0], 0.5)
    }
}
