import EmberCore

/// Field boundaries of the record being parsed, reused across records so that the
/// per-row work does not allocate. A struct over raw pointers (passed `inout`) keeps the
/// hot loop free of the dynamic exclusivity checks a class property would cost; the
/// owner calls `release()`.
struct FieldBuffer {
    static let quoted: UInt8 = 1  // the field was enclosed in quotes
    static let unescape: UInt8 = 2  // its content holds escaped or doubled quotes

    private(set) var capacity: Int
    private(set) var starts: UnsafeMutablePointer<Int>
    private(set) var ends: UnsafeMutablePointer<Int>
    private(set) var flags: UnsafeMutablePointer<UInt8>
    var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        starts = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
        flags = .allocate(capacity: capacity)
    }

    func release() {
        starts.deallocate()
        ends.deallocate()
        flags.deallocate()
    }

    @inline(__always)
    mutating func append(_ s: Int, _ e: Int, _ f: UInt8) {
        if count == capacity { grow() }
        starts[count] = s
        ends[count] = e
        flags[count] = f
        count += 1
    }

    private mutating func grow() {
        let n = capacity * 2
        let s = UnsafeMutablePointer<Int>.allocate(capacity: n)
        let e = UnsafeMutablePointer<Int>.allocate(capacity: n)
        let f = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        s.update(from: starts, count: count)
        e.update(from: ends, count: count)
        f.update(from: flags, count: count)
        release()
        starts = s; ends = e; flags = f
        capacity = n
    }
}

/// Splits CSV bytes into records and fields the way Spark's univocity settings do:
/// quotes group delimiters (and, with multiLine, line breaks); inside quotes the escape
/// character escapes a quote or itself; a quote that does not close the field makes the
/// field raw text up to the next delimiter (univocity's STOP_AT_DELIMITER); `\n`, `\r\n`
/// and `\r` end records; blank, whitespace-only and comment lines are skipped.
struct CSVTokenizer {
    let delimiter: UInt8
    let quote: Int  // -1 when quoting is off, so comparisons with a byte never match
    let escape: Int
    let comment: Int
    let newline1: UInt8
    let newline2: UInt8
    let multiLine: Bool
    let trimLeading: Bool
    let trimTrailing: Bool
    let delimiterMask: UInt64
    let newline1Mask: UInt64
    let newline2Mask: UInt64
    /// The quote and escape bytes in every lane (the quote's for a missing escape).
    let quoteMask: UInt64
    let escapeMask: UInt64

    init(_ o: CSVOptions) {
        delimiter = o.delimiter
        quote = o.quote.map(Int.init) ?? -1
        escape = o.escape.map(Int.init) ?? -1
        comment = o.comment.map(Int.init) ?? -1
        if let sep = o.lineSep, sep.count == 1 {
            newline1 = sep[0]; newline2 = sep[0]
        } else {
            newline1 = UInt8(ascii: "\n"); newline2 = UInt8(ascii: "\r")
        }
        multiLine = o.multiLine
        trimLeading = o.ignoreLeadingWhiteSpace ?? false
        trimTrailing = o.ignoreTrailingWhiteSpace ?? false
        delimiterMask = UInt64(delimiter) &* 0x0101_0101_0101_0101
        newline1Mask = UInt64(newline1) &* 0x0101_0101_0101_0101
        newline2Mask = UInt64(newline2) &* 0x0101_0101_0101_0101
        let q = UInt8(truncatingIfNeeded: quote)
        quoteMask = UInt64(q) &* 0x0101_0101_0101_0101
        escapeMask = escape >= 0 ? UInt64(UInt8(truncatingIfNeeded: escape)) &* 0x0101_0101_0101_0101 : quoteMask
    }

    /// High bit set in each zero byte of `x` (exact for the lowest one).
    @inline(__always)
    func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// High bit set in each zero byte of `x`, exactly (no borrow between bytes).
    @inline(__always)
    func exactZeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    @inline(__always)
    func isNewline(_ c: UInt8) -> Bool { c == newline1 || c == newline2 }

    /// The two bytes that end records (the same byte twice for a one-byte `lineSep`).
    var terminators: (UInt8, UInt8) { (newline1, newline2) }

    /// Position just past the line terminator at `i` (`\r\n` counts as one).
    @inline(__always)
    func skipTerminator(_ b: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        if b[i] == UInt8(ascii: "\r"), newline1 != newline2, i + 1 < n,
            b[i + 1] == UInt8(ascii: "\n")
        {
            return i + 2
        }
        return i + 1
    }

    /// Skips blank, whitespace-only and comment lines; returns the start of the next record or `n`.
    func skipBlank(_ b: UnsafePointer<UInt8>, _ n: Int, _ start: Int) -> Int {
        var pos = start
        while pos < n {
            var i = pos
            if Int(b[i]) == comment {
                while i < n, !isNewline(b[i]) { i += 1 }
                pos = i < n ? skipTerminator(b, n, i) : n
                continue
            }
            while i < n, b[i] <= 32, !isNewline(b[i]) { i += 1 }
            if i < n, !isNewline(b[i]) { return pos }
            pos = i < n ? skipTerminator(b, n, i) : n
        }
        return n
    }

    /// Position of the first record start after `from - 1`: just past the first line
    /// terminator at or after `from` (Hadoop's rule for splits that start mid-file).
    func firstLineStart(_ b: UnsafePointer<UInt8>, _ n: Int, from: Int) -> Int {
        var i = from
        while i < n, !isNewline(b[i]) { i += 1 }
        return i < n ? skipTerminator(b, n, i) : n
    }

    /// Parses the record starting at `start` into `f`. Returns where the record's text
    /// ends (before its terminator) and where the next record starts.
    func record(_ b: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ f: inout FieldBuffer) -> (end: Int, next: Int) {
        f.count = 0
        var pos = start
        let wordScan = !trimLeading && !trimTrailing
        while true {
            if wordScan, pos < n, Int(b[pos]) != quote {
                // Hot loop for unquoted fields: find every delimiter and line break of 8
                // bytes at once and cut fields at them, so that short and empty fields cost
                // no per-byte work. Hands over to the per-field path below at a field that
                // opens with a quote and for the last few bytes of the input.
                var fs = pos, i = pos
                words: while i + 8 <= n {
                    let w = UInt64(littleEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self))
                    var m = exactZeroBytes(w ^ delimiterMask) | exactZeroBytes(w ^ newline1Mask) | exactZeroBytes(w ^ newline2Mask)
                    while m != 0 {
                        let p = i &+ (m.trailingZeroBitCount &>> 3)
                        f.append(fs, p, 0)
                        if b[p] != delimiter { return (p, skipTerminator(b, n, p)) }
                        fs = p &+ 1
                        if fs < n, Int(b[fs]) == quote { break words }
                        m &= m &- 1
                    }
                    i &+= 8
                }
                pos = fs
            }
            let fieldStart = pos
            if trimLeading {
                while pos < n, b[pos] == 32 || b[pos] == 9, b[pos] != delimiter { pos += 1 }
            }
            if pos < n, Int(b[pos]) == quote {
                pos = quotedField(b, n, fieldStart, pos, &f)
            } else {
                var i = pos
                // Skip 8 bytes at a time while none is a delimiter or line break (SWAR
                // zero-byte test; the lowest flagged byte is always exact).
                while i + 8 <= n {
                    let w = UInt64(littleEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self))
                    let m = zeroBytes(w ^ delimiterMask) | zeroBytes(w ^ newline1Mask) | zeroBytes(w ^ newline2Mask)
                    if m != 0 { i += m.trailingZeroBitCount >> 3; break }
                    i += 8
                }
                while i < n {
                    let c = b[i]
                    if c == delimiter || c == newline1 || c == newline2 { break }
                    i += 1
                }
                var e = i
                if trimTrailing { while e > pos, b[e - 1] == 32 || b[e - 1] == 9 { e -= 1 } }
                f.append(pos, e, 0)
                pos = i
            }
            if pos < n, b[pos] == delimiter {
                pos += 1
                continue
            }
            return (pos, pos < n ? skipTerminator(b, n, pos) : n)
        }
    }

    /// A field opening with a quote at `open`; appends it and returns the position after it.
    private func quotedField(_ b: UnsafePointer<UInt8>, _ n: Int, _ fieldStart: Int, _ open: Int, _ f: inout FieldBuffer) -> Int {
        var i = open + 1
        var flag = FieldBuffer.quoted
        let q = UInt8(truncatingIfNeeded: quote)
        while i < n {
            // Skip 8 bytes at a time while none is a quote, an escape or (without
            // multiLine) a line break; the lowest flagged byte is exact.
            while i + 8 <= n {
                let w = UInt64(littleEndian: UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self))
                var m = zeroBytes(w ^ quoteMask) | zeroBytes(w ^ escapeMask)
                if !multiLine { m |= zeroBytes(w ^ newline1Mask) | zeroBytes(w ^ newline2Mask) }
                if m != 0 { i += m.trailingZeroBitCount >> 3; break }
                i += 8
            }
            if i >= n { break }
            let c = b[i]
            if c == q {
                if escape == quote, i + 1 < n, b[i + 1] == q {
                    flag |= FieldBuffer.unescape; i += 2; continue
                }
                // A closing quote may be followed by blanks before the delimiter.
                var j = i + 1
                while j < n, b[j] == 32 || b[j] == 9, b[j] != delimiter { j += 1 }
                if j >= n || b[j] == delimiter || isNewline(b[j]) {
                    f.append(open + 1, i, flag)
                    return j
                }
                return rawField(b, n, fieldStart, &f)
            }
            if Int(c) == escape, i + 1 < n, b[i + 1] == q || Int(b[i + 1]) == escape {
                flag |= FieldBuffer.unescape; i += 2; continue
            }
            if !multiLine, isNewline(c) { break }
            i += 1
        }
        // Unterminated: the content runs to the end of the line (or of the input).
        f.append(open + 1, i, flag)
        return i
    }

    /// The field as raw text from `start` to the next delimiter or line end.
    private func rawField(_ b: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ f: inout FieldBuffer) -> Int {
        var i = start
        while i < n, b[i] != delimiter, !isNewline(b[i]) { i += 1 }
        var e = i
        if trimTrailing { while e > start, b[e - 1] == 32 || b[e - 1] == 9 { e -= 1 } }
        f.append(start, e, 0)
        return i
    }

    /// Appends the content of a field with escapes resolved.
    func appendUnescaped(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8]) {
        var i = s
        while i < e {
            let c = b[i]
            if Int(c) == escape, i + 1 < e, Int(b[i + 1]) == quote || Int(b[i + 1]) == escape {
                out.append(b[i + 1]); i += 2; continue
            }
            out.append(c); i += 1
        }
    }

    /// Writes the content of `[s, e)` with escapes resolved to `out` (room for `e - s`
    /// bytes); returns the number of bytes written.
    @inline(__always)
    func unescape(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var i = s, n = 0
        while i < e {
            let c = b[i]
            if Int(c) == escape, i + 1 < e, Int(b[i + 1]) == quote || Int(b[i + 1]) == escape {
                out[n] = b[i + 1]; n += 1; i += 2; continue
            }
            out[n] = c; n += 1; i += 1
        }
        return n
    }

    /// The text of field `k` (slow path: headers, error messages, inference fallbacks).
    func string(_ b: UnsafePointer<UInt8>, _ f: FieldBuffer, _ k: Int) -> String {
        let s = f.starts[k], e = f.ends[k]
        if f.flags[k] & FieldBuffer.unescape != 0 {
            var tmp: [UInt8] = []
            appendUnescaped(b, s, e, into: &tmp)
            return String(decoding: tmp, as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(start: b + s, count: e - s), as: UTF8.self)
    }
}
