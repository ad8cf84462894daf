import EmberCore
import XCTest

final class SchemaTests: XCTestCase {
    func testDDLRoundTrip() throws {
        let s = try Schema(ddl: "id INT, name STRING, tags ARRAY<STRING>, price DECIMAL(10,2), m MAP<STRING, BIGINT>, p STRUCT<x: DOUBLE, y: DATE> NOT NULL")
        // Spark's StructType.toDDL joins fields with a comma.
        XCTAssertEqual(s.ddl, "id INT,name STRING,tags ARRAY<STRING>,price DECIMAL(10,2),m MAP<STRING, BIGINT>,p STRUCT<x: DOUBLE, y: DATE> NOT NULL")
        XCTAssertEqual(try Schema(ddl: s.ddl), s)
        XCTAssertEqual(s[5].nullable, false)
        XCTAssertEqual(s.index(of: "NAME"), 1)
    }

    func testTreeString() throws {
        let s = try Schema(ddl: "id INT, tags ARRAY<STRING>")
        XCTAssertEqual(s.treeString, "root\n |-- id: integer (nullable = true)\n |-- tags: array (nullable = true)\n |    |-- element: string (nullable = true)\n")
    }

    func testBadDDLThrows() {
        XCTAssertThrowsError(try Schema(ddl: "id INTEGR")) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "UNSUPPORTED_DATATYPE")
        }
        XCTAssertThrowsError(try Schema(ddl: "id DECIMAL(50,2)"))
        XCTAssertThrowsError(try Schema(ddl: "a ARRAY<INT"))
    }

    func testDatesAndTimestamps() {
        XCTAssertEqual(DateTime.parseDate("2024-02-29"), 19782)
        XCTAssertNil(DateTime.parseDate("2023-02-29"))
        XCTAssertEqual(DateTime.formatDate(19782), "2024-02-29")
        let ts = DateTime.parseTimestamp("2024-01-02 03:04:05.123", zone: .utc)
        XCTAssertEqual(ts, 1_704_164_645_123_000)
        XCTAssertEqual(DateTime.formatTimestamp(1_704_164_645_123_000, zone: .utc), "2024-01-02 03:04:05.123")
        XCTAssertEqual(DateTime.formatTimestamp(1_704_164_645_123_000, zone: SessionTimeZone(id: "+02:00")!), "2024-01-02 05:04:05.123")
    }

    func testJavaDoubleFormat() {
        // Java's Double.toString, as Spark prints doubles.
        XCTAssertEqual(NumberFormat.javaDouble(1.0), "1.0")
        XCTAssertEqual(NumberFormat.javaDouble(1e20), "1.0E20")
        XCTAssertEqual(NumberFormat.javaDouble(1e-5), "1.0E-5")
        XCTAssertEqual(NumberFormat.javaDouble(12345678.9), "1.23456789E7")
        XCTAssertEqual(NumberFormat.javaDouble(0.1 + 0.2), "0.30000000000000004")
        XCTAssertEqual(NumberFormat.javaDouble(-0.0), "-0.0")
    }

    func testDecimalParseAndRound() {
        let d = Decimal128.parse("-12.345")!
        XCTAssertEqual(d.description, "-12.345")
        XCTAssertEqual(d.rescaled(to: 2, precision: 10)?.description, "-12.35")
        XCTAssertNil(Decimal128.parse("1.2.3"))
        XCTAssertNil(d.rescaled(to: 2, precision: 3))
    }
}
