@testable import Ember
@testable import EmberExec
import EmberIO
import Foundation
import XCTest

/// Parquet through the DataFrame API and SQL: round trips, partitions, file splitting,
/// pruning and the commit protocol.
final class ParquetTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "ember-parquet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A deterministic generator (SplitMix64).
    struct RNG {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let leafTypes: [DataType] = [
        .boolean, .byte, .short, .int, .long, .float, .double, .string, .binary, .date, .timestamp,
        .decimal(precision: 7, scale: 2), .decimal(precision: 18, scale: 4), .decimal(precision: 30, scale: 5),
    ]

    static func randomType(_ r: inout RNG, depth: Int) -> DataType {
        if depth >= 2 || r.int(3) > 0 { return leafTypes[r.int(leafTypes.count)] }
        switch r.int(3) {
        case 0: return .array(element: randomType(&r, depth: depth + 1), containsNull: r.int(2) == 0)
        case 1: return .map(key: [.int, .string, .long][r.int(3)], value: randomType(&r, depth: depth + 1), valueContainsNull: true)
        default:
            return .structure((0..<(1 + r.int(3))).map { StructField("f\($0)", randomType(&r, depth: depth + 1), nullable: true) })
        }
    }

    static func randomValue(_ t: DataType, _ r: inout RNG, nullable: Bool) -> Value {
        if nullable && r.int(5) == 0 { return .null }
        switch t {
        case .boolean: return .boolean(r.int(2) == 0)
        case .byte: return .byte(Int8(truncatingIfNeeded: r.next()))
        case .short: return .short(Int16(truncatingIfNeeded: r.next()))
        case .int: return .int(r.int(4) == 0 ? Int32(truncatingIfNeeded: r.next()) : Int32(r.int(20)))
        case .long: return .long(Int64(bitPattern: r.next()) >> Int64(r.int(60)))
        case .float: return .float(Float(Int(r.int(100000)) - 50000) / 64)
        case .double: return .double(Double(Int64(bitPattern: r.next()) >> 20) / 1024)
        case .string: return .string(["", "a", "héllo", "spark", "x\(r.int(1000))", String(repeating: "z", count: r.int(40))][r.int(6)])
        case .binary: return .binary((0..<r.int(6)).map { _ in UInt8(truncatingIfNeeded: r.next()) })
        case .date: return .date(Int32(r.int(40000)) - 10000)
        case .timestamp: return .timestamp(Int64(bitPattern: r.next()) >> 12)
        case .decimal(let p, let s):
            var bound: Int128 = 1
            for _ in 0..<p { bound *= 10 }
            let x = Int128(Int64(bitPattern: r.next())) * Int128(Int64(bitPattern: r.next()))
            return .decimal(Decimal128(unscaled: x % bound, scale: s))
        case .array(let e, let cn):
            return .array((0..<r.int(4)).map { _ in randomValue(e, &r, nullable: cn) })
        case .map(let k, let v, let vn):
            var keys: [Value] = []
            for _ in 0..<r.int(4) {
                let key = randomValue(k, &r, nullable: false)
                if !keys.contains(key) { keys.append(key) }
            }
            return .map(keys: keys, values: keys.map { _ in randomValue(v, &r, nullable: vn) })
        case .structure(let fs):
            return .structure(fs.map { randomValue($0.dataType, &r, nullable: $0.nullable) })
        default: return .null
        }
    }

    /// Random schemas (flat and nested) with NULLs: write → read gives the same rows.
    func testRoundTripRandomSchemas() throws {
        let spark = try Session.local(cores: 2)
        var r = RNG(s: 20261123)
        for round in 0..<12 {
            let fields = (0..<(1 + r.int(6))).map { StructField("c\($0)", ParquetTests.randomType(&r, depth: 0), nullable: r.int(4) > 0) }
            let schema = Schema(fields)
            let n = [0, 1, 7, 300, 2500][r.int(5)]
            let rows = (0..<n).map { _ in fields.map { ParquetTests.randomValue($0.dataType, &r, nullable: $0.nullable) } }
            let df = try spark.createDataFrame(rows, schema: schema)
            let path = dir + "/rt\(round)"
            let codec = ["none", "snappy", "gzip", "zstd", "lz4_raw"][round % 5]
            try df.write.option("compression", codec).option("parquet.page.size", 2048).parquet(path)
            let back = spark.read.parquet(path)
            XCTAssertEqual(try back.schema().fields.map { $0.dataType }, fields.map { $0.dataType }, "round \(round)")
            let got = try back.collect().map { $0.values }
            XCTAssertEqual(got.count, rows.count, "round \(round) row count")
            // Several part files may come back in any order of partitions: compare as sorted text.
            let a = got.map { "\($0)" }.sorted(), b = rows.map { "\($0)" }.sorted()
            XCTAssertEqual(a, b, "round \(round) (\(schema.ddl), codec \(codec))")
        }
    }

    func testPartitionByAndPruning() throws {
        let spark = try Session.local(cores: 2)
        let df = try spark.createDataFrame(
            (0..<100).map { i in [.int(Int32(i)), .string(["CA", "NY", "TX", "a b/c"][i % 4]), .int(Int32(2020 + i % 3))] },
            schema: "id INT, state STRING, year INT")
        let path = dir + "/people"
        try df.write.partitionBy("state", "year").parquet(path)
        let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        XCTAssertEqual(names, ["_SUCCESS", "state=CA", "state=NY", "state=TX", "state=a b%2Fc"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path + "/state=CA").sorted(), ["year=2020", "year=2021", "year=2022"])
        let back = spark.read.parquet(path)
        XCTAssertEqual(try back.schema().ddl, "id INT,state STRING,year INT")
        XCTAssertEqual(try back.count(), 100)
        let ca = back.filter(col("state") === lit("CA") && col("year") === lit(2021))
        // CA is i % 4 == 0, 2021 is i % 3 == 1: i = 4, 16, …, 88.
        XCTAssertEqual(try ca.orderBy("id").collect().map { $0.values[0] }, stride(from: 4, to: 100, by: 12).map { Value.int(Int32($0)) })
        // Only the files of state=CA/year=2021 are scanned.
        XCTAssertEqual(try scanUnits(ca), 1)
        XCTAssertEqual(try scanUnits(back), 12)
        let odd = back.filter(col("state") === lit("a b/c"))
        XCTAssertEqual(Set(try odd.collect().map { $0.values[0] }), Set((0..<100).filter { $0 % 4 == 3 }.map { Value.int(Int32($0)) }))
    }

    /// Number of units (row groups) the scan of `df` will read.
    func scanUnits(_ df: DataFrame) throws -> Int {
        let ctx = df.session.execContext()
        let op = try PhysicalPlanner(ctx).plan(try df.optimizedPlan())
        func find(_ o: PhysicalOperator) -> Int? {
            if let s = o as? ScanExec { return s.units.count }
            for c in o.children { if let n = find(c) { return n } }
            return nil
        }
        return find(op) ?? -1
    }

    func testRowGroupStatisticsPruneScans() throws {
        let spark = try Session.local(cores: 2)
        let path = dir + "/ranges"
        // Small row groups over sorted keys: a range filter touches few of them.
        try spark.range(0, 100_000, numPartitions: 1).withColumn("v", col("id") * 2)
            .write.option("parquet.block.size", 64 * 1024).parquet(path)
        let all = spark.read.parquet(path)
        let groups = try scanUnits(all)
        XCTAssertGreaterThan(groups, 5)
        let few = all.filter(col("id") >= lit(50_000) && col("id") < lit(50_010))
        XCTAssertEqual(try scanUnits(few), 1)
        XCTAssertEqual(try few.count(), 10)
        XCTAssertEqual(try scanUnits(all.filter(col("id") > lit(1_000_000))), 0)
        XCTAssertEqual(try all.filter(col("id") > lit(1_000_000)).count(), 0)
        XCTAssertEqual(try scanUnits(all.filter(col("id").isNull())), 0)
        XCTAssertEqual(try all.filter(col("v") === lit(Int64(777))).collect().map { $0.values }, [])
        XCTAssertEqual(try all.filter(col("v") === lit(Int64(778))).collect().map { $0.values }, [[.long(389), .long(778)]])
    }

    /// Filters on some columns: the other columns are decoded only for the kept rows
    /// (dictionary and plain pages, NULLs, nested columns); results equal filtering in memory.
    func testSelectiveScanMatchesInMemoryFilter() throws {
        let spark = try Session.local(cores: 2)
        var r = RNG(s: 99)
        let rows: [[Value]] = (0..<20_000).map { i in
            [.long(Int64(i)), r.int(10) == 0 ? .null : .string(["alpha", "beta", "gamma", "delta"][r.int(4)]),
             r.int(7) == 0 ? .null : .double(Double(r.int(100000)) / 7), .double(Double(r.int(1000))),
             r.int(5) == 0 ? .null : .array([.int(Int32(i)), .null]), .string("s\(i)")]
        }
        let df = try spark.createDataFrame(rows, schema: "id BIGINT, cat STRING, x DOUBLE, y DOUBLE, arr ARRAY<INT>, u STRING")
        let path = dir + "/sel"
        try df.write.option("parquet.block.size", 100_000).parquet(path)
        let back = spark.read.parquet(path)
        for cond in [col("y") < lit(100.0), col("y") >= lit(999.0), col("x").isNull() && col("y") > lit(500.0), col("y") > lit(5000.0)] {
            let got = try back.filter(cond).orderBy("id").collect().map { $0.values }
            let want = try df.filter(cond).orderBy("id").collect().map { $0.values }
            XCTAssertEqual(got, want)
            XCTAssertEqual(try back.filter(cond).groupBy("cat").agg(count(lit(1)), count(col("x")), max(col("x"))).orderBy("cat").collect().map { $0.values },
                           try df.filter(cond).groupBy("cat").agg(count(lit(1)), count(col("x")), max(col("x"))).orderBy("cat").collect().map { $0.values })
        }
    }

    /// Every leaf type, with NULLs, read through the selective path (the filter keeps some
    /// rows of each row group, so the other columns gather only those): equal to filtering
    /// in memory, for a few selectivities and with dictionary encoding on and off.
    func testSelectiveScanEveryLeafType() throws {
        let spark = try Session.local(cores: 2)
        var r = RNG(s: 7)
        let types = ParquetTests.leafTypes
        let rows: [[Value]] = (0..<6_000).map { i in
            [.long(Int64(i))] + types.map { ParquetTests.randomValue($0, &r, nullable: true) }
        }
        let ddl = (["id BIGINT"] + types.enumerated().map { "c\($0.offset) \($0.element.sql)" }).joined(separator: ", ")
        let df = try spark.createDataFrame(rows, schema: ddl)
        for dictionary in [true, false] {
            let path = dir + "/every-\(dictionary)"
            try df.write.option("parquet.block.size", 40_000).option("parquet.enable.dictionary", dictionary).parquet(path)
            let back = spark.read.parquet(path)
            for cond in [col("id") % 3 === 0, col("id") % 100 =!= 7, col("id") < 10, col("id") > 100_000] {
                let got = try back.filter(cond).orderBy("id").collect().map { $0.values }
                let want = try df.filter(cond).orderBy("id").collect().map { $0.values }
                XCTAssertEqual(got.count, want.count)
                XCTAssertEqual(got, want)
            }
        }
    }

    /// A one-entry dictionary has index width 0: a bit-packed run of such indices takes no
    /// bytes (parquet-mr and Ember write these for short constant columns).
    func testZeroWidthDictionaryIndices() throws {
        let spark = try Session.local(cores: 1)
        let df = try spark.createDataFrame([[.byte(1), .string("a")], [.byte(1), .string("a")], [.byte(1), .string("a")]], schema: "k TINYINT, s STRING")
        try df.write.parquet(dir + "/zero")
        XCTAssertEqual(try spark.read.parquet(dir + "/zero").collect().map { $0.values }, [[.byte(1), .string("a")], [.byte(1), .string("a")], [.byte(1), .string("a")]])
    }

    func testMaxRecordsPerFile() throws {
        let spark = try Session.local(cores: 2)
        let path = dir + "/split"
        try spark.range(0, 1000, numPartitions: 1).write.option("maxRecordsPerFile", 300).parquet(path)
        let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".parquet") }.sorted()
        XCTAssertEqual(files.count, 4)
        XCTAssertTrue(files[0].hasSuffix("-c000.snappy.parquet"), files[0])
        XCTAssertTrue(files[3].hasSuffix("-c003.snappy.parquet"), files[3])
        var counts: [Int] = []
        for f in files { counts.append(try ParquetFileInfo(path: path + "/" + f).rowCount) }
        XCTAssertEqual(counts, [300, 300, 300, 100])
        XCTAssertEqual(try spark.read.parquet(path).agg(sum(col("id"))).collect().map { $0.values }, [[.long(499_500)]])
    }

    func testSQLOverParquet() throws {
        let spark = try Session.local(cores: 2)
        let out = dir + "/sqlout"
        _ = try spark.sql("INSERT OVERWRITE DIRECTORY '\(out)' USING parquet SELECT id, id % 3 AS g FROM range(10)").collect()
        XCTAssertEqual(try spark.sql("SELECT g, count(*), sum(id) FROM parquet.`\(out)` GROUP BY g ORDER BY g").collect().map { $0.values },
                       [[.long(0), .long(4), .long(18)], [.long(1), .long(3), .long(12)], [.long(2), .long(3), .long(15)]])
        _ = try spark.sql("CREATE TEMPORARY VIEW t USING parquet OPTIONS (path '\(out)')").collect()
        XCTAssertEqual(try spark.sql("SELECT max(id) FROM t WHERE g = 1").collect().map { $0.values }, [[.long(7)]])
        XCTAssertThrowsError(try spark.sql("SELECT * FROM parquet.`\(dir)/missing`").collect()) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "PATH_NOT_FOUND")
        }
    }

    /// A task fails in the middle of a multi-file overwrite: the old data stays, nothing
    /// partial becomes visible, and no staging directory is left behind.
    func testFailedOverwriteKeepsOldData() throws {
        let spark = try Session.local(cores: 2)
        let path = dir + "/data"
        try spark.range(0, 10).write.parquet(path)
        let before = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        let bad = try spark.sql("SELECT CASE WHEN id = 150000 THEN raise_error('injected failure') ELSE id END AS id FROM range(0, 200000, 1, 4)")
        XCTAssertThrowsError(try bad.write.mode("overwrite").option("maxRecordsPerFile", 1000).parquet(path)) { e in
            XCTAssertTrue("\(e)".contains("injected failure"), "\(e)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path).sorted(), before)
        XCTAssertEqual(try spark.read.parquet(path).count(), 10)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
        // A failed first write leaves no target at all.
        XCTAssertThrowsError(try bad.write.parquet(dir + "/fresh"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/fresh"))
    }

    /// A directory Spark 4.1.1 wrote with `partitionBy("state")` (scripts/make_parquet_golden.py).
    func testReadsSparkPartitionedDirectory() throws {
        let spark = try Session.local(cores: 2)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EmberIOTests/golden/parquet/spark_partitioned").path
        let df = spark.read.parquet(path)
        XCTAssertEqual(try df.schema().ddl, "id INT,name STRING,state STRING")
        XCTAssertEqual(try df.orderBy("id").collect().map { $0.values }, [
            [.int(1), .string("ann"), .string("CA")], [.int(2), .string("bob"), .string("NY")],
            [.int(3), .string("cid"), .string("CA")], [.int(4), .string("dee"), .string("TX")],
        ])
        XCTAssertEqual(try df.filter(col("state") === lit("CA")).count(), 2)
        XCTAssertEqual(try scanUnits(df.filter(col("state") === lit("CA"))), 1)
        // A given schema may put the partition column anywhere; it is matched by name.
        let typed = try spark.read.schema("state STRING, id INT, name STRING").parquet(path)
        XCTAssertEqual(try typed.orderBy("id").collect().map { $0.values }, [
            [.string("CA"), .int(1), .string("ann")], [.string("NY"), .int(2), .string("bob")],
            [.string("CA"), .int(3), .string("cid")], [.string("TX"), .int(4), .string("dee")],
        ])
    }

    func testSaveModes() throws {
        let spark = try Session.local(cores: 2)
        let path = dir + "/modes"
        try spark.range(0, 5).write.parquet(path)
        XCTAssertThrowsError(try spark.range(0, 5).write.parquet(path)) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "PATH_ALREADY_EXISTS")
        }
        try spark.range(0, 3).write.mode("ignore").parquet(path)
        XCTAssertEqual(try spark.read.parquet(path).count(), 5)
        try spark.range(0, 3).write.mode("append").parquet(path)
        XCTAssertEqual(try spark.read.parquet(path).count(), 8)
        try spark.range(0, 2).write.mode("overwrite").parquet(path)
        XCTAssertEqual(try spark.read.parquet(path).count(), 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/_SUCCESS"))
    }
}
