import EmberCore
import EmberPlan

/// Decides from a row group's column statistics (min, max, NULL count) whether pushed
/// filters can match any of its rows. Anything it does not understand may match.
struct ParquetStatsFilter {
    /// Attribute id → top-level field of the file (flat leaves only).
    let columns: [Int: Int]
    let info: ParquetFileInfo

    enum Key: Comparable {
        case int(Int64)
        case double(Double)
        case bytes([UInt8])
        case decimal(Int128)

        static func < (a: Key, b: Key) -> Bool {
            switch (a, b) {
            case (.int(let x), .int(let y)): return x < y
            case (.double(let x), .double(let y)): return x < y
            case (.bytes(let x), .bytes(let y)): return x.lexicographicallyPrecedes(y)
            case (.decimal(let x), .decimal(let y)): return x < y
            default: return false
            }
        }
    }

    func mayMatch(_ filters: [Expr], rowGroup: Int) -> Bool {
        filters.allSatisfy { mayMatch($0, rowGroup) }
    }

    private func mayMatch(_ e: Expr, _ rg: Int) -> Bool {
        guard case .call(let c) = e else { return true }
        switch (c.name, c.args.count) {
        case ("and", 2): return mayMatch(c.args[0], rg) && mayMatch(c.args[1], rg)
        case ("or", 2): return mayMatch(c.args[0], rg) || mayMatch(c.args[1], rg)
        case ("isnull", 1):
            guard let (s, rows) = stats(c.args[0], rg), let n = s.nullCount else { return true }
            _ = rows
            return n > 0
        case ("isnotnull", 1):
            guard let (s, rows) = stats(c.args[0], rg), let n = s.nullCount else { return true }
            return n < rows
        case ("in", _) where c.args.count >= 2:
            guard let (range, _) = minMax(c.args[0], rg) else { return true }
            for a in c.args.dropFirst() {
                guard case .literal(let v, let t) = a, t == c.args[0].dataTypeIfAttribute else { return true }
                guard let k = key(v) else { return true }
                if !(k < range.0) && !(range.1 < k) { return true }
            }
            return false
        case ("==", 2), ("<", 2), ("<=", 2), (">", 2), (">=", 2):
            var op = c.name
            var attr = c.args[0], lit = c.args[1]
            if case .literal = attr {
                swap(&attr, &lit)
                switch op {
                case "<": op = ">"
                case "<=": op = ">="
                case ">": op = "<"
                case ">=": op = "<="
                default: break
                }
            }
            guard case .literal(let v, let t) = lit, t == attr.dataTypeIfAttribute, let k = key(v) else { return true }
            guard let ((mn, mx), _) = minMax(attr, rg) else { return true }
            switch op {
            case "==": return !(k < mn) && !(mx < k)
            case "<": return mn < k
            case "<=": return !(k < mn)
            case ">": return k < mx
            case ">=": return !(mx < k)
            default: return true
            }
        default:
            return true
        }
    }

    private func leafIndex(_ e: Expr) -> Int? {
        guard case .attribute(let a) = e, let f = columns[a.id], case .leaf(let li, _) = info.schemaInfo.fields[f] else { return nil }
        return li
    }

    private func stats(_ e: Expr, _ rg: Int) -> (ParquetStatistics, Int64)? {
        guard let li = leafIndex(e), let md = info.metadata.rowGroups[rg].columns[li].metaData, let s = md.statistics else { return nil }
        return (s, info.metadata.rowGroups[rg].numRows)
    }

    /// The row group's (min, max) as keys, nil if unknown. A group of only NULLs has an empty range.
    private func minMax(_ e: Expr, _ rg: Int) -> ((Key, Key), Int64)? {
        guard let li = leafIndex(e), let (s, rows) = stats(e, rg) else { return nil }
        let leaf = info.schemaInfo.leaves[li]
        if let n = s.nullCount, n == rows, rows > 0 {
            // Nothing but NULLs: no comparison can be true. An inverted range says so.
            return ((.int(1), .int(0)), rows)
        }
        let binary = leaf.physical == .byteArray || leaf.physical == .fixedLenByteArray
        guard let mnb = s.minValue ?? (binary ? nil : s.min), let mxb = s.maxValue ?? (binary ? nil : s.max),
              let mn = decode(mnb, leaf), let mx = decode(mxb, leaf) else { return nil }
        return ((mn, mx), rows)
    }

    private func decode(_ b: [UInt8], _ leaf: ParquetLeaf) -> Key? {
        func le(_ n: Int) -> Int64? {
            guard b.count == n else { return nil }
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(b[i]) << UInt64(8 * i) }
            return n == 4 ? Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: v))) : Int64(bitPattern: v)
        }
        switch (leaf.physical, leaf.type) {
        case (.int32, .byte), (.int32, .short), (.int32, .int), (.int32, .date):
            if case .integer(_, false) = leaf.element.logicalType { return nil }
            return le(4).map { .int($0) }
        case (.int64, .long):
            if case .integer(_, false) = leaf.element.logicalType { return nil }
            return le(8).map { .int($0) }
        case (.int64, .timestamp):
            var unit = ParquetTimeUnit.micros
            if case .timestamp(_, let u) = leaf.element.logicalType { unit = u } else if leaf.element.convertedType == .timestampMillis { unit = .millis }
            guard let v = le(8) else { return nil }
            switch unit {
            case .micros: return .int(v)
            case .millis: return .int(v &* 1000)
            case .nanos: return nil
            }
        case (.float, .float):
            guard b.count == 4 else { return nil }
            let f = Float(bitPattern: UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24)
            return f.isNaN ? nil : .double(Double(f))
        case (.double, .double):
            guard let v = le(8) else { return nil }
            let d = Double(bitPattern: UInt64(bitPattern: v))
            return d.isNaN ? nil : .double(d)
        case (.int32, .decimal): return le(4).map { .decimal(Int128($0)) }
        case (.int64, .decimal): return le(8).map { .decimal(Int128($0)) }
        case (.byteArray, .decimal), (.fixedLenByteArray, .decimal):
            guard !b.isEmpty, b.count <= 16 else { return nil }
            var x: Int128 = b[0] & 0x80 != 0 ? -1 : 0
            for byte in b { x = (x << 8) | Int128(byte) }
            return .decimal(x)
        case (.byteArray, .string), (.byteArray, .binary):
            return .bytes(b)
        default:
            return nil
        }
    }

    private func key(_ v: Value) -> Key? {
        switch v {
        case .byte(let x): return .int(Int64(x))
        case .short(let x): return .int(Int64(x))
        case .int(let x): return .int(Int64(x))
        case .long(let x): return .int(x)
        case .date(let x): return .int(Int64(x))
        case .timestamp(let x): return .int(x)
        case .float(let x): return x.isNaN ? nil : .double(Double(x))
        case .double(let x): return x.isNaN ? nil : .double(x)
        case .decimal(let d): return .decimal(d.unscaled)
        case .string(let s): return .bytes(Array(s.utf8))
        case .binary(let b): return .bytes(b)
        default: return nil
        }
    }
}

extension Expr {
    /// The type of a resolved column reference (nil for anything else).
    var dataTypeIfAttribute: DataType? {
        if case .attribute(let a) = self { return a.dataType }
        return nil
    }
}
