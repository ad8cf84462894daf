import EmberColumnar
import EmberCore
import EmberPlan
import XCTest

@testable import EmberExec

// Expected values marked "Spark" were produced by Apache Spark 4.1.1 (pyspark 4.1.1,
// local[1], spark.sql.ansi.enabled=true, TZ=UTC) with `SELECT <expr>`.

/// One typed argument.
private struct Arg {
    var value: Value
    var type: DataType
    init(_ v: Value, _ t: DataType? = nil) { value = v; type = t ?? v.naturalType }
}

private func s(_ x: String) -> Arg { Arg(.string(x)) }
private func i(_ x: Int32) -> Arg { Arg(.int(x)) }
private func l(_ x: Int64) -> Arg { Arg(.long(x)) }
private func d(_ x: Double) -> Arg { Arg(.double(x)) }
private func dec(_ text: String, _ p: Int, _ sc: Int) -> Arg {
    Arg(.decimal(Decimal128.parse(text)!.rescaled(to: sc, precision: p)!), .decimal(precision: p, scale: sc))
}
private let nullString = Arg(.null, .string)
private let nullInt = Arg(.null, .int)

/// Resolves `name` over the argument columns (literals when `literal`) and runs its kernel.
private func runKernel(_ name: String, _ cols: [Column], count: Int? = nil, literal: [Bool]? = nil, ctx: EvalContext = EvalContext()) throws -> Column {
    let canonical = Functions.canonicalName(name)
    var exprs: [Expr] = cols.enumerated().map { j, c in
        if literal?[j] ?? false { return .literal(c.value(at: 0), c.type) }
        return .attribute(Attribute(id: j, name: "c\(j)", dataType: c.type, nullable: true))
    }
    let t = try Functions.lookup(canonical)!.resolve(&exprs)
    let call = FunctionCall(name: canonical, args: exprs, dataType: t)
    return try ScalarKernels.table[canonical]!(KernelCall(call: call, args: cols, count: count ?? cols.first?.count ?? 1, ctx: ctx))
}

/// One row through kernel `name`, arguments passed as literals.
private func eval(_ name: String, _ args: Arg...) throws -> Value {
    let cols = try args.map { try Column.from([$0.value], type: $0.type) }
    return try runKernel(name, cols, count: 1, literal: args.map { _ in true }).value(at: 0)
}

/// Several rows through kernel `name` with column (non-literal) arguments.
private func evalRows(_ name: String, _ columns: [([Value], DataType)]) throws -> [Value] {
    let cols = try columns.map { try Column.from($0.0, type: $0.1) }
    let c = try runKernel(name, cols)
    return (0..<c.count).map { c.value(at: $0) }
}

private func XCTAssertErrorClass(_ expr: @autoclosure () throws -> Any, _ cls: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try expr(), file: file, line: line) { e in
        XCTAssertEqual((e as? EmberError)?.errorClass, cls, "\(e)", file: file, line: line)
    }
}

final class StringKernelsSparkTests: XCTestCase {
    func testCaseAndTrim() throws {
        XCTAssertEqual(try eval("lower", s("ÀBC Ω")), .string("àbc ω"))  // Spark
        XCTAssertEqual(try eval("upper", s("àbc ωß")), .string("ÀBC ΩSS"))  // Spark
        XCTAssertEqual(try eval("ucase", s("abc")), .string("ABC"))
        XCTAssertEqual(try eval("lower", nullString), .null)
        XCTAssertEqual(try eval("initcap", s("hello wORLD  foo-bar")), .string("Hello World  Foo-bar"))  // Spark
        XCTAssertEqual(try eval("initcap", s("élan vital")), .string("Élan Vital"))  // Spark
        XCTAssertEqual(try eval("initcap", s("ǆa")), .string("ǅa"))  // Spark
        XCTAssertEqual(try eval("trim", s("  ab  ")), .string("ab"))  // Spark
        XCTAssertEqual(try eval("trim", s(" \tab\t ")), .string("\tab\t"))  // Spark: only spaces
        // The two-argument function form is trim(trimStr, str) in Spark.
        XCTAssertEqual(try eval("trim", s("xyab yx"), s("xy")), .string(""))  // Spark
        XCTAssertEqual(try eval("trim", s("xy"), s("xyab yx")), .string("ab "))
        XCTAssertEqual(try eval("ltrim", s("xxab"), s("x")), .string(""))  // Spark
        XCTAssertEqual(try eval("rtrim", s("y"), s("abyy")), .string("ab"))
        XCTAssertEqual(try eval("btrim", s("xxaxx"), s("x")), .string("a"))  // Spark
        XCTAssertEqual(try eval("btrim", s("éaé"), s("é")), .string("a"))
    }

    func testLengthSubstring() throws {
        XCTAssertEqual(try eval("length", s("héllo")), .int(5))  // Spark
        XCTAssertEqual(try eval("length", Arg(.binary([1, 2]))), .int(2))  // Spark
        XCTAssertEqual(try eval("char_length", s("")), .int(0))
        XCTAssertEqual(try eval("length", nullString), .null)
        let cases: [(String, Int32, Int32?, String)] = [  // Spark
            ("Spark SQL", 5, nil, "k SQL"), ("Spark SQL", -3, nil, "SQL"), ("Spark SQL", 5, 1, "k"),
            ("Spark SQL", 0, 2, "Sp"), ("Spark SQL", -30, 3, ""), ("Spark SQL", 2, -1, ""), ("Spark SQL", 100, nil, ""),
            ("héllo", 2, 2, "él"), ("Spark SQL", -3, 2, "SQ"), ("abc", -5, 3, "a"),
        ]
        for (str, pos, len, want) in cases {
            let got = try len.map { try eval("substr", s(str), i(pos), i($0)) } ?? eval("substring", s(str), i(pos))
            XCTAssertEqual(got, .string(want), "substring(\(str), \(pos), \(String(describing: len)))")
        }
        XCTAssertEqual(try eval("substring", Arg(.binary([1, 2, 3])), i(2)), .binary([2, 3]))  // Spark
        XCTAssertEqual(try eval("left", s("Spark SQL"), i(3)), .string("Spa"))  // Spark
        XCTAssertEqual(try eval("left", s("Spark SQL"), i(-1)), .string(""))  // Spark
        XCTAssertEqual(try eval("right", s("Spark SQL"), i(3)), .string("SQL"))  // Spark
        XCTAssertEqual(try eval("right", s("Spark SQL"), i(100)), .string("Spark SQL"))  // Spark
        XCTAssertEqual(try eval("right", s("Spark SQL"), i(0)), .string(""))  // Spark
    }

    func testConcat() throws {
        XCTAssertEqual(try eval("concat", s("a"), s("1"), nullString), .null)  // Spark
        XCTAssertEqual(try eval("concat", s("a"), s("1"), s("2.5")), .string("a12.5"))
        XCTAssertEqual(try eval("||", s("a"), s("b")), .string("ab"))  // Spark
        XCTAssertEqual(try eval("||", s("a"), nullString), .null)  // Spark
        XCTAssertEqual(try eval("concat", Arg(.binary([1])), Arg(.binary([2]))), .binary([1, 2]))  // Spark
        XCTAssertEqual(try eval("concat_ws", s(","), s("a"), nullString, s("b")), .string("a,b"))  // Spark
        let arr = Arg(.array([.string("a"), .string("b")]), .array(element: .string, containsNull: true))
        XCTAssertEqual(try eval("concat_ws", s(","), arr, s("c"), nullString), .string("a,b,c"))  // Spark
        XCTAssertEqual(try eval("concat_ws", nullString, s("a")), .null)  // Spark
        XCTAssertEqual(try eval("concat_ws", s("-")), .string(""))  // Spark
        // Non-literal rows with NULLs.
        XCTAssertEqual(
            try evalRows("concat", [([.string("x"), .null, .string("é")], .string), ([.string("1"), .string("2"), .string("ü")], .string)]),
            [.string("x1"), .null, .string("éü")])
        // Resolve: numbers are cast to string.
        var args: [Expr] = [.literal(.string("a"), .string), .literal(.int(1), .int)]
        XCTAssertEqual(try Functions.lookup("concat")!.resolve(&args), .string)
        XCTAssertEqual(args[1], .cast(.literal(.int(1), .int), to: .string, mode: .ansi))
    }

    func testSplitAndRegex() throws {
        func arr(_ xs: [String]) -> Value { .array(xs.map { .string($0) }) }
        XCTAssertEqual(try eval("split", s("a,b,,c,"), s(",")), arr(["a", "b", "", "c", ""]))  // Spark
        XCTAssertEqual(try eval("split", s("a,b,c"), s(","), i(2)), arr(["a", "b,c"]))  // Spark
        XCTAssertEqual(try eval("split", s("a,b,c"), s(","), i(0)), arr(["a", "b", "c"]))  // Spark
        XCTAssertEqual(try eval("split", s("abc"), s("")), arr(["a", "b", "c"]))  // Spark
        XCTAssertEqual(try eval("split", s(""), s(",")), arr([""]))  // Spark
        XCTAssertEqual(try eval("split", s("a1b22c"), s("[0-9]+")), arr(["a", "b", "c"]))  // Spark
        XCTAssertEqual(try eval("split", s("a.b"), s(".")), arr(["", "", "", ""]))  // Spark
        XCTAssertEqual(try eval("split", s("a1b2c3"), s("\\d"), i(2)), arr(["a", "b2c3"]))  // Spark
        XCTAssertEqual(try eval("split", s("héllo wörld"), s(" ")), arr(["héllo", "wörld"]))

        XCTAssertEqual(try eval("regexp_replace", s("100-200"), s("(\\d+)"), s("num")), .string("num-num"))  // Spark
        XCTAssertEqual(try eval("regexp_replace", s("100-200"), s("(\\d+)-(\\d+)"), s("$2-$1")), .string("200-100"))  // Spark
        XCTAssertEqual(try eval("regexp_replace", s("abc"), s(""), s("-")), .string("-a-b-c-"))  // Spark
        XCTAssertEqual(try eval("regexp_replace", s("aaa"), s("a*"), s("X")), .string("XX"))  // Spark
        XCTAssertEqual(try eval("regexp_replace", s("a.b"), s("\\."), s("\\$")), .string("a$b"))  // Spark
        XCTAssertEqual(try eval("regexp_replace", s("ab"), s("(a)"), s("\\$1")), .string("$1b"))  // Spark
        XCTAssertEqual(try eval("regexp_replace", s("éxé"), s("é"), s("e")), .string("exe"))
        XCTAssertErrorClass(try eval("regexp_replace", s("ab"), s("(a)"), s("$2")), "INVALID_REGEXP_REPLACE")  // Spark
        XCTAssertErrorClass(try eval("regexp_replace", s("abc"), s("("), s("x")), "INVALID_PARAMETER_VALUE.PATTERN")  // Spark

        XCTAssertEqual(try eval("regexp_extract", s("100-200"), s("(\\d+)-(\\d+)"), i(1)), .string("100"))  // Spark
        XCTAssertEqual(try eval("regexp_extract", s("foo"), s("(\\d+)"), i(1)), .string(""))  // Spark
        XCTAssertEqual(try eval("regexp_extract", s("100-200"), s("(\\d+)-(\\d+)"), i(0)), .string("100-200"))  // Spark
        XCTAssertEqual(try eval("regexp_extract", s("abc"), s("(a)(x)?"), i(2)), .string(""))  // Spark
        XCTAssertEqual(try eval("regexp_extract", s("日本語123"), s("(\\d+)")), .string("123"))
        XCTAssertErrorClass(try eval("regexp_extract", s("100-200"), s("(\\d+)"), i(3)), "INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX")  // Spark
        XCTAssertEqual(
            try eval("regexp_extract_all", s("100-200, 300-400"), s("(\\d+)-(\\d+)"), i(1)), arr(["100", "300"]))  // Spark

        XCTAssertEqual(try eval("rlike", s("abc"), s("^a.c$")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("rlike", s("abc"), s("b")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("rlike", s("abc"), s("x")), .boolean(false))
        XCTAssertErrorClass(try eval("rlike", s("abc"), s("[")), "INVALID_PARAMETER_VALUE.PATTERN")  // Spark
        // Per-row patterns, NULLs.
        XCTAssertEqual(
            try evalRows("rlike", [([.string("abc"), .string("abc"), .null], .string), ([.string("^a"), .string("^b"), .string("a")], .string)]),
            [.boolean(true), .boolean(false), .null])
    }

    func testLike() throws {
        let cases: [(String, String, Bool)] = [  // Spark
            ("abc", "a%", true), ("abc", "a_c", true), ("a%c", "a\\%c", true), ("abc", "a\\%c", false),
            ("a\nb", "a_b", true), ("a\nb", "a%", true), ("%", "\\%", true), ("ab", "%%b", true), ("ä", "_", true),
        ]
        for (str, pat, want) in cases {
            XCTAssertEqual(try eval("like", s(str), s(pat)), .boolean(want), "\(str) LIKE \(pat)")
        }
        let more: [(String, String, Bool)] = [
            ("héllo", "h_llo", true), ("héllo", "h%o", true), ("héllo", "%é%", true), ("héllo", "%x%", false),
            ("abcabc", "%bc", true), ("abcabc", "a%b%c", true), ("abc", "abcd", false), ("", "%", true), ("", "_", false),
            ("aXbXc", "a%X%c", true), ("ab", "a%b%", true), ("abc", "%a%b%c%", true), ("abc", "%c%b%", false),
        ]
        for (str, pat, want) in more {
            XCTAssertEqual(try eval("like", s(str), s(pat)), .boolean(want), "\(str) LIKE \(pat)")
        }
        XCTAssertEqual(try eval("like", s("a_c"), s("a/_c"), s("/")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("ilike", s("ABC"), s("a%")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("ilike", s("Ⅻ"), s("ⅻ")), .boolean(true))  // Spark
        XCTAssertErrorClass(try eval("like", s("abc"), s("abc\\")), "INVALID_FORMAT.ESC_AT_THE_END")  // Spark
        XCTAssertErrorClass(try eval("like", s("abc"), s("\\a")), "INVALID_FORMAT.ESC_IN_THE_MIDDLE")  // Spark
        XCTAssertEqual(
            try evalRows("like", [([.string("abc"), .null, .string("xyz")], .string), ([.string("%c"), .string("%"), .string("x_")], .string)]),
            [.boolean(true), .null, .boolean(false)])
    }

    func testPadSearchTranslate() throws {
        XCTAssertEqual(try eval("lpad", s("hi"), i(5), s("??")), .string("???hi"))  // Spark
        XCTAssertEqual(try eval("lpad", s("hi"), i(1), s("??")), .string("h"))  // Spark
        XCTAssertEqual(try eval("rpad", s("hi"), i(5), s("ab")), .string("hiaba"))  // Spark
        XCTAssertEqual(try eval("lpad", s("hi"), i(5)), .string("   hi"))  // Spark
        XCTAssertEqual(try eval("lpad", s("hi"), i(-1)), .string(""))  // Spark
        XCTAssertEqual(try eval("lpad", s("héllo"), i(7), s("é")), .string("ééhéllo"))  // Spark
        XCTAssertEqual(try eval("rpad", s("hi"), i(5), s("")), .string("hi"))  // Spark
        XCTAssertEqual(try eval("instr", s("SparkSQL"), s("SQL")), .int(6))  // Spark
        XCTAssertEqual(try eval("instr", s("SparkSQL"), s("x")), .int(0))  // Spark
        XCTAssertEqual(try eval("instr", s("héllo"), s("l")), .int(3))  // Spark
        XCTAssertEqual(try eval("instr", s("abc"), s("")), .int(1))  // Spark
        XCTAssertEqual(try eval("locate", s("bar"), s("foobarbar")), .int(4))  // Spark
        XCTAssertEqual(try eval("position", s("bar"), s("foobarbar"), i(5)), .int(7))  // Spark
        XCTAssertEqual(try eval("locate", s("bar"), s("foobarbar"), i(0)), .int(0))  // Spark
        XCTAssertEqual(try eval("locate", s(""), s("abc")), .int(1))  // Spark
        XCTAssertEqual(try eval("locate", s(""), s("abc"), i(0)), .int(0))  // Spark
        XCTAssertEqual(try eval("locate", s("a"), s("abc"), i(-1)), .int(0))  // Spark
        XCTAssertEqual(try eval("locate", s("a"), s("abc"), nullInt), .int(0))
        XCTAssertEqual(try eval("locate", nullString, s("abc")), .null)
        XCTAssertEqual(try eval("translate", s("AaBbCc"), s("abc"), s("123")), .string("A1B2C3"))  // Spark
        XCTAssertEqual(try eval("translate", s("abc"), s("abc"), s("x")), .string("x"))  // Spark
        XCTAssertEqual(try eval("translate", s("héllo"), s("él"), s("ÉL")), .string("hÉLLo"))  // Spark
        XCTAssertEqual(try eval("replace", s("ABCabc"), s("abc"), s("DEF")), .string("ABCDEF"))  // Spark
        XCTAssertEqual(try eval("replace", s("ABCabc"), s("abc")), .string("ABC"))  // Spark
        XCTAssertEqual(try eval("replace", s("abc"), s(""), s("x")), .string("abc"))  // Spark
        XCTAssertEqual(try eval("startswith", s("Spark"), s("Sp")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("endswith", s("Spark"), s("rk")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("contains", s("Spark"), s("par")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("contains", s("Spark"), s("")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("contains", s("Spark"), nullString), .null)
    }

    func testMiscStrings() throws {
        XCTAssertEqual(try eval("reverse", s("héllo")), .string("olléh"))  // Spark
        XCTAssertEqual(try eval("reverse", s("")), .string(""))  // Spark
        XCTAssertEqual(try eval("repeat", s("ab"), i(3)), .string("ababab"))  // Spark
        XCTAssertEqual(try eval("repeat", s("ab"), i(-1)), .string(""))  // Spark
        XCTAssertEqual(try eval("repeat", s("é"), i(2)), .string("éé"))  // Spark
        XCTAssertEqual(try eval("ascii", s("abc")), .int(97))  // Spark
        XCTAssertEqual(try eval("ascii", s("")), .int(0))  // Spark
        XCTAssertEqual(try eval("ascii", s("é")), .int(233))  // Spark
        XCTAssertEqual(try eval("chr", l(65)), .string("A"))  // Spark
        XCTAssertEqual(try eval("chr", l(321)), .string("A"))  // Spark
        XCTAssertEqual(try eval("chr", l(-1)), .string(""))  // Spark
        XCTAssertEqual(try eval("char", l(256)), .string("\u{0}"))  // Spark
        XCTAssertEqual(try eval("levenshtein", s("kitten"), s("sitting")), .int(3))  // Spark
        XCTAssertEqual(try eval("levenshtein", s("kitten"), s("sitting"), i(2)), .int(-1))  // Spark
        XCTAssertEqual(try eval("levenshtein", s(""), s("abc")), .int(3))  // Spark
        XCTAssertEqual(try eval("levenshtein", s("héllo"), s("hello")), .int(1))  // Spark
        for (x, want) in [("Miller", "M460"), ("Robert", "R163"), ("Tymczak", "T522"), ("", ""), ("123", "123"), ("Ashcraft", "A261")] {
            XCTAssertEqual(try eval("soundex", s(x)), .string(want), x)  // Spark
        }
    }

    func testFormatNumberAndString() throws {
        XCTAssertEqual(try eval("format_number", dec("12332.123456", 11, 6), i(4)), .string("12,332.1235"))  // Spark
        XCTAssertEqual(try eval("format_number", dec("2.5", 2, 1), i(0)), .string("2"))  // Spark: HALF_EVEN
        XCTAssertEqual(try eval("format_number", dec("3.5", 2, 1), i(0)), .string("4"))  // Spark
        XCTAssertEqual(try eval("format_number", dec("-0.5", 1, 1), i(0)), .string("-0"))  // Spark
        XCTAssertEqual(try eval("format_number", d(0.125), i(2)), .string("0.12"))  // Spark
        XCTAssertEqual(try eval("format_number", d(0.135), i(2)), .string("0.14"))  // Spark
        XCTAssertEqual(try eval("format_number", d(2.675), i(2)), .string("2.67"))  // Spark
        XCTAssertEqual(try eval("format_number", dec("1234567.891", 10, 3), i(2)), .string("1,234,567.89"))  // Spark
        XCTAssertEqual(try eval("format_number", dec("1234.5", 5, 1), i(0)), .string("1,234"))  // Spark
        XCTAssertEqual(try eval("format_number", l(12345), i(2)), .string("12,345.00"))  // Spark
        XCTAssertEqual(try eval("format_number", d(.nan), i(2)), .string("NaN"))  // Spark
        XCTAssertEqual(try eval("format_number", dec("12.3", 3, 1), i(-1)), .null)  // Spark
        XCTAssertEqual(try eval("format_number", dec("1.005", 10, 3), i(2)), .string("1.00"))  // Spark
        XCTAssertEqual(try eval("format_number", d(1e20), i(2)), .string("100,000,000,000,000,000,000.00"))  // Spark
        XCTAssertEqual(try eval("format_number", d(12345.678), s("##.#")), .string("12345.7"))  // Spark

        XCTAssertEqual(try eval("format_string", s("%5s|%-5s|%05d"), s("ab"), s("cd"), i(42)), .string("   ab|cd   |00042"))  // Spark
        XCTAssertEqual(try eval("format_string", s("%s"), nullString), .string("null"))  // Spark
        XCTAssertEqual(try eval("format_string", s("%d%%"), i(3)), .string("3%"))  // Spark
        XCTAssertEqual(try eval("printf", s("%x %o %e"), i(255), i(8), d(12345.678)), .string("ff 10 1.234568e+04"))  // Spark
        XCTAssertEqual(try eval("format_string", s("%,d"), i(1234567)), .string("1,234,567"))  // Spark
        XCTAssertEqual(try eval("format_string", s("%b %c"), Arg(.boolean(true)), i(65)), .string("true A"))  // Spark
        XCTAssertEqual(
            try eval("format_string", s("%10.3f|%-10.1f|%+d"), d(3.14159), d(2.5), i(5)), .string("     3.142|2.5       |+5"))  // Spark
        XCTAssertEqual(try eval("format_string", s("%2$s %1$s"), s("a"), s("b")), .string("b a"))  // Spark
        XCTAssertEqual(try eval("format_string", nullString, s("a")), .null)
    }

    func testEncodingsAndDigests() throws {
        XCTAssertEqual(try eval("base64", s("Spark SQL")), .string("U3BhcmsgU1FM"))  // Spark
        XCTAssertEqual(try eval("base64", s("ab")), .string("YWI="))  // Spark
        XCTAssertEqual(try eval("base64", Arg(.binary([]))), .string(""))  // Spark
        XCTAssertEqual(try eval("unbase64", s("U3BhcmsgU1FM")), .binary(Array("Spark SQL".utf8)))  // Spark
        XCTAssertEqual(try eval("unbase64", s("!!!")), .binary([]))  // Spark
        XCTAssertEqual(try eval("hex", l(17)), .string("11"))  // Spark
        XCTAssertEqual(try eval("hex", l(-1)), .string("FFFFFFFFFFFFFFFF"))  // Spark
        XCTAssertEqual(try eval("hex", s("Spark")), .string("537061726B"))  // Spark
        XCTAssertEqual(try eval("hex", Arg(.binary([0x0a, 0xff]))), .string("0AFF"))  // Spark
        XCTAssertEqual(try eval("unhex", s("537061726B")), .binary(Array("Spark".utf8)))  // Spark
        XCTAssertEqual(try eval("unhex", s("ABC")), .binary([0x0a, 0xbc]))  // Spark
        XCTAssertEqual(try eval("unhex", s("zz")), .null)  // Spark
        XCTAssertEqual(try eval("md5", s("Spark")), .string("8cde774d6f7333752ed72cacddb05126"))  // Spark
        XCTAssertEqual(try eval("md5", s("")), .string("d41d8cd98f00b204e9800998ecf8427e"))  // Spark
        XCTAssertEqual(try eval("sha1", s("Spark")), .string("85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c"))  // Spark
        XCTAssertEqual(try eval("sha2", s("Spark"), i(256)), .string("529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b"))  // Spark
        XCTAssertEqual(try eval("sha2", s("Spark"), i(0)), .string("529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b"))  // Spark
        XCTAssertEqual(try eval("sha2", s("Spark"), i(224)), .string("dbeab94971678d36af2195851c0f7485775a2a7c60073d62fc04549c"))  // Spark
        XCTAssertEqual(
            try eval("sha2", s("Spark"), i(384)),
            .string("1e40b8d06c248a1cc32428c22582b6219d072283078fa140d9ad297ecadf2cabefc341b857ad36226aa8d6d79f2ab67d"))  // Spark
        XCTAssertEqual(
            try eval("sha2", s("Spark"), i(512)),
            .string("44844a586c54c9a212da1dbfe05c5f1705de1af5fda1f0d36297623249b279fd8f0ccec03f888f4fb13bf7cd83fdad58591c797f81121a23cfdd5e0897795238"))  // Spark
        XCTAssertEqual(try eval("sha2", s("Spark"), i(100)), .null)  // Spark
        // A message longer than one block.
        let long = String(repeating: "abcdefghij", count: 20)
        XCTAssertEqual(try eval("md5", s(long)).stringValue?.count, 32)
        XCTAssertEqual(try eval("crc32", s("Spark")), .long(1557323817))
    }
}

extension StringKernelsSparkTests {
    func testMoreSparkCases() throws {
        func arr(_ xs: [String]) -> Value { .array(xs.map { .string($0) }) }
        XCTAssertEqual(
            try eval("base64", s(String(repeating: "abcdefghij", count: 10))),
            .string("YWJjZGVmZ2hpamFiY2RlZmdoaWphYmNkZWZnaGlqYWJjZGVmZ2hpamFiY2RlZmdoaWphYmNkZWZn\r\naGlqYWJjZGVmZ2hpamFiY2RlZmdoaWphYmNkZWZnaGlqYWJjZGVmZ2hpag=="))  // Spark
        XCTAssertEqual(try eval("unbase64", s("YWI")), .binary(Array("ab".utf8)))  // Spark
        let formats: [(String, Arg, String)] = [  // Spark
            ("%.2f", d(0.125), "0.13"), ("%.1f", d(0.05), "0.1"), ("%e", d(0), "0.000000e+00"), ("%s", d(1e10), "1.0E10"),
            ("%s", Arg(.float(1.5)), "1.5"), ("%.3e", d(123456), "1.235e+05"), ("%g", d(123456), "123456"), ("%g", d(0.0001), "0.000100000"), ("%g", d(1), "1.00000"), ("%.3g", d(0.00001234), "1.23e-05"),
            ("%08.2f", d(-3.14159), "-0003.14"), ("%(d", i(-5), "(5)"), ("%x", i(-1), "ffffffff"), ("%x", l(-1), "ffffffffffffffff"),
        ]
        for (f, a, want) in formats { XCTAssertEqual(try eval("format_string", s(f), a), .string(want), f) }
        XCTAssertEqual(try eval("format_number", d(-0.0), i(2)), .string("-0.00"))  // Spark
        XCTAssertEqual(try eval("format_number", d(-0.001), i(2)), .string("-0.00"))  // Spark
        XCTAssertEqual(try eval("format_number", Arg(.float(0.1)), i(3)), .string("0.100"))  // Spark
        XCTAssertEqual(try eval("format_number", d(12345.6789), s("#,##0.00")), .string("12,345.68"))  // Spark
        XCTAssertEqual(try eval("format_number", d(1234.5), s("")), .string("1,234"))  // Spark
        XCTAssertEqual(try eval("format_number", d(0.5), s("0.00")), .string("0.50"))  // Spark
        XCTAssertEqual(try eval("regexp_extract_all", s("ab"), s("(a)|(b)"), i(2)), arr(["", "b"]))  // Spark
        XCTAssertEqual(try eval("regexp_replace", s("aaaa"), s("a"), s("b"), i(3)), .string("aabb"))  // Spark
        XCTAssertEqual(try eval("split", s("abc"), s("x*")), arr(["a", "b", "c", ""]))  // Spark
        XCTAssertEqual(try eval("split", s("a,b"), s(","), i(1)), arr(["a,b"]))  // Spark
        XCTAssertEqual(try eval("rlike", s("a\nb"), s("a.b")), .boolean(false))  // Spark
        XCTAssertEqual(try eval("rlike", s("AB"), s("(?i)ab")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("regexp_like", s("abc"), s("B")), .boolean(false))  // Spark
        XCTAssertEqual(try eval("like", s("abc"), s("ABC")), .boolean(false))  // Spark
        XCTAssertEqual(try eval("ilike", s("ABC"), s("_b_")), .boolean(true))  // Spark
        XCTAssertEqual(try eval("initcap", s("a  b")), .string("A  B"))  // Spark
        XCTAssertEqual(try eval("initcap", s("ß")), .string("Ss"))  // Spark
        XCTAssertEqual(try eval("upper", s("ﬁ")), .string("FI"))  // Spark
        XCTAssertEqual(try eval("lower", s("İ")), .string("i̇"))  // Spark
        XCTAssertEqual(try eval("lower", s("ΟΔΟΣ ΣΑ")), .string("οδος σα"))  // Spark
        XCTAssertEqual(try eval("ltrim", s(" ab ")), .string("ab "))  // Spark
        XCTAssertEqual(try eval("btrim", s("  a  ")), .string("a"))  // Spark
        XCTAssertEqual(try eval("trim", s("éa"), s("aéxé")), .string("x"))  // Spark
        XCTAssertEqual(try eval("translate", s("abc"), s("aa"), s("xy")), .string("xbc"))  // Spark
        XCTAssertEqual(try eval("locate", s(""), s("abc"), i(5)), .int(1))  // Spark
        XCTAssertEqual(try eval("substring", Arg(.binary([1, 2, 3, 4, 5])), i(-2)), .binary([4, 5]))  // Spark
        XCTAssertEqual(try eval("chr", l(200)), .string("È"))  // Spark
        XCTAssertEqual(try eval("levenshtein", s("kitten"), s("sitting"), i(3)), .int(3))  // Spark
        XCTAssertEqual(try eval("soundex", s("Lloyd")), .string("L300"))  // Spark
        XCTAssertEqual(try eval("soundex", s("O'Hara")), .string("O600"))  // Spark
        XCTAssertEqual(try eval("lpad", s("abc"), i(5), s("xyz")), .string("xyabc"))  // Spark
        XCTAssertEqual(try eval("rpad", s("héllo"), i(3)), .string("hél"))  // Spark
        XCTAssertEqual(try eval("octet_length", s("héllo")), .int(6))  // Spark
        XCTAssertEqual(try eval("bit_length", s("a")), .int(8))  // Spark
        XCTAssertEqual(try eval("space", i(3)), .string("   "))  // Spark
        XCTAssertEqual(try eval("instr", s("abc"), nullString), .null)  // Spark
        XCTAssertEqual(try eval("like", s("a"), nullString), .null)  // Spark
        let intArr = DataType.array(element: .int, containsNull: false)
        XCTAssertEqual(
            try eval("concat", Arg(.array([.int(1)]), intArr), Arg(.array([.int(2), .int(3)]), intArr)), .array([.int(1), .int(2), .int(3)]))  // Spark
        XCTAssertEqual(try eval("reverse", Arg(.array([.int(1), .int(2), .int(3)]), intArr)), .array([.int(3), .int(2), .int(1)]))  // Spark
        XCTAssertEqual(
            try eval("sort_array", Arg(.array([.string("b"), .string("a"), .string("B")]), .array(element: .string, containsNull: false))),
            arr(["B", "a", "b"]))  // Spark
        let dblArr = DataType.array(element: .double, containsNull: false)
        let sorted = try eval("sort_array", Arg(.array([.double(1), .double(.nan), .double(-1)]), dblArr))
        XCTAssertEqual("\(sorted)", "\(Value.array([.double(-1), .double(1), .double(.nan)]))")  // Spark
        XCTAssertEqual(try eval("array_contains", Arg(.array([.double(.nan)]), dblArr), d(.nan)), .boolean(true))  // Spark
        XCTAssertEqual(try eval("size", Arg(.array([.null]), .array(element: .null, containsNull: true))), .int(1))  // Spark
    }
}

extension MiscKernelsSparkTests {
    func testMoreHashes() throws {
        let cases: [(String, [Arg], Value)] = [  // Spark
            ("hash", [dec("1", 18, 0)], .int(-1712319331)), ("hash", [Arg(.float(.nan))], .int(-349261430)),
            ("xxhash64", [d(.nan)], .long(-3127944061524951246)), ("hash", [i(1), nullInt, s("a")], .int(-936062819)),
            ("xxhash64", [nullString, i(1)], .long(-6698625589789238999)),
            ("hash", [Arg(.array([]), .array(element: .int, containsNull: false))], .int(42)),
        ]
        for (name, args, want) in cases {
            let cols = try args.map { try Column.from([$0.value], type: $0.type) }
            XCTAssertEqual(try runKernel(name, cols).value(at: 0), want, "\(name)(\(args.map(\.value)))")
        }
    }
}

final class MiscKernelsSparkTests: XCTestCase {
    func testHashMatchesSpark() throws {
        let days = Int32(DateTime.daysFromCivil(2024, 1, 15))
        let micros = Int64(days) * DateTime.microsPerDay + 10 * 3_600_000_000
        let cases: [([Arg], Int32)] = [  // Spark
            ([i(1)], -559580957), ([i(0)], 933211791), ([i(-1)], -1604776387), ([l(1)], -1712319331),
            ([l(-7)], 222034016), ([Arg(.byte(1))], -559580957), ([Arg(.short(1))], -559580957),
            ([s("")], 142593372), ([s("a")], 1485273170), ([s("ab")], -97053317), ([s("abc")], 1322437556),
            ([s("abcd")], -396302900), ([s("abcde")], 814637928), ([s("abcdefgh")], -804741815),
            ([s("abcdefghi")], -1830117711), ([s("héllo")], 1212979866), ([s("日本語")], -1143049834),
            ([d(1.5)], 1290763749), ([d(0.0)], -1670924195), ([d(-0.0)], -1670924195),
            ([Arg(.float(1.5))], -221251528), ([Arg(.float(-0.0))], 933211791), ([d(.nan)], -1281358385),
            ([Arg(.boolean(true))], -559580957), ([Arg(.boolean(false))], 933211791),
            ([Arg(.date(days))], 1697177293), ([Arg(.timestamp(micros))], -2079482790),
            ([nullInt], 42), ([i(1), s("a")], -936062819), ([s("a"), i(1)], 532252686), ([nullInt, i(1)], -559580957),
            ([dec("1.23", 5, 2)], -46242105), ([dec("123456789.123", 20, 3)], -940065120),
            ([dec("12345678901234567890.5", 38, 1)], 832414797), ([dec("1", 19, 0)], -386724586),
            ([Arg(.binary([1, 2, 0xff]))], 456895484),
            ([Arg(.array([.int(1), .int(2)]), .array(element: .int, containsNull: false))], -222940379),
            ([Arg(.array([.int(1), .null, .int(3)]), .array(element: .int, containsNull: true))], 1066699649),
            ([Arg(.structure([.int(1), .string("x")]), .structure([StructField("a", .int), StructField("b", .string)]))], -1305545736),
        ]
        for (args, want) in cases {
            let cols = try args.map { try Column.from([$0.value], type: $0.type) }
            XCTAssertEqual(try runKernel("hash", cols).value(at: 0), .int(want), "hash(\(args.map(\.value)))")
        }
    }

    func testXXHash64MatchesSpark() throws {
        let days = Int32(DateTime.daysFromCivil(2024, 1, 15))
        let micros = Int64(days) * DateTime.microsPerDay + 10 * 3_600_000_000
        let cases: [([Arg], Int64)] = [  // Spark
            ([i(1)], -6698625589789238999), ([i(0)], 3614696996920510707), ([l(1)], -7001672635703045582),
            ([l(-7)], -1663473129717591079), ([s("")], -7444071767201028348), ([s("a")], -8582455328737087284),
            ([s("abc")], 1423657621850124518), ([s("abcd")], -6810745876291105281),
            ([s("abcdefgh")], 2470326616177429180), ([s("abcdefghijklmnopqrstuvwxyz0123456789")], 2724237963427677065),
            ([s("héllo")], 501425390238239234), ([d(1.5)], 7738255526519901366), ([d(-0.0)], -5252525462095825812),
            ([Arg(.float(1.5))], 6163473420726370430), ([Arg(.boolean(true))], -6698625589789238999),
            ([Arg(.date(days))], 2166432641145730595), ([Arg(.timestamp(micros))], 8414929465308532436),
            ([nullInt], 42), ([i(1), s("a")], 8205864924878002737), ([dec("1.23", 5, 2)], -3178482946328430151),
            ([Arg(.binary([1, 2, 0xff]))], -7261190845588930587),
            ([dec("12345678901234567890.5", 38, 1)], 8221516556699326764),
            ([Arg(.array([.string("a"), .string("b")]), .array(element: .string, containsNull: false))], -7357372313250070212),
        ]
        for (args, want) in cases {
            let cols = try args.map { try Column.from([$0.value], type: $0.type) }
            XCTAssertEqual(try runKernel("xxhash64", cols).value(at: 0), .long(want), "xxhash64(\(args.map(\.value)))")
        }
        // Multi-row columns with NULLs hash row by row.
        let c = try Column.from([.string("a"), .null, .string("abc")], type: .string)
        let r = try runKernel("hash", [c])
        XCTAssertEqual((0..<3).map { r.value(at: $0) }, [.int(1485273170), .int(42), .int(1322437556)])
        var mapArg: [Expr] = [.literal(.map(keys: [.int(1)], values: [.string("a")]), .map(key: .int, value: .string, valueContainsNull: true))]
        XCTAssertThrowsError(try Functions.lookup("hash")!.resolve(&mapArg)) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "DATATYPE_MISMATCH.HASH_MAP_TYPE")  // Spark
        }
    }

    func testRandomAndIds() throws {
        // Same seed and positions → same numbers however the partition is cut into batches.
        let seed = try Column.from([.long(7)], type: .long)
        func rand(_ name: String, offset: Int64, count: Int) throws -> [Double] {
            let cols = [Column.constant(.long(7), type: .long, count: count)]
            let c = try runKernel(name, cols, count: count, literal: [true], ctx: EvalContext(partitionIndex: 1, rowOffset: offset))
            return c.doubles ?? []
        }
        _ = seed
        let whole = try rand("rand", offset: 0, count: 100)
        let parts = try rand("rand", offset: 0, count: 40) + rand("rand", offset: 40, count: 60)
        XCTAssertEqual(whole, parts)
        XCTAssertTrue(whole.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertGreaterThan(Set(whole).count, 95)
        let normal = try rand("randn", offset: 0, count: 2000)
        let mean = normal.reduce(0, +) / Double(normal.count)
        XCTAssertLessThan(abs(mean), 0.15)
        var noSeed: [Expr] = []
        XCTAssertEqual(try Functions.lookup("rand")!.resolve(&noSeed), .double)
        XCTAssertEqual(noSeed.count, 1)  // a seed is drawn at analysis

        let ids = try runKernel("monotonically_increasing_id", [], count: 3, ctx: EvalContext(partitionIndex: 2, rowOffset: 10))
        XCTAssertEqual(ids.int64s ?? [], [(2 << 33) + 10, (2 << 33) + 11, (2 << 33) + 12])
        let pid = try runKernel("spark_partition_id", [], count: 2, ctx: EvalContext(partitionIndex: 3))
        XCTAssertEqual(pid.int32s ?? [], [3, 3])
    }

    func testNested() throws {
        let intArr = DataType.array(element: .int, containsNull: true)
        let a = Arg(.array([.int(3), .null, .int(1), .int(2)]), intArr)
        XCTAssertEqual(try eval("size", Arg(.array([.int(1), .int(2), .int(3)]), intArr)), .int(3))  // Spark
        XCTAssertEqual(try eval("cardinality", Arg(.null, intArr)), .null)  // Spark: NULL under ANSI
        XCTAssertEqual(try eval("sort_array", a), .array([.null, .int(1), .int(2), .int(3)]))  // Spark
        XCTAssertEqual(try eval("sort_array", a, Arg(.boolean(false))), .array([.int(3), .int(2), .int(1), .null]))  // Spark
        XCTAssertEqual(try eval("array_sort", a), .array([.int(1), .int(2), .int(3), .null]))  // Spark
        XCTAssertEqual(
            try eval("array_distinct", Arg(.array([.int(1), .int(2), .int(2), .null, .null, .int(1)]), intArr)),
            .array([.int(1), .int(2), .null]))  // Spark
        XCTAssertEqual(try eval("array_contains", Arg(.array([.int(1), .int(2)]), intArr), i(2)), .boolean(true))  // Spark
        XCTAssertEqual(try eval("array_contains", Arg(.array([.int(1), .null]), intArr), i(2)), .null)  // Spark
        XCTAssertEqual(try eval("element_at", Arg(.array([.int(1), .int(2), .int(3)]), intArr), i(-1)), .int(3))  // Spark
        XCTAssertErrorClass(try eval("element_at", Arg(.array([.int(1), .int(2), .int(3)]), intArr), i(4)), "INVALID_ARRAY_INDEX_IN_ELEMENT_AT")  // Spark
        XCTAssertErrorClass(try eval("element_at", Arg(.array([.int(1)]), intArr), i(0)), "INVALID_INDEX_OF_ZERO")  // Spark
        let strArr = DataType.array(element: .string, containsNull: true)
        XCTAssertEqual(try eval("array_join", Arg(.array([.string("a"), .null, .string("b")]), strArr), s(",")), .string("a,b"))  // Spark
        XCTAssertEqual(
            try eval("array_join", Arg(.array([.string("a"), .null, .string("b")]), strArr), s(","), s("N")), .string("a,N,b"))  // Spark

        let arr = try runKernel("array", [try Column.from([.int(1), .int(2)], type: .int), try Column.from([.int(10), .null], type: .int)])
        XCTAssertEqual(arr.value(at: 1), .array([.int(2), .null]))
        let m = try eval("map", i(1), s("a"), i(2), s("b"))
        XCTAssertEqual(m, .map(keys: [.int(1), .int(2)], values: [.string("a"), .string("b")]))
        XCTAssertErrorClass(try eval("map", i(1), s("a"), i(1), s("b")), "DUPLICATED_MAP_KEY")  // Spark
        let mt = DataType.map(key: .int, value: .string, valueContainsNull: true)
        let mv = Arg(.map(keys: [.int(1), .int(2)], values: [.string("a"), .string("b")]), mt)
        XCTAssertEqual(try eval("map_keys", mv), .array([.int(1), .int(2)]))  // Spark
        XCTAssertEqual(try eval("map_values", mv), .array([.string("a"), .string("b")]))  // Spark
        XCTAssertEqual(try eval("element_at", mv, i(2)), .string("b"))
        XCTAssertEqual(try eval("element_at", mv, i(3)), .null)  // Spark
        XCTAssertEqual(try eval("named_struct", s("x"), i(1), s("y"), s("b")), .structure([.int(1), .string("b")]))  // Spark
        var args: [Expr] = [.literal(.string("a"), .string), .literal(.int(1), .int), .literal(.string("b"), .string), .literal(.string("x"), .string)]
        XCTAssertEqual(try Functions.lookup("named_struct")!.resolve(&args).simpleString, "struct<a:int,b:string>")  // Spark
        XCTAssertEqual(try eval("typeof", dec("1.5", 2, 1)), .string("decimal(2,1)"))  // Spark
        XCTAssertEqual(try eval("typeof", Arg(.null, .null)), .string("void"))  // Spark
        XCTAssertEqual(try eval("isnan", d(.nan)), .boolean(true))  // Spark
        XCTAssertEqual(try eval("isnan", Arg(.null, .double)), .boolean(false))  // Spark
        XCTAssertEqual(try eval("nanvl", d(.nan), d(2)), .double(2))  // Spark
        XCTAssertEqual(try eval("nanvl", d(1), d(2)), .double(1))  // Spark
        XCTAssertErrorClass(try eval("assert_true", Arg(.boolean(false))), "USER_RAISED_EXCEPTION")  // Spark
    }
}
