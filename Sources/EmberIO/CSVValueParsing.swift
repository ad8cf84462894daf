import EmberCore

/// Byte-level parsers for CSV field text, matching the JVM functions Spark's CSV reader
/// calls (`Integer.parseInt`, `Double.parseDouble`, `new BigDecimal`, `toBoolean`) and
/// Spark's CAST rules for dates and timestamps. All take `[s, e)` of a buffer.
enum CSVParse {
    /// Java `Long.parseLong`: optional sign, ASCII digits, no blanks.
    @inline(__always)
    static func int64(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        var i = s
        guard i < e else { return nil }
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        guard i < e else { return nil }
        var v: UInt64 = 0
        if e - i <= 18 {
            // Eighteen digits cannot overflow: no checks in the common case.
            while i < e {
                let d = b[i] &- 48
                if d > 9 { return nil }
                v = v &* 10 &+ UInt64(d)
                i += 1
            }
            return neg ? -Int64(v) : Int64(v)
        }
        while i < e {
            let d = b[i] &- 48
            if d > 9 { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        if neg { return v <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- v) : nil }
        return v <= UInt64(Int64.max) ? Int64(v) : nil
    }

    static let pow10: [Double] = (0...22).map { pow10Double($0) }

    /// Java `Double.parseDouble`: blanks trimmed, `NaN`, `Infinity`, an optional `d`/`f`
    /// suffix. Plain decimals with at most 15 significant digits and a small exponent are
    /// exact with one multiply or divide; anything else goes to the correctly rounding
    /// standard-library parser.
    static func double(_ b: UnsafePointer<UInt8>, _ s0: Int, _ e0: Int) -> Double? {
        var s = s0, e = e0
        while s < e, b[s] <= 32 { s += 1 }
        while e > s, b[e - 1] <= 32 { e -= 1 }
        guard s < e else { return nil }
        var i = s
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        guard i < e else { return nil }
        if b[i] == UInt8(ascii: "N") || b[i] == UInt8(ascii: "I") {
            if equals(b, i, e, "NaN") { return .nan }
            if equals(b, i, e, "Infinity") { return neg ? -.infinity : .infinity }
            return nil
        }
        var mantissa: UInt64 = 0
        var digits = 0, fracDigits = 0, anyDigit = false
        var exact = true
        while i < e, b[i] &- 48 <= 9 {
            anyDigit = true
            if mantissa != 0 || b[i] != 48 { digits += 1 }
            if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(b[i] - 48) } else { exact = false }
            i += 1
        }
        if i < e, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < e, b[i] &- 48 <= 9 {
                anyDigit = true
                if mantissa != 0 || b[i] != 48 { digits += 1 }
                if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(b[i] - 48); fracDigits += 1 } else { exact = false }
                i += 1
            }
        }
        guard anyDigit else { return nil }
        var exp = 0
        if i < e, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var eneg = false
            if i < e, b[i] == UInt8(ascii: "-") { eneg = true; i += 1 } else if i < e, b[i] == UInt8(ascii: "+") { i += 1 }
            var any = false
            while i < e, b[i] &- 48 <= 9 {
                if exp < 100_000 { exp = exp * 10 + Int(b[i] - 48) }
                any = true; i += 1
            }
            guard any else { return nil }
            if eneg { exp = -exp }
        }
        var end = i
        if i < e {
            // Java accepts a type suffix: 1.5d, 2f.
            let c = b[i] | 0x20
            guard i + 1 == e, c == UInt8(ascii: "d") || c == UInt8(ascii: "f") else { return nil }
            end = i
        }
        let e10 = exp - fracDigits
        if exact, digits <= 15, e10 >= -22, e10 <= 22 {
            let m = Double(mantissa)
            let v = e10 >= 0 ? m * pow10[e10] : m / pow10[-e10]
            return neg ? -v : v
        }
        let text = String(decoding: UnsafeBufferPointer(start: b + s, count: end - s), as: UTF8.self)
        return Double(text)
    }

    @inline(__always)
    static func equals(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ word: StaticString) -> Bool {
        guard e - s == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<(e - s) where b[s + k] != w[k] { return false }
        return true
    }

    static func equals(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ word: [UInt8]) -> Bool {
        guard e - s == word.count else { return false }
        for k in 0..<word.count where b[s + k] != word[k] { return false }
        return true
    }

    /// Scala's `toBoolean`: `true` / `false`, any case.
    static func bool(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Bool? {
        if e - s == 4, b[s] | 0x20 == 116, b[s + 1] | 0x20 == 114, b[s + 2] | 0x20 == 117, b[s + 3] | 0x20 == 101 {
            return true
        }
        if e - s == 5, b[s] | 0x20 == 102, b[s + 1] | 0x20 == 97, b[s + 2] | 0x20 == 108, b[s + 3] | 0x20 == 115,
            b[s + 4] | 0x20 == 101
        {
            return false
        }
        return nil
    }

    /// Java `BigDecimal(String)` then Spark's `Decimal.set(precision, scale)`: HALF_UP to
    /// `scale`, nil when it needs more than `precision` digits.
    static func decimal(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, precision: Int, scale: Int) -> Int128? {
        var i = s
        guard i < e else { return nil }
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        var v: Int128 = 0
        var digits = 0, frac = 0, any = false, seenDot = false
        while i < e {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
            } else if c &- 48 <= 9 {
                any = true
                if v != 0 || c != 48 { digits += 1 }
                if digits > 37 { return slowDecimal(b, s, e, precision: precision, scale: scale) }
                v = v * 10 + Int128(c - 48)
                if seenDot { frac += 1 }
            } else {
                break
            }
            i += 1
        }
        guard any else { return nil }
        var exp = 0
        if i < e {
            guard b[i] | 0x20 == UInt8(ascii: "e"), let x = int64(b, i + 1, e), abs(x) < 1000 else { return nil }
            exp = Int(x)
        }
        guard let r = Decimal128.rescale(neg ? -v : v, from: frac - exp, to: scale) else { return nil }
        return r.magnitude < pow10UInt128(precision) ? r : nil
    }

    private static func slowDecimal(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, precision: Int, scale: Int) -> Int128? {
        let text = String(decoding: UnsafeBufferPointer(start: b + s, count: e - s), as: UTF8.self)
        return Decimal128.parse(text)?.rescaled(to: scale, precision: precision)?.unscaled
    }

    @inline(__always)
    static func twoDigits(_ b: UnsafePointer<UInt8>, _ i: Int) -> Int? {
        let a = b[i] &- 48, c = b[i + 1] &- 48
        return a <= 9 && c <= 9 ? Int(a) * 10 + Int(c) : nil
    }

    /// `yyyy-MM-dd` exactly (the common case), as days since the epoch.
    @inline(__always)
    static func isoDate(_ b: UnsafePointer<UInt8>, _ s: Int) -> Int? {
        guard b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"), let y1 = twoDigits(b, s),
            let y2 = twoDigits(b, s + 2), let m = twoDigits(b, s + 5), let d = twoDigits(b, s + 8)
        else { return nil }
        let y = y1 * 100 + y2
        guard m >= 1, m <= 12, d >= 1, d <= DateTime.daysInMonth(y, m) else { return nil }
        return DateTime.daysFromCivil(y, m, d)
    }

    /// Spark's CAST(string AS DATE) with a fast path for `yyyy-MM-dd`.
    static func date(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int32? {
        if e - s == 10, let d = isoDate(b, s) { return Int32(truncatingIfNeeded: d) }
        return DateTime.parseDate(String(decoding: UnsafeBufferPointer(start: b + s, count: e - s), as: UTF8.self))
    }

    /// Spark's CAST(string AS TIMESTAMP) in `zone`, with a fast path for
    /// `yyyy-MM-dd[( |T)HH:mm[:ss[.fraction]]]` without a zone suffix.
    static func timestamp(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, zone: SessionTimeZone) -> Int64? {
        let n = e - s
        if n >= 10, let days = isoDate(b, s) {
            if n == 10 { return zone.utcMicros(fromLocal: Int64(days) * DateTime.microsPerDay) }
            let t = b[s + 10]
            if n >= 16, t == 32 || t == UInt8(ascii: "T"), b[s + 13] == UInt8(ascii: ":"), let h = twoDigits(b, s + 11),
                let mi = twoDigits(b, s + 14), h < 24, mi < 60
            {
                var sec = 0, micros = 0
                var i = s + 16
                var ok = true
                if i < e {
                    if n >= 19, b[i] == UInt8(ascii: ":"), let ss = twoDigits(b, i + 1), ss < 60 {
                        sec = ss; i += 3
                        if i < e, b[i] == UInt8(ascii: ".") {
                            i += 1
                            var k = 0
                            while i < e, b[i] &- 48 <= 9 {
                                if k < 6 { micros = micros * 10 + Int(b[i] - 48) }
                                k += 1; i += 1
                            }
                            if k == 0 { ok = false }
                            for _ in min(k, 6)..<6 { micros *= 10 }
                        }
                    }
                    if i != e { ok = false }
                }
                if ok {
                    let local = Int64(days) * DateTime.microsPerDay + Int64(h * 3600 + mi * 60 + sec) * DateTime.microsPerSecond
                        + Int64(micros)
                    return zone.utcMicros(fromLocal: local)
                }
            }
        }
        return DateTime.parseTimestamp(
            String(decoding: UnsafeBufferPointer(start: b + s, count: n), as: UTF8.self), zone: zone)
    }
}
