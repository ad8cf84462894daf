import EmberCore

/// A syntax error in one JSON record: what went wrong and at which byte of the buffer.
struct JSONSyntaxError: Error {
    var message: StaticString
    var offset: Int
}

/// Which non-standard syntax the lexer accepts (Jackson's parser features as Spark's
/// JSON options set them).
struct JSONSyntax {
    var comments = false
    var unquotedNames = false
    var singleQuotes = true
    var leadingZeros = false
    var nonNumeric = true
    var anyEscape = false
    var controlChars = false

    init(_ o: JSONOptions) {
        comments = o.allowComments
        unquotedNames = o.allowUnquotedFieldNames
        singleQuotes = o.allowSingleQuotes
        leadingZeros = o.allowNumericLeadingZeros
        nonNumeric = o.allowNonNumericNumbers
        anyEscape = o.allowBackslashEscapingAnyCharacter
        controlChars = o.allowUnquotedControlChars
    }
}

/// A number token: its text `[start, end)` and what kind of number it is.
struct JSONNumber {
    enum Kind { case int, float, nan, posInf, negInf }
    var start: Int
    var end: Int
    var kind: Kind
    /// For `.int`: the magnitude when it fits 64 bits (`fits`), and the sign.
    var magnitude: UInt64
    var fits: Bool
    var negative: Bool
    /// Digits before the point (leading zeros dropped), for Jackson's INT/LONG/BIG_INTEGER.
    var intDigits: Int

    /// The value as a Java long (Jackson's `getLongValue` on an integer token).
    var int64: Int64? {
        guard kind == .int, fits else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}

/// A byte-level JSON tokenizer over `[pos, end)` of a buffer, in the manner of Jackson's
/// UTF-8 parser: strict RFC 8259 by default plus the features in `JSONSyntax`, nesting
/// capped at 1000 levels and numbers at 1000 digits (Jackson's stream read constraints),
/// UTF-8 validated inside strings. It never reads outside `[pos, end)`.
struct JSONLexer {
    static let maxDepth = 1000
    static let maxNumberLength = 1000

    let b: UnsafePointer<UInt8>
    var pos: Int
    let end: Int
    let syntax: JSONSyntax
    var depth = 0

    init(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ syntax: JSONSyntax) {
        self.b = b
        pos = start
        self.end = end
        self.syntax = syntax
    }

    @inline(__always)
    func fail(_ message: StaticString) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: pos) }

    /// The byte at the cursor, or 0 at the end.
    @inline(__always)
    var peek: UInt8 { pos < end ? b[pos] : 0 }

    @inline(__always)
    mutating func skipSpace() throws(JSONSyntaxError) {
        while pos < end {
            let c = b[pos]
            if c == 32 || c == 10 || c == 13 || c == 9 {
                pos += 1
            } else if c == UInt8(ascii: "/"), syntax.comments {
                try skipComment()
            } else {
                return
            }
        }
    }

    mutating func skipComment() throws(JSONSyntaxError) {
        guard pos + 1 < end else { throw fail("unexpected end of input in a comment") }
        if b[pos + 1] == UInt8(ascii: "/") {
            pos += 2
            while pos < end, b[pos] != 10, b[pos] != 13 { pos += 1 }
        } else if b[pos + 1] == UInt8(ascii: "*") {
            pos += 2
            while true {
                guard pos + 1 < end else { throw fail("unterminated comment") }
                if b[pos] == UInt8(ascii: "*"), b[pos + 1] == UInt8(ascii: "/") { pos += 2; return }
                pos += 1
            }
        } else {
            throw fail("unexpected character '/'")
        }
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ message: StaticString) throws(JSONSyntaxError) {
        guard pos < end, b[pos] == c else { throw fail(message) }
        pos += 1
    }

    /// Enters an object or array (the opening bracket is at the cursor).
    @inline(__always)
    mutating func open() throws(JSONSyntaxError) {
        depth += 1
        if depth > JSONLexer.maxDepth { throw fail("nesting depth exceeds the maximum allowed (1000)") }
        pos += 1
    }

    /// After a member or element: true at `,` (consumed), false at `close` (consumed).
    @inline(__always)
    mutating func next(_ close: UInt8) throws(JSONSyntaxError) -> Bool {
        try skipSpace()
        guard pos < end else { throw fail("unexpected end of input in a container") }
        let c = b[pos]
        pos += 1
        if c == UInt8(ascii: ",") { return true }
        if c == close { depth -= 1; return false }
        pos -= 1
        throw fail("expected a comma or the end of the container")
    }

    /// After an opening bracket: true if the container is empty (closing bracket consumed).
    @inline(__always)
    mutating func closesAtOnce(_ close: UInt8) throws(JSONSyntaxError) -> Bool {
        try skipSpace()
        if pos < end, b[pos] == close { pos += 1; depth -= 1; return true }
        return false
    }

    // MARK: Strings

    /// Scans the string whose opening quote is at the cursor; returns its raw content
    /// range and whether those bytes are the decoded value as they are (no escapes, only
    /// canonical UTF-8). The cursor ends past the closing quote.
    @inline(__always)
    mutating func scanString() throws(JSONSyntaxError) -> (start: Int, end: Int, plain: Bool) {
        let q = b[pos]
        pos += 1
        let s = pos
        var plain = true
        let qMask = UInt64(q) &* 0x0101_0101_0101_0101
        while true {
            // Eight bytes at a time while none is a quote, a backslash, a control or a non-ASCII byte.
            while pos + 8 <= end {
                let w = UInt64(littleEndian: UnsafeRawPointer(b + pos).loadUnaligned(as: UInt64.self))
                let m = LineSplits.zeroBytes(w ^ qMask) | LineSplits.zeroBytes(w ^ 0x5C5C_5C5C_5C5C_5C5C)
                    | ((w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080) | (w & 0x8080_8080_8080_8080)
                if m != 0 { pos += m.trailingZeroBitCount >> 3; break }
                pos += 8
            }
            guard pos < end else { throw fail("unterminated string") }
            let c = b[pos]
            if c == q {
                pos += 1
                return (s, pos - 1, plain)
            }
            if c == UInt8(ascii: "\\") {
                plain = false
                try scanEscape()
            } else if c < 0x20 {
                guard syntax.controlChars else { throw fail("unescaped control character in a string") }
                pos += 1
            } else if c >= 0x80 {
                if !(try scanUTF8()) { plain = false }
            } else {
                pos += 1
            }
        }
    }

    /// Validates the escape at the cursor and steps over it.
    @inline(__always)
    mutating func scanEscape() throws(JSONSyntaxError) {
        guard pos + 1 < end else { throw fail("unterminated string") }
        switch b[pos + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            pos += 2
        case UInt8(ascii: "u"):
            guard pos + 6 <= end else { throw fail("unterminated unicode escape") }
            for k in 2..<6 where JSONLexer.hex(b[pos + k]) < 0 { throw fail("invalid unicode escape") }
            pos += 6
        case UInt8(ascii: "'") where syntax.singleQuotes || syntax.anyEscape:
            pos += 2
        case let c where syntax.anyEscape:
            // The escaped character is taken as it is; a multi-byte one is validated as content.
            pos += c < 0x80 ? 2 : 1
        default:
            throw fail("unrecognized character escape")
        }
    }

    @inline(__always)
    static func hex(_ c: UInt8) -> Int {
        if c &- 48 <= 9 { return Int(c &- 48) }
        let l = c | 0x20
        if l &- 97 <= 5 { return Int(l &- 87) }
        return -1
    }

    /// Validates the multi-byte UTF-8 sequence at the cursor (Jackson's decoding: the
    /// lead byte fixes the length, continuation bytes must follow). Returns false for a
    /// sequence that is valid for Jackson but not canonical (overlong, surrogate), which
    /// the decoder rewrites.
    @inline(__always)
    mutating func scanUTF8() throws(JSONSyntaxError) -> Bool {
        let c = b[pos]
        let n: Int
        if c & 0xE0 == 0xC0 { n = 2 } else if c & 0xF0 == 0xE0 { n = 3 } else if c & 0xF8 == 0xF0 { n = 4 } else {
            throw fail("invalid UTF-8 start byte")
        }
        guard pos + n <= end else { throw fail("truncated UTF-8 sequence") }
        for k in 1..<n where b[pos + k] & 0xC0 != 0x80 { throw fail("invalid UTF-8 middle byte") }
        var canonical = true
        switch n {
        case 2: canonical = c >= 0xC2
        case 3:
            let c1 = b[pos + 1]
            canonical = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0)
        default:
            let cp = (UInt32(c & 0x07) << 18) | (UInt32(b[pos + 1] & 0x3F) << 12)
            guard cp >= 0x10000, cp <= 0x10FFFF else { throw fail("invalid UTF-8 code point") }
        }
        pos += n
        return canonical
    }

    /// Appends the decoded value of string content `[s, e)` (already validated by
    /// `scanString`) as UTF-8. Like Java, a surrogate left unpaired becomes `?`.
    static func decode(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8]) {
        var i = s
        var pendingHigh: UInt32 = 0
        @inline(__always) func unit(_ u: UInt32, _ out: inout [UInt8]) {
            if pendingHigh != 0 {
                if u >= 0xDC00, u <= 0xDFFF {
                    appendScalar(0x10000 + ((pendingHigh - 0xD800) << 10) + (u - 0xDC00), &out)
                    pendingHigh = 0
                    return
                }
                out.append(UInt8(ascii: "?"))
                pendingHigh = 0
            }
            if u >= 0xD800, u <= 0xDBFF { pendingHigh = u; return }
            if u >= 0xDC00, u <= 0xDFFF { out.append(UInt8(ascii: "?")); return }
            appendScalar(u, &out)
        }
        while i < e {
            let c = b[i]
            if c == UInt8(ascii: "\\"), i + 1 < e {
                let x = b[i + 1]
                switch x {
                case UInt8(ascii: "b"): unit(8, &out); i += 2
                case UInt8(ascii: "f"): unit(12, &out); i += 2
                case UInt8(ascii: "n"): unit(10, &out); i += 2
                case UInt8(ascii: "r"): unit(13, &out); i += 2
                case UInt8(ascii: "t"): unit(9, &out); i += 2
                case UInt8(ascii: "u") where i + 6 <= e:
                    var v: UInt32 = 0
                    for k in 2..<6 { v = v << 4 | UInt32(max(0, hex(b[i + k]))) }
                    unit(v, &out)
                    i += 6
                default:
                    if x < 0x80 { unit(UInt32(x), &out); i += 2 } else { i += 1 }
                }
            } else if c < 0x80 {
                unit(UInt32(c), &out)
                i += 1
            } else {
                var v: UInt32
                var n: Int
                if c & 0xE0 == 0xC0 { v = UInt32(c & 0x1F); n = 2 } else if c & 0xF0 == 0xE0 { v = UInt32(c & 0x0F); n = 3 } else {
                    v = UInt32(c & 0x07); n = 4
                }
                n = min(n, e - i)
                for k in 1..<max(1, n) { v = v << 6 | UInt32(b[i + k] & 0x3F) }
                if v >= 0x10000 {
                    if pendingHigh != 0 { out.append(UInt8(ascii: "?")); pendingHigh = 0 }
                    appendScalar(v, &out)
                } else {
                    unit(v, &out)
                }
                i += max(1, n)
            }
        }
        if pendingHigh != 0 { out.append(UInt8(ascii: "?")) }
    }

    @inline(__always)
    static func appendScalar(_ v: UInt32, _ out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        } else {
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | (v >> 12) & 0x3F))
            out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }

    /// Scans an object member name at the cursor: quoted, or (with `unquotedNames`) a run
    /// of identifier characters. The cursor ends past the name.
    @inline(__always)
    mutating func scanName() throws(JSONSyntaxError) -> (start: Int, end: Int, plain: Bool) {
        guard pos < end else { throw fail("unexpected end of input, expected a field name") }
        let c = b[pos]
        if c == UInt8(ascii: "\"") || (c == UInt8(ascii: "'") && syntax.singleQuotes) { return try scanString() }
        guard syntax.unquotedNames, JSONLexer.isNameByte(c) else { throw fail("expected a field name") }
        let s = pos
        while pos < end, JSONLexer.isNameByte(b[pos]) { pos += 1 }
        return (s, pos, true)
    }

    /// Characters of an unquoted field name (Jackson: Java identifier parts, `@ # * - +`,
    /// and any non-ASCII byte).
    @inline(__always)
    static func isNameByte(_ c: UInt8) -> Bool {
        if c >= 0x80 { return true }
        let l = c | 0x20
        if l &- 97 <= 25 || c &- 48 <= 9 { return true }
        switch c {
        case UInt8(ascii: "_"), UInt8(ascii: "$"), UInt8(ascii: "@"), UInt8(ascii: "#"), UInt8(ascii: "*"),
            UInt8(ascii: "-"), UInt8(ascii: "+"), 0x7F:
            return true
        default: return false
        }
    }

    /// A scanned name's (or string's) decoded bytes: the raw range when plain, else decoded into `scratch`.
    /// Calls `body` with a pointer and length valid only during the call.
    @inline(__always)
    func withName<R>(
        _ name: (start: Int, end: Int, plain: Bool), _ scratch: inout [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R
    ) -> R {
        if name.plain { return body(b + name.start, name.end - name.start) }
        scratch.removeAll(keepingCapacity: true)
        JSONLexer.decode(b, name.start, name.end, into: &scratch)
        return scratch.withUnsafeBufferPointer { p in
            // An empty array may have no storage; any valid pointer will do for length 0.
            body(p.baseAddress ?? b, p.count)
        }
    }

    // MARK: Numbers and literals

    /// Scans the number at the cursor (which is at `-`, `+`, a digit, `N` or `I`).
    mutating func scanNumber() throws(JSONSyntaxError) -> JSONNumber {
        let s = pos
        var neg = false
        var c = b[pos]
        if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            neg = c == UInt8(ascii: "-")
            pos += 1
            guard pos < end else { throw fail("no digit after a sign") }
            c = b[pos]
            if c == UInt8(ascii: "I") {
                guard syntax.nonNumeric, matchWord("Infinity") || matchWord("INF") else { throw fail("invalid number") }
                return JSONNumber(start: s, end: pos, kind: neg ? .negInf : .posInf, magnitude: 0, fits: false, negative: neg, intDigits: 0)
            }
            // A leading '+' is not JSON.
            if !neg { pos = s; throw fail("leading '+' is not allowed") }
        } else if c == UInt8(ascii: "N") || c == UInt8(ascii: "I") {
            let ok = c == UInt8(ascii: "N") ? matchWord("NaN") : matchWord("Infinity")
            guard ok, syntax.nonNumeric else { throw fail("unrecognized token") }
            return JSONNumber(start: s, end: pos, kind: c == UInt8(ascii: "N") ? .nan : .posInf, magnitude: 0, fits: false, negative: false, intDigits: 0)
        }
        guard c &- 48 <= 9 else { throw fail("invalid number") }
        if c == 48, pos + 1 < end, b[pos + 1] &- 48 <= 9 {
            guard syntax.leadingZeros else { throw fail("leading zeroes are not allowed") }
            while pos + 1 < end, b[pos] == 48, b[pos + 1] &- 48 <= 9 { pos += 1 }
        }
        var mag: UInt64 = 0
        var fits = true
        let intStart = pos
        while pos < end {
            let d = b[pos] &- 48
            if d > 9 { break }
            let (m, o1) = mag.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { fits = false }
            mag = a
            pos += 1
        }
        let intDigits = pos - intStart
        var frac = 0, exp = 0
        var kind = JSONNumber.Kind.int
        if pos < end, b[pos] == UInt8(ascii: ".") {
            pos += 1
            let f = pos
            while pos < end, b[pos] &- 48 <= 9 { pos += 1 }
            frac = pos - f
            guard frac > 0 else { throw fail("a decimal point must be followed by a digit") }
            kind = .float
        }
        if pos < end, b[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < end, b[pos] == UInt8(ascii: "-") || b[pos] == UInt8(ascii: "+") { pos += 1 }
            let x = pos
            while pos < end, b[pos] &- 48 <= 9 { pos += 1 }
            exp = pos - x
            guard exp > 0 else { throw fail("an exponent must have a digit") }
            kind = .float
        }
        if kind == .int {
            if intDigits > JSONLexer.maxNumberLength { throw fail("number length exceeds the maximum allowed (1000)") }
        } else if intDigits + frac + exp > JSONLexer.maxNumberLength {
            throw fail("number length exceeds the maximum allowed (1000)")
        }
        return JSONNumber(start: s, end: pos, kind: kind, magnitude: mag, fits: fits, negative: neg, intDigits: intDigits)
    }

    /// Matches `word` at the cursor, not followed by a name character.
    @inline(__always)
    mutating func matchWord(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard pos + n <= end else { return false }
        let w = word.utf8Start
        for k in 0..<n where b[pos + k] != w[k] { return false }
        if pos + n < end {
            let c = b[pos + n]
            if c >= 0x80 || (c | 0x20) &- 97 <= 25 || c &- 48 <= 9 || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") {
                return false
            }
        }
        pos += n
        return true
    }

    /// `true`, `false` or `null` at the cursor.
    @inline(__always)
    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        guard matchWord(word) else { throw fail("unrecognized token") }
    }

    // MARK: Skipping

    /// Steps over the value at the cursor (after blanks), validating it.
    mutating func skipValue() throws(JSONSyntaxError) {
        try skipSpace()
        guard pos < end else { throw fail("unexpected end of input, expected a value") }
        switch b[pos] {
        case UInt8(ascii: "{"):
            try open()
            if try closesAtOnce(UInt8(ascii: "}")) { return }
            repeat {
                try skipSpace()
                _ = try scanName()
                try skipSpace()
                try expect(UInt8(ascii: ":"), "expected a colon after a field name")
                try skipValue()
            } while try next(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            try open()
            if try closesAtOnce(UInt8(ascii: "]")) { return }
            repeat { try skipValue() } while try next(UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "'") where syntax.singleQuotes:
            _ = try scanString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            _ = try scanNumber()
        }
    }
}
