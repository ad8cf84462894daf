/// Number-to-text rules that match the JVM, so that `CAST(x AS STRING)`, `show()` and
/// CSV output print what Spark prints.
public enum NumberFormat {
    /// Java's `Double.toString`: plain decimal with at least one fraction digit for
    /// 1e-3 <= |x| < 1e7, otherwise `d.dddE±n`.
    public static func javaDouble(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        return javaFormat(shortest: x.description, magnitude: abs(x))
    }

    public static func javaFloat(_ x: Float) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        return javaFormat(shortest: x.description, magnitude: Double(abs(x)))
    }

    /// Rebuilds Swift's shortest round-trip digits in Java's layout.
    static func javaFormat(shortest: String, magnitude: Double) -> String {
        // Extract sign, digits and decimal exponent from Swift's shortest representation.
        var s = Substring(shortest)
        var neg = false
        if s.first == "-" { neg = true; s = s.dropFirst() }
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(s[s.index(after: e)...]) ?? 0
            s = s[..<e]
        }
        var intPart = s, fracPart: Substring = ""
        if let dot = s.firstIndex(of: ".") {
            intPart = s[..<dot]
            fracPart = s[s.index(after: dot)...]
        }
        var digits = Array((intPart + fracPart).utf8)
        var pointPos = intPart.count + exp  // digits before the decimal point
        while digits.count > 1, digits.first == UInt8(ascii: "0") { digits.removeFirst(); pointPos -= 1 }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        let d = String(decoding: digits, as: UTF8.self)
        var out: String
        if magnitude >= 1e-3 && magnitude < 1e7 {
            if pointPos <= 0 {
                out = "0." + String(repeating: "0", count: -pointPos) + d
            } else if pointPos >= d.count {
                out = d + String(repeating: "0", count: pointPos - d.count) + ".0"
            } else {
                let i = d.index(d.startIndex, offsetBy: pointPos)
                out = String(d[..<i]) + "." + String(d[i...])
            }
        } else {
            let first = d.prefix(1)
            let rest = d.dropFirst()
            out = first + "." + (rest.isEmpty ? "0" : rest) + "E" + String(pointPos - 1)
        }
        return neg ? "-" + out : out
    }
}
