import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Kernels of Spark's date and timestamp functions. Dates are days since the epoch;
/// timestamps are UTC microseconds shown in (and split into fields in) the session zone.
enum DateKernels {
    static let all: [(String, ScalarKernel)] = [
        ("year", datePart { DateTime.civilFromDays($0).year }),
        ("month", datePart { DateTime.civilFromDays($0).month }),
        ("dayofmonth", datePart { DateTime.civilFromDays($0).day }),
        ("dayofyear", datePart(dayOfYear)),
        ("dayofweek", datePart { DateTime.dayOfWeek($0) }),
        ("weekday", datePart(weekday)),
        ("weekofyear", datePart { isoWeek($0).week }),
        ("quarter", datePart { (DateTime.civilFromDays($0).month - 1) / 3 + 1 }),
        ("hour", timePart { $0 / 3_600_000_000 }),
        ("minute", timePart { $0 / 60_000_000 % 60 }),
        ("second", timePart { $0 / 1_000_000 % 60 }),
        ("dayname", { k in try names(k, ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]) { DateTime.dayOfWeek($0) - 1 } }),
        ("monthname", { k in
            try names(k, ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]) { DateTime.civilFromDays($0).month - 1 }
        }),
        ("date_add", { k in try dateAdd(k, sign: 1) }), ("date_sub", { k in try dateAdd(k, sign: -1) }),
        ("datediff", { k in
            let a = try days(k, 0), b = try days(k, 1)
            let (out, v) = perRow(k, Int32(0)) { a[$0] &- b[$0] }
            return .int32s(out, validity: v)
        }),
        ("add_months", { k in
            let d = try days(k, 0), n = k.args[1].asInt64s()
            let (out, v) = perRow(k, Int32(0)) { Int32(exactly: addMonths(Int(d[$0]), Int(n[$0]))) }
            return .int32s(out, validity: v, type: .date)
        }),
        ("months_between", { try monthsBetween($0) }),
        ("last_day", { k in
            let d = try days(k, 0)
            let (out, v) = perRow(k, Int32(0)) { i -> Int32? in
                let (y, m, _) = DateTime.civilFromDays(Int(d[i]))
                return Int32(exactly: DateTime.daysFromCivil(y, m, DateTime.daysInMonth(y, m)))
            }
            return .int32s(out, validity: v, type: .date)
        }),
        ("next_day", { try nextDay($0) }),
        ("trunc", { try trunc($0) }),
        ("date_trunc", { try dateTrunc($0) }),
        ("make_date", { try makeDate($0) }),
        ("make_timestamp", { try makeTimestamp($0) }),
        ("to_date", { try toDate($0, tryMode: false) }), ("try_to_date", { try toDate($0, tryMode: true) }),
        ("to_timestamp", { try toTimestamp($0, tryMode: false) }), ("try_to_timestamp", { try toTimestamp($0, tryMode: true) }),
        ("date_format", { try dateFormat($0) }),
        ("unix_timestamp", { try unixTimestamp($0) }), ("to_unix_timestamp", { try unixTimestamp($0) }),
        ("from_unixtime", { try fromUnixtime($0) }),
        ("current_date", { k in
            let d = Int32(truncatingIfNeeded: localDays(k.ctx.queryStartMicros, k.ctx.zone))
            return .int32s([Int32](repeating: d, count: k.count), validity: nil, type: .date)
        }),
        ("current_timestamp", { k in .int64s([Int64](repeating: k.ctx.queryStartMicros, count: k.count), validity: nil, type: .timestamp) }),
        ("now", { k in .int64s([Int64](repeating: k.ctx.queryStartMicros, count: k.count), validity: nil, type: .timestamp) }),
        ("extract", { try extract($0) }),
        ("add_interval", { try addInterval($0) }),
        ("timestamp_seconds", { try secondsToTimestamp($0) }),
        ("timestamp_millis", { k in try scaleToMicros(k, 1000) }),
        ("timestamp_micros", { k in try scaleToMicros(k, 1) }),
        ("unix_seconds", { k in .int64s(k.args[0].asInt64s().map { DateTime.floorDiv($0, DateTime.microsPerSecond) }, validity: k.args[0].validity) }),
        ("unix_millis", { k in .int64s(k.args[0].asInt64s().map { DateTime.floorDiv($0, 1000) }, validity: k.args[0].validity) }),
        ("unix_micros", { k in .int64s(k.args[0].asInt64s(), validity: k.args[0].validity) }),
        ("unix_date", { k in .int32s(k.args[0].int32s ?? [], validity: k.args[0].validity) }),
        ("date_from_unix_date", { k in .int32s(k.args[0].int32s ?? [], validity: k.args[0].validity, type: .date) }),
    ]

    // MARK: Helpers

    /// Runs `f` for each row whose arguments are all non-NULL; nil makes the row NULL.
    static func perRow<R>(_ k: KernelCall, _ zero: R, _ f: (Int) throws -> R?) rethrows -> ([R], Bitmap?) {
        let n = k.count
        var valid = combinedValidity(k.args, count: n)
        var out = [R](repeating: zero, count: n)
        for i in 0..<n {
            if let v = valid, !v[i] { continue }
            if let r = try f(i) {
                out[i] = r
            } else {
                if valid == nil { valid = Bitmap(count: n, value: true) }
                valid?[i] = false
            }
        }
        return (out, valid)
    }

    static func localDays(_ micros: Int64, _ zone: SessionTimeZone) -> Int {
        Int(DateTime.floorDiv(zone.localMicros(fromUTC: micros), DateTime.microsPerDay))
    }

    /// Argument `i` as days: dates as they are, timestamps in the session zone, strings cast (ANSI).
    static func days(_ k: KernelCall, _ i: Int) throws -> [Int32] {
        var c = k.args[i]
        if c.type == .string { c = try CastKernels.cast(c, to: .date, mode: k.ctx.ansi ? .ansi : .legacy, ctx: k.ctx) }
        if c.type == .timestamp {
            let zone = k.ctx.zone
            return c.asInt64s().map { Int32(truncatingIfNeeded: localDays($0, zone)) }
        }
        return c.int32s ?? [Int32](repeating: 0, count: k.count)
    }

    /// Argument `i` as UTC microseconds (dates at local midnight, strings cast).
    static func micros(_ k: KernelCall, _ i: Int) throws -> [Int64] {
        var c = k.args[i]
        if c.type != .timestamp { c = try CastKernels.cast(c, to: .timestamp, mode: k.ctx.ansi ? .ansi : .legacy, ctx: k.ctx) }
        return c.asInt64s()
    }

    static func datePart(_ f: @escaping (Int) -> Int) -> ScalarKernel {
        { k in
            let d = try days(k, 0)
            return .int32s(d.map { Int32(truncatingIfNeeded: f(Int($0))) }, validity: k.args[0].validity)
        }
    }

    /// `f` gets the microseconds since local midnight.
    static func timePart(_ f: @escaping (Int64) -> Int64) -> ScalarKernel {
        { k in
            let t = try micros(k, 0)
            let zone = k.ctx.zone
            return .int32s(t.map { Int32(truncatingIfNeeded: f(DateTime.floorMod(zone.localMicros(fromUTC: $0), DateTime.microsPerDay))) }, validity: k.args[0].validity)
        }
    }

    static func names(_ k: KernelCall, _ table: [String], _ index: (Int) -> Int) throws -> Column {
        let d = try days(k, 0)
        var t = CastKernels.TextOut(count: k.count, bytesPerRow: 3)
        for x in d { t.append(table[index(Int(x))]) }
        return t.column(k.count, k.args[0].validity)
    }

    static func dayOfYear(_ d: Int) -> Int {
        let y = DateTime.civilFromDays(d).year
        return d - DateTime.daysFromCivil(y, 1, 1) + 1
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    static func weekday(_ d: Int) -> Int { Int(DateTime.floorMod(Int64(d) + 3, 7)) }

    /// ISO-8601 week and week-based year: the week belongs to the year of its Thursday.
    static func isoWeek(_ d: Int) -> (year: Int, week: Int) {
        let thursday = d - weekday(d) + 3
        return (DateTime.civilFromDays(thursday).year, (dayOfYear(thursday) - 1) / 7 + 1)
    }

    /// Months added with the day clamped to the target month's length (Spark 3+ add_months).
    static func addMonths(_ d: Int, _ n: Int) -> Int {
        let (y, m, day) = DateTime.civilFromDays(d)
        let total = y * 12 + (m - 1) + n
        let ny = Int(DateTime.floorDiv(Int64(total), 12)), nm = Int(DateTime.floorMod(Int64(total), 12)) + 1
        return DateTime.daysFromCivil(ny, nm, min(day, DateTime.daysInMonth(ny, nm)))
    }

    static func fieldError(_ message: String) -> EmberError {
        EmberError(
            errorClass: "DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION", sqlState: "22023",
            message: "\(message). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.")
    }

    static func cannotParse(_ text: String, _ fn: String) -> EmberError {
        EmberError(
            errorClass: "CANNOT_PARSE_TIMESTAMP", sqlState: "22007",
            message: "Text '\(text)' could not be parsed. Use `\(fn)` to tolerate invalid input string and return NULL instead.")
    }

    static let monthNames = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"]

    /// Validates a civil date as java.time does; nil = valid, else Spark's message.
    static func invalidDate(_ y: Int, _ m: Int, _ d: Int) -> String? {
        if !(1...12).contains(m) { return "Invalid value for MonthOfYear (valid values 1 - 12): \(m)" }
        if !(1...31).contains(d) { return "Invalid value for DayOfMonth (valid values 1 - 28/31): \(d)" }
        if d > DateTime.daysInMonth(y, m) {
            return m == 2 && d == 29 ? "Invalid date 'February 29' as '\(y)' is not a leap year" : "Invalid date '\(monthNames[m - 1]) \(d)'"
        }
        return nil
    }

    // MARK: Arithmetic on dates

    static func dateAdd(_ k: KernelCall, sign: Int64) throws -> Column {
        let d = try days(k, 0), n = k.args[1].asInt64s()
        let ansi = k.ctx.ansi
        let (out, v) = try perRow(k, Int32(0)) { i -> Int32? in
            guard let r = Int32(exactly: Int64(d[i]) + sign * n[i]) else {
                if ansi { throw MathKernels.overflow("integer overflow") }
                return nil
            }
            return r
        }
        return .int32s(out, validity: v, type: .date)
    }

    /// Spark's months_between: whole months when the days of month match or both are month
    /// ends, else a 31-day-month fraction from the seconds in between; rounded to 8 digits
    /// unless roundOff is false.
    static func monthsBetween(_ k: KernelCall) throws -> Column {
        let a = try micros(k, 0), b = try micros(k, 1)
        let round = k.args.count < 3 ? [Bool](repeating: true, count: k.count) : (k.args[2].bools ?? [])
        let zone = k.ctx.zone
        let (out, v) = perRow(k, 0.0) { i -> Double? in
            let l1 = zone.localMicros(fromUTC: a[i]), l2 = zone.localMicros(fromUTC: b[i])
            let d1 = DateTime.floorDiv(l1, DateTime.microsPerDay), d2 = DateTime.floorDiv(l2, DateTime.microsPerDay)
            let (y1, m1, day1) = DateTime.civilFromDays(Int(d1)), (y2, m2, day2) = DateTime.civilFromDays(Int(d2))
            let monthDiff = Double((y1 * 12 + m1) - (y2 * 12 + m2))
            let last1 = day1 == DateTime.daysInMonth(y1, m1), last2 = day2 == DateTime.daysInMonth(y2, m2)
            if day1 == day2 || (last1 && last2) { return monthDiff }
            let s1 = (l1 - d1 * DateTime.microsPerDay) / DateTime.microsPerSecond
            let s2 = (l2 - d2 * DateTime.microsPerDay) / DateTime.microsPerSecond
            let secondsDiff = Double(Int64(day1 - day2) * 86_400 + s1 - s2)
            let diff = monthDiff + secondsDiff / (31.0 * 86_400)
            return i < round.count && !round[i] ? diff : (diff * 1e8 + 0.5).rounded(.down) / 1e8
        }
        return .doubles(out, validity: v)
    }

    static func dayOfWeekIndex(_ text: String) -> Int? {
        // 0 = Sunday, as DateTime.dayOfWeek - 1.
        switch text.uppercased() {
        case "SU", "SUN", "SUNDAY": return 0
        case "MO", "MON", "MONDAY": return 1
        case "TU", "TUE", "TUESDAY": return 2
        case "WE", "WED", "WEDNESDAY": return 3
        case "TH", "THU", "THURSDAY": return 4
        case "FR", "FRI", "FRIDAY": return 5
        case "SA", "SAT", "SATURDAY": return 6
        default: return nil
        }
    }

    static func nextDay(_ k: KernelCall) throws -> Column {
        let d = try days(k, 0)
        let names = k.args[1]
        let ansi = k.ctx.ansi
        let (out, v) = try perRow(k, Int32(0)) { i -> Int32? in
            let text = names.stringAt(i)
            guard let target = dayOfWeekIndex(text) else {
                if ansi {
                    throw EmberError(errorClass: "ILLEGAL_DAY_OF_WEEK", sqlState: "22009", message: "Illegal input for day of week: \(text).")
                }
                return nil
            }
            let cur = DateTime.dayOfWeek(Int(d[i])) - 1
            var delta = (target - cur + 7) % 7
            if delta == 0 { delta = 7 }
            return Int32(exactly: Int(d[i]) + delta)
        }
        return .int32s(out, validity: v, type: .date)
    }

    enum TruncLevel { case year, quarter, month, week, day, hour, minute, second, millisecond, microsecond }

    static func truncLevel(_ text: String, dateOnly: Bool) -> TruncLevel? {
        switch text.uppercased() {
        case "YEAR", "YYYY", "YY": return .year
        case "QUARTER": return .quarter
        case "MONTH", "MM", "MON": return .month
        case "WEEK": return .week
        default: break
        }
        if dateOnly { return nil }
        switch text.uppercased() {
        case "DAY", "DD": return .day
        case "HOUR": return .hour
        case "MINUTE": return .minute
        case "SECOND": return .second
        case "MILLISECOND": return .millisecond
        case "MICROSECOND": return .microsecond
        default: return nil
        }
    }

    /// First day of the year/quarter/month/week (Monday) containing `d`.
    static func truncDays(_ d: Int, _ level: TruncLevel) -> Int {
        let (y, m, _) = DateTime.civilFromDays(d)
        switch level {
        case .year: return DateTime.daysFromCivil(y, 1, 1)
        case .quarter: return DateTime.daysFromCivil(y, (m - 1) / 3 * 3 + 1, 1)
        case .month: return DateTime.daysFromCivil(y, m, 1)
        case .week: return d - weekday(d)
        default: return d
        }
    }

    static func trunc(_ k: KernelCall) throws -> Column {
        let d = try days(k, 0)
        let fmt = k.args[1]
        let (out, v) = perRow(k, Int32(0)) { i -> Int32? in
            guard let level = truncLevel(fmt.stringAt(i), dateOnly: true) else { return nil }
            return Int32(truncatingIfNeeded: truncDays(Int(d[i]), level))
        }
        return .int32s(out, validity: v, type: .date)
    }

    static func dateTrunc(_ k: KernelCall) throws -> Column {
        let fmt = k.args[0]
        let t = try micros(k, 1)
        let zone = k.ctx.zone
        let (out, v) = perRow(k, Int64(0)) { i -> Int64? in
            guard let level = truncLevel(fmt.stringAt(i), dateOnly: false) else { return nil }
            let local = zone.localMicros(fromUTC: t[i])
            let unit: Int64
            switch level {
            case .year, .quarter, .month, .week, .day:
                let day = truncDays(Int(DateTime.floorDiv(local, DateTime.microsPerDay)), level)
                return zone.utcMicros(fromLocal: Int64(day) * DateTime.microsPerDay)
            case .hour: unit = 3_600_000_000
            case .minute: unit = 60_000_000
            case .second: unit = 1_000_000
            case .millisecond: unit = 1000
            case .microsecond: unit = 1
            }
            return zone.utcMicros(fromLocal: DateTime.floorDiv(local, unit) * unit)
        }
        return .int64s(out, validity: v, type: .timestamp)
    }

    // MARK: Construction

    static func makeDate(_ k: KernelCall) throws -> Column {
        let y = k.args[0].asInt64s(), m = k.args[1].asInt64s(), d = k.args[2].asInt64s()
        let ansi = k.ctx.ansi
        let (out, v) = try perRow(k, Int32(0)) { i -> Int32? in
            if let msg = invalidDate(Int(y[i]), Int(m[i]), Int(d[i])) {
                if ansi { throw fieldError(msg) }
                return nil
            }
            return Int32(exactly: DateTime.daysFromCivil(Int(y[i]), Int(m[i]), Int(d[i])))
        }
        return .int32s(out, validity: v, type: .date)
    }

    /// make_timestamp(year, month, day, hour, min, sec[, zone]); `sec` is DECIMAL(16,6) in [0, 60],
    /// where 60 (with no fraction) rolls over to the next minute.
    static func makeTimestamp(_ k: KernelCall) throws -> Column {
        let f = (0..<5).map { k.args[$0].asInt64s() }
        let secCol = k.args[5]
        let secScale: Int
        if case .decimal(_, let s) = secCol.type { secScale = s } else { secScale = 0 }
        let secs: [Int128] = { if case .i128(let a) = secCol.storage { return a }; return secCol.asInt64s().map { Int128($0) } }()
        let ansi = k.ctx.ansi
        let zones: Column? = k.args.count > 6 ? k.args[6] : nil
        let (out, v) = try perRow(k, Int64(0)) { i -> Int64? in
            let (y, mo, d, h, mi) = (Int(f[0][i]), Int(f[1][i]), Int(f[2][i]), Int(f[3][i]), Int(f[4][i]))
            func fail(_ e: EmberError) throws -> Int64? { if ansi { throw e }; return nil }
            if let msg = invalidDate(y, mo, d) { return try fail(fieldError(msg)) }
            if !(0...23).contains(h) { return try fail(fieldError("Invalid value for HourOfDay (valid values 0 - 23): \(h)")) }
            if !(0...59).contains(mi) { return try fail(fieldError("Invalid value for MinuteOfHour (valid values 0 - 59): \(mi)")) }
            guard let micros = Decimal128.rescale(secs[i], from: secScale, to: 6), micros >= 0, micros <= 60_000_000
            else {
                return try fail(EmberError(
                    errorClass: "INVALID_FRACTION_OF_SECOND", sqlState: "22023",
                    message: "Valid range for seconds is [0, 60] (inclusive), but the provided value is \(Decimal128(unscaled: secs[i], scale: secScale)). To avoid this error, use `try_make_timestamp`, which returns NULL on error."))
            }
            let zone: SessionTimeZone
            if let zc = zones {
                guard let z = SessionTimeZone(id: zc.stringAt(i)) else { return try fail(.invalidArgument("Invalid time zone: \(zc.stringAt(i))")) }
                zone = z
            } else {
                zone = k.ctx.zone
            }
            let local = Int64(DateTime.daysFromCivil(y, mo, d)) * DateTime.microsPerDay + Int64(h * 3600 + mi * 60) * DateTime.microsPerSecond + Int64(micros)
            return zone.utcMicros(fromLocal: local)
        }
        return .int64s(out, validity: v, type: .timestamp)
    }

    // MARK: Parsing and formatting

    /// Compiles each distinct pattern of a batch once.
    struct Patterns {
        var cache: [String: DateTimePattern] = [:]
        mutating func get(_ text: String) throws -> DateTimePattern {
            if let p = cache[text] { return p }
            let p = try DateTimePattern(text)
            cache[text] = p
            return p
        }
    }

    /// to_timestamp(x[, fmt]): without a pattern it is CAST (CAST_INVALID_INPUT under ANSI);
    /// with one, a parse failure is CANNOT_PARSE_TIMESTAMP (NULL for try_to_timestamp).
    static func parseWithPattern(_ k: KernelCall, tryMode: Bool, fn: String) throws -> ([Int64], Bitmap?) {
        let s = k.args[0], fmt = k.args[1]
        let zone = k.ctx.zone
        let ansi = k.ctx.ansi && !tryMode
        var patterns = Patterns()
        return try perRow(k, Int64(0)) { i -> Int64? in
            let p = try patterns.get(fmt.stringAt(i))
            let text = s.bytesAt(i)
            let r = text.withUnsafeBufferPointer { p.parseTimestamp(bytes: $0, zone: zone) }
            if r == nil && ansi { throw cannotParse(String(decoding: text, as: UTF8.self), fn) }
            return r
        }
    }

    static func toTimestamp(_ k: KernelCall, tryMode: Bool) throws -> Column {
        let c = k.args[0]
        if k.args.count < 2 || c.type != .string {
            if c.type == .timestamp { return c }
            let mode: CastMode = tryMode ? .try : (k.ctx.ansi ? .ansi : .legacy)
            return try CastKernels.cast(c, to: .timestamp, mode: mode, ctx: k.ctx)
        }
        let (out, v) = try parseWithPattern(k, tryMode: tryMode, fn: "try_to_timestamp")
        return .int64s(out, validity: v, type: .timestamp)
    }

    static func toDate(_ k: KernelCall, tryMode: Bool) throws -> Column {
        let c = k.args[0]
        if k.args.count < 2 || c.type != .string {
            if c.type == .date { return c }
            let mode: CastMode = tryMode ? .try : (k.ctx.ansi ? .ansi : .legacy)
            return try CastKernels.cast(c, to: .date, mode: mode, ctx: k.ctx)
        }
        // Spark: cast(to_timestamp(s, fmt) as date).
        let (out, v) = try parseWithPattern(k, tryMode: tryMode, fn: "try_to_date")
        let zone = k.ctx.zone
        return .int32s(out.map { Int32(truncatingIfNeeded: localDays($0, zone)) }, validity: v, type: .date)
    }

    static func format(_ k: KernelCall, _ t: [Int64], _ fmt: (Int) -> String?) throws -> Column {
        var out = CastKernels.TextOut(count: k.count, bytesPerRow: 20)
        var patterns = Patterns()
        let valid = combinedValidity(k.args, count: k.count)
        for i in 0..<k.count {
            if let v = valid, !v[i] { out.endRow(); continue }
            guard let f = fmt(i) else { out.endRow(); continue }
            out.append(try patterns.get(f).format(micros: t[i], zone: k.ctx.zone))
        }
        return out.column(k.count, valid)
    }

    static func dateFormat(_ k: KernelCall) throws -> Column {
        let t = try micros(k, 0)
        let fmt = k.args[1]
        return try format(k, t) { fmt.stringAt($0) }
    }

    static let defaultPattern = "yyyy-MM-dd HH:mm:ss"

    static func fromUnixtime(_ k: KernelCall) throws -> Column {
        let secs = k.args[0].asInt64s()
        let t = secs.map { s -> Int64 in
            let (m, o) = s.multipliedReportingOverflow(by: DateTime.microsPerSecond)
            return o ? (s < 0 ? .min : .max) : m
        }
        let fmt: Column? = k.args.count > 1 ? k.args[1] : nil
        return try format(k, t) { fmt?.stringAt($0) ?? defaultPattern }
    }

    /// unix_timestamp([x[, fmt]]): seconds (floor) of a timestamp, a date, or text parsed with
    /// the pattern (default `yyyy-MM-dd HH:mm:ss`; failures are CANNOT_PARSE_TIMESTAMP under ANSI).
    static func unixTimestamp(_ k: KernelCall) throws -> Column {
        if k.args.isEmpty {
            let s = DateTime.floorDiv(k.ctx.queryStartMicros, DateTime.microsPerSecond)
            return .int64s([Int64](repeating: s, count: k.count), validity: nil)
        }
        let c = k.args[0]
        let t: [Int64]
        var valid = c.validity
        switch c.type {
        case .string:
            let fmtCol = k.args.count > 1 ? k.args[1] : Column.constant(.string(defaultPattern), type: .string, count: k.count)
            let call = KernelCall(call: k.call, args: [c, fmtCol], count: k.count, ctx: k.ctx)
            (t, valid) = try parseWithPattern(call, tryMode: false, fn: "try_to_timestamp")
        default:
            t = try micros(k, 0)
        }
        return .int64s(t.map { DateTime.floorDiv($0, DateTime.microsPerSecond) }, validity: valid)
    }

    // MARK: extract

    enum Field { case year, yearOfWeek, quarter, month, week, day, dayOfWeek, dayOfWeekISO, dayOfYear, hour, minute, second }

    /// Spark's field names for EXTRACT / date_part (case-insensitive, with its abbreviations).
    public static func extractField(_ name: String) -> (Field, DataType)? {
        switch name.uppercased() {
        case "YEAR", "Y", "YEARS", "YR", "YRS": return (.year, .int)
        case "YEAROFWEEK": return (.yearOfWeek, .int)
        case "QUARTER", "QTR": return (.quarter, .int)
        case "MONTH", "MON", "MONS", "MONTHS": return (.month, .int)
        case "WEEK", "W", "WEEKS": return (.week, .int)
        case "DAY", "D", "DAYS": return (.day, .int)
        case "DAYOFWEEK", "DOW": return (.dayOfWeek, .int)
        case "DAYOFWEEK_ISO", "DOW_ISO": return (.dayOfWeekISO, .int)
        case "DOY": return (.dayOfYear, .int)
        case "HOUR", "H", "HOURS", "HR", "HRS": return (.hour, .int)
        case "MINUTE", "M", "MIN", "MINS", "MINUTES": return (.minute, .int)
        case "SECOND", "S", "SEC", "SECONDS", "SECS": return (.second, .decimal(precision: 8, scale: 6))
        default: return nil
        }
    }

    static func extract(_ k: KernelCall) throws -> Column {
        let name = k.literal(0)?.stringValue ?? (k.count > 0 ? k.args[0].stringAt(0) : "")
        guard let (field, _) = extractField(name) else {
            throw EmberError(errorClass: "INVALID_EXTRACT_FIELD", sqlState: "42601", message: "Cannot extract `\(name)`.")
        }
        let src = k.args[1]
        let valid = src.validity
        switch field {
        case .hour, .minute, .second:
            let zone = k.ctx.zone
            let t = src.type == .date ? (src.int32s ?? []).map { _ in Int64(0) } : try micros(k, 1)
            let tod = t.map { src.type == .date ? 0 : DateTime.floorMod(zone.localMicros(fromUTC: $0), DateTime.microsPerDay) }
            if field == .second {
                return Column(type: .decimal(precision: 8, scale: 6), count: k.count, validity: valid, storage: .i128(tod.map { Int128($0 % 60_000_000) }))
            }
            return .int32s(tod.map { Int32(field == .hour ? $0 / 3_600_000_000 : $0 / 60_000_000 % 60) }, validity: valid)
        default:
            let d = try days(k, 1)
            let out = d.map { x -> Int32 in
                let v = Int(x)
                switch field {
                case .year: return Int32(DateTime.civilFromDays(v).year)
                case .yearOfWeek: return Int32(isoWeek(v).year)
                case .quarter: return Int32((DateTime.civilFromDays(v).month - 1) / 3 + 1)
                case .month: return Int32(DateTime.civilFromDays(v).month)
                case .week: return Int32(isoWeek(v).week)
                case .day: return Int32(DateTime.civilFromDays(v).day)
                case .dayOfWeek: return Int32(DateTime.dayOfWeek(v))
                case .dayOfWeekISO: return Int32(weekday(v) + 1)
                case .dayOfYear: return Int32(dayOfYear(v))
                default: return 0
                }
            }
            return .int32s(out, validity: valid)
        }
    }

    // MARK: Intervals and epoch conversions

    /// add_interval(x, months, days, micros): months first (day clamped to the month's end),
    /// then days on the local calendar, then the exact microseconds. A DATE stays a DATE
    /// when the result type says so (the interval has no time part), as Spark.
    static func addInterval(_ k: KernelCall) throws -> Column {
        let months = k.args[1].asInt64s(), dayCount = k.args[2].asInt64s(), us = k.args[3].asInt64s()
        let ansi = k.ctx.ansi
        if k.resultType == .date {
            let d = try days(k, 0)
            let (out, v) = try perRow(k, Int32(0)) { i -> Int32? in
                let r = addMonths(Int(d[i]), Int(months[i])) + Int(dayCount[i])
                guard let x = Int32(exactly: r) else { if ansi { throw MathKernels.overflow("integer overflow") }; return nil }
                return x
            }
            return .int32s(out, validity: v, type: .date)
        }
        let t = try micros(k, 0)
        let zone = k.ctx.zone
        let (out, v) = try perRow(k, Int64(0)) { i -> Int64? in
            var local = zone.localMicros(fromUTC: t[i])
            if months[i] != 0 || dayCount[i] != 0 {
                let day = DateTime.floorDiv(local, DateTime.microsPerDay)
                let tod = local - day * DateTime.microsPerDay
                let nd = Int64(addMonths(Int(day), Int(months[i]))) + dayCount[i]
                local = nd * DateTime.microsPerDay + tod
            }
            let (r, o) = zone.utcMicros(fromLocal: local).addingReportingOverflow(us[i])
            if o { if ansi { throw MathKernels.overflow("long overflow") }; return nil }
            return r
        }
        return .int64s(out, validity: v, type: .timestamp)
    }

    static func secondsToTimestamp(_ k: KernelCall) throws -> Column {
        let c = k.args[0]
        let ansi = k.ctx.ansi
        switch c.storage {
        case .f32, .f64:
            let x = c.asDoubles()
            let (out, v) = try perRow(k, Int64(0)) { i -> Int64? in
                let m = (x[i] * 1e6).rounded(.towardZero)
                guard m.isFinite, m < 0x1p63, m >= -0x1p63 else { if ansi { throw MathKernels.overflow("Overflow") }; return nil }
                return Int64(m)
            }
            return .int64s(out, validity: v, type: .timestamp)
        case .i128(let a):
            guard case .decimal(_, let s) = c.type else { break }
            let (out, v) = try perRow(k, Int64(0)) { i -> Int64? in
                let u = s >= 6 ? a[i] / Int128(pow10UInt128(s - 6)) : a[i].multipliedReportingOverflow(by: Int128(pow10UInt128(6 - s))).partialValue
                guard let r = Int64(exactly: u) else { if ansi { throw MathKernels.overflow("Overflow") }; return nil }
                return r
            }
            return .int64s(out, validity: v, type: .timestamp)
        default: break
        }
        return try scaleToMicros(k, DateTime.microsPerSecond)
    }

    static func scaleToMicros(_ k: KernelCall, _ factor: Int64) throws -> Column {
        let x = k.args[0].asInt64s()
        let ansi = k.ctx.ansi
        let (out, v) = try perRow(k, Int64(0)) { i -> Int64? in
            let (r, o) = x[i].multipliedReportingOverflow(by: factor)
            if o { if ansi { throw MathKernels.overflow("long overflow") }; return nil }
            return r
        }
        return .int64s(out, validity: v, type: .timestamp)
    }
}
