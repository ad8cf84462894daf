import EmberColumnar
import EmberCore
import Foundation

/// A data file with the values of its Hive-style partition directories (`state=CA/`).
public struct PartitionedFile: Hashable, Sendable {
    public var path: String
    public var size: Int
    /// One value per partition column (NULL for `__HIVE_DEFAULT_PARTITION__`).
    public var values: [Value]
}

/// Spark's partition discovery: `key=value` directories under each input path become
/// columns, typed by inference over all their values (int, bigint, decimal, double, date,
/// timestamp, else string), appended after the data columns.
public struct PartitionDiscovery {
    public var files: [PartitionedFile]
    public var columns: [StructField]

    public static let defaultPartitionName = "__HIVE_DEFAULT_PARTITION__"

    /// Lists `paths` and infers their partition columns. `userSchema` types a partition
    /// column it names instead of inference.
    public static func discover(_ paths: [String], userSchema: Schema? = nil, zone: SessionTimeZone = .utc) throws -> PartitionDiscovery {
        var raw: [(path: String, size: Int, pairs: [(String, String)])] = []
        for p in paths {
            let root = p.hasPrefix("file://") ? String(p.dropFirst(7)) : p
            let rootTrimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
            for f in try FileListing.list([p]) {
                var pairs: [(String, String)] = []
                if f.path.hasPrefix(rootTrimmed + "/") {
                    let rel = f.path.dropFirst(rootTrimmed.count + 1).split(separator: "/").dropLast()
                    for seg in rel {
                        guard let eq = seg.firstIndex(of: "=") else { continue }
                        let k = unescape(String(seg[..<eq]))
                        let v = unescape(String(seg[seg.index(after: eq)...]))
                        pairs.append((k, v))
                    }
                }
                raw.append((f.path, f.size, pairs))
            }
        }
        guard let first = raw.first, !first.pairs.isEmpty else {
            if let bad = raw.first(where: { !$0.pairs.isEmpty }) {
                throw conflict(raw.first?.path ?? "", bad.path)
            }
            return PartitionDiscovery(files: raw.map { PartitionedFile(path: $0.path, size: $0.size, values: []) }, columns: [])
        }
        let keys = first.pairs.map(\.0)
        for r in raw where r.pairs.map(\.0) != keys { throw conflict(first.path, r.path) }
        var columns: [StructField] = []
        var values = [[Value]](repeating: [], count: raw.count)
        for (k, key) in keys.enumerated() {
            let texts = raw.map { $0.pairs[k].1 }
            let type = userSchema?.fields.first { $0.name.lowercased() == key.lowercased() }?.dataType ?? inferType(texts)
            columns.append(StructField(key, type, nullable: true))
            for (i, t) in texts.enumerated() { values[i].append(try parse(t, as: type, zone: zone, key: key)) }
        }
        let files = raw.enumerated().map { PartitionedFile(path: $0.element.path, size: $0.element.size, values: values[$0.offset]) }
        return PartitionDiscovery(files: files, columns: columns)
    }

    private static func conflict(_ a: String, _ b: String) -> EmberError {
        EmberError(errorClass: "CONFLICTING_DIRECTORY_STRUCTURES", sqlState: "KD009",
                   message: "Conflicting directory structures detected. Suspicious paths:\n\t\(a)\n\t\(b)\nIf provided paths are partition directories, please set \"basePath\" in the options of the data source to specify the root directory of the table. If there are multiple root directories, please load them separately and then union them.")
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("%") else { return s }
        return s.removingPercentEncoding ?? s
    }

    /// Spark's inference: the narrowest of int, bigint, decimal(p,0), double, date,
    /// timestamp that every value parses as; otherwise string.
    static func inferType(_ texts: [String]) -> DataType {
        let vs = texts.filter { $0 != defaultPartitionName }
        if vs.isEmpty { return .string }
        if vs.allSatisfy({ Int32($0) != nil }) { return .int }
        if vs.allSatisfy({ Int64($0) != nil }) { return .long }
        if vs.allSatisfy({ s in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } || (s.first == "-" && s.dropFirst().allSatisfy { $0.isASCII && $0.isNumber } && s.count > 1) }) {
            let digits = vs.map { $0.filter { $0 != "-" }.count }.max() ?? 1
            if digits <= 38 { return .decimal(precision: digits, scale: 0) }
        }
        if vs.allSatisfy({ Double($0) != nil && !$0.lowercased().contains("n") && !$0.lowercased().contains("i") }) { return .double }
        if vs.allSatisfy({ isDate($0) }) { return .date }
        if vs.allSatisfy({ DateTime.parseTimestamp($0, zone: .utc) != nil && $0.contains(":") }) { return .timestamp }
        return .string
    }

    private static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].count == 4 && DateTime.parseDate(s) != nil
    }

    static func parse(_ text: String, as type: DataType, zone: SessionTimeZone, key: String) throws -> Value {
        if text == defaultPartitionName { return .null }
        func bad() -> EmberError {
            EmberError.invalidArgument("The partition value '\(text)' of column \(key) cannot be read as \(type.sql)")
        }
        switch type {
        case .string: return .string(text)
        case .int: guard let v = Int32(text) else { throw bad() }; return .int(v)
        case .long: guard let v = Int64(text) else { throw bad() }; return .long(v)
        case .short: guard let v = Int16(text) else { throw bad() }; return .short(v)
        case .byte: guard let v = Int8(text) else { throw bad() }; return .byte(v)
        case .double: guard let v = Double(text) else { throw bad() }; return .double(v)
        case .float: guard let v = Float(text) else { throw bad() }; return .float(v)
        case .boolean:
            switch text.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw bad()
            }
        case .date: guard let v = DateTime.parseDate(text) else { throw bad() }; return .date(v)
        case .timestamp: guard let v = DateTime.parseTimestamp(text, zone: zone) else { throw bad() }; return .timestamp(v)
        case .decimal(let p, let s):
            guard let d = Decimal128.parse(text), let r = d.rescaled(to: s, precision: p) else { throw bad() }
            return .decimal(r)
        default: throw bad()
        }
    }
}
