import EmberColumnar
import EmberCore
import EmberPlan
import XCTest

@testable import EmberExec

// Expected values and error classes below were produced by Apache Spark 4.1.1 (pyspark,
// local[1], spark.sql.ansi.enabled=true, spark.sql.session.timeZone=UTC) unless a comment
// says otherwise.

// MARK: - Helpers

private func column(_ vs: [Value], _ t: DataType) -> Column { try! Column.from(vs, type: t) }

private func values(_ c: Column) -> [Value] { (0..<c.count).map { c.value(at: $0) } }

private func cast(_ v: Value, _ from: DataType, _ to: DataType, _ mode: CastMode = .ansi, zone: SessionTimeZone = .utc) throws -> Value {
    let out = try CastKernels.cast(column([v], from), to: to, mode: mode, ctx: EvalContext(zone: zone))
    XCTAssertEqual(out.type, to)
    return out.value(at: 0)
}

/// The Spark error class a failing call raises (nil when it succeeds).
private func errorClass(_ f: () throws -> Any) -> String? {
    do { _ = try f() } catch let e as EmberError { return e.errorClass } catch { return "\(error)" }
    return nil
}

private func errorMessage(_ f: () throws -> Any) -> String? {
    do { _ = try f() } catch let e as EmberError { return e.message } catch { return "\(error)" }
    return nil
}

/// Runs kernel `name` on one row of literal arguments; `type` is the call's result type.
private func kernel(_ name: String, _ args: [(Value, DataType)], _ type: DataType, ansi: Bool = true, now: Int64 = 0) throws -> Value {
    let cols = args.map { column([$0.0], $0.1) }
    let exprs = args.map { Expr.literal($0.0, $0.1) }
    let call = FunctionCall(name: name, args: exprs, dataType: type)
    guard let k = ScalarKernels.table[name] else { throw EmberError.internalError("no kernel \(name)") }
    let out = try k(KernelCall(call: call, args: cols, count: 1, ctx: EvalContext(ansi: ansi, queryStartMicros: now)))
    XCTAssertEqual(out.count, 1)
    return out.value(at: 0)
}

private func dec(_ s: String) -> Value { .decimal(Decimal128.parse(s)!) }
private func decT(_ p: Int, _ s: Int) -> DataType { .decimal(precision: p, scale: s) }
private func ts(_ s: String) -> Value { .timestamp(DateTime.parseTimestamp(s, zone: .utc)!) }
private func date(_ s: String) -> Value { .date(DateTime.parseDate(s)!) }

/// Resolves a function's signature over literal arguments, returning the result type and the coerced args.
private func resolve(_ name: String, _ args: [Expr]) throws -> (DataType, [Expr]) {
    var a = args
    let t = try Functions.lookup(name)!.resolve(&a)
    return (t, a)
}

private func lit(_ v: Value, _ t: DataType) -> Expr { .literal(v, t) }

// MARK: - Cast

final class CastTests: XCTestCase {
    func testStringToIntegral() throws {
        XCTAssertEqual(try cast(.string(" 12 "), .string, .int), .int(12))
        XCTAssertEqual(try cast(.string("+5"), .string, .int), .int(5))
        XCTAssertEqual(try cast(.string("\t7\n"), .string, .int), .int(7))
        XCTAssertEqual(try cast(.string("-2147483648"), .string, .int), .int(-2147483648))
        XCTAssertEqual(try cast(.string("9223372036854775807"), .string, .long), .long(.max))
        // Spark 4.1 ANSI: fractions, exponents and out-of-range text are all malformed input.
        for bad in ["1.5", "1e3", "", "abc", "1.", ".5", "0x10", "2147483648"] {
            XCTAssertEqual(errorClass { try cast(.string(bad), .string, .int) }, "CAST_INVALID_INPUT", bad)
            XCTAssertEqual(try cast(.string(bad), .string, .int, .try), .null, bad)
        }
        XCTAssertEqual(errorClass { try cast(.string("128"), .string, .byte) }, "CAST_INVALID_INPUT")
        XCTAssertEqual(errorClass { try cast(.string("9223372036854775808"), .string, .long) }, "CAST_INVALID_INPUT")
        XCTAssertEqual(
            errorMessage { try cast(.string("1.5"), .string, .int) },
            "The value '1.5' of the type \"STRING\" cannot be cast to \"INT\" because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead.")
        // Legacy (non-ANSI) casts truncate a fraction.
        XCTAssertEqual(try cast(.string("-1.9"), .string, .long, .legacy), .long(-1))
    }

    func testStringToFloating() throws {
        let cases: [(String, Double)] = [
            ("1.5", 1.5), (" 1.5 ", 1.5), ("inf", .infinity), ("Infinity", .infinity), ("-infinity", -.infinity),
            ("1.5d", 1.5), ("1.5f", 1.5), ("1e400", .infinity), ("-12.25e-1", -1.225), ("0.1", 0.1),
            ("123456789012345678", 123456789012345678),
        ]
        for (s, d) in cases { XCTAssertEqual(try cast(.string(s), .string, .double), .double(d), s) }
        guard case .double(let nan) = try cast(.string("nan"), .string, .double) else { return XCTFail() }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(errorClass { try cast(.string("abc"), .string, .double) }, "CAST_INVALID_INPUT")
        XCTAssertEqual(try cast(.string("1.5"), .string, .float), .float(1.5))
    }

    func testStringToDecimal() throws {
        XCTAssertEqual(try cast(.string("12.345"), .string, decT(4, 2)), dec("12.35"))
        XCTAssertEqual(try cast(.string("1e2"), .string, decT(5, 1)), dec("100.0"))
        XCTAssertEqual(try cast(.string(" 1.25 "), .string, decT(3, 1)), dec("1.3"))
        XCTAssertEqual(try cast(.string("-0.05"), .string, decT(3, 1)), dec("-0.1"))
        XCTAssertEqual(errorClass { try cast(.string("123.4"), .string, decT(3, 1)) }, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION")
        XCTAssertEqual(errorClass { try cast(.string("abc"), .string, decT(3, 1)) }, "CAST_INVALID_INPUT")
        // More digits than Int128 holds still round correctly (BigDecimal semantics).
        XCTAssertEqual(try cast(.string("0.123456789012345678901234567890123456789012345"), .string, decT(10, 5)), dec("0.12346"))
    }

    func testNumericNarrowing() throws {
        XCTAssertEqual(errorClass { try cast(.int(300), .int, .byte) }, "CAST_OVERFLOW")
        XCTAssertEqual(
            errorMessage { try cast(.int(300), .int, .byte) },
            "The value 300 of the type \"INT\" cannot be cast to \"TINYINT\" due to an overflow. Use `try_cast` to tolerate overflow and return NULL instead.")
        XCTAssertTrue(errorMessage { try cast(.double(1e20), .double, .int) }!.hasPrefix("The value 1.0E20D of the type \"DOUBLE\""))
        XCTAssertTrue(errorMessage { try cast(.long(2147483648), .long, .int) }!.hasPrefix("The value 2147483648L of the type \"BIGINT\""))
        XCTAssertTrue(errorMessage { try cast(dec("300.5"), decT(4, 1), .byte) }!.hasPrefix("The value 300.5BD of the type \"DECIMAL(4,1)\""))
        XCTAssertEqual(errorClass { try cast(.double(.nan), .double, .int) }, "CAST_OVERFLOW")
        XCTAssertEqual(errorClass { try cast(.double(.infinity), .double, .long) }, "CAST_OVERFLOW")
        XCTAssertEqual(try cast(.int(300), .int, .byte, .try), .null)
        XCTAssertEqual(try cast(.int(300), .int, .byte, .legacy), .byte(44))
        XCTAssertEqual(try cast(.double(-1.9), .double, .int), .int(-1))
        XCTAssertEqual(try cast(.double(9.2233720368547758e18), .double, .long), .long(.max))
        XCTAssertEqual(try cast(dec("1.99"), decT(3, 2), .int), .int(1))
        XCTAssertEqual(try cast(dec("-1.99"), decT(3, 2), .byte), .byte(-1))
        XCTAssertEqual(try cast(.float(0.1), .float, .double), .double(0.10000000149011612))
        XCTAssertEqual(try cast(.double(1e40), .double, .float), .float(.infinity))
        XCTAssertEqual(try cast(.int(16777217), .int, .float), .float(16777216))
        XCTAssertEqual(try cast(dec("1.5"), decT(2, 1), .double), .double(1.5))
        XCTAssertEqual(try cast(dec("0.1"), decT(2, 1), .float), .float(0.1))
    }

    func testToDecimal() throws {
        XCTAssertEqual(try cast(.double(1.005), .double, decT(3, 2)), dec("1.01"))
        XCTAssertEqual(try cast(.double(2.5), .double, decT(2, 0)), dec("3"))
        XCTAssertEqual(try cast(.double(-2.5), .double, decT(2, 0)), dec("-3"))
        XCTAssertEqual(try cast(.double(0.1), .double, decT(38, 30)), dec("0.100000000000000000000000000000"))
        XCTAssertEqual(try cast(.float(0.1), .float, decT(10, 9)), dec("0.100000001"))
        XCTAssertEqual(errorClass { try cast(.double(1e40), .double, decT(38, 0)) }, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION")
        XCTAssertEqual(try cast(.double(.nan), .double, decT(10, 2)), .null)  // NULL even under ANSI
        XCTAssertEqual(try cast(dec("123.456"), decT(6, 3), decT(5, 1)), dec("123.5"))
        XCTAssertEqual(try cast(dec("-123.456"), decT(6, 3), decT(5, 1)), dec("-123.5"))
        XCTAssertEqual(errorClass { try cast(dec("99.95"), decT(4, 2), decT(3, 1)) }, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION")
        XCTAssertEqual(
            errorMessage { try cast(dec("12345.678"), decT(8, 3), decT(5, 2)) },
            " 12345.678 cannot be represented as Decimal(5, 2). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error, and return NULL instead.")
        XCTAssertEqual(errorClass { try cast(.long(12345678901), .long, decT(10, 0)) }, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION")
        XCTAssertEqual(try cast(.boolean(true), .boolean, decT(3, 1)), dec("1.0"))
        XCTAssertEqual(errorClass { try cast(.boolean(true), .boolean, decT(1, 1)) }, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION")
        XCTAssertEqual(try cast(.long(12345678901), .long, decT(10, 0), .try), .null)
    }

    func testToString() throws {
        let doubles: [(Double, String)] = [
            (1e10, "1.0E10"), (1e7, "1.0E7"), (1234567.0, "1234567.0"), (0.001, "0.001"), (0.0001, "1.0E-4"),
            (-0.0, "-0.0"), (1e-5, "1.0E-5"), (.nan, "NaN"), (0.1 + 0.2, "0.30000000000000004"),
        ]
        for (d, s) in doubles { XCTAssertEqual(try cast(.double(d), .double, .string), .string(s)) }
        XCTAssertEqual(try cast(.float(0.1), .float, .string), .string("0.1"))
        // Spark prints 123456789.0F as "1.23456792E8" (JDK 17 Float.toString is not shortest); NumberFormat gives "1.2345679E8".
        XCTAssertEqual(try cast(dec("1.10"), decT(4, 2), .string), .string("1.10"))
        XCTAssertEqual(try cast(dec("0.00"), decT(4, 2), .string), .string("0.00"))
        XCTAssertEqual(try cast(dec("-0.05"), decT(4, 2), .string), .string("-0.05"))
        XCTAssertEqual(try cast(dec("0.000000100"), decT(10, 9), .string), .string("0.000000100"))
        XCTAssertEqual(try cast(.boolean(true), .boolean, .string), .string("true"))
        XCTAssertEqual(try cast(.byte(-5), .byte, .string), .string("-5"))
        XCTAssertEqual(try cast(.long(.min), .long, .string), .string("-9223372036854775808"))
        XCTAssertEqual(try cast(date("2024-01-05"), .date, .string), .string("2024-01-05"))
        XCTAssertEqual(try cast(ts("2024-01-15 10:11:12.120"), .timestamp, .string), .string("2024-01-15 10:11:12.12"))
        XCTAssertEqual(try cast(ts("2024-01-15 10:11:12"), .timestamp, .string), .string("2024-01-15 10:11:12"))
        XCTAssertEqual(try cast(ts("0001-01-01 00:00:00"), .timestamp, .string), .string("0001-01-01 00:00:00"))
        XCTAssertEqual(try cast(.binary([0x41, 0x42]), .binary, .string), .string("AB"))
        XCTAssertEqual(try cast(.array([.int(1), .int(2), .null]), .array(element: .int, containsNull: true), .string), .string("[1, 2, null]"))
        XCTAssertEqual(
            try cast(.structure([.int(1), .string("x")]), .structure([StructField("a", .int), StructField("b", .string)]), .string),
            .string("{1, x}"))
        XCTAssertEqual(
            try cast(.map(keys: [.string("a")], values: [.int(1)]), .map(key: .string, value: .int, valueContainsNull: true), .string),
            .string("{a -> 1}"))
    }

    func testBoolean() throws {
        for s in ["true", "T", "yes", "y", "1", " true "] { XCTAssertEqual(try cast(.string(s), .string, .boolean), .boolean(true), s) }
        for s in ["n", "0", "FALSE", "No"] { XCTAssertEqual(try cast(.string(s), .string, .boolean), .boolean(false), s) }
        XCTAssertEqual(errorClass { try cast(.string("abc"), .string, .boolean) }, "CAST_INVALID_INPUT")
        XCTAssertEqual(try cast(.int(2), .int, .boolean), .boolean(true))
        XCTAssertEqual(try cast(.double(0), .double, .boolean), .boolean(false))
        XCTAssertEqual(try cast(.double(.nan), .double, .boolean), .boolean(true))
        XCTAssertEqual(try cast(dec("0.5"), decT(1, 1), .boolean), .boolean(true))
        XCTAssertEqual(try cast(.boolean(true), .boolean, .int), .int(1))
        XCTAssertEqual(try cast(.boolean(true), .boolean, .double), .double(1))
    }

    func testDatesAndTimestamps() throws {
        let dates: [(String, String)] = [
            ("2024-01-15", "2024-01-15"), ("2024-1-5", "2024-01-05"), ("2024", "2024-01-01"), ("2024-02", "2024-02-01"),
            ("2024-01-15 10:00:00", "2024-01-15"), ("2024-01-15T10:00", "2024-01-15"), (" 2024-01-15 ", "2024-01-15"),
        ]
        for (s, d) in dates { XCTAssertEqual(try cast(.string(s), .string, .date), date(d), s) }
        for bad in ["2024-02-30", "2024-01-15x", "20240115", "x"] {
            XCTAssertEqual(errorClass { try cast(.string(bad), .string, .date) }, "CAST_INVALID_INPUT", bad)
        }
        let stamps: [(String, String)] = [
            ("2024-01-15 10:11:12.123", "2024-01-15 10:11:12.123"), ("2024-01-15T10:11:12Z", "2024-01-15 10:11:12"),
            ("2024-01-15 10:11:12+02:00", "2024-01-15 08:11:12"), ("2024-01-15 10:11:12 UTC", "2024-01-15 10:11:12"),
            ("2024-01-15", "2024-01-15 00:00:00"), ("2024-01-15 10", "2024-01-15 10:00:00"),
            ("2024-01-15 10:11", "2024-01-15 10:11:00"), ("2024-01-15 10:11:12.1234567", "2024-01-15 10:11:12.123456"),
        ]
        for (s, t) in stamps { XCTAssertEqual(try cast(.string(s), .string, .timestamp), ts(t), s) }
        for bad in ["2024-01-15T", "2024-01-15 25:00:00", "x"] {
            XCTAssertEqual(errorClass { try cast(.string(bad), .string, .timestamp) }, "CAST_INVALID_INPUT", bad)
            XCTAssertEqual(try cast(.string(bad), .string, .timestamp, .try), .null)
        }
        XCTAssertEqual(try cast(ts("2024-01-15 10:11:12.5"), .timestamp, .long), .long(1705313472))
        XCTAssertEqual(try cast(ts("1969-12-31 23:59:59.5"), .timestamp, .long), .long(-1))
        XCTAssertEqual(try cast(ts("2024-01-15 10:11:12.5"), .timestamp, .int), .int(1705313472))
        XCTAssertEqual(try cast(ts("2024-01-15 10:11:12.5"), .timestamp, .double), .double(1705313472.5))
        XCTAssertEqual(try cast(ts("2024-01-15 10:11:12.5"), .timestamp, decT(20, 6)), dec("1705313472.500000"))
        XCTAssertEqual(try cast(dec("1.5"), decT(2, 1), .timestamp), .timestamp(1_500_000))
        XCTAssertEqual(try cast(.int(1705313472), .int, .timestamp), ts("2024-01-15 10:11:12"))
        XCTAssertEqual(try cast(.double(1.5), .double, .timestamp), .timestamp(1_500_000))
        XCTAssertEqual(try cast(date("2024-01-15"), .date, .timestamp), ts("2024-01-15 00:00:00"))
        XCTAssertEqual(try cast(ts("2024-01-15 23:00:00"), .timestamp, .date), date("2024-01-15"))
        XCTAssertEqual(try cast(ts("1969-12-31 23:00:00"), .timestamp, .date), date("1969-12-31"))
        // Session zone: midnight in +02:00 is 22:00 UTC the day before (not from Spark).
        let plus2 = SessionTimeZone(id: "+02:00")!
        XCTAssertEqual(try cast(date("2024-01-15"), .date, .timestamp, zone: plus2), ts("2024-01-14 22:00:00"))
        XCTAssertEqual(try cast(ts("2024-01-14 22:00:00"), .timestamp, .string, zone: plus2), .string("2024-01-15 00:00:00"))
        XCTAssertEqual(try cast(.string("2024-01-15 00:00:00"), .string, .timestamp, zone: plus2), ts("2024-01-14 22:00:00"))
    }

    func testBinaryAndNested() throws {
        XCTAssertEqual(try cast(.string("A"), .string, .binary), .binary([0x41]))
        let arr = DataType.array(element: .string, containsNull: true)
        XCTAssertEqual(try cast(.array([.string("1"), .string("2")]), arr, .array(element: .int, containsNull: true)), .array([.int(1), .int(2)]))
        XCTAssertEqual(errorClass { try cast(.array([.string("1"), .string("x")]), arr, .array(element: .int, containsNull: true)) }, "CAST_INVALID_INPUT")
        let st = DataType.structure([StructField("a", .string)])
        XCTAssertEqual(try cast(.structure([.string("1")]), st, .structure([StructField("b", .int)])), .structure([.int(1)]))
        let m = DataType.map(key: .string, value: .string, valueContainsNull: true)
        XCTAssertEqual(
            try cast(.map(keys: [.string("1")], values: [.string("2")]), m, .map(key: .int, value: .int, valueContainsNull: true)),
            .map(keys: [.int(1)], values: [.int(2)]))
    }

    func testNullsAndBatches() throws {
        // NULL rows never fail, even when their placeholder would not parse.
        let c = column([.string("1"), .null, .string("3")], .string)
        let out = try CastKernels.cast(c, to: .int, mode: .ansi, ctx: EvalContext())
        XCTAssertEqual(values(out), [.int(1), .null, .int(3)])
        let t = try CastKernels.cast(column([.string("1"), .string("x"), .null], .string), to: .long, mode: .try, ctx: EvalContext())
        XCTAssertEqual(values(t), [.long(1), .null, .null])
        XCTAssertEqual(values(try CastKernels.cast(Column.nulls(.null, count: 2), to: .int, mode: .ansi, ctx: EvalContext())), [.null, .null])
    }
}

// MARK: - Arithmetic and comparison

final class ArithmeticTests: XCTestCase {
    func testIntegerOverflow() throws {
        XCTAssertEqual(errorClass { try kernel("+", [(.int(2147483647), .int), (.int(1), .int)], .int) }, "ARITHMETIC_OVERFLOW")
        XCTAssertEqual(
            errorMessage { try kernel("+", [(.int(2147483647), .int), (.int(1), .int)], .int) },
            "integer overflow. Use 'try_add' to tolerate overflow and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.")
        XCTAssertTrue(errorMessage { try kernel("+", [(.long(.max), .long), (.long(1), .long)], .long) }!.hasPrefix("long overflow. Use 'try_add'"))
        XCTAssertTrue(errorMessage { try kernel("*", [(.int(2147483647), .int), (.int(2), .int)], .int) }!.hasPrefix("integer overflow. Use 'try_multiply'"))
        XCTAssertEqual(errorClass { try kernel("+", [(.byte(127), .byte), (.byte(1), .byte)], .byte) }, "BINARY_ARITHMETIC_OVERFLOW")
        XCTAssertEqual(
            errorMessage { try kernel("-", [(.short(-32768), .short), (.short(1), .short)], .short) },
            "-32768S - 1S caused overflow. Use `try_subtract` to ignore overflow problem and return NULL.")
        XCTAssertEqual(try kernel("try_add", [(.int(2147483647), .int), (.int(1), .int)], .int), .null)
        XCTAssertEqual(try kernel("try_subtract", [(.long(.min), .long), (.long(1), .long)], .long), .null)
        XCTAssertEqual(try kernel("try_multiply", [(.long(3037000500), .long), (.long(3037000500), .long)], .long), .null)
        XCTAssertEqual(try kernel("try_add", [(.int(1), .int), (.int(2), .int)], .int), .int(3))
        XCTAssertEqual(try kernel("try_add", [(date("2024-01-01"), .date), (.int(1), .int)], .date), date("2024-01-02"))
        // Non-ANSI wraps like the JVM.
        XCTAssertEqual(try kernel("+", [(.int(2147483647), .int), (.int(1), .int)], .int, ansi: false), .int(-2147483648))
    }

    func testDivisionAndRemainder() throws {
        XCTAssertEqual(errorClass { try kernel("/", [(.double(5), .double), (.double(0), .double)], .double) }, "DIVIDE_BY_ZERO")
        XCTAssertEqual(errorClass { try kernel("%", [(.int(5), .int), (.int(0), .int)], .int) }, "REMAINDER_BY_ZERO")
        XCTAssertEqual(errorClass { try kernel("%", [(.double(5), .double), (.double(0), .double)], .double) }, "REMAINDER_BY_ZERO")
        XCTAssertEqual(errorClass { try kernel("div", [(.long(5), .long), (.long(0), .long)], .long) }, "DIVIDE_BY_ZERO")
        XCTAssertEqual(errorClass { try kernel("/", [(dec("5.5"), decT(2, 1)), (dec("0"), decT(1, 0))], decT(7, 6)) }, "DIVIDE_BY_ZERO")
        XCTAssertEqual(errorClass { try kernel("pmod", [(.int(5), .int), (.int(0), .int)], .int) }, "REMAINDER_BY_ZERO")
        XCTAssertEqual(try kernel("/", [(.double(5), .double), (.double(0), .double)], .double, ansi: false), .null)
        XCTAssertEqual(try kernel("try_divide", [(.double(5), .double), (.double(0), .double)], .double), .null)
        XCTAssertEqual(try kernel("try_divide", [(.double(5), .double), (.double(2), .double)], .double), .double(2.5))
        XCTAssertEqual(try kernel("%", [(.int(-7), .int), (.int(3), .int)], .int), .int(-1))
        XCTAssertEqual(try kernel("%", [(.int(.min), .int), (.int(-1), .int)], .int), .int(0))
        XCTAssertEqual(try kernel("div", [(.long(-7), .long), (.long(2), .long)], .long), .long(-3))
        XCTAssertEqual(try kernel("div", [(dec("-10.5"), decT(3, 1)), (dec("3"), decT(1, 0))], .long), .long(-3))
        XCTAssertEqual(try kernel("%", [(dec("7.5"), decT(2, 1)), (dec("2"), decT(1, 0))], decT(2, 1)), dec("1.5"))
        XCTAssertEqual(try kernel("pmod", [(.int(-7), .int), (.int(3), .int)], .int), .int(2))
        XCTAssertEqual(try kernel("pmod", [(.int(7), .int), (.int(-3), .int)], .int), .int(1))
        XCTAssertEqual(try kernel("pmod", [(.byte(-7), .byte), (.byte(3), .byte)], .byte), .byte(2))
        XCTAssertEqual(try kernel("pmod", [(.double(-7.5), .double), (.double(2), .double)], .double), .double(0.5))
        XCTAssertEqual(try kernel("pmod", [(dec("-7.5"), decT(2, 1)), (dec("2"), decT(1, 0))], decT(2, 1)), dec("0.5"))
    }

    func testDecimalArithmetic() throws {
        XCTAssertEqual(try kernel("+", [(dec("1.1"), decT(2, 1)), (dec("2.22"), decT(3, 2))], decT(4, 2)), dec("3.32"))
        XCTAssertEqual(try kernel("/", [(dec("10.0"), decT(3, 1)), (dec("3"), decT(1, 0))], decT(8, 6)), dec("3.333333"))
        XCTAssertEqual(try kernel("/", [(dec("1"), decT(38, 0)), (dec("3"), decT(1, 0))], decT(38, 6)), dec("0.333333"))
        XCTAssertEqual(try kernel("/", [(dec("2"), decT(1, 0)), (dec("3"), decT(1, 0))], decT(7, 6)), dec("0.666667"))
        XCTAssertEqual(try kernel("/", [(dec("-2"), decT(1, 0)), (dec("3"), decT(1, 0))], decT(7, 6)), dec("-0.666667"))
        XCTAssertEqual(
            try kernel("try_divide", [(dec("1"), decT(38, 0)), (dec("0.0000001"), decT(8, 7))], decT(38, 6)), dec("10000000.000000"))
        XCTAssertEqual(
            try kernel("*", [(dec("1.0000000000"), decT(38, 10)), (dec("1.0000000000"), decT(38, 10))], decT(38, 6)), dec("1.000000"))
        XCTAssertEqual(try kernel("*", [(dec("123.45"), decT(5, 2)), (dec("1.5"), decT(2, 1))], decT(8, 3)), dec("185.175"))
        // A product wider than 128 bits that still fits after rounding (not from Spark).
        XCTAssertEqual(
            try kernel("*", [(dec("12345678901234567890.1234567890"), decT(38, 10)), (dec("1000000000000.0000000001"), decT(38, 10))], decT(38, 6)),
            dec("12345678901234567890124691356890.123457"))
        let nines = String(repeating: "9", count: 38)
        XCTAssertEqual(
            errorMessage { try kernel("+", [(dec(nines), decT(38, 0)), (dec("1"), decT(1, 0))], decT(38, 0)) },
            " 100000000000000000000000000000000000000 cannot be represented as Decimal(38, 0). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error, and return NULL instead.")
        XCTAssertEqual(
            errorClass { try kernel("*", [(dec(nines), decT(38, 0)), (dec("10"), decT(2, 0))], decT(38, 0)) }, "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION")
        XCTAssertEqual(try kernel("try_add", [(dec(nines), decT(38, 0)), (dec("1"), decT(1, 0))], decT(38, 0)), .null)
        XCTAssertEqual(try kernel("negative", [(dec("-2.5"), decT(2, 1))], decT(2, 1)), dec("2.5"))
    }

    func testUnary() throws {
        XCTAssertEqual(
            errorMessage { try kernel("negative", [(.int(.min), .int)], .int) },
            "integer overflow. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.")
        XCTAssertTrue(errorMessage { try kernel("negative", [(.byte(-128), .byte)], .byte) }!.hasPrefix("byte overflow."))
        XCTAssertEqual(errorClass { try kernel("abs", [(.int(.min), .int)], .int) }, "ARITHMETIC_OVERFLOW")
        XCTAssertEqual(try kernel("abs", [(.byte(-5), .byte)], .byte), .byte(5))
        XCTAssertEqual(try kernel("abs", [(dec("-1.5"), decT(2, 1))], decT(2, 1)), dec("1.5"))
        XCTAssertEqual(try kernel("abs", [(.double(-0.0), .double)], .double), .double(0))
        XCTAssertEqual(try kernel("positive", [(.int(-5), .int)], .int), .int(-5))
    }

    func testComparison() throws {
        let nan = Value.double(.nan)
        XCTAssertEqual(try kernel("==", [(nan, .double), (nan, .double)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel(">", [(nan, .double), (.double(1e308), .double)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel(">", [(nan, .double), (.double(.infinity), .double)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("==", [(.double(0), .double), (.double(-0.0), .double)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("<", [(.double(0), .double), (.double(-0.0), .double)], .boolean), .boolean(false))
        XCTAssertEqual(try kernel("<=>", [(.null, .int), (.null, .int)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("<=>", [(.int(1), .int), (.null, .int)], .boolean), .boolean(false))
        XCTAssertEqual(try kernel("==", [(.int(1), .int), (.null, .int)], .boolean), .null)
        XCTAssertEqual(try kernel("<", [(.string("a"), .string), (.string("b"), .string)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("<", [(.string("B"), .string), (.string("a"), .string)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel(">", [(.string("é"), .string), (.string("z"), .string)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("<", [(.string("ab"), .string), (.string("abc"), .string)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("<", [(.binary([1]), .binary), (.binary([2]), .binary)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel(">", [(.boolean(true), .boolean), (.boolean(false), .boolean)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("<", [(date("2024-01-01"), .date), (date("2024-01-02"), .date)], .boolean), .boolean(true))
        XCTAssertEqual(try kernel(">=", [(dec("1.50"), decT(3, 2)), (dec("1.5"), decT(2, 1))], .boolean), .boolean(true))
        XCTAssertEqual(try kernel("!=", [(.long(3), .long), (.long(3), .long)], .boolean), .boolean(false))
        XCTAssertEqual(
            try kernel("<", [(.array([.int(1), .int(2)]), .array(element: .int, containsNull: false)), (.array([.int(1), .int(3)]), .array(element: .int, containsNull: false))], .boolean),
            .boolean(true))
    }

    func testBitwiseAndExtremes() throws {
        XCTAssertEqual(try kernel("&", [(.int(5), .int), (.int(3), .int)], .int), .int(1))
        XCTAssertEqual(try kernel("|", [(.int(5), .int), (.int(3), .int)], .int), .int(7))
        XCTAssertEqual(try kernel("^", [(.int(5), .int), (.int(3), .int)], .int), .int(6))
        XCTAssertEqual(try kernel("~", [(.int(5), .int)], .int), .int(-6))
        XCTAssertEqual(try kernel("~", [(.byte(5), .byte)], .byte), .byte(-6))
        XCTAssertEqual(try kernel("greatest", [(dec("1"), decT(11, 1)), (dec("2.5"), decT(11, 1)), (.null, decT(11, 1))], decT(11, 1)), dec("2.5"))
        XCTAssertEqual(try kernel("least", [(.string("a"), .string), (.string("b"), .string)], .string), .string("a"))
        guard case .double(let g) = try kernel("greatest", [(.double(.nan), .double), (.double(1), .double)], .double) else { return XCTFail() }
        XCTAssertTrue(g.isNaN)
        XCTAssertEqual(try kernel("least", [(.null, .int), (.null, .int)], .int), .null)
        XCTAssertEqual(try kernel("greatest", [(ts("2024-01-01 00:00:00"), .timestamp), (ts("2023-01-01 00:00:00"), .timestamp)], .timestamp), ts("2024-01-01 00:00:00"))
        // Batches: NULLs are skipped per row.
        let a = column([.int(1), .null, .int(5)], .int), b = column([.int(3), .int(2), .null], .int)
        let call = FunctionCall(name: "greatest", args: [lit(.null, .int), lit(.null, .int)], dataType: .int)
        let out = try ScalarKernels.table["greatest"]!(KernelCall(call: call, args: [a, b], count: 3, ctx: EvalContext()))
        XCTAssertEqual(values(out), [.int(3), .int(2), .int(5)])
    }

    func testOperatorResolution() throws {
        XCTAssertEqual(try resolve("try_divide", [lit(.int(5), .int), lit(.int(0), .int)]).0, .double)
        XCTAssertEqual(try resolve("try_divide", [lit(dec("5.0"), decT(2, 1)), lit(.int(2), .int)]).0, decT(7, 6))
        XCTAssertEqual(try resolve("pmod", [lit(.int(5), .int), lit(.int(3), .int)]).0, .int)
        XCTAssertEqual(try resolve("try_add", [lit(.int(1), .int), lit(.int(2), .int)]).0, .int)
    }
}

// MARK: - Math functions

final class MathFunctionTests: XCTestCase {
    func d(_ name: String, _ args: [Double]) throws -> Value { try kernel(name, args.map { (.double($0), .double) }, .double) }

    func testRound() throws {
        XCTAssertEqual(try kernel("round", [(.double(2.5), .double)], .double), .double(3))
        XCTAssertEqual(try kernel("round", [(.double(-2.5), .double)], .double), .double(-3))
        XCTAssertEqual(try kernel("round", [(.double(-0.5), .double)], .double), .double(-1))
        XCTAssertEqual(try kernel("round", [(.double(1.005), .double), (.int(2), .int)], .double), .double(1.01))
        XCTAssertEqual(try kernel("round", [(.double(2.675), .double), (.int(2), .int)], .double), .double(2.68))
        XCTAssertEqual(try kernel("round", [(.double(1e20), .double), (.int(2), .int)], .double), .double(1e20))
        XCTAssertEqual(try kernel("round", [(.double(123.456), .double), (.int(-1), .int)], .double), .double(120))
        XCTAssertEqual(try kernel("round", [(.double(1.23456789e-5), .double), (.int(7), .int)], .double), .double(1.23e-05))
        XCTAssertEqual(try kernel("round", [(.double(0.1234567890123456789), .double), (.int(18), .int)], .double), .double(0.12345678901234568))
        XCTAssertEqual(try kernel("round", [(.double(1.7976931348623157e308), .double), (.int(-300), .int)], .double), .double(1.79769313e308))
        XCTAssertEqual(try kernel("round", [(.float(1.5), .float)], .float), .float(2))
        XCTAssertEqual(try kernel("round", [(.int(125), .int), (.int(-1), .int)], .int), .int(130))
        XCTAssertEqual(try kernel("round", [(.int(12345), .int), (.int(-2), .int)], .int), .int(12300))
        XCTAssertEqual(errorClass { try kernel("round", [(.int(2147483647), .int), (.int(-1), .int)], .int) }, "ARITHMETIC_OVERFLOW")
        XCTAssertEqual(errorClass { try kernel("round", [(.byte(127), .byte), (.int(-1), .int)], .byte) }, "ARITHMETIC_OVERFLOW")
        XCTAssertEqual(try kernel("round", [(dec("2.5"), decT(2, 1))], decT(2, 0)), dec("3"))
        XCTAssertEqual(try kernel("round", [(dec("2.55"), decT(3, 2)), (.int(1), .int)], decT(3, 1)), dec("2.6"))
        XCTAssertEqual(try kernel("round", [(dec("12.345"), decT(5, 3)), (.int(-1), .int)], decT(3, 0)), dec("10"))
        guard case .double(let n) = try kernel("round", [(.double(.nan), .double)], .double) else { return XCTFail() }
        XCTAssertTrue(n.isNaN)
    }

    func testBround() throws {
        XCTAssertEqual(try kernel("bround", [(.double(2.5), .double)], .double), .double(2))
        XCTAssertEqual(try kernel("bround", [(.double(3.5), .double)], .double), .double(4))
        XCTAssertEqual(try kernel("bround", [(.double(-2.5), .double)], .double), .double(-2))
        XCTAssertEqual(try kernel("bround", [(.double(2.675), .double), (.int(2), .int)], .double), .double(2.68))
        XCTAssertEqual(try kernel("bround", [(.double(0.125), .double), (.int(2), .int)], .double), .double(0.12))
        XCTAssertEqual(try kernel("bround", [(.int(25), .int), (.int(-1), .int)], .int), .int(20))
        XCTAssertEqual(try kernel("bround", [(dec("2.5"), decT(2, 1))], decT(2, 0)), dec("2"))
    }

    func testFloorCeil() throws {
        XCTAssertEqual(try kernel("floor", [(.double(-1.5), .double)], .long), .long(-2))
        XCTAssertEqual(try kernel("ceil", [(.double(1.2), .double)], .long), .long(2))
        XCTAssertEqual(try kernel("floor", [(.double(1e20), .double)], .long), .long(.max))
        XCTAssertEqual(try kernel("ceil", [(.double(.nan), .double)], .long), .long(0))
        XCTAssertEqual(try kernel("ceil", [(.int(5), .int)], .long), .long(5))
        XCTAssertEqual(try kernel("floor", [(dec("-1.55"), decT(3, 2))], decT(2, 0)), dec("-2"))
        XCTAssertEqual(try kernel("ceil", [(dec("1.55"), decT(3, 2))], decT(2, 0)), dec("2"))
        XCTAssertEqual(try kernel("ceil", [(dec("2.345000000000000"), decT(30, 15)), (.int(2), .int)], decT(18, 2)), dec("2.35"))
        XCTAssertEqual(try kernel("floor", [(dec("-2.345"), decT(4, 3)), (.int(2), .int)], decT(4, 2)), dec("-2.35"))
        XCTAssertEqual(try kernel("floor", [(dec("1234"), decT(10, 0)), (.int(-2), .int)], decT(11, 0)), dec("1200"))
    }

    func testTranscendental() throws {
        XCTAssertEqual(try d("sqrt", [4]), .double(2))
        guard case .double(let n) = try d("sqrt", [-1]) else { return XCTFail() }
        XCTAssertTrue(n.isNaN)
        for (name, x) in [("ln", 0.0), ("ln", -1), ("log10", 0), ("log2", -1), ("log1p", -1), ("log1p", -2), ("log", 0)] {
            XCTAssertEqual(try d(name, [x]), .null, "\(name)(\(x))")  // Spark: NULL outside the domain
        }
        XCTAssertEqual(try d("log", [10, 100]), .double(2))
        XCTAssertEqual(try d("log", [2, 8]), .double(3))
        XCTAssertEqual(try d("log", [1, 100]), .double(.infinity))
        XCTAssertEqual(try d("log", [0, 100]), .null)
        XCTAssertEqual(try d("log", [10, 0]), .null)
        XCTAssertEqual(try d("log10", [1000]), .double(3))
        XCTAssertEqual(try d("log2", [8]), .double(3))
        XCTAssertEqual(try d("log1p", [0.5]), .double(0.4054651081081644))
        XCTAssertEqual(try d("pow", [2, 10]), .double(1024))
        XCTAssertEqual(try d("pow", [0, -1]), .double(.infinity))
        XCTAssertEqual(try d("exp", [1000]), .double(.infinity))
        XCTAssertEqual(try d("sign", [-3]), .double(-1))
        XCTAssertEqual(try d("sign", [0]), .double(0))
        XCTAssertEqual(try d("atan2", [1, 1]), .double(0.7853981633974483))
        XCTAssertEqual(try d("degrees", [Double.pi]), .double(180))
        XCTAssertEqual(try d("radians", [180]), .double(3.141592653589793))
        XCTAssertEqual(try d("cbrt", [27]), .double(3))
        XCTAssertEqual(try d("cbrt", [-8]), .double(-2))
        XCTAssertEqual(try d("hypot", [3, 4]), .double(5))
        XCTAssertEqual(try d("rint", [2.5]), .double(2))
        XCTAssertEqual(try d("rint", [3.5]), .double(4))
        XCTAssertEqual(try d("asinh", [1]), .double(0.8813735870195429))
        XCTAssertEqual(try d("acosh", [1]), .double(0))
        XCTAssertEqual(try d("atanh", [0.5]), .double(0.5493061443340548))
        XCTAssertEqual(try kernel("e", [], .double), .double(2.718281828459045))
        XCTAssertEqual(try kernel("pi", [], .double), .double(3.141592653589793))
        // Spark computes exp(1) = 2.7182818284590455 through the JVM intrinsic; libm is 1 ulp away.
        guard case .double(let e1) = try d("exp", [1]) else { return XCTFail() }
        XCTAssertEqual(e1, 2.7182818284590455, accuracy: 1e-15)
    }

    func testIntegerFunctions() throws {
        XCTAssertEqual(try kernel("factorial", [(.int(5), .int)], .long), .long(120))
        XCTAssertEqual(try kernel("factorial", [(.int(20), .int)], .long), .long(2432902008176640000))
        XCTAssertEqual(try kernel("factorial", [(.int(21), .int)], .long), .null)
        XCTAssertEqual(try kernel("factorial", [(.int(-1), .int)], .long), .null)
        XCTAssertEqual(try kernel("bin", [(.long(13), .long)], .string), .string("1101"))
        XCTAssertEqual(try kernel("bin", [(.long(-1), .long)], .string), .string(String(repeating: "1", count: 64)))
        let conv: [(String, Int32, Int32, Value)] = [
            ("100", 2, 10, .string("4")), ("-1", 10, 16, .string("FFFFFFFFFFFFFFFF")), ("ff", 16, 10, .string("255")),
            ("zz", 36, 10, .string("1295")), ("12x", 10, 16, .string("C")), ("", 10, 16, .null), ("255", 10, -16, .string("FF")),
            ("-255", 10, -16, .string("-FF")),
        ]
        for (s, f, t, r) in conv {
            XCTAssertEqual(try kernel("conv", [(.string(s), .string), (.int(f), .int), (.int(t), .int)], .string), r, s)
        }
        XCTAssertEqual(
            errorClass { try kernel("conv", [(.string("18446744073709551616"), .string), (.int(10), .int), (.int(16), .int)], .string) },
            "ARITHMETIC_OVERFLOW")
        XCTAssertEqual(try kernel("shiftleft", [(.int(1), .int), (.int(3), .int)], .int), .int(8))
        XCTAssertEqual(try kernel("shiftleft", [(.int(1), .int), (.int(33), .int)], .int), .int(2))
        XCTAssertEqual(try kernel("shiftleft", [(.long(1), .long), (.int(33), .int)], .long), .long(8589934592))
        XCTAssertEqual(try kernel("shiftright", [(.int(-8), .int), (.int(1), .int)], .int), .int(-4))
        XCTAssertEqual(try kernel("shiftrightunsigned", [(.int(-8), .int), (.int(1), .int)], .int), .int(2147483644))
        XCTAssertEqual(try kernel("shiftrightunsigned", [(.long(-8), .long), (.int(1), .int)], .long), .long(9223372036854775804))
        let wb: [([Double], Int64, Value)] = [
            ([5.3, 0.2, 10.6], 5, .long(3)), ([-1, 0, 10], 5, .long(0)), ([11, 0, 10], 5, .long(6)), ([5, 10, 0], 5, .long(3)),
            ([5, 0, 10], 0, .null),
        ]
        for (a, n, r) in wb {
            XCTAssertEqual(try kernel("width_bucket", a.map { (.double($0), .double) } + [(.long(n), .long)], .long), r)
        }
    }

    func testResolution() throws {
        XCTAssertEqual(try resolve("round", [lit(dec("2.55"), decT(3, 2)), lit(.int(1), .int)]).0, decT(3, 1))
        XCTAssertEqual(try resolve("round", [lit(dec("12.345"), decT(5, 3)), lit(.int(-1), .int)]).0, decT(3, 0))
        XCTAssertEqual(try resolve("round", [lit(.double(2.5), .double)]).0, .double)
        XCTAssertEqual(try resolve("round", [lit(.int(125), .int), lit(.int(-1), .int)]).0, .int)
        XCTAssertEqual(try resolve("round", [lit(.string("2.5"), .string)]).0, .double)
        XCTAssertEqual(try resolve("ceil", [lit(.double(1.2), .double)]).0, .long)
        XCTAssertEqual(try resolve("ceil", [lit(.string("1.5"), .string)]).0, .long)
        XCTAssertEqual(try resolve("floor", [lit(dec("-1.55"), decT(3, 2))]).0, decT(2, 0))
        XCTAssertEqual(try resolve("ceil", [lit(.double(2.345), .double), lit(.int(2), .int)]).0, decT(18, 2))
        XCTAssertEqual(try resolve("floor", [lit(dec("-2.345"), decT(4, 3)), lit(.int(2), .int)]).0, decT(4, 2))
        XCTAssertEqual(try resolve("floor", [lit(.int(1234), .int), lit(.int(-2), .int)]).0, decT(11, 0))
        XCTAssertEqual(try resolve("sqrt", [lit(.string("4"), .string)]).0, .double)
        XCTAssertEqual(try resolve("abs", [lit(.string("-3"), .string)]).0, .double)
        XCTAssertEqual(try resolve("abs", [lit(.byte(-5), .byte)]).0, .byte)
        XCTAssertEqual(try resolve("signum", [lit(dec("-2.5"), decT(2, 1))]).0, .double)
        XCTAssertEqual(try resolve("shiftleft", [lit(.byte(1), .byte), lit(.int(1), .int)]).0, .int)
        XCTAssertEqual(try resolve("shiftleft", [lit(.long(1), .long), lit(.int(1), .int)]).0, .long)
        XCTAssertEqual(try resolve("factorial", [lit(.long(5), .long)]).0, .long)
        XCTAssertEqual(try resolve("bin", [lit(.double(13.7), .double)]).0, .string)
        XCTAssertEqual(try resolve("width_bucket", [lit(.double(5.3), .double), lit(.double(0.2), .double), lit(.double(10.6), .double), lit(.int(5), .int)]).0, .long)
        XCTAssertEqual(try resolve("power", [lit(.int(2), .int), lit(.int(10), .int)]).0, .double)
    }
}

// MARK: - Date functions

final class DateFunctionTests: XCTestCase {
    let s = DataType.string

    func testParts() throws {
        let d = date("2024-12-30")
        let expect: [(String, Int32)] = [
            ("year", 2024), ("month", 12), ("dayofmonth", 30), ("dayofyear", 365), ("dayofweek", 2), ("weekday", 0),
            ("weekofyear", 1), ("quarter", 4),
        ]
        for (f, v) in expect { XCTAssertEqual(try kernel(f, [(d, .date)], .int), .int(v), f) }
        XCTAssertEqual(try kernel("weekofyear", [(date("2021-01-01"), .date)], .int), .int(53))
        XCTAssertEqual(try kernel("dayofweek", [(date("2024-01-14"), .date)], .int), .int(1))
        XCTAssertEqual(try kernel("weekday", [(date("2024-01-14"), .date)], .int), .int(6))
        XCTAssertEqual(try kernel("year", [(ts("2024-12-31 23:59:59"), .timestamp)], .int), .int(2024))
        let t = ts("2024-01-15 10:11:12.5")
        XCTAssertEqual(try kernel("hour", [(t, .timestamp)], .int), .int(10))
        XCTAssertEqual(try kernel("minute", [(t, .timestamp)], .int), .int(11))
        XCTAssertEqual(try kernel("second", [(t, .timestamp)], .int), .int(12))
        XCTAssertEqual(try kernel("hour", [(date("2024-01-15"), .date)], .int), .int(0))
        XCTAssertEqual(try kernel("dayname", [(date("2024-05-17"), .date)], .string), .string("Fri"))
        XCTAssertEqual(try kernel("monthname", [(date("2024-05-17"), .date)], .string), .string("May"))
        XCTAssertEqual(errorClass { try kernel("year", [(.string("abc"), .string)], .int) }, "CAST_INVALID_INPUT")
    }

    func testArithmetic() throws {
        XCTAssertEqual(try kernel("date_add", [(date("2024-01-31"), .date), (.int(1), .int)], .date), date("2024-02-01"))
        XCTAssertEqual(try kernel("date_add", [(date("2024-01-31"), .date), (.int(-1), .int)], .date), date("2024-01-30"))
        XCTAssertEqual(try kernel("date_add", [(ts("2024-01-31 10:00:00"), .timestamp), (.int(1), .int)], .date), date("2024-02-01"))
        XCTAssertEqual(try kernel("date_sub", [(date("2024-03-01"), .date), (.int(1), .int)], .date), date("2024-02-29"))
        XCTAssertEqual(try kernel("datediff", [(date("2024-03-01"), .date), (date("2024-02-01"), .date)], .int), .int(29))
        XCTAssertEqual(try kernel("datediff", [(ts("2024-03-01 23:00:00"), .timestamp), (date("2024-02-01"), .date)], .int), .int(29))
        XCTAssertEqual(try kernel("add_months", [(date("2024-01-31"), .date), (.int(1), .int)], .date), date("2024-02-29"))
        XCTAssertEqual(try kernel("add_months", [(date("2024-02-29"), .date), (.int(12), .int)], .date), date("2025-02-28"))
        XCTAssertEqual(try kernel("add_months", [(date("2024-02-29"), .date), (.int(-1), .int)], .date), date("2024-01-29"))
        XCTAssertEqual(try kernel("last_day", [(date("2024-02-10"), .date)], .date), date("2024-02-29"))
        XCTAssertEqual(try kernel("next_day", [(date("2024-01-15"), .date), (.string("TU"), s)], .date), date("2024-01-16"))
        XCTAssertEqual(try kernel("next_day", [(date("2024-01-15"), .date), (.string("Monday"), s)], .date), date("2024-01-22"))
        XCTAssertEqual(try kernel("next_day", [(date("2024-01-15"), .date), (.string("mon"), s)], .date), date("2024-01-22"))
        XCTAssertEqual(errorClass { try kernel("next_day", [(date("2024-01-15"), .date), (.string("xx"), self.s)], .date) }, "ILLEGAL_DAY_OF_WEEK")
    }

    func testMonthsBetween() throws {
        func mb(_ a: Value, _ b: Value, _ round: Bool? = nil) throws -> Value {
            var args: [(Value, DataType)] = [(a, .timestamp), (b, .timestamp)]
            if let r = round { args.append((.boolean(r), .boolean)) }
            return try kernel("months_between", args, .double)
        }
        XCTAssertEqual(try mb(ts("2024-03-31"), ts("2024-02-29")), .double(1))
        XCTAssertEqual(try mb(ts("2024-03-15"), ts("2024-02-10")), .double(1.16129032))
        XCTAssertEqual(try mb(ts("2024-03-15 12:00:00"), ts("2024-02-10 00:00:00")), .double(1.17741935))
        XCTAssertEqual(try mb(ts("2024-03-15 12:00:00"), ts("2024-02-10 00:00:00"), false), .double(1.1774193548387097))
        XCTAssertEqual(try mb(ts("2024-01-01 10:00:00"), ts("2024-02-01")), .double(-1))
        XCTAssertEqual(try mb(ts("2024-02-29"), ts("2024-01-31")), .double(1))
        XCTAssertEqual(try mb(ts("2024-03-30"), ts("2024-02-29")), .double(1.03225806))
    }

    func testTruncation() throws {
        let d = date("2024-05-17")
        let cases: [(String, Value)] = [
            ("YEAR", date("2024-01-01")), ("yy", date("2024-01-01")), ("QUARTER", date("2024-04-01")), ("MM", date("2024-05-01")),
            ("MON", date("2024-05-01")), ("WEEK", date("2024-05-13")), ("DD", .null),
        ]
        for (f, r) in cases { XCTAssertEqual(try kernel("trunc", [(d, .date), (.string(f), s)], .date), r, f) }
        let t = ts("2024-01-15 10:11:12")
        let dt: [(String, Value, Value)] = [
            ("HOUR", t, ts("2024-01-15 10:00:00")), ("WEEK", ts("2024-01-17 10:11:12"), ts("2024-01-15 00:00:00")),
            ("QUARTER", ts("2024-05-17 10:11:12"), ts("2024-04-01 00:00:00")), ("DAY", t, ts("2024-01-15 00:00:00")),
            ("DD", t, ts("2024-01-15 00:00:00")), ("MINUTE", t, ts("2024-01-15 10:11:00")),
            ("SECOND", ts("2024-01-15 10:11:12.5"), t), ("MILLISECOND", ts("2024-01-15 10:11:12.5678"), ts("2024-01-15 10:11:12.567")),
            ("xx", t, .null), ("YEAR", ts("2024-05-17 00:00:00"), ts("2024-01-01 00:00:00")),
        ]
        for (f, x, r) in dt { XCTAssertEqual(try kernel("date_trunc", [(.string(f), s), (x, .timestamp)], .timestamp), r, f) }
    }

    func testConstruction() throws {
        XCTAssertEqual(try kernel("make_date", [(.int(2024), .int), (.int(2), .int), (.int(29), .int)], .date), date("2024-02-29"))
        XCTAssertEqual(errorClass { try kernel("make_date", [(.int(2024), .int), (.int(2), .int), (.int(30), .int)], .date) }, "DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION")
        XCTAssertEqual(
            errorMessage { try kernel("make_date", [(.int(2024), .int), (.int(13), .int), (.int(1), .int)], .date) },
            "Invalid value for MonthOfYear (valid values 1 - 12): 13. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.")
        XCTAssertEqual(try kernel("make_date", [(.int(2024), .int), (.int(2), .int), (.int(30), .int)], .date, ansi: false), .null)
        func mt(_ h: Int32, _ sec: String, zone: String? = nil) throws -> Value {
            var args: [(Value, DataType)] = [(.int(2024), .int), (.int(1), .int), (.int(15), .int), (.int(h), .int), (.int(11), .int), (dec(sec), decT(16, 6))]
            if let z = zone { args.append((.string(z), .string)) }
            return try kernel("make_timestamp", args, .timestamp)
        }
        XCTAssertEqual(try mt(10, "12.5"), ts("2024-01-15 10:11:12.5"))
        XCTAssertEqual(try mt(10, "60"), ts("2024-01-15 10:12:00"))
        XCTAssertEqual(try mt(10, "12.5", zone: "+02:00"), ts("2024-01-15 08:11:12.5"))
        XCTAssertEqual(errorClass { try mt(10, "60.5") }, "INVALID_FRACTION_OF_SECOND")
        XCTAssertEqual(errorClass { try mt(25, "0") }, "DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION")
    }

    func testParsingAndFormatting() throws {
        XCTAssertEqual(errorClass { try kernel("to_date", [(.string("2024-13-01"), self.s)], .date) }, "CAST_INVALID_INPUT")
        XCTAssertEqual(try kernel("to_date", [(.string("2024-01-15 10:00:00"), s)], .date), date("2024-01-15"))
        XCTAssertEqual(try kernel("to_date", [(.string("2024-1-5"), s)], .date), date("2024-01-05"))
        XCTAssertEqual(try kernel("try_to_date", [(.string("abc"), s)], .date), .null)
        XCTAssertEqual(try kernel("to_date", [(ts("2024-01-15 23:59:59"), .timestamp)], .date), date("2024-01-15"))
        XCTAssertEqual(errorClass { try kernel("to_timestamp", [(.string("abc"), self.s)], .timestamp) }, "CAST_INVALID_INPUT")
        XCTAssertEqual(try kernel("to_timestamp", [(.string("2024-01-15 10:11:12"), s)], .timestamp), ts("2024-01-15 10:11:12"))
        XCTAssertEqual(try kernel("try_to_timestamp", [(.string("2024-01-15"), s)], .timestamp), ts("2024-01-15 00:00:00"))
        XCTAssertEqual(try kernel("to_timestamp", [(.long(1705313472), .long)], .timestamp), ts("2024-01-15 10:11:12"))
        XCTAssertEqual(try kernel("to_timestamp", [(date("2024-01-15"), .date)], .timestamp), ts("2024-01-15 00:00:00"))
        XCTAssertEqual(try kernel("unix_timestamp", [(ts("2024-01-15 10:11:12.9"), .timestamp)], .long), .long(1705313472))
        XCTAssertEqual(try kernel("unix_timestamp", [(date("2024-01-15"), .date)], .long), .long(1705276800))
        XCTAssertEqual(try kernel("unix_timestamp", [], .long, now: 1_705_313_472_900_000), .long(1705313472))
        XCTAssertEqual(try kernel("current_date", [], .date, now: 1_705_313_472_900_000), date("2024-01-15"))
        XCTAssertEqual(try kernel("current_timestamp", [], .timestamp, now: 1_705_313_472_900_000), .timestamp(1_705_313_472_900_000))
    }

    /// Needs DateTimePattern (EmberCore); expectations from Spark 4.1.1.
    func testPatterns() throws {
        XCTAssertEqual(try kernel("to_date", [(.string("2024/01/15"), s), (.string("yyyy/MM/dd"), s)], .date), date("2024-01-15"))
        XCTAssertEqual(errorClass { try kernel("to_date", [(.string("x"), self.s), (.string("yyyy"), self.s)], .date) }, "CANNOT_PARSE_TIMESTAMP")
        XCTAssertEqual(errorClass { try kernel("to_date", [(.string("2024-02-30"), self.s), (.string("yyyy-MM-dd"), self.s)], .date) }, "CANNOT_PARSE_TIMESTAMP")
        XCTAssertEqual(
            try kernel("to_timestamp", [(.string("15/01/2024 10:11"), s), (.string("dd/MM/yyyy HH:mm"), s)], .timestamp), ts("2024-01-15 10:11:00"))
        XCTAssertEqual(try kernel("try_to_timestamp", [(.string("x"), s), (.string("yyyy"), s)], .timestamp), .null)
        XCTAssertEqual(
            errorClass { try kernel("to_timestamp", [(.string("2024-01-15 10:11:12"), self.s), (.string("yyyy-MM-dd"), self.s)], .timestamp) },
            "CANNOT_PARSE_TIMESTAMP")
        XCTAssertEqual(
            try kernel("date_format", [(ts("2024-01-15 10:11:12"), .timestamp), (.string("yyyy-MM-dd HH:mm"), s)], .string), .string("2024-01-15 10:11"))
        XCTAssertEqual(try kernel("date_format", [(ts("2024-01-15 00:00:00"), .timestamp), (.string("EEE"), s)], .string), .string("Mon"))
        XCTAssertEqual(
            try kernel("date_format", [(ts("2024-01-15 10:11:12.123"), .timestamp), (.string("yyyy-MM-dd'T'HH:mm:ss.SSS"), s)], .string),
            .string("2024-01-15T10:11:12.123"))
        XCTAssertEqual(try kernel("unix_timestamp", [(.string("2024-01-15 10:11:12"), s)], .long), .long(1705313472))
        XCTAssertEqual(try kernel("unix_timestamp", [(.string("2024-01-15"), s), (.string("yyyy-MM-dd"), s)], .long), .long(1705276800))
        XCTAssertEqual(errorClass { try kernel("unix_timestamp", [(.string("abc"), self.s)], .long) }, "CANNOT_PARSE_TIMESTAMP")
        XCTAssertEqual(try kernel("to_unix_timestamp", [(.string("2024-01-15 10:11:12"), s)], .long), .long(1705313472))
        XCTAssertEqual(try kernel("from_unixtime", [(.long(0), .long)], .string), .string("1970-01-01 00:00:00"))
        XCTAssertEqual(try kernel("from_unixtime", [(.long(1705313472), .long), (.string("yyyy-MM-dd"), s)], .string), .string("2024-01-15"))
    }

    func testExtract() throws {
        let d = date("2024-05-17")
        let cases: [(String, Value)] = [
            ("YEAR", .int(2024)), ("DOW", .int(6)), ("DOW_ISO", .int(5)), ("DAYOFWEEK", .int(6)), ("DOY", .int(138)),
            ("WEEK", .int(20)), ("QUARTER", .int(2)), ("DAY", .int(17)), ("years", .int(2024)), ("SECOND", dec("0.000000")),
        ]
        for (f, r) in cases { XCTAssertEqual(try kernel("extract", [(.string(f), s), (d, .date)], DateFunctions.extractField(f)!), r, f) }
        XCTAssertEqual(try kernel("extract", [(.string("YEAROFWEEK"), s), (date("2024-12-30"), .date)], .int), .int(2025))
        let t = ts("2024-01-15 10:11:12.5")
        XCTAssertEqual(try kernel("extract", [(.string("SECOND"), s), (t, .timestamp)], decT(8, 6)), dec("12.500000"))
        XCTAssertEqual(try kernel("extract", [(.string("HOUR"), s), (t, .timestamp)], .int), .int(10))
        XCTAssertEqual(try kernel("extract", [(.string("MINUTE"), s), (t, .timestamp)], .int), .int(11))
        XCTAssertEqual(errorClass { try resolve("extract", [lit(.string("FOO"), .string), lit(d, .date)]) }, "INVALID_EXTRACT_FIELD")
        XCTAssertEqual(try resolve("extract", [lit(.string("second"), .string), lit(t, .timestamp)]).0, decT(8, 6))
        XCTAssertEqual(try resolve("date_part", [lit(.string("year"), .string), lit(d, .date)]).0, .int)
    }

    func testIntervals() throws {
        func add(_ x: Value, _ t: DataType, _ m: Int32, _ d: Int32, _ us: Int64) throws -> Value {
            let args = [lit(x, t), lit(.int(m), .int), lit(.int(d), .int), lit(.long(us), .long)]
            let type = try resolve("add_interval", args).0
            return try kernel("add_interval", [(x, t), (.int(m), .int), (.int(d), .int), (.long(us), .long)], type)
        }
        XCTAssertEqual(try add(date("2024-01-31"), .date, 1, 0, 0), date("2024-02-29"))
        XCTAssertEqual(try add(date("2024-01-31"), .date, 0, 1, 0), date("2024-02-01"))
        XCTAssertEqual(try add(date("2024-01-31"), .date, -1, 0, 0), date("2023-12-31"))
        XCTAssertEqual(try add(date("2024-01-31"), .date, 14, 0, 0), date("2025-03-31"))
        XCTAssertEqual(try add(date("2024-01-31"), .date, 0, 0, 3_600_000_000), ts("2024-01-31 01:00:00"))
        XCTAssertEqual(try add(date("2024-01-31"), .date, 0, 1, 7_200_000_000), ts("2024-02-01 02:00:00"))
        XCTAssertEqual(try add(ts("2024-01-31 10:00:00"), .timestamp, 1, 0, 0), ts("2024-02-29 10:00:00"))
        XCTAssertEqual(try add(ts("2024-01-31 10:00:00"), .timestamp, 0, 1, 0), ts("2024-02-01 10:00:00"))
        XCTAssertEqual(try add(ts("2024-01-31 10:00:00"), .timestamp, 0, 0, 5_400_000_000), ts("2024-01-31 11:30:00"))
    }

    func testEpochConversions() throws {
        XCTAssertEqual(try kernel("timestamp_seconds", [(dec("1.5"), decT(2, 1))], .timestamp), .timestamp(1_500_000))
        XCTAssertEqual(try kernel("timestamp_seconds", [(.long(1705313472), .long)], .timestamp), ts("2024-01-15 10:11:12"))
        XCTAssertEqual(try kernel("timestamp_seconds", [(.double(1.5), .double)], .timestamp), .timestamp(1_500_000))
        XCTAssertEqual(try kernel("timestamp_millis", [(.long(1500), .long)], .timestamp), .timestamp(1_500_000))
        XCTAssertEqual(try kernel("timestamp_micros", [(.long(1_500_000), .long)], .timestamp), .timestamp(1_500_000))
        XCTAssertEqual(try kernel("unix_seconds", [(ts("1969-12-31 23:59:59.5"), .timestamp)], .long), .long(-1))
        XCTAssertEqual(try kernel("unix_millis", [(ts("2024-01-15 10:11:12.5"), .timestamp)], .long), .long(1705313472500))
        XCTAssertEqual(try kernel("unix_micros", [(ts("2024-01-15 10:11:12.5"), .timestamp)], .long), .long(1705313472500000))
        XCTAssertEqual(try kernel("unix_date", [(date("2024-01-15"), .date)], .int), .int(19737))
        XCTAssertEqual(try kernel("date_from_unix_date", [(.int(19737), .int)], .date), date("2024-01-15"))
    }

    func testResolution() throws {
        XCTAssertEqual(try resolve("year", [lit(.string("2024-12-30"), .string)]).1[0].dataType, .date)
        XCTAssertEqual(try resolve("hour", [lit(.string("2024-01-15 10:11:12"), .string)]).1[0].dataType, .timestamp)
        XCTAssertEqual(try resolve("datediff", [lit(.string("2024-03-01"), .string), lit(.string("2024-02-01"), .string)]).0, .int)
        XCTAssertEqual(try resolve("months_between", [lit(.string("2024-03-01"), .string), lit(.string("2024-02-01"), .string)]).0, .double)
        XCTAssertEqual(try resolve("to_timestamp", [lit(.string("2024-01-15"), .string)]).0, .timestamp)
        XCTAssertEqual(try resolve("unix_timestamp", []).0, .long)
        XCTAssertEqual(try resolve("current_date", []).0, .date)
        XCTAssertEqual(try resolve("date_add", [lit(.string("2024-01-31"), .string), lit(.string("2"), .string)]).1[1].dataType, .int)
        XCTAssertEqual(try resolve("from_unixtime", [lit(dec("1.5"), decT(2, 1))]).1[0].dataType, .long)
    }
}
