import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// Expected file contents were written by Apache Spark 4.1.1 (pyspark 4.1.1, session
/// time zone UTC) from the same rows with the same options.
final class CSVWriterTests: XCTestCase {
    func batch(_ schema: Schema, _ rows: [[Value]]) throws -> RecordBatch {
        let cols = try schema.fields.indices.map { c in try Column.from(rows.map { $0[c] }, type: schema[c].dataType) }
        return RecordBatch(schema: schema, columns: cols, count: rows.count)
    }

    func sample() throws -> (Schema, RecordBatch) {
        let schema = try Schema(ddl: "i INT, d DOUBLE, s STRING, dt DATE, ts TIMESTAMP, dec DECIMAL(5,2), b BOOLEAN")
        let n = Value.null
        func dec(_ v: Int128) -> Value { .decimal(Decimal128(unscaled: v, scale: 2)) }
        let rows: [[Value]] = [
            [.int(1), .double(1.5), .string("plain"), CSVFixture.date("2024-01-02"), CSVFixture.ts("2024-01-02 03:04:05.123"), dec(150), .boolean(true)],
            [.int(2), .double(1e20), .string("a,b"), CSVFixture.date("2024-01-02"), CSVFixture.ts("2024-01-02 03:04:05"), dec(-50), .boolean(false)],
            [.int(3), .double(0.0001), .string("he \"q\""), n, CSVFixture.ts("2024-01-02 03:04:05.1"), n, n],
            [.int(4), n, .string(""), n, n, n, n],
            [.int(5), .double(-0.0), .string(" lead"), n, n, n, n],
            [.int(6), .double(1e7), .string("trail "), n, n, n, n],
            [.int(7), .double(123456789.125), .string("nl\nx"), n, n, n, n],
            [.int(8), .double(1.0), n, n, n, n, n],
            [.int(9), .double(1.0), .string("\\back"), n, n, n, n],
        ]
        return (schema, try batch(schema, rows))
    }

    func write(_ batches: [RecordBatch], _ schema: Schema, _ opts: [String: String], header: Bool) throws -> String {
        let path = CSVFixture.dir() + "/out.csv"
        try CSVWriter.write(batches: batches, schema: schema, to: path, options: CSVOptions(opts), zone: .utc, includeHeader: header)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    func testWritesLikeSpark() throws {
        let (schema, b) = try sample()
        XCTAssertEqual(
            try write([b], schema, [:], header: true),
            """
            i,d,s,dt,ts,dec,b
            1,1.5,plain,2024-01-02,2024-01-02T03:04:05.123Z,1.50,true
            2,1.0E20,"a,b",2024-01-02,2024-01-02T03:04:05.000Z,-0.50,false
            3,1.0E-4,"he \\"q\\"",,2024-01-02T03:04:05.100Z,,
            4,,"",,,,
            5,-0.0,lead,,,,
            6,1.0E7,trail,,,,
            7,1.23456789125E8,"nl
            x",,,,
            8,1.0,,,,,
            9,1.0,\\back,,,,

            """)
        let all = try write([b], schema, ["quoteAll": "true", "nullValue": "N"], header: false)
        let lines = all.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[2], #""3","1.0E-4","he \"q\"","N","2024-01-02T03:04:05.100Z","N","N""#)
        XCTAssertEqual(lines[3], #""4","N","","N","N","N","N""#)
        XCTAssertEqual(lines[9], #""9","1.0","\\back","N","N","N","N""#)
    }

    func testQuotingRules() throws {
        let schema = try Schema(ddl: "s STRING")
        let vals = ["a\\,b", "q\"", "x\\", " ", "#c", "a\rb", "\\\""]
        let b = try batch(schema, vals.map { [.string($0)] })
        XCTAssertEqual(try write([b], schema, [:], header: false), "\"a\\\\,b\"\n\"q\\\"\"\nx\\\n\"\"\n\"#c\"\n\"a\rb\"\n\"\\\\\\\"\"\n")
        let ts = try Schema(ddl: "ts TIMESTAMP, d DATE")
        let tb = try batch(ts, [[CSVFixture.ts("2024-01-02 03:04:05.123"), CSVFixture.date("2024-01-02")]])
        XCTAssertEqual(try write([tb], ts, ["timestampFormat": "dd/MM/yyyy HH:mm", "dateFormat": "dd.MM.yyyy"], header: false), "02/01/2024 03:04,02.01.2024\n")
    }

    func testRoundTrip() throws {
        let (schema, b) = try sample()
        let path = CSVFixture.dir() + "/rt.csv"
        try CSVWriter.write(batches: [b, b], schema: schema, to: path, options: CSVOptions(), zone: .utc, includeHeader: true)
        let r = try CSVFixture.read(path, ["header": "true"], schema: schema.ddl)
        XCTAssertEqual(r.rows.count, 20)  // without multiLine "nl\nx" is two records, as in Spark
        // Spark's writer trims blanks and loses the empty/NULL distinction by default;
        // everything else survives (multi-line values need multiLine to read back).
        let again = try CSVFixture.read(path, ["header": "true", "multiLine": "true"], schema: schema.ddl)
        for (i, row) in again.rows.prefix(9).enumerated() {
            var expected = b.row(i)
            if i == 3 { expected[2] = .null }
            if i == 4 { expected[2] = .string("lead") }
            if i == 5 { expected[2] = .string("trail") }
            XCTAssertEqual(row, expected, "row \(i)")
        }
    }
}

final class FileCommitTests: XCTestCase {
    func writePart(_ job: FileCommitJob, _ i: Int, _ text: String) {
        _ = FileManager.default.createFile(atPath: job.partPath(i, ext: "csv"), contents: Data(text.utf8))
    }

    func contents(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("part-") }.sorted().compactMap {
            try? String(contentsOfFile: dir + "/" + $0, encoding: .utf8)
        }
    }

    func testOverwriteAppendAndAbort() throws {
        let target = CSVFixture.dir() + "/table"
        var job = try XCTUnwrap(FileCommit.begin(target: target, mode: .errorIfExists))
        XCTAssertTrue(job.partPath(3, ext: "csv").hasSuffix("-c000.csv"))
        XCTAssertTrue((job.partPath(3, ext: "csv") as NSString).lastPathComponent.hasPrefix("part-00003-"))
        writePart(job, 0, "old\n")
        try job.commit()
        XCTAssertTrue(FileManager.default.fileExists(atPath: target + "/_SUCCESS"))
        XCTAssertEqual(contents(target), ["old\n"])

        XCTAssertThrowsError(try FileCommit.begin(target: target, mode: .errorIfExists)) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "PATH_ALREADY_EXISTS")
        }
        XCTAssertNil(try FileCommit.begin(target: target, mode: .ignore))

        // An aborted overwrite leaves the old data intact and no staging behind.
        job = try XCTUnwrap(FileCommit.begin(target: target, mode: .overwrite))
        writePart(job, 0, "half-written")
        XCTAssertEqual(contents(target), ["old\n"])
        job.abort()
        XCTAssertEqual(contents(target), ["old\n"])
        let parent = (target as NSString).deletingLastPathComponent
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent), ["table"])

        job = try XCTUnwrap(FileCommit.begin(target: target, mode: .append))
        writePart(job, 0, "more\n")
        try job.commit()
        XCTAssertEqual(Set(contents(target)), ["old\n", "more\n"])

        job = try XCTUnwrap(FileCommit.begin(target: target, mode: .overwrite))
        writePart(job, 0, "new\n")
        try job.commit()
        XCTAssertEqual(contents(target), ["new\n"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent), ["table"])

        XCTAssertEqual(try SaveMode(spark: "ErrorIfExists"), .errorIfExists)
        XCTAssertEqual(try SaveMode(spark: "default"), .errorIfExists)
        XCTAssertThrowsError(try SaveMode(spark: "upsert"))
    }
}
