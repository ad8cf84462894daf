import EmberCore

/// Row-encoded keys: the values of several key columns of one row packed into one
/// byte string, so that grouping, joining and sorting work the same way for any mix
/// of types. Two encodings:
/// - `equality`: equal keys ⇔ equal bytes (NaN = NaN, -0.0 = 0.0, as Spark groups);
/// - `ordered`: memcmp order = Spark's sort order for the given directions.
public struct RowKeys {
    public var offsets: [Int32]
    public var bytes: [UInt8]
    /// Rows where some key column is NULL (joins never match those).
    public var hasNull: Bitmap?

    public init(offsets: [Int32], bytes: [UInt8], hasNull: Bitmap?) {
        self.offsets = offsets
        self.bytes = bytes
        self.hasNull = hasNull
    }

    public var count: Int { offsets.count - 1 }

    @inlinable
    public func key(_ i: Int) -> ArraySlice<UInt8> { bytes[Int(offsets[i])..<Int(offsets[i + 1])] }
}

public struct SortDirection: Hashable, Sendable {
    public var ascending: Bool
    public var nullsFirst: Bool
    public init(ascending: Bool, nullsFirst: Bool) {
        self.ascending = ascending
        self.nullsFirst = nullsFirst
    }
}

extension RowKeys {
    /// Equality encoding of `columns` (all of length `count`).
    public static func equality(_ columns: [Column], count: Int) -> RowKeys {
        encode(columns, count: count, directions: nil)
    }

    /// Order-preserving encoding.
    public static func ordered(_ columns: [Column], count: Int, directions: [SortDirection]) -> RowKeys {
        encode(columns, count: count, directions: directions)
    }

    static func width(_ t: DataType) -> Int? {
        switch t {
        case .null: return 0
        case .boolean, .byte: return 1
        case .short: return 2
        case .int, .date: return 4
        case .long, .timestamp, .double, .float: return 8
        case .decimal: return 16
        default: return nil
        }
    }

    static func encode(_ columns: [Column], count: Int, directions: [SortDirection]?) -> RowKeys {
        // Pass 1: per-row sizes.
        var sizes = [Int](repeating: 0, count: count)
        var fixed = 0
        var hasNull: Bitmap? = nil
        for (c, col) in columns.enumerated() {
            if col.hasNulls || col.type == .null {
                if hasNull == nil { hasNull = Bitmap(count: count, value: false) }
                for i in 0..<count where col.isNull(i) { hasNull![i] = true }
            }
            if let w = width(col.type) {
                fixed += 1 + w
            } else if case .bytes(let o, _) = col.storage {
                let ordered = directions != nil
                for i in 0..<count {
                    let len = Int(o[i + 1] - o[i])
                    if ordered {
                        // escaped bytes + 2-byte terminator
                        var extra = 0
                        for b in col.bytesAt(i) where b == 0 || b == 1 { extra += 1 }
                        sizes[i] += 1 + len + extra + 2
                    } else {
                        sizes[i] += 1 + 4 + len
                    }
                }
            } else {
                for i in 0..<count { sizes[i] += 1 + nestedBytes(col, i).count }
            }
            _ = c
        }
        var offsets = [Int32](repeating: 0, count: count + 1)
        var total = 0
        for i in 0..<count {
            total += sizes[i] + fixed
            offsets[i + 1] = Int32(truncatingIfNeeded: total)
        }
        var bytes = [UInt8](repeating: 0, count: total)
        var cursor = [Int](repeating: 0, count: count)
        for i in 0..<count { cursor[i] = Int(offsets[i]) }
        // Pass 2: fill column by column.
        bytes.withUnsafeMutableBufferPointer { out in
            for (c, col) in columns.enumerated() {
                let dir = directions?[c]
                let nullMark: UInt8 = dir.map { $0.nullsFirst ? 0 : 2 } ?? 0
                let desc = dir.map { !$0.ascending } ?? false
                switch col.storage {
                case .none:
                    for i in 0..<count { out[cursor[i]] = nullMark; cursor[i] += 1 }
                case .bool(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 1) { i, p in p[0] = a[i] ? 1 : 0 }
                case .i8(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 1) { i, p in p[0] = UInt8(bitPattern: a[i]) ^ (dir != nil ? 0x80 : 0) }
                case .i16(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 2) { i, p in put(UInt64(UInt16(bitPattern: a[i]) ^ (dir != nil ? 0x8000 : 0)), 2, p) }
                case .i32(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 4) { i, p in put(UInt64(UInt32(bitPattern: a[i]) ^ (dir != nil ? 0x8000_0000 : 0)), 4, p) }
                case .i64(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 8) { i, p in put(UInt64(bitPattern: a[i]) ^ (dir != nil ? 0x8000_0000_0000_0000 : 0), 8, p) }
                case .f32(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 8) { i, p in
                        put(dir == nil ? canonicalBits(Double(a[i])) : orderedBits(Double(a[i])), 8, p)
                    }
                case .f64(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 8) { i, p in
                        put(dir == nil ? canonicalBits(a[i]) : orderedBits(a[i]), 8, p)
                    }
                case .i128(let a):
                    fill(out, &cursor, col, count, nullMark, desc, 16) { i, p in
                        let v = UInt128(bitPattern: a[i]) ^ (UInt128(1) << 127)
                        put(UInt64(truncatingIfNeeded: v >> 64), 8, p)
                        put(UInt64(truncatingIfNeeded: v), 8, p + 8)
                    }
                case .bytes(let o, let d):
                    for i in 0..<count {
                        var pos = cursor[i]
                        let null = col.isNull(i)
                        if dir == nil {
                            out[pos] = null ? 0 : 1; pos += 1
                            let s = Int(o[i]), e = Int(o[i + 1])
                            put(UInt64(e - s), 4, out.baseAddress! + pos); pos += 4
                            for k in s..<e { out[pos] = d[k]; pos += 1 }
                        } else if null {
                            out[pos] = nullMark; pos += 1
                            // keep the reserved bytes zero (only present when the row is non-null)
                            let s = Int(o[i]), e = Int(o[i + 1])
                            pos += (e - s) + 2
                            var extra = 0
                            for k in s..<e where d[k] == 0 || d[k] == 1 { extra += 1 }
                            pos += extra
                        } else {
                            out[pos] = 1; pos += 1
                            let inv: UInt8 = desc ? 0xFF : 0
                            for k in Int(o[i])..<Int(o[i + 1]) {
                                let b = d[k]
                                if b == 0 || b == 1 {
                                    out[pos] = 1 ^ inv; out[pos + 1] = b ^ inv; pos += 2
                                } else {
                                    out[pos] = b ^ inv; pos += 1
                                }
                            }
                            out[pos] = inv; out[pos + 1] = inv; pos += 2
                        }
                        cursor[i] = pos
                    }
                default:
                    for i in 0..<count {
                        var pos = cursor[i]
                        out[pos] = col.isNull(i) ? nullMark : 1; pos += 1
                        for b in nestedBytes(col, i) { out[pos] = desc ? ~b : b; pos += 1 }
                        cursor[i] = pos
                    }
                }
            }
        }
        return RowKeys(offsets: offsets, bytes: bytes, hasNull: hasNull)
    }

    @inline(__always)
    static func fill(
        _ out: UnsafeMutableBufferPointer<UInt8>, _ cursor: inout [Int], _ col: Column, _ count: Int,
        _ nullMark: UInt8, _ desc: Bool, _ width: Int, _ write: (Int, UnsafeMutablePointer<UInt8>) -> Void
    ) {
        guard let base = out.baseAddress else { return }
        let hasNulls = col.validity != nil
        for i in 0..<count {
            let p = base + cursor[i]
            if hasNulls && col.isNull(i) {
                p[0] = nullMark
            } else {
                p[0] = 1
                write(i, p + 1)
                if desc { for k in 1...width { p[k] = ~p[k] } }
            }
            cursor[i] += 1 + width
        }
    }

    /// Big-endian store of the low `n` bytes.
    @inline(__always)
    static func put(_ v: UInt64, _ n: Int, _ p: UnsafeMutablePointer<UInt8>) {
        for k in 0..<n { p[k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * (n - 1 - k))) }
    }

    /// Bits of a double whose unsigned order is the numeric order (NaN largest, -0 = 0).
    @inline(__always)
    public static func orderedBits(_ x: Double) -> UInt64 {
        let v = x.isNaN ? Double.nan : (x == 0 ? 0.0 : x)
        let b = v.bitPattern
        return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
    }

    /// Bits of a double with NaN and -0.0 made canonical (equality encoding).
    @inline(__always)
    static func canonicalBits(_ x: Double) -> UInt64 {
        x.isNaN ? Double.nan.bitPattern : (x == 0 ? 0 : x.bitPattern)
    }

    /// Nested values (arrays, maps, structs) encode through their printed form: rare as keys.
    static func nestedBytes(_ col: Column, _ i: Int) -> [UInt8] {
        if col.isNull(i) { return [] }
        var s = "\(col.value(at: i))"
        s.append("\u{0}")
        return Array(s.utf8)
    }
}

// MARK: - Hashing

/// A fast 64-bit hash of a byte slice (word-at-a-time multiply-xorshift mixing).
@inlinable
public func hashBytes(_ p: UnsafeRawBufferPointer, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> UInt64 {
    var h = seed ^ (UInt64(p.count) &* 0xFF51_AFD7_ED55_8CCD)
    var i = 0
    let n = p.count
    while i + 8 <= n {
        let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ w) &* 0x9FB2_1C65_1E98_DF25
        h ^= h >> 29
        i += 8
    }
    if i < n {
        var w: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { w |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ w) &* 0x9FB2_1C65_1E98_DF25
    }
    h ^= h >> 32
    h = h &* 0xD6E8_FEB8_6659_FD93
    h ^= h >> 32
    return h
}

@inlinable
public func mix64(_ x: UInt64) -> UInt64 {
    var h = x &* 0x9E37_79B9_7F4A_7C15
    h ^= h >> 32
    h = h &* 0xD6E8_FEB8_6659_FD93
    h ^= h >> 29
    return h
}

extension RowKeys {
    /// One hash per row.
    public func hashes() -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            offsets.withUnsafeBufferPointer { o in
                for i in 0..<count {
                    let s = Int(o[i]), e = Int(o[i + 1])
                    out[i] = hashBytes(UnsafeRawBufferPointer(rebasing: raw[s..<e]))
                }
            }
        }
        return out
    }

    /// Decodes equality-encoded keys back into columns of `types` for rows `rows`.
    public static func decode(_ keys: [ArraySlice<UInt8>], types: [DataType]) -> [Column] {
        var builders = types.map { ColumnBuilder(type: $0, capacity: keys.count) }
        for k in keys {
            var pos = k.startIndex
            for (c, t) in types.enumerated() {
                let valid = k[pos] == 1
                pos += 1
                func read(_ n: Int) -> UInt64 {
                    var v: UInt64 = 0
                    for j in 0..<n { v = v << 8 | UInt64(k[pos + j]) }
                    pos += n
                    return v
                }
                switch t {
                case .null: builders[c].appendNull()
                case .boolean: let v = read(1); valid ? builders[c].append(v != 0) : builders[c].appendNull()
                case .byte: let v = read(1); valid ? try? builders[c].append(.byte(Int8(truncatingIfNeeded: v))) : builders[c].appendNull()
                case .short: let v = read(2); valid ? try? builders[c].append(.short(Int16(truncatingIfNeeded: v))) : builders[c].appendNull()
                case .int, .date: let v = read(4); valid ? builders[c].append(Int32(truncatingIfNeeded: v)) : builders[c].appendNull()
                case .long, .timestamp: let v = read(8); valid ? builders[c].append(Int64(bitPattern: v)) : builders[c].appendNull()
                case .float:
                    let v = read(8)
                    valid ? try? builders[c].append(.float(Float(Double(bitPattern: v)))) : builders[c].appendNull()
                case .double: let v = read(8); valid ? builders[c].append(Double(bitPattern: v)) : builders[c].appendNull()
                case .decimal:
                    let hi = read(8), lo = read(8)
                    let u = UInt128(hi) << 64 | UInt128(lo)
                    valid ? builders[c].append(Int128(bitPattern: u)) : builders[c].appendNull()
                case .string, .binary:
                    let len = Int(read(4))
                    if valid { builders[c].appendBytes(k[pos..<(pos + len)]) } else { builders[c].appendNull() }
                    pos += len
                default:
                    // Nested keys: re-parse is not possible from the printed form; callers keep
                    // a representative row instead (see HashAggregate).
                    builders[c].appendNull()
                    while pos < k.endIndex, k[pos] != 0 { pos += 1 }
                    pos += 1
                }
            }
        }
        return builders.indices.map { builders[$0].finish() }
    }
}
