import EmberCore
import EmberPlan

extension Parser {
    // MARK: Strings and binary

    /// One string literal, or several adjacent ones concatenated (`'a' 'b'` is `'ab'`).
    mutating func stringValue() throws -> String {
        guard current.kind == .string else { throw syntaxError() }
        var s = ""
        while current.kind == .string { s += advance().text }
        return s
    }

    /// `X'0AFF'`; an odd digit count gets a leading zero, as Spark's `unhex`.
    func binaryLiteral(_ t: Token) throws -> Expr {
        var hex = Array(t.text.utf8)
        if hex.count % 2 == 1 { hex.insert(UInt8(ascii: "0"), at: 0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var i = 0
        while i + 1 < hex.count {
            guard let hi = Parser.hexDigit(hex[i]), let lo = Parser.hexDigit(hex[i + 1]) else {
                throw invalidTypedLiteral("X", t.text, t)
            }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        return .literal(.binary(bytes), .binary)
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    func invalidTypedLiteral(_ type: String, _ value: String, _ t: Token) -> EmberError {
        EmberError(
            errorClass: "INVALID_TYPED_LITERAL", sqlState: "42604",
            message: "The value of the typed literal \"\(type)\" is invalid: '\(value)'. (line \(t.line), pos \(t.column))")
    }

    /// `DATE '…'` is folded to days here; `TIMESTAMP '…'` stays a cast because its zone is
    /// the session's, known only at run time (the text is still checked now).
    mutating func typedLiteral() throws -> Expr {
        let kw = advance()
        let text = try stringValue()
        if kw.upper == "DATE" {
            guard let days = DateTime.parseDate(text) else { throw invalidTypedLiteral("DATE", text, kw) }
            return .literal(.date(days), .date)
        }
        guard DateTime.parseTimestamp(text, zone: .utc) != nil else { throw invalidTypedLiteral(kw.upper, text, kw) }
        return .cast(.literal(.string(text), .string), to: .timestamp, mode: .ansi)
    }

    // MARK: Numbers

    /// A numeric literal with Spark's typing: INT, else BIGINT, else DECIMAL for plain
    /// integers; DECIMAL for `1.5`; DOUBLE with an exponent; suffixes L, S, Y, BD, D, F.
    func numberLiteral(_ t: Token, negative: Bool) throws -> Expr {
        let upper = t.text.uppercased()
        let sign = negative ? "-" : ""
        func rangeError(_ type: String, _ lo: String, _ hi: String) -> EmberError {
            EmberError(
                errorClass: "INVALID_NUMERIC_LITERAL_RANGE", sqlState: "22003",
                message: "Numeric literal \(sign)\(t.text) is outside the valid range for \(type) with minimum value of \(lo) and maximum value of \(hi). Please adjust the value accordingly. (line \(t.line), pos \(t.column))")
        }
        func decimal(_ body: String) throws -> Expr {
            guard let d = Decimal128.parse(sign + body), max(d.precision, d.scale) <= DataType.maxDecimalPrecision else {
                throw EmberError(
                    errorClass: "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", sqlState: "22003",
                    message: "Decimal precision \(body.filter(\.isNumber).count) exceeds max precision \(DataType.maxDecimalPrecision). (line \(t.line), pos \(t.column))")
            }
            return .literal(.decimal(d), .decimal(precision: max(d.precision, d.scale, 1), scale: d.scale))
        }
        func double(_ body: String) throws -> Expr {
            guard let v = Double(sign + body), v.isFinite else {
                throw rangeError("double", "-1.7976931348623157E+308", "1.7976931348623157E+308")
            }
            return .literal(.double(v), .double)
        }
        if upper.hasSuffix("BD") { return try decimal(String(upper.dropLast(2))) }
        let body = String(upper.dropLast())
        switch upper.last {
        case "L":
            guard let v = Int64(sign + body) else { throw rangeError("bigint", "\(Int64.min)", "\(Int64.max)") }
            return .literal(.long(v), .long)
        case "S":
            guard let v = Int16(sign + body) else { throw rangeError("smallint", "\(Int16.min)", "\(Int16.max)") }
            return .literal(.short(v), .short)
        case "Y":
            guard let v = Int8(sign + body) else { throw rangeError("tinyint", "\(Int8.min)", "\(Int8.max)") }
            return .literal(.byte(v), .byte)
        case "D":
            return try double(body)
        case "F":
            guard let v = Float(sign + body), v.isFinite else {
                throw rangeError("float", "-3.4028235E+38", "3.4028235E+38")
            }
            return .literal(.float(v), .float)
        default:
            break
        }
        if upper.contains("E") { return try double(upper) }
        if upper.contains(".") { return try decimal(upper) }
        if let v = Int32(sign + upper) { return .literal(.int(v), .int) }
        if let v = Int64(sign + upper) { return .literal(.long(v), .long) }
        return try decimal(upper)
    }

    // MARK: Intervals

    struct IntervalTotal {
        var months: Int64 = 0, days: Int64 = 0, micros: Int64 = 0

        /// Adds with overflow checking; false on overflow.
        mutating func add(_ v: Int64, to field: WritableKeyPath<IntervalTotal, Int64>) -> Bool {
            let (sum, overflow) = self[keyPath: field].addingReportingOverflow(v)
            self[keyPath: field] = sum
            return !overflow
        }
    }

    enum IntervalUnit: String {
        case year, month, week, day, hour, minute, second, millisecond, microsecond

        init?(word: String) {
            var w = word.lowercased()
            if w.hasSuffix("s") { w.removeLast() }
            self.init(rawValue: w)
        }
    }

    /// `INTERVAL 3 DAYS`, `INTERVAL '1' MONTH 2 DAYS`, `INTERVAL '1 day 2 hours'`,
    /// `INTERVAL '1-2' YEAR TO MONTH`, `INTERVAL '1 02:03:04' DAY TO SECOND` →
    /// `make_interval_literal(months, days, micros)`.
    mutating func intervalLiteral() throws -> Expr {
        advance()
        var total = IntervalTotal()
        var any = false
        while true {
            let save = pos
            let negative = acceptSymbol("-")
            if !negative { _ = acceptSymbol("+") }
            let valueToken = current
            guard valueToken.kind == .number || valueToken.kind == .string else {
                pos = save
                break
            }
            let text = valueToken.kind == .string ? try stringValue() : advance().text
            let signed = negative ? "-" + text : text
            guard current.kind == .word, let unit = IntervalUnit(word: current.text) else {
                // A string may carry its own units; a bare number needs one.
                if !any, valueToken.kind == .string {
                    try addIntervalString(signed, to: &total, at: valueToken)
                    any = true
                    continue
                }
                if !any { throw syntaxError() }
                pos = save
                break
            }
            advance()
            if valueToken.kind == .string, accept("TO") {
                guard current.kind == .word, let end = IntervalUnit(word: current.text) else { throw syntaxError() }
                advance()
                try addIntervalRange(signed, from: unit, to: end, to: &total, at: valueToken)
            } else {
                try addInterval(signed, unit, to: &total, at: valueToken)
            }
            any = true
        }
        guard any else { throw syntaxError() }
        return call(
            "make_interval_literal", .literal(.long(total.months), .long), .literal(.long(total.days), .long),
            .literal(.long(total.micros), .long))
    }

    func intervalError(_ text: String, _ t: Token) -> EmberError {
        EmberError(
            errorClass: "INVALID_INTERVAL_FORMAT", sqlState: "22006",
            message: "Error parsing '\(text)' to interval. (line \(t.line), pos \(t.column))")
    }

    /// Adds `text` (an optionally signed number; fractional only for seconds) of `unit`.
    func addInterval(
        _ text: String, _ unit: IntervalUnit, to total: inout IntervalTotal, at t: Token
    ) throws {
        var s = Substring(text.trimmedSpaces)
        var negative = false
        while let c = s.first, c == "-" || c == "+" {
            if c == "-" { negative.toggle() }
            s = s.dropFirst()
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let wholeText = parts[0].isEmpty ? "0" : String(parts[0])
        guard !s.isEmpty, s != ".", parts.count <= 2, wholeText.allSatisfy(\.isASCII), let whole = Int64(wholeText)
        else { throw intervalError(text, t) }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard unit == .second, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw intervalError(text, t) }
            fraction = Int64(String((digits + "000000").prefix(6))) ?? 0
        }
        let scale: Int64 =
            switch unit {
            case .year: 12
            case .month, .day, .microsecond: 1
            case .week: 7
            case .hour: 3_600_000_000
            case .minute: 60_000_000
            case .second: 1_000_000
            case .millisecond: 1000
            }
        let (m, o1) = whole.multipliedReportingOverflow(by: scale)
        let (v, o2) = m.addingReportingOverflow(fraction)
        let ok: Bool
        switch unit {
        case .year, .month: ok = total.add(negative ? -v : v, to: \.months)
        case .week, .day: ok = total.add(negative ? -v : v, to: \.days)
        default: ok = total.add(negative ? -v : v, to: \.micros)
        }
        guard !o1, !o2, ok else { throw intervalError(text, t) }
    }

    /// `'1 day 2 hours'` (optionally starting with `interval`).
    func addIntervalString(
        _ text: String, to total: inout IntervalTotal, at t: Token
    ) throws {
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if words.first?.lowercased() == "interval" { words.removeFirst() }
        guard !words.isEmpty, words.count % 2 == 0 else { throw intervalError(text, t) }
        for k in stride(from: 0, to: words.count, by: 2) {
            guard let unit = IntervalUnit(word: words[k + 1]) else { throw intervalError(text, t) }
            try addInterval(words[k], unit, to: &total, at: t)
        }
    }

    /// ANSI forms: `'y-m' YEAR TO MONTH`, `'d h:m:s' DAY TO SECOND` and their sub-ranges.
    func addIntervalRange(
        _ text: String, from: IntervalUnit, to: IntervalUnit,
        to total: inout IntervalTotal, at t: Token
    ) throws {
        let orders: [[IntervalUnit]] = [[.year, .month], [.day, .hour, .minute, .second]]
        guard let order = orders.first(where: { $0.contains(from) }), let a = order.firstIndex(of: from),
            let b = order.firstIndex(of: to), a < b
        else { throw intervalError(text, t) }
        var s = Substring(text.trimmedSpaces)
        var negative = false
        if let c = s.first, c == "-" || c == "+" {
            negative = c == "-"
            s = s.dropFirst()
        }
        let separators: Set<Character> = order[0] == .year ? ["-"] : [" ", ":"]
        let fields = s.split(whereSeparator: { separators.contains($0) })
        let units = order[a...b]
        guard fields.count == units.count else { throw intervalError(text, t) }
        for (field, unit) in zip(fields, units) {
            try addInterval((negative ? "-" : "") + field, unit, to: &total, at: t)
        }
    }

    // MARK: Data types

    /// A Spark SQL type: `INT`, `DECIMAL(10,2)`, `ARRAY<STRING>`, `MAP<K, V>`, `STRUCT<a: INT, b STRING>`.
    mutating func dataType() throws -> DataType {
        let t = current
        guard t.kind == .word else { throw syntaxError() }
        advance()
        if let atomic = DataType(atomicName: t.upper) { return atomic }
        switch t.upper {
        case "VARCHAR", "CHAR", "CHARACTER":
            if acceptSymbol("(") {
                _ = try nonNegativeInt()
                try expectSymbol(")")
            }
            return .string
        case "DECIMAL", "DEC", "NUMERIC":
            guard acceptSymbol("(") else { return DataType.defaultDecimal }
            let p = try nonNegativeInt()
            let s = acceptSymbol(",") ? try nonNegativeInt() : 0
            try expectSymbol(")")
            guard p <= DataType.maxDecimalPrecision else {
                throw EmberError(
                    errorClass: "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", sqlState: "22003",
                    message: "Decimal precision \(p) exceeds max precision \(DataType.maxDecimalPrecision). (line \(t.line), pos \(t.column))")
            }
            guard p >= 1, s <= p else {
                throw EmberError.invalidArgument("Decimal scale (\(s)) cannot be greater than precision (\(p)). (line \(t.line), pos \(t.column))")
            }
            return .decimal(precision: p, scale: s)
        case "ARRAY":
            try expectSymbol("<")
            let element = try dataType()
            try expectSymbol(">")
            return .array(element: element, containsNull: true)
        case "MAP":
            try expectSymbol("<")
            let key = try dataType()
            try expectSymbol(",")
            let value = try dataType()
            try expectSymbol(">")
            return .map(key: key, value: value, valueContainsNull: true)
        case "STRUCT":
            if acceptSymbol("<>") { return .structure([]) }
            try expectSymbol("<")
            var fields: [StructField] = []
            if !atSymbol(">") {
                repeat {
                    let name = try anyName()
                    _ = acceptSymbol(":")
                    let type = try dataType()
                    var nullable = true
                    if accept("NOT") {
                        try expect("NULL")
                        nullable = false
                    }
                    if accept("COMMENT") { _ = try stringValue() }
                    fields.append(StructField(name, type, nullable: nullable))
                } while acceptSymbol(",")
            }
            try expectSymbol(">")
            return .structure(fields)
        default:
            throw EmberError(
                errorClass: "UNSUPPORTED_DATATYPE", sqlState: "0A000",
                message: "Unsupported data type \"\(t.upper)\". (line \(t.line), pos \(t.column))")
        }
    }
}
