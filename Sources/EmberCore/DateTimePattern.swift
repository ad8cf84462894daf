import Foundation

/// A Spark datetime pattern (`yyyy-MM-dd HH:mm:ss.SSS`, `EEE, dd MMM yyyy hh:mm a`), compiled
/// once into tokens and then used to format or parse many values without Foundation
/// formatters. Letters and widths follow
/// https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html (Spark 4 rules:
/// proleptic Gregorian calendar, English names, up to microsecond precision).
public struct DateTimePattern: Sendable {
    public let pattern: String
    let tokens: [Token]
    /// True when the pattern names an offset or zone (parsing then ignores the session zone).
    public let hasZone: Bool

    enum Field: Sendable, Equatable {
        case era, year, monthNumber, monthText, day, dayOfYear, dayOfWeekText, quarter
        case ampm, hour24, hour1to24, hour0to11, hour1to12, minute, second, fraction
        case offsetX, offsetLowerX, offsetZ, zoneId
    }

    enum Token: Sendable {
        case field(Field, count: Int)
        case literal([UInt8])
        case optional([Token])
    }

    public init(_ pattern: String) throws {
        self.pattern = pattern
        var p = PatternCompiler(bytes: Array(pattern.utf8), pattern: pattern)
        tokens = try p.compile(nested: false)
        hasZone = Self.containsZone(tokens)
    }

    private static func containsZone(_ ts: [Token]) -> Bool {
        ts.contains {
            switch $0 {
            case .field(let f, _): return [.offsetX, .offsetLowerX, .offsetZ, .zoneId].contains(f)
            case .optional(let inner): return containsZone(inner)
            case .literal: return false
            }
        }
    }

    // MARK: Formatting

    /// Formats a timestamp (UTC microseconds) as seen in `zone`.
    public func format(micros: Int64, zone: SessionTimeZone) -> String {
        let offset = zone.offsetSeconds(atUTC: micros)
        let local = micros + Int64(offset) * DateTime.microsPerSecond
        let days = DateTime.floorDiv(local, DateTime.microsPerDay)
        let timeOfDay = local - days * DateTime.microsPerDay
        var out: [UInt8] = []
        out.reserveCapacity(32)
        let parts = Parts(days: Int(days), timeOfDay: timeOfDay, offset: offset, zoneID: zone.id)
        emit(tokens, parts, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Formats a date (days since the epoch); time fields print as midnight, zones as UTC.
    public func format(days: Int32) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        emit(tokens, Parts(days: Int(days), timeOfDay: 0, offset: 0, zoneID: "UTC"), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    struct Parts {
        let year: Int, month: Int, day: Int, dayOfYear: Int, weekday: Int  // weekday 1 = Sunday
        let hour: Int, minute: Int, second: Int, micros: Int
        let offset: Int
        let zoneID: String
        init(days: Int, timeOfDay: Int64, offset: Int, zoneID: String) {
            let c = DateTime.civilFromDays(days)
            year = c.year; month = c.month; day = c.day
            dayOfYear = days - DateTime.daysFromCivil(c.year, 1, 1) + 1
            weekday = DateTime.dayOfWeek(days)
            let secs = Int(timeOfDay / DateTime.microsPerSecond)
            hour = secs / 3600; minute = secs / 60 % 60; second = secs % 60
            micros = Int(timeOfDay % DateTime.microsPerSecond)
            self.offset = offset
            self.zoneID = zoneID
        }
    }

    private func emit(_ tokens: [Token], _ p: Parts, into out: inout [UInt8]) {
        for t in tokens {
            switch t {
            case .literal(let bytes): out.append(contentsOf: bytes)
            case .optional(let inner): emit(inner, p, into: &out)
            case .field(let f, let n):
                switch f {
                case .era: out.append(contentsOf: (p.year > 0 ? "AD" : "BC").utf8)
                case .year:
                    // Java prints YEAR_OF_ERA: year 0 is 1 BC.
                    let y = p.year > 0 ? p.year : 1 - p.year
                    if n == 2 { appendPadded(y % 100, 2, &out) } else { appendPadded(y, n, &out) }
                case .monthNumber: appendPadded(p.month, n, &out)
                case .monthText:
                    let name = DateTimeNames.months[p.month - 1]
                    out.append(contentsOf: (n == 3 ? String(name.prefix(3)) : name).utf8)
                case .day: appendPadded(p.day, n, &out)
                case .dayOfYear: appendPadded(p.dayOfYear, n, &out)
                case .quarter: appendPadded((p.month - 1) / 3 + 1, n, &out)
                case .dayOfWeekText:
                    let name = DateTimeNames.weekdays[p.weekday - 1]
                    out.append(contentsOf: (n >= 4 ? name : String(name.prefix(3))).utf8)
                case .ampm: out.append(contentsOf: (p.hour < 12 ? "AM" : "PM").utf8)
                case .hour24: appendPadded(p.hour, n, &out)
                case .hour1to24: appendPadded(p.hour == 0 ? 24 : p.hour, n, &out)
                case .hour0to11: appendPadded(p.hour % 12, n, &out)
                case .hour1to12: appendPadded(p.hour % 12 == 0 ? 12 : p.hour % 12, n, &out)
                case .minute: appendPadded(p.minute, n, &out)
                case .second: appendPadded(p.second, n, &out)
                case .fraction:
                    // Leading `n` digits of the 9-digit nano-of-second field, truncated.
                    var digits = p.micros * 1000
                    var buf = [UInt8](repeating: 48, count: 9)
                    for i in stride(from: 8, through: 0, by: -1) { buf[i] = UInt8(48 + digits % 10); digits /= 10 }
                    for i in 0..<n { out.append(i < 9 ? buf[i] : 48) }
                case .offsetX, .offsetLowerX, .offsetZ: appendOffset(f, n, p.offset, &out)
                case .zoneId: out.append(contentsOf: p.zoneID.utf8)
                }
            }
        }
    }

    private func appendPadded(_ v: Int, _ width: Int, _ out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")); appendPadded(-v, width, &out); return }
        var tmp: [UInt8] = []
        var x = v
        repeat { tmp.append(UInt8(48 + x % 10)); x /= 10 } while x > 0
        if tmp.count < width { out.append(contentsOf: repeatElement(48, count: width - tmp.count)) }
        out.append(contentsOf: tmp.reversed())
    }

    /// Java's offset printers: X (Z for zero) and x: `+HH[mm]`, `+HHmm`, `+HH:mm`;
    /// Z: `+HHmm`, ZZZZ `GMT+HH:mm`, ZZZZZ `+HH:mm` or `Z`.
    private func appendOffset(_ f: Field, _ n: Int, _ offset: Int, _ out: inout [UInt8]) {
        if offset == 0 && (f == .offsetX || (f == .offsetZ && n == 5)) { out.append(UInt8(ascii: "Z")); return }
        if f == .offsetZ && n == 4 {
            out.append(contentsOf: "GMT".utf8)
            if offset == 0 { return }
        }
        let a = abs(offset)
        let h = a / 3600, m = a / 60 % 60
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        appendPadded(h, 2, &out)
        let colon: Bool
        let showMinutes: Bool
        switch f {
        case .offsetZ: colon = n >= 4; showMinutes = true
        default: colon = n >= 3; showMinutes = n >= 2 || m != 0
        }
        if showMinutes {
            if colon { out.append(UInt8(ascii: ":")) }
            appendPadded(m, 2, &out)
        }
    }

    // MARK: Parsing

    /// Parses a whole string as a timestamp; a pattern without a zone reads it in `zone`.
    /// Returns nil when the text does not match the pattern or names an invalid date.
    public func parseTimestamp(_ s: Substring, zone: SessionTimeZone) -> Int64? {
        var s = s
        return s.withUTF8 { parseTimestamp(bytes: $0, zone: zone) }
    }

    public func parseDate(_ s: Substring) -> Int32? {
        var s = s
        return s.withUTF8 { parseDate(bytes: $0) }
    }

    /// Byte-level entry points for readers (no String per value).
    public func parseTimestamp(bytes: UnsafeBufferPointer<UInt8>, zone: SessionTimeZone) -> Int64? {
        var st = ParseState()
        guard let end = parse(tokens, bytes, 0, &st), end == bytes.count, let days = st.days() else { return nil }
        guard let tod = st.timeOfDay() else { return nil }
        let local = Int64(days) * DateTime.microsPerDay + tod
        if let off = st.offset { return local - Int64(off) * DateTime.microsPerSecond }
        return (st.zone ?? zone).utcMicros(fromLocal: local)
    }

    public func parseDate(bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        var st = ParseState()
        guard let end = parse(tokens, bytes, 0, &st), end == bytes.count, let days = st.days(),
            st.timeOfDay() != nil
        else { return nil }
        return Int32(exactly: days)
    }

    struct ParseState {
        var year = 1970, month = 1, day = 1, dayOfYear: Int?
        var hour = 0, minute = 0, second = 0, micros = 0
        var hour12: Int?, pm: Bool?
        var offset: Int?
        var zone: SessionTimeZone?

        func days() -> Int? {
            if let doy = dayOfYear {
                guard doy >= 1, doy <= (DateTime.isLeap(year) ? 366 : 365) else { return nil }
                return DateTime.daysFromCivil(year, 1, 1) + doy - 1
            }
            guard month >= 1, month <= 12, day >= 1, day <= DateTime.daysInMonth(year, month) else { return nil }
            return DateTime.daysFromCivil(year, month, day)
        }

        func timeOfDay() -> Int64? {
            var h = hour
            if let h12 = hour12 { h = h12 % 12 + ((pm ?? false) ? 12 : 0) } else if let pm, h < 12, pm { h += 12 }
            guard h >= 0, h < 24, minute >= 0, minute < 60, second >= 0, second < 60 else { return nil }
            return Int64(h * 3600 + minute * 60 + second) * DateTime.microsPerSecond + Int64(micros)
        }
    }

    /// Matches `tokens` at `pos`; returns the end position or nil.
    private func parse(_ tokens: [Token], _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ st: inout ParseState) -> Int? {
        var pos = start
        for (ti, t) in tokens.enumerated() {
            switch t {
            case .literal(let lit):
                guard pos + lit.count <= b.count else { return nil }
                for (k, c) in lit.enumerated() where b[pos + k] != c { return nil }
                pos += lit.count
            case .optional(let inner):
                var trial = st
                if let e = parse(inner, b, pos, &trial) { st = trial; pos = e }
            case .field(let f, let n):
                switch f {
                case .monthText, .dayOfWeekText:
                    let names = f == .monthText ? DateTimeNames.months : DateTimeNames.weekdays
                    var matched = false
                    // Full names first so "March" is not read as "Mar" + "ch".
                    for full in [true, false] {
                        for (i, name) in names.enumerated() {
                            let word = full ? Array(name.utf8) : Array(name.utf8.prefix(3))
                            if matchesCaseInsensitive(word, b, pos) {
                                if f == .monthText { st.month = i + 1 }
                                pos += word.count; matched = true; break
                            }
                        }
                        if matched { break }
                    }
                    if !matched { return nil }
                case .ampm:
                    if matchesCaseInsensitive(Array("AM".utf8), b, pos) { st.pm = false } else if matchesCaseInsensitive(Array("PM".utf8), b, pos) {
                        st.pm = true
                    } else { return nil }
                    pos += 2
                case .era:
                    if matchesCaseInsensitive(Array("AD".utf8), b, pos) { pos += 2 } else { return nil }
                case .offsetX, .offsetLowerX, .offsetZ:
                    guard let (off, e) = parseOffset(b, pos) else { return nil }
                    st.offset = off; pos = e
                case .zoneId:
                    var e = pos
                    while e < b.count, isZoneChar(b[e]) { e += 1 }
                    guard e > pos, let z = SessionTimeZone(id: String(decoding: UnsafeBufferPointer(rebasing: b[pos..<e]), as: UTF8.self)) else { return nil }
                    st.zone = z; pos = e
                case .fraction:
                    var k = 0, v = 0
                    while pos < b.count, k < n, b[pos] >= 48, b[pos] <= 57 {
                        if k < 6 { v = v * 10 + Int(b[pos] - 48) }
                        k += 1; pos += 1
                    }
                    guard k >= 1 else { return nil }
                    for _ in min(k, 6)..<6 { v *= 10 }
                    st.micros = v
                default:
                    // Numbers: width n exactly when n >= 2 (yyyy: at least 4), else 1+ digits;
                    // digits reserved for adjacent fixed-width fields are left for them.
                    let minW: Int, maxW: Int
                    switch f {
                    case .year: minW = n == 2 ? 2 : n; maxW = n == 2 ? 2 : 9
                    case .dayOfYear: minW = n; maxW = 3
                    default: minW = n; maxW = n >= 2 ? n : 9
                    }
                    var avail = 0
                    while pos + avail < b.count, avail < maxW, b[pos + avail] >= 48, b[pos + avail] <= 57 { avail += 1 }
                    if maxW > minW { avail = max(minW, avail - reservedWidth(tokens, after: ti)) }
                    guard avail >= minW, pos + avail <= b.count else { return nil }
                    var v = 0
                    for k in 0..<avail {
                        let c = b[pos + k]
                        guard c >= 48, c <= 57 else { return nil }
                        v = v * 10 + Int(c - 48)
                    }
                    pos += avail
                    switch f {
                    case .year: st.year = n == 2 ? 2000 + v : v
                    case .monthNumber: st.month = v
                    case .day: st.day = v
                    case .dayOfYear: st.dayOfYear = v
                    case .quarter: break
                    case .hour24: st.hour = v
                    case .hour1to24: guard v >= 1, v <= 24 else { return nil }; st.hour = v % 24
                    case .hour0to11: guard v < 12 else { return nil }; st.hour12 = v
                    case .hour1to12: guard v >= 1, v <= 12 else { return nil }; st.hour12 = v
                    case .minute: st.minute = v
                    case .second: st.second = v
                    default: break
                    }
                }
            }
        }
        return pos
    }

    /// Total width of the fixed-width numeric fields directly after token `i`.
    private func reservedWidth(_ tokens: [Token], after i: Int) -> Int {
        var w = 0
        var j = i + 1
        while j < tokens.count, case .field(let f, let n) = tokens[j] {
            switch f {
            case .fraction, .monthText, .dayOfWeekText, .ampm, .era, .offsetX, .offsetLowerX, .offsetZ, .zoneId: return w
            case .year where n != 2: return w
            default: if n < 2 { return w }; w += n
            }
            j += 1
        }
        return w
    }

    private func matchesCaseInsensitive(_ word: [UInt8], _ b: UnsafeBufferPointer<UInt8>, _ pos: Int) -> Bool {
        guard pos + word.count <= b.count else { return false }
        for (k, c) in word.enumerated() where (b[pos + k] | 0x20) != (c | 0x20) { return false }
        return true
    }

    private func isZoneChar(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 47 || c == 95 || c == 43 || c == 45 || c == 58
    }

    /// `Z`, `±HH`, `±HHmm`, `±HH:mm`, optionally after `GMT`/`UTC`.
    private func parseOffset(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Int, Int)? {
        var pos = start
        guard pos < b.count else { return nil }
        if b[pos] == UInt8(ascii: "Z") { return (0, pos + 1) }
        if matchesCaseInsensitive(Array("GMT".utf8), b, pos) || matchesCaseInsensitive(Array("UTC".utf8), b, pos) {
            pos += 3
            if pos >= b.count || (b[pos] != UInt8(ascii: "+") && b[pos] != UInt8(ascii: "-")) { return (0, pos) }
        }
        guard b[pos] == UInt8(ascii: "+") || b[pos] == UInt8(ascii: "-") else { return nil }
        let sign = b[pos] == UInt8(ascii: "-") ? -1 : 1
        pos += 1
        func two(_ p: Int) -> Int? {
            guard p + 1 < b.count, b[p] >= 48, b[p] <= 57, b[p + 1] >= 48, b[p + 1] <= 57 else { return nil }
            return Int(b[p] - 48) * 10 + Int(b[p + 1] - 48)
        }
        guard let h = two(pos), h <= 18 else { return nil }
        pos += 2
        var m = 0
        if pos < b.count, b[pos] == UInt8(ascii: ":") {
            guard let mm = two(pos + 1) else { return nil }
            m = mm; pos += 3
        } else if let mm = two(pos) {
            m = mm; pos += 2
        }
        guard m < 60 else { return nil }
        return (sign * (h * 3600 + m * 60), pos)
    }
}

enum DateTimeNames {
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
}

/// Turns pattern text into tokens; rejects letters Spark does not accept.
private struct PatternCompiler {
    let bytes: [UInt8]
    let pattern: String
    var pos = 0

    init(bytes: [UInt8], pattern: String) {
        self.bytes = bytes
        self.pattern = pattern
    }

    func invalid() -> EmberError {
        EmberError(
            errorClass: "INVALID_DATETIME_PATTERN.WITH_SUGGESTION", sqlState: "22007",
            message: "Unrecognized datetime pattern: '\(pattern)'. You can form a valid datetime pattern with the guide from 'https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html'.")
    }

    mutating func compile(nested: Bool) throws -> [DateTimePattern.Token] {
        var out: [DateTimePattern.Token] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { out.append(.literal(literal)); literal = [] }
        }
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "'") {
                // 'text' is literal; '' is one quote, inside or outside quoted text.
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "'") { literal.append(c); pos += 1; continue }
                var closed = false
                while pos < bytes.count {
                    if bytes[pos] == UInt8(ascii: "'") {
                        if pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "'") { literal.append(c); pos += 2; continue }
                        pos += 1; closed = true; break
                    }
                    literal.append(bytes[pos]); pos += 1
                }
                if !closed { throw invalid() }
            } else if c == UInt8(ascii: "[") {
                flush(); pos += 1
                out.append(.optional(try compile(nested: true)))
            } else if c == UInt8(ascii: "]") {
                guard nested else { throw invalid() }
                pos += 1; flush(); return out
            } else if (c >= 65 && c <= 90) || (c >= 97 && c <= 122) {
                var n = 0
                while pos < bytes.count, bytes[pos] == c { n += 1; pos += 1 }
                flush()
                out.append(.field(try field(c, n), count: n))
            } else {
                literal.append(c); pos += 1
            }
        }
        if nested { throw invalid() }
        flush()
        return out
    }

    func field(_ c: UInt8, _ n: Int) throws -> DateTimePattern.Field {
        switch Character(UnicodeScalar(c)) {
        case "G" where n <= 3: return .era
        case "y" where n <= 9: return .year
        case "M", "L":
            if n <= 2 { return .monthNumber }
            if n <= 4 { return .monthText }
        case "d" where n <= 2: return .day
        case "D" where n <= 3: return .dayOfYear
        case "Q", "q": if n <= 2 { return .quarter }
        case "E" where n <= 4: return .dayOfWeekText
        case "a" where n == 1: return .ampm
        case "H" where n <= 2: return .hour24
        case "k" where n <= 2: return .hour1to24
        case "K" where n <= 2: return .hour0to11
        case "h" where n <= 2: return .hour1to12
        case "m" where n <= 2: return .minute
        case "s" where n <= 2: return .second
        case "S" where n <= 9: return .fraction
        case "X" where n <= 3, "x" where n <= 3:
            return c == UInt8(ascii: "X") ? .offsetX : .offsetLowerX
        case "Z" where n <= 5: return .offsetZ
        case "V" where n == 2: return .zoneId
        default: break
        }
        throw invalid()
    }
}
