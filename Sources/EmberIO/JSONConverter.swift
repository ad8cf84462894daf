import EmberCore
import Foundation

/// Converts JSON values straight from the lexer into column buffers of a target type,
/// with the conversions of Spark's `JacksonParser` (`makeConverter`) and its partial
/// results: a member that does not convert becomes NULL and marks the record malformed,
/// while the rest of the record is kept.
struct JSONConverter {
    /// Outcome of converting one value.
    enum Status: UInt8 {
        /// Converted.
        case ok
        /// Appended, but something inside did not convert (the record is malformed).
        case partial
        /// Nothing appended: the value does not convert to the column's type.
        case failed
    }

    let syntax: JSONSyntax
    let nonNumeric: Bool
    let zone: SessionTimeZone
    let dateFormat: DateTimePattern?
    let timestampFormat: DateTimePattern?
    /// Decoded text of names and strings that are not plain.
    var scratch: [UInt8] = []

    init(options: JSONOptions, zone: SessionTimeZone) {
        syntax = JSONSyntax(options)
        nonNumeric = options.allowNonNumericNumbers
        self.zone = options.timeZone ?? zone
        dateFormat = options.dateFormat
        timestampFormat = options.timestampFormat
    }

    // MARK: Values

    /// Converts the value at the cursor (blanks first) into `col`.
    mutating func value(_ lx: inout JSONLexer, _ col: UnsafeMutablePointer<JSONColumnBuffer>) throws(JSONSyntaxError) -> Status {
        try lx.skipSpace()
        guard lx.pos < lx.end else { throw lx.fail("unexpected end of input, expected a value") }
        let c = lx.b[lx.pos]
        if c == UInt8(ascii: "n") {
            try lx.literal("null")
            col.pointee.appendNull()
            return .ok
        }
        let isString = c == UInt8(ascii: "\"") || (c == UInt8(ascii: "'") && syntax.singleQuotes)
        switch col.pointee.conversion {
        case .string:
            if isString {
                let s = try lx.scanString()
                col.pointee.appendString(lx.b, s)
            } else {
                // Any other value reads as its JSON text, exactly as written.
                let start = lx.pos
                try lx.skipValue()
                col.pointee.appendBytes(lx.b + start, lx.pos - start)
            }
            return .ok
        case .long, .int, .short, .byte:
            guard c == UInt8(ascii: "-") || c &- 48 <= 9 else { return try mismatch(&lx) }
            let num = try lx.scanNumber()
            guard let v = num.int64 else { return .failed }
            switch col.pointee.conversion {
            case .long: col.pointee.i64s.append(v)
            case .int:
                guard let x = Int32(exactly: v) else { return .failed }
                col.pointee.i32s.append(x)
            case .short:
                guard let x = Int16(exactly: v) else { return .failed }
                col.pointee.i16s.append(x)
            default:
                // Jackson's getByteValue accepts -128...255 (unsigned bytes wrap around).
                guard v >= -128, v <= 255 else { return .failed }
                col.pointee.i8s.append(Int8(truncatingIfNeeded: v))
            }
            col.pointee.count += 1
            return .ok
        case .double, .float:
            let single = col.pointee.conversion == .float
            var d: Double = 0
            var f: Float = 0
            if isString {
                let s = try lx.scanString()
                let nn = nonNumeric
                guard let x = withText(lx, s, { JSONConverter.specialDouble($0, $1, nn) }) else { return .failed }
                d = x
                f = Float(x)
            } else {
                guard JSONConverter.startsNumber(c) else { return try mismatch(&lx) }
                let num = try lx.scanNumber()
                switch num.kind {
                case .nan: d = .nan; f = .nan
                case .posInf: d = .infinity; f = .infinity
                case .negInf: d = -.infinity; f = -.infinity
                case .int:
                    if let v = num.int64 {
                        d = Double(v); f = Float(v)
                    } else if single {
                        f = JSONConverter.slowFloat(lx.b, num.start, num.end)
                    } else {
                        d = JSONConverter.slowDouble(lx.b, num.start, num.end)
                    }
                case .float:
                    if single {
                        f = JSONConverter.slowFloat(lx.b, num.start, num.end)
                    } else {
                        d = CSVParse.double(lx.b, num.start, num.end) ?? JSONConverter.slowDouble(lx.b, num.start, num.end)
                    }
                }
            }
            if single { col.pointee.f32s.append(f) } else { col.pointee.f64s.append(d) }
            col.pointee.count += 1
            return .ok
        case .decimal:
            let v: Int128?
            let p = col.pointee.precision, sc = col.pointee.scale
            if isString {
                // Java's BigDecimal after Spark strips grouping commas (US locale).
                let s = try lx.scanString()
                v = withText(lx, s) { b, n in
                    guard n > 0 else { return nil }
                    if memchr(b, Int32(UInt8(ascii: ",")), n) == nil { return CSVParse.decimal(b, 0, n, precision: p, scale: sc) }
                    var t = [UInt8]()
                    t.reserveCapacity(n)
                    for i in 0..<n where b[i] != UInt8(ascii: ",") { t.append(b[i]) }
                    return t.withUnsafeBufferPointer { q in
                        q.baseAddress.flatMap { CSVParse.decimal($0, 0, q.count, precision: p, scale: sc) }
                    }
                }
            } else {
                guard JSONConverter.startsNumber(c) else { return try mismatch(&lx) }
                let num = try lx.scanNumber()
                guard num.kind == .int || num.kind == .float else { return .failed }
                v = CSVParse.decimal(lx.b, num.start, num.end, precision: p, scale: sc)
            }
            guard let x = v else { return .failed }
            col.pointee.i128s.append(x)
            col.pointee.count += 1
            return .ok
        case .boolean:
            if c == UInt8(ascii: "t") {
                try lx.literal("true")
                col.pointee.bools.append(true)
            } else if c == UInt8(ascii: "f") {
                try lx.literal("false")
                col.pointee.bools.append(false)
            } else {
                return try mismatch(&lx)
            }
            col.pointee.count += 1
            return .ok
        case .timestamp:
            let t: Int64?
            if isString {
                let s = try lx.scanString()
                let f = timestampFormat, z = zone
                t = withText(lx, s) { b, n in n > 0 ? JSONConverter.parseTimestamp(b, n, f, z) : nil }
            } else if c == UInt8(ascii: "-") || c &- 48 <= 9 {
                // A number is seconds since the epoch (multiplied as a Java long).
                t = try lx.scanNumber().int64.map { $0 &* 1_000_000 }
            } else {
                return try mismatch(&lx)
            }
            guard let v = t else { return .failed }
            col.pointee.i64s.append(v)
            col.pointee.count += 1
            return .ok
        case .date:
            guard isString else { return try mismatch(&lx) }
            let s = try lx.scanString()
            let f = dateFormat
            guard let d = withText(lx, s, { b, n in n > 0 ? JSONConverter.parseDate(b, n, f) : nil }) else { return .failed }
            col.pointee.i32s.append(d)
            col.pointee.count += 1
            return .ok
        case .binary:
            guard isString else { return try mismatch(&lx) }
            let s = try lx.scanString()
            var out = [UInt8]()
            guard withText(lx, s, { b, n in JSONConverter.base64Decode(b, n, into: &out) }) else { return .failed }
            col.pointee.bytes.append(contentsOf: out)
            col.pointee.offsets.append(Int32(truncatingIfNeeded: col.pointee.bytes.count))
            col.pointee.count += 1
            return .ok
        case .structure:
            guard c == UInt8(ascii: "{") else { return try mismatch(&lx) }
            return try object(&lx, col)
        case .array:
            guard c == UInt8(ascii: "[") else { return try mismatch(&lx) }
            return try array(&lx, col)
        case .map:
            guard c == UInt8(ascii: "{") else { return try mismatch(&lx) }
            return try map(&lx, col)
        case .null:
            try lx.skipValue()
            col.pointee.appendNull()
            return .ok
        }
    }

    @inline(__always)
    static func startsNumber(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "-") || c &- 48 <= 9 || c == UInt8(ascii: "N") || c == UInt8(ascii: "I") || c == UInt8(ascii: "+")
    }

    /// A value of the wrong kind: stepped over (so syntax errors still surface), then failed.
    mutating func mismatch(_ lx: inout JSONLexer) throws(JSONSyntaxError) -> Status {
        try lx.skipValue()
        return .failed
    }

    /// Correctly rounded text-to-binary conversion (the JVM's, for numbers the fast
    /// path does not take).
    static func slowDouble(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Double {
        Double(String(decoding: UnsafeBufferPointer(start: b + s, count: e - s), as: UTF8.self)) ?? .nan
    }

    static func slowFloat(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Float {
        Float(String(decoding: UnsafeBufferPointer(start: b + s, count: e - s), as: UTF8.self)) ?? .nan
    }

    /// Calls `body` with the decoded bytes of a scanned string.
    @inline(__always)
    mutating func withText<R>(
        _ lx: JSONLexer, _ s: (start: Int, end: Int, plain: Bool), _ body: (UnsafePointer<UInt8>, Int) -> R
    ) -> R {
        lx.withName(s, &scratch, body)
    }

    /// The strings Spark reads as NaN and infinities (with allowNonNumericNumbers).
    static func specialDouble(_ b: UnsafePointer<UInt8>, _ n: Int, _ nonNumeric: Bool) -> Double? {
        guard nonNumeric else { return nil }
        switch String(decoding: UnsafeBufferPointer(start: b, count: n), as: UTF8.self) {
        case "NaN": return .nan
        case "+INF", "+Infinity", "Infinity": return .infinity
        case "-INF", "-Infinity": return -.infinity
        default: return nil
        }
    }

    static func parseTimestamp(_ b: UnsafePointer<UInt8>, _ n: Int, _ timestampFormat: DateTimePattern?, _ zone: SessionTimeZone) -> Int64? {
        if let f = timestampFormat { return f.parseTimestamp(bytes: UnsafeBufferPointer(start: b, count: n), zone: zone) }
        return CSVParse.timestamp(b, 0, n, zone: zone)
    }

    /// A date by the pattern, or by CAST rules and then (Spark's legacy fallback) as a
    /// number of days since the epoch.
    static func parseDate(_ b: UnsafePointer<UInt8>, _ n: Int, _ dateFormat: DateTimePattern?) -> Int32? {
        if let f = dateFormat { return f.parseDate(bytes: UnsafeBufferPointer(start: b, count: n)) }
        if let d = CSVParse.date(b, 0, n) { return d }
        return CSVParse.int64(b, 0, n).flatMap { Int32(exactly: $0) }
    }

    /// Standard base64 with padding (Jackson's default variant, as Spark reads binary).
    static func base64Decode(_ b: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt8]) -> Bool {
        guard n % 4 == 0 else { return false }
        out.reserveCapacity(n / 4 * 3)
        var i = 0
        while i < n {
            var v: UInt32 = 0
            var pad = 0
            for k in 0..<4 {
                let c = b[i + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt32(c - 65)
                case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt32(c - 71)
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c) + 4
                case UInt8(ascii: "+"): d = 62
                case UInt8(ascii: "/"): d = 63
                case UInt8(ascii: "="):
                    // Padding only as the last one or two characters of the text.
                    guard i + 4 == n, k >= 2 else { return false }
                    if k == 2, b[i + 3] != UInt8(ascii: "=") { return false }
                    pad += 1
                    d = 0
                default: return false
                }
                if pad > 0, c != UInt8(ascii: "=") { return false }
                v = v << 6 | d
            }
            out.append(UInt8(truncatingIfNeeded: v >> 16))
            if pad < 2 { out.append(UInt8(truncatingIfNeeded: v >> 8)) }
            if pad < 1 { out.append(UInt8(truncatingIfNeeded: v)) }
            i += 4
        }
        return true
    }

    // MARK: Containers

    /// An object into a struct column: members matched by exact name (the last of
    /// duplicates wins), unknown members stepped over, missing ones NULL.
    mutating func object(_ lx: inout JSONLexer, _ col: UnsafeMutablePointer<JSONColumnBuffer>) throws(JSONSyntaxError) -> Status {
        try lx.open()
        let r = col.pointee.count
        let n = col.pointee.childCount
        let children = col.pointee.children
        var bad = false
        if !(try lx.closesAtOnce(UInt8(ascii: "}"))) {
            var hint = 0
            repeat {
                try lx.skipSpace()
                let k: Int
                // Members usually come in schema order: try the expected name's bytes first.
                if lx.pos < lx.end, lx.b[lx.pos] == UInt8(ascii: "\""), let after = col.pointee.fields.matchQuoted(hint, lx.b, lx.pos, lx.end) {
                    lx.pos = after
                    k = hint
                } else {
                    k = try lookupName(&lx, col, hint)
                }
                try lx.skipSpace()
                try lx.expect(UInt8(ascii: ":"), "expected a colon after a field name")
                if k < 0 {
                    try lx.skipValue()
                } else if let children {
                    let child = children + k
                    if child.pointee.count > r { child.pointee.truncate(r) }
                    if try value(&lx, child) != .ok { bad = true }
                    hint = k + 1
                }
            } while try lx.next(UInt8(ascii: "}"))
        }
        if let children {
            for k in 0..<n where children[k].count == r { children[k].appendNull() }
        }
        col.pointee.count += 1
        return bad ? .partial : .ok
    }

    /// Scans a member name and finds its field (-1 when the struct has none of that name).
    mutating func lookupName(
        _ lx: inout JSONLexer, _ col: UnsafeMutablePointer<JSONColumnBuffer>, _ hint: Int
    ) throws(JSONSyntaxError) -> Int {
        let name = try lx.scanName()
        if name.plain { return col.pointee.fields.find(lx.b + name.start, name.end - name.start, hint: hint) }
        let fields = col.pointee.fields
        return lx.withName(name, &scratch) { p, len in fields.find(p, len, hint: hint) }
    }

    /// An array into a list column. An element that does not convert fails the whole
    /// array; partially converted elements are kept.
    mutating func array(_ lx: inout JSONLexer, _ col: UnsafeMutablePointer<JSONColumnBuffer>) throws(JSONSyntaxError) -> Status {
        try lx.open()
        guard let child = col.pointee.children else { throw lx.fail("internal: list column without an element column") }
        let start = child.pointee.count
        var partial = false
        if !(try lx.closesAtOnce(UInt8(ascii: "]"))) {
            repeat {
                let st = try value(&lx, child)
                if st == .failed {
                    while try lx.next(UInt8(ascii: "]")) { try lx.skipValue() }
                    child.pointee.truncate(start)
                    return .failed
                }
                if st == .partial { partial = true }
            } while try lx.next(UInt8(ascii: "]"))
        }
        col.pointee.closeNested()
        return partial ? .partial : .ok
    }

    /// An object into a map column (string keys, duplicates kept). A value that does not
    /// convert fails the whole map.
    mutating func map(_ lx: inout JSONLexer, _ col: UnsafeMutablePointer<JSONColumnBuffer>) throws(JSONSyntaxError) -> Status {
        try lx.open()
        guard let kv = col.pointee.children, col.pointee.childCount == 2 else {
            throw lx.fail("internal: map column without key and value columns")
        }
        let keys = kv, values = kv + 1
        let start = keys.pointee.count
        var failed = false, partial = false
        if !(try lx.closesAtOnce(UInt8(ascii: "}"))) {
            repeat {
                try lx.skipSpace()
                let name = try lx.scanName()
                try lx.skipSpace()
                try lx.expect(UInt8(ascii: ":"), "expected a colon after a field name")
                if failed {
                    try lx.skipValue()
                    continue
                }
                keys.pointee.appendString(lx.b, name)
                switch try value(&lx, values) {
                case .failed: failed = true
                case .partial: partial = true
                case .ok: break
                }
            } while try lx.next(UInt8(ascii: "}"))
        }
        if failed {
            keys.pointee.truncate(start)
            values.pointee.truncate(start)
            return .failed
        }
        col.pointee.closeNested()
        return partial ? .partial : .ok
    }
}
