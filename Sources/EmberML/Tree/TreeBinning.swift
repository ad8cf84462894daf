import EmberCore
import Foundation

/// Training features binned once for all trees (Spark's `DecisionTreeMetadata`, `findSplits`
/// and `TreePoint`): continuous features get up to `maxBins - 1` thresholds chosen as
/// Spark's `findSplitsForContinuousFeature` does, categorical ones one bin per category.
/// Bins are stored row-major as `UInt8` (or `UInt16` past 256 bins).
final class BinnedFeatures {
    let count: Int
    let numFeatures: Int
    /// Number of categories of each categorical feature, 0 for continuous ones.
    let arity: [Int]
    /// Whether a categorical feature is split by subsets (multiclass, few categories).
    let unordered: [Bool]
    /// Sorted thresholds of continuous features (empty for categorical ones).
    let thresholds: [[Double]]
    /// Histogram bins of each feature: thresholds + 1, or the number of categories.
    let numBins: [Int]
    /// Candidate splits of each feature (Spark's `numSplits`).
    let numSplits: [Int]
    let bins8: [UInt8]
    let bins16: [UInt16]
    var wide: Bool { !bins16.isEmpty }
    /// Instance weights and their sum (Spark's `weightedNumExamples`).
    let weights: [Double]
    let weightSum: Double

    /// Spark's `DecisionTreeMetadata` checks plus split finding and binning of `data`.
    init(_ data: Instances, maxBins: Int, numClasses: Int, categorical: [Int: Int], seed: Int, stage: String) throws {
        let n = data.count, d = data.numFeatures
        count = n
        numFeatures = d
        weights = data.weights
        weightSum = data.weights.reduce(0, +)
        let maxPossibleBins = min(maxBins, n)
        var arity = [Int](repeating: 0, count: d)
        for (f, k) in categorical {
            guard f >= 0, f < d else { throw MLError.invalidParam(stage, "categoricalFeatures", "names feature \(f) but the data has \(d) features") }
            guard k >= 0 else { throw MLError.invalidParam(stage, "categoricalFeatures", "feature \(f) has \(k) categories") }
            if k > 1 { arity[f] = k }
        }
        if let (f, k) = categorical.filter({ $0.value > 1 }).max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }), k > maxPossibleBins {
            throw MLError.invalidParam(stage, "maxBins", "DecisionTree requires maxBins (= \(maxPossibleBins)) to be at least as large as the number of values in each categorical feature, but categorical feature \(f) has \(k) values. Consider removing this and other categorical features with a large number of values, or add more training examples.")
        }
        var unordered = [Bool](repeating: false, count: d)
        if numClasses > 2 {
            let maxUnordered = Int((Foundation.log(Double(maxPossibleBins / 2 + 1)) / Foundation.log(2.0) + 1).rounded(.down))
            for f in 0..<d where arity[f] > 1 && arity[f] <= maxUnordered { unordered[f] = true }
        }
        self.arity = arity
        self.unordered = unordered

        // Split candidates of continuous features, from all rows or Spark's sample size.
        let required = max(maxBins * maxBins, 10000)
        let fraction = required < n ? Double(required) / Double(n) : 1.0
        var sampled: [Int32]? = nil
        if fraction < 1 {
            var rng = TreeRandom(seed: UInt64(bitPattern: Int64(seed)))
            sampled = (0..<n).compactMap { rng.nextDouble() < fraction ? Int32($0) : nil }
        }
        let weightedNumSamples = fraction * weightSum
        var thresholds = [[Double]](repeating: [], count: d)
        let numSplitsAllowed = maxPossibleBins - 1
        let lock = NSLock()
        let continuous = (0..<d).filter { arity[$0] == 0 }
        DispatchQueue.concurrentPerform(iterations: continuous.count) { k in
            let f = continuous[k]
            var pairs: [(Double, Double)] = []
            func add(_ i: Int, _ x: Double) { if x != 0 && !x.isNaN { pairs.append((x, data.weights[i])) } }
            if let m = data.dense {
                if let s = sampled { for i32 in s { let i = Int(i32); add(i, m[i * d + f]) } } else { for i in 0..<n { add(i, m[i * d + f]) } }
            } else {
                let rows: AnySequence<Int> = sampled.map { AnySequence($0.lazy.map { Int($0) }) } ?? AnySequence(0..<n)
                for i in rows {
                    let lo = data.offsets[i], hi = data.offsets[i + 1]
                    // Binary search the row's sorted indices for f.
                    var a = lo, b = hi
                    while a < b { let mid = (a + b) / 2; if Int(data.indices[mid]) < f { a = mid + 1 } else { b = mid } }
                    if a < hi, Int(data.indices[a]) == f { add(i, data.values[a]) }
                }
            }
            let t = BinnedFeatures.continuousThresholds(pairs, weightedNumSamples: weightedNumSamples, numSplits: numSplitsAllowed)
            lock.lock(); thresholds[f] = t; lock.unlock()
        }
        self.thresholds = thresholds
        var numBins = [Int](repeating: 1, count: d), numSplits = [Int](repeating: 0, count: d)
        for f in 0..<d {
            if arity[f] > 0 {
                numBins[f] = arity[f]
                numSplits[f] = unordered[f] ? (1 << (arity[f] - 1)) - 1 : arity[f] - 1
            } else {
                numBins[f] = thresholds[f].count + 1
                numSplits[f] = thresholds[f].count
            }
        }
        self.numBins = numBins
        self.numSplits = numSplits

        // Bin every row.
        let wide = (numBins.max() ?? 1) > 256
        var b8 = [UInt8](repeating: 0, count: wide ? 0 : n * d)
        var b16 = [UInt16](repeating: 0, count: wide ? n * d : 0)
        let zeroBin = (0..<d).map { f in arity[f] > 0 ? 0 : BinnedFeatures.bin(0.0, thresholds[f]) }
        var badRows: [(Int, Int, Double)] = []
        b8.withUnsafeMutableBufferPointer { p8 in
            b16.withUnsafeMutableBufferPointer { p16 in
                let parts = Parallel.mapRanges(n) { range -> (Int, Int, Double)? in
                    var bad: (Int, Int, Double)? = nil
                    func put(_ i: Int, _ f: Int, _ x: Double) {
                        let b: Int
                        if arity[f] > 0 {
                            guard x >= 0, x < Double(arity[f]), x == x.rounded() else { if bad == nil { bad = (i, f, x) }; return }
                            b = Int(x)
                        } else {
                            b = BinnedFeatures.bin(x, thresholds[f])
                        }
                        if wide { p16[i * d + f] = UInt16(b) } else { p8[i * d + f] = UInt8(b) }
                    }
                    for i in range {
                        if let m = data.dense {
                            for f in 0..<d { put(i, f, m[i * d + f]) }
                        } else {
                            for f in 0..<d {
                                if wide { p16[i * d + f] = UInt16(zeroBin[f]) } else { p8[i * d + f] = UInt8(zeroBin[f]) }
                            }
                            for k in data.offsets[i]..<data.offsets[i + 1] { put(i, Int(data.indices[k]), data.values[k]) }
                        }
                    }
                    return bad
                }
                badRows = parts.compactMap { $0 }
            }
        }
        if let (i, f, x) = badRows.min(by: { $0.0 < $1.0 }) {
            throw MLError.invalidData(stage, "DecisionTree given invalid data: Feature \(f) is categorical with values in {0,...,\(arity[f] - 1)}, but a data point gives it value \(NumberFormat.javaDouble(x)) (row \(i)).")
        }
        bins8 = b8
        bins16 = b16
    }

    /// Spark's `TreePoint.findBin` for continuous features: the number of thresholds below `x`.
    @inlinable
    static func bin(_ x: Double, _ t: [Double]) -> Int {
        var lo = 0, hi = t.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if t[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Spark's `findSplitsForContinuousFeature`: `pairs` are (non-zero value, weight); the
    /// weight missing from `weightedNumSamples` counts as zeros.
    static func continuousThresholds(_ pairs: [(Double, Double)], weightedNumSamples: Double, numSplits: Int) -> [Double] {
        guard !pairs.isEmpty else { return [] }
        let sorted = pairs.sorted { $0.0 < $1.0 }
        var values: [Double] = [], counts: [Double] = []
        for (x, w) in sorted {
            if let last = values.last, last == x { counts[counts.count - 1] += w } else { values.append(x); counts.append(w) }
        }
        let partNumSamples = counts.reduce(0, +)
        let tolerance = 2.220446049250313e-16 * Double(pairs.count) * 100
        if weightedNumSamples - partNumSamples > tolerance {
            let z = values.firstIndex { $0 > 0 } ?? values.count
            values.insert(0, at: z)
            counts.insert(weightedNumSamples - partNumSamples, at: z)
        }
        let possible = values.count - 1
        if possible <= 0 { return [] }
        if possible <= numSplits {
            return (1...possible).map { (values[$0 - 1] + values[$0]) / 2.0 }
        }
        let stride = weightedNumSamples / Double(numSplits + 1)
        var out: [Double] = []
        var current = counts[0], target = stride
        for index in 1..<values.count {
            let previous = current
            current += counts[index]
            if abs(previous - target) < abs(current - target) {
                out.append((values[index - 1] + values[index]) / 2.0)
                target += stride
            }
        }
        return out
    }
}

/// A small seeded generator (SplitMix64) for bagging and feature subsets (and XGBoost's
/// row and column sampling).
struct TreeRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed ^ 0x9E37_79B9_7F4A_7C15 }
    /// Starts from a raw generator state.
    init(state: UInt64) { self.state = state }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    /// A Poisson(λ) draw (Knuth's method; λ ≤ 1 here).
    mutating func poisson(_ lambda: Double) -> Int {
        let l = Foundation.exp(-lambda)
        var k = 0, p = 1.0
        repeat { k += 1; p *= nextDouble() } while p > l
        return k - 1
    }
}
