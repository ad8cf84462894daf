import EmberCore
import Foundation

/// Infers the type of each record of one split and folds them (Spark's per-partition
/// `reduceOption(compatibleRootType)`). An object record is merged into the running
/// struct type as it is parsed, allocating only when the type changes; records where
/// that could differ from Spark's build-then-merge order (duplicate member names,
/// names equal but for case) are redone exactly.
struct JSONInferrer {
    let options: JSONOptions
    let syntax: JSONSyntax
    let zone: SessionTimeZone
    let path: String
    var scratch: [UInt8] = []
    /// "Member seen" flags of the objects being merged, as a stack of regions.
    private var seen: UnsafeMutablePointer<Bool>
    private var seenCapacity = 256
    private var seenTop = 0
    /// Set when the record must be inferred exactly instead of merged on the fly.
    private var needExact = false
    /// An error that fails inference as a whole (not just the record).
    private var fatal: EmberError?
    /// File offset of the split buffer's first byte (for error messages).
    private var bufferOffset = 0

    init(options: JSONOptions, zone: SessionTimeZone, path: String) {
        self.options = options
        syntax = JSONSyntax(options)
        self.zone = options.timeZone ?? zone
        self.path = path
        seen = .allocate(capacity: seenCapacity)
    }

    func release() { seen.deallocate() }

    /// The folded type of the split's records (nil when it has none).
    mutating func infer(_ split: FileSplit) throws -> JSONInferType? {
        let bytes = try LineSplits.load(split, wholeFile: options.multiLine, separator: options.lineSep, format: "JSON")
        defer { bytes.buffer.recycle() }
        bufferOffset = bytes.fileOffset
        let b = bytes.base
        var acc: JSONInferType?
        // A fixed-seed generator keeps sampling deterministic.
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: split.start)
        let ratio = options.samplingRatio
        if options.multiLine {
            var start = 0
            if bytes.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { start = 3 }
            try record(b, start, bytes.count, &acc)
        } else {
            try LineSplits.forEachRecord(bytes, separator: options.lineSep) { s, e in
                if ratio < 1 {
                    rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    if Double(rng >> 11) / Double(1 << 53) >= ratio { return }
                }
                try record(b, s, e, &acc)
            }
        }
        return acc
    }

    /// Folds one record's type into `acc`.
    mutating func record(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ acc: inout JSONInferType?) throws {
        var lx = JSONLexer(b, s, e, syntax)
        var recordType: JSONInferType?
        do throws(JSONSyntaxError) {
            try lx.skipSpace()
            if lx.pos >= lx.end { return }
            var fields: [JSONInferField]?
            switch acc {
            case nil: fields = []
            case .structure(let f)?: fields = f
            default: fields = nil
            }
            if let fields, lx.b[lx.pos] == UInt8(ascii: "{") {
                needExact = false
                seenTop = 0
                let merged = try mergeObject(fields, &lx)
                if !needExact {
                    if let merged { acc = .structure(merged) } else if acc == nil { acc = .structure([]) }
                    return
                }
                lx = JSONLexer(b, s, e, syntax)
                try lx.skipSpace()
            }
            recordType = try inferValue(&lx)
        } catch {
            if let fatal { throw fatal }
            switch options.mode {
            case .permissive:
                recordType = .structure([JSONInferField(name: Array(options.columnNameOfCorruptRecord.utf8), type: .string)])
            case .dropMalformed:
                return
            case .failFast:
                let line = options.multiLine
                    ? LineSplits.lineNumber(path: path, offset: error.offset) : LineSplits.lineNumber(path: path, offset: bufferOffset + s)
                throw JSONInference.malformedInInference("file \(path), line \(line): \(error.message)")
            }
        }
        if let fatal { throw fatal }
        guard let t = recordType else { return }
        if let a = acc {
            acc = try JSONTypeMerge.compatibleRoot(a, t, corruptName: options.columnNameOfCorruptRecord, mode: options.mode)
        } else {
            acc = t
        }
    }

    // MARK: Merging on the fly

    /// Merges the value at the cursor into `t`; nil when `t` does not change.
    mutating func mergeValue(_ t: JSONInferType, _ lx: inout JSONLexer) throws(JSONSyntaxError) -> JSONInferType? {
        try lx.skipSpace()
        guard lx.pos < lx.end else { throw lx.fail("unexpected end of input, expected a value") }
        if t == .string {
            // Anything merged into STRING stays STRING.
            try lx.skipValue()
            return nil
        }
        let c = lx.b[lx.pos]
        if c == UInt8(ascii: "{") {
            if case .structure(let fs) = t { return try mergeObject(fs, &lx).map { .structure($0) } }
            if t == .null { return .structure(try mergeObject([], &lx) ?? []) }
        } else if c == UInt8(ascii: "[") {
            var e: JSONInferType?
            if case .array(let x) = t { e = x } else if t == .null { e = .null }
            if var elem = e {
                var changed = t == .null
                try lx.open()
                if !(try lx.closesAtOnce(UInt8(ascii: "]"))) {
                    repeat {
                        if let ne = try mergeValue(elem, &lx) { elem = ne; changed = true }
                    } while try lx.next(UInt8(ascii: "]"))
                }
                return changed ? .array(elem) : nil
            }
        }
        let x = try inferValue(&lx)
        let r = JSONTypeMerge.compatible(t, x)
        return r == t ? nil : r
    }

    /// Merges the object at the cursor into the sorted `fields`; nil when nothing changes.
    mutating func mergeObject(_ fields: [JSONInferField], _ lx: inout JSONLexer) throws(JSONSyntaxError) -> [JSONInferField]? {
        try lx.open()
        if try lx.closesAtOnce(UInt8(ascii: "}")) { return nil }
        let n = fields.count
        let region = pushSeen(n)
        var updates: [(Int, JSONInferType)] = []
        var added: [JSONInferField] = []
        repeat {
            try lx.skipSpace()
            let name = try lx.scanName()
            let k = lx.withName(name, &scratch) { p, len in JSONInferrer.find(fields, p, len) }
            try lx.skipSpace()
            try lx.expect(UInt8(ascii: ":"), "expected a colon after a field name")
            if k >= 0 {
                if seen[region + k] {
                    needExact = true
                    try lx.skipValue()
                    continue
                }
                seen[region + k] = true
                if let nt = try mergeValue(fields[k].type, &lx) { updates.append((k, nt)) }
            } else {
                let bytes = lx.withName(name, &scratch) { p, len in Array(UnsafeBufferPointer(start: p, count: len)) }
                if added.contains(where: { $0.name == bytes }) || fields.contains(where: { JSONTypeMerge.sameIgnoringCase($0.name, bytes) }) {
                    needExact = true
                    try lx.skipValue()
                    continue
                }
                added.append(JSONInferField(name: bytes, type: try inferValue(&lx)))
            }
        } while try lx.next(UInt8(ascii: "}"))
        seenTop = region
        if needExact || (updates.isEmpty && added.isEmpty) { return nil }
        var out = fields
        for (k, t) in updates { out[k].type = t }
        if !added.isEmpty { out = JSONTypeMerge.mergeFields(out, JSONTypeMerge.sorted(added)) }
        return out
    }

    /// Reserves `n` cleared flags on the seen stack; returns where they start.
    private mutating func pushSeen(_ n: Int) -> Int {
        let region = seenTop
        if region + n > seenCapacity {
            let cap = max(seenCapacity * 2, region + n)
            let p = UnsafeMutablePointer<Bool>.allocate(capacity: cap)
            p.update(from: seen, count: region)
            seen.deallocate()
            seen = p
            seenCapacity = cap
        }
        (seen + region).update(repeating: false, count: n)
        seenTop = region + n
        return region
    }

    /// Index of the field named by `len` bytes at `p` in name-sorted `fields`, or -1.
    static func find(_ fields: [JSONInferField], _ p: UnsafePointer<UInt8>, _ len: Int) -> Int {
        var lo = 0, hi = fields.count - 1
        var supplementary = false
        for i in 0..<len where p[i] >= 0xF0 { supplementary = true; break }
        if supplementary {
            let name = Array(UnsafeBufferPointer(start: p, count: len))
            return fields.firstIndex { $0.name == name } ?? -1
        }
        while lo <= hi {
            let mid = (lo + hi) >> 1
            let c = fields[mid].name.withUnsafeBufferPointer { f -> Int in
                let m = min(f.count, len)
                if m > 0, let fb = f.baseAddress {
                    let r = memcmp(fb, p, m)
                    if r != 0 { return r < 0 ? -1 : 1 }
                }
                return f.count == len ? 0 : (f.count < len ? -1 : 1)
            }
            if c == 0 { return mid }
            if c < 0 { lo = mid + 1 } else { hi = mid - 1 }
        }
        return -1
    }

    // MARK: Exact inference

    /// Spark's `inferField`: the type of the value at the cursor.
    mutating func inferValue(_ lx: inout JSONLexer) throws(JSONSyntaxError) -> JSONInferType {
        try lx.skipSpace()
        guard lx.pos < lx.end else { throw lx.fail("unexpected end of input, expected a value") }
        let c = lx.b[lx.pos]
        switch c {
        case UInt8(ascii: "{"):
            try lx.open()
            if try lx.closesAtOnce(UInt8(ascii: "}")) { return .structure([]) }
            var fields: [JSONInferField] = []
            repeat {
                try lx.skipSpace()
                let name = try lx.scanName()
                let bytes = lx.withName(name, &scratch) { p, len in Array(UnsafeBufferPointer(start: p, count: len)) }
                try lx.skipSpace()
                try lx.expect(UInt8(ascii: ":"), "expected a colon after a field name")
                fields.append(JSONInferField(name: bytes, type: try inferValue(&lx)))
            } while try lx.next(UInt8(ascii: "}"))
            return .structure(JSONTypeMerge.sorted(fields))
        case UInt8(ascii: "["):
            try lx.open()
            var e = JSONInferType.null
            if !(try lx.closesAtOnce(UInt8(ascii: "]"))) {
                repeat { e = JSONTypeMerge.compatible(e, try inferValue(&lx)) } while try lx.next(UInt8(ascii: "]"))
            }
            return .array(e)
        case UInt8(ascii: "t"):
            try lx.literal("true")
            return options.primitivesAsString ? .string : .boolean
        case UInt8(ascii: "f"):
            try lx.literal("false")
            return options.primitivesAsString ? .string : .boolean
        case UInt8(ascii: "n"):
            try lx.literal("null")
            return .null
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            guard c == UInt8(ascii: "\"") || syntax.singleQuotes else { throw lx.fail("single quotes are not allowed") }
            let s = try lx.scanString()
            if s.end == s.start { return .null }
            let prefersDecimal = options.prefersDecimal, inferTimestamp = options.inferTimestamp
            let format = options.timestampFormat, z = zone
            return lx.withName(s, &scratch) { p, n in
                if prefersDecimal, let (prec, scale) = JSONInferrer.decimalShape(p, n, stripCommas: true),
                    scale >= 0, scale <= prec, prec <= DataType.maxDecimalPrecision
                {
                    return .decimal(prec, scale)
                }
                if inferTimestamp {
                    let t = format.map { $0.parseTimestamp(bytes: UnsafeBufferPointer(start: p, count: n), zone: z) }
                        ?? CSVParse.timestamp(p, 0, n, zone: z)
                    if t != nil { return .timestamp }
                }
                return .string
            }
        default:
            let num = try lx.scanNumber()
            if options.primitivesAsString { return .string }
            switch num.kind {
            case .nan, .posInf, .negInf:
                // Jackson's getDecimalValue rejects them.
                if options.prefersDecimal { throw JSONSyntaxError(message: "NaN and infinities are not decimals", offset: num.start) }
                return .double
            case .int:
                if num.int64 != nil { return .long }
                return num.intDigits <= DataType.maxDecimalPrecision ? .decimal(num.intDigits, 0) : .double
            case .float:
                guard options.prefersDecimal else { return .double }
                guard let (prec, scale) = JSONInferrer.decimalShape(lx.b + num.start, num.end - num.start, stripCommas: false) else {
                    return .double
                }
                if scale < 0 {
                    fatal = EmberError(
                        errorClass: "NEGATIVE_SCALE_DISALLOWED", sqlState: "0A000",
                        message: "Negative scale is not allowed: '\(scale)'. Set the config \"spark.sql.legacy.allowNegativeScaleOfDecimal\" to \"true\" to allow it.")
                    throw JSONSyntaxError(message: "negative decimal scale", offset: num.start)
                }
                let p = max(prec, scale)
                return p <= DataType.maxDecimalPrecision ? .decimal(p, scale) : .double
            }
        }
    }

    /// Precision and scale of Java's `new BigDecimal(text)` (grouping commas removed
    /// first when asked), or nil when it is not a decimal.
    static func decimalShape(_ p: UnsafePointer<UInt8>, _ n: Int, stripCommas: Bool) -> (Int, Int)? {
        var i = 0
        if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { i += 1 }
        var significant = 0, frac = 0, any = false, dot = false
        while i < n {
            let c = p[i]
            if c &- 48 <= 9 {
                any = true
                if significant > 0 || c != 48 { significant += 1 }
                if dot { frac += 1 }
            } else if c == UInt8(ascii: "."), !dot {
                dot = true
            } else if c == UInt8(ascii: ","), stripCommas {
            } else {
                break
            }
            i += 1
        }
        guard any else { return nil }
        var exp = 0
        if i < n {
            guard p[i] | 0x20 == UInt8(ascii: "e") else { return nil }
            i += 1
            var neg = false
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { neg = p[i] == UInt8(ascii: "-"); i += 1 }
            guard i < n else { return nil }
            while i < n {
                let d = p[i] &- 48
                guard d <= 9 else { return nil }
                if exp < 1_000_000_000 { exp = exp * 10 + Int(d) }
                i += 1
            }
            if neg { exp = -exp }
        }
        return (max(significant, 1), frac - exp)
    }
}
