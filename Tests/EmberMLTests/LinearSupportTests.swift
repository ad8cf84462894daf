import Ember
@testable import EmberML
import Foundation
import XCTest

/// The training data and Spark results of `scripts/ml/expected_linear.py` (Apache Spark
/// 4.1.1 and numpy) → expected/linear.json.
enum LinearData {
    nonisolated(unsafe) static let expected: [String: Any] = {
        do { return try Expected.load("linear") } catch { fatalError("cannot load expected/linear.json: \(error)") }
    }()

    static func matrix(_ j: Any?) -> [[Double]] { (j as? [Any])?.compactMap { Expected.doubles($0) } ?? [] }

    /// Rows (id, features, binary, multi, weight) for classification.
    static func classification(_ spark: Session) throws -> DataFrame {
        let data = expected["data"] as? [String: Any] ?? [:]
        let x = matrix(data["features"])
        let yb = Expected.doubles(data["binary"]) ?? [], ym = Expected.doubles(data["multi"]) ?? [], w = Expected.doubles(data["weight"]) ?? []
        let rows: [[Value]] = x.indices.map { i in [.int(Int32(i)), Vectors.dense(x[i]).value, .double(yb[i]), .double(ym[i]), .double(w[i])] }
        return try spark.createDataFrame(rows, schema: Schema([StructField("id", .int), StructField("features", .vector), StructField("binary", .double),
                                                               StructField("multi", .double), StructField("weight", .double)]))
    }

    /// Rows (id, features = first 3 columns, label, weight) for regression.
    static func regression(_ spark: Session) throws -> DataFrame {
        let data = expected["data"] as? [String: Any] ?? [:]
        let x = matrix(data["features"])
        let y = Expected.doubles(data["reg"]) ?? [], w = Expected.doubles(data["weight"]) ?? []
        let rows: [[Value]] = x.indices.map { i in [.int(Int32(i)), Vectors.dense(Array(x[i].prefix(3))).value, .double(y[i]), .double(w[i])] }
        return try spark.createDataFrame(rows, schema: Schema([StructField("id", .int), StructField("features", .vector), StructField("label", .double),
                                                               StructField("weight", .double)]))
    }

    static func apply(_ params: Any?, to stage: Params) throws {
        for (k, v) in (params as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) { try stage.set(name: k, json: v) }
    }
}

/// |a − e| ≤ rel·max(|e|, floor).
func assertClose(_ a: Double, _ e: Double, rel: Double, floor: Double = 1e-2, _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(abs(a - e) <= rel * max(abs(e), floor), "\(message()): \(a) vs expected \(e) (diff \(a - e))", file: file, line: line)
}

func assertClose(_ a: [Double], _ e: [Double], rel: Double, floor: Double = 1e-2, _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, e.count, "\(message()): lengths", file: file, line: line)
    for i in 0..<min(a.count, e.count) { assertClose(a[i], e[i], rel: rel, floor: floor, "\(message())[\(i)]", file: file, line: line) }
}
