//! EmberML: Spark MLlib for Ember — linear algebra, Params, Pipelines, feature
//! stages, models, evaluation, tuning and persistence.
import EmberCore
import Foundation

/// A dense vector of doubles (Spark's `DenseVector`).
public struct DenseVector: Hashable {
    public var values: [Double]
    public init(_ values: [Double]) { self.values = values }
    public var size: Int { values.count }
}

/// A sparse vector (Spark's `SparseVector`): strictly increasing `indices` below `size`.
public struct SparseVector: Hashable {
    public let size: Int
    public var indices: [Int]
    public var values: [Double]

    /// Checks what Spark's constructor checks: same lengths, indices increasing and in range.
    public init(size: Int, indices: [Int], values: [Double]) throws {
        guard size >= 0 else { throw MLError.invalidVector("sparse vector size \(size) is negative") }
        guard indices.count == values.count else {
            throw MLError.invalidVector("sparse vector has \(indices.count) indices but \(values.count) values")
        }
        var prev = -1
        for i in indices {
            guard i > prev else { throw MLError.invalidVector("sparse vector indices must be strictly increasing, got \(i) after \(prev)") }
            guard i < size else { throw MLError.invalidVector("sparse vector index \(i) is out of bounds for size \(size)") }
            prev = i
        }
        self.size = size
        self.indices = indices
        self.values = values
    }

    init(unchecked size: Int, indices: [Int], values: [Double]) {
        self.size = size
        self.indices = indices
        self.values = values
    }
}

/// Spark ML's `Vector`: dense or sparse.
public enum Vector: Hashable, CustomStringConvertible {
    case dense(DenseVector)
    case sparse(SparseVector)

    public var size: Int {
        switch self {
        case .dense(let d): return d.size
        case .sparse(let s): return s.size
        }
    }

    /// Element `i` (0 for an index a sparse vector does not store).
    public subscript(i: Int) -> Double {
        switch self {
        case .dense(let d): return d.values[i]
        case .sparse(let s):
            var lo = 0, hi = s.indices.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if s.indices[mid] < i { lo = mid + 1 } else { hi = mid }
            }
            return lo < s.indices.count && s.indices[lo] == i ? s.values[lo] : 0
        }
    }

    public func toArray() -> [Double] {
        switch self {
        case .dense(let d): return d.values
        case .sparse(let s):
            var out = [Double](repeating: 0, count: s.size)
            for (k, i) in s.indices.enumerated() { out[i] = s.values[k] }
            return out
        }
    }

    public var toDense: DenseVector { DenseVector(toArray()) }

    public var toSparse: SparseVector {
        switch self {
        case .sparse(let s): return s
        case .dense(let d):
            var idx: [Int] = [], vals: [Double] = []
            for (i, x) in d.values.enumerated() where x != 0 { idx.append(i); vals.append(x) }
            return SparseVector(unchecked: d.size, indices: idx, values: vals)
        }
    }

    public var numActives: Int {
        switch self {
        case .dense(let d): return d.size
        case .sparse(let s): return s.values.count
        }
    }

    public var numNonzeros: Int {
        switch self {
        case .dense(let d): return d.values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        case .sparse(let s): return s.values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
    }

    /// Spark's `compressed`: the smaller of the dense and sparse forms (dense on a tie).
    public var compressed: Vector {
        Vector.prefersSparse(size: size, nonzeros: numNonzeros) ? .sparse(toSparse) : .dense(toDense)
    }

    /// Whether Spark 4.1 stores a vector of `size` with `nonzeros` nonzeros sparsely: when
    /// 12·nnz + 24 < 8·size + 8 bytes. Measured on Spark 4.1.1's VectorAssembler for every
    /// size 2…8 and nonzero count (a sparse vector of 5 with 2 nonzeros is stored dense).
    public static func prefersSparse(size: Int, nonzeros: Int) -> Bool {
        12 * nonzeros + 24 < 8 * size + 8
    }

    /// Calls `body(index, value)` for each stored entry (every entry of a dense vector).
    @inlinable
    public func forEachActive(_ body: (Int, Double) throws -> Void) rethrows {
        switch self {
        case .dense(let d): for (i, x) in d.values.enumerated() { try body(i, x) }
        case .sparse(let s): for k in s.indices.indices { try body(s.indices[k], s.values[k]) }
        }
    }

    public func dot(_ other: Vector) -> Double {
        var sum = 0.0
        switch (self, other) {
        case (.dense(let a), .dense(let b)): return BLAS.dot(a.values, b.values)
        case (.sparse(let s), _): for k in s.indices.indices { sum += s.values[k] * other[s.indices[k]] }
        case (.dense(let a), .sparse(let s)): for k in s.indices.indices { sum += s.values[k] * a.values[s.indices[k]] }
        }
        return sum
    }

    /// Spark's `toString`: `[1.0,2.0]` or `(5,[1,3],[0.5,2.0])`.
    public var description: String {
        switch self {
        case .dense(let d): return "[" + d.values.map(NumberFormat.javaDouble).joined(separator: ",") + "]"
        case .sparse(let s):
            return "(\(s.size),[" + s.indices.map(String.init).joined(separator: ",") + "],["
                + s.values.map(NumberFormat.javaDouble).joined(separator: ",") + "])"
        }
    }

    /// The value as stored in a DataFrame (Spark's VectorUDT layout).
    public var value: Value {
        switch self {
        case .dense(let d): return .structure([.byte(1), .null, .null, .array(d.values.map { .double($0) })])
        case .sparse(let s):
            return .structure([.byte(0), .int(Int32(s.size)), .array(s.indices.map { .int(Int32($0)) }), .array(s.values.map { .double($0) })])
        }
    }

    /// A vector read back from a DataFrame value.
    public init(value: Value) throws {
        guard case .structure(let p) = value, p.count == 4, case .byte(let kind) = p[0], case .array(let vs) = p[3] else {
            throw MLError.invalidVector("not a vector value: \(value)")
        }
        let values = try vs.map { x -> Double in
            guard case .double(let d) = x else { throw MLError.invalidVector("vector values must be doubles") }
            return d
        }
        if kind == 1 { self = .dense(DenseVector(values)); return }
        guard case .int(let size) = p[1], case .array(let ix) = p[2] else { throw MLError.invalidVector("sparse vector without size or indices") }
        let indices = try ix.map { x -> Int in
            guard case .int(let i) = x else { throw MLError.invalidVector("vector indices must be ints") }
            return Int(i)
        }
        self = .sparse(try SparseVector(size: Int(size), indices: indices, values: values))
    }
}

/// Factory methods, as Spark's `Vectors`.
public enum Vectors {
    public static func dense(_ values: [Double]) -> Vector { .dense(DenseVector(values)) }
    public static func dense(_ values: Double...) -> Vector { .dense(DenseVector(values)) }
    public static func sparse(_ size: Int, _ indices: [Int], _ values: [Double]) throws -> Vector {
        .sparse(try SparseVector(size: size, indices: indices, values: values))
    }
    /// From (index, value) pairs in any order.
    public static func sparse(_ size: Int, _ pairs: [(Int, Double)]) throws -> Vector {
        let sorted = pairs.sorted { $0.0 < $1.0 }
        return .sparse(try SparseVector(size: size, indices: sorted.map(\.0), values: sorted.map(\.1)))
    }
    public static func zeros(_ size: Int) -> Vector { .dense(DenseVector([Double](repeating: 0, count: size))) }

    /// Squared Euclidean distance.
    public static func sqdist(_ a: Vector, _ b: Vector) -> Double {
        let x = a.toArray(), y = b.toArray()
        var s = 0.0
        for i in 0..<Swift.min(x.count, y.count) { let d = x[i] - y[i]; s += d * d }
        return s
    }

    /// The p-norm (p ≥ 1, or infinity).
    public static func norm(_ v: Vector, _ p: Double) -> Double {
        var vals: [Double] = []
        v.forEachActive { _, x in vals.append(x) }
        if p == 1 { return vals.reduce(0) { $0 + abs($1) } }
        if p == 2 { return vals.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        if p.isInfinite { return vals.reduce(0) { Swift.max($0, abs($1)) } }
        return pow(vals.reduce(0) { $0 + pow(abs($1), p) }, 1 / p)
    }
}
