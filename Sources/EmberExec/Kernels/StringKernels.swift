import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Kernels of Spark's string functions. Strings are handled as UTF-8 bytes; "characters"
/// are code points, as Spark's `UTF8String` counts them (a lead byte and its continuation
/// bytes). Non-ASCII case mapping goes through Swift's Unicode tables.
enum StringKernels {
    static let all: [(String, ScalarKernel)] = [
        ("lower", { k in caseMap(k, upper: false) }),
        ("upper", { k in caseMap(k, upper: true) }),
        ("initcap", initcap),
        ("trim", { k in trim(k, left: true, right: true, trimFirst: true) }),
        ("ltrim", { k in trim(k, left: true, right: false, trimFirst: true) }),
        ("rtrim", { k in trim(k, left: false, right: true, trimFirst: true) }),
        ("btrim", { k in trim(k, left: true, right: true, trimFirst: false) }),
        ("length", length),
        ("octet_length", { k in intRows(k) { i in Int32(truncatingIfNeeded: StringColumn(k.args[0]).range(i).count) } }),
        ("bit_length", { k in intRows(k) { i in Int32(truncatingIfNeeded: StringColumn(k.args[0]).range(i).count * 8) } }),
        ("substring", substring),
        ("concat", concat),
        ("||", concat),
        ("concat_ws", concatWs),
        ("split", split),
        ("regexp_replace", regexpReplace),
        ("regexp_extract", { k in try regexpExtract(k, all: false) }),
        ("regexp_extract_all", { k in try regexpExtract(k, all: true) }),
        ("rlike", rlike),
        ("regexp_like", rlike),
        ("like", { k in try like(k, caseInsensitive: false) }),
        ("ilike", { k in try like(k, caseInsensitive: true) }),
        ("lpad", { k in try pad(k, left: true) }),
        ("rpad", { k in try pad(k, left: false) }),
        ("instr", instr),
        ("locate", locate),
        ("translate", translate),
        ("format_number", formatNumber),
        ("replace", replace),
        ("reverse", reverse),
        ("repeat", repeatKernel),
        ("space", space),
        ("ascii", ascii),
        ("chr", chr),
        ("left", { k in leftRight(k, left: true) }),
        ("right", { k in leftRight(k, left: false) }),
        ("startswith", { k in search(k) { s, p in s.count >= p.count && s.prefix(p.count).elementsEqual(p) } }),
        ("endswith", { k in search(k) { s, p in s.count >= p.count && s.suffix(p.count).elementsEqual(p) } }),
        ("contains", { k in search(k) { s, p in p.isEmpty || UTF8Text.find(p, in: s, from: s.startIndex) != nil } }),
        ("format_string", formatString),
        ("base64", base64),
        ("unbase64", unbase64),
        ("hex", hex),
        ("unhex", unhex),
        ("md5", { k in digestKernel(k) { Digest.md5($0) } }),
        ("sha1", { k in digestKernel(k) { Digest.sha1($0) } }),
        ("sha2", sha2),
        ("crc32", crc32),
        ("levenshtein", levenshtein),
        ("soundex", soundex),
    ]
}

// MARK: - Column access and row drivers

extension StringKernels {
    /// Bytes of a string or binary column; a NULL-typed column reads as empty rows (its
    /// validity says NULL).
    struct StringColumn {
        let offsets: [Int32]
        let data: [UInt8]

        init(_ c: Column) {
            if case .bytes(let o, let d) = c.storage {
                offsets = o
                data = d
            } else {
                offsets = [Int32](repeating: 0, count: c.count + 1)
                data = []
            }
        }

        @inline(__always) func range(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }
        @inline(__always) subscript(i: Int) -> ArraySlice<UInt8> { data[range(i)] }
        func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }
    }

    /// The validity of one column, with the NULL type read as all NULL.
    static func ownValidity(_ c: Column) -> Bitmap? {
        if case .none = c.storage { return Bitmap(count: c.count, value: false) }
        return c.validity
    }

    /// Rows where every argument is non-NULL (nil = all).
    @inline(__always)
    static func allValid(_ k: KernelCall) -> Bitmap? { combinedValidity(k.args, count: k.count) }

    /// Runs `body` on each row whose arguments are all non-NULL; it appends the row's bytes to
    /// `out` and returns false to make the row NULL.
    static func bytesRows(
        _ k: KernelCall, type: DataType = .string, validity: Bitmap?? = nil,
        _ body: (Int, inout [UInt8]) throws -> Bool
    ) rethrows -> Column {
        let given = validity ?? allValid(k)
        var valid = given ?? Bitmap(count: k.count, value: true)
        var anyNull = given != nil
        var offsets = [Int32](repeating: 0, count: k.count + 1)
        var out: [UInt8] = []
        if let first = k.args.first, case .bytes(_, let d) = first.storage { out.reserveCapacity(d.count) }
        for i in 0..<k.count {
            if valid[i], !(try body(i, &out)) { valid[i] = false; anyNull = true }
            offsets[i + 1] = Int32(truncatingIfNeeded: out.count)
        }
        return Column(type: type, count: k.count, validity: anyNull ? valid : nil, storage: .bytes(offsets: offsets, data: out))
    }

    /// Fixed-width results: `body` returns nil for NULL.
    static func valueRows<T>(
        _ k: KernelCall, zero: T, validity: Bitmap?? = nil, _ body: (Int) throws -> T?
    ) rethrows -> (values: [T], validity: Bitmap?) {
        let given = validity ?? allValid(k)
        var valid = given ?? Bitmap(count: k.count, value: true)
        var anyNull = given != nil
        var values = [T](repeating: zero, count: k.count)
        for i in 0..<k.count where valid[i] {
            if let v = try body(i) { values[i] = v } else { valid[i] = false; anyNull = true }
        }
        return (values, anyNull ? valid : nil)
    }

    static func intRows(_ k: KernelCall, validity: Bitmap?? = nil, _ body: (Int) throws -> Int32?) rethrows -> Column {
        let r = try valueRows(k, zero: Int32(0), validity: validity, body)
        return .int32s(r.values, validity: r.validity)
    }

    static func longRows(_ k: KernelCall, _ body: (Int) throws -> Int64?) rethrows -> Column {
        let r = try valueRows(k, zero: Int64(0), body)
        return .int64s(r.values, validity: r.validity)
    }

    static func boolRows(_ k: KernelCall, _ body: (Int) throws -> Bool?) rethrows -> Column {
        let r = try valueRows(k, zero: false, body)
        return .booleans(r.values, validity: r.validity)
    }

    /// Integer argument `j` as Int64 per row (a missing optional argument reads as `default`).
    static func intArg(_ k: KernelCall, _ j: Int, default d: Int64) -> [Int64] {
        j < k.args.count ? k.args[j].asInt64s() : [Int64](repeating: d, count: k.count)
    }

    // MARK: - UTF-8 helpers

    enum UTF8Text {
        /// Bytes of the character that starts with `lead` (Spark's `numBytesForFirstByte`).
        @inline(__always)
        static func width(_ lead: UInt8) -> Int {
            if lead < 0x80 { return 1 }
            if lead & 0xE0 == 0xC0 { return 2 }
            if lead & 0xF0 == 0xE0 { return 3 }
            if lead & 0xF8 == 0xF0 { return 4 }
            return 1
        }

        @inline(__always)
        static func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }

        static func isASCII<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
            for b in s where b >= 0x80 { return false }
            return true
        }

        static func charCount(_ s: ArraySlice<UInt8>) -> Int {
            var n = 0, i = s.startIndex
            while i < s.endIndex {
                i += width(s[i])
                n += 1
            }
            return n
        }

        /// Index of the byte where character `n` (0-based) starts, clamped to the end.
        static func byteIndex(ofChar n: Int, in s: ArraySlice<UInt8>) -> Int {
            var i = s.startIndex, c = 0
            while c < n && i < s.endIndex {
                i = min(s.endIndex, i + width(s[i]))
                c += 1
            }
            return i
        }

        /// Characters in `s` before byte index `i`.
        static func charsBefore(_ i: Int, in s: ArraySlice<UInt8>) -> Int {
            var n = 0, p = s.startIndex
            while p < i && p < s.endIndex {
                p += width(s[p])
                n += 1
            }
            return n
        }

        /// Byte index of the first occurrence of `needle` at or after `from`.
        static func find(_ needle: ArraySlice<UInt8>, in s: ArraySlice<UInt8>, from: Int) -> Int? {
            let n = needle.count
            if n == 0 { return from <= s.endIndex ? from : nil }
            guard s.count >= n, let first = needle.first else { return nil }
            var i = from
            let last = s.endIndex - n
            while i <= last {
                if s[i] == first && s[i..<(i + n)].elementsEqual(needle) { return i }
                i += 1
            }
            return nil
        }

        /// Code point starting at `i` and its byte width (invalid bytes read as themselves).
        @inline(__always)
        static func decode(_ s: ArraySlice<UInt8>, _ i: Int) -> (UInt32, Int) {
            let b0 = s[i]
            let w = min(width(b0), s.endIndex - i)
            switch w {
            case 2: return (UInt32(b0 & 0x1F) << 6 | UInt32(s[i + 1] & 0x3F), 2)
            case 3: return (UInt32(b0 & 0x0F) << 12 | UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F), 3)
            case 4:
                return (UInt32(b0 & 0x07) << 18 | UInt32(s[i + 1] & 0x3F) << 12 | UInt32(s[i + 2] & 0x3F) << 6 | UInt32(s[i + 3] & 0x3F), 4)
            default: return (UInt32(b0), 1)
            }
        }

        static func encode(_ cp: UInt32, into out: inout [UInt8]) {
            if let u = Unicode.Scalar(cp) {
                UTF8.encode(u) { out.append($0) }
            } else {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD for lone surrogates
            }
        }

        static func scalars(_ s: ArraySlice<UInt8>) -> [UInt32] {
            var out: [UInt32] = []
            out.reserveCapacity(s.count)
            var i = s.startIndex
            while i < s.endIndex {
                let (c, w) = decode(s, i)
                out.append(c)
                i += w
            }
            return out
        }

        /// Lower/upper case with an ASCII fast path (full Unicode mapping otherwise, as Java's
        /// `String.toLowerCase`/`toUpperCase`: `ß` upper-cases to `SS`).
        static func appendCase(_ s: ArraySlice<UInt8>, upper: Bool, into out: inout [UInt8]) {
            var m = CaseMapper(upper: upper)
            m.append(s, into: &out)
        }
    }

    /// Case mapping with an ASCII fast path and a per-batch cache of the (full, context
    /// free) mappings of the non-ASCII code points met, so that mostly-Latin text does
    /// not go through `String`. Capital sigma gets Java's context-dependent final form.
    struct CaseMapper {
        let upper: Bool
        var cache: [UInt32: [UInt8]] = [:]

        init(upper: Bool) { self.upper = upper }

        mutating func append(_ s: ArraySlice<UInt8>, into out: inout [UInt8]) {
            var i = s.startIndex
            while i < s.endIndex {
                let b = s[i]
                if b < 0x80 {
                    out.append(upper ? (b >= 0x61 && b <= 0x7A ? b - 32 : b) : (b >= 0x41 && b <= 0x5A ? b + 32 : b))
                    i += 1
                    continue
                }
                let (cp, w) = UTF8Text.decode(s, i)
                if !upper && cp == 0x3A3 {
                    // Final sigma (as Java): after a cased letter and not before one.
                    var p = i - 1
                    while p > s.startIndex && UTF8Text.isContinuation(s[p]) { p -= 1 }
                    let before = i > s.startIndex && Unicode.Scalar(UTF8Text.decode(s, p).0)?.properties.isCased == true
                    let after = i + w < s.endIndex && Unicode.Scalar(UTF8Text.decode(s, i + w).0)?.properties.isCased == true
                    UTF8Text.encode(before && !after ? 0x3C2 : 0x3C3, into: &out)
                    i += w
                    continue
                }
                if let m = cache[cp] {
                    out.append(contentsOf: m)
                } else {
                    let m: [UInt8]
                    if let u = Unicode.Scalar(cp) {
                        m = Array((upper ? u.properties.uppercaseMapping : u.properties.lowercaseMapping).utf8)
                    } else {
                        m = Array(s[i..<(i + w)])
                    }
                    cache[cp] = m
                    out.append(contentsOf: m)
                }
                i += w
            }
        }
    }
}

// MARK: - Case, trim, length, substring

extension StringKernels {
    static func caseMap(_ k: KernelCall, upper: Bool) -> Column {
        let s = StringColumn(k.args[0])
        var mapper = CaseMapper(upper: upper)
        return bytesRows(k) { i, out in
            mapper.append(s[i], into: &out)
            return true
        }
    }

    /// Spark's `initcap`: lower-case everything, then title-case the first character and
    /// every character after a space (only ' ' separates words).
    static func initcap(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        var lowered: [UInt8] = []
        var mapper = CaseMapper(upper: false)
        return bytesRows(k) { i, out in
            lowered.removeAll(keepingCapacity: true)
            mapper.append(s[i], into: &lowered)
            var afterSpace = true
            var p = 0
            let l = lowered[...]
            while p < l.endIndex {
                let b = l[p]
                if b < 0x80 {
                    out.append(afterSpace && b >= 0x61 && b <= 0x7A ? b - 32 : b)
                    afterSpace = b == 0x20
                    p += 1
                    continue
                }
                let (cp, w) = UTF8Text.decode(l, p)
                if afterSpace, let u = Unicode.Scalar(cp) {
                    // Full title-case mapping, as Spark 4 (`initcap('ß')` is 'Ss').
                    out.append(contentsOf: u.properties.titlecaseMapping.utf8)
                } else {
                    out.append(contentsOf: l[p..<min(l.endIndex, p + w)])
                }
                afterSpace = false
                p += w
            }
            return true
        }
    }

    /// `trim(str)` removes spaces (only ' ', as Spark); `trim(trimStr, str)` (the function
    /// form of `TRIM(trimStr FROM str)`) and `btrim(str, trimStr)` remove any character of
    /// `trimStr`.
    static func trim(_ k: KernelCall, left: Bool, right: Bool, trimFirst: Bool) -> Column {
        let srcIdx = k.args.count == 2 && trimFirst ? 1 : 0
        let s = StringColumn(k.args[srcIdx])
        let t = k.args.count == 2 ? StringColumn(k.args[1 - srcIdx]) : nil
        var asciiSet = [Bool](repeating: false, count: 128)
        var wideSet = Set<UInt32>()
        var lastSet: Range<Int>? = nil
        return bytesRows(k) { i, out in
            let str = s[i]
            var lo = str.startIndex, hi = str.endIndex
            guard let t else {
                if left { while lo < hi && str[lo] == 0x20 { lo += 1 } }
                if right { while hi > lo && str[hi - 1] == 0x20 { hi -= 1 } }
                out.append(contentsOf: str[lo..<hi])
                return true
            }
            let r = t.range(i)
            if lastSet.map({ !t.data[$0].elementsEqual(t.data[r]) }) ?? true {
                asciiSet = [Bool](repeating: false, count: 128)
                wideSet.removeAll()
                for c in UTF8Text.scalars(t.data[r]) { if c < 128 { asciiSet[Int(c)] = true } else { wideSet.insert(c) } }
                lastSet = r
            }
            func member(_ c: UInt32) -> Bool { c < 128 ? asciiSet[Int(c)] : wideSet.contains(c) }
            if left {
                while lo < hi {
                    let (c, w) = UTF8Text.decode(str, lo)
                    guard member(c) else { break }
                    lo += w
                }
            }
            if right {
                while hi > lo {
                    var p = hi - 1
                    while p > lo && UTF8Text.isContinuation(str[p]) { p -= 1 }
                    let (c, _) = UTF8Text.decode(str, p)
                    guard member(c) else { break }
                    hi = p
                }
            }
            out.append(contentsOf: str[lo..<hi])
            return true
        }
    }

    static func length(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        if k.args[0].type == .binary { return intRows(k) { i in Int32(truncatingIfNeeded: s.range(i).count) } }
        return intRows(k) { i in Int32(truncatingIfNeeded: UTF8Text.charCount(s[i])) }
    }

    /// Spark's `substringSQL`: 1-based, a negative start counts from the end, 0 acts as 1.
    static func substring(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        let pos = intArg(k, 1, default: 1), len = intArg(k, 2, default: Int64(Int32.max))
        let binary = k.args[0].type == .binary
        return bytesRows(k, type: k.args[0].type) { i, out in
            let str = s[i]
            let p = pos[i], l = len[i]
            let total = p < 0 ? Int64(binary ? str.count : UTF8Text.charCount(str)) : 0
            var start = p > 0 ? p - 1 : (p < 0 ? total + p : 0)
            let end = start + l
            start = max(start, 0)
            guard start < end else { return true }
            if binary {
                let a = str.startIndex + Int(min(start, Int64(str.count)))
                let b = str.startIndex + Int(min(end, Int64(str.count)))
                out.append(contentsOf: str[a..<b])
            } else {
                let a = UTF8Text.byteIndex(ofChar: Int(min(start, Int64(Int32.max))), in: str)
                let b = UTF8Text.byteIndex(ofChar: Int(min(end - start, Int64(Int32.max))), in: str[a...])
                out.append(contentsOf: str[a..<b])
            }
            return true
        }
    }
}

// MARK: - Concatenation, split, padding, search

extension StringKernels {
    static func concat(_ k: KernelCall) throws -> Column {
        if case .array = k.resultType {
            return try mapValues(k.args, count: k.count, type: k.resultType) { vs in
                var items: [Value] = []
                for v in vs {
                    guard case .array(let xs) = v else { return .null }
                    items += xs
                }
                return .array(items)
            }
        }
        let cols = k.args.map(StringColumn.init)
        if cols.isEmpty { return .constant(.string(""), type: .string, count: k.count) }
        return bytesRows(k, type: k.resultType) { i, out in
            for c in cols { out.append(contentsOf: c[i]) }
            return true
        }
    }

    /// NULL separator → NULL; NULL strings and NULL array elements are skipped.
    static func concatWs(_ k: KernelCall) -> Column {
        let sep = StringColumn(k.args[0])
        enum Part { case str(StringColumn, Column), arr(Column, [Int32], StringColumn, Column) }
        let parts: [Part] = k.args.dropFirst().map { c in
            if case .list(let o, let v) = c.storage { return .arr(c, o, StringColumn(v), v) }
            return .str(StringColumn(c), c)
        }
        return bytesRows(k, validity: ownValidity(k.args[0])) { i, out in
            var first = true
            func add(_ b: ArraySlice<UInt8>) {
                if !first { out.append(contentsOf: sep[i]) }
                out.append(contentsOf: b)
                first = false
            }
            for p in parts {
                switch p {
                case .str(let s, let c):
                    if !c.isNull(i) { add(s[i]) }
                case .arr(let c, let o, let s, let v):
                    if c.isNull(i) { continue }
                    for j in Int(o[i])..<Int(o[i + 1]) where !v.isNull(j) { add(s[j]) }
                }
            }
            return true
        }
    }

    static func pad(_ k: KernelCall, left: Bool) throws -> Column {
        let s = StringColumn(k.args[0])
        let lens = k.args[1].asInt64s()
        let padCol = k.args.count > 2 ? StringColumn(k.args[2]) : nil
        let space: ArraySlice<UInt8> = [0x20]
        return try bytesRows(k) { i, out in
            let str = s[i], len = lens[i]
            let p = padCol?[i] ?? space
            let chars = Int64(UTF8Text.charCount(str))
            let spaces = len - chars
            if spaces <= 0 || p.isEmpty {
                let n = Int(max(0, min(len, Int64(Int32.max))))
                out.append(contentsOf: str[..<UTF8Text.byteIndex(ofChar: n, in: str)])
                return true
            }
            guard len <= Int64(Int32.max) else { throw EmberError.unsupported("The result of \(left ? "lpad" : "rpad") exceeds 2 GiB.") }
            let padChars = Int64(UTF8Text.charCount(p))
            let count = spaces / padChars
            let remain = p[..<UTF8Text.byteIndex(ofChar: Int(spaces - padChars * count), in: p)]
            if !left { out.append(contentsOf: str) }
            for _ in 0..<count { out.append(contentsOf: p) }
            out.append(contentsOf: remain)
            if left { out.append(contentsOf: str) }
            return true
        }
    }

    static func instr(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0]), sub = StringColumn(k.args[1])
        return intRows(k) { i in
            let str = s[i]
            guard let at = UTF8Text.find(sub[i], in: str, from: str.startIndex) else { return 0 }
            return Int32(UTF8Text.charsBefore(at, in: str) + 1)
        }
    }

    /// `locate(substr, str[, pos])`: 1-based; a start below 1 (or NULL) gives 0.
    static func locate(_ k: KernelCall) -> Column {
        let sub = StringColumn(k.args[0]), s = StringColumn(k.args[1])
        let pos = intArg(k, 2, default: 1)
        let posCol = k.args.count > 2 ? k.args[2] : nil
        var valid = Bitmap(count: k.count, value: true)
        for i in 0..<k.count where posCol?.isNull(i) != true && (k.args[0].isNull(i) || k.args[1].isNull(i)) { valid[i] = false }
        return intRows(k, validity: valid) { i in
            if posCol?.isNull(i) == true || pos[i] < 1 { return 0 }
            let needle = sub[i], str = s[i]
            if needle.isEmpty { return 1 }
            let from = UTF8Text.byteIndex(ofChar: Int(min(pos[i] - 1, Int64(Int32.max))), in: str)
            guard let at = UTF8Text.find(needle, in: str, from: from) else { return 0 }
            return Int32(UTF8Text.charsBefore(at, in: str) + 1)
        }
    }

    static func search(_ k: KernelCall, _ test: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Bool) -> Column {
        let s = StringColumn(k.args[0]), p = StringColumn(k.args[1])
        return boolRows(k) { i in test(s[i], p[i]) }
    }

    /// Each character of `from` maps to the character at the same place in `to`, or is
    /// deleted when `to` is shorter; the first mapping of a character wins.
    static func translate(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0]), from = StringColumn(k.args[1]), to = StringColumn(k.args[2])
        var dict: [UInt32: [UInt8]] = [:]
        var key: (ArraySlice<UInt8>, ArraySlice<UInt8>)? = nil
        return bytesRows(k) { i, out in
            let f = from[i], t = to[i]
            if key.map({ !$0.0.elementsEqual(f) || !$0.1.elementsEqual(t) }) ?? true {
                dict.removeAll()
                let ts = UTF8Text.scalars(t)
                for (j, c) in UTF8Text.scalars(f).enumerated() where dict[c] == nil {
                    var enc: [UInt8] = []
                    if j < ts.count { UTF8Text.encode(ts[j], into: &enc) }
                    dict[c] = enc
                }
                key = (f, t)
            }
            let str = s[i]
            var p = str.startIndex
            while p < str.endIndex {
                let (c, w) = UTF8Text.decode(str, p)
                if let r = dict[c] { out.append(contentsOf: r) } else { out.append(contentsOf: str[p..<(p + w)]) }
                p += w
            }
            return true
        }
    }

    /// Replaces every non-overlapping occurrence, left to right; an empty search string
    /// leaves the input unchanged.
    static func replace(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0]), search = StringColumn(k.args[1])
        let rep = k.args.count > 2 ? StringColumn(k.args[2]) : nil
        return bytesRows(k) { i, out in
            let str = s[i], needle = search[i]
            if needle.isEmpty { out.append(contentsOf: str); return true }
            let r = rep?[i] ?? []
            var p = str.startIndex
            while let at = UTF8Text.find(needle, in: str, from: p) {
                out.append(contentsOf: str[p..<at])
                out.append(contentsOf: r)
                p = at + needle.count
            }
            out.append(contentsOf: str[p...])
            return true
        }
    }

    static func reverse(_ k: KernelCall) throws -> Column {
        if case .array = k.resultType {
            return try mapValues(k.args, count: k.count, type: k.resultType) { vs in
                guard case .array(let xs) = vs[0] else { return .null }
                return .array(xs.reversed())
            }
        }
        let s = StringColumn(k.args[0])
        return bytesRows(k) { i, out in
            let str = s[i]
            var end = str.endIndex
            while end > str.startIndex {
                var p = end - 1
                while p > str.startIndex && UTF8Text.isContinuation(str[p]) { p -= 1 }
                out.append(contentsOf: str[p..<end])
                end = p
            }
            return true
        }
    }

    static func repeatKernel(_ k: KernelCall) throws -> Column {
        let s = StringColumn(k.args[0]), n = k.args[1].asInt64s()
        return try bytesRows(k) { i, out in
            let str = s[i], times = n[i]
            guard times > 0 else { return true }
            let (total, overflow) = times.multipliedReportingOverflow(by: Int64(str.count))
            guard !overflow && total <= Int64(Int32.max) else {
                throw EmberError.unsupported("The result of repeat exceeds 2 GiB.")
            }
            for _ in 0..<times { out.append(contentsOf: str) }
            return true
        }
    }

    static func space(_ k: KernelCall) throws -> Column {
        let n = k.args[0].asInt64s()
        return try bytesRows(k) { i, out in
            guard n[i] <= Int64(Int32.max) else { throw EmberError.unsupported("The result of space exceeds 2 GiB.") }
            if n[i] > 0 { out.append(contentsOf: repeatElement(0x20, count: Int(n[i]))) }
            return true
        }
    }

    /// The code point of the first character (0 for an empty string).
    static func ascii(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        return intRows(k) { i in
            let str = s[i]
            guard !str.isEmpty else { return 0 }
            return Int32(truncatingIfNeeded: UTF8Text.decode(str, str.startIndex).0)
        }
    }

    /// `chr(n)`: '' for negative n, otherwise the character `n & 0xFF`.
    static func chr(_ k: KernelCall) -> Column {
        let n = k.args[0].asInt64s()
        return bytesRows(k) { i, out in
            if n[i] >= 0 { UTF8Text.encode(UInt32(n[i] & 0xFF), into: &out) }
            return true
        }
    }

    static func leftRight(_ k: KernelCall, left: Bool) -> Column {
        let s = StringColumn(k.args[0]), n = k.args[1].asInt64s()
        return bytesRows(k) { i, out in
            let str = s[i], len = n[i]
            guard len > 0 else { return true }
            if left {
                out.append(contentsOf: str[..<UTF8Text.byteIndex(ofChar: Int(min(len, Int64(Int32.max))), in: str)])
            } else {
                let chars = Int64(UTF8Text.charCount(str))
                out.append(contentsOf: str[UTF8Text.byteIndex(ofChar: Int(max(0, chars - len)), in: str)...])
            }
            return true
        }
    }

    /// Levenshtein distance over code points; with a threshold, -1 when it is exceeded.
    static func levenshtein(_ k: KernelCall) -> Column {
        let a = StringColumn(k.args[0]), b = StringColumn(k.args[1])
        let limit = k.args.count > 2 ? k.args[2].asInt64s() : nil
        var prev: [Int] = [], cur: [Int] = []
        return intRows(k) { i in
            let x = UTF8Text.scalars(a[i]), y = UTF8Text.scalars(b[i])
            var d: Int
            if x.isEmpty { d = y.count } else if y.isEmpty { d = x.count } else {
                prev = Array(0...y.count)
                cur = [Int](repeating: 0, count: y.count + 1)
                for p in 1...x.count {
                    cur[0] = p
                    for q in 1...y.count {
                        cur[q] = Swift.min(prev[q] + 1, cur[q - 1] + 1, prev[q - 1] + (x[p - 1] == y[q - 1] ? 0 : 1))
                    }
                    swap(&prev, &cur)
                }
                d = prev[y.count]
            }
            if let limit, Int64(d) > limit[i] { return -1 }
            return Int32(truncatingIfNeeded: d)
        }
    }

    /// Spark's `UTF8String.soundex` (American Soundex; H and W do not separate codes).
    static func soundex(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        let mapping = Array("01230120022455012623010202".utf8)
        return bytesRows(k) { i, out in
            let str = s[i]
            guard var b = str.first else { return true }
            if b >= 0x61 && b <= 0x7A { b -= 32 } else if b < 0x41 || b > 0x5A { out.append(contentsOf: str); return true }
            var sx: [UInt8] = [b, 0x30, 0x30, 0x30]
            var n = 1
            var last = mapping[Int(b - 0x41)]
            for var c in str.dropFirst() {
                if c >= 0x61 && c <= 0x7A { c -= 32 } else if c < 0x41 || c > 0x5A { last = 0x30; continue }
                let code = c == 0x48 || c == 0x57 ? UInt8(0x37) : mapping[Int(c - 0x41)]
                if code == 0x37 { continue }
                if code != 0x30 && code != last {
                    sx[n] = code
                    n += 1
                    if n > 3 { break }
                }
                last = code
            }
            out.append(contentsOf: sx)
            return true
        }
    }
}

// MARK: - Regular expressions and LIKE

extension StringKernels {
    /// A compiled Java-style regex (ICU's syntax is close to `java.util.regex`), matched on
    /// whole rows. Match ranges come back as UTF-8 byte ranges of the row.
    final class RowRegex {
        let re: NSRegularExpression
        let groups: Int

        init(_ pattern: String, fn: String) throws {
            do {
                // ICU rejects an empty pattern; Java matches the empty string everywhere.
                re = try NSRegularExpression(pattern: pattern.isEmpty ? "(?:)" : pattern, options: [])
            } catch {
                throw EmberError(
                    errorClass: "INVALID_PARAMETER_VALUE.PATTERN", sqlState: "22023",
                    message: "The value of parameter(s) `regexp` in `\(fn)` is invalid: '\(pattern)'.")
            }
            groups = re.numberOfCaptureGroups
        }

        /// Every match from character `fromChar` on: per group, the byte range or nil.
        func matches(_ s: String, fromChar: Int = 0, limit: Int = Int.max) -> [[Range<Int>?]] {
            let u16 = s.utf16
            var startU16 = 0
            if fromChar > 0 {
                var idx = s.unicodeScalars.startIndex
                var c = 0
                while c < fromChar && idx < s.unicodeScalars.endIndex { idx = s.unicodeScalars.index(after: idx); c += 1 }
                startU16 = u16.distance(from: u16.startIndex, to: idx)
            }
            var out: [[Range<Int>?]] = []
            let all = u16.count
            re.enumerateMatches(in: s, options: [], range: NSRange(location: startU16, length: all - startU16)) { m, _, stop in
                guard let m else { return }
                out.append((0...self.groups).map { g in
                    let r = m.range(at: g)
                    guard r.location != NSNotFound, let sr = Range(r, in: s) else { return nil }
                    let a = s.utf8.distance(from: s.utf8.startIndex, to: sr.lowerBound)
                    return a..<(a + s.utf8.distance(from: sr.lowerBound, to: sr.upperBound))
                })
                if out.count >= limit { stop.pointee = true }
            }
            return out
        }

        func firstMatch(_ s: String) -> Bool {
            re.firstMatch(in: s, options: [], range: NSRange(location: 0, length: s.utf16.count)) != nil
        }
    }

    /// Compiles the pattern argument once when it is a literal, and otherwise once per
    /// distinct pattern in the batch.
    struct RegexCache {
        let fn: String
        var last: (String, RowRegex)? = nil
        /// The regex of a literal pattern, compiled on first use (no row text is read then).
        let literal: String?
        var fixed: RowRegex? = nil

        init(fn: String, literal: Value?) {
            self.fn = fn
            if case .string(let p)? = literal { self.literal = p } else { self.literal = nil }
        }

        mutating func get(_ pattern: @autoclosure () -> String) throws -> RowRegex {
            if let fixed { return fixed }
            if let literal {
                let r = try RowRegex(literal, fn: fn)
                fixed = r
                return r
            }
            let p = pattern()
            if let last, last.0 == p { return last.1 }
            let r = try RowRegex(p, fn: fn)
            last = (p, r)
            return r
        }
    }
}

extension StringKernels {
    static func rlike(_ k: KernelCall) throws -> Column {
        let s = StringColumn(k.args[0]), p = StringColumn(k.args[1])
        var cache = RegexCache(fn: k.call.name, literal: k.literal(1))
        return try boolRows(k) { i in try cache.get(p.string(i)).firstMatch(s.string(i)) }
    }

    /// Java's `String.split(regex, limit)` with limit 0 taken as -1 (trailing empty strings
    /// kept); an empty pattern splits into characters.
    static func split(_ k: KernelCall) throws -> Column {
        let s = StringColumn(k.args[0]), p = StringColumn(k.args[1])
        let limits = intArg(k, 2, default: -1)
        var cache = RegexCache(fn: "split", literal: k.literal(1))
        var child = ColumnBuilder(type: .string, capacity: k.count)
        var offsets = [Int32](repeating: 0, count: k.count + 1)
        let valid = allValid(k)
        for i in 0..<k.count {
            defer { offsets[i + 1] = Int32(truncatingIfNeeded: child.count) }
            if let valid, !valid[i] { continue }
            let str = s[i]
            let limit = limits[i] <= 0 ? Int.max : Int(min(limits[i], Int64(Int32.max)))
            if p.range(i).isEmpty {
                if str.isEmpty { child.appendBytes(str); continue }
                var q = str.startIndex, n = 1
                while q < str.endIndex {
                    let w = n >= limit ? str.endIndex - q : min(UTF8Text.width(str[q]), str.endIndex - q)
                    child.appendBytes(str[q..<(q + w)])
                    q += w
                    n += 1
                }
                continue
            }
            let text = s.string(i)
            var last = 0, pieces = 0
            let base = str.startIndex
            for m in try cache.get(p.string(i)).matches(text) {
                guard let r = m[0] else { continue }
                if pieces == limit - 1 { break }
                // Java drops the empty leading piece of a zero-width match at the start.
                if r.isEmpty && r.lowerBound == 0 { continue }
                child.appendBytes(str[(base + last)..<(base + r.lowerBound)])
                pieces += 1
                last = r.upperBound
            }
            child.appendBytes(str[(base + last)...])
        }
        return Column(type: k.resultType, count: k.count, validity: valid, storage: .list(offsets: offsets, values: child.finish()))
    }

    /// One piece of a Java replacement string: literal bytes or a group reference.
    enum ReplacementPart { case text([UInt8]), group(Int) }

    /// Parses `$n`, `${name}` and `\x` as `java.util.regex.Matcher.appendReplacement`.
    static func parseReplacement(_ rep: ArraySlice<UInt8>, _ re: RowRegex) -> [ReplacementPart]? {
        var parts: [ReplacementPart] = []
        var lit: [UInt8] = []
        var i = rep.startIndex
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        while i < rep.endIndex {
            let b = rep[i]
            if b == 0x5C {  // backslash escapes the next character
                i += 1
                guard i < rep.endIndex else { return nil }
                let w = UTF8Text.width(rep[i])
                lit.append(contentsOf: rep[i..<min(rep.endIndex, i + w)])
                i += w
            } else if b == 0x24 {  // $
                i += 1
                guard i < rep.endIndex else { return nil }
                if rep[i] == 0x7B {  // ${name}
                    guard let close = rep[i...].firstIndex(of: 0x7D) else { return nil }
                    let name = String(decoding: rep[(i + 1)..<close], as: UTF8.self)
                    guard let g = namedGroup(name, re) else { return nil }
                    if !lit.isEmpty { parts.append(.text(lit)); lit = [] }
                    parts.append(.group(g))
                    i = close + 1
                    continue
                }
                guard isDigit(rep[i]) else { return nil }
                var g = Int(rep[i] - 0x30)
                guard g <= re.groups else { return nil }
                i += 1
                while i < rep.endIndex, isDigit(rep[i]) {
                    let next = g * 10 + Int(rep[i] - 0x30)
                    if next > re.groups { break }
                    g = next
                    i += 1
                }
                if !lit.isEmpty { parts.append(.text(lit)); lit = [] }
                parts.append(.group(g))
            } else {
                lit.append(b)
                i += 1
            }
        }
        if !lit.isEmpty { parts.append(.text(lit)) }
        return parts
    }

    /// Index of a named group: the group whose opening `(?<name>` comes n-th among groups.
    static func namedGroup(_ name: String, _ re: RowRegex) -> Int? {
        let p = Array(re.re.pattern.utf8)
        var n = 0, i = 0
        while i < p.count {
            if p[i] == 0x5C { i += 2; continue }
            if p[i] == 0x28 {
                if i + 1 < p.count && p[i + 1] == 0x3F {
                    if i + 2 < p.count && p[i + 2] == 0x3C && i + 3 < p.count && p[i + 3] != 0x3D && p[i + 3] != 0x21 {
                        n += 1
                        let rest = p[(i + 3)...]
                        if let close = rest.firstIndex(of: 0x3E), String(decoding: p[(i + 3)..<close], as: UTF8.self) == name { return n }
                    }
                } else {
                    n += 1
                }
            }
            i += 1
        }
        return nil
    }

    static func regexpReplace(_ k: KernelCall) throws -> Column {
        let s = StringColumn(k.args[0]), p = StringColumn(k.args[1]), r = StringColumn(k.args[2])
        let pos = intArg(k, 3, default: 1)
        var cache = RegexCache(fn: "regexp_replace", literal: k.literal(1))
        var parsed: (ArraySlice<UInt8>, ObjectIdentifier, [ReplacementPart]?)? = nil
        return try bytesRows(k) { i, out in
            guard pos[i] >= 1 else {
                throw EmberError(
                    errorClass: "INVALID_PARAMETER_VALUE.REGEX_POSITION" , sqlState: "22023",
                    message: "The value of parameter(s) `position` in `regexp_replace` is invalid: Expects a positive int, but got \(pos[i]).")
            }
            let str = s[i]
            let re = try cache.get(p.string(i))
            let matches = re.matches(s.string(i), fromChar: Int(min(pos[i] - 1, Int64(Int32.max))))
            if matches.isEmpty { out.append(contentsOf: str); return true }
            if parsed.map({ !$0.0.elementsEqual(r[i]) || $0.1 != ObjectIdentifier(re) }) ?? true {
                parsed = (r[i], ObjectIdentifier(re), parseReplacement(r[i], re))
            }
            guard let parts = parsed?.2 else {
                throw EmberError(
                    errorClass: "INVALID_REGEXP_REPLACE", sqlState: "22023",
                    message: "Could not perform regexp_replace for source = \"\(s.string(i))\", pattern = \"\(p.string(i))\", replacement = \"\(r.string(i))\" and position = \(pos[i]).")
            }
            let base = str.startIndex
            var last = 0
            for m in matches {
                guard let whole = m[0] else { continue }
                out.append(contentsOf: str[(base + last)..<(base + whole.lowerBound)])
                for part in parts {
                    switch part {
                    case .text(let t): out.append(contentsOf: t)
                    case .group(let g): if g < m.count, let gr = m[g] { out.append(contentsOf: str[(base + gr.lowerBound)..<(base + gr.upperBound)]) }
                    }
                }
                last = whole.upperBound
            }
            out.append(contentsOf: str[(base + last)...])
            return true
        }
    }

    static func checkGroup(_ fn: String, _ idx: Int64, _ groups: Int) throws {
        if idx < 0 {
            throw EmberError(
                errorClass: "INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", sqlState: "22023",
                message: "The value of parameter(s) `idx` in `\(fn)` is invalid: Expects group index between 0 and \(groups), but got \(idx).")
        }
        if idx > Int64(groups) {
            throw EmberError(
                errorClass: "INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", sqlState: "22023",
                message: "The value of parameter(s) `idx` in `\(fn)` is invalid: Expects group index between 0 and \(groups), but got \(idx).")
        }
    }

    /// `regexp_extract`: the group of the first match, '' without a match (or when the
    /// group did not take part); `regexp_extract_all`: that group of every match.
    static func regexpExtract(_ k: KernelCall, all: Bool) throws -> Column {
        let fn = all ? "regexp_extract_all" : "regexp_extract"
        let s = StringColumn(k.args[0]), p = StringColumn(k.args[1])
        let idx = intArg(k, 2, default: 1)
        var cache = RegexCache(fn: fn, literal: k.literal(1))
        if !all {
            return try bytesRows(k) { i, out in
                let re = try cache.get(p.string(i))
                guard let m = re.matches(s.string(i), limit: 1).first else { return true }
                try checkGroup(fn, idx[i], re.groups)
                if let r = m[Int(idx[i])] {
                    let str = s[i]
                    out.append(contentsOf: str[(str.startIndex + r.lowerBound)..<(str.startIndex + r.upperBound)])
                }
                return true
            }
        }
        var child = ColumnBuilder(type: .string, capacity: k.count)
        var offsets = [Int32](repeating: 0, count: k.count + 1)
        let valid = allValid(k)
        for i in 0..<k.count {
            defer { offsets[i + 1] = Int32(truncatingIfNeeded: child.count) }
            if let valid, !valid[i] { continue }
            let re = try cache.get(p.string(i))
            let str = s[i]
            for m in re.matches(s.string(i)) {
                try checkGroup(fn, idx[i], re.groups)
                if let r = m[Int(idx[i])] {
                    child.appendBytes(str[(str.startIndex + r.lowerBound)..<(str.startIndex + r.upperBound)])
                } else {
                    child.appendBytes([UInt8]())
                }
            }
        }
        return Column(type: k.resultType, count: k.count, validity: valid, storage: .list(offsets: offsets, values: child.finish()))
    }

    static func like(_ k: KernelCall, caseInsensitive: Bool) throws -> Column {
        let s = StringColumn(k.args[0]), p = StringColumn(k.args[1])
        var escape: UInt32 = 0x5C
        if k.args.count > 2 {
            let given = k.literal(2) ?? (k.count > 0 ? k.args[2].value(at: 0) : .null)
            guard case .string(let e) = given, e.unicodeScalars.count == 1, let c = e.unicodeScalars.first else {
                throw EmberError(
                    errorClass: "INVALID_ESCAPE_CHAR", sqlState: "42604",
                    message: "The escape character of LIKE must be a string literal of length one.")
            }
            escape = c.value
        }
        var compiled: (ArraySlice<UInt8>, LikePattern)? = nil
        var lowered: [UInt8] = []
        var mapper = CaseMapper(upper: false)
        return try boolRows(k) { i in
            let pat = p[i]
            if compiled.map({ !$0.0.elementsEqual(pat) }) ?? true {
                var pb = Array(pat)
                if caseInsensitive { pb = []; UTF8Text.appendCase(pat, upper: false, into: &pb) }
                compiled = (pat, try LikePattern(pb[...], escape: escape))
            }
            guard let m = compiled?.1 else { return nil }
            if caseInsensitive {
                lowered.removeAll(keepingCapacity: true)
                mapper.append(s[i], into: &lowered)
                return m.matches(lowered[...])
            }
            return m.matches(s[i])
        }
    }
}

extension StringKernels {
    /// A LIKE pattern split at `%` into segments of literal bytes and `_` (one character).
    /// Each segment has a fixed number of characters, so matching the first segment at the
    /// start, the last at the end, and each middle one at its leftmost place is exact.
    struct LikePattern {
        enum Item { case bytes([UInt8]), one }
        var segments: [[Item]] = [[]]

        init(_ pattern: ArraySlice<UInt8>, escape: UInt32) throws {
            var i = pattern.startIndex
            func addByte(_ b: ArraySlice<UInt8>) {
                if case .bytes(let x)? = segments[segments.count - 1].last {
                    segments[segments.count - 1][segments[segments.count - 1].count - 1] = .bytes(x + b)
                } else {
                    segments[segments.count - 1].append(.bytes(Array(b)))
                }
            }
            while i < pattern.endIndex {
                let (c, w) = UTF8Text.decode(pattern, i)
                if c == escape {
                    let j = i + w
                    guard j < pattern.endIndex else {
                        throw EmberError(
                            errorClass: "INVALID_FORMAT.ESC_AT_THE_END", sqlState: "42601",
                            message: "The format is invalid: \(LikePattern.sqlLiteral(pattern)). The escape character is not allowed to end with.")
                    }
                    let (n, w2) = UTF8Text.decode(pattern, j)
                    guard n == 0x25 || n == 0x5F || n == escape else {
                        throw EmberError(
                            errorClass: "INVALID_FORMAT.ESC_IN_THE_MIDDLE", sqlState: "42601",
                            message: "The format is invalid: \(LikePattern.sqlLiteral(pattern)). The escape character is not allowed to precede '\(String(decoding: pattern[j..<(j + w2)], as: UTF8.self))'.")
                    }
                    addByte(pattern[j..<(j + w2)])
                    i = j + w2
                } else if c == 0x25 {
                    segments.append([])
                    i += w
                } else if c == 0x5F {
                    segments[segments.count - 1].append(.one)
                    i += w
                } else {
                    addByte(pattern[i..<(i + w)])
                    i += w
                }
            }
        }

        /// Spark's `toSQLValue` for a string: quoted, with `\` and `'` escaped.
        static func sqlLiteral(_ p: ArraySlice<UInt8>) -> String {
            "'" + String(decoding: p, as: UTF8.self).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }

        /// End of `seg` matched at byte `at`, or nil.
        @inline(__always)
        static func match(_ seg: [Item], _ s: ArraySlice<UInt8>, at: Int, limit: Int) -> Int? {
            var p = at
            for item in seg {
                switch item {
                case .bytes(let b):
                    guard limit - p >= b.count else { return nil }
                    var q = 0
                    while q < b.count {
                        if s[p + q] != b[q] { return nil }
                        q += 1
                    }
                    p += b.count
                case .one:
                    guard p < limit else { return nil }
                    p = min(limit, p + UTF8Text.width(s[p]))
                }
            }
            return p
        }

        static func chars(_ seg: [Item]) -> Int {
            seg.reduce(0) { n, item in
                switch item {
                case .bytes(let b): return n + b.reduce(0) { $0 + (UTF8Text.isContinuation($1) ? 0 : 1) }
                case .one: return n + 1
                }
            }
        }

        func matches(_ s: ArraySlice<UInt8>) -> Bool {
            if segments.count == 1 { return LikePattern.match(segments[0], s, at: s.startIndex, limit: s.endIndex) == s.endIndex }
            guard var p = LikePattern.match(segments[0], s, at: s.startIndex, limit: s.endIndex) else { return false }
            // The last segment sits exactly at the end: step back its character count.
            let tail = segments[segments.count - 1]
            var q = s.endIndex, n = LikePattern.chars(tail)
            while n > 0 && q > p {
                q -= 1
                while q > p && UTF8Text.isContinuation(s[q]) { q -= 1 }
                n -= 1
            }
            guard n == 0, LikePattern.match(tail, s, at: q, limit: s.endIndex) == s.endIndex else { return false }
            for seg in segments[1..<(segments.count - 1)] where !seg.isEmpty {
                var found = false
                var start = p
                while start <= q {
                    if let e = LikePattern.match(seg, s, at: start, limit: q) { p = e; found = true; break }
                    start += 1
                    while start < q && UTF8Text.isContinuation(s[start]) { start += 1 }
                }
                if !found { return false }
            }
            return true
        }
    }
}

// MARK: - format_number, format_string

extension StringKernels {
    /// Decimal digits of a double as Java prints it (shortest round trip): the digits and the
    /// position of the decimal point relative to them.
    static func shortestDigits(_ x: Double) -> (digits: [UInt8], point: Int) {
        var s = Substring(abs(x).description)
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(s[s.index(after: e)...]) ?? 0
            s = s[..<e]
        }
        var intPart = s, frac: Substring = ""
        if let dot = s.firstIndex(of: ".") { intPart = s[..<dot]; frac = s[s.index(after: dot)...] }
        var digits = Array((intPart + frac).utf8).map { $0 - 0x30 }
        var point = intPart.count + exp
        while digits.count > 1, digits.first == 0 { digits.removeFirst(); point -= 1 }
        while digits.count > 1, digits.last == 0 { digits.removeLast() }
        return (digits, point)
    }

    /// Fixed-point text of |x| with `frac` fraction digits. HALF_UP rounds the shortest
    /// digits (Java's Formatter); HALF_EVEN rounds the exact binary value (DecimalFormat).
    static func fixedDigits(_ x: Double, frac: Int, halfEven: Bool) -> (int: [UInt8], frac: [UInt8]) {
        var (digits, point) = shortestDigits(x)
        if x == 0 { digits = [0]; point = 1 }
        let keep = point + frac  // digits kept before rounding
        if keep < digits.count {
            if halfEven {
                // glibc rounds the exact binary value, ties to even.
                let text = String(format: "%.\(frac)f", abs(x))
                let parts = text.split(separator: ".", omittingEmptySubsequences: false)
                return (Array(parts[0].utf8).map { $0 - 0x30 }, parts.count > 1 ? Array(parts[1].utf8).map { $0 - 0x30 } : [])
            }
            var kept = keep >= 0 ? Array(digits[0..<keep]) : []
            let roundUp = keep >= 0 && digits[keep] >= 5
            if keep < 0 { digits = [] }
            if roundUp {
                var j = kept.count - 1
                while j >= 0 && kept[j] == 9 { kept[j] = 0; j -= 1 }
                if j >= 0 { kept[j] += 1 } else { kept.insert(1, at: 0); point += 1 }
            }
            digits = kept
        }
        var intDigits: [UInt8] = [], fracDigits: [UInt8] = []
        for p in 0..<max(point, 0) { intDigits.append(p < digits.count ? digits[p] : 0) }
        if intDigits.isEmpty { intDigits = [0] }
        for f in 0..<frac {
            let p = point + f
            fracDigits.append(p >= 0 && p < digits.count ? digits[p] : 0)
        }
        return (intDigits, fracDigits)
    }

    static func group(_ digits: [UInt8], size: Int = 3) -> [UInt8] {
        var out: [UInt8] = []
        for (i, d) in digits.enumerated() {
            if size > 0 && i > 0 && (digits.count - i) % size == 0 { out.append(0x2C) }
            out.append(d + 0x30)
        }
        return out
    }

    /// `format_number(x, d)`: `#,###,###.##` with d fraction digits, HALF_EVEN (Java's
    /// DecimalFormat); NULL for negative d. A string second argument is a DecimalFormat
    /// pattern (subset: grouping, `0`/`#` digits).
    static func formatNumber(_ k: KernelCall) throws -> Column {
        let x = k.args[0]
        let patterns = k.args[1].type == .string ? StringColumn(k.args[1]) : nil
        let ds = patterns == nil ? k.args[1].asInt64s() : []
        let unscaled: [Int128]? = { if case .i128(let a) = x.storage { return a }; return nil }()
        let scale: Int = { if case .decimal(_, let s) = x.type { return s }; return 0 }()
        let isInt = x.type.isIntegral
        let ints = isInt ? x.asInt64s() : []
        let dbl = !isInt && unscaled == nil ? x.asDoubles() : []
        return bytesRows(k) { i, out in
            var spec = (minInt: 1, minFrac: 0, maxFrac: 0, grouping: 3)
            if let patterns {
                spec = decimalFormatSpec(patterns[i])
            } else {
                guard ds[i] >= 0 else { return false }
                let d = Int(min(ds[i], 340))
                spec = (1, d, d, 3)
            }
            var neg = false
            var intD: [UInt8], fracD: [UInt8]
            if let unscaled {
                let v = unscaled[i]
                neg = v < 0
                (intD, fracD) = decimalDigits(v.magnitude, scale: scale, frac: spec.maxFrac)
            } else if isInt {
                neg = ints[i] < 0
                intD = Array(String(ints[i].magnitude).utf8).map { $0 - 0x30 }
                fracD = [UInt8](repeating: 0, count: spec.maxFrac)
            } else {
                let v = dbl[i]
                if v.isNaN { out.append(contentsOf: "NaN".utf8); return true }
                if v.isInfinite { out.append(contentsOf: (v < 0 ? "-∞" : "∞").utf8); return true }
                neg = v.sign == .minus  // DecimalFormat keeps the sign of -0.0 and of -0.001 → "-0.00".
                (intD, fracD) = fixedDigits(v, frac: spec.maxFrac, halfEven: true)
            }
            while fracD.count > spec.minFrac, fracD.last == 0 { fracD.removeLast() }
            while intD.count > spec.minInt, intD.first == 0 { intD.removeFirst() }
            while intD.count < spec.minInt { intD.insert(0, at: 0) }
            if neg { out.append(0x2D) }
            out.append(contentsOf: group(intD, size: spec.grouping))
            if !fracD.isEmpty {
                out.append(0x2E)
                out.append(contentsOf: fracD.map { $0 + 0x30 })
            }
            return true
        }
    }

    /// Digits of `m / 10^scale` rounded HALF_EVEN to `frac` fraction digits.
    static func decimalDigits(_ m: UInt128, scale: Int, frac: Int) -> ([UInt8], [UInt8]) {
        var v = m
        var s = scale
        if s > frac {
            let div = pow10UInt128(s - frac)
            let q = v / div, r = v % div
            let half = div / 2
            v = (r > half || (r == half && q % 2 == 1)) ? q + 1 : q
            s = frac
        }
        var digits = Array(String(v).utf8).map { $0 - 0x30 }
        if digits.count <= s { digits = [UInt8](repeating: 0, count: s - digits.count + 1) + digits }
        var intD = Array(digits[0..<(digits.count - s)]), fracD = Array(digits[(digits.count - s)...])
        while fracD.count < frac { fracD.append(0) }
        if intD.isEmpty { intD = [0] }
        return (intD, fracD)
    }

    /// Minimum integer digits, fraction digits and grouping size of a DecimalFormat pattern.
    static func decimalFormatSpec(_ p: ArraySlice<UInt8>) -> (minInt: Int, minFrac: Int, maxFrac: Int, grouping: Int) {
        if p.isEmpty { return (1, 0, 0, 3) }
        let dot = p.firstIndex(of: 0x2E) ?? p.endIndex
        let intPart = p[..<dot], fracPart = dot < p.endIndex ? p[(dot + 1)...] : []
        let minInt = intPart.filter { $0 == 0x30 }.count
        let grouping = intPart.lastIndex(of: 0x2C).map { intPart[($0 + 1)...].filter { $0 == 0x30 || $0 == 0x23 }.count } ?? 0
        let minFrac = fracPart.filter { $0 == 0x30 }.count
        let maxFrac = fracPart.filter { $0 == 0x30 || $0 == 0x23 }.count
        return (minInt, minFrac, maxFrac, grouping)
    }

    /// Java's `String.format` for the conversions `s S d x X o f e E g b B c % n` with
    /// flags `-+ 0,(#`, width, precision and `n$` argument indexes.
    static func formatString(_ k: KernelCall) throws -> Column {
        let fmt = StringColumn(k.args[0])
        return try bytesRows(k, validity: ownValidity(k.args[0])) { i, out in
            let args = k.args.dropFirst().map { $0.value(at: i) }
            let types = k.args.dropFirst().map(\.type)
            try JavaFormatter.format(fmt[i], args: args, types: types, into: &out)
            return true
        }
    }
}

extension StringKernels {
    enum JavaFormatter {
        static func fail(_ m: String) -> EmberError {
            EmberError(errorClass: "INVALID_PARAMETER_VALUE", sqlState: "22023", message: "The value of parameter(s) `strfmt` in `format_string` is invalid: \(m).")
        }

        static func format(_ f: ArraySlice<UInt8>, args: [Value], types: [DataType], into out: inout [UInt8]) throws {
            var i = f.startIndex
            var ordinary = 0
            func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
            while i < f.endIndex {
                guard f[i] == 0x25 else {
                    out.append(f[i])
                    i += 1
                    continue
                }
                i += 1
                // %[index$][flags][width][.precision]conversion
                var index: Int? = nil
                var j = i, num = 0, sawDigits = false
                while j < f.endIndex, isDigit(f[j]) { num = num * 10 + Int(f[j] - 0x30); j += 1; sawDigits = true }
                if sawDigits, j < f.endIndex, f[j] == 0x24 { index = num; i = j + 1 }
                var flags = Set<UInt8>()
                while i < f.endIndex, [0x2D, 0x23, 0x2B, 0x20, 0x30, 0x2C, 0x28, 0x3C].contains(f[i]) { flags.insert(f[i]); i += 1 }
                var width: Int? = nil
                while i < f.endIndex, isDigit(f[i]) { width = (width ?? 0) * 10 + Int(f[i] - 0x30); i += 1 }
                var precision: Int? = nil
                if i < f.endIndex, f[i] == 0x2E {
                    i += 1
                    var p = 0
                    while i < f.endIndex, isDigit(f[i]) { p = p * 10 + Int(f[i] - 0x30); i += 1 }
                    precision = p
                }
                guard i < f.endIndex else { throw fail("incomplete format specifier") }
                let conv = f[i]
                i += 1
                if conv == 0x25 { pad([0x25], width, flags, into: &out); continue }
                if conv == 0x6E { out.append(0x0A); continue }
                let argIndex: Int
                if let index { argIndex = index - 1 } else { argIndex = ordinary; ordinary += 1 }
                guard argIndex >= 0, argIndex < args.count else {
                    throw EmberError(
                        errorClass: "INVALID_PARAMETER_VALUE", sqlState: "22023",
                        message: "Format specifier '%\(Character(Unicode.Scalar(conv)))' has no matching argument.")
                }
                let v = args[argIndex], t = types[argIndex]
                var body: [UInt8]
                let upper = conv >= 0x41 && conv <= 0x5A
                switch conv | 0x20 {
                case 0x73:  // s
                    body = Array(text(v, t).utf8)
                    if let precision {
                        var u = String.UnicodeScalarView()
                        u.append(contentsOf: String(decoding: body, as: UTF8.self).unicodeScalars.prefix(precision))
                        body = Array(String(u).utf8)
                    }
                case 0x62:  // b
                    if case .boolean(let b) = v { body = Array(String(b).utf8) } else { body = Array((v.isNull ? "false" : "true").utf8) }
                case 0x63:  // c
                    if v.isNull { body = Array("null".utf8) } else {
                        guard let n = v.int64Value, let u = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) else { throw fail("illegal character for %c") }
                        body = Array(String(Character(u)).utf8)
                    }
                case 0x64, 0x78, 0x6F:  // d x o
                    if v.isNull { body = Array("null".utf8); break }
                    guard let n = v.int64Value else { throw fail("%\(Character(Unicode.Scalar(conv))) != \(t.simpleString)") }
                    if conv == 0x64 {
                        body = signed(Array(String(n.magnitude).utf8), negative: n < 0, flags: flags, width: width, grouping: flags.contains(0x2C))
                    } else {
                        // Java prints negative numbers in two's complement of the argument's width.
                        let bits: UInt64 = t == .long ? UInt64(bitPattern: n) : (t == .int ? UInt64(UInt32(truncatingIfNeeded: n)) : (t == .short ? UInt64(UInt16(truncatingIfNeeded: n)) : (t == .byte ? UInt64(UInt8(truncatingIfNeeded: n)) : UInt64(bitPattern: n))))
                        var digits = String(bits, radix: conv | 0x20 == 0x78 ? 16 : 8)
                        if flags.contains(0x23) { digits = (conv | 0x20 == 0x78 ? "0x" : "0") + digits }
                        body = Array(digits.utf8)
                        if flags.contains(0x30), let width, body.count < width { body = [UInt8](repeating: 0x30, count: width - body.count) + body }
                    }
                case 0x66, 0x65, 0x67:  // f e g
                    if v.isNull { body = Array("null".utf8); break }
                    guard let x = v.doubleValue, !(t.isIntegral) else { throw fail("%\(Character(Unicode.Scalar(conv))) != \(t.simpleString)") }
                    if x.isNaN || x.isInfinite {
                        body = Array((x.isNaN ? "NaN" : (x < 0 ? "-Infinity" : (flags.contains(0x2B) ? "+Infinity" : "Infinity"))).utf8)
                        break
                    }
                    let p = precision ?? 6
                    var digits: [UInt8]
                    if conv | 0x20 == 0x66 {
                        let (a, b) = StringKernels.fixedDigits(x, frac: p, halfEven: false)
                        digits = (flags.contains(0x2C) ? StringKernels.group(a) : a.map { $0 + 0x30 })
                        if p > 0 { digits += [0x2E] + b.map { $0 + 0x30 } }
                    } else if conv | 0x20 == 0x65 {
                        digits = scientific(abs(x), precision: p)
                    } else {
                        // %g: p significant digits, fixed notation for 1e-4 <= |x| < 10^p after rounding.
                        let sig = max(p, 1)
                        let e = x == 0 ? 0 : rounded(abs(x), significant: sig).exp
                        if x == 0 || (abs(x) >= 1e-4 && e < sig) {
                            let (a, b) = StringKernels.fixedDigits(x, frac: max(0, sig - 1 - e), halfEven: false)
                            digits = (flags.contains(0x2C) ? StringKernels.group(a) : a.map { $0 + 0x30 })
                            if !b.isEmpty { digits += [0x2E] + b.map { $0 + 0x30 } }
                        } else {
                            digits = scientific(abs(x), precision: sig - 1)
                        }
                    }
                    body = signed(digits, negative: x.sign == .minus, flags: flags, width: width, grouping: false)
                default:
                    throw EmberError(
                        errorClass: "INVALID_PARAMETER_VALUE", sqlState: "22023",
                        message: "Conversion = '\(Character(Unicode.Scalar(conv)))' is not supported by format_string.")
                }
                if upper { body = Array(String(decoding: body, as: UTF8.self).uppercased().utf8) }
                pad(body, width, flags, into: &out)
            }
        }

        /// Java's `%e` body: d.ddddde+xx, HALF_UP on the shortest digits.
        static func scientific(_ x: Double, precision: Int) -> [UInt8] {
            if x == 0 { return Array(("0" + (precision > 0 ? "." + String(repeating: "0", count: precision) : "") + "e+00").utf8) }
            let (digits, exp) = rounded(x, significant: precision + 1)
            var s = String(digits[0])
            if precision > 0 { s += "." + digits[1...].map(String.init).joined() }
            s += exp < 0 ? "e-" : "e+"
            s += abs(exp) < 10 ? "0\(abs(exp))" : "\(abs(exp))"
            return Array(s.utf8)
        }

        /// The shortest digits of x > 0 rounded HALF_UP to `n` significant digits (zero
        /// padded), with the decimal exponent of the first digit.
        static func rounded(_ x: Double, significant n: Int) -> (digits: [UInt8], exp: Int) {
            var (digits, point) = StringKernels.shortestDigits(x)
            var exp = point - 1
            if digits.count > n {
                var kept = Array(digits[0..<n])
                if digits[n] >= 5 {
                    var j = kept.count - 1
                    while j >= 0 && kept[j] == 9 { kept[j] = 0; j -= 1 }
                    if j >= 0 { kept[j] += 1 } else { kept.insert(1, at: 0); kept.removeLast(); exp += 1 }
                }
                digits = kept
            }
            while digits.count < n { digits.append(0) }
            return (digits, exp)
        }

        /// Sign, grouping and zero padding of a number's digits.
        static func signed(_ digits: [UInt8], negative: Bool, flags: Set<UInt8>, width: Int?, grouping: Bool) -> [UInt8] {
            var d = digits
            if grouping {
                let ints = d.filter { $0 >= 0x30 && $0 <= 0x39 }.map { $0 - 0x30 }
                d = StringKernels.group(ints)
            }
            var prefix: [UInt8] = [], suffix: [UInt8] = []
            if negative {
                if flags.contains(0x28) { prefix = [0x28]; suffix = [0x29] } else { prefix = [0x2D] }
            } else if flags.contains(0x2B) {
                prefix = [0x2B]
            } else if flags.contains(0x20) {
                prefix = [0x20]
            }
            if flags.contains(0x30), let width {
                let n = width - prefix.count - suffix.count - d.count
                if n > 0 { d = [UInt8](repeating: 0x30, count: n) + d }
            }
            return prefix + d + suffix
        }

        static func pad(_ body: [UInt8], _ width: Int?, _ flags: Set<UInt8>, into out: inout [UInt8]) {
            let n = (width ?? 0) - String(decoding: body, as: UTF8.self).unicodeScalars.count
            if n > 0 && !flags.contains(0x2D) { out.append(contentsOf: repeatElement(0x20, count: n)) }
            out.append(contentsOf: body)
            if n > 0 && flags.contains(0x2D) { out.append(contentsOf: repeatElement(0x20, count: n)) }
        }

        /// How `%s` prints a value (Java's `toString` of Spark's internal values).
        static func text(_ v: Value, _ t: DataType) -> String {
            switch v {
            case .null: return "null"
            case .string(let s): return s
            case .boolean(let b): return String(b)
            case .byte(let x): return String(x)
            case .short(let x): return String(x)
            case .int(let x): return String(x)
            case .long(let x): return String(x)
            case .float(let x): return NumberFormat.javaFloat(x)
            case .double(let x): return NumberFormat.javaDouble(x)
            case .decimal(let d): return d.description
            case .date(let d): return String(d)
            case .timestamp(let t): return String(t)
            case .binary(let b): return "[B@" + String(b.count, radix: 16)
            case .array(let xs):
                let e: DataType = { if case .array(let e, _) = t { return e }; return .null }()
                return "[" + xs.map { text($0, e) }.joined(separator: ",") + "]"
            case .map(let ks, let vs): return "{" + zip(ks, vs).map { "\(text($0, .null))=\(text($1, .null))" }.joined(separator: ", ") + "}"
            case .structure(let fs): return "[" + fs.map { text($0, .null) }.joined(separator: ",") + "]"
            }
        }
    }
}

// MARK: - Encodings and digests

extension StringKernels {
    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Java's MIME base64 encoder, as Spark 4 (`spark.sql.chunkBase64String.enabled`):
    /// padded, with CRLF after every 76 characters except at the end.
    static func base64(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        let a = base64Alphabet
        return bytesRows(k) { i, out in
            let b = s[i]
            var p = b.startIndex
            while p + 3 <= b.endIndex {
                if p > b.startIndex && (p - b.startIndex) % 57 == 0 { out += [0x0D, 0x0A] }
                let n = UInt32(b[p]) << 16 | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2])
                out += [a[Int(n >> 18)], a[Int(n >> 12 & 63)], a[Int(n >> 6 & 63)], a[Int(n & 63)]]
                p += 3
            }
            let rest = b.endIndex - p
            if rest > 0 && p > b.startIndex && (p - b.startIndex) % 57 == 0 { out += [0x0D, 0x0A] }
            if rest == 1 {
                let n = UInt32(b[p]) << 16
                out += [a[Int(n >> 18)], a[Int(n >> 12 & 63)], 0x3D, 0x3D]
            } else if rest == 2 {
                let n = UInt32(b[p]) << 16 | UInt32(b[p + 1]) << 8
                out += [a[Int(n >> 18)], a[Int(n >> 12 & 63)], a[Int(n >> 6 & 63)], 0x3D]
            }
            return true
        }
    }

    /// Java's MIME decoder, as Spark uses: characters outside the alphabet are skipped and
    /// decoding stops at the first `=`.
    static func unbase64(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in base64Alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return bytesRows(k, type: .binary) { i, out in
            var acc: UInt32 = 0, bits = 0
            for c in s[i] {
                if c == 0x3D { break }
                let v = table[Int(c)]
                if v < 0 { continue }
                acc = acc << 6 | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                }
            }
            return true
        }
    }

    static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func hex(_ k: KernelCall) -> Column {
        let c = k.args[0]
        if case .bytes = c.storage {
            let s = StringColumn(c)
            return bytesRows(k) { i, out in
                for b in s[i] { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 15)]) }
                return true
            }
        }
        let v = c.asInt64s()
        return bytesRows(k) { i, out in
            out.append(contentsOf: String(UInt64(bitPattern: v[i]), radix: 16, uppercase: true).utf8)
            return true
        }
    }

    /// Odd-length input gets a leading 0; any non-hex character makes the row NULL.
    static func unhex(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        return bytesRows(k, type: .binary) { i, out in
            let b = s[i]
            var p = b.startIndex
            let mark = out.count
            if b.count % 2 == 1 {
                guard let n = nibble(b[p]) else { return false }
                out.append(n)
                p += 1
            }
            while p < b.endIndex {
                guard let h = nibble(b[p]), let l = nibble(b[p + 1]) else { out.removeSubrange(mark...); return false }
                out.append(h << 4 | l)
                p += 2
            }
            return true
        }
    }

    static func digestKernel(_ k: KernelCall, _ f: (ArraySlice<UInt8>) -> [UInt8]) -> Column {
        let s = StringColumn(k.args[0])
        let lower = Array("0123456789abcdef".utf8)
        return bytesRows(k) { i, out in
            for b in f(s[i]) { out.append(lower[Int(b >> 4)]); out.append(lower[Int(b & 15)]) }
            return true
        }
    }

    /// `sha2(x, bits)`: 224, 256 (or 0), 384, 512; other lengths give NULL.
    static func sha2(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0]), bits = k.args[1].asInt64s()
        let lower = Array("0123456789abcdef".utf8)
        return bytesRows(k) { i, out in
            let d: [UInt8]
            switch bits[i] {
            case 0, 256: d = Digest.sha256(s[i], is224: false)
            case 224: d = Digest.sha256(s[i], is224: true)
            case 384: d = Digest.sha512(s[i], is384: true)
            case 512: d = Digest.sha512(s[i], is384: false)
            default: return false
            }
            for b in d { out.append(lower[Int(b >> 4)]); out.append(lower[Int(b & 15)]) }
            return true
        }
    }

    static func crc32(_ k: KernelCall) -> Column {
        let s = StringColumn(k.args[0])
        return longRows(k) { i in Int64(Digest.crc32(s[i])) }
    }
}

extension StringKernels {
    /// MD5, SHA-1, SHA-2 and CRC-32, written out so that no crypto library is needed.
    enum Digest {
        @inline(__always) static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
        @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        @inline(__always) static func rotr64(_ x: UInt64, _ n: UInt64) -> UInt64 { x >> n | x << (64 - n) }

        /// Message padded to a multiple of `block` bytes with the bit length appended.
        static func padded(_ m: ArraySlice<UInt8>, block: Int, lengthBytes: Int, bigEndian: Bool) -> [UInt8] {
            var b = Array(m)
            let bitLen = UInt64(m.count) &* 8
            b.append(0x80)
            while (b.count + lengthBytes) % block != 0 { b.append(0) }
            var len = [UInt8](repeating: 0, count: lengthBytes)
            for j in 0..<8 { len[bigEndian ? lengthBytes - 1 - j : j] = UInt8(truncatingIfNeeded: bitLen >> UInt64(8 * j)) }
            return b + len
        }

        static let md5K: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4294967296.0)) }
        static let md5S: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

        static func md5(_ m: ArraySlice<UInt8>) -> [UInt8] {
            var h: [UInt32] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476]
            let b = padded(m, block: 64, lengthBytes: 8, bigEndian: false)
            var w = [UInt32](repeating: 0, count: 16)
            for chunk in stride(from: 0, to: b.count, by: 64) {
                for j in 0..<16 {
                    let p = chunk + 4 * j
                    w[j] = UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
                }
                var (a, bb, c, d) = (h[0], h[1], h[2], h[3])
                for j in 0..<64 {
                    var f: UInt32, g: Int
                    switch j {
                    case 0..<16: f = (bb & c) | (~bb & d); g = j
                    case 16..<32: f = (d & bb) | (~d & c); g = (5 * j + 1) % 16
                    case 32..<48: f = bb ^ c ^ d; g = (3 * j + 5) % 16
                    default: f = c ^ (bb | ~d); g = (7 * j) % 16
                    }
                    f = f &+ a &+ md5K[j] &+ w[g]
                    a = d; d = c; c = bb
                    bb = bb &+ rotl(f, md5S[(j / 16) * 4 + j % 4])
                }
                h[0] = h[0] &+ a; h[1] = h[1] &+ bb; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            }
            return h.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x >> UInt32(8 * $0)) } }
        }

        static func bigEndianWords(_ h: [UInt32]) -> [UInt8] { h.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x >> UInt32(24 - 8 * $0)) } } }

        static func sha1(_ m: ArraySlice<UInt8>) -> [UInt8] {
            var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
            let b = padded(m, block: 64, lengthBytes: 8, bigEndian: true)
            var w = [UInt32](repeating: 0, count: 80)
            for chunk in stride(from: 0, to: b.count, by: 64) {
                for j in 0..<16 {
                    let p = chunk + 4 * j
                    w[j] = UInt32(b[p]) << 24 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 8 | UInt32(b[p + 3])
                }
                for j in 16..<80 { w[j] = rotl(w[j - 3] ^ w[j - 8] ^ w[j - 14] ^ w[j - 16], 1) }
                var (a, bb, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
                for j in 0..<80 {
                    let (f, kk): (UInt32, UInt32)
                    switch j {
                    case 0..<20: (f, kk) = ((bb & c) | (~bb & d), 0x5A82_7999)
                    case 20..<40: (f, kk) = (bb ^ c ^ d, 0x6ED9_EBA1)
                    case 40..<60: (f, kk) = ((bb & c) | (bb & d) | (c & d), 0x8F1B_BCDC)
                    default: (f, kk) = (bb ^ c ^ d, 0xCA62_C1D6)
                    }
                    let t = rotl(a, 5) &+ f &+ e &+ kk &+ w[j]
                    e = d; d = c; c = rotl(bb, 30); bb = a; a = t
                }
                h[0] = h[0] &+ a; h[1] = h[1] &+ bb; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
            }
            return bigEndianWords(h)
        }

        static let k256: [UInt32] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ]

        static func sha256(_ m: ArraySlice<UInt8>, is224: Bool) -> [UInt8] {
            var h: [UInt32] = is224
                ? [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4]
                : [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
            let b = padded(m, block: 64, lengthBytes: 8, bigEndian: true)
            var w = [UInt32](repeating: 0, count: 64)
            for chunk in stride(from: 0, to: b.count, by: 64) {
                for j in 0..<16 {
                    let p = chunk + 4 * j
                    w[j] = UInt32(b[p]) << 24 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 8 | UInt32(b[p + 3])
                }
                for j in 16..<64 {
                    let s0 = rotr(w[j - 15], 7) ^ rotr(w[j - 15], 18) ^ (w[j - 15] >> 3)
                    let s1 = rotr(w[j - 2], 17) ^ rotr(w[j - 2], 19) ^ (w[j - 2] >> 10)
                    w[j] = w[j - 16] &+ s0 &+ w[j - 7] &+ s1
                }
                var v = h
                for j in 0..<64 {
                    let s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25)
                    let ch = (v[4] & v[5]) ^ (~v[4] & v[6])
                    let t1 = v[7] &+ s1 &+ ch &+ k256[j] &+ w[j]
                    let s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22)
                    let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2])
                    v = [t1 &+ s0 &+ maj, v[0], v[1], v[2], v[3] &+ t1, v[4], v[5], v[6]]
                }
                for j in 0..<8 { h[j] = h[j] &+ v[j] }
            }
            return Array(bigEndianWords(h).prefix(is224 ? 28 : 32))
        }

        static let k512: [UInt64] = [
            0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
            0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
            0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
            0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
            0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
            0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
            0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
            0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
            0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
            0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
            0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
            0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
            0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
            0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
            0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
            0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
        ]

        static func sha512(_ m: ArraySlice<UInt8>, is384: Bool) -> [UInt8] {
            var h: [UInt64] = is384
                ? [0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
                   0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4]
                : [0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                   0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179]
            let b = padded(m, block: 128, lengthBytes: 16, bigEndian: true)
            var w = [UInt64](repeating: 0, count: 80)
            for chunk in stride(from: 0, to: b.count, by: 128) {
                for j in 0..<16 {
                    var x: UInt64 = 0
                    for q in 0..<8 { x = x << 8 | UInt64(b[chunk + 8 * j + q]) }
                    w[j] = x
                }
                for j in 16..<80 {
                    let s0 = rotr64(w[j - 15], 1) ^ rotr64(w[j - 15], 8) ^ (w[j - 15] >> 7)
                    let s1 = rotr64(w[j - 2], 19) ^ rotr64(w[j - 2], 61) ^ (w[j - 2] >> 6)
                    w[j] = w[j - 16] &+ s0 &+ w[j - 7] &+ s1
                }
                var v = h
                for j in 0..<80 {
                    let s1 = rotr64(v[4], 14) ^ rotr64(v[4], 18) ^ rotr64(v[4], 41)
                    let ch = (v[4] & v[5]) ^ (~v[4] & v[6])
                    let t1 = v[7] &+ s1 &+ ch &+ k512[j] &+ w[j]
                    let s0 = rotr64(v[0], 28) ^ rotr64(v[0], 34) ^ rotr64(v[0], 39)
                    let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2])
                    v = [t1 &+ s0 &+ maj, v[0], v[1], v[2], v[3] &+ t1, v[4], v[5], v[6]]
                }
                for j in 0..<8 { h[j] = h[j] &+ v[j] }
            }
            let bytes = h.flatMap { x in (0..<8).map { UInt8(truncatingIfNeeded: x >> UInt64(56 - 8 * $0)) } }
            return Array(bytes.prefix(is384 ? 48 : 64))
        }

        static let crcTable: [UInt32] = (0..<256).map { n in
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            return c
        }

        static func crc32(_ m: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in m { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
            return c ^ 0xFFFF_FFFF
        }
    }
}
