import Ember
import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// The JSON and text sources beyond the Spark golden cases (JSONGoldenTests): the
/// DataFrame and SQL wiring, round trips, split and batch boundaries, column pruning,
/// error messages, and robustness against hostile input.
final class JSONSourceTests: XCTestCase {
    func tmp(_ name: String, _ content: String) -> String { CSVFixture.file(content, name: name) }
    func tmp(_ name: String, bytes: [UInt8]) -> String { CSVFixture.file(bytes, name: name) }

    /// Every row of `paths` read with the low-level reader, canonically formatted.
    func rows(
        _ path: String, _ opts: [String: String] = [:], schema ddl: String? = nil, required: [Int]? = nil,
        maxSplitBytes: Int = 1 << 30, batchSize: Int = 4096
    ) throws -> [String] {
        let options = try JSONOptions(opts)
        let schema = try ddl.map { try Schema(ddl: $0) } ?? JSONInference.inferSchema(paths: [path], options: options, zone: .utc)
        var out: [String] = []
        for split in try JSONReader.splits(paths: [path], options: options, maxSplitBytes: maxSplitBytes) {
            try JSONReader.read(
                split: split, schema: schema, requiredColumns: required ?? Array(0..<schema.count), options: options, zone: .utc,
                batchSize: batchSize
            ) { b in
                XCTAssertLessThanOrEqual(b.count, batchSize + 8)
                for i in 0..<b.count { out.append(GoldenFormat.row(b.row(i))) }
            }
        }
        return out
    }

    // MARK: API wiring

    func testDataFrameReadAndWriteRoundTrip() throws {
        let spark = try Session.local(cores: 2)
        let src = tmp("in.json", """
            {"id":1,"name":"a","tags":["x","y"],"pos":{"x":1.5,"y":-2.0},"m":{"k":1},"when":"2024-01-02T03:04:05.123Z","day":"2024-01-02","amount":"12.50","raw":"YWJj"}
            {"id":2,"name":null,"tags":[],"pos":null,"m":{},"when":null,"day":"2024-02-29","amount":0.1,"raw":""}
            {"id":3,"tags":[null],"pos":{"y":1e300},"m":{"a":null,"b":2},"amount":-99999999.99}

            """)
        let ddl = "id BIGINT, name STRING, tags ARRAY<STRING>, pos STRUCT<x: DOUBLE, y: DOUBLE>, m MAP<STRING, INT>, when TIMESTAMP, day DATE, amount DECIMAL(10,2), raw BINARY"
        let df = try spark.read.schema(ddl).json(src)
        let expected = [
            #"(1,"a",["x","y"],{1.5,-2.0},{"k"->1},t:1704164645123000,d:2024-01-02,12.50,x:616263)"#,
            #"(2,null,[],null,{},null,d:2024-02-29,0.10,x:)"#,
            #"(3,null,[null],{null,1e+300},{"a"->null,"b"->2},null,null,-99999999.99,null)"#,
        ]
        XCTAssertEqual(try df.collect().map { GoldenFormat.row($0.values) }, expected)

        let out = CSVFixture.dir() + "/out"
        try df.write.json(out)
        XCTAssertThrowsError(try df.write.json(out)) { XCTAssertEqual(($0 as? EmberError)?.errorClass, "PATH_ALREADY_EXISTS") }
        let back = try spark.read.schema(ddl).json(out)
        XCTAssertEqual(try back.collect().map { GoldenFormat.row($0.values) }.sorted(), expected.sorted())
        // Inferred back: timestamps and dates come back as strings, binary as base64 text.
        let inferred = spark.read.json(out)
        XCTAssertEqual(
            DataType.structure(try inferred.schema().fields).simpleString,
            "struct<amount:double,day:string,id:bigint,m:struct<a:string,b:bigint,k:bigint>,name:string,pos:struct<x:double,y:double>,raw:string,tags:array<string>,when:string>")

        try df.select("name").write.mode("overwrite").text(out)
        XCTAssertEqual(try spark.read.text(out).collect().map { GoldenFormat.row($0.values) }.sorted(), [#"("")"#, #"("")"#, #"("a")"#])
        XCTAssertThrowsError(try df.write.mode("overwrite").text(out)) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE")
        }
        XCTAssertThrowsError(try df.write.mode("overwrite").format("xml").save(out)) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "DATA_SOURCE_NOT_FOUND")
        }
    }

    func testWriteReadRoundTripOfEveryType() throws {
        let spark = try Session.local(cores: 2)
        let df = try spark.sql("""
            SELECT id, CAST(id AS TINYINT) AS b, CAST(id * 100 AS SMALLINT) AS s, CAST(id AS INT) AS i,
              id * 1000000007 AS l, CAST(id AS FLOAT) / 3 AS f, id / 7.0D AS d, CAST(id / 3 AS DECIMAL(20, 6)) AS dec,
              CAST(concat('s', id, ' "q" \\\\ é') AS STRING) AS str, id % 2 = 0 AS flag,
              date_add(DATE'2024-01-01', CAST(id AS INT)) AS dt, timestamp_micros(1704067200000001 + id * 1000001) AS ts,
              CAST(concat('b', id) AS BINARY) AS bin, array(id, id + 1) AS arr, map(concat('k', id), id) AS m,
              named_struct('x', id, 'y', array(named_struct('z', CAST(id AS STRING)))) AS st
            FROM range(0, 50)
            """)
        let schema = try df.schema()
        let out = CSVFixture.dir() + "/all"
        // The default timestamp format keeps milliseconds (as Spark's); keep microseconds here.
        let micros = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"
        try df.write.option("timestampFormat", micros).json(out)
        let back = spark.read.schema(schema).option("timestampFormat", micros).json(out)
        let a = try df.collect().map { GoldenFormat.row($0.values) }.sorted()
        let b = try back.collect().map { GoldenFormat.row($0.values) }.sorted()
        XCTAssertEqual(a.count, 50)
        for (x, y) in zip(a, b) where x != y { XCTFail("wrote \(x)\nread  \(y)") }
    }

    func testSQLViewsAndInsertOverwriteDirectory() throws {
        let spark = try Session.local(cores: 2)
        let path = tmp("people.json", "{\"name\":\"a\",\"age\":30}\n{\"name\":\"b\",\"age\":null,\"extra\":[1]}\nbroken\n")
        try spark.sql("CREATE OR REPLACE TEMPORARY VIEW p USING json OPTIONS (path '\(path)')")
        XCTAssertEqual(
            try spark.sql("SELECT name, age, extra, _corrupt_record FROM p").collect().map { GoldenFormat.row($0.values) },
            [#"("a",30,null,null)"#, #"("b",null,[1],null)"#, #"(null,null,null,"broken")"#])
        try spark.sql("CREATE OR REPLACE TEMPORARY VIEW q (age INT, name STRING) USING json OPTIONS (path '\(path)', mode 'DROPMALFORMED')")
        XCTAssertEqual(try spark.sql("SELECT name FROM q WHERE age > 1").collect().map { GoldenFormat.row($0.values) }, [#"("a")"#])
        let dir = CSVFixture.dir() + "/dir"
        try spark.sql("INSERT OVERWRITE DIRECTORY '\(dir)' USING json SELECT upper(name) AS n, age FROM q")
        try spark.sql("CREATE OR REPLACE TEMPORARY VIEW r USING json OPTIONS (path '\(dir)')")
        XCTAssertEqual(try spark.sql("SELECT n, age FROM r ORDER BY n").collect().map { GoldenFormat.row($0.values) }, [#"("A",30)"#, #"("B",null)"#])
        try spark.sql("INSERT OVERWRITE DIRECTORY '\(dir)' USING text SELECT n FROM r ORDER BY n")
        try spark.sql("CREATE OR REPLACE TEMPORARY VIEW t USING text OPTIONS (path '\(dir)')")
        XCTAssertEqual(try spark.sql("SELECT value, length(value) FROM t ORDER BY value").collect().map { GoldenFormat.row($0.values) }, [#"("A",1)"#, #"("B",1)"#])
        let whole = tmp("w.txt", "x\ny\n")
        try spark.sql("CREATE OR REPLACE TEMPORARY VIEW w USING text OPTIONS (path '\(whole)', wholetext 'true')")
        XCTAssertEqual(try spark.sql("SELECT value FROM w").collect().map { GoldenFormat.row($0.values) }, [#"("x\ny\n")"#])
        // A given text schema may rename the column, not change its type or count.
        try spark.sql("CREATE OR REPLACE TEMPORARY VIEW l (line STRING) USING text OPTIONS (path '\(whole)')")
        XCTAssertEqual(try spark.sql("SELECT line FROM l").collect().map { GoldenFormat.row($0.values) }, [#"("x")"#, #"("y")"#])
        XCTAssertThrowsError(try spark.sql("CREATE OR REPLACE TEMPORARY VIEW l (line INT) USING text OPTIONS (path '\(whole)')")) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE")
        }
        XCTAssertThrowsError(try spark.read.schema("a STRING, b STRING").text(whole).collect()) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "_LEGACY_ERROR_TEMP_1290")
        }
    }

    // MARK: Pruning, batches, splits

    func testRequiredColumnsInAnyOrder() throws {
        let path = tmp("p.json", """
            {"a":1,"b":{"x":[1,2]},"c":"s"}
            {"a":"bad","b":{"x":[3]},"c":"t"}
            {"c":"u"}

            """)
        let ddl = "a INT, b STRUCT<x: ARRAY<INT>>, c STRING, _corrupt_record STRING"
        XCTAssertEqual(try rows(path, schema: ddl, required: [2, 0]), [#"("s",1)"#, #"("t",null)"#, #"("u",null)"#])
        XCTAssertEqual(
            try rows(path, schema: ddl, required: [3, 1]),
            [#"(null,{[1,2]})"#, #"(null,{[3]})"#, "(null,null)"])
        // A field that is not read cannot make the record malformed.
        XCTAssertEqual(try rows(path, ["mode": "DROPMALFORMED"], schema: ddl, required: [2]), [#"("s")"#, #"("t")"#, #"("u")"#])
        XCTAssertEqual(try rows(path, ["mode": "DROPMALFORMED"], schema: ddl, required: [0, 2]), [#"(1,"s")"#, #"(null,"u")"#])
        XCTAssertEqual(try rows(path, schema: ddl, required: []).count, 3)
        // Through SQL, projections prune the scan.
        let spark = try Session.local(cores: 2)
        XCTAssertEqual(
            try spark.read.schema(ddl).json(path).select("c", "a").collect().map { GoldenFormat.row($0.values) },
            [#"("s",1)"#, #"("t",null)"#, #"("u",null)"#])
        XCTAssertEqual(try spark.read.schema(ddl).json(path).count(), 3)
        // count(*) reads no column, so only syntax and top-level shape can drop a record
        // (Spark counts 5 here; sql/json.test has the same file).
        let mixed = tmp("mixed.json", "{\"k\":1}\n{\"k\":\"two\"}\nnot json\n[{\"k\":4},{\"k\":5}]\n{\"k\":6\n")
        let counted = try spark.read.schema("k INT").option("mode", "DROPMALFORMED").json(mixed).selectExpr("count(*)").collect()
        XCTAssertEqual(counted.map { GoldenFormat.row($0.values) }, ["(4)"])
        XCTAssertEqual(try spark.read.schema("k INT").option("mode", "DROPMALFORMED").json(mixed).collect().count, 3)
    }

    func testBatchBoundariesWithNestedColumns() throws {
        var text = ""
        for i in 0..<40 {
            text += i % 7 == 3 ? "{\"a\":[{\"b\":\"x\"}],\"m\":{\"k\":\"bad\"}}\n" : "{\"a\":[{\"b\":\"\(i)\",\"c\":[\(i),null]},null],\"m\":{\"k\":\(i)},\"s\":\"\(i)\"}\n"
        }
        let path = tmp("n.json", text)
        let ddl = "a ARRAY<STRUCT<b: STRING, c: ARRAY<INT>>>, m MAP<STRING, INT>, s STRING, _corrupt_record STRING"
        let all = try rows(path, schema: ddl)
        XCTAssertEqual(all.count, 40)
        XCTAssertEqual(all[1], #"([{"1",[1,null]},null],{"k"->1},"1",null)"#)
        XCTAssertEqual(all[3], #"([{"x",null}],null,null,"{\"a\":[{\"b\":\"x\"}],\"m\":{\"k\":\"bad\"}}")"#)
        for size in [1, 2, 3, 5] { XCTAssertEqual(try rows(path, schema: ddl, batchSize: size), all) }
        XCTAssertEqual(try rows(path, ["mode": "DROPMALFORMED"], schema: ddl, batchSize: 2), all.filter { $0.hasSuffix(",null)") })
    }

    func testEverySplitSizeReadsEachRecordOnce() throws {
        let text = "{\"a\":1}\r\n{\"a\":2}\r{\"a\":3}\n\n{\"a\":4}\r\n\r\n{\"a\":5}"
        let path = tmp("s.json", text)
        let expected = (1...5).map { "(\($0))" }
        for size in 1...text.utf8.count + 1 {
            XCTAssertEqual(try rows(path, schema: "a INT", maxSplitBytes: size), expected, "split size \(size)")
        }
        let sep = tmp("sep.json", "{\"a\":1}<|>{\"a\":2}<|><|>{\"a\":3}<|>x<|>{\"a\":4}")
        let sepExpected = ["(1,null)", "(2,null)", "(3,null)", #"(null,"x")"#, "(4,null)"]
        for size in 1...50 {
            XCTAssertEqual(
                try rows(sep, ["lineSep": "<|>"], schema: "a INT, _corrupt_record STRING", maxSplitBytes: size), sepExpected, "split size \(size)")
        }
        let text2 = tmp("t.txt", "one\r\ntwo\n\nthree\rfour")
        for size in 1...25 {
            var got: [String] = []
            for split in try TextReader.splits(paths: [text2], options: TextOptions(), maxSplitBytes: size) {
                try TextReader.read(split: split, requiredColumns: [0], options: TextOptions(), batchSize: 2) { b in
                    for i in 0..<b.count { got.append(b.columns[0].stringAt(i)) }
                }
            }
            XCTAssertEqual(got, ["one", "two", "", "three", "four"], "split size \(size)")
        }
    }

    // MARK: Errors

    func testFailFastNamesFileAndLine() throws {
        let path = tmp("ff.json", "{\"a\":1}\n\n{\"a\":\"x\"}\n")
        XCTAssertThrowsError(try rows(path, ["mode": "FAILFAST"], schema: "a INT")) { e in
            guard let e = e as? EmberError else { return XCTFail("\(e)") }
            XCTAssertEqual(e.errorClass, "FAILED_READ_FILE.NO_HINT")
            XCTAssertTrue(e.message.contains("MALFORMED_RECORD_IN_PARSING"), e.message)
            XCTAssertTrue(e.message.contains("file \(path), line 3"), e.message)
        }
        let bad = tmp("ff2.json", "{\"a\":1}\n{\"a\":[1,\n")
        XCTAssertThrowsError(try rows(bad, ["mode": "FAILFAST"])) { e in
            guard let e = e as? EmberError else { return XCTFail("\(e)") }
            // Inference fails first (not wrapped, as in Spark).
            XCTAssertEqual(e.errorClass, "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION")
            XCTAssertTrue(e.message.contains("line 2"), e.message)
        }
        XCTAssertThrowsError(try JSONOptions(["encoding": "UTF-16"])) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "INVALID_PARAMETER_VALUE.CHARSET")
        }
        XCTAssertNoThrow(try JSONOptions(["encoding": "utf-8", "charset": "UTF8"]))
        XCTAssertThrowsError(try JSONOptions(["lineSep": ""]))
        XCTAssertThrowsError(try JSONOptions(["samplingRatio": "0"]))
        XCTAssertThrowsError(try JSONOptions(["multiLine": "yes"]))
        XCTAssertThrowsError(try rows(path, schema: "a INT, _corrupt_record INT")) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "INVALID_CORRUPT_RECORD_TYPE")
        }
        XCTAssertThrowsError(try rows(path, schema: "a MAP<INT, INT>")) { XCTAssertEqual(($0 as? EmberError)?.errorClass, "UNSUPPORTED_FEATURE") }
        let gz = tmp("x.json.gz", "{}")
        // A file named .gz that is not gzip data: an error naming it.
        XCTAssertThrowsError(try rows(gz, schema: "a INT")) { XCTAssertTrue("\($0)".contains("x.json.gz"), "\($0)") }
        XCTAssertThrowsError(try Session.local().read.json("/nonexistent/ember/x.json").collect()) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "PATH_NOT_FOUND")
        }
    }

    // MARK: Hostile input

    func testDeepNestingIsCappedOnWorkerThreads() throws {
        let spark = try Session.local(cores: 2)
        let ok = "{\"a\":" + String(repeating: "[", count: 999) + String(repeating: "]", count: 999) + "}"
        let deep = "{\"z\":" + String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000) + "}"
        let huge = String(repeating: "[", count: 200_000)
        let path = tmp("deep.json", ok + "\n" + deep + "\n" + huge + "\n" + "{\"a\":[[1]]}\n")
        let df = spark.read.json(path)
        let schema = try df.schema()
        XCTAssertEqual(schema.names, ["_corrupt_record", "a"])
        let rows = try df.collect()
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows[0]["_corrupt_record"], .null)
        XCTAssertEqual(rows[1]["_corrupt_record"], .string(deep))
        XCTAssertEqual(rows[2]["_corrupt_record"], .string(huge))
        // `a` is ARRAY<ARRAY<STRING>>: the deep document's inner arrays read as their text.
        XCTAssertEqual(GoldenFormat.value(rows[0]["a"] ?? .null).filter { $0 == "[" }.count, 999)
        XCTAssertEqual(GoldenFormat.value(rows[3]["a"] ?? .null), #"[["1"]]"#)
    }

    func testHugeNumbersAndLongStrings() throws {
        let digits = String(repeating: "9", count: 1000)
        let tooLong = String(repeating: "9", count: 100_000)
        let forty = String(repeating: "1", count: 40)
        let line1 = "{\"a\":\(digits),\"b\":1e400,\"c\":-1e-400,\"d\":\(forty)}"
        let path = tmp("big.json", line1 + "\n{\"a\":\(tooLong)}\n{\"s\":\"" + String(repeating: "x", count: 300_000) + "\"}\n")
        let r = try rows(path, schema: "a DOUBLE, b DOUBLE, c DOUBLE, d DECIMAL(38,0), s STRING, _corrupt_record STRING")
        // A decimal that overflows its type is a partial result; a number of more than
        // 1000 digits is a syntax error (Jackson's limit).
        XCTAssertEqual(r[0], "(inf,inf,-0.0,null,null," + GoldenFormat.pyJSON(line1) + ")")
        XCTAssertEqual(r[1], "(null,null,null,null,null," + GoldenFormat.pyJSON("{\"a\":\(tooLong)}") + ")")
        XCTAssertEqual(r[2], "(null,null,null,null,\"" + String(repeating: "x", count: 300_000) + "\",null)")
        XCTAssertEqual(try rows(path, schema: "a BIGINT, a2 INT"), ["(null,null)", "(null,null)", "(null,null)"])
    }

    func testRandomBytesNeverTrap() throws {
        // Mutations of valid documents (flipped, inserted and removed bytes), read with
        // inference and with typed schemas in every mode: each must end in rows or an
        // EmberError, never a trap.
        let seeds = [
            #"{"a":1,"b":[1.5,2e3,{"c":"x\u00e9\n"}],"d":{"e":null,"f":true},"g":"2024-01-02","h":"YWJj"}"#,
            #"[{"a":-0.0},{"a":123456789012345678901234567890}] "#,
            #"{"m":{"k":[{"x":[[[]]]}]},'q':'s',"t":NaN,"u":"\ud83d\ude00"}"#,
        ]
        var rng: UInt64 = 42
        func next() -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: rng >> 33)
        }
        var lines: [[UInt8]] = []
        for i in 0..<600 {
            var b = Array(seeds[i % seeds.count].utf8)
            for _ in 0..<(1 + next() % 4) {
                let p = next() % (b.count + 1)
                switch next() % 3 {
                case 0 where p < b.count: b[p] = UInt8(truncatingIfNeeded: next())
                case 1: b.insert(UInt8(truncatingIfNeeded: next()), at: p)
                default: if p < b.count { b.remove(at: p) }
                }
            }
            lines.append(b)
        }
        var bytes: [UInt8] = []
        for l in lines { bytes += l + [10] }
        let path = tmp("fuzz.json", bytes: bytes)
        let schemas: [String?] = [
            nil, "a DOUBLE, b ARRAY<STRING>, d STRUCT<e: INT, f: BOOLEAN>, g DATE, h BINARY, m MAP<STRING, ARRAY<STRUCT<x: ARRAY<ARRAY<ARRAY<INT>>>>>>, _corrupt_record STRING",
            "a DECIMAL(5,2), b ARRAY<TIMESTAMP>, t FLOAT, u STRING, q BIGINT",
        ]
        for ddl in schemas {
            for mode in ["PERMISSIVE", "DROPMALFORMED"] {
                for size in [1 << 30, 97] {
                    do { _ = try rows(path, ["mode": mode, "allowComments": "true"], schema: ddl, maxSplitBytes: size, batchSize: 7) } catch is EmberError {}
                }
            }
        }
        let spark = try Session.local(cores: 2)
        XCTAssertGreaterThan(try spark.read.text(path).count(), 500)
        // Inference may meet names that differ only in case (COLUMN_ALREADY_EXISTS, as in Spark).
        if let n = try? spark.read.json(path).count() { XCTAssertGreaterThan(n, 0) }
        let permissive = try spark.read.schema("a STRING").json(path).count()
        let dropped = try spark.read.schema("a STRING").option("mode", "DROPMALFORMED").json(path).count()
        XCTAssertGreaterThan(permissive, dropped)
    }

    func testSamplingIsDeterministic() throws {
        var text = ""
        for i in 0..<1000 { text += "{\"f\(i)\":\(i)}\n" }
        let path = tmp("sample.json", text)
        let full = try JSONInference.inferSchema(paths: [path], options: JSONOptions(), zone: .utc)
        XCTAssertEqual(full.count, 1000)
        let opts = try JSONOptions(["samplingRatio": "0.1"])
        let a = try JSONInference.inferSchema(paths: [path], options: opts, zone: .utc)
        let b = try JSONInference.inferSchema(paths: [path], options: opts, zone: .utc)
        XCTAssertEqual(a, b)
        XCTAssertGreaterThan(a.count, 50)
        XCTAssertLessThan(a.count, 150)
        // Sampled fields are a subset, still sorted by name.
        XCTAssertEqual(a.names, a.names.sorted())
        XCTAssertTrue(Set(a.names).isSubset(of: Set(full.names)))
    }
}
