import Ember
import EmberCore

/// Column statistics of a vector column, computed as Spark's `SummarizerBuffer` does
/// (online mean and M2 over each feature's nonzero entries, merged pairwise), in parallel
/// row ranges. Unit weights.
struct VectorSummary {
    var count = 0
    var dim: Int
    var mean: [Double]       // mean of the nonzero entries
    var m2n: [Double]        // sum of squared deviations of the nonzero entries
    var nnz: [Double]        // number (weight) of nonzero entries
    var max: [Double]
    var min: [Double]

    init(dim: Int) {
        self.dim = dim
        mean = [Double](repeating: 0, count: dim)
        m2n = mean
        nnz = mean
        max = [Double](repeating: -Double.greatestFiniteMagnitude, count: dim)
        min = [Double](repeating: Double.greatestFiniteMagnitude, count: dim)
    }

    /// Summarizes the vector column `column` of `df` (NULL vectors and differing sizes are errors).
    static func compute(_ df: DataFrame, _ column: String, stage: String) throws -> VectorSummary {
        let data = try Instances.load(df, featuresCol: column, labelCol: nil, weightCol: nil, stage: stage)
        guard data.count > 0 else { throw MLError.invalidData(stage, "the input column \(column) has no rows to fit on") }
        let d = data.numFeatures
        let parts = data.mapRanges { r -> VectorSummary in
            var s = VectorSummary(dim: d)
            s.mean.withUnsafeMutableBufferPointer { mean in
                s.m2n.withUnsafeMutableBufferPointer { m2n in
                    s.nnz.withUnsafeMutableBufferPointer { nnz in
                        s.max.withUnsafeMutableBufferPointer { mx in
                            s.min.withUnsafeMutableBufferPointer { mn in
                                for i in r {
                                    data.forEachActive(i) { j, x in
                                        guard x != 0, j < d else { return }
                                        if mx[j] < x { mx[j] = x }
                                        if mn[j] > x { mn[j] = x }
                                        let prev = mean[j]
                                        let diff = x - prev
                                        mean[j] = prev + diff / (nnz[j] + 1)
                                        m2n[j] += (x - mean[j]) * diff
                                        nnz[j] += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            s.count = r.count
            return s
        }
        var total = VectorSummary(dim: d)
        for p in parts { total.merge(p) }
        return total
    }

    /// Spark's `SummarizerBuffer.merge`.
    mutating func merge(_ o: VectorSummary) {
        guard o.count > 0 else { return }
        if count == 0 { self = o; return }
        for i in 0..<dim {
            let a = nnz[i], b = o.nnz[i], t = a + b
            if a != 0 && b != 0 {
                let delta = o.mean[i] - mean[i]
                mean[i] += delta * b / t
                m2n[i] += o.m2n[i] + delta * delta * a * b / t
                nnz[i] = t
                max[i] = Swift.max(max[i], o.max[i])
                min[i] = Swift.min(min[i], o.min[i])
            } else if a == 0 && b != 0 {
                mean[i] = o.mean[i]; m2n[i] = o.m2n[i]; nnz[i] = b
                max[i] = o.max[i]; min[i] = o.min[i]
            }
        }
        count += o.count
    }

    /// The mean of every feature (zeros included).
    var realMean: [Double] {
        let n = Double(count)
        return (0..<dim).map { mean[$0] * (nnz[$0] / n) }
    }

    /// The unbiased sample variance of every feature (0 with a single row).
    var variance: [Double] {
        let n = Double(count)
        let denominator = n - 1
        guard denominator > 0 else { return [Double](repeating: 0, count: dim) }
        return (0..<dim).map { i in
            Swift.max((m2n[i] + mean[i] * mean[i] * nnz[i] * (n - nnz[i]) / n) / denominator, 0)
        }
    }

    var std: [Double] { variance.map { $0.squareRoot() } }

    var realMax: [Double] { (0..<dim).map { nnz[$0] < Double(count) && max[$0] < 0 ? 0 : max[$0] } }
    var realMin: [Double] { (0..<dim).map { nnz[$0] < Double(count) && min[$0] > 0 ? 0 : min[$0] } }
}
