import EmberCodecs
import EmberColumnar
import EmberCore
import Foundation

/// The type lattice of Spark's `CSVInferSchema`.
enum CSVInferType: Equatable {
    case null, int, long, decimal(Int, Int), double, date, timestamp, boolean, string

    var dataType: DataType {
        switch self {
        case .null, .string: return .string
        case .int: return .int
        case .long: return .long
        case .decimal(let p, let s): return .decimal(precision: p, scale: s)
        case .double: return .double
        case .date: return .date
        case .timestamp: return .timestamp
        case .boolean: return .boolean
        }
    }
}

extension CSVReader {
    /// Spark's CSV schema inference. Names come from the header (empty or null-valued
    /// names become `_c<i>`, case-insensitive duplicates get their index appended) or are
    /// `_c0`, `_c1`…; the first record of the first file fixes the column count. With
    /// `inferSchema`, each field walks Spark's chain int → long → decimal (integers beyond
    /// long) → double → date (matching `dateFormat`, default `yyyy-MM-dd`) → timestamp
    /// (`timestampFormat`, or CAST rules) → boolean → string, and types merge across rows
    /// as Spark's `compatibleType` does. Files are scanned in parallel splits.
    public static func inferSchema(paths: [String], options: CSVOptions, zone: SessionTimeZone) throws -> Schema {
        var opts = options
        if !opts.inferSchema { opts.samplingRatio = 1 }
        let splits = try self.splits(paths: paths, options: options, maxSplitBytes: 32 << 20)
        guard !splits.isEmpty else { return Schema([]) }
        let inferrer = try CSVInferrer(options: opts, zone: zone)

        if !opts.inferSchema {
            // Only the first record matters.
            guard let first = try inferrer.firstRecord(splits[0]) else { return Schema([]) }
            return Schema(names(first, options: opts).map { StructField($0, .string) })
        }

        let results = ResultBox(count: splits.count)
        DispatchQueue.concurrentPerform(iterations: splits.count) { i in
            do {
                results.set(i, .success(try inferrer.infer(splits[i])))
            } catch {
                results.set(i, .failure(error))
            }
        }
        var first: [String?]?
        var merged: [CSVInferType] = []
        for i in 0..<splits.count {
            let r = try results.get(i)
            if first == nil, let f = r.first { first = f }
            for (k, t) in r.types.enumerated() {
                if k >= merged.count { merged.append(t) } else { merged[k] = inferrer.compatible(merged[k], t) ?? .string }
            }
        }
        guard let header = first else { return Schema([]) }
        let names = names(header, options: opts)
        return Schema(names.indices.map { StructField(names[$0], k(merged, $0).dataType) })
    }

    private static func k(_ types: [CSVInferType], _ i: Int) -> CSVInferType { i < types.count ? types[i] : .null }

    /// Spark's `makeSafeHeader`.
    static func names(_ first: [String?], options: CSVOptions) -> [String] {
        guard options.header else { return first.indices.map { "_c\($0)" } }
        let lower = first.map { $0?.lowercased() }
        var seen: [String: Int] = [:]
        for case let n? in lower { seen[n, default: 0] += 1 }
        return first.enumerated().map { i, v in
            guard let v, !v.isEmpty, v != options.nullValue else { return "_c\(i)" }
            return (seen[v.lowercased()] ?? 0) > 1 ? "\(v)\(i)" : v
        }
    }
}

/// Per-split inference results, written from concurrent tasks.
private final class ResultBox: @unchecked Sendable {
    private var items: [Result<CSVInferrer.SplitResult, Error>?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<CSVInferrer.SplitResult, Error>) {
        lock.lock(); items[i] = r; lock.unlock()
    }
    func get(_ i: Int) throws -> CSVInferrer.SplitResult {
        lock.lock(); defer { lock.unlock() }
        guard let r = items[i] else { throw EmberError.internalError("CSV inference task \(i) produced no result") }
        return try r.get()
    }
}

struct CSVInferrer: @unchecked Sendable {
    let options: CSVOptions
    let zone: SessionTimeZone
    let tokenizer: CSVTokenizer
    let dateFormat: DateTimePattern
    let nullBytes: [UInt8]
    let specials: [[UInt8]]

    struct SplitResult {
        /// The first record of the file, when this split starts it (header or first row).
        var first: [String?]?
        var types: [CSVInferType]
    }

    init(options: CSVOptions, zone: SessionTimeZone) throws {
        self.options = options
        self.zone = zone
        tokenizer = CSVTokenizer(options)
        dateFormat = try options.dateFormat ?? DateTimePattern("yyyy-MM-dd")
        nullBytes = Array(options.nullValue.utf8)
        specials = [options.nanValue, options.positiveInf, options.negativeInf].map { Array($0.utf8) }
    }

    func firstRecord(_ split: FileSplit) throws -> [String?]? {
        var probe = split
        if !options.multiLine { probe.length = min(split.length, 1 << 16) }
        return try infer(probe, typesWanted: false).first
    }

    func infer(_ split: FileSplit, typesWanted: Bool = true) throws -> SplitResult {
        var fields = FieldBuffer()
        defer { fields.release() }
        var result = SplitResult(first: nil, types: [])
        // A fixed-seed generator keeps sampling deterministic.
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: split.start)
        let sample = options.samplingRatio < 1
        var first = split.start == 0

        /// Scans the records of `b[start..<n]` that begin before `ownedEnd`; returns false
        /// once no more records are wanted (only the first one was).
        func scan(_ b: UnsafePointer<UInt8>, _ n: Int, from start: Int, ownedEnd: Int) -> Bool {
            var pos = start
            while true {
                pos = tokenizer.skipBlank(b, n, pos)
                if pos >= n || pos >= ownedEnd { return true }
                pos = tokenizer.record(b, n, pos, &fields).next
                if first {
                    first = false
                    result.first = (0..<fields.count).map { k in
                        fields.starts[k] == fields.ends[k] && fields.flags[k] & FieldBuffer.quoted == 0
                            ? nil : tokenizer.string(b, fields, k)
                    }
                    if !typesWanted { return false }
                    if options.header { continue }
                }
                if sample {
                    rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    if Double(rng >> 11) / Double(1 << 53) >= options.samplingRatio { continue }
                }
                while result.types.count < fields.count { result.types.append(.null) }
                for k in 0..<fields.count {
                    result.types[k] = inferField(result.types[k], b, fields.starts[k], fields.ends[k])
                }
            }
        }

        if let codec = try CompressedFiles.codec(for: split.path, format: "CSV") {
            // A compressed file is one split, decompressed in chunks of whole lines.
            var atStart = true
            try CompressedFiles.forEachLineChunk(
                path: split.path, kind: codec, terminators: tokenizer.terminators,
                chunkSize: options.multiLine ? Int.max : CSVReader.compressedChunkBytes
            ) { chunk, _ in
                guard let b = chunk.baseAddress else { return true }
                let bom = atStart && chunk.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
                atStart = false
                return scan(b, chunk.count, from: bom ? 3 : 0, ownedEnd: Int.max)
            }
            return result
        }
        let buf = try CSVReader.loadSplit(split, options: options)
        defer { buf.recycle() }
        let base = split.start == 0 ? 0 : split.start - 1
        let ownedEnd = options.multiLine ? Int.max : split.start + split.length - base
        let b = UnsafePointer(buf.base)
        let n = buf.count
        var pos = 0
        if split.start == 0 {
            if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { pos = 3 }
        } else {
            pos = tokenizer.firstLineStart(b, n, from: 0)
        }
        _ = scan(b, n, from: pos, ownedEnd: ownedEnd)
        return result
    }

    func inferField(_ soFar: CSVInferType, _ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        if s == e || CSVParse.equals(b, s, e, nullBytes) { return soFar }
        let t: CSVInferType
        switch soFar {
        case .null, .int: t = tryInt(b, s, e)
        case .long: t = tryLong(b, s, e)
        case .decimal: t = tryDecimal(b, s, e)
        case .double: t = tryDouble(b, s, e)
        case .date: t = tryDate(b, s, e)
        case .timestamp: t = tryTimestamp(b, s, e)
        case .boolean: t = tryBoolean(b, s, e)
        case .string: return .string
        }
        return compatible(soFar, t) ?? .string
    }

    func tryInt(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        if let v = CSVParse.int64(b, s, e), Int32(exactly: v) != nil { return .int }
        return tryLong(b, s, e)
    }

    func tryLong(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        CSVParse.int64(b, s, e) != nil ? .long : tryDecimal(b, s, e)
    }

    /// `new BigDecimal(field)` with a scale <= 0 (integers too wide for a long): Spark
    /// infers DECIMAL(precision, 0) when it fits 38 digits. With `prefersDecimal`,
    /// fractions infer as decimals too.
    func tryDecimal(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        var i = s
        if i < e, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        var digits = 0, frac = 0, any = false, dot = false, ok = i < e
        while i < e {
            let c = b[i]
            if c == UInt8(ascii: "."), !dot { dot = true } else if c &- 48 <= 9 {
                if digits > 0 || c != 48 { digits += 1 }
                if dot { frac += 1 }
                any = true
            } else { ok = false; break }
            i += 1
        }
        if ok, any {
            // BigDecimal precision counts the digits of the unscaled value (at least 1).
            let precision = max(digits, 1)
            if frac == 0, precision <= DataType.maxDecimalPrecision { return .decimal(precision, 0) }
            if options.prefersDecimal, frac > 0 {
                let p = max(precision, frac)
                if p <= DataType.maxDecimalPrecision { return .decimal(p, frac) }
            }
        }
        return tryDouble(b, s, e)
    }

    func tryDouble(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        if CSVParse.double(b, s, e) != nil || specials.contains(where: { CSVParse.equals(b, s, e, $0) }) { return .double }
        return tryDate(b, s, e)
    }

    func tryDate(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        guard options.prefersDate else { return tryTimestamp(b, s, e) }
        // Fast path for the default strict yyyy-MM-dd.
        if options.dateFormat == nil, e - s == 10, CSVParse.isoDate(b, s) != nil { return .date }
        if dateFormat.parseDate(bytes: UnsafeBufferPointer(start: b + s, count: e - s)) != nil {
            return .date
        }
        return tryTimestamp(b, s, e)
    }

    func tryTimestamp(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        let ok: Bool
        if let f = options.timestampFormat {
            ok = f.parseTimestamp(bytes: UnsafeBufferPointer(start: b + s, count: e - s), zone: zone) != nil
        } else {
            ok = CSVParse.timestamp(b, s, e, zone: zone) != nil
        }
        return ok ? .timestamp : tryBoolean(b, s, e)
    }

    func tryBoolean(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> CSVInferType {
        CSVParse.bool(b, s, e) != nil ? .boolean : .string
    }

    /// Spark's `CSVInferSchema.compatibleType`; nil means the column becomes STRING.
    func compatible(_ a: CSVInferType, _ b: CSVInferType) -> CSVInferType? {
        if a == b { return a }
        switch (a, b) {
        case (.null, let x), (let x, .null): return x
        case (.int, .long), (.long, .int): return .long
        case (.int, .double), (.double, .int), (.long, .double), (.double, .long): return .double
        case (.decimal, .double), (.double, .decimal): return .double
        case (.int, .decimal), (.long, .decimal): return compatible(a == .int ? .decimal(10, 0) : .decimal(20, 0), b)
        case (.decimal, .int), (.decimal, .long): return compatible(a, b == .int ? .decimal(10, 0) : .decimal(20, 0))
        case (.decimal(let p1, let s1), .decimal(let p2, let s2)):
            let scale = max(s1, s2), range = max(p1 - s1, p2 - s2)
            return range + scale > DataType.maxDecimalPrecision ? .double : .decimal(range + scale, scale)
        // Spark widens DATE to TIMESTAMP only when no timestampFormat was given.
        case (.date, .timestamp), (.timestamp, .date): return options.timestampFormat == nil ? .timestamp : nil
        default: return nil
        }
    }
}
