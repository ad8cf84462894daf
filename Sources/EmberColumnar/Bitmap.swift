//! EmberColumnar: columnar batches in the Arrow layout (validity bitmap, values,
//! offsets for variable width) and the vectorized kernels over them.

/// A packed bit per row, least significant bit first, as Arrow's validity bitmap.
public struct Bitmap: Hashable, Sendable {
    public var words: [UInt64]
    public private(set) var count: Int

    public init(count: Int, value: Bool) {
        self.count = count
        let n = (count + 63) >> 6
        words = [UInt64](repeating: value ? ~0 : 0, count: n)
        if value, count & 63 != 0, n > 0 { words[n - 1] = (1 << UInt64(count & 63)) - 1 }
    }

    public init(_ bools: [Bool]) {
        self.init(count: bools.count, value: false)
        bools.withUnsafeBufferPointer { b in
            words.withUnsafeMutableBufferPointer { w in
                for i in 0..<b.count where b[i] { w[i >> 6] |= 1 << UInt64(i & 63) }
            }
        }
    }

    @inlinable
    public subscript(i: Int) -> Bool {
        get { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        set {
            if newValue { words[i >> 6] |= 1 << UInt64(i & 63) } else { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
        }
    }

    public mutating func append(_ v: Bool) {
        if count & 63 == 0 { words.append(0) }
        if v { words[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    public mutating func reserve(_ n: Int) { words.reserveCapacity((n + 63) >> 6) }

    /// Number of set bits.
    public var setCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    public static func & (a: Bitmap, b: Bitmap) -> Bitmap {
        var r = a
        for i in 0..<r.words.count { r.words[i] &= b.words[i] }
        return r
    }
}
