import Ember
import EmberCore
import Foundation

/// The silhouette of a clustering (Spark's `ClusteringEvaluator`), with squared Euclidean
/// or cosine distance, computed as Spark does from per-cluster sums: a point's mean
/// distance to a cluster is derived from the cluster's weighted feature sum (and squared
/// norm sum), its own cluster's mean excluding itself; single-point clusters score 0; the
/// result is the weighted mean over points.
public final class ClusteringEvaluator: Evaluator {
    public let metricName = Param<String>("metricName", "metric name in evaluation (silhouette)", default: "silhouette",
                                          ParamValidator("must be one of [silhouette]") { $0 == "silhouette" })
    public let distanceMeasure = Param<String>("distanceMeasure", "The distance measure. Supported options: 'squaredEuclidean' and 'cosine'.", default: "squaredEuclidean",
                                               ParamValidator("must be one of [squaredEuclidean, cosine]") { $0 == "squaredEuclidean" || $0 == "cosine" })
    public let predictionCol = SharedParams.predictionCol()
    public let featuresCol = SharedParams.featuresCol()
    public let weightCol = SharedParams.weightCol()

    public convenience init(featuresCol: String? = nil, predictionCol: String? = nil, distanceMeasure: String? = nil, weightCol: String? = nil) {
        self.init()
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = distanceMeasure { set(self.distanceMeasure, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override var isLargerBetter: Bool { true }

    public override func evaluate(_ df: DataFrame) throws -> Double {
        try validateParams()
        let schema = try df.schema()
        let features = try value(featuresCol), pred = try value(predictionCol)
        try SchemaUtils.checkVector(schema, features, stage: uid)
        try SchemaUtils.checkNumericType(schema, pred, stage: uid)
        let cosine = try value(distanceMeasure) == "cosine"
        let batches = try df.select(col(features), col(pred).cast(.double), try EvaluatorColumns.weight(self, schema, weightCol)).collectBatches()
        let preds = EvaluatorColumns.doubles(batches, 1), weights = EvaluatorColumns.doubles(batches, 2)
        if let i = preds.firstIndex(where: \.isNaN) { throw MLError.invalidData(uid, "prediction column \(pred) has a NULL or NaN at row \(i)") }
        try EvaluatorColumns.checkWeights(weights, stage: uid)
        // Dense row-major features (normalised for cosine).
        var d = -1
        var x: [Double] = []
        var row = 0
        for b in batches {
            let r = try VectorColumnReader(b.columns[0], what: uid)
            for i in 0..<r.count {
                defer { row += 1 }
                guard !r.isNull(i) else { throw MLError.invalidData(uid, "features column \(features) has a NULL at row \(row)") }
                if d < 0 { d = r.size(i) } else if r.size(i) != d {
                    throw MLError.invalidData(uid, "vectors in \(features) have different sizes (\(d) and \(r.size(i)) at row \(row))")
                }
                let start = x.count
                x.append(contentsOf: repeatElement(0, count: d))
                x.withUnsafeMutableBufferPointer { buf in
                    r.copyDense(i, into: UnsafeMutableBufferPointer(rebasing: buf[start..<(start + d)]))
                }
                if cosine {
                    var s = 0.0
                    for j in start..<(start + d) { s += x[j] * x[j] }
                    let norm = s.squareRoot()
                    guard norm > 0 else { throw MLError.invalidData(uid, "the cosine distance is undefined for the zero vector at row \(row)") }
                    for j in start..<(start + d) { x[j] /= norm }
                }
            }
        }
        let n = preds.count
        let dim = max(d, 0)
        let ids = Array(Set(preds)).sorted()
        guard ids.count > 1 else { throw MLError.invalidData(uid, "Number of clusters must be greater than one.") }
        var clusterOf = [Int](repeating: 0, count: n)
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let k = ids.count
        var sums = [Double](repeating: 0, count: k * dim)
        var sqNormSums = [Double](repeating: 0, count: k)
        var weightSums = [Double](repeating: 0, count: k)
        var sqNorms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let c = index[preds[i]] ?? 0
            clusterOf[i] = c
            var s = 0.0
            for j in 0..<dim {
                let v = x[i * dim + j]
                s += v * v
                sums[c * dim + j] += v * weights[i]
            }
            sqNorms[i] = s
            sqNormSums[c] += s * weights[i]
            weightSums[c] += weights[i]
        }
        let parts = Parallel.mapRanges(n) { range -> (Double, Double) in
            var total = 0.0, wsum = 0.0
            var dist = [Double](repeating: 0, count: k)
            for i in range {
                for c in 0..<k {
                    var dot = 0.0
                    for j in 0..<dim { dot += x[i * dim + j] * sums[c * dim + j] }
                    dist[c] = cosine ? 1 - dot / weightSums[c] : sqNorms[i] + sqNormSums[c] / weightSums[c] - 2 * dot / weightSums[c]
                }
                let own = clusterOf[i], w = weights[i]
                var s = 0.0
                if weightSums[own] != w {
                    var neighbour = Double.infinity
                    for c in 0..<k where c != own { neighbour = min(neighbour, dist[c]) }
                    let current = dist[own] * weightSums[own] / (weightSums[own] - w)
                    if current < neighbour { s = 1 - current / neighbour } else if current > neighbour { s = neighbour / current - 1 }
                }
                total += s * w
                wsum += w
            }
            return (total, wsum)
        }
        let total = parts.reduce(0) { $0 + $1.0 }, wsum = parts.reduce(0) { $0 + $1.1 }
        return total / wsum
    }
}
