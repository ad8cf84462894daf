import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// Test helpers: temporary files and whole-file reads.
enum CSVFixture {
    static func dir() -> String {
        let d = NSTemporaryDirectory() + "ember-csv-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func file(_ content: String, name: String = "data.csv") -> String {
        file(Array(content.utf8), name: name)
    }

    static func file(_ bytes: [UInt8], name: String = "data.csv") -> String {
        let p = dir() + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    /// Infers (or takes) the schema, then reads every split of `path`.
    static func read(
        _ path: String, _ opts: [String: String] = [:], schema ddl: String? = nil, maxSplitBytes: Int = 1 << 30,
        batchSize: Int = 4096
    ) throws -> (schema: Schema, rows: [[Value]]) {
        let options = try CSVOptions(opts)
        let schema = try ddl.map { try Schema(ddl: $0) } ?? CSVReader.inferSchema(paths: [path], options: options, zone: .utc)
        var rows: [[Value]] = []
        for split in try CSVReader.splits(paths: [path], options: options, maxSplitBytes: maxSplitBytes) {
            try CSVReader.read(
                split: split, schema: schema, requiredColumns: Array(0..<schema.count), options: options, zone: .utc,
                batchSize: batchSize
            ) { batch in
                for i in 0..<batch.count { rows.append(batch.row(i)) }
            }
        }
        return (schema, rows)
    }

    static func ts(_ s: String) -> Value { .timestamp(DateTime.parseTimestamp(s, zone: .utc) ?? -1) }
    static func date(_ s: String) -> Value { .date(DateTime.parseDate(s) ?? -1) }
}

private func S(_ s: String?) -> Value { s.map { .string($0) } ?? .null }
private func simple(_ schema: Schema) -> String { "struct<" + schema.fields.map { "\($0.name):\($0.dataType.simpleString)" }.joined(separator: ",") + ">" }

/// Expected values in these tests were produced by Apache Spark 4.1.1 (pyspark 4.1.1,
/// local[1], session time zone UTC) reading the same bytes with the same options.
final class CSVReaderTests: XCTestCase {
    let quotes = CSVFixture.file("a,b,c\n1,\"x,y\",3\n2,\"he said \"\"hi\"\"\",4\n3,\"esc \\\"q\\\"\",5\n4,\"\",6\n5,,7\n6, sp ,8\n")

    func testQuotesEscapesAndDelimiters() throws {
        let r = try CSVFixture.read(quotes, ["header": "true"])
        XCTAssertEqual(simple(r.schema), "struct<a:string,b:string,c:string>")
        // With the default escape `\`, a doubled quote is not an escape: univocity keeps the raw text.
        XCTAssertEqual(r.rows, [
            [S("1"), S("x,y"), S("3")], [S("2"), S("\"he said \"\"hi\"\"\""), S("4")], [S("3"), S("esc \"q\""), S("5")],
            [S("4"), .null, S("6")], [S("5"), .null, S("7")], [S("6"), S(" sp "), S("8")],
        ])
    }

    func testDoubledQuotesWhenEscapeIsQuote() throws {
        let r = try CSVFixture.read(quotes, ["header": "true", "escape": "\""])
        XCTAssertEqual(r.rows[1][1], S("he said \"hi\""))
        XCTAssertEqual(r.rows[2][1], S("\"esc \\\"q\\\"\""))
    }

    func testEmptyAndNullValues() throws {
        // A quoted empty string reads as emptyValue, which equals the default nullValue "".
        var r = try CSVFixture.read(quotes, ["header": "true", "nullValue": "NULL"])
        XCTAssertEqual(r.rows[3][1], S(""))
        XCTAssertEqual(r.rows[4][1], .null)
        r = try CSVFixture.read(quotes, ["header": "true", "emptyValue": "EMPTY"])
        XCTAssertEqual(r.rows[3][1], S("EMPTY"))
        XCTAssertEqual(r.rows[4][1], .null)
        let na = CSVFixture.file("a,b\nNA,1\n2,NA\n")
        r = try CSVFixture.read(na, ["header": "true", "inferSchema": "true", "nullValue": "NA"])
        XCTAssertEqual(simple(r.schema), "struct<a:int,b:int>")
        XCTAssertEqual(r.rows, [[.null, .int(1)], [.int(2), .null]])
    }

    func testInferenceOfEachType() throws {
        let p = CSVFixture.file(
            "i,l,d,b,dt,ts,s,n,big,mix,dec,nan,tsz,neg,plus,ws\n"
                + "1,3000000000,1.5,true,2024-01-02,2024-01-02 03:04:05,hello,,12345678901234567890,1,1.0,NaN,2024-01-02T03:04:05.123Z,-5,+5, 7\n"
                + "2,4,2,FALSE,2024-12-31,2024-01-02 03:04:05.5,world,,1,x,2.50,Infinity,2024-01-02T03:04:05Z,-6,+6,8 \n")
        let r = try CSVFixture.read(p, ["header": "true", "inferSchema": "true"])
        XCTAssertEqual(
            simple(r.schema),
            "struct<i:int,l:bigint,d:double,b:boolean,dt:date,ts:timestamp,s:string,n:string,big:decimal(20,0),mix:string,dec:double,nan:double,tsz:timestamp,neg:int,plus:int,ws:double>"
        )
        var first = r.rows[0]
        first[11] = .double(0)  // NaN is checked below (NaN != NaN)
        XCTAssertEqual(first, [
            .int(1), .long(3_000_000_000), .double(1.5), .boolean(true), CSVFixture.date("2024-01-02"),
            CSVFixture.ts("2024-01-02 03:04:05"), S("hello"), .null, .decimal(Decimal128(unscaled: 12_345_678_901_234_567_890, scale: 0)),
            S("1"), .double(1.0), .double(0), CSVFixture.ts("2024-01-02 03:04:05.123"), .int(-5), .int(5), .double(7),
        ])
        XCTAssertTrue(r.rows[0][11].doubleValue?.isNaN ?? false)
        XCTAssertEqual(r.rows[1][11], .double(.infinity))
        XCTAssertEqual(r.rows[1][5], CSVFixture.ts("2024-01-02 03:04:05.5"))
        XCTAssertEqual(r.rows[1][8], .decimal(Decimal128(unscaled: 1, scale: 0)))
    }

    func testInferenceDatesTimestampsAndWideNumbers() throws {
        let p = CSVFixture.file("a,b,c,d\n2024-01-02,2024-01-02,2024-01-02,1\n2024-01-03,2024-01-02 10:00:00,x,2024-01-02\n")
        var r = try CSVFixture.read(p, ["header": "true", "inferSchema": "true"])
        XCTAssertEqual(simple(r.schema), "struct<a:date,b:timestamp,c:string,d:string>")
        XCTAssertEqual(r.rows[0][1], CSVFixture.ts("2024-01-02 00:00:00"))
        // A user timestampFormat stops DATE widening to TIMESTAMP.
        r = try CSVFixture.read(p, ["header": "true", "inferSchema": "true", "timestampFormat": "yyyy-MM-dd HH:mm:ss"])
        XCTAssertEqual(simple(r.schema), "struct<a:date,b:string,c:string,d:string>")

        let q = CSVFixture.file(
            "e,e2,dlike,big40,neg\n1e5,1.5e3,2024-1-2,1234567890123456789012345678901234567890,-12345678901234567890\n2e5,2.5E3,2024-01-03,1,1\n")
        r = try CSVFixture.read(q, ["header": "true", "inferSchema": "true"])
        XCTAssertEqual(simple(r.schema), "struct<e:double,e2:double,dlike:timestamp,big40:double,neg:decimal(20,0)>")
        XCTAssertEqual(r.rows[0][0], .double(100000))
        XCTAssertEqual(r.rows[0][2], CSVFixture.ts("2024-01-02 00:00:00"))
        XCTAssertEqual(r.rows[0][3], .double(1.2345678901234568e+39))
    }

    func testTypedConversion() throws {
        let p = CSVFixture.file(
            " 7,1.5d,1.555,2024-01-02T03:04:05.123+02:00,TRUE,+5\n8 , 2.5 ,12345.6,2024-01-02 03:04,yes,5.0\n\"\\\\back\",Inf,-1.005,2024-01-02,false,-0\n\"a\" ,-Inf,1e2,2024/01/02,False,2147483648\n   \n9,Infinity,.5,2024-01-02T03:04:05,true,007\n"
        )
        var r = try CSVFixture.read(p, schema: "a INT, b DOUBLE, c DECIMAL(5,2), d TIMESTAMP, e BOOLEAN, f INT")
        func dec(_ v: Int128) -> Value { .decimal(Decimal128(unscaled: v, scale: 2)) }
        XCTAssertEqual(r.rows, [
            [.null, .double(1.5), dec(156), CSVFixture.ts("2024-01-02 01:04:05.123"), .boolean(true), .int(5)],
            [.null, .double(2.5), .null, CSVFixture.ts("2024-01-02 03:04:00"), .null, .null],
            [.null, .double(.infinity), dec(-101), CSVFixture.ts("2024-01-02 00:00:00"), .boolean(false), .int(0)],
            [.null, .double(-.infinity), dec(10000), .null, .boolean(false), .null],
            [.int(9), .double(.infinity), dec(50), CSVFixture.ts("2024-01-02 03:04:05"), .boolean(true), .int(7)],
        ])
        r = try CSVFixture.read(p, schema: "a STRING, b FLOAT, c DECIMAL(5,2), d DATE, e STRING, f LONG")
        XCTAssertEqual(r.rows.map { $0[0] }, [S(" 7"), S("8 "), S("\\back"), S("a"), S("9")])
        XCTAssertEqual(r.rows.map { $0[3] }, [CSVFixture.date("2024-01-02"), CSVFixture.date("2024-01-02"), CSVFixture.date("2024-01-02"), .null, CSVFixture.date("2024-01-02")])
        XCTAssertEqual(r.rows.map { $0[5] }, [.long(5), .null, .long(0), .long(2_147_483_648), .long(7)])
        XCTAssertEqual(r.rows[0][1], .float(1.5))
    }

    func testWhitespaceOptions() throws {
        let p = CSVFixture.file("a,b\n  x  ,  \"y,z\"  \n")
        XCTAssertEqual(try CSVFixture.read(p, ["header": "true"]).rows, [[S("  x  "), S("  \"y")]])
        XCTAssertEqual(
            try CSVFixture.read(p, ["header": "true", "ignoreLeadingWhiteSpace": "true", "ignoreTrailingWhiteSpace": "true"]).rows,
            [[S("x"), S("y,z")]])
    }

    let malformed = CSVFixture.file("1,a,10\n2,b\n3,c,30,extra\nx,d,40\n5,e,50\n")

    func testPermissiveMode() throws {
        var r = try CSVFixture.read(malformed, schema: "id INT, name STRING, v INT")
        XCTAssertEqual(r.rows, [
            [.int(1), S("a"), .int(10)], [.int(2), S("b"), .null], [.int(3), S("c"), .int(30)], [.null, S("d"), .int(40)],
            [.int(5), S("e"), .int(50)],
        ])
        r = try CSVFixture.read(malformed, schema: "id INT, name STRING, v INT, _corrupt_record STRING")
        XCTAssertEqual(r.rows.map { $0[3] }, [.null, S("2,b"), S("3,c,30,extra"), S("x,d,40"), .null])
    }

    func testDropMalformedMode() throws {
        let r = try CSVFixture.read(malformed, ["mode": "DROPMALFORMED"], schema: "id INT, name STRING, v INT")
        XCTAssertEqual(r.rows, [[.int(1), S("a"), .int(10)], [.int(5), S("e"), .int(50)]])
    }

    func testFailFastMode() throws {
        XCTAssertThrowsError(try CSVFixture.read(malformed, ["mode": "FAILFAST"], schema: "id INT, name STRING, v INT")) { e in
            let err = e as? EmberError
            XCTAssertEqual(err?.errorClass, "MALFORMED_RECORD_IN_PARSING")
            XCTAssertTrue(err?.message.contains("[2,b,null]") ?? false, "\(e)")
            XCTAssertTrue(err?.message.contains("line 2") ?? false, "\(e)")
            XCTAssertTrue(err?.message.contains(self.malformed) ?? false, "\(e)")
        }
        // A value that does not convert is malformed too (line 4: "x" as INT).
        let bad = CSVFixture.file("1,a,10\n2,b,20\n3,c,30\nx,d,40\n")
        XCTAssertThrowsError(try CSVFixture.read(bad, ["mode": "failfast"], schema: "id INT, name STRING, v INT")) { e in
            XCTAssertTrue((e as? EmberError)?.message.contains("line 4") ?? false, "\(e)")
        }
    }

    func testInferenceWithRaggedRows() throws {
        var r = try CSVFixture.read(malformed, ["inferSchema": "true"])
        XCTAssertEqual(simple(r.schema), "struct<_c0:string,_c1:string,_c2:int>")
        XCTAssertEqual(r.rows[1], [S("2"), S("b"), .null])
        r = try CSVFixture.read(malformed)
        XCTAssertEqual(simple(r.schema), "struct<_c0:string,_c1:string,_c2:string>")
        XCTAssertEqual(r.rows.count, 5)
    }

    func testMultiLine() throws {
        let p = CSVFixture.file("id,txt\n1,\"line1\nline2\"\n2,\"plain\"\n")
        XCTAssertEqual(try CSVFixture.read(p, ["header": "true", "multiLine": "true"]).rows, [[S("1"), S("line1\nline2")], [S("2"), S("plain")]])
        // Without multiLine a line break always ends the record.
        XCTAssertEqual(
            try CSVFixture.read(p, ["header": "true"]).rows, [[S("1"), S("line1")], [S("line2\""), .null], [S("2"), S("plain")]])
        XCTAssertEqual(try CSVReader.splits(paths: [p], options: CSVOptions(["multiLine": "true"]), maxSplitBytes: 4).count, 1)
    }

    func testCRLFBlankLinesAndBOM() throws {
        let p = CSVFixture.file([0xEF, 0xBB, 0xBF] + Array("a,b\r\n1,2\r\n\r\n3,4\r\n".utf8))
        let r = try CSVFixture.read(p, ["header": "true", "inferSchema": "true"])
        XCTAssertEqual(simple(r.schema), "struct<a:int,b:int>")
        XCTAssertEqual(r.rows, [[.int(1), .int(2)], [.int(3), .int(4)]])
    }

    func testHeaderNamesAndComments() throws {
        let dup = CSVFixture.file("a,A,b,a,,c\n1,2,3,4,5,6\n")
        XCTAssertEqual(simple(try CSVFixture.read(dup, ["header": "true"]).schema), "struct<a0:string,A1:string,b:string,a3:string,_c4:string,c:string>")
        let c = CSVFixture.file("#c\na,b\n1,2\n")
        XCTAssertEqual(try CSVFixture.read(c, ["header": "true", "comment": "#"]).rows, [[S("1"), S("2")]])
        XCTAssertEqual(try CSVFixture.read(c, ["header": "false"]).rows.count, 3)
    }

    func testEmptyFileAndHeaderOnly() throws {
        let e = CSVFixture.file("")
        var r = try CSVFixture.read(e, ["header": "true", "inferSchema": "true"])
        XCTAssertEqual(r.schema.count, 0)
        XCTAssertEqual(r.rows.count, 0)
        r = try CSVFixture.read(CSVFixture.file("x,y\n"), ["header": "true", "inferSchema": "true"])
        XCTAssertEqual(simple(r.schema), "struct<x:string,y:string>")
        XCTAssertEqual(r.rows.count, 0)
    }

    func testOptionErrors() {
        XCTAssertThrowsError(try CSVOptions(["sep": ""]))
        XCTAssertThrowsError(try CSVOptions(["encoding": "latin1"])) { XCTAssertTrue("\($0)".contains("encoding")) }
        XCTAssertThrowsError(try CSVOptions(["inferSchema": "maybe"])) { XCTAssertTrue("\($0)".contains("inferSchema")) }
        XCTAssertThrowsError(try CSVOptions(["samplingRatio": "2"])) { XCTAssertTrue("\($0)".contains("samplingRatio")) }
        XCTAssertThrowsError(try CSVOptions(["dateFormat": "yyyy-bb"]))
        // Spark falls back to PERMISSIVE for an unknown mode.
        XCTAssertEqual(try CSVOptions(["MODE": "bogus"]).mode, .permissive)
        XCTAssertEqual(try CSVOptions(["Delimiter": "\\t"]).delimiter, 9)
    }

    func testPathsAndGlobs() throws {
        let d = CSVFixture.dir()
        for (n, c) in [("a.csv", "1\n"), ("b.csv", "2\n"), ("_SUCCESS", ""), (".hidden.csv", "3\n"), ("c.txt", "4\n")] {
            _ = FileManager.default.createFile(atPath: d + "/" + n, contents: Data(c.utf8))
        }
        XCTAssertEqual(try FileListing.list([d]).map { ($0.path as NSString).lastPathComponent }, ["a.csv", "b.csv", "c.txt"])
        XCTAssertEqual(try FileListing.list([d + "/*.csv"]).count, 2)
        XCTAssertEqual(try CSVFixture.read(d + "/[ab].csv").rows, [[S("1")], [S("2")]])
        XCTAssertThrowsError(try FileListing.list([d + "/missing.csv"])) { XCTAssertEqual(($0 as? EmberError)?.errorClass, "PATH_NOT_FOUND") }
        XCTAssertThrowsError(try FileListing.list([d + "/*.parquet"]))
    }

    /// Cutting a file into many splits must parse every record exactly once.
    func testSplitsParseEachRowOnce() throws {
        var text = "id,name,amount,when\r\n"
        for i in 0..<500 {
            let name = i % 7 == 0 ? "\"q, \\\"\(i)\\\"\"" : "n\(i)"
            let nl = i % 3 == 0 ? "\r\n" : "\n"
            text += "\(i),\(name),\(Double(i) * 1.25),2024-01-\(10 + i % 18) 0\(i % 10):00:00\(nl)"
            if i % 50 == 0 { text += "\n" }
        }
        let p = CSVFixture.file(text)
        let opts = ["header": "true", "inferSchema": "true"]
        let whole = try CSVFixture.read(p, opts)
        XCTAssertEqual(whole.rows.count, 500)
        XCTAssertEqual(simple(whole.schema), "struct<id:int,name:string,amount:double,when:timestamp>")
        XCTAssertEqual(whole.rows[7][1], S("q, \"7\""))
        for size in [3, 17, 64, 333, 4096] {
            let parts = try CSVFixture.read(p, opts, maxSplitBytes: size, batchSize: 13)
            XCTAssertEqual(parts.rows, whole.rows, "maxSplitBytes \(size)")
        }
    }

    func testColumnPruningAndBatches() throws {
        let p = CSVFixture.file((0..<100).map { "\($0),x\($0),\($0 % 2 == 0)" }.joined(separator: "\n"))
        let schema = try Schema(ddl: "a INT, b STRING, c BOOLEAN")
        var batches: [RecordBatch] = []
        for s in try CSVReader.splits(paths: [p], options: CSVOptions(), maxSplitBytes: 1 << 20) {
            try CSVReader.read(split: s, schema: schema, requiredColumns: [2, 0], options: CSVOptions(), zone: .utc, batchSize: 30) {
                batches.append($0)
            }
        }
        XCTAssertEqual(batches.map(\.count), [30, 30, 30, 10])
        XCTAssertEqual(batches[0].schema.names, ["c", "a"])
        XCTAssertEqual(batches[3].row(9), [.boolean(false), .int(99)])
    }
}
