import EmberColumnar
import EmberCore

/// An open-addressing hash table from encoded row keys to dense ids (group ids for
/// aggregation, build-row chains for joins). Keys live in one byte arena.
struct KeyTable {
    var slots: [Int32]          // -1 empty, else id
    var hashes: [UInt64] = []   // per id
    var arenaOffsets: [Int] = [0]
    var arena: [UInt8] = []
    var mask: Int

    init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
    }

    var count: Int { hashes.count }
    var byteSize: Int { slots.count * 4 + hashes.count * 8 + arenaOffsets.count * 8 + arena.count }

    func key(_ id: Int) -> ArraySlice<UInt8> { arena[arenaOffsets[id]..<arenaOffsets[id + 1]] }

    mutating func grow() {
        let n = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: n)
        let m = n - 1
        for (id, h) in hashes.enumerated() {
            var s = Int(truncatingIfNeeded: h) & m
            while newSlots[s] >= 0 { s = (s + 1) & m }
            newSlots[s] = Int32(id)
        }
        slots = newSlots
        mask = m
    }

    /// The id of `key`, inserting it when new.
    mutating func findOrInsert(_ key: UnsafeRawBufferPointer, hash: UInt64) -> (id: Int32, inserted: Bool) {
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[s]
            if id < 0 { break }
            if hashes[Int(id)] == hash && equal(Int(id), key) { return (id, false) }
            s = (s + 1) & mask
        }
        let id = Int32(hashes.count)
        slots[s] = id
        hashes.append(hash)
        arena.append(contentsOf: key)
        arenaOffsets.append(arena.count)
        if hashes.count * 2 > slots.count { grow() }
        return (id, true)
    }

    /// Like `findOrInsert`, for a key stored as one tag byte followed by `bytes` (single
    /// string keys: tag 1 = a value, tag 0 = NULL), without building the key first.
    mutating func findOrInsert(tag: UInt8, _ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[s]
            if id < 0 { break }
            if hashes[Int(id)] == hash {
                let a = arenaOffsets[Int(id)], b = arenaOffsets[Int(id) + 1]
                if b - a == bytes.count + 1 && arena[a] == tag {
                    let same = arena.withUnsafeBytes { raw -> Bool in
                        guard let base = raw.baseAddress, let kb = bytes.baseAddress else { return bytes.count == 0 }
                        return memcmp(base + a + 1, kb, bytes.count) == 0
                    }
                    if same { return id }
                }
            }
            s = (s + 1) & mask
        }
        let id = Int32(hashes.count)
        slots[s] = id
        hashes.append(hash)
        arena.append(tag)
        arena.append(contentsOf: bytes)
        arenaOffsets.append(arena.count)
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[s]
            if id < 0 { return -1 }
            if hashes[Int(id)] == hash && equal(Int(id), key) { return id }
            s = (s + 1) & mask
        }
    }

    @inline(__always)
    func equal(_ id: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let a = arenaOffsets[id], b = arenaOffsets[id + 1]
        if b - a != key.count { return false }
        return arena.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, let kb = key.baseAddress else { return key.count == 0 }
            return memcmp(base + a, kb, key.count) == 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RowKeys {
    /// Calls `body` with each row's key bytes and hash.
    func forEachKey(_ hashes: [UInt64], _ body: (Int, UnsafeRawBufferPointer, UInt64) -> Void) {
        bytes.withUnsafeBytes { raw in
            offsets.withUnsafeBufferPointer { o in
                for i in 0..<count {
                    body(i, UnsafeRawBufferPointer(rebasing: raw[Int(o[i])..<Int(o[i + 1])]), hashes[i])
                }
            }
        }
    }
}
