import EmberCore
import Foundation

/// Dictionary encoding of a column chunk: distinct values in first-seen order and one
/// index per non-NULL value. Built with an open-addressing table over the values
/// themselves (no per-value allocation); gives up (returns nil) as soon as the dictionary
/// outgrows its page limit or stops paying for itself.
struct ParquetDictionary {
    /// Position in the chunk's values of each dictionary entry's first occurrence.
    var entries: [Int32] = []
    var indices: [UInt32] = []
    var values: PhysicalValues
    var count: Int { entries.count }

    static func build(_ v: PhysicalValues, physical: ParquetPhysicalType, limitBytes: Int) -> ParquetDictionary? {
        let n = v.count(physical)
        guard n > 0 else { return nil }
        var d = ParquetDictionary(values: v)
        d.indices.reserveCapacity(n)
        var cap = 1024
        var slots = [Int32](repeating: -1, count: cap)
        var dictBytes = 0
        var plainBytes = 0

        // The key of value i: its bits (fixed width) or a hash of its bytes.
        @inline(__always) func fixedKey(_ i: Int) -> UInt64 {
            switch physical {
            case .int32: return UInt64(UInt32(bitPattern: v.i32[i]))
            case .int64, .int96: return UInt64(bitPattern: v.i64[i])
            case .float: return UInt64(v.f32[i].bitPattern)
            case .double: return v.f64[i].bitPattern
            default: return 0
            }
        }
        let width: Int
        switch physical {
        case .int32, .float: width = 4
        case .int64, .double: width = 8
        case .int96: width = 12
        default: width = 0
        }
        let isBytes = physical == .byteArray || physical == .fixedLenByteArray
        // A non-empty byte buffer, so its base address exists (empty strings never load from it).
        let bytes = v.data.isEmpty ? [0] : v.data
        v.offsets.withUnsafeBufferPointer { off in
            bytes.withUnsafeBufferPointer { data in
                guard let base = data.baseAddress else { return }
                @inline(__always) func bytesHash(_ i: Int) -> UInt64 {
                    let s = Int(off[i]), e = Int(off[i + 1])
                    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(e - s)
                    var k = s
                    while k + 8 <= e {
                        let w = UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)
                        h = (h ^ w) &* 0xff51_afd7_ed55_8ccd
                        h ^= h >> 32
                        k += 8
                    }
                    while k < e { h = (h ^ UInt64(data[k])) &* 0x1000_0000_01b3; k += 1 }
                    return h ^ (h >> 29)
                }
                @inline(__always) func sameBytes(_ a: Int, _ b: Int) -> Bool {
                    let sa = Int(off[a]), la = Int(off[a + 1]) - sa
                    let sb = Int(off[b]), lb = Int(off[b + 1]) - sb
                    guard la == lb else { return false }
                    if la == 0 { return true }
                    return memcmp(base + sa, base + sb, la) == 0
                }
                var i = 0
                while i < n {
                    let key = isBytes ? bytesHash(i) : fixedKey(i)
                    var h = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & (cap - 1)
                    while true {
                        let s = slots[h]
                        if s < 0 {
                            // A new distinct value.
                            let idx = d.entries.count
                            slots[h] = Int32(idx)
                            d.entries.append(Int32(i))
                            d.indices.append(UInt32(idx))
                            dictBytes += isBytes ? Int(off[i + 1] - off[i]) + (physical == .byteArray ? 4 : 0) : width
                            break
                        }
                        let j = Int(d.entries[Int(s)])
                        if isBytes ? sameBytes(i, j) : fixedKey(j) == key {
                            d.indices.append(UInt32(s))
                            break
                        }
                        h = (h + 1) & (cap - 1)
                    }
                    plainBytes += isBytes ? Int(off[i + 1] - off[i]) + (physical == .byteArray ? 4 : 0) : width
                    if dictBytes > limitBytes { d.entries = []; return }
                    if d.entries.count * 2 > cap {
                        // Grow and rehash.
                        cap *= 2
                        slots = [Int32](repeating: -1, count: cap)
                        for (idx, pos) in d.entries.enumerated() {
                            let k = isBytes ? bytesHash(Int(pos)) : fixedKey(Int(pos))
                            var hh = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 20) & (cap - 1)
                            while slots[hh] >= 0 { hh = (hh + 1) & (cap - 1) }
                            slots[hh] = Int32(idx)
                        }
                    }
                    i += 1
                }
            }
        }
        guard d.indices.count == n, !d.entries.isEmpty else { return nil }
        // It pays when the dictionary plus packed indices are smaller than the plain values.
        let indexBytes = (n * bitWidth(for: d.entries.count - 1) + 7) / 8
        guard dictBytes + indexBytes < plainBytes else { return nil }
        return d
    }

    /// The dictionary page body (PLAIN values).
    func encodePlain(physical: ParquetPhysicalType) -> [UInt8] {
        var out: [UInt8] = []
        var sub = PhysicalValues()
        for e in entries {
            let i = Int(e)
            switch physical {
            case .boolean: sub.bools.append(values.bools[i])
            case .int32: sub.i32.append(values.i32[i])
            case .int64, .int96: sub.i64.append(values.i64[i])
            case .float: sub.f32.append(values.f32[i])
            case .double: sub.f64.append(values.f64[i])
            case .byteArray, .fixedLenByteArray:
                sub.data.append(contentsOf: values.data[Int(values.offsets[i])..<Int(values.offsets[i + 1])])
                sub.offsets.append(Int32(sub.data.count))
            }
        }
        let leaf = ParquetLeaf(path: [], element: ParquetSchemaElement(name: ""), physical: physical, maxDef: 0, maxRep: 0, type: .null)
        encodePlainValues(sub, leaf: leaf, 0..<entries.count, into: &out)
        return out
    }

    /// A data page's values: bit width, then the RLE/bit-packed indices.
    func encodeIndices(_ r: Range<Int>, into out: inout [UInt8]) {
        let w = bitWidth(for: entries.count - 1)
        out.append(UInt8(w))
        indices.withUnsafeBufferPointer { p in
            RLEEncoder.encode(UnsafeBufferPointer(rebasing: p[r]), bitWidth: w, into: &out)
        }
    }
}

/// Column-chunk statistics: min/max in the type's order, and the NULL count.
enum ParquetStatisticsBuilder {
    static func build(_ v: PhysicalValues, leaf: ParquetLeaf, nulls: Int64) -> ParquetStatistics {
        var s = ParquetStatistics()
        s.nullCount = nulls
        func le<T: FixedWidthInteger>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x.littleEndian) { Array($0) } }
        switch leaf.physical {
        case .boolean:
            if !v.bools.isEmpty {
                s.minValue = [v.bools.contains(false) ? 0 : 1]
                s.maxValue = [v.bools.contains(true) ? 1 : 0]
            }
        case .int32:
            if let mn = v.i32.min(), let mx = v.i32.max() { s.minValue = le(mn); s.maxValue = le(mx) }
        case .int64:
            if let mn = v.i64.min(), let mx = v.i64.max() { s.minValue = le(mn); s.maxValue = le(mx) }
        case .float:
            let xs = v.f32.filter { !$0.isNaN }
            if var mn = xs.min(), var mx = xs.max() {
                if mn == 0 { mn = -0.0 }
                if mx == 0 { mx = 0.0 }
                s.minValue = le(mn.bitPattern); s.maxValue = le(mx.bitPattern)
            }
        case .double:
            let xs = v.f64.filter { !$0.isNaN }
            if var mn = xs.min(), var mx = xs.max() {
                if mn == 0 { mn = -0.0 }
                if mx == 0 { mx = 0.0 }
                s.minValue = le(mn.bitPattern); s.maxValue = le(mx.bitPattern)
            }
        case .int96:
            break
        case .byteArray, .fixedLenByteArray:
            let n = v.offsets.count - 1
            guard n > 0 else { break }
            let signed = leaf.physical == .fixedLenByteArray  // decimals: two's complement order
            var mn = 0, mx = 0
            v.data.withUnsafeBufferPointer { d in
                func less(_ a: Int, _ b: Int) -> Bool {
                    let sa = Int(v.offsets[a]), ea = Int(v.offsets[a + 1])
                    let sb = Int(v.offsets[b]), eb = Int(v.offsets[b + 1])
                    if signed && ea > sa && eb > sb {
                        let x = Int8(bitPattern: d[sa]), y = Int8(bitPattern: d[sb])
                        if x != y { return x < y }
                        return d[(sa + 1)..<ea].lexicographicallyPrecedes(d[(sb + 1)..<eb])
                    }
                    return d[sa..<ea].lexicographicallyPrecedes(d[sb..<eb])
                }
                for i in 1..<n {
                    if less(i, mn) { mn = i }
                    if less(mx, i) { mx = i }
                }
            }
            let a = Array(v.data[Int(v.offsets[mn])..<Int(v.offsets[mn + 1])])
            let b = Array(v.data[Int(v.offsets[mx])..<Int(v.offsets[mx + 1])])
            if a.count <= 4096 && b.count <= 4096 {
                s.minValue = a
                s.maxValue = b
            }
        }
        return s
    }
}
