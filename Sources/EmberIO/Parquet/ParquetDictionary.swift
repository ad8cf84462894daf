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
        let found: (entries: [Int32], indices: [UInt32], dictBytes: Int, plainBytes: Int)?
        switch physical {
        case .int32: found = buildFixed(v.i32.map { UInt64(UInt32(bitPattern: $0)) }, width: 4, limitBytes: limitBytes)
        case .int64: found = buildFixed(v.i64.map { UInt64(bitPattern: $0) }, width: 8, limitBytes: limitBytes)
        case .float: found = buildFixed(v.f32.map { UInt64($0.bitPattern) }, width: 4, limitBytes: limitBytes)
        case .double: found = buildFixed(v.f64.map { $0.bitPattern }, width: 8, limitBytes: limitBytes)
        case .byteArray, .fixedLenByteArray:
            found = buildBytes(v.offsets, v.data, lengthPrefix: physical == .byteArray ? 4 : 0, limitBytes: limitBytes)
        case .boolean, .int96: found = nil
        }
        guard let f = found, !f.entries.isEmpty else { return nil }
        // It pays when the dictionary plus packed indices are smaller than the plain values.
        let indexBytes = (n * bitWidth(for: f.entries.count - 1) + 7) / 8
        guard f.dictBytes + indexBytes < f.plainBytes else { return nil }
        var d = ParquetDictionary(values: v)
        d.entries = f.entries
        d.indices = f.indices
        return d
    }

    @inline(__always) static func slot(_ h: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Dictionary of fixed-width values given as 64-bit keys. The open-addressing table
    /// keeps each slot's key beside its entry id, so a probe reads one place.
    static func buildFixed(_ keys: [UInt64], width: Int, limitBytes: Int) -> (entries: [Int32], indices: [UInt32], dictBytes: Int, plainBytes: Int)? {
        let n = keys.count
        let maxEntries = limitBytes / width
        var cap = 1024
        var slotKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: cap)
        var slotIds = UnsafeMutablePointer<Int32>.allocate(capacity: cap)
        slotIds.initialize(repeating: -1, count: cap)
        defer {
            slotKeys.deallocate()
            slotIds.deallocate()
        }
        var entries: [Int32] = []
        let indices = [UInt32](unsafeUninitializedCapacity: n) { idx, count in
            count = 0
            guard let out = idx.baseAddress else { return }
            keys.withUnsafeBufferPointer { k in
                var mask = cap - 1
                for i in 0..<n {
                    let key = k[i]
                    var h = slot(key, mask)
                    var id = slotIds[h]
                    while id >= 0 && slotKeys[h] != key {
                        h = (h &+ 1) & mask
                        id = slotIds[h]
                    }
                    if id < 0 {
                        id = Int32(entries.count)
                        slotIds[h] = id
                        slotKeys[h] = key
                        entries.append(Int32(i))
                        if entries.count > maxEntries { return }
                        if entries.count * 2 > cap {
                            // Twice the slots, the entries placed again.
                            let newCap = cap * 2, newMask = newCap - 1
                            let keys2 = UnsafeMutablePointer<UInt64>.allocate(capacity: newCap)
                            let ids2 = UnsafeMutablePointer<Int32>.allocate(capacity: newCap)
                            ids2.initialize(repeating: -1, count: newCap)
                            for j in 0..<cap where slotIds[j] >= 0 {
                                var hh = slot(slotKeys[j], newMask)
                                while ids2[hh] >= 0 { hh = (hh &+ 1) & newMask }
                                ids2[hh] = slotIds[j]
                                keys2[hh] = slotKeys[j]
                            }
                            slotKeys.deallocate()
                            slotIds.deallocate()
                            slotKeys = keys2
                            slotIds = ids2
                            cap = newCap
                            mask = newMask
                        }
                    }
                    out[i] = UInt32(truncatingIfNeeded: id)
                    count = i + 1
                }
            }
        }
        guard indices.count == n else { return nil }
        return (entries, indices, entries.count * width, n * width)
    }

    /// Dictionary of byte strings (offsets into `data`), hashed and compared as bytes.
    static func buildBytes(_ offsets: [Int32], _ data: [UInt8], lengthPrefix: Int, limitBytes: Int) -> (entries: [Int32], indices: [UInt32], dictBytes: Int, plainBytes: Int)? {
        let n = offsets.count - 1
        var cap = 1024
        var table = [Int32](repeating: -1, count: cap)
        var hashes: [UInt64] = []
        var entries: [Int32] = []
        var dictBytes = 0
        var plainBytes = 0
        // A non-empty byte buffer, so its base address exists (empty strings never load from it).
        let bytes = data.isEmpty ? [0] : data
        let indices = [UInt32](unsafeUninitializedCapacity: n) { idx, count in
            count = 0
            guard let out = idx.baseAddress else { return }
            offsets.withUnsafeBufferPointer { off in
                bytes.withUnsafeBufferPointer { db in
                    guard let base = db.baseAddress else { return }
                    var i = 0
                    while i < n {
                        let s = Int(off[i]), e = Int(off[i + 1]), len = e - s
                        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(len)
                        var k = s
                        while k + 8 <= e {
                            h = (h ^ UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
                            h ^= h >> 32
                            k += 8
                        }
                        while k < e { h = (h ^ UInt64(base[k])) &* 0x1000_0000_01b3; k += 1 }
                        h ^= h >> 29
                        var pos = slot(h, cap - 1)
                        var found: Int32 = -1
                        while true {
                            let ent = table[pos]
                            if ent < 0 { break }
                            if hashes[Int(ent)] == h {
                                let j = Int(entries[Int(ent)])
                                let js = Int(off[j]), jl = Int(off[j + 1]) - js
                                if jl == len && (len == 0 || memcmp(base + s, base + js, len) == 0) { found = ent; break }
                            }
                            pos = (pos + 1) & (cap - 1)
                        }
                        if found < 0 {
                            found = Int32(entries.count)
                            table[pos] = found
                            entries.append(Int32(i))
                            hashes.append(h)
                            dictBytes += len + lengthPrefix
                            if dictBytes > limitBytes { return }
                            if entries.count * 2 > cap {
                                cap *= 2
                                table = [Int32](repeating: -1, count: cap)
                                for (ent, eh) in hashes.enumerated() {
                                    var hh = slot(eh, cap - 1)
                                    while table[hh] >= 0 { hh = (hh + 1) & (cap - 1) }
                                    table[hh] = Int32(ent)
                                }
                            }
                        }
                        plainBytes += len + lengthPrefix
                        out[i] = UInt32(found)
                        i += 1
                        count = i
                    }
                }
            }
        }
        guard indices.count == n else { return nil }
        return (entries, indices, dictBytes, plainBytes)
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
        encodePlainValues(sub, physical: physical, 0..<entries.count, into: &out)
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
    /// One pass over the values.
    static func minMax<T: FixedWidthInteger>(_ a: [T]) -> (T, T)? {
        a.withUnsafeBufferPointer { p in
            guard let first = p.first else { return nil }
            var mn = first, mx = first
            for x in p {
                mn = Swift.min(mn, x)
                mx = Swift.max(mx, x)
            }
            return (mn, mx)
        }
    }

    /// One pass, NaN skipped; nil when every value is NaN.
    static func minMaxFloat<T: BinaryFloatingPoint>(_ a: [T]) -> (T, T)? {
        a.withUnsafeBufferPointer { p in
            var mn = T.infinity, mx = -T.infinity
            var any = false
            for x in p where !x.isNaN {
                if x < mn { mn = x }
                if x > mx { mx = x }
                any = true
            }
            return any ? (mn, mx) : nil
        }
    }

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
            if let (mn, mx) = minMax(v.i32) { s.minValue = le(mn); s.maxValue = le(mx) }
        case .int64:
            if let (mn, mx) = minMax(v.i64) { s.minValue = le(mn); s.maxValue = le(mx) }
        case .float:
            if var (mn, mx) = minMaxFloat(v.f32) {
                if mn == 0 { mn = -0.0 }
                if mx == 0 { mx = 0.0 }
                s.minValue = le(mn.bitPattern); s.maxValue = le(mx.bitPattern)
            }
        case .double:
            if var (mn, mx) = minMaxFloat(v.f64) {
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
