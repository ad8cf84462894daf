import Ember
import Foundation
import XCTest

/// The "arrow" data source: DataFrame reader/writer and `USING arrow` in SQL. The golden
/// files come from `scripts/make_arrow_golden.py` (pyarrow 26).
final class ArrowIPCDataFrameTests: XCTestCase {
    func testWriteThenReadDataFrame() throws {
        let spark = try Session.local(cores: 2)
        let schema = try AllTypes.schema
        let df = try spark.createDataFrame(AllTypes.rows, schema: schema)
        let dir = ArrowFixture.dir() + "/out"
        try df.write.format("arrow").save(dir)
        let parts = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertTrue(parts.contains("_SUCCESS"))
        XCTAssertTrue(parts.contains { $0.hasPrefix("part-") && $0.hasSuffix(".arrow") }, "\(parts)")
        let back = spark.read.format("arrow").load(dir)
        XCTAssertEqual(try back.schema(), schema)
        XCTAssertEqual(try back.orderBy("i").collect().map(\.values), [AllTypes.rows[1], AllTypes.rows[0], AllTypes.rows[2]])
        // Pruned columns and a filter on a column read from Arrow.
        let pruned = try back.filter("i > 0").select("s", "dec").orderBy("s").collect().map(\.values)
        XCTAssertEqual(pruned, [[AllTypes.rows[0][8], AllTypes.rows[0][7]], [AllTypes.rows[2][8], AllTypes.rows[2][7]]])
        // An empty result still writes a file with the schema.
        let empty = ArrowFixture.dir() + "/empty"
        try df.filter("i > 1000000000000").write.arrow(empty)
        XCTAssertEqual(try spark.read.arrow(empty).schema(), schema)
        XCTAssertEqual(try spark.read.arrow(empty).count(), 0)
    }

    func testSQLUsingArrow() throws {
        let spark = try Session.local(cores: 2)
        try spark.sql("CREATE TEMPORARY VIEW golden USING arrow OPTIONS (path '\(ArrowFixture.path("file.arrow"))')")
        let rows = try spark.sql("SELECT id, name FROM golden WHERE score > 1 ORDER BY id").collect().map(\.values)
        XCTAssertEqual(rows, [[.null, .null], [.long(3), .string("cy")], [.long(4), .string("cy")]])
        let dir = ArrowFixture.dir() + "/sql"
        try spark.sql("INSERT OVERWRITE DIRECTORY '\(dir)' USING arrow SELECT name, count(*) AS n FROM golden GROUP BY name")
        let counted = try spark.read.arrow(dir).orderBy("name").collect().map(\.values)
        XCTAssertEqual(counted, [[.null, .long(1)], [.string("ann"), .long(1)], [.string("bob"), .long(1)], [.string("cy"), .long(2)]])
    }

    func testFeatherWithGivenSchema() throws {
        let spark = try Session.local(cores: 2)
        let path = ArrowFixture.path("table.feather")
        XCTAssertEqual(try spark.read.arrow(path).collect().map(\.values), [[.int(1), .string("a")], [.int(2), .null], [.int(3), .string("c")]])
        // Columns are matched by name; a column the file lacks reads as NULL.
        let given = try spark.read.schema("v STRING, missing INT, K INT").format("arrow").load(path)
        XCTAssertEqual(try given.collect().map(\.values), [[.string("a"), .null, .int(1)], [.null, .null, .int(2)], [.string("c"), .null, .int(3)]])
        XCTAssertThrowsError(try spark.read.schema("k STRING").format("arrow").load(path).collect()) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "FAILED_READ_FILE.NO_HINT")
            XCTAssertTrue((e as? EmberError)?.message.contains("column `k` has type INT in the file, but the schema says STRING") ?? false, "\(e)")
        }
    }
}
