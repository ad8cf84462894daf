import Ember
@testable import EmberML
import Foundation
import XCTest

/// Expected values written by `scripts/ml/expected_*.py` (Apache Spark 4.1.1 or scikit-learn).
enum Expected {
    static func load(_ name: String, file: StaticString = #filePath) throws -> [String: Any] {
        let dir = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("expected")
        let data = try Data(contentsOf: dir.appendingPathComponent(name + ".json"))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EmberError.internalError("\(name).json is not an object")
        }
        return obj
    }

    /// A JSON number read exactly: Foundation on Linux parses JSON numbers as decimals whose
    /// `doubleValue` can be off by an ulp, so the decimal text is parsed instead.
    static func double(_ j: Any?) -> Double? {
        if let s = j as? String { return s == "NaN" ? .nan : s == "Infinity" ? .infinity : s == "-Infinity" ? -.infinity : nil }
        guard let n = j as? NSNumber else { return nil }
        return Double(n.description) ?? n.doubleValue
    }

    static func doubles(_ j: Any?) -> [Double]? {
        guard let a = j as? [Any] else { return nil }
        let out = a.compactMap(double)
        return out.count == a.count ? out : nil
    }

    /// `{"dense": [...]}` or `{"size", "indices", "values"}` as a Vector.
    static func vector(_ j: Any?) throws -> Vector? {
        guard let o = j as? [String: Any] else { return nil }
        if let d = doubles(o["dense"]) { return Vectors.dense(d) }
        guard let size = (o["size"] as? NSNumber)?.intValue, let ix = o["indices"] as? [NSNumber], let vs = doubles(o["values"]) else {
            throw EmberError.internalError("bad vector JSON \(o)")
        }
        return try Vectors.sparse(size, ix.map(\.intValue), vs)
    }
}

/// Vectors equal value by value, NaN equal to NaN, and of the same form (dense/sparse).
func assertVectorsEqual(_ a: Vector?, _ b: Vector?, accuracy: Double = 0, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard let a, let b else {
        XCTAssertTrue(a == nil && b == nil, "\(message): \(String(describing: a)) vs \(String(describing: b))", file: file, line: line)
        return
    }
    switch (a, b) {
    case (.dense, .dense), (.sparse, .sparse): break
    default: XCTFail("\(message): \(a) vs \(b) differ in form", file: file, line: line); return
    }
    XCTAssertEqual(a.size, b.size, message, file: file, line: line)
    let x = a.toArray(), y = b.toArray()
    for i in 0..<min(x.count, y.count) {
        if x[i].isNaN || y[i].isNaN {
            XCTAssertTrue(x[i].isNaN && y[i].isNaN, "\(message): element \(i): \(x[i]) vs \(y[i])", file: file, line: line)
        } else if accuracy == 0 {
            XCTAssertEqual(x[i], y[i], "\(message): element \(i)", file: file, line: line)
        } else {
            XCTAssertEqual(x[i], y[i], accuracy: accuracy * max(1, abs(y[i])), "\(message): element \(i)", file: file, line: line)
        }
    }
}

/// A fresh temporary directory, removed by the caller's tearDown.
func temporaryDirectory(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "ember-ml-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// One shared local session for the ML tests (2 cores, as CI).
enum TestSession {
    nonisolated(unsafe) static let spark: Session = {
        do { return try Session.local(cores: 2) } catch { fatalError("cannot start a session: \(error)") }
    }()
}
