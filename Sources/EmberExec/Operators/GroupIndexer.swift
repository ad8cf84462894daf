import EmberColumnar
import EmberCore
import Foundation

/// Hands out dense group ids for grouping keys. A single integral key (int, long,
/// date, timestamp…) uses an open-addressing table of Int64 keys with no encoding;
/// anything else goes through row-encoded keys (`RowKeys` + `KeyTable`).
struct GroupIndexer {
    let types: [DataType]
    let fast: Bool
    // Fast path.
    var keys: [Int64] = []
    var slots: [Int32]
    var slotKeys: [Int64]
    var mask: Int
    var nullGroup: Int32 = -1
    // General path.
    var table = KeyTable(capacity: 1024)
    var representative: [[Column]] = []   // nested keys keep their first row
    let nested: Bool
    let stringKey: Bool

    init(types: [DataType]) {
        self.types = types
        fast = types.count == 1 && (types[0].isIntegral || types[0] == .date || types[0] == .timestamp)
        nested = types.contains { $0.isNested }
        stringKey = types.count == 1 && (types[0] == .string || types[0] == .binary)
        slots = [Int32](repeating: -1, count: fast ? 1024 : 0)
        slotKeys = [Int64](repeating: 0, count: fast ? 1024 : 0)
        mask = fast ? 1023 : 0
    }

    var count: Int { fast ? keys.count : table.count }

    var byteSize: Int { fast ? keys.count * 8 + slots.count * 4 : table.byteSize }

    /// Fills `groups` with the group id of each row of the key columns.
    mutating func assign(_ cols: [Column], count n: Int, into groups: inout [Int32]) {
        if groups.count != n { groups = [Int32](repeating: 0, count: n) }
        if fast { assignFast(cols[0], n, &groups); return }
        if stringKey { assignString(cols[0], n, &groups); return }
        let rk = RowKeys.equality(cols, count: n)
        let hashes = rk.hashes()
        var newRows: [Int32] = []
        let nested = self.nested
        groups.withUnsafeMutableBufferPointer { g in
            rk.forEachKey(hashes) { i, key, h in
                let (id, inserted) = table.findOrInsert(key, hash: h)
                g[i] = id
                if inserted && nested { newRows.append(Int32(i)) }
            }
        }
        if nested && !newRows.isEmpty { representative.append(cols.map { $0.take(newRows) }) }
    }

    /// A single string key: hash and store the bytes as they are (no row encoding).
    mutating func assignString(_ col: Column, _ n: Int, _ groups: inout [Int32]) {
        guard case .bytes(let offs, let data) = col.storage else { return }
        let hasNulls = col.validity != nil
        data.withUnsafeBytes { raw in
            offs.withUnsafeBufferPointer { o in
                groups.withUnsafeMutableBufferPointer { g in
                    // Runs of equal keys are common (data sorted or clustered by the key):
                    // a row equal to the previous one takes its group without hashing.
                    // The check stops for the batch after 32 misses in a row (keys not in runs).
                    var prevStart = -1, prevLen = -1
                    var prevGroup: Int32 = -1
                    var misses = 0
                    for i in 0..<n {
                        if hasNulls && col.isNull(i) {
                            g[i] = table.findOrInsert(tag: 0, UnsafeRawBufferPointer(start: nil, count: 0), hash: 0x5151)
                            prevLen = -1
                            continue
                        }
                        let s = Int(o[i]), len = Int(o[i + 1]) - s
                        if misses < 32 {
                            if len == prevLen, let b = raw.baseAddress, len == 0 || memcmp(b + s, b + prevStart, len) == 0 {
                                g[i] = prevGroup
                                misses = 0
                                continue
                            }
                            misses += 1
                        }
                        let slice = UnsafeRawBufferPointer(rebasing: raw[s..<(s + len)])
                        let id = table.findOrInsert(tag: 1, slice, hash: hashBytes(slice))
                        g[i] = id
                        prevStart = s
                        prevLen = len
                        prevGroup = id
                    }
                }
            }
        }
    }

    mutating func assignFast(_ col: Column, _ n: Int, _ groups: inout [Int32]) {
        let values = col.asInt64s()
        let hasNulls = col.validity != nil
        // Size the table for the worst case first, so the loop never grows it.
        while (keys.count + n) * 2 > slots.count { grow() }
        keys.reserveCapacity(keys.count + n)
        var sl = slots, sk = slotKeys, ks = keys
        slots = []; slotKeys = []; keys = []
        let m = mask
        var nullG = nullGroup
        sl.withUnsafeMutableBufferPointer { slotIds in
            sk.withUnsafeMutableBufferPointer { slotK in
                values.withUnsafeBufferPointer { v in
                    groups.withUnsafeMutableBufferPointer { g in
                        for i in 0..<n {
                            if hasNulls && col.isNull(i) {
                                if nullG < 0 { nullG = Int32(ks.count); ks.append(0) }
                                g[i] = nullG
                                continue
                            }
                            let x = v[i]
                            var s = Int(truncatingIfNeeded: mix64(UInt64(bitPattern: x))) & m
                            while true {
                                let id = slotIds[s]
                                if id < 0 {
                                    let nid = Int32(ks.count)
                                    ks.append(x)
                                    slotIds[s] = nid
                                    slotK[s] = x
                                    g[i] = nid
                                    break
                                }
                                if slotK[s] == x { g[i] = id; break }
                                s = (s + 1) & m
                            }
                        }
                    }
                }
            }
        }
        slots = sl; slotKeys = sk; keys = ks
        nullGroup = nullG
    }

    mutating func grow() {
        let n = slots.count * 2
        var ns = [Int32](repeating: -1, count: n)
        var nk = [Int64](repeating: 0, count: n)
        let m = n - 1
        for (id, x) in keys.enumerated() where Int32(id) != nullGroup {
            var s = Int(truncatingIfNeeded: mix64(UInt64(bitPattern: x))) & m
            while ns[s] >= 0 { s = (s + 1) & m }
            ns[s] = Int32(id)
            nk[s] = x
        }
        slots = ns
        slotKeys = nk
        mask = m
    }

    /// The key columns, one row per group id.
    func keyColumns() -> [Column] {
        if fast {
            let t = types[0]
            var valid: Bitmap? = nil
            if nullGroup >= 0 { var b = Bitmap(count: keys.count, value: true); b[Int(nullGroup)] = false; valid = b }
            let storage: Column.Storage
            switch t {
            case .long, .timestamp: storage = .i64(keys)
            case .int, .date: storage = .i32(keys.map { Int32(truncatingIfNeeded: $0) })
            case .short: storage = .i16(keys.map { Int16(truncatingIfNeeded: $0) })
            default: storage = .i8(keys.map { Int8(truncatingIfNeeded: $0) })
            }
            return [Column(type: t, count: keys.count, validity: valid, storage: storage)]
        }
        if stringKey {
            var b = ColumnBuilder(type: types[0], capacity: table.count)
            for id in 0..<table.count {
                let k = table.key(id)
                if k.first == 0 { b.appendNull() } else { b.appendBytes(k.dropFirst()) }
            }
            return [b.finish()]
        }
        if nested {
            return types.indices.map { c in Column.concat(representative.map { $0[c] }, type: types[c]) }
        }
        return RowKeys.decode((0..<table.count).map { table.key($0) }, types: types)
    }
}
