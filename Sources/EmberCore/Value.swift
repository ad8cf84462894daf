/// One scalar value of a Spark type: literals, `Row` fields, aggregation results.
/// Bulk data never travels as `Value`s; it lives in columnar batches.
public enum Value: Hashable, Sendable {
    case null
    case boolean(Bool)
    case byte(Int8)
    case short(Int16)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case decimal(Decimal128)
    case string(String)
    case binary([UInt8])
    /// Days since the epoch.
    case date(Int32)
    /// Microseconds since the epoch (UTC).
    case timestamp(Int64)
    case array([Value])
    case map(keys: [Value], values: [Value])
    case structure([Value])

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The type this value has on its own (literals use it).
    public var naturalType: DataType {
        switch self {
        case .null: return .null
        case .boolean: return .boolean
        case .byte: return .byte
        case .short: return .short
        case .int: return .int
        case .long: return .long
        case .float: return .float
        case .double: return .double
        case .decimal(let d): return .decimal(precision: max(d.precision, d.scale, 1), scale: d.scale)
        case .string: return .string
        case .binary: return .binary
        case .date: return .date
        case .timestamp: return .timestamp
        case .array(let vs):
            let e = vs.first(where: { !$0.isNull })?.naturalType ?? .null
            return .array(element: e, containsNull: vs.contains(where: \.isNull))
        case .map(let ks, let vs):
            return .map(
                key: ks.first?.naturalType ?? .null, value: vs.first(where: { !$0.isNull })?.naturalType ?? .null,
                valueContainsNull: true)
        case .structure(let vs):
            return .structure(vs.enumerated().map { StructField("col\($0.offset + 1)", $0.element.naturalType) })
        }
    }

    public var int64Value: Int64? {
        switch self {
        case .byte(let v): return Int64(v)
        case .short(let v): return Int64(v)
        case .int(let v): return Int64(v)
        case .long(let v): return v
        case .date(let v): return Int64(v)
        case .timestamp(let v): return v
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .float(let v): return Double(v)
        case .double(let v): return v
        case .decimal(let d): return d.doubleValue
        default: return int64Value.map(Double.init)
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .boolean(let b) = self { return b }
        return nil
    }
}

/// A decimal as an unscaled 128-bit integer and a scale: `12.34` is (1234, 2).
public struct Decimal128: Hashable, Sendable, CustomStringConvertible {
    public var unscaled: Int128
    public var scale: Int

    public init(unscaled: Int128, scale: Int) {
        self.unscaled = unscaled
        self.scale = scale
    }

    /// Number of decimal digits in the unscaled value.
    public var precision: Int {
        var v = unscaled.magnitude
        var n = 1
        while v >= 10 { v /= 10; n += 1 }
        return n
    }

    public var doubleValue: Double { Double(unscaled) / pow10Double(scale) }

    public var description: String { Decimal128.format(unscaled, scale: scale) }

    public static func format(_ unscaled: Int128, scale: Int) -> String {
        let neg = unscaled < 0
        var digits = String(unscaled.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return neg ? "-" + digits : digits
    }

    /// Parses `-12.340`, `1e3`, `.5`; returns the value at its natural scale.
    public static func parse(_ text: some StringProtocol) -> Decimal128? {
        var s = Substring(text).trimmingSpaces
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(s[s.index(after: e)...]) else { return nil }
            exp = x
            s = s[..<e]
        }
        var neg = false
        if s.hasPrefix("-") { neg = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        var value: Int128 = 0
        var scale = 0
        var seenDot = false, any = false
        for c in s.utf8 {
            if c == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            guard c >= 48, c <= 57 else { return nil }
            any = true
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int128(c - 48))
            if o1 || o2 { return nil }
            value = a
            if seenDot { scale += 1 }
        }
        guard any else { return nil }
        scale -= exp
        if scale < 0 {
            for _ in 0..<(-scale) {
                let (m, o) = value.multipliedReportingOverflow(by: 10)
                if o { return nil }
                value = m
            }
            scale = 0
        }
        return Decimal128(unscaled: neg ? -value : value, scale: scale)
    }

    /// Rescales with HALF_UP rounding; nil on overflow of `precision`.
    public func rescaled(to newScale: Int, precision: Int) -> Decimal128? {
        guard let v = Decimal128.rescale(unscaled, from: scale, to: newScale) else { return nil }
        if v.magnitude >= pow10UInt128(precision) { return nil }
        return Decimal128(unscaled: v, scale: newScale)
    }

    public static func rescale(_ v: Int128, from: Int, to: Int) -> Int128? {
        if to == from { return v }
        if to > from {
            let (m, o) = v.multipliedReportingOverflow(by: Int128(pow10UInt128(to - from)))
            return o ? nil : m
        }
        let div = Int128(pow10UInt128(from - to))
        let q = v / div, r = v % div
        if r.magnitude * 2 >= div.magnitude { return v < 0 ? q - 1 : q + 1 }
        return q
    }
}

public func pow10UInt128(_ n: Int) -> UInt128 {
    var r: UInt128 = 1
    for _ in 0..<max(0, min(n, 38)) { r *= 10 }
    return r
}

public func pow10Double(_ n: Int) -> Double {
    var r = 1.0
    if n >= 0 { for _ in 0..<n { r *= 10 } } else { for _ in 0..<(-n) { r /= 10 } }
    return r
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return s
    }
}
