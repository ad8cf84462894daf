import Ember
@testable import EmberML
import Foundation
import XCTest

/// The frames of scripts/ml/expected_features.py, row for row, and comparisons against
/// expected/features.json (Apache Spark 4.1.1).
enum FeatureData {
    static var spark: Session { TestSession.spark }

    static func expected(_ key: String) throws -> Any {
        guard let v = try Expected.load("features")[key] else { throw EmberError.internalError("features.json lacks \(key)") }
        return v
    }

    static func cat() throws -> DataFrame {
        let rows: [(Int32, String?, Double, Int32)] = [
            (0, "a", 1.0, 3), (1, "b", 2.0, 1), (2, "c", 1.0, 2), (3, "a", 10.0, 3), (4, "a", 2.0, 1),
            (5, "c", 1.0, 2), (6, "b", -0.5, 3), (7, "d", 10.0, 1), (8, nil, 1.0, 3),
        ]
        return try spark.createDataFrame(rows.map { [.int($0.0), $0.1.map { .string($0) } ?? .null, .double($0.2), .int($0.3)] },
                                         schema: "id INT, cat STRING, num DOUBLE, n INT")
    }

    static func catTest() throws -> DataFrame {
        try spark.createDataFrame([[.int(0), .string("a")], [.int(1), .string("e")], [.int(2), .null], [.int(3), .string("d")]], schema: "id INT, cat STRING")
    }

    static func ohe() throws -> DataFrame {
        let rows: [(Int32, Double, Double)] = [(0, 0, 2), (1, 1, 0), (2, 2, 1), (3, 1, 0), (4, 0, 3)]
        return try spark.createDataFrame(rows.map { [.int($0.0), .double($0.1), .double($0.2)] }, schema: "id INT, a DOUBLE, b DOUBLE")
    }

    static func oheTest() throws -> DataFrame {
        let rows: [(Int32, Double, Double)] = [(0, 0, 1), (1, 3, 0), (2, 2, 4), (3, 1.5, 3)]
        return try spark.createDataFrame(rows.map { [.int($0.0), .double($0.1), .double($0.2)] }, schema: "id INT, a DOUBLE, b DOUBLE")
    }

    static func vectors() throws -> DataFrame {
        let rows: [[Value]] = [
            [.int(1), Vectors.dense([1.0, -2.0, 0.0, 3.0]).value],
            [.int(2), try Vectors.sparse(4, [0, 3], [2.0, -1.0]).value],
            [.int(3), Vectors.dense([0.0, 4.0, 0.0, 5.0]).value],
            [.int(4), Vectors.dense([-3.0, 0.5, 0.0, 1.0]).value],
            [.int(5), try Vectors.sparse(4, [1], [6.0]).value],
        ]
        return try spark.createDataFrame(rows, schema: Schema([StructField("id", .int), StructField("v", .vector)]))
    }

    static func numeric() throws -> DataFrame {
        let rows: [(Int32, Double?, Double?, Int32?)] = [
            (1, -1.0, 4.0, 7), (2, 0.0, .nan, 3), (3, 0.5, 1.0, nil), (4, 1.0, 4.0, 3), (5, 1.5, 2.0, 5),
            (6, 2.0, nil, 7), (7, 3.5, 0.0, 3), (8, .nan, 4.0, 1), (9, nil, 2.0, 2), (10, 10.0, 0.0, 5),
        ]
        return try spark.createDataFrame(rows.map { r in
            [.int(r.0), r.1.map { .double($0) } ?? .null, r.2.map { .double($0) } ?? .null, r.3.map { .int($0) } ?? .null]
        }, schema: "id INT, x DOUBLE, y DOUBLE, k INT")
    }

    static func double(_ j: Any?) -> Double? { Expected.double(j) }

    static func doubles(_ j: Any?) -> [Double]? { Expected.doubles(j) }

    static func vector(_ j: Any?) throws -> Vector? { try Expected.vector(j) }

    /// The rows of `df` ordered by id, as values of `columns` (id first).
    static func rows(_ df: DataFrame, _ columns: [String]) throws -> [[Value]] {
        try df.orderBy("id").select(columns.map { col($0) }).collect().map(\.values)
    }

    /// Checks rows against the JSON rows Spark wrote: numbers (ints equal as doubles), "NaN",
    /// strings, null and vectors (dense/sparse form included).
    static func check(_ got: [[Value]], _ expected: Any?, accuracy: Double = 0, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let exp = expected as? [[Any]] else { return XCTFail("\(what): no expected rows", file: file, line: line) }
        XCTAssertEqual(got.count, exp.count, "\(what): row count", file: file, line: line)
        for (r, (g, e)) in zip(got, exp).enumerated() {
            XCTAssertEqual(g.count, e.count, "\(what) row \(r)", file: file, line: line)
            for (k, (gv, ev)) in zip(g, e).enumerated() {
                try checkValue(gv, ev, accuracy: accuracy, "\(what) row \(r) column \(k)", file: file, line: line)
            }
        }
    }

    static func checkValue(_ g: Value, _ e: Any, accuracy: Double, _ what: String, file: StaticString, line: UInt) throws {
        if e is NSNull { return XCTAssertTrue(g.isNull, "\(what): \(g) should be NULL", file: file, line: line) }
        if e is [String: Any] {
            return assertVectorsEqual(g.isNull ? nil : try Vector(value: g), try vector(e), accuracy: accuracy, what, file: file, line: line)
        }
        if let s = e as? String, s != "NaN" {
            guard case .string(let gs) = g else { return XCTFail("\(what): \(g) is not the string \(s)", file: file, line: line) }
            return XCTAssertEqual(gs, s, what, file: file, line: line)
        }
        guard let x = double(e) else { return XCTFail("\(what): unreadable expected \(e)", file: file, line: line) }
        let gd: Double
        switch g {
        case .double(let d): gd = d
        case .int(let i): gd = Double(i)
        case .long(let i): gd = Double(i)
        default: return XCTFail("\(what): \(g) is not a number (expected \(x))", file: file, line: line)
        }
        if x.isNaN { return XCTAssertTrue(gd.isNaN, "\(what): \(gd) should be NaN", file: file, line: line) }
        if accuracy == 0 {
            XCTAssertEqual(gd, x, what, file: file, line: line)
        } else {
            XCTAssertEqual(gd, x, accuracy: accuracy * max(1, abs(x)), what, file: file, line: line)
        }
    }

    /// Asserts that `body` throws an error whose text contains `text`.
    static func assertThrows(_ text: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected an error containing \"\(text)\"", file: file, line: line)
        } catch {
            XCTAssertTrue("\(error)".contains(text), "\"\(error)\" does not contain \"\(text)\"", file: file, line: line)
        }
    }
}

/// Save → load → identical output for every fitted feature model and parameterized
/// transformer.
final class FeaturePersistenceTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryDirectory("feature") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func roundTrip(_ stage: Transformer, _ df: DataFrame, _ columns: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let path = dir + "/" + stage.uid
        try stage.save(path)
        let loaded = try MLReader.load(path)
        XCTAssertEqual(loaded.uid, stage.uid, file: file, line: line)
        XCTAssertTrue(type(of: loaded) == type(of: stage), "\(type(of: loaded))", file: file, line: line)
        guard let t = loaded as? Transformer else { return XCTFail("not a transformer", file: file, line: line) }
        let before = try FeatureData.rows(stage.transform(df), columns)
        let after = try FeatureData.rows(t.transform(df), columns)
        XCTAssertEqual(before.count, after.count, file: file, line: line)
        for (a, b) in zip(before, after) {
            for (x, y) in zip(a, b) {
                if case .double(let dx) = x, case .double(let dy) = y, dx.isNaN, dy.isNaN { continue }
                XCTAssertEqual(x, y, "\(stage.uid)", file: file, line: line)
            }
        }
    }

    func testModelsRoundTrip() throws {
        let cat = try FeatureData.cat()
        let si = try StringIndexer(inputCols: ["cat", "num"], outputCols: ["i1", "i2"], handleInvalid: "keep").fit(cat)
        try roundTrip(si, cat, ["id", "i1", "i2"])
        XCTAssertEqual((try MLReader.load(dir + "/" + si.uid) as? StringIndexerModel)?.labelsArray, (si as? StringIndexerModel)?.labelsArray)
        let ohe = try FeatureData.ohe()
        try roundTrip(try OneHotEncoder(inputCols: ["a", "b"], outputCols: ["va", "vb"]).fit(ohe), ohe, ["id", "va", "vb"])
        let v = try FeatureData.vectors()
        try roundTrip(try StandardScaler(inputCol: "v", outputCol: "o", withMean: true).fit(v), v, ["id", "o"])
        try roundTrip(try MinMaxScaler(inputCol: "v", outputCol: "o", min: -1, max: 1).fit(v), v, ["id", "o"])
        try roundTrip(try MaxAbsScaler(inputCol: "v", outputCol: "o").fit(v), v, ["id", "o"])
        try roundTrip(Normalizer(inputCol: "v", outputCol: "o", p: 1), v, ["id", "o"])
        try roundTrip(Binarizer(inputCol: "v", outputCol: "o", threshold: 0.5), v, ["id", "o"])
        let n = try FeatureData.numeric()
        try roundTrip(try Imputer(inputCols: ["x", "k"], outputCols: ["ox", "ok"], strategy: "median").fit(n), n, ["id", "ox", "ok"])
        try roundTrip(try QuantileDiscretizer(inputCol: "x", outputCol: "q", numBuckets: 3, handleInvalid: "keep").fit(n), n, ["id", "q"])
        try roundTrip(SQLTransformer(statement: "SELECT id, x * 2 AS x2 FROM __THIS__"), n, ["id", "x2"])
        try roundTrip(IndexToString(inputCol: "k", outputCol: "s", labels: ["a", "b", "c", "d", "e", "f", "g", "h"]), n, ["id", "s"])
    }
}
