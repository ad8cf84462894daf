/// XXH32, the checksum of LZ4 frames (header, block and content checksums). Streaming:
/// `update` with any split of the input gives the same digest as one `hash` call.
public struct XXHash32 {
    static let p1: UInt32 = 2_654_435_761
    static let p2: UInt32 = 2_246_822_519
    static let p3: UInt32 = 3_266_489_917
    static let p4: UInt32 = 668_265_263
    static let p5: UInt32 = 374_761_393

    private var v1: UInt32, v2: UInt32, v3: UInt32, v4: UInt32
    private let seed: UInt32
    private var total = 0
    /// Up to 15 bytes waiting for a full 16-byte stripe.
    private var tail: (UInt64, UInt64) = (0, 0)
    private var tailCount = 0

    public init(seed: UInt32 = 0) {
        self.seed = seed
        v1 = seed &+ XXHash32.p1 &+ XXHash32.p2
        v2 = seed &+ XXHash32.p2
        v3 = seed
        v4 = seed &- XXHash32.p1
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var h = XXHash32(seed: seed)
        h.update(bytes)
        return h.digest()
    }

    @inline(__always)
    static func round(_ acc: UInt32, _ input: UInt32) -> UInt32 {
        ((acc &+ input &* p2) << 13 | (acc &+ input &* p2) >> 19) &* p1
    }

    @inline(__always)
    private mutating func stripes(_ p: UnsafePointer<UInt8>, _ count: Int) {
        var a = v1, b = v2, c = v3, d = v4
        var q = p
        let end = p + count
        while q < end {
            a = XXHash32.round(a, load32(q))
            b = XXHash32.round(b, load32(q + 4))
            c = XXHash32.round(c, load32(q + 8))
            d = XXHash32.round(d, load32(q + 12))
            q += 16
        }
        v1 = a; v2 = b; v3 = c; v4 = d
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
        var n = bytes.count
        total += n
        if tailCount > 0 {
            let take = min(16 - tailCount, n)
            let at = tailCount
            withUnsafeMutableBytes(of: &tail) { t in
                for k in 0..<take { t[at + k] = p[k] }
            }
            tailCount += take
            p += take
            n -= take
            if tailCount < 16 { return }
            var full = tail
            withUnsafeBytes(of: &full) { t in
                if let tp = t.baseAddress?.assumingMemoryBound(to: UInt8.self) { stripes(tp, 16) }
            }
            tailCount = 0
        }
        let whole = n & ~15
        if whole > 0 { stripes(p, whole) }
        let rest = n - whole
        if rest > 0 {
            withUnsafeMutableBytes(of: &tail) { t in
                for k in 0..<rest { t[k] = p[whole + k] }
            }
            tailCount = rest
        }
    }

    public func digest() -> UInt32 {
        var h: UInt32
        if total >= 16 {
            h = (v1 << 1 | v1 >> 31) &+ (v2 << 7 | v2 >> 25) &+ (v3 << 12 | v3 >> 20) &+ (v4 << 18 | v4 >> 14)
        } else {
            h = seed &+ XXHash32.p5
        }
        h = h &+ UInt32(truncatingIfNeeded: total)
        var t = tail
        let count = tailCount
        withUnsafeBytes(of: &t) { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var i = 0
            while i + 4 <= count {
                h = h &+ load32(p + i) &* XXHash32.p3
                h = (h << 17 | h >> 15) &* XXHash32.p4
                i += 4
            }
            while i < count {
                h = h &+ UInt32(p[i]) &* XXHash32.p5
                h = (h << 11 | h >> 21) &* XXHash32.p1
                i += 1
            }
        }
        h ^= h >> 15
        h = h &* XXHash32.p2
        h ^= h >> 13
        h = h &* XXHash32.p3
        h ^= h >> 16
        return h
    }
}
