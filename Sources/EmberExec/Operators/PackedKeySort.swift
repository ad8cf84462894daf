/// Sorting packed sort keys: one radix pass on the first 16 key bits that vary, then a
/// comparison sort of each bucket while it is in cache. The result is exactly `sort()`'s
/// (buckets are ordered by a prefix of the key, and each bucket is sorted by the whole
/// key, the row index last); a comparison sort of millions of keys instead walks the
/// whole array about log₂ n times.
enum PackedKeySort {
    /// Below this many keys a comparison sort is as fast.
    static let radixMinimum = 1 << 12

    static func sort<K: PackedSortKey>(_ keys: inout [K]) {
        let n = keys.count
        guard n >= radixMinimum, let first = keys.first else { keys.sort(); return }
        // The first word whose bits vary, and the 16 bits from its highest varying bit.
        var word = -1, shift: UInt64 = 0
        for w in 0..<K.words {
            var differ: UInt64 = 0
            let w0 = first.word(w)
            for k in keys { differ |= k.word(w) ^ w0 }
            if differ != 0 {
                word = w
                shift = UInt64(max(0, 63 - differ.leadingZeroBitCount - 15))
                break
            }
        }
        // Every key equal: the row indexes decide, and packing made them ascending.
        guard word >= 0 else { keys.sort(); return }
        var counts = [Int](repeating: 0, count: 1 << 16 + 1)
        var out = keys
        keys.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                counts.withUnsafeMutableBufferPointer { c in
                    for k in src { c[Int(truncatingIfNeeded: (k.word(word) >> shift) & 0xFFFF) &+ 1] &+= 1 }
                    for d in 1...(1 << 16) { c[d] &+= c[d &- 1] }
                    // c[d] is now the start of bucket d; scatter in input order.
                    for k in src {
                        let d = Int(truncatingIfNeeded: (k.word(word) >> shift) & 0xFFFF)
                        dst[c[d]] = k
                        c[d] &+= 1
                    }
                    // c[d] is now the end of bucket d.
                    var start = 0
                    for d in 0..<(1 << 16) {
                        let end = c[d]
                        if end - start > 1 {
                            var bucket = UnsafeMutableBufferPointer(rebasing: dst[start..<end])
                            bucket.sort()
                        }
                        start = end
                    }
                }
            }
        }
        keys = out
    }
}
