import Foundation

/// Calendar arithmetic on the proleptic Gregorian calendar (as Spark 3+), without
/// Foundation's Calendar on the hot path.
public enum DateTime {
    public static let microsPerSecond: Int64 = 1_000_000
    public static let microsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 for a civil date.
    @inlinable
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Civil date (year, month 1-12, day 1-31) for days since the epoch.
    @inlinable
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// 1 = Sunday … 7 = Saturday (Spark's `dayofweek`).
    public static func dayOfWeek(_ days: Int) -> Int {
        // 1970-01-01 was a Thursday (5).
        let r = (days + 4) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    @inlinable
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    @inlinable
    public static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

    // MARK: Parsing (Spark's cast rules)

    /// Parses Spark's date strings: `yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d`, optionally followed by
    /// `T` or a space and anything. Returns days since the epoch.
    public static func parseDate(_ text: some StringProtocol) -> Int32? {
        let s = Substring(text).trimmingSpaces
        var parts = [0, 1, 1]
        var idx = 0
        var digits = 0
        var value = 0
        var neg = false
        var i = s.utf8.startIndex
        let u = s.utf8
        if i < u.endIndex, u[i] == UInt8(ascii: "-") { neg = true; i = u.index(after: i) }
        while i < u.endIndex {
            let c = u[i]
            if c >= 48 && c <= 57 {
                value = value * 10 + Int(c - 48)
                digits += 1
                if digits > (idx == 0 ? 7 : 2) { return nil }
            } else if c == UInt8(ascii: "-") && idx < 2 {
                if digits == 0 || (idx == 0 && digits < 4) { return nil }
                parts[idx] = value
                idx += 1; value = 0; digits = 0
            } else if (c == UInt8(ascii: " ") || c == UInt8(ascii: "T")) && idx == 2 {
                break
            } else {
                return nil
            }
            i = u.index(after: i)
        }
        if digits == 0 || (idx == 0 && digits < 4) { return nil }
        parts[idx] = value
        let y = neg ? -parts[0] : parts[0]
        guard (1...12).contains(parts[1]), parts[2] >= 1, parts[2] <= daysInMonth(y, parts[1]) else { return nil }
        return Int32(daysFromCivil(y, parts[1], parts[2]))
    }

    /// Parses `yyyy-MM-dd[( |T)HH:mm[:ss[.SSSSSS]]][Z|±HH:mm|zone id]` in `zone` unless the
    /// text names its own zone. Returns microseconds since the epoch.
    public static func parseTimestamp(_ text: some StringProtocol, zone: SessionTimeZone) -> Int64? {
        let s = Substring(text).trimmingSpaces
        guard !s.isEmpty else { return nil }
        var u = Array(s.utf8)
        // Split date and time.
        var sep = u.firstIndex(where: { $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: " ") }) ?? u.count
        // A leading '-' (negative year) is part of the date.
        let datePart = String(decoding: u[0..<sep], as: UTF8.self)
        guard let days = parseDate(datePart) else { return nil }
        if sep >= u.count { return zone.utcMicros(fromLocal: Int64(days) * microsPerDay) }
        sep += 1
        u = Array(u[sep...])
        var fields = [0, 0, 0]
        var fi = 0, digits = 0, value = 0
        var i = 0
        var micros = 0
        while i < u.count {
            let c = u[i]
            if c >= 48 && c <= 57 {
                value = value * 10 + Int(c - 48); digits += 1
                if digits > 2 { return nil }
            } else if c == UInt8(ascii: ":") && fi < 2 {
                if digits == 0 { return nil }
                fields[fi] = value; fi += 1; value = 0; digits = 0
            } else { break }
            i += 1
        }
        if digits == 0 { return nil }
        fields[fi] = value
        if i < u.count, u[i] == UInt8(ascii: "."), fi == 2 {
            i += 1
            var n = 0
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                if n < 6 { micros = micros * 10 + Int(u[i] - 48) }
                n += 1; i += 1
            }
            if n == 0 { return nil }
            for _ in n..<max(n, 6) { micros *= 10 }
        }
        guard fields[0] < 24, fields[1] < 60, fields[2] < 60 else { return nil }
        let local = Int64(days) * microsPerDay + Int64(fields[0] * 3600 + fields[1] * 60 + fields[2]) * microsPerSecond + Int64(micros)
        // Zone suffix.
        while i < u.count, u[i] == UInt8(ascii: " ") { i += 1 }
        if i >= u.count { return zone.utcMicros(fromLocal: local) }
        let rest = String(decoding: u[i...], as: UTF8.self)
        guard let z = SessionTimeZone(id: rest) else { return nil }
        return z.utcMicros(fromLocal: local)
    }

    // MARK: Formatting

    /// Appends `yyyy-MM-dd` (years 0…9999; others go through `formatDate`).
    public static func appendDate(_ days: Int32, to out: inout [UInt8]) {
        let (y, m, d) = civilFromDays(Int(days))
        guard y >= 0 && y <= 9999 else { out.append(contentsOf: formatDate(days).utf8); return }
        out.append(UInt8(48 + y / 1000)); out.append(UInt8(48 + y / 100 % 10)); out.append(UInt8(48 + y / 10 % 10)); out.append(UInt8(48 + y % 10))
        out.append(UInt8(ascii: "-")); out.append(UInt8(48 + m / 10)); out.append(UInt8(48 + m % 10))
        out.append(UInt8(ascii: "-")); out.append(UInt8(48 + d / 10)); out.append(UInt8(48 + d % 10))
    }

    public static func formatDate(_ days: Int32) -> String {
        let (y, m, d) = civilFromDays(Int(days))
        return pad4(y) + "-" + pad2(m) + "-" + pad2(d)
    }

    /// Spark's `CAST(ts AS STRING)`: `yyyy-MM-dd HH:mm:ss[.fraction without trailing zeros]`.
    public static func formatTimestamp(_ utcMicros: Int64, zone: SessionTimeZone) -> String {
        let local = zone.localMicros(fromUTC: utcMicros)
        let days = floorDiv(local, microsPerDay)
        let rem = local - days * microsPerDay
        let secs = Int(rem / microsPerSecond)
        var frac = Int(rem % microsPerSecond)
        var s = formatDate(Int32(truncatingIfNeeded: days)) + " " + pad2(secs / 3600) + ":" + pad2(secs / 60 % 60) + ":" + pad2(secs % 60)
        if frac != 0 {
            var digits = 6
            while frac % 10 == 0 { frac /= 10; digits -= 1 }
            let f = String(frac)
            s += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return s
    }

    @inlinable
    public static func pad2(_ v: Int) -> String { v < 10 ? "0" + String(v) : String(v) }

    public static func pad4(_ v: Int) -> String {
        if v < 0 { return "-" + pad4(-v) }
        let s = String(v)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }
}

/// The session time zone (`spark.sql.session.timeZone`, UTC by default). Timestamps are
/// stored in UTC and shown or parsed in this zone.
public struct SessionTimeZone: Hashable, Sendable {
    public let id: String
    /// A fixed offset in seconds, when the zone has one (UTC, `+02:00`).
    let fixedOffset: Int?

    public static let utc = SessionTimeZone(fixed: "UTC", offset: 0)

    init(region id: String) {
        self.id = id
        self.fixedOffset = nil
    }

    init(fixed id: String, offset: Int) {
        self.id = id
        self.fixedOffset = offset
    }

    public init?(id: String) {
        let t = id.trimmingCharacters(in: .whitespaces)
        if t == "Z" || t.uppercased() == "UTC" || t.uppercased() == "GMT" {
            self.init(fixed: "UTC", offset: 0); return
        }
        var body = Substring(t)
        if body.uppercased().hasPrefix("UTC") || body.uppercased().hasPrefix("GMT") { body = body.dropFirst(3) }
        if let f = body.first, f == "+" || f == "-" {
            let sign = f == "-" ? -1 : 1
            let parts = body.dropFirst().split(separator: ":")
            guard let h = Int(parts.first ?? ""), h <= 18 else { return nil }
            let m = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            self.init(fixed: t, offset: sign * (h * 3600 + m * 60)); return
        }
        guard let tz = TimeZone(identifier: t) else { return nil }
        self.init(region: tz.identifier)
    }

    /// Offset (seconds) of this zone at a UTC instant.
    public func offsetSeconds(atUTC micros: Int64) -> Int {
        if let f = fixedOffset { return f }
        guard let tz = TimeZone(identifier: id) else { return 0 }
        return tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(DateTime.floorDiv(micros, 1_000_000))))
    }

    public func localMicros(fromUTC micros: Int64) -> Int64 {
        micros + Int64(offsetSeconds(atUTC: micros)) * DateTime.microsPerSecond
    }

    public func utcMicros(fromLocal local: Int64) -> Int64 {
        if let f = fixedOffset { return local - Int64(f) * DateTime.microsPerSecond }
        // Two passes settle on the offset in force at the local time.
        var guess = local - Int64(offsetSeconds(atUTC: local)) * DateTime.microsPerSecond
        guess = local - Int64(offsetSeconds(atUTC: guess)) * DateTime.microsPerSecond
        return guess
    }
}
