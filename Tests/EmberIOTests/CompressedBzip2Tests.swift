import Ember
import EmberCodecs
import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// `.bz2` text files (Hadoop's BZip2Codec in Spark). The golden files come from
/// scripts/make_bzip2_golden.py (Python's `bz2` module): people.csv.bz2 (people.csv as two
/// streams split mid-line), people.json.bz2 (jsonLine(0..<40), one stream), lines.txt.bz2
/// (textLines as three streams, the middle one empty). Apache Spark 4.1.1 reads them as
/// struct<id:int,name:string,score:double,day:date,note:string> with count=400,
/// round(sum(score), 2)=19262.65, count(note)=336; struct<id:bigint,name:string,score:double>
/// with count=40, sum(id)=780, sum(score)=800.0; and the five lines of `textValues`.
final class CompressedBzip2Tests: XCTestCase {
    static let golden = CompressedCSVTests.golden

    /// Mirrors json_lines() of the script.
    static func jsonLine(_ i: Int) -> String { "{\"id\":\(i),\"name\":\"n\(i % 3)\",\"score\":\(i).5}\n" }
    /// Mirrors text_lines() of the script.
    static let textLines = "alpha\r\nbéta ünïcode\n\nline\twith tab\rlast line\n"
    static let textValues: [Value] = ["alpha", "béta ünïcode", "", "line\twith tab", "last line"].map { .string($0) }

    func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "ember-bz2-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func copyGolden(_ name: String, to path: String) throws {
        try FileManager.default.copyItem(atPath: Self.golden + "/" + name, toPath: path)
    }

    func testReadsPythonBzip2Files() throws {
        // CSV: two concatenated streams, split mid-line, read like the plain file.
        let csvPath = Self.golden + "/people.csv.bz2"
        XCTAssertEqual(FileCodec.forPath(csvPath), .bzip2)
        XCTAssertEqual(try CSVReader.splits(paths: [csvPath], options: CSVOptions(), maxSplitBytes: 100).count, 1)
        let plain = try CSVFixture.read(Self.golden + "/people.csv", ["header": "true", "inferSchema": "true"])
        let r = try CSVFixture.read(csvPath, ["header": "true", "inferSchema": "true"], maxSplitBytes: 100, batchSize: 64)
        XCTAssertEqual(r.schema.ddl, "id INT,name STRING,score DOUBLE,day DATE,note STRING")
        XCTAssertEqual(r.rows.count, 400)
        let total = r.rows.reduce(0.0) { acc, row in if case .double(let d) = row[2] { return acc + d } else { return acc } }
        XCTAssertEqual((total * 100).rounded() / 100, 19262.65)
        XCTAssertEqual(r.rows.filter { $0[4] != .null }.count, 336)
        XCTAssertEqual(r.rows, plain.rows)
        XCTAssertEqual(r.rows[0], [.int(0), .string("Alan"), .double(39.48), CSVFixture.date("2024-01-03"), .string("has, comma")])

        let spark = try Session.local(cores: 2)
        // JSON lines: one stream.
        let json = spark.read.json(Self.golden + "/people.json.bz2")
        XCTAssertEqual(try json.schema().ddl, "id BIGINT,name STRING,score DOUBLE")
        XCTAssertEqual(
            try json.agg(count(lit(1)), sum(col("id")), sum(col("score"))).collect().map(\.values),
            [[.long(40), .long(780), .double(800.0)]])
        XCTAssertEqual(try json.filter(col("id") === 7).collect().map(\.values), [[.long(7), .string("n1"), .double(7.5)]])
        // Text: three streams (the middle one empty), CRLF, CR and LF line ends, UTF-8.
        let text = try spark.read.text(Self.golden + "/lines.txt.bz2").collect().map(\.values)
        XCTAssertEqual(text, Self.textValues.map { [$0] })
        XCTAssertEqual(
            try CompressedFiles.readAll(path: Self.golden + "/lines.txt.bz2", kind: .bzip2), Array(Self.textLines.utf8))
    }

    func testWritesBzip2PartFilesAndReadsThemBack() throws {
        let spark = try Session.local(cores: 2, shufflePartitions: 2)
        let rows: [[Value]] = (0..<3000).map { [.int(Int32($0)), .string("name \($0 % 7)"), .double(Double($0) / 8)] }
        let df = try spark.createDataFrame(rows, schema: Schema(ddl: "id INT, name STRING, x DOUBLE"))
        let sorted = rows.sorted { "\($0[0])" < "\($1[0])" }
        let base = try tempDir()
        func parts(_ dir: String, _ ext: String) throws -> [String] {
            let ps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("part-") }
            XCTAssertFalse(ps.isEmpty, dir)
            for p in ps {
                XCTAssertTrue(p.hasSuffix(ext), p)
                let head = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + p)).prefix(4))
                XCTAssertEqual(head, Array("BZh9".utf8), p)
            }
            return ps
        }
        // CSV, with Hadoop's codec class name in mixed case.
        let csvDir = base + "/csv"
        try df.write.option("header", true).option("compression", "org.apache.hadoop.io.compress.BZip2Codec").csv(csvDir)
        _ = try parts(csvDir, ".csv.bz2")
        let csvBack = try spark.read.option("header", true).schema("id INT, name STRING, x DOUBLE").csv(csvDir).collect()
        XCTAssertEqual(csvBack.map(\.values).sorted { "\($0[0])" < "\($1[0])" }, sorted)
        // JSON lines.
        let jsonDir = base + "/json"
        try df.write.option("compression", "bzip2").json(jsonDir)
        _ = try parts(jsonDir, ".json.bz2")
        let jsonBack = try spark.read.schema("id INT, name STRING, x DOUBLE").json(jsonDir).collect()
        XCTAssertEqual(jsonBack.map(\.values).sorted { "\($0[0])" < "\($1[0])" }, sorted)
        // Text.
        let textDir = base + "/text"
        try df.select(col("name")).write.option("codec", "BZIP2").text(textDir)
        _ = try parts(textDir, ".txt.bz2")
        let textBack = try spark.read.text(textDir).collect().map(\.values)
        XCTAssertEqual(textBack.count, 3000)
        XCTAssertEqual(
            Dictionary(grouping: textBack.compactMap { $0.first?.stringValue }, by: { $0 }).mapValues(\.count),
            Dictionary(uniqueKeysWithValues: (0..<7).map { ("name \($0)", $0 < 4 ? 429 : 428) }))
    }

    /// Files Ember writes decode (with libbz2 here, and with Python's `bz2` module when
    /// python3 is on the machine) to exactly the text of the plain writers.
    func testWrittenFilesDecodeToTheExactText() throws {
        let dir = try tempDir()
        // Text past one 900 KB bzip2 block, so the file holds several blocks.
        var lines: [Value] = []
        var expectedText = ""
        for i in 0..<40_000 {
            let s = "line \(i) \(String(repeating: "ab", count: i % 11)) é"
            // A NULL writes an empty line.
            lines.append(i == 5 ? .null : .string(s))
            expectedText += (i == 5 ? "" : s) + "\n"
        }
        let textSchema = try Schema(ddl: "value STRING")
        let textBatch = RecordBatch(schema: textSchema, columns: [try Column.from(lines, type: .string)], count: lines.count)
        let textPath = dir + "/out.txt.bz2"
        try TextWriter.write(batches: [textBatch], schema: textSchema, to: textPath, options: TextOptions(["compression": "bzip2"]))

        let schema = try Schema(ddl: "id INT, name STRING, x DOUBLE")
        let rows: [[Value]] = [[.int(1), .string("a,b"), .double(1.5)], [.int(2), .null, .double(-0.25)], [.int(3), .string("c"), .null]]
        let cols = try schema.fields.indices.map { c in try Column.from(rows.map { $0[c] }, type: schema[c].dataType) }
        let batch = RecordBatch(schema: schema, columns: cols, count: rows.count)
        let jsonPath = dir + "/out.json.bz2"
        try JSONWriter.write(batches: [batch], schema: schema, to: jsonPath, options: JSONOptions(["compression": "bzip2"]), zone: .utc)
        let csvPath = dir + "/out.csv.bz2"
        try CSVWriter.write(
            batches: [batch], schema: schema, to: csvPath, options: CSVOptions(["compression": "bzip2"]), zone: .utc, includeHeader: true)

        let expected = [
            textPath: expectedText,
            jsonPath: "{\"id\":1,\"name\":\"a,b\",\"x\":1.5}\n{\"id\":2,\"x\":-0.25}\n{\"id\":3,\"name\":\"c\"}\n",
            csvPath: "id,name,x\n1,\"a,b\",1.5\n2,,-0.25\n3,c,\n",
        ]
        for (path, text) in expected {
            XCTAssertEqual(try CompressedFiles.readAll(path: path, kind: .bzip2), Array(text.utf8), path)
        }
        let compressed = try Data(contentsOf: URL(fileURLWithPath: textPath)).count
        XCTAssertLessThan(compressed, expectedText.utf8.count / 5)

        guard python(["-c", "import bz2"]).status == 0 else { throw XCTSkip("python3 is not available") }
        for (path, text) in expected {
            let r = python(["-c", "import bz2, sys; sys.stdout.buffer.write(bz2.open(sys.argv[1]).read())", path])
            XCTAssertEqual(r.status, 0, path)
            XCTAssertEqual(r.output, Array(text.utf8), path)
        }
    }

    func testTruncatedAndCorruptFilesNameTheFile() throws {
        let dir = try tempDir()
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: Self.golden + "/people.csv.bz2")))
        let spark = try Session.local(cores: 2)
        // Cut inside the second stream: CSV, JSON and text readers all name the file.
        for name in ["cut.csv.bz2", "cut.json.bz2", "cut.txt.bz2"] {
            let path = dir + "/" + name
            _ = FileManager.default.createFile(atPath: path, contents: Data(good.prefix(good.count - 100)))
            let read: () throws -> Any
            switch name {
            case "cut.csv.bz2": read = { try CSVFixture.read(path, ["header": "true"], schema: "id INT") }
            case "cut.json.bz2": read = { try spark.read.schema("id INT").json(path).collect() }
            default: read = { try spark.read.text(path).collect() }
            }
            XCTAssertThrowsError(try read()) { e in
                let m = (e as? EmberError)?.message ?? ""
                XCTAssertTrue(m.contains("Corrupt BZIP2 data at byte") && m.contains("the input ends inside the compressed stream"), m)
                XCTAssertTrue(m.contains("(file \(path))"), m)
            }
        }
        // A flipped byte fails the block checksum (or the block's structure).
        var flipped = good
        flipped[200] ^= 0x55
        let bad = dir + "/bad.csv.bz2"
        _ = FileManager.default.createFile(atPath: bad, contents: Data(flipped))
        XCTAssertThrowsError(try CSVFixture.read(bad, ["header": "true"], schema: "id INT")) { e in
            let m = (e as? EmberError)?.message ?? ""
            XCTAssertTrue(m.contains("Corrupt BZIP2 data") && m.contains("(file \(bad))"), m)
        }
        // Bytes after the last stream that do not start another one.
        let trailing = dir + "/trailing.txt.bz2"
        _ = FileManager.default.createFile(atPath: trailing, contents: Data(good + Array("garbage".utf8)))
        XCTAssertThrowsError(try spark.read.text(trailing).collect()) { e in
            let m = (e as? EmberError)?.message ?? ""
            XCTAssertTrue(m.contains("BZ_DATA_ERROR_MAGIC") && m.contains("(file \(trailing))"), m)
        }
        // A file that is not bzip2 at all.
        let plain = dir + "/plain.json.bz2"
        _ = FileManager.default.createFile(atPath: plain, contents: Data("{\"id\":1}\n".utf8))
        XCTAssertThrowsError(try spark.read.schema("id INT").json(plain).collect()) { e in
            let m = (e as? EmberError)?.message ?? ""
            XCTAssertTrue(m.contains("Corrupt BZIP2 data at byte") && m.contains("(file \(plain))"), m)
        }
    }

    /// xz, zip and brotli files are refused by every line reader, not read as text.
    func testUnreadableCompressedFilesAreRefused() throws {
        let dir = try tempDir()
        let spark = try Session.local(cores: 2)
        for ext in ["xz", "zip", "br", "XZ"] {
            let json = dir + "/data.json.\(ext)"
            _ = FileManager.default.createFile(atPath: json, contents: Data("{\"a\":1}\n".utf8))
            let text = dir + "/data.txt.\(ext)"
            _ = FileManager.default.createFile(atPath: text, contents: Data("hello\n".utf8))
            let reads: [(String, () throws -> Any)] = [
                (json, { try spark.read.json(json).collect() }),  // schema inference
                (json, { try spark.read.schema("a INT").json(json).collect() }),
                (text, { try spark.read.text(text).collect() }),
                (text, { try spark.read.option("wholetext", true).text(text).collect() }),
                (text, { try CSVFixture.read(text, [:], schema: "a STRING") }),
            ]
            for (path, read) in reads {
                XCTAssertThrowsError(try read()) { e in
                    let err = e as? EmberError
                    XCTAssertEqual(err?.errorClass, "UNSUPPORTED_FEATURE", "\(e)")
                    XCTAssertTrue(err?.message.contains("input of this kind is not supported: \(path)") ?? false, "\(e)")
                }
            }
        }
    }

    func testBzip2OptionNames() throws {
        XCTAssertEqual(try JSONOptions(["compression": "bzip2"]).compression, .bzip2)
        XCTAssertEqual(try JSONOptions(["codec": "org.apache.hadoop.io.compress.bzip2codec"]).compression, .bzip2)
        XCTAssertEqual(try TextOptions(["CODEC": "org.apache.hadoop.io.compress.BZip2Codec"]).compression, .bzip2)
        XCTAssertEqual(try TextOptions(["compression": "gzip", "codec": "bzip2"]).compression, .gzip)
        XCTAssertNil(try TextOptions(["compression": "none"]).compression)
        XCTAssertNil(try JSONOptions(["compression": "uncompressed"]).compression)
        XCTAssertEqual(try CSVOptions(["compression": "BZip2"]).compression, .bzip2)
        XCTAssertEqual(JSONWriter.fileExtension(try JSONOptions(["compression": "bzip2"])), "json.bz2")
        XCTAssertEqual(JSONWriter.fileExtension(JSONOptions()), "json")
        XCTAssertEqual(TextWriter.fileExtension(try TextOptions(["compression": "bzip2"])), "txt.bz2")
        XCTAssertEqual(TextWriter.fileExtension(try TextOptions(["compression": "zstd"])), "txt.zst")
        XCTAssertEqual(CSVWriter.fileExtension(try CSVOptions(["compression": "bzip2"])), "csv.bz2")
        // Spark 4.1.1's message for an unknown codec lists bzip2 (Ember adds zstd).
        let makers: [() throws -> Void] = [{ _ = try JSONOptions(["compression": "foo"]) }, { _ = try TextOptions(["codec": "foo"]) }]
        for make in makers {
            XCTAssertThrowsError(try make()) { e in
                XCTAssertEqual((e as? EmberError)?.errorClass, "CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION")
                XCTAssertEqual(
                    (e as? EmberError)?.message,
                    "The codec foo is not available. Available codecs are bzip2, deflate, uncompressed, snappy, none, lz4, gzip, zstd.")
            }
        }
    }

    func python(_ args: [String]) -> (status: Int32, output: [UInt8]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, []) }
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, Array(out))
    }
}
