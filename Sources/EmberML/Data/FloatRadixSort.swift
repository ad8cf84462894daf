/// A stable LSD radix sort of `Float` values held as order-preserving `UInt32` keys (see
/// `key`), optionally carrying one weight per value: three passes of 11 bits, a pass skipped
/// when every key has the same digit. Scratch buffers are kept between sorts.
struct FloatRadixSort {
    private var scratchKeys: [UInt32]
    private var scratchWeights: [Float]
    private var counts = [Int](repeating: 0, count: 3 << 11)

    init(capacity: Int, weighted: Bool) {
        scratchKeys = []
        scratchKeys.reserveCapacity(capacity)
        scratchWeights = []
        if weighted { scratchWeights.reserveCapacity(capacity) }
    }

    /// The key of a non-NaN value: unsigned order of keys is the order of values (−0 is
    /// keyed as +0, so equal values have equal keys).
    @inline(__always)
    static func key(_ v: Float) -> UInt32 {
        let b = (v == 0 ? Float(0) : v).bitPattern
        return b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
    }

    /// The value of a key.
    @inline(__always)
    static func value(_ k: UInt32) -> Float {
        Float(bitPattern: k & 0x8000_0000 != 0 ? k & 0x7FFF_FFFF : ~k)
    }

    /// Sorts `keys` ascending, moving `weights` along (same length, or empty for none).
    mutating func sort(_ keys: inout [UInt32], weights: inout [Float]) {
        let n = keys.count
        if n < 2 { return }
        for i in 0..<counts.count { counts[i] = 0 }
        keys.withUnsafeBufferPointer { k in
            counts.withUnsafeMutableBufferPointer { c in
                for i in 0..<n {
                    let v = Int(k[i])
                    c[v & 0x7FF] += 1
                    c[2048 + ((v >> 11) & 0x7FF)] += 1
                    c[4096 + (v >> 22)] += 1
                }
            }
        }
        scratchKeys.removeAll(keepingCapacity: true)
        scratchKeys.append(contentsOf: repeatElement(0, count: n))
        let weighted = !weights.isEmpty
        if weighted {
            scratchWeights.removeAll(keepingCapacity: true)
            scratchWeights.append(contentsOf: repeatElement(0, count: n))
        }
        for pass in 0..<3 {
            let base = pass * 2048, shift = UInt32(pass * 11)
            // A digit shared by every key leaves the order as it is.
            if counts[base + Int((keys[0] >> shift) & 0x7FF)] == n { continue }
            var offset = 0
            for d in 0..<2048 {
                let c = counts[base + d]
                counts[base + d] = offset
                offset += c
            }
            counts.withUnsafeMutableBufferPointer { c in
                keys.withUnsafeBufferPointer { src in
                    scratchKeys.withUnsafeMutableBufferPointer { dst in
                        if weighted {
                            weights.withUnsafeBufferPointer { ws in
                                scratchWeights.withUnsafeMutableBufferPointer { wd in
                                    for i in 0..<n {
                                        let slot = base + Int((src[i] >> shift) & 0x7FF)
                                        let at = c[slot]
                                        dst[at] = src[i]
                                        wd[at] = ws[i]
                                        c[slot] = at + 1
                                    }
                                }
                            }
                        } else {
                            for i in 0..<n {
                                let slot = base + Int((src[i] >> shift) & 0x7FF)
                                let at = c[slot]
                                dst[at] = src[i]
                                c[slot] = at + 1
                            }
                        }
                    }
                }
            }
            swap(&keys, &scratchKeys)
            if weighted { swap(&weights, &scratchWeights) }
        }
    }
}
