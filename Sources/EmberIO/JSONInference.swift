import EmberCore
import Foundation

/// The types of Spark's `JsonInferSchema` before canonicalization (NULL still present,
/// struct fields sorted by name as Java's `String.compareTo` orders them).
indirect enum JSONInferType: Equatable {
    case null, long, double, decimal(Int, Int), string, boolean, timestamp
    case array(JSONInferType)
    case structure([JSONInferField])
}

struct JSONInferField: Equatable {
    var name: [UInt8]
    var type: JSONInferType
}

/// Spark's type merging rules for inferred JSON types.
enum JSONTypeMerge {
    /// Java `String.compareTo` (UTF-16 code units); UTF-8 byte order agrees except
    /// around supplementary characters.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.contains(where: { $0 >= 0xF0 }) || b.contains(where: { $0 >= 0xF0 }) {
            let x = Array(String(decoding: a, as: UTF8.self).utf16), y = Array(String(decoding: b, as: UTF8.self).utf16)
            for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        }
        for (p, q) in zip(a, b) where p != q { return p < q ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    static func sameIgnoringCase(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        String(decoding: a, as: UTF8.self).lowercased() == String(decoding: b, as: UTF8.self).lowercased()
    }

    /// Fields sorted by name, stably (Java's `Arrays.sort` on objects).
    static func sorted(_ fields: [JSONInferField]) -> [JSONInferField] {
        fields.enumerated().sorted { x, y in
            let c = compare(x.element.name, y.element.name)
            return c != 0 ? c < 0 : x.offset < y.offset
        }.map(\.element)
    }

    /// Spark's `TypeCoercion.findTightestCommonType` on inferred types.
    static func tightest(_ a: JSONInferType, _ b: JSONInferType) -> JSONInferType? {
        if a == b { return a }
        switch (a, b) {
        case (.null, let x), (let x, .null): return x
        case (.long, .decimal(let p, let s)), (.decimal(let p, let s), .long):
            return p - s >= 20 ? .decimal(p, s) : nil
        case (.long, .double), (.double, .long): return .double
        case (.array(let x), .array(let y)): return tightest(x, y).map { .array($0) }
        case (.structure(let f1), .structure(let f2)) where f1.count == f2.count:
            var out: [JSONInferField] = []
            for (x, y) in zip(f1, f2) {
                guard sameIgnoringCase(x.name, y.name), let t = tightest(x.type, y.type) else { return nil }
                out.append(JSONInferField(name: x.name, type: t))
            }
            return .structure(out)
        default: return nil
        }
    }

    /// Spark's `JsonInferSchema.compatibleType`.
    static func compatible(_ a: JSONInferType, _ b: JSONInferType) -> JSONInferType {
        if let t = tightest(a, b) { return t }
        switch (a, b) {
        case (.double, .decimal), (.decimal, .double): return .double
        case (.decimal(let p1, let s1), .decimal(let p2, let s2)):
            let scale = max(s1, s2), range = max(p1 - s1, p2 - s2)
            return range + scale > DataType.maxDecimalPrecision ? .double : .decimal(range + scale, scale)
        case (.structure(let f1), .structure(let f2)):
            return .structure(mergeFields(f1, f2))
        case (.array(let x), .array(let y)): return .array(compatible(x, y))
        case (.long, .decimal): return compatible(.decimal(20, 0), b)
        case (.decimal, .long): return compatible(a, .decimal(20, 0))
        default: return .string
        }
    }

    /// Merges two name-sorted field lists (equal names merge their types).
    static func mergeFields(_ f1: [JSONInferField], _ f2: [JSONInferField]) -> [JSONInferField] {
        var out: [JSONInferField] = []
        out.reserveCapacity(max(f1.count, f2.count))
        var i = 0, j = 0
        while i < f1.count && j < f2.count {
            let c = compare(f1[i].name, f2[j].name)
            if c == 0 {
                out.append(JSONInferField(name: f1[i].name, type: compatible(f1[i].type, f2[j].type)))
                i += 1; j += 1
            } else if c < 0 {
                out.append(f1[i]); i += 1
            } else {
                out.append(f2[j]); j += 1
            }
        }
        out.append(contentsOf: f1[i...])
        out.append(contentsOf: f2[j...])
        return out
    }

    /// Spark's `compatibleRootType`: top-level arrays are unwrapped, NULL documents
    /// dropped, and a non-object document next to objects adds the corrupt-record column
    /// (PERMISSIVE), is dropped (DROPMALFORMED) or fails (FAILFAST).
    static func compatibleRoot(_ a: JSONInferType, _ b: JSONInferType, corruptName: String, mode: CSVParseMode) throws -> JSONInferType {
        switch (a, b) {
        case (.array(let x), _): return try compatibleRoot(x, b, corruptName: corruptName, mode: mode)
        case (_, .array(let y)): return try compatibleRoot(a, y, corruptName: corruptName, mode: mode)
        case (.structure, .null): return a
        case (.null, .structure): return b
        case (.structure, .structure): return compatible(a, b)
        case (.structure(let fs), _): return try withCorruptField(fs, b, corruptName: corruptName, mode: mode)
        case (_, .structure(let fs)): return try withCorruptField(fs, a, corruptName: corruptName, mode: mode)
        default: return compatible(a, b)
        }
    }

    static func withCorruptField(_ fields: [JSONInferField], _ other: JSONInferType, corruptName: String, mode: CSVParseMode) throws -> JSONInferType {
        switch mode {
        case .permissive:
            let name = Array(corruptName.utf8)
            if fields.contains(where: { $0.name == name }) { return .structure(fields) }
            return .structure(sorted([JSONInferField(name: name, type: .string)] + fields))
        case .dropMalformed:
            return .structure(fields)
        case .failFast:
            throw JSONInference.malformedInInference("a top-level JSON value of type \(describe(other)) next to JSON objects")
        }
    }

    static func describe(_ t: JSONInferType) -> String {
        switch t {
        case .null: return "null"
        case .long: return "bigint"
        case .double: return "double"
        case .decimal(let p, let s): return "decimal(\(p),\(s))"
        case .string: return "string"
        case .boolean: return "boolean"
        case .timestamp: return "timestamp"
        case .array(let e): return "array<\(describe(e))>"
        case .structure: return "struct"
        }
    }

    /// Spark's `canonicalizeType`: NULL becomes STRING (or is dropped with
    /// `dropFieldIfAllNull`), empty structs and nameless fields disappear.
    static func canonicalize(_ t: JSONInferType, dropFieldIfAllNull: Bool) -> DataType? {
        switch t {
        case .null: return dropFieldIfAllNull ? nil : .string
        case .long: return .long
        case .double: return .double
        case .decimal(let p, let s): return .decimal(precision: p, scale: s)
        case .string: return .string
        case .boolean: return .boolean
        case .timestamp: return .timestamp
        case .array(let e):
            return canonicalize(e, dropFieldIfAllNull: dropFieldIfAllNull).map { .array(element: $0, containsNull: true) }
        case .structure(let fs):
            let out = fs.compactMap { f -> StructField? in
                guard !f.name.isEmpty, let t = canonicalize(f.type, dropFieldIfAllNull: dropFieldIfAllNull) else { return nil }
                return StructField(String(decoding: f.name, as: UTF8.self), t)
            }
            return out.isEmpty ? nil : .structure(out)
        }
    }
}

/// Spark's JSON schema inference (`JsonInferSchema`), over every record (or a sample).
public enum JSONInference {
    /// Infers the schema of the files at `paths`. Splits are scanned in parallel; each
    /// folds its records' types, then the splits' types are merged in order.
    public static func inferSchema(
        paths: [String], options: JSONOptions, zone: SessionTimeZone, maxSplitBytes: Int = 32 << 20
    ) throws -> Schema {
        let splits = try JSONReader.splits(paths: paths, options: options, maxSplitBytes: maxSplitBytes)
        guard !splits.isEmpty else { return Schema([]) }
        let results = InferenceResults(count: splits.count)
        DispatchQueue.concurrentPerform(iterations: splits.count) { i in
            do {
                var inferrer = JSONInferrer(options: options, zone: zone, path: splits[i].path)
                defer { inferrer.release() }
                results.set(i, .success(try inferrer.infer(splits[i])))
            } catch {
                results.set(i, .failure(error))
            }
        }
        var root = JSONInferType.structure([])
        for i in 0..<splits.count {
            if let t = try results.get(i) {
                root = try JSONTypeMerge.compatibleRoot(root, t, corruptName: options.columnNameOfCorruptRecord, mode: options.mode)
            }
        }
        guard case .structure(let fields)? = JSONTypeMerge.canonicalize(root, dropFieldIfAllNull: options.dropFieldIfAllNull) else {
            return Schema([])
        }
        try checkDuplicates(fields)
        return Schema(fields)
    }

    /// Spark rejects a schema with duplicate names (case-insensitively), nested ones too.
    static func checkDuplicates(_ fields: [StructField]) throws {
        var seen = Set<String>()
        for f in fields {
            let key = f.name.lowercased()
            if !seen.insert(key).inserted {
                throw EmberError(
                    errorClass: "COLUMN_ALREADY_EXISTS", sqlState: "42711",
                    message: "The column `\(key)` already exists. Choose another name or rename the existing column.")
            }
        }
        for f in fields { try checkNested(f.dataType) }
    }

    private static func checkNested(_ t: DataType) throws {
        switch t {
        case .structure(let fs): try checkDuplicates(fs)
        case .array(let e, _): try checkNested(e)
        case .map(let k, let v, _): try checkNested(k); try checkNested(v)
        default: break
        }
    }

    static func malformedInInference(_ reason: String) -> EmberError {
        EmberError(
            errorClass: "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", sqlState: "22023",
            message: "Malformed records are detected in schema inference. Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'. (\(reason))")
    }
}

/// Per-split inference results, written from concurrent tasks.
private final class InferenceResults: @unchecked Sendable {
    private var items: [Result<JSONInferType?, Error>?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<JSONInferType?, Error>) {
        lock.lock(); items[i] = r; lock.unlock()
    }
    func get(_ i: Int) throws -> JSONInferType? {
        lock.lock(); defer { lock.unlock() }
        guard let r = items[i] else { throw EmberError.internalError("JSON inference task \(i) produced no result") }
        return try r.get()
    }
}
