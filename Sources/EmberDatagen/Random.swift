import Foundation

/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny generator used here only to derive
/// the state of the per-stream generators from a seed and a stream number.
public struct SplitMix64 {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// SplitMix64's output function: a bijective 64-bit finalizer.
    @inlinable
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna): the generator behind every random draw of the
/// data generators. Each stream (one per loan) is seeded from `(seed, stream)` through
/// SplitMix64, so a stream's values depend on nothing else: not on the thread that runs
/// it, nor on how many streams run before it. The system RNG is never used.
public struct Xoshiro256 {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    public init(seed: UInt64, stream: UInt64) {
        var sm = SplitMix64(seed: SplitMix64.mix(seed ^ 0x6A09_E667_F3BC_C909) ^ SplitMix64.mix(stream &+ 0x3C6E_F372_FE94_F82B))
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the one state xoshiro cannot leave
    }

    /// A generator at a raw state (not all zero), as the reference implementation's tests.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = Xoshiro256.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [a, b).
    @inlinable
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// Uniform integer in 0..<n (n > 0), by Lemire's multiply-shift (bias below 2^-32 for small n).
    @inlinable
    public mutating func int(_ n: Int) -> Int {
        Int((UInt64(truncatingIfNeeded: n) &* (next() >> 32)) >> 32)
    }

    /// True with probability p.
    @inlinable
    public mutating func chance(_ p: Double) -> Bool { uniform() < p }

    /// Standard normal (Box–Muller; one of the pair is used).
    public mutating func normal() -> Double {
        let u1 = 1.0 - uniform()  // (0, 1]
        let u2 = uniform()
        return (-2.0 * Foundation.log(u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2)
    }

    /// Gamma(3, θ): the sum of three exponentials with mean θ.
    public mutating func gamma3(_ theta: Double) -> Double {
        let u = (1.0 - uniform()) * (1.0 - uniform()) * (1.0 - uniform())
        return -theta * Foundation.log(u)
    }

    /// An index drawn with the probabilities of a cumulative table (last entry 1).
    @inlinable
    public mutating func pick(_ cumulative: [Double]) -> Int {
        let u = uniform()
        var i = 0
        let last = cumulative.count - 1
        while i < last && u >= cumulative[i] { i += 1 }
        return i
    }
}

/// Cumulative probabilities from weights (normalized; the last entry is exactly 1).
func cumulative(_ weights: [Double]) -> [Double] {
    let total = weights.reduce(0, +)
    var acc = 0.0
    var out = weights.map { w -> Double in
        acc += w
        return acc / total
    }
    if !out.isEmpty { out[out.count - 1] = 1 }
    return out
}
