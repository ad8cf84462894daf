import Ember
import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// Compares Ember's JSON and text data sources with Apache Spark 4.1.1 on the inputs in
/// `golden/json/inputs`. The expected schemas, rows, part-file texts and errors in
/// `golden/json/cases.json` were produced by `scripts/make_json_golden.py` (pyspark
/// 4.1.1, local[1], session time zone UTC unless a case says otherwise); rows use that
/// script's canonical value format, which `GoldenFormat` reproduces.
final class JSONGoldenTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/json")

    struct Case {
        var name: String
        var kind: String
        var format: String
        var inputs: [String]
        var options: [String: String]
        var schema: String?
        var sql: String?
        var timeZone: String?
        var expected: [String: Any]
    }

    static func cases() throws -> [Case] {
        let data = try Data(contentsOf: dir.appendingPathComponent("cases.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any], let list = root["cases"] as? [[String: Any]] else {
            throw EmberError.internalError("cases.json is not in the expected shape")
        }
        return list.map { c in
            Case(
                name: c["name"] as? String ?? "?", kind: c["kind"] as? String ?? "read", format: c["format"] as? String ?? "json",
                inputs: c["inputs"] as? [String] ?? [], options: c["options"] as? [String: String] ?? [:],
                schema: c["schema"] as? String, sql: c["sql"] as? String, timeZone: c["timeZone"] as? String,
                expected: c["expected"] as? [String: Any] ?? [:])
        }
    }

    /// Reads every split of `paths` with the low-level readers (schema inferred or given).
    static func read(_ c: Case, maxSplitBytes: Int) throws -> (schema: Schema, rows: [[Value]]) {
        let paths = c.inputs.map { dir.appendingPathComponent("inputs/" + $0).path }
        var rows: [[Value]] = []
        if c.format == "text" {
            let opts = try TextOptions(c.options)
            for split in try TextReader.splits(paths: paths, options: opts, maxSplitBytes: maxSplitBytes) {
                try TextReader.read(split: split, requiredColumns: [0], options: opts, batchSize: 3) { b in
                    for i in 0..<b.count { rows.append(b.row(i)) }
                }
            }
            return (TextReader.schema, rows)
        }
        let opts = try JSONOptions(c.options)
        let schema = try c.schema.map { try Schema(ddl: $0) }
            ?? JSONInference.inferSchema(paths: paths, options: opts, zone: .utc, maxSplitBytes: maxSplitBytes)
        for split in try JSONReader.splits(paths: paths, options: opts, maxSplitBytes: maxSplitBytes) {
            try JSONReader.read(
                split: split, schema: schema, requiredColumns: Array(0..<schema.count), options: opts, zone: .utc, batchSize: 3
            ) { b in
                for i in 0..<b.count { rows.append(b.row(i)) }
            }
        }
        return (schema, rows)
    }

    /// Reads through the public API: `spark.read.format(…).options(…).load(…)`.
    static func readThroughSession(_ c: Case) throws -> (schema: Schema, rows: [[Value]]) {
        let spark = try Session.local(cores: 2)
        let paths = c.inputs.map { dir.appendingPathComponent("inputs/" + $0).path }
        var reader = spark.read.format(c.format).options(c.options)
        if let ddl = c.schema { reader = try reader.schema(ddl) }
        let df = reader.load(paths)
        return (try df.schema(), try df.collect().map(\.values))
    }

    func check(_ c: Case, _ label: String, _ result: () throws -> (schema: Schema, rows: [[Value]])) {
        do {
            let r = try result()
            if let errors = c.expected["error"] as? [String] {
                XCTFail("\(c.name) [\(label)]: Spark fails with \(errors), Ember read \(r.rows.count) rows")
                return
            }
            XCTAssertEqual(DataType.structure(r.schema.fields).simpleString, c.expected["schema"] as? String, "\(c.name) [\(label)] schema")
            if var rows = c.expected["rows"] as? [String] {
                var got = r.rows.map { GoldenFormat.row($0) }
                if c.inputs.count > 1 {
                    // Spark orders file splits by size; compare several files' rows as sets.
                    rows.sort()
                    got.sort()
                }
                XCTAssertEqual(got.count, rows.count, "\(c.name) [\(label)] row count")
                for (i, (g, e)) in zip(got, rows).enumerated() where g != e {
                    XCTFail("\(c.name) [\(label)] row \(i):\n  expected \(e)\n  got      \(g)")
                }
            }
        } catch let e as EmberError {
            if let errors = c.expected["error"] as? [String] {
                XCTAssertTrue(errors.contains(e.errorClass), "\(c.name) [\(label)]: expected one of \(errors), got \(e)")
            } else {
                XCTFail("\(c.name) [\(label)]: unexpected error \(e)")
            }
        } catch {
            XCTFail("\(c.name) [\(label)]: unexpected error \(error)")
        }
    }

    func testReadersMatchSpark() throws {
        let all = try Self.cases().filter { $0.kind == "read" }
        XCTAssertGreaterThan(all.count, 80)
        for c in all {
            check(c, "whole files") { try Self.read(c, maxSplitBytes: 1 << 30) }
            let whole = c.options.keys.contains { ["multiline", "wholetext"].contains($0.lowercased()) }
            if !whole {
                // Records cut at any byte must come out the same.
                for size in [1, 7, 64] {
                    check(c, "splits of \(size) bytes") { try Self.read(c, maxSplitBytes: size) }
                }
            }
            check(c, "session") { try Self.readThroughSession(c) }
        }
    }

    func testWritersMatchSpark() throws {
        let all = try Self.cases().filter { $0.kind == "write" }
        XCTAssertGreaterThan(all.count, 8)
        for c in all {
            let spark = try Session.local(cores: 1, timeZone: c.timeZone ?? "UTC")
            let target = NSTemporaryDirectory() + "ember-json-golden-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: target) }
            do {
                try spark.sql(c.sql ?? "").write.format(c.format).options(c.options).mode("overwrite").save(target)
                if let errors = c.expected["error"] as? [String] {
                    XCTFail("\(c.name): Spark fails with \(errors), Ember wrote the data")
                    continue
                }
                let parts = try FileManager.default.contentsOfDirectory(atPath: target).filter { $0.hasPrefix("part-") }.sorted()
                var text = Data()
                for p in parts { text.append(try Data(contentsOf: URL(fileURLWithPath: target + "/" + p))) }
                XCTAssertEqual(String(decoding: text, as: UTF8.self), c.expected["text"] as? String, c.name)
            } catch let e as EmberError {
                if let errors = c.expected["error"] as? [String] {
                    XCTAssertTrue(errors.contains(e.errorClass), "\(c.name): expected one of \(errors), got \(e)")
                } else {
                    XCTFail("\(c.name): unexpected error \(e)")
                }
            }
        }
    }
}

/// The canonical value text of scripts/make_json_golden.py.
enum GoldenFormat {
    static func row(_ values: [Value]) -> String { "(" + values.map(value).joined(separator: ",") + ")" }

    static func value(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .boolean(let b): return b ? "true" : "false"
        case .byte(let x): return String(x)
        case .short(let x): return String(x)
        case .int(let x): return String(x)
        case .long(let x): return String(x)
        case .float(let f): return pyRepr(Double(f))
        case .double(let d): return pyRepr(d)
        case .decimal(let d): return Decimal128.format(d.unscaled, scale: d.scale)
        case .string(let s): return pyJSON(s)
        case .binary(let b): return "x:" + b.map { String(format: "%02x", $0) }.joined()
        case .date(let d): return "d:" + DateTime.formatDate(d)
        case .timestamp(let t): return "t:\(t)"
        case .array(let xs): return "[" + xs.map(value).joined(separator: ",") + "]"
        case .structure(let xs): return "{" + xs.map(value).joined(separator: ",") + "}"
        case .map(let ks, let vs): return "{" + zip(ks, vs).map { value($0) + "->" + value($1) }.joined(separator: ",") + "}"
        }
    }

    /// Python's `json.dumps(s, ensure_ascii=False)`.
    static func pyJSON(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and
    /// from 1e16.
    static func pyRepr(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description has the same shortest digits; take them and the exponent.
        let text = "\(x.magnitude)"
        var digits = ""
        var exp = 0
        var point: Int?
        var chars = Substring(text)
        if let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(chars[chars.index(after: e)...]) ?? 0
            chars = chars[..<e]
        }
        for ch in chars {
            if ch == "." { point = digits.count } else { digits.append(ch) }
        }
        var decpt = (point ?? digits.count) + exp
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); decpt -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = x < 0 ? "-" : ""
        if decpt > 16 || decpt < -3 {
            let e = decpt - 1
            let mantissa = digits.count > 1 ? String(digits.prefix(1)) + "." + digits.dropFirst() : digits
            return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
        }
        if decpt <= 0 { return sign + "0." + String(repeating: "0", count: -decpt) + digits }
        if decpt >= digits.count { return sign + digits + String(repeating: "0", count: decpt - digits.count) + ".0" }
        return sign + digits.prefix(decpt) + "." + digits.dropFirst(decpt)
    }
}
