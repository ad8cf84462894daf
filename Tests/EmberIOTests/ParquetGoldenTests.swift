import EmberColumnar
import EmberCore
@testable import EmberIO
import Foundation
import XCTest

/// Reads Parquet files written by pyarrow 26 and Apache Spark 4.1.1 (made by
/// scripts/make_parquet_golden.py) and checks every value against the `.expected` file
/// the script wrote from the same data.
final class ParquetGoldenTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/parquet").path

    /// The canonical text of a value (the same form the Python script writes).
    static func canon(_ v: Value, _ t: DataType) -> String {
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        switch (v, t) {
        case (.null, _): return "null"
        case (.boolean(let b), _): return b ? "true" : "false"
        case (.byte(let x), _): return String(x)
        case (.short(let x), _): return String(x)
        case (.int(let x), _): return String(x)
        case (.long(let x), _): return String(x)
        case (.float(let x), _): return "f:" + String(format: "%016llx", Double(x).bitPattern)
        case (.double(let x), _): return "f:" + String(format: "%016llx", x.bitPattern)
        case (.decimal(let d), .decimal(_, let s)): return "d:\(d.unscaled)e\(s)"
        case (.string(let s), _): return "s:" + hex(Array(s.utf8))
        case (.binary(let b), _): return "b:" + hex(b)
        case (.date(let d), _): return "D:\(d)"
        case (.timestamp(let t), _): return "T:\(t)"
        case (.array(let xs), .array(let e, _)): return "[" + xs.map { canon($0, e) }.joined(separator: ",") + "]"
        case (.map(let ks, let vs), .map(let kt, let vt, _)):
            return "{" + zip(ks, vs).map { canon($0, kt) + ":" + canon($1, vt) }.joined(separator: ",") + "}"
        case (.structure(let xs), .structure(let fs)):
            return "(" + zip(xs, fs).map { canon($0, $1.dataType) }.joined(separator: ",") + ")"
        default: return "?\(v)"
        }
    }

    static func rows(_ schema: Schema, _ batches: [RecordBatch]) -> [String] {
        var out: [String] = []
        for b in batches {
            for r in 0..<b.count {
                out.append(b.columns.enumerated().map { i, c in canon(c.value(at: r), schema.fields[i].dataType) }.joined(separator: ","))
            }
        }
        return out
    }

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try String(contentsOfFile: ParquetGoldenTests.dir + "/\(name).expected", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
        var path = ParquetGoldenTests.dir + "/\(name).parquet"
        if name.hasPrefix("spark_") {
            // Spark writes a directory; the golden ones hold one part file.
            let d = ParquetGoldenTests.dir + "/" + name
            let part = try FileManager.default.contentsOfDirectory(atPath: d).first { $0.hasSuffix(".parquet") }
            path = d + "/" + (part ?? "missing")
        }
        let (schema, batches) = try ParquetReader.readFile(path)
        XCTAssertEqual(schema.fields.map { $0.name + " " + $0.dataType.sql }.joined(separator: ","), expected.first, "schema of \(name)", file: file, line: line)
        let got = ParquetGoldenTests.rows(schema, batches)
        XCTAssertEqual(got.count, expected.count - 1, "row count of \(name)", file: file, line: line)
        for (i, (g, e)) in zip(got, expected.dropFirst()).enumerated() where g != e {
            XCTFail("\(name) row \(i): got \(g), expected \(e)", file: file, line: line)
            break
        }
    }

    func testPlainUncompressedV1() throws { try check("pa_plain_none_v1") }
    func testDictionarySnappyV1() throws { try check("pa_dict_snappy_v1") }
    func testDictionaryGzipV2() throws { try check("pa_dict_gzip_v2") }
    func testPlainZstdV2() throws { try check("pa_plain_zstd_v2") }
    func testDictionaryLz4RawV1() throws { try check("pa_dict_lz4raw_v1") }
    func testPlainSnappyV2() throws { try check("pa_plain_snappy_v2") }
    func testDeltaAndByteStreamSplitV1() throws { try check("pa_delta_v1") }
    func testDeltaAndByteStreamSplitV2() throws { try check("pa_delta_v2") }
    func testNestedV1() throws { try check("pa_nested_v1") }
    func testNestedV2Snappy() throws { try check("pa_nested_v2_snappy") }
    func testInt96AndUnsigned() throws { try check("pa_int96") }
    func testTimestampMillis() throws { try check("pa_ts_millis") }
    func testTimestampNanos() throws { try check("pa_ts_nanos") }
    func testRowGroupsAndSmallPages() throws { try check("pa_rowgroups") }
    func testSparkSnappy() throws { try check("spark_snappy") }
    func testSparkGzip() throws { try check("spark_gzip") }
    func testSparkZstd() throws { try check("spark_zstd") }
    func testSparkLz4Raw() throws { try check("spark_lz4_raw") }
    func testSparkUncompressed() throws { try check("spark_none") }
}
