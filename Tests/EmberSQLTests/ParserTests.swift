import EmberCore
import EmberPlan
import XCTest

@testable import EmberSQL

// MARK: - Builders for expected trees

private func col(_ parts: String...) -> Expr { .unresolvedAttribute(parts) }
private func int(_ v: Int32) -> Expr { .literal(.int(v), .int) }
private func long(_ v: Int64) -> Expr { .literal(.long(v), .long) }
private func str(_ s: String) -> Expr { .literal(.string(s), .string) }
private func bool(_ b: Bool) -> Expr { .literal(.boolean(b), .boolean) }
private func fn(_ name: String, _ args: Expr...) -> Expr { .function(name: name, args: args, isDistinct: false) }
private func alias(_ e: Expr, _ name: String) -> Expr { .alias(e, name: name, id: nil) }
private func asc(_ e: Expr) -> Expr { .sortOrder(e, ascending: true, nullsFirst: true) }
private func desc(_ e: Expr) -> Expr { .sortOrder(e, ascending: false, nullsFirst: false) }
private func dec(_ unscaled: Int128, _ scale: Int, _ precision: Int) -> Expr {
    .literal(.decimal(Decimal128(unscaled: unscaled, scale: scale)), .decimal(precision: precision, scale: scale))
}
private func table(_ parts: String...) -> LogicalPlan { .unresolvedRelation(parts) }
private let oneRow = LogicalPlan.values([[]], names: [])
private func interval(_ months: Int64, _ days: Int64, _ micros: Int64) -> Expr {
    fn("make_interval_literal", long(months), long(days), long(micros))
}

/// A structural rendering through `Mirror`: stricter than plan equality, which compares
/// printed plans (where `'1'` and `1` look alike).
private func structure(_ x: Any) -> String {
    let m = Mirror(reflecting: x)
    if m.children.isEmpty { return "\(type(of: x)).\(x)" }
    return "\(type(of: x))(" + m.children.map { "\($0.label ?? "_"): \(structure($0.value))" }.joined(separator: ", ") + ")"
}

final class ParserTests: XCTestCase {
    private func q(_ sql: String, file: StaticString = #filePath, line: UInt = #line) -> LogicalPlan? {
        do { return try SQLParser.parseQuery(sql) } catch {
            XCTFail("\(sql): \(error)", file: file, line: line)
            return nil
        }
    }

    private func e(_ sql: String, file: StaticString = #filePath, line: UInt = #line) -> Expr? {
        do { return try SQLParser.parseExpression(sql) } catch {
            XCTFail("\(sql): \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertQuery(_ sql: String, _ expected: LogicalPlan, file: StaticString = #filePath, line: UInt = #line) {
        guard let plan = q(sql, file: file, line: line) else { return }
        XCTAssertEqual(plan, expected, sql, file: file, line: line)
        XCTAssertEqual(structure(plan), structure(expected), sql, file: file, line: line)
    }

    private func assertExpr(_ sql: String, _ expected: Expr, file: StaticString = #filePath, line: UInt = #line) {
        guard let x = e(sql, file: file, line: line) else { return }
        XCTAssertEqual(structure(x), structure(expected), sql, file: file, line: line)
    }

    /// The selected expression of `SELECT <sql>`, going through the query path.
    private func selected(_ sql: String, file: StaticString = #filePath, line: UInt = #line) -> Expr? {
        guard let plan = q("SELECT " + sql, file: file, line: line) else { return nil }
        guard case .project(_, let items) = plan, let first = items.first else {
            XCTFail("not a projection: \(plan)", file: file, line: line)
            return nil
        }
        return first
    }

    private func assertError(
        _ sql: String, _ errorClass: String = "PARSE_SYNTAX_ERROR", contains text: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try SQLParser.parseStatements(sql), sql, file: file, line: line) { err in
            guard let err = err as? EmberError else { return XCTFail("not an EmberError: \(err)", file: file, line: line) }
            XCTAssertEqual(err.errorClass, errorClass, err.description, file: file, line: line)
            XCTAssertTrue(err.message.contains(text), "\(err.message) lacks \(text)", file: file, line: line)
        }
    }

    // MARK: Literals

    func testIntegerLiteralsWidenByRange() {
        assertExpr("1", int(1))
        assertExpr("-2147483648", int(.min))
        assertExpr("2147483648", long(2_147_483_648))
        assertExpr("-9223372036854775808", long(.min))
        assertExpr("9223372036854775808", dec(9_223_372_036_854_775_808, 0, 19))
    }

    func testNumericSuffixes() {
        assertExpr("10L", long(10))
        assertExpr("10S", .literal(.short(10), .short))
        assertExpr("-10Y", .literal(.byte(-10), .byte))
        assertExpr("1.5D", .literal(.double(1.5), .double))
        assertExpr("2F", .literal(.float(2), .float))
        assertExpr("1BD", dec(1, 0, 1))
        assertExpr("1.25BD", dec(125, 2, 3))
    }

    func testDecimalAndDoubleLiterals() {
        assertExpr("1.5", dec(15, 1, 2))
        assertExpr("-0.05", dec(-5, 2, 2))
        assertExpr(".5", dec(5, 1, 1))
        assertExpr("1.5e3", .literal(.double(1500), .double))
        assertExpr("1E10", .literal(.double(1e10), .double))
    }

    func testNumericRangeErrors() {
        assertError("SELECT 128Y", "INVALID_NUMERIC_LITERAL_RANGE", contains: "tinyint")
        assertError("SELECT 1e400", "INVALID_NUMERIC_LITERAL_RANGE", contains: "double")
        assertError("SELECT 1234567890123456789012345678901234567890", "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", contains: "38")
    }

    func testStringLiterals() {
        assertExpr(#"'it\'s' "a\tb""#, str("it's" + "a\tb"))
        assertExpr("'a' 'b' 'c'", str("abc"))
        assertExpr(#"'\\n'"#, str("\\n"))
        assertExpr(#"'50\%'"#, str("50\\%"))
        assertExpr("'\\u0041'", str("A"))
        assertExpr("r'\\d+'", str("\\d+"))
        assertExpr("X'0AFF'", .literal(.binary([0x0A, 0xFF]), .binary))
        assertExpr("NULL", .literal(.null, .null))
        assertExpr("true", bool(true))
    }

    func testTypedLiterals() {
        assertExpr("DATE '1970-01-02'", .literal(.date(1), .date))
        assertExpr(
            "TIMESTAMP '2024-01-02 03:04:05'",
            .cast(str("2024-01-02 03:04:05"), to: .timestamp, mode: .ansi))
        assertError("SELECT DATE '2024-13-01'", "INVALID_TYPED_LITERAL", contains: "\"DATE\" is invalid: '2024-13-01'")
        assertError("SELECT TIMESTAMP 'x'", "INVALID_TYPED_LITERAL", contains: "TIMESTAMP")
        // `date` alone is a column.
        assertExpr("date", col("date"))
    }

    func testIntervals() {
        assertExpr("INTERVAL '3' DAY", interval(0, 3, 0))
        assertExpr("INTERVAL 3 DAYS", interval(0, 3, 0))
        assertExpr("INTERVAL '1' MONTH", interval(1, 0, 0))
        assertExpr("INTERVAL 2 HOURS", interval(0, 0, 7_200_000_000))
        assertExpr("INTERVAL 1 YEAR 2 MONTHS 1 WEEK 1 DAY 2 HOURS 3 MINUTES 1.5 SECONDS",
            interval(14, 8, 7_200_000_000 + 180_000_000 + 1_500_000))
        assertExpr("INTERVAL '1 day 2 hours'", interval(0, 1, 7_200_000_000))
        assertExpr("INTERVAL '1-2' YEAR TO MONTH", interval(14, 0, 0))
        assertExpr("INTERVAL '-1 02:00:01' DAY TO SECOND", interval(0, -1, -7_201_000_000))
        assertExpr("INTERVAL -3 DAYS", interval(0, -3, 0))
        assertExpr("d - INTERVAL 1 DAY - 1", fn("-", fn("-", col("d"), interval(0, 1, 0)), int(1)))
        assertError("SELECT INTERVAL 3", contains: "end of input")
        assertError("SELECT INTERVAL 'x' DAY", "INVALID_INTERVAL_FORMAT", contains: "'x'")
    }

    // MARK: Operators and precedence

    func testArithmeticPrecedence() {
        assertExpr("a + b * c - d", fn("-", fn("+", col("a"), fn("*", col("b"), col("c"))), col("d")))
        assertExpr("(a + b) * c", fn("*", fn("+", col("a"), col("b")), col("c")))
        assertExpr("a DIV b % c", fn("%", fn("div", col("a"), col("b")), col("c")))
        assertExpr("a || b || c", fn("concat", fn("concat", col("a"), col("b")), col("c")))
        assertExpr("a | b ^ c & d", fn("|", col("a"), fn("^", col("b"), fn("&", col("c"), col("d")))))
        assertExpr("a - -1", fn("-", col("a"), int(-1)))
    }

    func testUnaryOperators() {
        assertExpr("-a * b", fn("*", fn("negative", col("a")), col("b")))
        assertExpr("+a", col("a"))
        assertExpr("~a", fn("~", col("a")))
        assertExpr("- 5", int(-5))
        assertExpr("-1.5", dec(-15, 1, 2))
    }

    func testComparisonAndBooleanPrecedence() {
        assertExpr(
            "NOT a = 1 AND b <> 2 OR c <=> d",
            fn("or", fn("and", fn("not", fn("==", col("a"), int(1))), fn("!=", col("b"), int(2))), fn("<=>", col("c"), col("d"))))
        assertExpr("a == 1", fn("==", col("a"), int(1)))
        assertExpr("a != 1", fn("!=", col("a"), int(1)))
        assertExpr("a >= 1 = true", fn("==", fn(">=", col("a"), int(1)), bool(true)))
        assertExpr("!a", fn("not", col("a")))
    }

    func testIsPredicates() {
        assertExpr("a IS NULL", fn("isnull", col("a")))
        assertExpr("a IS NOT NULL", fn("isnotnull", col("a")))
        assertExpr("NOT a IS NULL", fn("not", fn("isnull", col("a"))))
        assertExpr("a IS TRUE", fn("<=>", col("a"), bool(true)))
        assertExpr("a IS NOT FALSE", fn("not", fn("<=>", col("a"), bool(false))))
        assertExpr("a IS DISTINCT FROM b", fn("not", fn("<=>", col("a"), col("b"))))
        assertExpr("a IS NOT DISTINCT FROM b", fn("<=>", col("a"), col("b")))
        assertExpr("a + 1 IS NULL", fn("isnull", fn("+", col("a"), int(1))))
    }

    func testBetweenInLike() {
        assertExpr(
            "a BETWEEN 1 AND 2 AND b", fn("and", fn("between", col("a"), int(1), int(2)), col("b")))
        assertExpr("a NOT BETWEEN b AND c + 1", fn("not", fn("between", col("a"), col("b"), fn("+", col("c"), int(1)))))
        assertExpr("a IN (1, 2)", fn("in", col("a"), int(1), int(2)))
        assertExpr("a NOT IN ('x')", fn("not", fn("in", col("a"), str("x"))))
        assertExpr("a LIKE 'x%'", fn("like", col("a"), str("x%")))
        assertExpr("a NOT LIKE 'x!%' ESCAPE '!'", fn("not", fn("like", col("a"), str("x!%"), str("!"))))
        assertExpr("a ILIKE 'x'", fn("ilike", col("a"), str("x")))
        assertExpr("a RLIKE '^x'", fn("rlike", col("a"), str("^x")))
        assertExpr("a NOT REGEXP 'y'", fn("not", fn("rlike", col("a"), str("y"))))
    }

    func testSubqueryExpressions() {
        let sub = LogicalPlan.project(table("t"), [col("x")])
        assertExpr("a IN (SELECT x FROM t)", .inSubquery([col("a")], sub))
        assertExpr("a NOT IN (SELECT x FROM t)", fn("not", .inSubquery([col("a")], sub)))
        assertExpr("(a, b) IN (SELECT x FROM t)", .inSubquery([col("a"), col("b")], sub))
        assertExpr("EXISTS (SELECT x FROM t)", .exists(sub))
        assertExpr("NOT EXISTS (SELECT x FROM t)", fn("not", .exists(sub)))
        assertExpr("(SELECT x FROM t) + 1", fn("+", .scalarSubquery(sub), int(1)))
        assertExpr("((SELECT x FROM t)) + 1", fn("+", .scalarSubquery(sub), int(1)))
        assertExpr("((a + 1)) * 2", fn("*", fn("+", col("a"), int(1)), int(2)))
        assertExpr("(a, b)", fn("struct", col("a"), col("b")))
    }

    func testFieldAccessAndCasts() {
        assertExpr("a.b.c", col("a", "b", "c"))
        assertExpr("`a.b`.c", col("a.b", "c"))
        assertExpr("a[0]", .extractValue(col("a"), key: int(0)))
        assertExpr("a[0].b", .extractValue(.extractValue(col("a"), key: int(0)), key: str("b")))
        assertExpr("f(x).y", .extractValue(fn("f", col("x")), key: str("y")))
        assertExpr("m['k']", .extractValue(col("m"), key: str("k")))
        assertExpr("a::int", .cast(col("a"), to: .int, mode: .ansi))
        assertExpr("CAST(a AS DECIMAL(10, 2))", .cast(col("a"), to: .decimal(precision: 10, scale: 2), mode: .ansi))
        assertExpr("TRY_CAST(a AS bigint)", .cast(col("a"), to: .long, mode: .try))
        assertExpr(
            "cast(a as map<string, array<struct<x: int, `y z` string not null>>>)",
            .cast(
                col("a"),
                to: .map(
                    key: .string,
                    value: .array(
                        element: .structure([StructField("x", .int), StructField("y z", .string, nullable: false)]),
                        containsNull: true),
                    valueContainsNull: true),
                mode: .ansi))
    }

    func testDataTypes() throws {
        XCTAssertEqual(try SQLParser.parseDataType("int"), .int)
        XCTAssertEqual(try SQLParser.parseDataType("DECIMAL"), .decimal(precision: 10, scale: 0))
        XCTAssertEqual(try SQLParser.parseDataType("varchar(10)"), .string)
        XCTAssertEqual(try SQLParser.parseDataType("array<array<bigint>>"), .array(element: .array(element: .long, containsNull: true), containsNull: true))
        XCTAssertEqual(try SQLParser.parseDataType("struct<>"), .structure([]))
        XCTAssertThrowsError(try SQLParser.parseDataType("decimal(40,2)"))
        XCTAssertThrowsError(try SQLParser.parseDataType("foo")) { err in
            XCTAssertEqual((err as? EmberError)?.errorClass, "UNSUPPORTED_DATATYPE")
        }
    }

    // MARK: Special forms and functions

    func testCase() {
        assertExpr("CASE WHEN a THEN 1 WHEN b THEN 2 END", fn("when", col("a"), int(1), col("b"), int(2)))
        assertExpr("CASE WHEN a THEN 1 ELSE 0 END", fn("when", col("a"), int(1), int(0)))
        assertExpr(
            "CASE x WHEN 1 THEN 'a' ELSE 'b' END", fn("when", fn("==", col("x"), int(1)), str("a"), str("b")))
        assertError("SELECT CASE END", contains: "'END'")
    }

    func testSpecialFunctionSyntax() {
        assertExpr("EXTRACT(YEAR FROM d)", fn("extract", str("YEAR"), col("d")))
        assertExpr("POSITION('a' IN s)", fn("position", str("a"), col("s")))
        assertExpr("position('a', s, 2)", fn("position", str("a"), col("s"), int(2)))
        assertExpr("SUBSTRING(s FROM 2 FOR 3)", fn("substring", col("s"), int(2), int(3)))
        assertExpr("substr(s, 2)", fn("substr", col("s"), int(2)))
        assertExpr("TRIM(s)", fn("trim", col("s")))
        assertExpr("TRIM(BOTH FROM s)", fn("trim", col("s")))
        // Spark's two-argument trim functions take the trim characters first.
        assertExpr("TRIM(LEADING 'x' FROM s)", fn("ltrim", str("x"), col("s")))
        assertExpr("TRIM(TRAILING FROM s)", fn("rtrim", col("s")))
        assertExpr("TRIM('x' FROM s)", fn("trim", str("x"), col("s")))
        assertExpr("current_date", fn("current_date"))
        assertExpr("CURRENT_TIMESTAMP()", fn("current_timestamp"))
    }

    func testFunctionCalls() {
        assertExpr("Upper(a)", fn("upper", col("a")))
        assertExpr("count(*)", fn("count", .star(qualifier: [])))
        assertExpr("count(DISTINCT a, b)", .function(name: "count", args: [col("a"), col("b")], isDistinct: true))
        assertExpr("left(s, 2)", fn("left", col("s"), int(2)))
        assertExpr("if(a, 1, 2)", fn("if", col("a"), int(1), int(2)))
        assertExpr("array(1, 2)", fn("array", int(1), int(2)))
        assertExpr("first(a) IGNORE NULLS", fn("first", col("a"), bool(true)))
        assertExpr("last(a IGNORE NULLS)", fn("last", col("a"), bool(true)))
        assertExpr("sum(a) FILTER (WHERE b > 0)", fn("sum", fn("when", fn(">", col("b"), int(0)), col("a"))))
        assertExpr("count(*) FILTER (WHERE b)", fn("count", fn("when", col("b"), int(1))))
    }

    func testWindowFunctions() {
        assertExpr(
            "row_number() OVER (PARTITION BY a ORDER BY b DESC)",
            .window(fn("row_number"), WindowSpec(partitionBy: [col("a")], orderBy: [desc(col("b"))])))
        assertExpr(
            "sum(x) OVER (ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
            .window(
                fn("sum", col("x")),
                WindowSpec(orderBy: [asc(col("b"))], frame: WindowFrame(kind: .rows, lower: .offset(int(-2)), upper: .currentRow))))
        assertExpr(
            "sum(x) OVER (ROWS UNBOUNDED PRECEDING)",
            .window(fn("sum", col("x")), WindowSpec(frame: WindowFrame(kind: .rows, lower: .unboundedPreceding, upper: .currentRow))))
        assertExpr(
            "sum(x) OVER (ORDER BY b RANGE BETWEEN CURRENT ROW AND 3L FOLLOWING)",
            .window(
                fn("sum", col("x")),
                WindowSpec(orderBy: [asc(col("b"))], frame: WindowFrame(kind: .range, lower: .currentRow, upper: .offset(long(3))))))
        assertExpr(
            "sum(x) OVER (ORDER BY d RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND UNBOUNDED FOLLOWING)",
            .window(
                fn("sum", col("x")),
                WindowSpec(
                    orderBy: [asc(col("d"))],
                    frame: WindowFrame(kind: .range, lower: .offset(interval(0, -1, 0)), upper: .unboundedFollowing))))
        assertExpr("rank() OVER ()", .window(fn("rank"), WindowSpec()))
    }

    func testNamedWindows() {
        let spec = WindowSpec(partitionBy: [col("a")], orderBy: [asc(col("b"))])
        assertQuery(
            "SELECT sum(x) OVER w, rank() OVER (w ROWS 1 PRECEDING) FROM t WINDOW w AS (PARTITION BY a ORDER BY b)",
            .project(
                table("t"),
                [
                    .window(fn("sum", col("x")), spec),
                    .window(
                        fn("rank"),
                        WindowSpec(
                            partitionBy: spec.partitionBy, orderBy: spec.orderBy,
                            frame: WindowFrame(kind: .rows, lower: .offset(int(-1)), upper: .currentRow))),
                ]))
        assertError("SELECT sum(x) OVER w FROM t", "MISSING_WINDOW_SPECIFICATION", contains: "w")
    }

    // MARK: Queries

    func testSelectWithoutFrom() {
        assertQuery("SELECT 1", .project(oneRow, [int(1)]))
        assertQuery("select 1 AS one, 'x' two", .project(oneRow, [alias(int(1), "one"), alias(str("x"), "two")]))
    }

    func testSelectClausesBuildOrder() {
        assertQuery(
            "SELECT DISTINCT a, sum(b) AS s FROM t WHERE c > 0 GROUP BY a HAVING sum(b) > 1 ORDER BY s DESC LIMIT 10 OFFSET 5",
            .limit(
                .offset(
                    .sort(
                        .deduplicate(
                            .filter(
                                .aggregate(
                                    .filter(table("t"), fn(">", col("c"), int(0))), .groupBy, groupings: [col("a")],
                                    aggregates: [col("a"), alias(fn("sum", col("b")), "s")]),
                                fn(">", fn("sum", col("b")), int(1))),
                            columns: []),
                        [desc(col("s"))], isGlobal: true),
                    5),
                10))
    }

    func testStarsAndAliases() {
        assertQuery(
            "SELECT *, t.*, a b, c AS `d e`, f AS end FROM t",
            .project(
                table("t"),
                [.star(qualifier: []), .star(qualifier: ["t"]), alias(col("a"), "b"), alias(col("c"), "d e"), alias(col("f"), "end")]))
    }

    func testSortOptions() {
        assertQuery(
            "SELECT a FROM t ORDER BY a, b ASC NULLS LAST, c DESC NULLS FIRST",
            .sort(
                .project(table("t"), [col("a")]),
                [asc(col("a")), .sortOrder(col("b"), ascending: true, nullsFirst: false),
                 .sortOrder(col("c"), ascending: false, nullsFirst: true)],
                isGlobal: true))
        assertQuery(
            "SELECT a FROM t SORT BY a LIMIT ALL",
            .sort(.project(table("t"), [col("a")]), [asc(col("a"))], isGlobal: true))
    }

    func testGroupingVariants() {
        let input = table("t")
        let items = [col("a"), fn("count", .star(qualifier: []))]
        assertQuery("SELECT a, count(*) FROM t GROUP BY ROLLUP(a, b)", .aggregate(input, .rollup, groupings: [col("a"), col("b")], aggregates: items))
        assertQuery("SELECT a, count(*) FROM t GROUP BY CUBE(a)", .aggregate(input, .cube, groupings: [col("a")], aggregates: items))
        assertQuery("SELECT a, count(*) FROM t GROUP BY a WITH ROLLUP", .aggregate(input, .rollup, groupings: [col("a")], aggregates: items))
        assertQuery("SELECT a, count(*) FROM t GROUP BY ALL", .aggregate(input, .groupBy, groupings: [col("*ALL*")], aggregates: items))
        assertQuery("SELECT a, count(*) FROM t GROUP BY 1", .aggregate(input, .groupBy, groupings: [int(1)], aggregates: items))
        assertQuery(
            "SELECT count(*) FROM t HAVING count(*) > 1",
            .filter(
                .aggregate(input, .groupBy, groupings: [], aggregates: [fn("count", .star(qualifier: []))]),
                fn(">", fn("count", .star(qualifier: [])), int(1))))
        assertError("SELECT a FROM t GROUP BY a, ROLLUP(b)", "UNSUPPORTED_FEATURE", contains: "ROLLUP")
    }

    func testSetOperationsPrecedence() {
        func sel(_ name: String) -> LogicalPlan { .project(table(name), [col("a")]) }
        func op(_ l: LogicalPlan, _ r: LogicalPlan, _ t: SetOperationType, _ all: Bool) -> LogicalPlan {
            .setOperation(l, r, t, isAll: all, byName: false, allowMissingColumns: false)
        }
        assertQuery(
            "SELECT a FROM x UNION ALL SELECT a FROM y INTERSECT SELECT a FROM z EXCEPT SELECT a FROM w",
            op(op(sel("x"), op(sel("y"), sel("z"), .intersect, false), .union, true), sel("w"), .except, false))
        assertQuery(
            "SELECT a FROM x MINUS DISTINCT SELECT a FROM y ORDER BY a LIMIT 1",
            .limit(.sort(op(sel("x"), sel("y"), .except, false), [asc(col("a"))], isGlobal: true), 1))
        assertQuery(
            "(SELECT a FROM x) UNION (SELECT a FROM y LIMIT 2)",
            op(sel("x"), .limit(sel("y"), 2), .union, false))
    }

    func testWithClause() {
        assertQuery(
            "WITH c AS (SELECT a FROM t), d (x, y) AS (SELECT 1, 2) SELECT * FROM c",
            .with(
                .project(table("c"), [.star(qualifier: [])]),
                [
                    ("c", .project(table("t"), [col("a")])),
                    ("d", .withColumnsRenamed(.project(oneRow, [int(1), int(2)]), [("#0", "x"), ("#1", "y")])),
                ]))
    }

    func testValues() {
        assertQuery("VALUES (1, 'a'), (2, 'b')", .values([[int(1), str("a")], [int(2), str("b")]], names: ["col1", "col2"]))
        assertQuery(
            "SELECT * FROM VALUES (1, 2) AS t(a, b)",
            .project(.subqueryAlias(.values([[int(1), int(2)]], names: ["a", "b"]), "t"), [.star(qualifier: [])]))
        assertQuery(
            "SELECT * FROM (VALUES 1, 2) v",
            .project(.subqueryAlias(.values([[int(1)], [int(2)]], names: ["col1"]), "v"), [.star(qualifier: [])]))
    }

    func testFromRelations() {
        assertQuery("SELECT * FROM db.t AS x", .project(.subqueryAlias(table("db", "t"), "x"), [.star(qualifier: [])]))
        assertQuery(
            "SELECT * FROM a, b c",
            .project(.join(table("a"), .subqueryAlias(table("b"), "c"), .cross, condition: nil, using: []), [.star(qualifier: [])]))
        assertQuery(
            "SELECT * FROM (SELECT a FROM t) s(x)",
            .project(
                .subqueryAlias(.withColumnsRenamed(.project(table("t"), [col("a")]), [("#0", "x")]), "s"),
                [.star(qualifier: [])]))
        assertQuery("SELECT * FROM range(10)", .project(.range(start: 0, end: 10, step: 1, numPartitions: nil), [.star(qualifier: [])]))
        assertQuery(
            "SELECT id FROM range(1, -10, -2) r",
            .project(.subqueryAlias(.range(start: 1, end: -10, step: -2, numPartitions: nil), "r"), [col("id")]))
    }

    func testJoins() {
        func j(_ type: JoinType, _ cond: Expr? = nil, _ using: [String] = []) -> LogicalPlan {
            .project(.join(table("a"), table("b"), type, condition: cond, using: using), [.star(qualifier: [])])
        }
        let on = fn("==", col("a", "x"), col("b", "x"))
        assertQuery("SELECT * FROM a JOIN b ON a.x = b.x", j(.inner, on))
        assertQuery("SELECT * FROM a INNER JOIN b USING (x, y)", j(.inner, nil, ["x", "y"]))
        assertQuery("SELECT * FROM a LEFT JOIN b ON a.x = b.x", j(.leftOuter, on))
        assertQuery("SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x", j(.leftOuter, on))
        assertQuery("SELECT * FROM a RIGHT OUTER JOIN b ON a.x = b.x", j(.rightOuter, on))
        assertQuery("SELECT * FROM a FULL JOIN b ON a.x = b.x", j(.fullOuter, on))
        assertQuery("SELECT * FROM a LEFT SEMI JOIN b ON a.x = b.x", j(.leftSemi, on))
        assertQuery("SELECT * FROM a ANTI JOIN b ON a.x = b.x", j(.leftAnti, on))
        assertQuery("SELECT * FROM a CROSS JOIN b", j(.cross))
        assertQuery(
            "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (x)",
            .project(
                .join(.join(table("a"), table("b"), .inner, condition: on, using: []), table("c"), .leftOuter, condition: nil, using: ["x"]),
                [.star(qualifier: [])]))
        assertQuery(
            "SELECT * FROM a JOIN (b CROSS JOIN c) ON true",
            .project(
                .join(table("a"), .join(table("b"), table("c"), .cross, condition: nil, using: []), .inner, condition: bool(true), using: []),
                [.star(qualifier: [])]))
        assertError("SELECT * FROM a NATURAL CROSS JOIN b", contains: "CROSS")
    }

    func testCommentsAndSoftKeywords() {
        assertQuery(
            "SELECT /*+ BROADCAST(t) */ first, last -- trailing\n, `select` FROM t /* a /* nested */ comment */",
            .project(table("t"), [col("first"), col("last"), col("select")]))
        assertQuery("SELECT a FROM t SORT BY a", .sort(.project(table("t"), [col("a")]), [asc(col("a"))], isGlobal: true))
    }

    // MARK: Statements

    func testCreateViewUsing() throws {
        let s = try SQLParser.parseStatement(
            "CREATE OR REPLACE TEMPORARY VIEW IF NOT EXISTS v (a INT, b STRING NOT NULL) USING csv OPTIONS (path 'data/x.csv', header 'true', inferSchema = true, `sep` ';', 'k.x' 1, spark.x.y -2)")
        guard case .createView(let name, let replace, let ifNotExists, let columns, .files(let format, let options), _) = s else {
            return XCTFail("\(s)")
        }
        XCTAssertEqual(name, "v")
        XCTAssertTrue(replace)
        XCTAssertTrue(ifNotExists)
        XCTAssertEqual(columns, [StructField("a", .int), StructField("b", .string, nullable: false)])
        XCTAssertEqual(format, "csv")
        XCTAssertEqual(
            options, ["path": "data/x.csv", "header": "true", "inferSchema": "true", "sep": ";", "k.x": "1", "spark.x.y": "-2"])
    }

    func testCreateViewAsQuery() throws {
        let s = try SQLParser.parseStatement("create global temp view v (x, y) as select a, b from t")
        guard case .createView("v", false, false, let columns, .query(let plan), _) = s else { return XCTFail("\(s)") }
        XCTAssertEqual(columns, [StructField("x", .null), StructField("y", .null)])
        XCTAssertEqual(plan, .project(table("t"), [col("a"), col("b")]))
    }

    func testInsertOverwriteDirectory() throws {
        let s = try SQLParser.parseStatement("INSERT OVERWRITE LOCAL DIRECTORY '/tmp/out' USING csv OPTIONS (header 'true') SELECT 1")
        guard case .insertOverwriteDirectory("/tmp/out", "csv", let options, let plan) = s else { return XCTFail("\(s)") }
        XCTAssertEqual(options, ["header": "true"])
        XCTAssertEqual(plan, .project(oneRow, [int(1)]))
    }

    func testSimpleCommands() throws {
        guard case .dropView("v", true) = try SQLParser.parseStatement("DROP VIEW IF EXISTS v") else { return XCTFail() }
        guard case .dropView("v", false) = try SQLParser.parseStatement("drop view v;") else { return XCTFail() }
        guard case .showTables = try SQLParser.parseStatement("SHOW TABLES") else { return XCTFail() }
        guard case .showTables = try SQLParser.parseStatement("show views") else { return XCTFail() }
        guard case .describe(let d1) = try SQLParser.parseStatement("DESC TABLE db.t") else { return XCTFail() }
        XCTAssertEqual(d1, table("db", "t"))
        guard case .describe(let d2) = try SQLParser.parseStatement("DESCRIBE QUERY SELECT 1") else { return XCTFail() }
        XCTAssertEqual(d2, .project(oneRow, [int(1)]))
        guard case .explain(let p1, .simple) = try SQLParser.parseStatement("EXPLAIN SELECT 1") else { return XCTFail() }
        XCTAssertEqual(p1, .project(oneRow, [int(1)]))
        guard case .explain(_, .extended) = try SQLParser.parseStatement("EXPLAIN EXTENDED SELECT 1") else { return XCTFail() }
        guard case .explain(_, .formatted) = try SQLParser.parseStatement("explain formatted select 1") else { return XCTFail() }
        guard case .cacheTable("t") = try SQLParser.parseStatement("CACHE TABLE t") else { return XCTFail() }
        guard case .uncacheTable("t") = try SQLParser.parseStatement("UNCACHE TABLE t") else { return XCTFail() }
    }

    func testSet() throws {
        guard case .set("spark.sql.shuffle.partitions", "4") = try SQLParser.parseStatement("SET spark.sql.shuffle.partitions=4")
        else { return XCTFail() }
        guard case .set("spark.sql.session.timeZone", "America/Los_Angeles") =
            try SQLParser.parseStatement("SET spark.sql.session.timeZone = America/Los_Angeles")
        else { return XCTFail() }
        guard case .set("a.b", "x y") = try SQLParser.parseStatement("SET a.b = 'x y';") else { return XCTFail() }
        guard case .set("a.b", nil) = try SQLParser.parseStatement("SET a.b") else { return XCTFail() }
        guard case .set(nil, nil) = try SQLParser.parseStatement("SET") else { return XCTFail() }
        guard case .set("spark.sql.session.timeZone", "UTC") = try SQLParser.parseStatement("SET TIME ZONE 'UTC'")
        else { return XCTFail() }
    }

    func testMultipleStatements() throws {
        let stmts = try SQLParser.parseStatements(
            "-- setup\nSET a=1;;\nSELECT ';' AS semi; /* done; */ SELECT 2;\n")
        XCTAssertEqual(stmts.count, 3)
        guard case .query(let p) = stmts[1] else { return XCTFail() }
        XCTAssertEqual(p, .project(oneRow, [alias(str(";"), "semi")]))
        XCTAssertEqual(try SQLParser.parseStatements("  ;  -- nothing\n").count, 0)
        XCTAssertThrowsError(try SQLParser.parseStatement("SELECT 1; SELECT 2"))
    }

    func testSplitStatements() {
        XCTAssertEqual(
            SQLParser.splitStatements("SELECT 'a;b'; SELECT \"c\\\";\" ;\n-- x;\n/* y; */ ; SELECT `q;`"),
            ["SELECT 'a;b'", "SELECT \"c\\\";\"", "SELECT `q;`"])
        XCTAssertEqual(SQLParser.splitStatements("SELECT 1"), ["SELECT 1"])
        XCTAssertEqual(SQLParser.splitStatements(" ; ;"), [])
    }

    func testParseExpressionWithAlias() {
        assertExpr("a + 1 AS b", alias(fn("+", col("a"), int(1)), "b"))
        assertExpr("a b", alias(col("a"), "b"))
        assertExpr("*", .star(qualifier: []))
    }

    // MARK: Errors

    func testSyntaxErrorPositions() {
        assertError("SELECT * FORM t", contains: "Syntax error at or near 'FORM'. (line 1, pos 9)")
        assertError("SELECT a,\n  FROM t", contains: "Syntax error at or near 'FROM'. (line 2, pos 2)")
        assertError("SELECT (a + 1", contains: "Syntax error at or near end of input. (line 1, pos 13)")
        assertError("SELECT a FROM t WHERE", contains: "at or near end of input")
        assertError("SELECT 1 +", contains: "end of input")
        assertError("SELECT a FROM t GROUP a", contains: "'a'. (line 1, pos 22)")
        assertError("SELECT 'abc", contains: "unclosed string literal")
        assertError("SELECT 1 /* open", "UNCLOSED_BRACKETED_COMMENT", contains: "append */")
        assertError("SELECT a # b", contains: "'#'")
        assertError("SELEC 1", contains: "'SELEC'. (line 1, pos 0)")
        assertError("SELECT a FROM t LIMIT x", contains: "'x'")
        assertError("SELECT from FROM t", contains: "'from'. (line 1, pos 7)")
        assertError("SELECT * FROM t LIMIT -1", "INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE", contains: "-1")
    }

    func testReservedWordsAreNotColumns() {
        assertError("SELECT a FROM t WHERE select = 1", contains: "'select'")
        XCTAssertEqual(selected("`order`"), col("order"))
        assertQuery(
            "SELECT desc, range, rows FROM t ORDER BY desc DESC",
            .sort(.project(table("t"), [col("desc"), col("range"), col("rows")]), [desc(col("desc"))], isGlobal: true))
        assertQuery(
            "SELECT * FROM semi LEFT SEMI JOIN anti ON true",
            .project(.join(table("semi"), table("anti"), .leftSemi, condition: bool(true), using: []), [.star(qualifier: [])]))
    }

    func testNestingLimit() {
        let ok = "SELECT " + String(repeating: "(", count: 50) + "1" + String(repeating: ")", count: 50)
        XCTAssertEqual(selected(String(ok.dropFirst(7))), int(1))
        assertError("SELECT " + String(repeating: "(", count: 10_000), contains: "nested too deeply")
        assertError("SELECT * FROM " + String(repeating: "(", count: 10_000), contains: "nested too deeply")
    }

    func testNeverTrapsOnGarbage() {
        let inputs = [
            "", "(", ")", "SELECT", "SELECT (", "SELECT ((", "SELECT a[", "SELECT a.", "SELECT CAST(", "SELECT CASE",
            "SELECT * FROM (", "SELECT * FROM a JOIN", "WITH", "VALUES", "SELECT x'", "SELECT `", "INTERVAL '",
            "SELECT 1.e", "SELECT .", "SELECT -", "SELECT a OVER", "SELECT f() OVER (ROWS BETWEEN", "SET =",
            "CREATE", "SELECT TRIM(", "SELECT EXTRACT(", "SELECT a IN (", "SELECT a::", "SELECT CAST(a AS ARRAY<",
        ]
        for s in inputs {
            _ = try? SQLParser.parseStatements(s)
            _ = try? SQLParser.parseExpression(s)
            _ = SQLParser.splitStatements(s)
        }
    }

    // MARK: Generators, lambdas, grouping sets, natural joins, recursive CTEs, SHOW

    func testLateralView() {
        assertQuery(
            "SELECT id, x FROM t LATERAL VIEW OUTER explode(arr) e AS x",
            .project(
                .generate(table("t"), generator: .function(name: "explode", args: [col("arr")], isDistinct: false), outer: true, qualifier: "e", names: ["x"], output: []),
                [col("id"), col("x")]))
        assertQuery(
            "SELECT * FROM t LATERAL VIEW posexplode(arr) p AS i, v",
            .project(
                .generate(table("t"), generator: .function(name: "posexplode", args: [col("arr")], isDistinct: false), outer: false, qualifier: "p", names: ["i", "v"], output: []),
                [.star(qualifier: [])]))
    }

    func testLambdaArguments() throws {
        let e = try SQLParser.parseExpression("transform(a, x -> x + 1)")
        XCTAssertEqual(e, .function(name: "transform", args: [col("a"), .lambda(params: ["x"], body: .function(name: "+", args: [col("x"), int(1)], isDistinct: false))], isDistinct: false))
        let agg = try SQLParser.parseExpression("aggregate(a, 0, (acc, x) -> acc + x)")
        guard case .function("aggregate", let args, false) = agg, args.count == 3, case .lambda(["acc", "x"], _) = args[2] else { return XCTFail("\(agg)") }
        // `exists` with a lambda is the function, with a query the predicate.
        guard case .function("exists", _, false) = try SQLParser.parseExpression("exists(a, x -> x > 1)") else { return XCTFail() }
        guard case .exists = try SQLParser.parseExpression("EXISTS (SELECT 1)") else { return XCTFail() }
    }

    func testGroupingSets() {
        assertQuery(
            "SELECT a, b, count(*) FROM t GROUP BY GROUPING SETS ((a), (a, b), ())",
            .aggregate(table("t"), .groupingSets([[0], [0, 1], []]), groupings: [col("a"), col("b")],
                aggregates: [col("a"), col("b"), .function(name: "count", args: [.star(qualifier: [])], isDistinct: false)]))
    }

    func testNaturalJoinAndRecursiveCTE() throws {
        assertQuery(
            "SELECT * FROM a NATURAL LEFT JOIN b",
            .project(.join(table("a"), table("b"), .leftOuter, condition: nil, using: JoinType.naturalUsing), [.star(qualifier: [])]))
        let q = try SQLParser.parseQuery("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT i FROM r")
        guard case .with(_, let defs) = q, case .recursiveCTE = defs.first?.1 else { return XCTFail("\(q)") }
    }

    func testShowAndTemporaryIfNotExists() throws {
        guard case .showTables(pattern: "v*|w") = try SQLParser.parseStatement("SHOW TABLES LIKE 'v*|w'") else { return XCTFail() }
        guard case .showColumns(name: "db.t") = try SQLParser.parseStatement("SHOW COLUMNS IN t IN db") else { return XCTFail() }
        XCTAssertThrowsError(try SQLParser.parseStatement("CREATE TEMPORARY VIEW IF NOT EXISTS v AS SELECT 1")) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "_LEGACY_ERROR_TEMP_0053")
        }
        guard case .createView("pv", false, false, nil, .query, false) = try SQLParser.parseStatement("CREATE VIEW pv AS SELECT 1") else { return XCTFail() }
    }

    func testDoubledQuoteAndTrimOrder() throws {
        XCTAssertEqual(try SQLParser.parseExpression("'it''s'"), .literal(.string("it's"), .string))
        XCTAssertEqual(
            try SQLParser.parseExpression("trim(LEADING 'x' FROM s)"),
            .function(name: "ltrim", args: [.literal(.string("x"), .string), col("s")], isDistinct: false))
    }
}
