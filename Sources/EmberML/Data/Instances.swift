import Ember
import EmberCore
import Foundation

/// Training rows in memory: features (dense row-major, or CSR when any row is sparse),
/// labels and weights as doubles. Models fit over these in parallel row ranges.
public struct Instances {
    public let count: Int
    public let numFeatures: Int
    /// Row-major `count × numFeatures` values when every row was dense.
    public var dense: [Double]?
    /// CSR rows when some row was sparse: row `i` is `indices/values[offsets[i]..<offsets[i+1]]`.
    public var offsets: [Int]
    public var indices: [Int32]
    public var values: [Double]
    public var labels: [Double]
    public var weights: [Double]

    public var isSparse: Bool { dense == nil }

    /// Reads `featuresCol` (vector), `labelCol` and `weightCol` (numeric, cast to double)
    /// from `df`. NULL or NaN labels, NULL features, negative or non-finite weights and
    /// vectors of differing sizes are errors naming `stage`.
    public static func load(_ df: DataFrame, featuresCol: String, labelCol: String?, weightCol: String?, stage: String) throws -> Instances {
        let schema = try df.schema()
        try SchemaUtils.checkVector(schema, featuresCol, stage: stage)
        var cols: [Ember.Column] = [col(featuresCol)]
        if let l = labelCol {
            try SchemaUtils.checkNumericType(schema, l, stage: stage)
            cols.append(col(l).cast(.double))
        }
        if let w = weightCol, !w.isEmpty {
            try SchemaUtils.checkNumericType(schema, w, stage: stage)
            cols.append(col(w).cast(.double))
        }
        let batches = try df.select(cols).collectBatches()
        var n = 0
        var d = -1
        var anySparse = false
        var readers: [VectorColumnReader] = []
        for b in batches {
            let r = try VectorColumnReader(b.columns[0], what: stage)
            for i in 0..<r.count {
                if r.isNull(i) { throw MLError.invalidData(stage, "features column \(featuresCol) has a NULL at row \(n + i)") }
                let s = r.size(i)
                if d < 0 { d = s } else if s != d {
                    throw MLError.invalidData(stage, "vectors in \(featuresCol) have different sizes (\(d) and \(s) at row \(n + i))")
                }
                if !r.isDense(i) { anySparse = true }
            }
            n += r.count
            readers.append(r)
        }
        if d < 0 { d = 0 }
        var labels = [Double](repeating: 0, count: labelCol == nil ? 0 : n)
        var weights = [Double](repeating: 1, count: n)
        var row = 0
        for b in batches {
            var k = 1
            if let l = labelCol {
                let c = b.columns[k]
                k += 1
                guard let xs = c.doubles else { throw MLError.invalidData(stage, "label column \(l) is not numeric") }
                for i in 0..<c.count {
                    if c.isNull(i) || xs[i].isNaN { throw MLError.invalidData(stage, "label column \(l) has a NULL or NaN at row \(row + i)") }
                    labels[row + i] = xs[i]
                }
            }
            if let w = weightCol, !w.isEmpty {
                let c = b.columns[k]
                guard let xs = c.doubles else { throw MLError.invalidData(stage, "weight column \(w) is not numeric") }
                for i in 0..<c.count {
                    let x = c.isNull(i) ? Double.nan : xs[i]
                    guard x.isFinite, x >= 0 else { throw MLError.invalidData(stage, "weights must be non-negative and finite, got \(x) in \(w) at row \(row + i)") }
                    weights[row + i] = x
                }
            }
            row += b.count
        }
        var out = Instances(count: n, numFeatures: d, dense: nil, offsets: [0], indices: [], values: [], labels: labels, weights: weights)
        if !anySparse {
            var m = [Double](repeating: 0, count: n * d)
            var at = 0
            m.withUnsafeMutableBufferPointer { buf in
                for r in readers {
                    for i in 0..<r.count {
                        if let base = buf.baseAddress {
                            r.copyDense(i, into: UnsafeMutableBufferPointer(start: base + at * d, count: d))
                        }
                        at += 1
                    }
                }
            }
            out.dense = m
        } else {
            out.offsets.reserveCapacity(n + 1)
            for r in readers {
                for i in 0..<r.count {
                    r.forEachActive(i) { j, x in
                        if x != 0 { out.indices.append(Int32(j)); out.values.append(x) }
                    }
                    out.offsets.append(out.values.count)
                }
            }
        }
        return out
    }

    /// Calls `body(index, value)` for each stored entry of row `i`.
    @inlinable
    public func forEachActive(_ i: Int, _ body: (Int, Double) -> Void) {
        if let m = dense {
            let base = i * numFeatures
            for j in 0..<numFeatures { body(j, m[base + j]) }
        } else {
            for k in offsets[i]..<offsets[i + 1] { body(Int(indices[k]), values[k]) }
        }
    }

    /// Splits `0..<count` into about `parts` contiguous ranges and runs `body` on each in
    /// parallel; returns the results in range order (the map of a map-reduce).
    public func mapRanges<T>(parts: Int = ProcessInfo.processInfo.activeProcessorCount, _ body: (Range<Int>) -> T) -> [T] {
        Parallel.mapRanges(count, parts: parts, body)
    }
}

/// Data-parallel helpers over row ranges.
public enum Parallel {
    /// Runs `body` over about `parts` contiguous ranges of `0..<count` on all cores.
    public static func mapRanges<T>(_ count: Int, parts: Int = ProcessInfo.processInfo.activeProcessorCount, _ body: (Range<Int>) -> T) -> [T] {
        var results = [T?](repeating: nil, count: max(1, min(parts, count)))
        let lock = NSLock()
        forEachRange(count, parts: parts) { k, range in
            let r = body(range)
            lock.lock(); results[k] = r; lock.unlock()
        }
        return results.compactMap { $0 }
    }

    /// Runs `body(k, range)` for part `k` of `parts` contiguous ranges of `0..<count` (the
    /// same ranges as `mapRanges`), on all cores.
    public static func forEachRange(_ count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        let p = max(1, min(parts, count))
        if p == 1 { body(0, 0..<count); return }
        DispatchQueue.concurrentPerform(iterations: p) { k in body(k, (count * k / p)..<(count * (k + 1) / p)) }
    }
}
