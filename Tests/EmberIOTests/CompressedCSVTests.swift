import Ember
import EmberCodecs
import EmberCore
import EmberIO
import Foundation
import XCTest

/// Compressed CSV input and output. The golden files come from scripts/make_codec_golden.py:
/// people.csv.gz (Python gzip, two members), people.csv.zst (zstd CLI, two frames),
/// people.csv.snappy / .lz4 / .deflate (written by Apache Spark 4.1.1's text writer),
/// people_frame.csv.lz4 (lz4 CLI). Spark 4.1.1 reads every one but the last (an LZ4 frame,
/// which Hadoop's Lz4Codec does not read) as struct<id:int,name:string,score:double,day:date,
/// note:string> with count=400, round(sum(score), 2)=19262.65 and count(note)=336.
final class CompressedCSVTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden").path
    static let files = ["people.csv.gz", "people.csv.zst", "people.csv.snappy", "people.csv.lz4", "people.csv.deflate", "people_frame.csv.lz4"]

    func testReadsFilesCompressedByOtherTools() throws {
        let plain = try CSVFixture.read(Self.golden + "/people.csv", ["header": "true", "inferSchema": "true"])
        XCTAssertEqual(plain.rows.count, 400)
        for name in Self.files {
            let path = Self.golden + "/" + name
            // A compressed file is a single split, whatever the split size.
            let splits = try CSVReader.splits(paths: [path], options: CSVOptions(), maxSplitBytes: 100)
            XCTAssertEqual(splits.count, 1, name)
            let r = try CSVFixture.read(path, ["header": "true", "inferSchema": "true"], maxSplitBytes: 100, batchSize: 64)
            XCTAssertEqual(r.schema.ddl, "id INT,name STRING,score DOUBLE,day DATE,note STRING", name)
            XCTAssertEqual(r.rows.count, 400, name)
            let sum = r.rows.reduce(0.0) { acc, row in if case .double(let d) = row[2] { return acc + d } else { return acc } }
            XCTAssertEqual((sum * 100).rounded() / 100, 19262.65, name)
            XCTAssertEqual(r.rows.filter { $0[4] != .null }.count, 336, name)
            XCTAssertEqual(r.rows, plain.rows, name)
        }
        let first = try CSVFixture.read(Self.golden + "/people.csv.zst", ["header": "true"], schema: "id INT, name STRING, score DOUBLE, day DATE, note STRING")
        XCTAssertEqual(first.rows[0], [.int(0), .string("Alan"), .double(39.48), CSVFixture.date("2024-01-03"), .string("has, comma")])
    }

    /// A file larger than the 8 MiB parsing chunk, with CRLF line ends, quoted fields and a
    /// BOM: every compressed form reads exactly like the plain file.
    func testLargeFilesAcrossChunks() throws {
        var text = "\u{FEFF}k,s,v\r\n"
        var i = 0
        while text.utf8.count < 9_000_000 {
            text += "\(i),\"q,\(i % 13)\",\(Double(i) / 4)\r\n"
            i += 1
        }
        let bytes = Array(text.utf8)
        let dir = CSVFixture.dir()
        let plainPath = dir + "/big.csv"
        _ = FileManager.default.createFile(atPath: plainPath, contents: Data(bytes))
        let opts = ["header": "true"], ddl = "k INT, s STRING, v DOUBLE"
        let expected = try CSVFixture.read(plainPath, opts, schema: ddl)
        XCTAssertEqual(expected.rows.count, i)
        XCTAssertEqual(expected.rows[i - 1], [.int(Int32(i - 1)), .string("q,\((i - 1) % 13)"), .double(Double(i - 1) / 4)])
        for kind in FileCodec.Kind.allCases {
            let c = try FileCodec.compressor(kind)
            var out: [UInt8] = []
            try bytes.withUnsafeBytes { try c.compress($0, into: &out) }
            try c.finish(into: &out)
            let path = dir + "/big.csv" + kind.fileExtension
            _ = FileManager.default.createFile(atPath: path, contents: Data(out))
            XCTAssertEqual(try CSVFixture.read(path, opts, schema: ddl).rows, expected.rows, "\(kind)")
        }
    }

    func testLineChunksNeverSplitALine() throws {
        // Mixed line ends; a \r\n straddles the decoder's first 256 KiB piece.
        var text: [UInt8] = []
        while text.count < 262_143 - 40 { text += Array("filler line \(text.count)\n".utf8) }
        text += [UInt8](repeating: UInt8(ascii: "x"), count: 262_143 - text.count) + [13, 10]
        for i in 0..<40_000 { text += Array("line \(i)\(i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r")".utf8) }
        let path = CSVFixture.dir() + "/lines.txt.gz"
        var gz: [UInt8] = []
        try text.withUnsafeBytes { try Codec.gzip.compress($0, into: &gz) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(gz))
        var joined: [UInt8] = []
        var chunks = 0
        try CompressedFiles.forEachLineChunk(path: path, kind: .gzip, chunkSize: 1000) { chunk, offset in
            XCTAssertEqual(offset, joined.count)
            let end = offset + chunk.count
            if end < text.count {
                XCTAssertGreaterThanOrEqual(chunk.count, 1000)
                let last = chunk[chunk.count - 1]
                XCTAssertTrue(last == 10 || last == 13)
                // A chunk ending in \r is never followed by the \n of the same line end.
                if last == 13 { XCTAssertNotEqual(text[end], 10, "split \\r\\n at \(end)") }
            }
            joined += chunk
            chunks += 1
            return true
        }
        XCTAssertEqual(joined, text)
        XCTAssertGreaterThan(chunks, 2)
        XCTAssertEqual(try CompressedFiles.readAll(path: path, kind: .gzip), text)
        // Stopping early reads no further.
        var seen = 0
        try CompressedFiles.forEachLineChunk(path: path, kind: .gzip, chunkSize: 500) { _, _ in seen += 1; return false }
        XCTAssertEqual(seen, 1)
    }

    func testWritesCompressedPartFiles() throws {
        let spark = try Session.local(cores: 2, shufflePartitions: 2)
        let rows: [[Value]] = (0..<500).map { [.int(Int32($0)), .string("name \($0 % 7)"), .double(Double($0) / 8)] }
        let df = try spark.createDataFrame(rows, schema: Schema(ddl: "id INT, name STRING, x DOUBLE"))
        let magic: [String: [UInt8]] = [
            "gzip": [0x1F, 0x8B], "zstd": [0x28, 0xB5, 0x2F, 0xFD], "deflate": [0x78], "snappy": [0, 0], "lz4": [0, 0],
            "bzip2": Array("BZh9".utf8),
        ]
        for (codec, ext) in [
            ("gzip", ".csv.gz"), ("zstd", ".csv.zst"), ("snappy", ".csv.snappy"), ("lz4", ".csv.lz4"), ("deflate", ".csv.deflate"),
            ("bzip2", ".csv.bz2"),
        ] {
            let dir = CSVFixture.dir() + "/out-" + codec
            try df.write.option("header", true).option(codec == "deflate" ? "codec" : "compression", codec).csv(dir)
            let parts = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("part-") }
            XCTAssertFalse(parts.isEmpty, codec)
            for p in parts {
                XCTAssertTrue(p.hasSuffix(ext), "\(codec): \(p)")
                let head = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + p)).prefix(magic[codec]?.count ?? 0))
                XCTAssertEqual(head, magic[codec], "\(codec): \(p)")
            }
            let back = try spark.read.option("header", true).schema("id INT, name STRING, x DOUBLE").csv(dir).collect()
            XCTAssertEqual(back.map(\.values).sorted { "\($0[0])" < "\($1[0])" }, rows.sorted { "\($0[0])" < "\($1[0])" }, codec)
        }
        // `none` writes plain part files.
        let plainDir = CSVFixture.dir() + "/out-none"
        try df.write.option("compression", "none").csv(plainDir)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: plainDir).filter { $0.hasPrefix("part-") }.allSatisfy { $0.hasSuffix(".csv") })
    }

    func testCompressionOptionErrors() {
        XCTAssertThrowsError(try CSVOptions(["compression": "foo"])) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION")
        }
        XCTAssertEqual(try CSVOptions(["compression": "bzip2"]).compression, .bzip2)
        XCTAssertEqual(try CSVOptions(["codec": "GZIP"]).compression, .gzip)
        XCTAssertEqual(try CSVOptions(["compression": "zstd", "codec": "gzip"]).compression, .zstd)
        XCTAssertNil(try CSVOptions(["compression": "uncompressed"]).compression)
        XCTAssertEqual(CSVWriter.fileExtension(try CSVOptions(["compression": "snappy"])), "csv.snappy")
        XCTAssertEqual(CSVWriter.fileExtension(CSVOptions()), "csv")
    }

    func testCorruptAndUnsupportedFilesNameTheFile() throws {
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: Self.golden + "/people.csv.gz")))
        let truncated = CSVFixture.file(Array(good.prefix(good.count - 100)), name: "cut.csv.gz")
        XCTAssertThrowsError(try CSVFixture.read(truncated, ["header": "true"], schema: "id INT")) { e in
            let m = (e as? EmberError)?.message ?? ""
            XCTAssertTrue(m.contains("Corrupt GZIP data at byte") && m.contains("(file \(truncated))"), m)
        }
        var flipped = good
        flipped[40] ^= 0xFF
        let bad = CSVFixture.file(flipped, name: "bad.csv.gz")
        XCTAssertThrowsError(try CSVFixture.read(bad, ["header": "true"], schema: "id INT")) { e in
            XCTAssertTrue((e as? EmberError)?.message.contains(bad) ?? false, "\(e)")
        }
        let xz = CSVFixture.file("a\n1\n", name: "x.csv.xz")
        XCTAssertThrowsError(try CSVFixture.read(xz, [:], schema: "a INT")) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "UNSUPPORTED_FEATURE")
        }
        XCTAssertThrowsError(try CSVFixture.read(xz, ["inferSchema": "true"])) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "UNSUPPORTED_FEATURE")
        }
    }

    func testMultiLineRecordsInACompressedFile() throws {
        let text = Array("id,text\n1,\"two\nlines\"\n2,\"a \"\"quoted\"\"\r\nvalue\"\n3,plain\n".utf8)
        var gz: [UInt8] = []
        try text.withUnsafeBytes { try Codec.gzip.compress($0, into: &gz) }
        let path = CSVFixture.file(gz, name: "multi.csv.gz")
        let r = try CSVFixture.read(path, ["header": "true", "multiLine": "true", "escape": "\"", "inferSchema": "true"])
        XCTAssertEqual(r.schema.ddl, "id INT,text STRING")
        XCTAssertEqual(r.rows, [[.int(1), .string("two\nlines")], [.int(2), .string("a \"quoted\"\r\nvalue")], [.int(3), .string("plain")]])
    }

    func testFailFastLineNumberInACompressedFile() throws {
        let text = Array("a,b\n1,x\n2,y\nthree,z\n4,w\n".utf8)
        var z: [UInt8] = []
        try text.withUnsafeBytes { try Codec.zstd.compress($0, into: &z) }
        let path = CSVFixture.file(z, name: "ff.csv.zst")
        XCTAssertThrowsError(try CSVFixture.read(path, ["header": "true", "mode": "FAILFAST"], schema: "a INT, b STRING")) { e in
            let m = (e as? EmberError)?.message ?? ""
            XCTAssertTrue(m.contains("[three,z]") && m.contains("(file \(path), line 4)"), m)
        }
    }
}
