/// Spark's `Murmur3_x86_32` (org.apache.spark.unsafe.hash) as `HashingTF` and
/// `FeatureHasher` use it: `hashInt`, `hashLong` and `hashUnsafeBytes2` (the standard
/// MurmurHash3 x86 32-bit over bytes), with Spark's seed 42 for feature hashing.
public enum Murmur3 {
    /// The seed of `HashingTF` and `FeatureHasher` (Spark's `OldHashingTF.seed`).
    public static let featureSeed: UInt32 = 42

    @inline(__always) @usableFromInline
    static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }

    @inline(__always) @usableFromInline
    static func mixK1(_ k: UInt32) -> UInt32 {
        rotl(k &* 0xcc9e_2d51, 15) &* 0x1b87_3593
    }

    @inline(__always) @usableFromInline
    static func mixH1(_ h: UInt32, _ k: UInt32) -> UInt32 {
        rotl(h ^ k, 13) &* 5 &+ 0xe654_6b64
    }

    @inline(__always) @usableFromInline
    static func fmix(_ h: UInt32, _ length: Int) -> UInt32 {
        var h = h ^ UInt32(truncatingIfNeeded: length)
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// `Murmur3_x86_32.hashInt`.
    @inlinable
    public static func hashInt(_ x: Int32, seed: UInt32 = featureSeed) -> Int32 {
        Int32(bitPattern: fmix(mixH1(seed, mixK1(UInt32(bitPattern: x))), 4))
    }

    /// `Murmur3_x86_32.hashLong`: the low then the high 32 bits.
    @inlinable
    public static func hashLong(_ x: Int64, seed: UInt32 = featureSeed) -> Int32 {
        let low = UInt32(truncatingIfNeeded: x), high = UInt32(truncatingIfNeeded: x >> 32)
        var h = mixH1(seed, mixK1(low))
        h = mixH1(h, mixK1(high))
        return Int32(bitPattern: fmix(h, 8))
    }

    /// `Murmur3_x86_32.hashUnsafeBytes2`: little-endian 4-byte blocks, then the tail bytes.
    @inlinable
    public static func hashBytes(_ p: UnsafeRawBufferPointer, seed: UInt32 = featureSeed) -> Int32 {
        let n = p.count
        let aligned = n - n % 4
        var h = seed
        var i = 0
        while i < aligned {
            let k = UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24
            h = mixH1(h, mixK1(k))
            i += 4
        }
        var k1: UInt32 = 0
        var shift: UInt32 = 0
        while i < n {
            k1 ^= UInt32(p[i]) << shift
            shift += 8
            i += 1
        }
        h ^= mixK1(k1)
        return Int32(bitPattern: fmix(h, n))
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hashString(_ s: String, seed: UInt32 = featureSeed) -> Int32 {
        var s = s
        return s.withUTF8 { hashBytes(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// Java's `Double.doubleToLongBits` (every NaN is the canonical one), hashed as a long.
    @inlinable
    public static func hashDouble(_ x: Double, seed: UInt32 = featureSeed) -> Int32 {
        hashLong(x.isNaN ? 0x7ff8_0000_0000_0000 : Int64(bitPattern: x.bitPattern), seed: seed)
    }

    /// Java's `Float.floatToIntBits`, hashed as an int.
    @inlinable
    public static func hashFloat(_ x: Float, seed: UInt32 = featureSeed) -> Int32 {
        hashInt(x.isNaN ? 0x7fc0_0000 : Int32(bitPattern: x.bitPattern), seed: seed)
    }

    /// Spark's `Utils.nonNegativeMod`.
    @inlinable
    public static func nonNegativeMod(_ x: Int32, _ mod: Int) -> Int {
        let r = Int(x) % mod
        return r < 0 ? r + mod : r
    }
}
