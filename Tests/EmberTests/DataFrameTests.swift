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
        let rows = try df.collect()
        XCTAssertEqual(rows.count, 50_000)
        // k = 0: ids ≡ 0 (mod 50000) after ×7 → id ∈ {0, 50000, 100000, 150000}.
        XCTAssertEqual(rows[0].values, [.long(0), .long(4), .long(300_000)])
        XCTAssertEqual(try df.count(), 50_000)
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
