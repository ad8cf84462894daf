import Ember
import XCTest

final class DataFrameTests: XCTestCase {
    func testAggregationAndSortSpillUnderTinyMemoryLimit() throws {
        // 200k rows, 50k groups, with a 256 KiB limit: the aggregate spills to disk.
        let spark = try Session.local(cores: 2, memoryLimit: 256 * 1024, shufflePartitions: 2)
        let df = spark.range(200_000)
            .withColumn("k", pmod(col("id") * 7, 50_000))
            .groupBy("k").agg(count(col("id")).alias("n"), sum(col("id")).alias("s"))
            .orderBy(col("k"))
        let before = Session.totalSpilledBytes
        let rows = try df.collect()
        XCTAssertGreaterThan(Session.totalSpilledBytes, before, "the aggregation must have spilled")
        XCTAssertEqual(rows.count, 50_000)
        // k = 0: ids ≡ 0 (mod 50000) after ×7 → id ∈ {0, 50000, 100000, 150000}.
        XCTAssertEqual(rows[0].values, [.long(0), .long(4), .long(300_000)])
        XCTAssertEqual(try df.count(), 50_000)
    }

    func testSortAndJoinSpillUnderTinyMemoryLimit() throws {
        // 300k rows sorted and 300k × 100k joined with a 256 KiB limit: the sort writes
        // sorted runs to disk and merges them; the join splits both sides into buckets.
        let spark = try Session.local(cores: 2, memoryLimit: 256 * 1024, shufflePartitions: 2)
        try spark.set("spark.sql.autoBroadcastJoinThreshold", "-1")
        let before = Session.totalSpilledBytes
        let sorted = try spark.range(300_000)
            .select((pmod(col("id") * 7919, 300_000)).alias("k"))
            .orderBy(col("k").desc()).collect()
        XCTAssertEqual(sorted.count, 300_000)
        XCTAssertEqual(sorted.first?.values, [.long(299_999)])
        XCTAssertEqual(sorted.last?.values, [.long(0)])
        XCTAssertTrue(zip(sorted, sorted.dropFirst()).allSatisfy { ($0.values[0].int64Value ?? 0) > ($1.values[0].int64Value ?? 0) })
        let afterSort = Session.totalSpilledBytes
        XCTAssertGreaterThan(afterSort, before, "the sort must have spilled")
        let facts = spark.range(300_000).select(pmod(col("id"), 100_000).alias("key"), col("id").alias("x"))
        let dims = spark.range(100_000).select(col("id").alias("key"), (col("id") * 2).alias("y"))
        let joined = try facts.join(dims, on: "key").agg(count(col("x")).alias("n"), sum(col("y")).alias("s")).collect()
        // Every fact row matches one dim row; sum of y = 3 × sum(2·k) over k < 100000.
        XCTAssertEqual(joined.first?.values, [.long(300_000), .long(3 * 2 * 4_999_950_000)])
        XCTAssertGreaterThan(Session.totalSpilledBytes, afterSort, "the join must have spilled")
        let left = try spark.range(10).join(spark.range(5, 15), on: "id", how: "full").count()
        XCTAssertEqual(left, 15)
    }

    func testNestedColumnsStayInMemoryUnderTinyLimit() throws {
        // Arrays cannot be spilled yet: aggregation and sort keep them in memory rather than fail.
        let spark = try Session.local(cores: 2, memoryLimit: 64 * 1024, shufflePartitions: 2)
        let rows = try spark.range(20_000)
            .select(pmod(col("id"), 100).alias("k"), callFunction("array", col("id"), col("id") + 1).alias("a"))
            .groupBy("k").agg(count(col("a")).alias("n"), max(col("k")).alias("mk"))
            .orderBy(col("k")).collect()
        XCTAssertEqual(rows.count, 100)
        XCTAssertEqual(rows[99].values, [.long(99), .long(200), .long(99)])
        let sorted = try spark.range(5_000).select(callFunction("array", col("id")).alias("a"), col("id"))
            .orderBy(col("id").desc()).limit(1).collect()
        XCTAssertEqual(sorted.first?.values, [.array([.long(4999)]), .long(4999)])
    }

    /// `groupBy` on an aliased expression groups by the expression and names the column by
    /// the alias, as PySpark 4.1's `spark.range(10).groupBy((col("id") % 3).alias("k")).count()`
    /// does (k 0, 1, 2 with counts 4, 3, 3).
    func testGroupByAliasedExpression() throws {
        let spark = try Session.local(cores: 2)
        let df = spark.range(10).groupBy((col("id") % 3).alias("k")).count().orderBy(col("k"))
        XCTAssertEqual(try df.columns, ["k", "count"])
        XCTAssertEqual(try df.collect().map(\.values), [[.long(0), .long(4)], [.long(1), .long(3)], [.long(2), .long(3)]])
    }

    func testDescribeAndSummaryMatchSpark() throws {
        // Expected rows from Spark 4.1.1: df.describe() and df.summary() on the same data.
        let spark = try Session.local(cores: 2)
        let df = try spark.createDataFrame(
            [[.string("ann"), .int(34), .double(1.5)], [.string("bob"), .null, .double(2.5)],
             [.string("cy"), .int(19), .double(4.0)], [.string("dee"), .int(25), .null]],
            schema: "name STRING, age INT, score DOUBLE")
        let s = try df.summary().collect().map { $0.values.map { $0.stringValue ?? "NULL" } }
        XCTAssertEqual(s, [
            ["count", "4", "3", "3"],
            ["mean", "NULL", "26.0", "2.6666666666666665"],
            ["stddev", "NULL", "7.54983443527075", "1.2583057392117918"],
            ["min", "ann", "19", "1.5"],
            ["25%", "NULL", "19", "1.5"],
            ["50%", "NULL", "25", "2.5"],
            ["75%", "NULL", "34", "4.0"],
            ["max", "dee", "34", "4.0"],
        ])
        XCTAssertEqual(try df.describe().count(), 5)
    }

    func testDataFrameAPI() throws {
        let spark = try Session.local(cores: 2)
        let people = try spark.createDataFrame(
            [[.string("ann"), .int(34), .string("NY")], [.string("bob"), .null, .string("SF")], [.string("cy"), .int(19), .string("NY")]],
            schema: "name STRING, age INT, city STRING")
        let out = try people.filter(col("age") > 18).groupBy("city").agg(avg(col("age")).alias("a")).collect()
        XCTAssertEqual(out.map(\.values), [[.string("NY"), .double(26.5)]])
        XCTAssertEqual(try people.na.fill(.int(0)).filter(col("age") === 0).count(), 1)
        XCTAssertEqual(try people.na.drop().count(), 2)
        XCTAssertEqual(try people.select(col("name")).distinct().count(), 3)
        let joined = try people.join(people.select(col("city"), col("name").alias("other")), on: "city", how: "left").count()
        XCTAssertEqual(joined, 5)
        XCTAssertThrowsError(try people.select(col("nme")).collect()) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "UNRESOLVED_COLUMN.WITH_SUGGESTION")
        }
        XCTAssertEqual(try people.showString(), """
            +----+----+----+
            |name| age|city|
            +----+----+----+
            | ann|  34|  NY|
            | bob|NULL|  SF|
            |  cy|  19|  NY|
            +----+----+----+

            """)
        let splits = try spark.range(1000).randomSplit([0.7, 0.3], seed: 1)
        XCTAssertEqual(try splits[0].count() + splits[1].count(), 1000)
    }
}
