/// Number-to-text rules that match the JVM, so that `CAST(x AS STRING)`, `show()` and
/// CSV output print what Spark prints.
public enum NumberFormat {
    /// Java's `Double.toString`: plain decimal with at least one fraction digit for
    /// 1e-3 <= |x| < 1e7, otherwise `d.dddE±n`.
    public static func javaDouble(_ x: Double) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendJavaDouble(x, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func javaFloat(_ x: Float) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        appendJavaFloat(x, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends Java's text for `x` to a byte buffer (CSV and JSON writers use this
    /// directly, without a String per value).
    public static func appendJavaDouble(_ x: Double, to out: inout [UInt8]) {
        if x.isNaN { out.append(contentsOf: "NaN".utf8); return }
        if x.isInfinite { out.append(contentsOf: (x < 0 ? "-Infinity" : "Infinity").utf8); return }
        if x == 0 { out.append(contentsOf: (x.sign == .minus ? "-0.0" : "0.0").utf8); return }
        // Small integers (common in data) need no digit generation.
        if x.magnitude < 1e7, x == x.rounded(), let i = Int64(exactly: x) {
            appendInt(i, to: &out)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0"))
            return
        }
        var s = x.description
        s.withUTF8 { layout($0, magnitude: x.magnitude, into: &out) }
    }

    public static func appendJavaFloat(_ x: Float, to out: inout [UInt8]) {
        if x.isNaN { out.append(contentsOf: "NaN".utf8); return }
        if x.isInfinite { out.append(contentsOf: (x < 0 ? "-Infinity" : "Infinity").utf8); return }
        if x == 0 { out.append(contentsOf: (x.sign == .minus ? "-0.0" : "0.0").utf8); return }
        var s = x.description
        s.withUTF8 { layout($0, magnitude: Double(x.magnitude), into: &out) }
    }

    /// Appends the decimal digits of `v`.
    public static func appendInteger(_ v: Int64, to out: inout [UInt8]) { appendInt(v, to: &out) }

    static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var buf: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &buf) { b in
            repeat {
                b[19 - n] = UInt8(48 + m % 10)
                m /= 10
                n += 1
            } while m > 0
            out.append(contentsOf: b[(20 - n)...])
        }
    }

    /// Rebuilds Swift's shortest round-trip digits (`1234.5`, `1.5e-05`) in Java's layout.
    static func layout(_ u: UnsafeBufferPointer<UInt8>, magnitude: Double, into out: inout [UInt8]) {
        var i = 0
        if i < u.count && u[i] == UInt8(ascii: "-") { out.append(UInt8(ascii: "-")); i += 1 }
        // Digits (without the point) and where the point sits.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // scratch: up to 24 digits
        var nd = 0
        var pointPos = -1
        var exp = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while i < u.count {
                let c = u[i]
                if c == UInt8(ascii: ".") {
                    pointPos = nd
                } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    i += 1
                    var neg = false
                    if i < u.count && (u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+")) { neg = u[i] == UInt8(ascii: "-"); i += 1 }
                    while i < u.count { exp = exp * 10 + Int(u[i] &- 48); i += 1 }
                    if neg { exp = -exp }
                    break
                } else if nd < 24 {
                    d[nd] = c
                    nd += 1
                }
                i += 1
            }
            if pointPos < 0 { pointPos = nd }
            pointPos += exp
            // Strip leading and trailing zeros.
            var start = 0
            while start < nd - 1 && d[start] == UInt8(ascii: "0") { start += 1; pointPos -= 1 }
            var end = nd
            while end - start > 1 && d[end - 1] == UInt8(ascii: "0") { end -= 1 }
            let count = end - start
            if magnitude >= 1e-3 && magnitude < 1e7 {
                if pointPos <= 0 {
                    out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "."))
                    for _ in 0..<(-pointPos) { out.append(UInt8(ascii: "0")) }
                    for k in start..<end { out.append(d[k]) }
                } else if pointPos >= count {
                    for k in start..<end { out.append(d[k]) }
                    for _ in 0..<(pointPos - count) { out.append(UInt8(ascii: "0")) }
                    out.append(UInt8(ascii: ".")); out.append(UInt8(ascii: "0"))
                } else {
                    for k in start..<(start + pointPos) { out.append(d[k]) }
                    out.append(UInt8(ascii: "."))
                    for k in (start + pointPos)..<end { out.append(d[k]) }
                }
            } else {
                out.append(d[start])
                out.append(UInt8(ascii: "."))
                if count == 1 { out.append(UInt8(ascii: "0")) } else { for k in (start + 1)..<end { out.append(d[k]) } }
                out.append(UInt8(ascii: "E"))
                appendInt(Int64(pointPos - 1), to: &out)
            }
        }
    }
}
