import Ember
import EmberColumnar
import EmberCore
@testable import EmberIO
import Foundation
import XCTest

/// Files Ember writes, read back by pyarrow, DuckDB and Spark (scripts/check_parquet_interop.py;
/// Spark also checks the schema, metadata included, of the `metadata` dataset),
/// when python3 with pyarrow is on the machine (the test command installs it; skipped otherwise).
final class ParquetInteropTests: XCTestCase {
    func python(_ args: [String]) -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (-1, "\(error)") }
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    func testPyArrowDuckDBAndSparkReadEmberFiles() throws {
        guard python(["-c", "import pyarrow"]).0 == 0 else { throw XCTSkip("python3 with pyarrow is not available") }
        let dir = NSTemporaryDirectory() + "ember-interop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spark = try Session.local(cores: 2)

        let flat = try Schema(ddl: "b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INT, i64 BIGINT, f32 FLOAT, f64 DOUBLE, s STRING, bin BINARY, d DATE, ts TIMESTAMP, dec_small DECIMAL(5,2), dec_mid DECIMAL(15,3), dec_big DECIMAL(38,10)")
        var flatRows: [[Value]] = []
        for i in 0..<500 {
            if i % 17 == 0 { flatRows.append(Array(repeating: .null, count: 14)); continue }
            flatRows.append([
                .boolean(i % 3 == 0), .byte(Int8(truncatingIfNeeded: i)), .short(Int16(truncatingIfNeeded: i * 300)),
                .int(Int32(i * 7 - 1000)), .long(Int64(i) * 1_000_000_007), .float(Float(i) / 4), .double(Double(i) * 0.1),
                .string(i % 5 == 0 ? "" : "s\(i % 23)é"), .binary([UInt8(i % 256), 0, 255]), .date(Int32(i * 37 - 9000)),
                .timestamp(Int64(i) * 86_400_123_457 - 40_000_000_000_000),
                .decimal(Decimal128(unscaled: Int128(i * 31 - 5000), scale: 2)),
                .decimal(Decimal128(unscaled: Int128(i) * 1_000_000_007, scale: 3)),
                .decimal(Decimal128(unscaled: Int128(i) * 100_000_000_000_000_007 - 3, scale: 10)),
            ])
        }
        let nested = try Schema(ddl: "id BIGINT, st STRUCT<x: INT, y: STRING>, li ARRAY<INT>, m MAP<STRING, DOUBLE>, ll ARRAY<ARRAY<STRING>>")
        var nestedRows: [[Value]] = []
        for i in 0..<300 {
            nestedRows.append([
                .long(Int64(i)),
                i % 7 == 0 ? .null : .structure([i % 3 == 0 ? .null : .int(Int32(i)), .string("y\(i)")]),
                i % 5 == 0 ? .null : .array((0..<(i % 4)).map { k in k == 1 ? .null : .int(Int32(k + i)) }),
                i % 6 == 0 ? .null : .map(keys: (0..<(i % 3)).map { .string("k\($0)") }, values: (0..<(i % 3)).map { k in k == 0 ? .null : .double(Double(k) / 2) }),
                .array((0..<(i % 3)).map { k in k == 0 ? .array([]) : .array([.string("a\(k)"), .null]) }),
            ])
        }
        func save(_ name: String, _ schema: Schema, _ rows: [[Value]], _ options: [String: String]) throws {
            let df = try spark.createDataFrame(rows, schema: schema)
            try df.write.options(options).parquet(dir + "/" + name)
            var text = schema.fields.map { $0.name + " " + $0.dataType.sql }.joined(separator: ",") + "\n"
            for r in rows { text += zip(r, schema.fields).map { ParquetGoldenTests.canon($0, $1.dataType) }.joined(separator: ",") + "\n" }
            try text.write(toFile: dir + "/\(name).expected", atomically: true, encoding: .utf8)
        }
        for codec in ["none", "snappy", "gzip", "zstd", "lz4_raw"] {
            try save("flat_\(codec)", flat, flatRows, ["compression": codec, "parquet.page.size": "4096"])
        }
        try save("flat_nodict", flat, flatRows, ["parquet.enable.dictionary": "false"])
        try save("nested", nested, nestedRows, [:])
        // Spark must see the field metadata and the vector type (the golden text Spark wrote).
        try save("metadata", ParquetMetadataTests.schema, ParquetMetadataTests.rows, [:])
        try FileManager.default.copyItem(atPath: ParquetMetadataTests.golden + "/spark_metadata.footer.json", toPath: dir + "/metadata.sparkschema")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        var args = [root + "/scripts/check_parquet_interop.py", dir]
        if python(["-c", "import pyspark"]).0 == 0 && ProcessInfo.processInfo.environment["EMBER_SKIP_SPARK"] == nil { args.append("--spark") }
        let (status, output) = python(args)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("checked 8 datasets, 0 failures"), output)
    }
}
