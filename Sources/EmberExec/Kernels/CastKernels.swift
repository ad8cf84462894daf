import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Spark's CAST between atomic types (and arrays, maps, structs elementwise). The evaluator
/// calls `cast` for every `.cast` expression; each (from, to) pair runs one typed loop.
///
/// Modes: `.ansi` throws Spark's error on the first bad row (CAST_INVALID_INPUT,
/// CAST_OVERFLOW, NUMERIC_VALUE_OUT_OF_RANGE), `.try` turns the row NULL, `.legacy` turns
/// bad strings NULL and wraps/truncates numbers as the JVM does.
public enum CastKernels {
    static let all: [(String, ScalarKernel)] = []

    public static func cast(_ col: Column, to: DataType, mode: CastMode, ctx: EvalContext) throws -> Column {
        let from = col.type
        if from == to { return col }
        if case .none = col.storage { return Column.nulls(to, count: col.count) }
        switch to {
        case .null: return Column.nulls(.null, count: col.count)
        case .boolean: return try toBoolean(col, mode)
        case .byte: return try toIntegral(col, to, Int8.self, mode) { .i8($0) }
        case .short: return try toIntegral(col, to, Int16.self, mode) { .i16($0) }
        case .int: return try toIntegral(col, to, Int32.self, mode) { .i32($0) }
        case .long: return try toIntegral(col, to, Int64.self, mode) { .i64($0) }
        case .float: return try toFloat(col, mode)
        case .double: return try toDouble(col, mode)
        case .decimal(let p, let s): return try toDecimal(col, p, s, mode)
        case .string: return try toText(col, ctx)
        case .binary:
            guard case .bytes = col.storage, from == .string else { throw unsupported(from, to) }
            return Column(type: .binary, count: col.count, validity: col.validity, storage: col.storage)
        case .date: return try toDate(col, mode, ctx)
        case .timestamp: return try toTimestamp(col, mode, ctx)
        case .array(let e, _):
            guard case .list(let o, let v) = col.storage else { throw unsupported(from, to) }
            let inner = try cast(v, to: e, mode: mode, ctx: ctx)
            return Column(type: to, count: col.count, validity: col.validity, storage: .list(offsets: o, values: inner))
        case .map(let kt, let vt, _):
            guard case .map(let o, let k, let v) = col.storage else { throw unsupported(from, to) }
            return Column(
                type: to, count: col.count, validity: col.validity,
                storage: .map(offsets: o, keys: try cast(k, to: kt, mode: mode, ctx: ctx), values: try cast(v, to: vt, mode: mode, ctx: ctx)))
        case .structure(let fs):
            guard case .structure(let cs) = col.storage, cs.count == fs.count else { throw unsupported(from, to) }
            let out = try zip(cs, fs).map { try cast($0, to: $1.dataType, mode: mode, ctx: ctx) }
            return Column(type: to, count: col.count, validity: col.validity, storage: .structure(out))
        }
    }

    static func unsupported(_ from: DataType, _ to: DataType) -> EmberError {
        EmberError.datatypeMismatch(
            "CAST_WITHOUT_SUGGESTION", "Cannot resolve cast due to data type mismatch: cannot cast \"\(from.sql)\" to \"\(to.sql)\".")
    }

    // MARK: Failure handling

    /// Turns per-row failures into Spark's error (ANSI) or a NULL row (TRY, legacy). Failures on
    /// rows that were NULL on input are ignored, so loops need not test validity first.
    struct Failures {
        let mode: CastMode
        let count: Int
        var validity: Bitmap?

        init(_ col: Column, _ mode: CastMode) {
            self.mode = mode
            count = col.count
            validity = col.validity
        }

        mutating func fail(_ i: Int, _ error: () -> EmberError) throws {
            if let v = validity, !v[i] { return }
            if mode == .ansi { throw error() }
            if validity == nil { validity = Bitmap(count: count, value: true) }
            validity?[i] = false
        }
    }

    /// One loop over a fixed-width source: `f` returns nil for a failed row.
    @inline(__always)
    static func mapFixed<S, T>(
        _ src: [S], _ col: Column, _ mode: CastMode, _ zero: T, _ f: (S) -> T?, _ err: (S) -> EmberError
    ) throws -> ([T], Bitmap?) {
        var fails = Failures(col, mode)
        var out = [T](repeating: zero, count: col.count)
        try out.withUnsafeMutableBufferPointer { o in
            try src.withUnsafeBufferPointer { s in
                for i in 0..<min(s.count, o.count) {
                    if let r = f(s[i]) { o[i] = r } else { try fails.fail(i) { err(s[i]) } }
                }
            }
        }
        return (out, fails.validity)
    }

    /// One loop over a string column's UTF-8 rows; failures are CAST_INVALID_INPUT unless `err` says otherwise.
    @inline(__always)
    static func mapText<T>(
        _ col: Column, to: DataType, _ mode: CastMode, _ zero: T, _ f: (UnsafeBufferPointer<UInt8>) -> T?
    ) throws -> ([T], Bitmap?) {
        guard case .bytes(let offs, let data) = col.storage else { throw unsupported(col.type, to) }
        var fails = Failures(col, mode)
        var out = [T](repeating: zero, count: col.count)
        try out.withUnsafeMutableBufferPointer { o in
            try data.withUnsafeBufferPointer { d in
                try offs.withUnsafeBufferPointer { ob in
                    for i in 0..<o.count {
                        let row = UnsafeBufferPointer(rebasing: d[Int(ob[i])..<Int(ob[i + 1])])
                        if let r = f(row) {
                            o[i] = r
                        } else {
                            try fails.fail(i) { .castInvalidInput(String(decoding: row, as: UTF8.self), from: col.type, to: to) }
                        }
                    }
                }
            }
        }
        return (out, fails.validity)
    }

    // MARK: Spark's rendering of values in error messages (`toSQLValue`)

    static func sqlLiteral(_ v: Int64, _ t: DataType) -> String {
        switch t {
        case .byte: return "\(v)Y"
        case .short: return "\(v)S"
        case .long: return "\(v)L"
        default: return "\(v)"
        }
    }

    static func sqlLiteral(_ x: Double, _ t: DataType) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        return t == .float ? NumberFormat.javaFloat(Float(x)) : NumberFormat.javaDouble(x) + "D"
    }

    // MARK: → integral

    static func toIntegral<T: FixedWidthInteger & SignedInteger>(
        _ col: Column, _ to: DataType, _: T.Type, _ mode: CastMode, _ wrap: ([T]) -> Column.Storage
    ) throws -> Column {
        let from = col.type
        let legacy = mode == .legacy
        let result: ([T], Bitmap?)
        switch col.storage {
        case _ where from.isIntegral || from == .boolean:
            let src = col.asInt64s()
            if legacy {
                result = try mapFixed(src, col, mode, 0, { T(truncatingIfNeeded: $0) }, { _ in .internalError("cast") })
            } else {
                result = try mapFixed(src, col, mode, 0, { T(exactly: $0) }) { .castOverflow(sqlLiteral($0, from), from: from, to: to) }
            }
        case .i64(let a) where from == .timestamp:
            // Seconds since the epoch, rounded down (Spark's `floorDiv(micros, 1e6)`).
            result = try mapFixed(a, col, mode, 0, { T(exactly: DateTime.floorDiv($0, DateTime.microsPerSecond)) }) {
                .castOverflow("TIMESTAMP '\(DateTime.formatTimestamp($0, zone: .utc))'", from: from, to: to)
            }
        case .f32, .f64:
            let src = col.asDoubles()
            if legacy {
                result = try mapFixed(src, col, mode, 0, { legacyDoubleToInt($0) }, { _ in .internalError("cast") })
            } else {
                result = try mapFixed(src, col, mode, 0, { doubleToInt($0) }) { .castOverflow(sqlLiteral($0, from), from: from, to: to) }
            }
        case .i128(let a):
            guard case .decimal(_, let s) = from else { throw unsupported(from, to) }
            let div = Int128(pow10UInt128(s))
            result = try mapFixed(a, col, mode, 0, { u in
                let q = u / div  // truncates toward zero, as Spark
                return legacy ? T(truncatingIfNeeded: Int64(truncatingIfNeeded: q)) : T(exactly: q)
            }) { .castOverflow(Decimal128.format($0, scale: s) + "BD", from: from, to: to) }
        case .bytes where from == .string:
            // Spark: trimmed `[+-]digits` only ('1.5' and '1e3' are malformed in ANSI; legacy truncates '1.5').
            result = try mapText(col, to: to, mode, 0) { b in parseInteger(b, allowFraction: legacy).flatMap { T(exactly: $0) } }
        default:
            throw unsupported(from, to)
        }
        return Column(type: to, count: col.count, validity: result.1, storage: wrap(result.0))
    }

    /// ANSI double → integral: NaN, ±Infinity and values outside the range fail; the rest
    /// truncate toward zero (Spark checks `floor(x) <= MAX`, so 2^63 itself saturates to Long.MAX).
    @inline(__always)
    static func doubleToInt<T: FixedWidthInteger>(_ x: Double) -> T? {
        let t = x.rounded(.towardZero)
        if let v = T(exactly: t) { return v }
        return T.bitWidth == 64 && t == 0x1p63 ? T.max : nil
    }

    /// Java's `(long) x` / `(int) x` (saturating, NaN → 0), then narrowing by wrap-around.
    @inline(__always)
    static func legacyDoubleToInt<T: FixedWidthInteger>(_ x: Double) -> T? {
        if x.isNaN { return 0 }
        if T.bitWidth == 64 {
            if x >= 0x1p63 { return T.max }
            if x <= -0x1p63 { return T.min }
            return T(truncatingIfNeeded: Int64(x))
        }
        let i: Int32 = x >= 0x1p31 ? .max : (x <= -0x1p31 ? .min : Int32(x))
        return T(truncatingIfNeeded: i)
    }

    /// Bytes that Spark's `trimAll` drops: ASCII whitespace and control characters.
    @inline(__always)
    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var i = 0, e = b.count
        while i < e, b[i] <= 32 { i += 1 }
        while e > i, b[e - 1] <= 32 { e -= 1 }
        return i..<e
    }

    /// `[+-]digits`, optionally `.digits` (truncated) when `allowFraction`; nil on overflow.
    static func parseInteger(_ b: UnsafeBufferPointer<UInt8>, allowFraction: Bool) -> Int64? {
        let r = trimmed(b)
        var i = r.lowerBound
        let e = r.upperBound
        guard i < e else { return nil }
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        guard i < e else { return nil }
        // Accumulate negatively so that Int64.min parses.
        var v: Int64 = 0
        var digits = 0
        while i < e {
            let d = b[i] &- 48
            if d >= 10 { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = s
            digits += 1
            i += 1
        }
        if i < e {
            guard allowFraction, b[i] == UInt8(ascii: "."), digits > 0 else { return nil }
            i += 1
            while i < e { if b[i] &- 48 >= 10 { return nil }; i += 1 }
        }
        guard digits > 0 else { return nil }
        if neg { return v }
        return v == .min ? nil : -v
    }

    // MARK: → floating point

    static func toDouble(_ col: Column, _ mode: CastMode) throws -> Column {
        let from = col.type
        switch col.storage {
        case .f32(let a): return .doubles(a.map(Double.init), validity: col.validity)
        case _ where from.isIntegral || from == .boolean:
            return .doubles(col.asDoubles(), validity: col.validity)
        case .i64(let a) where from == .timestamp:
            return .doubles(a.map { Double($0) / 1e6 }, validity: col.validity)
        case .i128(let a):
            guard case .decimal(_, let s) = from else { throw unsupported(from, .double) }
            return .doubles(a.map { decimalToDouble($0, s) }, validity: col.validity)
        case .bytes where from == .string:
            let (v, valid) = try mapText(col, to: .double, mode, 0.0) { parseDouble($0) }
            return .doubles(v, validity: valid)
        default:
            throw unsupported(from, .double)
        }
    }

    static func toFloat(_ col: Column, _ mode: CastMode) throws -> Column {
        let from = col.type
        let out: [Float]
        var valid = col.validity
        switch col.storage {
        case .f64(let a): out = a.map { Float($0) }
        case _ where from.isIntegral || from == .boolean: out = col.asInt64s().map { Float($0) }
        case .i64(let a) where from == .timestamp: out = a.map { Float(Double($0) / 1e6) }
        case .i128(let a):
            guard case .decimal(_, let s) = from else { throw unsupported(from, .float) }
            out = a.map { decimalToFloat($0, s) }
        case .bytes where from == .string:
            (out, valid) = try mapText(col, to: .float, mode, Float(0)) { parseFloat($0) }
        default:
            throw unsupported(from, .float)
        }
        return Column(type: .float, count: col.count, validity: valid, storage: .f32(out))
    }

    /// Correctly rounded decimal → double (Spark goes through BigDecimal.doubleValue): exact
    /// when both the unscaled value and the power of ten are exact doubles, else via text.
    @inline(__always)
    static func decimalToDouble(_ u: Int128, _ s: Int) -> Double {
        if u.magnitude < (1 << 53) && s <= 22 { return Double(u) / pow10Exact[s] }
        return Double(Decimal128.format(u, scale: s)) ?? Double(u) / pow10Double(s)
    }

    @inline(__always)
    static func decimalToFloat(_ u: Int128, _ s: Int) -> Float {
        if u.magnitude < (1 << 24) && s <= 10 { return Float(u) / Float(pow10Exact[s]) }
        return Float(Decimal128.format(u, scale: s)) ?? Float(decimalToDouble(u, s))
    }

    static let pow10Exact: [Double] = (0...22).map { pow10Double($0) }

    /// Java's `Double.parseDouble` after Spark's special literals: trimmed, `inf`/`infinity`/`nan`
    /// in any case, an optional trailing `d`/`f`. Fast path: ≤ 15 digits and a small exponent
    /// divide exactly (Clinger), anything else goes through the C library.
    static func parseDouble(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let r = trimmed(b)
        guard !r.isEmpty else { return nil }
        if let x = fastDecimal(b, r) { return x }
        return slowFloatingText(b, r).flatMap { Double($0) }
    }

    static func parseFloat(_ b: UnsafeBufferPointer<UInt8>) -> Float? {
        let r = trimmed(b)
        guard !r.isEmpty else { return nil }
        return slowFloatingText(b, r).flatMap { Float($0) }
    }

    /// `[+-]digits[.digits]` with at most 15 significant digits, else nil.
    @inline(__always)
    static func fastDecimal(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        var i = r.lowerBound
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        var m: Int64 = 0, digits = 0, frac = 0, seenDot = false
        while i < r.upperBound {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
            } else {
                let d = c &- 48
                guard d < 10 else { return nil }
                m = m &* 10 &+ Int64(d)
                digits += 1
                if seenDot { frac += 1 }
                if digits > 15 { return nil }
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        let x = Double(m) / pow10Exact[frac]
        return neg ? -x : x
    }

    /// Validates and normalizes floating-point text for the C library; nil when malformed.
    static func slowFloatingText(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String? {
        var s = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
        switch s.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return "inf"
        case "-inf", "-infinity": return "-inf"
        case "nan": return "nan"
        default: break
        }
        if let l = s.last, "dDfF".contains(l) { s.removeLast() }
        var digit = false
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = true
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): break
            default: return nil
            }
        }
        return digit ? s : nil
    }

    // MARK: → decimal

    static func toDecimal(_ col: Column, _ p: Int, _ s: Int, _ mode: CastMode) throws -> Column {
        let from = col.type
        let to = DataType.decimal(precision: p, scale: s)
        let limit = pow10UInt128(p)
        func range(_ text: String) -> EmberError { outOfRange(text, p, s) }
        let result: ([Int128], Bitmap?)
        switch col.storage {
        case _ where from.isIntegral || from == .boolean:
            return try integralToDecimal(col, p, s, mode)
        case .i64(let a) where from == .timestamp:
            result = try mapFixed(a, col, mode, 0, { t in
                Decimal128.rescale(Int128(t), from: 6, to: s).flatMap { $0.magnitude < limit ? $0 : nil }
            }) { range(Decimal128.format(Int128($0), scale: 6)) }
        case .f32, .f64:
            // Spark: NaN and ±Infinity become NULL even under ANSI; otherwise the double's shortest
            // decimal text (Java's Double.toString) is rounded HALF_UP to the target scale.
            var fails = Failures(col, mode)
            let src = col.asDoubles()
            var out = [Int128](repeating: 0, count: col.count)
            for i in 0..<min(src.count, out.count) {
                let x = src[i]
                if !x.isFinite {
                    if fails.validity == nil { fails.validity = Bitmap(count: col.count, value: true) }
                    fails.validity?[i] = false
                    continue
                }
                if let v = doubleToDecimal(x, p, s) { out[i] = v } else { try fails.fail(i) { range(plainDouble(x)) } }
            }
            result = (out, fails.validity)
        case .i128(let a):
            guard case .decimal(_, let s0) = from else { throw unsupported(from, to) }
            result = try mapFixed(a, col, mode, 0, { u in
                Decimal128.rescale(u, from: s0, to: s).flatMap { $0.magnitude < limit ? $0 : nil }
            }) { range(Decimal128.format($0, scale: s0)) }
        case .bytes where from == .string:
            guard case .bytes(let offs, let data) = col.storage else { throw unsupported(from, to) }
            var fails = Failures(col, mode)
            var out = [Int128](repeating: 0, count: col.count)
            try data.withUnsafeBufferPointer { d in
                for i in 0..<col.count {
                    let row = UnsafeBufferPointer(rebasing: d[Int(offs[i])..<Int(offs[i + 1])])
                    switch parseDecimal(row, precision: p, scale: s) {
                    case .value(let v): out[i] = v
                    case .malformed:
                        try fails.fail(i) { .castInvalidInput(String(decoding: row, as: UTF8.self), from: from, to: to) }
                    case .overflow:
                        try fails.fail(i) {
                            range(String(decoding: UnsafeBufferPointer(rebasing: row[trimmed(row)]), as: UTF8.self))
                        }
                    }
                }
            }
            result = (out, fails.validity)
        default:
            throw unsupported(from, to)
        }
        return Column(type: to, count: col.count, validity: result.1, storage: .i128(result.0))
    }

    static func integralToDecimal(_ col: Column, _ p: Int, _ s: Int, _ mode: CastMode) throws -> Column {
        let limit = pow10UInt128(p)
        let scaleUp = Int128(pow10UInt128(s))
        let (out, valid) = try mapFixed(col.asInt64s(), col, mode, Int128(0), { v -> Int128? in
            let (u, o) = Int128(v).multipliedReportingOverflow(by: scaleUp)
            return !o && u.magnitude < limit ? u : nil
        }) { outOfRange(String($0), p, s) }
        return Column(type: .decimal(precision: p, scale: s), count: col.count, validity: valid, storage: .i128(out))
    }

    /// Spark's NUMERIC_VALUE_OUT_OF_RANGE (decimal precision overflow under ANSI).
    public static func outOfRange(_ value: String, _ p: Int, _ s: Int) -> EmberError {
        EmberError(
            errorClass: "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", sqlState: "22003",
            message: " \(value) cannot be represented as Decimal(\(p), \(s)). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error, and return NULL instead.")
    }

    /// A finite double as Spark's `Decimal(double)`: its shortest text, rounded HALF_UP to `s`.
    @inline(__always)
    static func doubleToDecimal(_ x: Double, _ p: Int, _ s: Int) -> Int128? {
        if x == x.rounded(), abs(x) < 0x1p53 {
            let (u, o) = Int128(Int64(x)).multipliedReportingOverflow(by: Int128(pow10UInt128(s)))
            return !o && u.magnitude < pow10UInt128(p) ? u : nil
        }
        var text = x.description
        return text.withUTF8 { b -> Int128? in
            if case .value(let v) = parseDecimal(b, precision: p, scale: s) { return v }
            return nil
        }
    }

    /// A double as BigDecimal.toPlainString prints it (for error messages).
    static func plainDouble(_ x: Double) -> String {
        var text = x.description
        return text.withUTF8 { b -> String in
            if case .value(let v) = parseDecimal(b, precision: 38, scale: 0) { return String(v) }
            return NumberFormat.javaDouble(x)
        }
    }

    enum DecimalParse { case value(Int128), malformed, overflow }

    /// Parses `[+-]digits[.digits][e[+-]digits]` straight to `scale` fraction digits, rounding
    /// HALF_UP (as `new BigDecimal(text).setScale(scale, HALF_UP)`), so inputs with more than 38
    /// digits still round correctly.
    static func parseDecimal(_ b: UnsafeBufferPointer<UInt8>, precision: Int, scale: Int, halfEven: Bool = false) -> DecimalParse {
        let r = trimmed(b)
        var i = r.lowerBound
        let e = r.upperBound
        guard i < e else { return .malformed }
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        let mantStart = i
        var intDigits = 0, digits = 0, seenDot = false
        while i < e {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                if seenDot { return .malformed }
                seenDot = true
            } else if c &- 48 < 10 {
                digits += 1
                if !seenDot { intDigits += 1 }
            } else { break }
            i += 1
        }
        let mantEnd = i
        guard digits > 0 else { return .malformed }
        var exp = 0
        if i < e {
            guard b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") else { return .malformed }
            i += 1
            var eneg = false
            if i < e, b[i] == UInt8(ascii: "-") { eneg = true; i += 1 } else if i < e, b[i] == UInt8(ascii: "+") { i += 1 }
            guard i < e else { return .malformed }
            while i < e {
                let d = b[i] &- 48
                guard d < 10 else { return .malformed }
                if exp < 100_000 { exp = exp * 10 + Int(d) }
                i += 1
            }
            if eneg { exp = -exp }
        }
        // Digit k (0-based over the mantissa) has weight 10^(intDigits + exp - 1 - k); keep the
        // first `keep` digits and round on the next one.
        let keep = intDigits + exp + scale
        let limit = pow10UInt128(precision)
        var v: UInt128 = 0
        var k = 0
        var roundUp = false
        var j = mantStart
        while j < mantEnd {
            let c = b[j]
            j += 1
            if c == UInt8(ascii: ".") { continue }
            if k < keep {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt128(c - 48))
                if o1 || o2 || a >= limit { return .overflow }
                v = a
            } else {
                if k == keep {
                    if !halfEven || c != UInt8(ascii: "5") {
                        roundUp = c >= UInt8(ascii: "5")
                    } else {
                        // A tie unless a later digit is nonzero; ties go to the even neighbour.
                        var sticky = false
                        while j < mantEnd, !sticky { sticky = b[j] != UInt8(ascii: "0") && b[j] != UInt8(ascii: "."); j += 1 }
                        roundUp = sticky || v & 1 == 1
                    }
                }
                break
            }
            k += 1
        }
        // Fewer mantissa digits than `keep`: pad with zeros (bounded: a nonzero value overflows fast).
        while k < keep {
            if v != 0 {
                let (m, o) = v.multipliedReportingOverflow(by: 10)
                if o || m >= limit { return .overflow }
                v = m
            } else if keep - k > 80 { break }
            k += 1
        }
        if roundUp {
            v += 1
            if v >= limit { return .overflow }
        }
        let sv = Int128(v)
        return .value(neg ? -sv : sv)
    }

    // MARK: → boolean

    static func toBoolean(_ col: Column, _ mode: CastMode) throws -> Column {
        let from = col.type
        switch col.storage {
        case _ where from.isIntegral:
            return .booleans(col.asInt64s().map { $0 != 0 }, validity: col.validity)
        case .f32, .f64:
            return .booleans(col.asDoubles().map { $0 != 0 }, validity: col.validity)
        case .i128(let a):
            return .booleans(a.map { $0 != 0 }, validity: col.validity)
        case .bytes where from == .string:
            let (v, valid) = try mapText(col, to: .boolean, mode, false) { parseBoolean($0) }
            return .booleans(v, validity: valid)
        default:
            throw unsupported(from, .boolean)
        }
    }

    /// Spark's accepted spellings, trimmed and case-insensitive: t/true/y/yes/1 and f/false/n/no/0.
    static func parseBoolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        let r = trimmed(b)
        guard r.count <= 5 else { return nil }
        var w: UInt64 = 0
        for i in r { w = w << 8 | UInt64(b[i] | (b[i] &- 65 < 26 ? 0x20 : 0)) }
        switch w {
        case 0x74, 0x74727565, 0x79, 0x796573, 0x31: return true  // t true y yes 1
        case 0x66, 0x66616c7365, 0x6e, 0x6e6f, 0x30: return false  // f false n no 0
        default: return nil
        }
    }

    // MARK: → date / timestamp

    static func toDate(_ col: Column, _ mode: CastMode, _ ctx: EvalContext) throws -> Column {
        let from = col.type
        switch col.storage {
        case .i64(let a) where from == .timestamp:
            let zone = ctx.zone
            let out = a.map { Int32(truncatingIfNeeded: DateTime.floorDiv(zone.localMicros(fromUTC: $0), DateTime.microsPerDay)) }
            return .int32s(out, validity: col.validity, type: .date)
        case .bytes where from == .string:
            let (v, valid) = try mapText(col, to: .date, mode, Int32(0)) { DateTime.parseDate(Substring(decoding: $0, as: UTF8.self)) }
            return .int32s(v, validity: valid, type: .date)
        default:
            throw unsupported(from, .date)
        }
    }

    static func toTimestamp(_ col: Column, _ mode: CastMode, _ ctx: EvalContext) throws -> Column {
        let from = col.type
        let zone = ctx.zone
        let result: ([Int64], Bitmap?)
        switch col.storage {
        case .i32(let a) where from == .date:
            return .int64s(a.map { zone.utcMicros(fromLocal: Int64($0) * DateTime.microsPerDay) }, validity: col.validity, type: .timestamp)
        case .bytes where from == .string:
            result = try mapText(col, to: .timestamp, mode, Int64(0)) {
                DateTime.parseTimestamp(Substring(decoding: $0, as: UTF8.self), zone: zone)
            }
        case _ where from.isIntegral || from == .boolean:
            // Seconds since the epoch; Spark saturates (`SECONDS.toMicros`).
            let out = col.asInt64s().map { v -> Int64 in
                let (m, o) = v.multipliedReportingOverflow(by: DateTime.microsPerSecond)
                return o ? (v < 0 ? .min : .max) : m
            }
            return .int64s(out, validity: col.validity, type: .timestamp)
        case .f32, .f64:
            result = try mapFixed(col.asDoubles(), col, mode, Int64(0), { x -> Int64? in
                let m = (x * 1e6).rounded(.towardZero)
                return m.isFinite ? (m >= 0x1p63 ? .max : (m <= -0x1p63 ? .min : Int64(m))) : nil
            }) { .castOverflow(sqlLiteral($0, from), from: from, to: .timestamp) }
        case .i128(let a):
            guard case .decimal(_, let s) = from else { throw unsupported(from, .timestamp) }
            result = try mapFixed(a, col, mode, Int64(0), { u in
                // micros = trunc(d * 10^6)
                let v: Int128? = s >= 6 ? u / Int128(pow10UInt128(s - 6)) : u.multipliedReportingOverflow(by: Int128(pow10UInt128(6 - s))).partialValue
                return v.flatMap { Int64(exactly: $0) }
            }) { .castOverflow(Decimal128.format($0, scale: s) + "BD", from: from, to: .timestamp) }
        default:
            throw unsupported(from, .timestamp)
        }
        return .int64s(result.0, validity: result.1, type: .timestamp)
    }

    // MARK: → string

    /// Appends rows of text into Arrow string buffers.
    struct TextOut {
        var offsets: [Int32]
        var data: [UInt8] = []

        init(count: Int, bytesPerRow: Int) {
            offsets = [0]
            offsets.reserveCapacity(count + 1)
            data.reserveCapacity(count * bytesPerRow)
        }

        @inline(__always) mutating func endRow() { offsets.append(Int32(truncatingIfNeeded: data.count)) }

        mutating func append(_ s: String) {
            data.append(contentsOf: s.utf8)
            endRow()
        }

        func column(_ count: Int, _ validity: Bitmap?) -> Column {
            Column(type: .string, count: count, validity: validity, storage: .bytes(offsets: offsets, data: data))
        }
    }

    /// Appends the decimal digits of `v` (no String allocation).
    @inline(__always)
    static func appendInt(_ v: Int64, _ out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(48 + m % 10))
            m /= 10
        } while m > 0
        out[start...].reverse()
    }

    @inline(__always)
    static func appendPadded(_ v: Int, _ width: Int, _ out: inout [UInt8]) {
        var d = 1
        for _ in 1..<width { d *= 10 }
        var x = v
        while d > 0 { out.append(UInt8(48 + x / d % 10)); x %= d; d /= 10 }
    }

    /// `yyyy-MM-dd` for years 0…9999 without allocation; other years as DateTime.formatDate.
    @inline(__always)
    static func appendDate(_ days: Int, _ out: inout [UInt8]) {
        let (y, m, d) = DateTime.civilFromDays(days)
        guard (0...9999).contains(y) else { out.append(contentsOf: DateTime.formatDate(Int32(truncatingIfNeeded: days)).utf8); return }
        appendPadded(y, 4, &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(m, 2, &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(d, 2, &out)
    }

    /// Spark's timestamp text: `yyyy-MM-dd HH:mm:ss[.fraction without trailing zeros]`.
    @inline(__always)
    static func appendTimestamp(_ local: Int64, _ out: inout [UInt8]) {
        let days = DateTime.floorDiv(local, DateTime.microsPerDay)
        let rem = local - days * DateTime.microsPerDay
        appendDate(Int(days), &out)
        out.append(UInt8(ascii: " "))
        let secs = Int(rem / DateTime.microsPerSecond)
        appendPadded(secs / 3600, 2, &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(secs / 60 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(secs % 60, 2, &out)
        var frac = Int(rem % DateTime.microsPerSecond)
        if frac != 0 {
            var width = 6
            while frac % 10 == 0 { frac /= 10; width -= 1 }
            out.append(UInt8(ascii: "."))
            appendPadded(frac, width, &out)
        }
    }

    static func toText(_ col: Column, _ ctx: EvalContext) throws -> Column {
        let n = col.count
        let from = col.type
        switch col.storage {
        case .bytes:  // binary: the bytes as they are (Spark does not validate UTF-8)
            return Column(type: .string, count: n, validity: col.validity, storage: col.storage)
        case .bool(let a):
            var t = TextOut(count: n, bytesPerRow: 5)
            for x in a { t.data.append(contentsOf: x ? "true".utf8 : "false".utf8); t.endRow() }
            return t.column(n, col.validity)
        case _ where from.isIntegral:
            var t = TextOut(count: n, bytesPerRow: 8)
            for v in col.asInt64s() { appendInt(v, &t.data); t.endRow() }
            return t.column(n, col.validity)
        case .i32(let a):
            var t = TextOut(count: n, bytesPerRow: 10)
            for v in a { appendDate(Int(v), &t.data); t.endRow() }
            return t.column(n, col.validity)
        case .i64(let a):
            var t = TextOut(count: n, bytesPerRow: 26)
            let zone = ctx.zone
            for v in a { appendTimestamp(zone.localMicros(fromUTC: v), &t.data); t.endRow() }
            return t.column(n, col.validity)
        case .f64(let a):
            var t = TextOut(count: n, bytesPerRow: 12)
            for v in a { t.append(NumberFormat.javaDouble(v)) }
            return t.column(n, col.validity)
        case .f32(let a):
            var t = TextOut(count: n, bytesPerRow: 10)
            for v in a { t.append(NumberFormat.javaFloat(v)) }
            return t.column(n, col.validity)
        case .i128(let a):
            guard case .decimal(_, let s) = from else { throw unsupported(from, .string) }
            var t = TextOut(count: n, bytesPerRow: 12)
            for v in a { t.append(Decimal128.format(v, scale: s)) }
            return t.column(n, col.validity)
        case .none, .i8, .i16:
            return Column.nulls(.string, count: n)
        case .list, .map, .structure:
            var t = TextOut(count: n, bytesPerRow: 16)
            for i in 0..<n {
                if col.isNull(i) { t.endRow() } else { t.append(text(col.value(at: i), from, ctx.zone)) }
            }
            return t.column(n, col.validity)
        }
    }

    /// Spark's text of a nested value: `[1, null]`, `{1, x}` for structs, `{a -> 1}` for maps.
    static func text(_ v: Value, _ t: DataType, _ zone: SessionTimeZone) -> String {
        switch (v, t) {
        case (.null, _): return "null"
        case (.array(let xs), .array(let e, _)): return "[" + xs.map { text($0, e, zone) }.joined(separator: ", ") + "]"
        case (.structure(let xs), .structure(let fs)):
            return "{" + zip(xs, fs).map { text($0, $1.dataType, zone) }.joined(separator: ", ") + "}"
        case (.map(let ks, let vs), .map(let kt, let vt, _)):
            return "{" + zip(ks, vs).map { text($0, kt, zone) + " -> " + text($1, vt, zone) }.joined(separator: ", ") + "}"
        case (.boolean(let b), _): return b ? "true" : "false"
        case (.double(let x), _): return NumberFormat.javaDouble(x)
        case (.float(let x), _): return NumberFormat.javaFloat(x)
        case (.decimal(let d), _): return d.description
        case (.string(let s), _): return s
        case (.binary(let b), _): return String(decoding: b, as: UTF8.self)
        case (.date(let d), _): return DateTime.formatDate(d)
        case (.timestamp(let ts), _): return DateTime.formatTimestamp(ts, zone: zone)
        default: return v.int64Value.map(String.init) ?? "\(v)"
        }
    }
}
