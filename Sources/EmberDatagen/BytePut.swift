import EmberCore

/// Writers of numbers and dates straight into a byte buffer (no String per value).
enum Put {
    static let pipe = UInt8(ascii: "|")

    @inline(__always)
    static func byte(_ b: UInt8, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        p.pointee = b
        return p + 1
    }

    /// Decimal digits of a non-negative integer.
    @inline(__always)
    static func uint(_ v: UInt64, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var n = 1
        var x = v
        while x >= 10 { x /= 10; n += 1 }
        var q = v
        var i = n - 1
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: 48 + q % 10)
            q /= 10
            i -= 1
        }
        return p + n
    }

    @inline(__always)
    static func int(_ v: Int64, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        if v < 0 {
            p.pointee = UInt8(ascii: "-")
            return uint(v.magnitude, p + 1)
        }
        return uint(UInt64(v), p)
    }

    /// Exactly two digits (00–99).
    @inline(__always)
    static func two(_ v: Int, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        p[0] = UInt8(truncatingIfNeeded: 48 + v / 10)
        p[1] = UInt8(truncatingIfNeeded: 48 + v % 10)
        return p + 2
    }

    /// Exactly `width` digits, zero-padded.
    @inline(__always)
    static func padded(_ v: Int, width: Int, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var q = v
        var i = width - 1
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: 48 + q % 10)
            q /= 10
            i -= 1
        }
        return p + width
    }

    /// `MM/yyyy` of a month index.
    @inline(__always)
    static func monthYear(_ m: Int32, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let mi = Int(m)
        let q = two(mi % 12 + 1, p)
        q.pointee = UInt8(ascii: "/")
        return padded(mi / 12, width: 4, q + 1)
    }

    /// `MM/dd/yyyy` of a month index and day of month.
    @inline(__always)
    static func monthDayYear(_ m: Int32, day: Int, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let mi = Int(m)
        var q = two(mi % 12 + 1, p)
        q.pointee = UInt8(ascii: "/")
        q = two(day, q + 1)
        q.pointee = UInt8(ascii: "/")
        return padded(mi / 12, width: 4, q + 1)
    }

    /// `MM/dd/yyyy` of days since 1970-01-01.
    static func date(days: Int32, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let (y, m, d) = DateTime.civilFromDays(Int(days))
        return monthDayYear(Int32(y * 12 + m - 1), day: d, p)
    }

    /// Cents as `dollars.cc` (always two decimals).
    @inline(__always)
    static func cents(_ c: Int64, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var q = p
        if c < 0 { q.pointee = UInt8(ascii: "-"); q += 1 }
        let m = c.magnitude
        q = uint(m / 100, q)
        q.pointee = UInt8(ascii: ".")
        return two(Int(m % 100), q + 1)
    }

    /// Thousandths as the shortest decimal (`8`, `7.5`, `6.625`).
    @inline(__always)
    static func thousandths(_ v: Int32, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var q = p
        if v < 0 { q.pointee = UInt8(ascii: "-"); q += 1 }
        let m = Int(v.magnitude)
        q = uint(UInt64(m / 1000), q)
        var frac = m % 1000
        if frac == 0 { return q }
        q.pointee = UInt8(ascii: ".")
        q += 1
        var digits = 3
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        return padded(frac, width: digits, q)
    }

    /// Copies `n` bytes.
    @inline(__always)
    static func bytes(_ src: UnsafePointer<UInt8>, _ n: Int, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        p.update(from: src, count: n)
        return p + n
    }
}

/// Strings of a lookup table packed into one buffer, for copying without ARC traffic.
struct PackedStrings {
    let bytes: [UInt8]
    let offsets: [Int]

    init(_ strings: [String]) {
        var b: [UInt8] = []
        var o: [Int] = [0]
        for s in strings {
            b.append(contentsOf: s.utf8)
            o.append(b.count)
        }
        bytes = b
        offsets = o
    }

    var count: Int { offsets.count - 1 }

    func string(_ i: Int) -> String { String(decoding: bytes[offsets[i]..<offsets[i + 1]], as: UTF8.self) }
}
