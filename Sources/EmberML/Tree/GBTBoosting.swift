import Ember
import EmberCore
import Foundation

/// Spark's GBT losses: `gradient(prediction, label)` and `computeError`.
enum GBTLoss {
    case logistic, squared, absolute

    @inline(__always)
    func gradient(_ p: Double, _ y: Double) -> Double {
        switch self {
        case .squared: return -2.0 * (y - p)
        case .absolute: return y - p < 0 ? 1.0 : -1.0
        case .logistic: return -4.0 * y / (1.0 + Foundation.exp(2.0 * y * p))
        }
    }

    @inline(__always)
    func error(_ p: Double, _ y: Double) -> Double {
        switch self {
        case .squared: let e = y - p; return e * e
        case .absolute: return abs(y - p)
        case .logistic:
            let m = -2.0 * y * p
            return 2.0 * (m > 0 ? m + Foundation.log1p(Foundation.exp(-m)) : Foundation.log1p(Foundation.exp(m)))
        }
    }
}

/// Spark's `GradientBoostedTrees.boost`: the first tree on the labels with weight 1, then
/// trees on the negative gradients with weight `stepSize`; with a validation set, stops when
/// the validation error improves by less than `validationTol` and keeps the best prefix.
enum GBTBoosting {
    static func boost(_ est: TreeEstimatorBase, train: Instances, labels: [Double], validation: (Instances, [Double])?, loss: GBTLoss,
                      maxIter: Int, stepSize: Double, subsamplingRate: Double, featureSubsetStrategy: String, validationTol: Double,
                      seed: Int) throws -> ([DecisionTree], [Double]) {
        guard maxIter >= 1 else { throw MLError.invalidParam(est.uid, "maxIter", "must be >= 1 for gradient-boosted trees") }
        let binned = try est.binned(train, numClasses: 0)
        let m = try TreeParams.numFeaturesPerNode(featureSubsetStrategy, numFeatures: train.numFeatures, numTrees: 1, classification: false, stage: est.uid)
        let s = try est.strategy(binned, numClasses: 0, impurity: .variance, numFeaturesPerNode: m)
        var trees: [DecisionTree] = [], weights: [Double] = []
        var pred = [Double](repeating: 0, count: train.count)
        var vpred = [Double](repeating: 0, count: validation?.0.count ?? 0)
        var bestError = 0.0, bestM = 1
        if let (v, vl) = validation { bestError = weightedError(v, vl, vpred, loss) }
        var target = labels
        for iter in 0..<maxIter {
            if iter > 0 {
                for i in 0..<train.count { target[i] = -loss.gradient(pred[i], labels[i]) }
            }
            let tree = TreeTraining.forest(binned, classes: [], labels: target, strategy: s, numTrees: 1, subsamplingRate: subsamplingRate,
                                           bootstrap: false, seed: seed + iter).first ?? DecisionTree(nodes: [])
            let w = iter == 0 ? 1.0 : stepSize
            trees.append(tree)
            weights.append(w)
            let tp = predictions(tree, train)
            for i in 0..<train.count { pred[i] += w * tp[i] }
            if let (v, vl) = validation {
                let vp = predictions(tree, v)
                for i in 0..<v.count { vpred[i] += w * vp[i] }
                if iter > 0 {
                    let e = weightedError(v, vl, vpred, loss)
                    if bestError - e < validationTol * max(e, 0.01) { break }
                    if e < bestError { bestError = e; bestM = iter + 1 }
                }
            }
        }
        if validation != nil { return (Array(trees.prefix(bestM)), Array(weights.prefix(bestM))) }
        return (trees, weights)
    }

    static func weightedError(_ data: Instances, _ labels: [Double], _ pred: [Double], _ loss: GBTLoss) -> Double {
        var s = 0.0, w = 0.0
        for i in 0..<data.count { s += data.weights[i] * loss.error(pred[i], labels[i]); w += data.weights[i] }
        return w > 0 ? s / w : 0
    }

    /// The tree's prediction for every row of `data`.
    static func predictions(_ tree: DecisionTree, _ data: Instances) -> [Double] {
        let d = data.numFeatures
        let parts = data.mapRanges { range -> [Double] in
            var x = [Double](repeating: 0, count: d)
            var out = [Double](repeating: 0, count: range.count)
            x.withUnsafeMutableBufferPointer { xb in
                for i in range {
                    if let m = data.dense {
                        m.withUnsafeBufferPointer { mb in
                            out[i - range.lowerBound] = tree.predict(UnsafeBufferPointer(rebasing: mb[(i * d)..<((i + 1) * d)]))
                        }
                    } else {
                        for j in 0..<d { xb[j] = 0 }
                        for k in data.offsets[i]..<data.offsets[i + 1] { xb[Int(data.indices[k])] = data.values[k] }
                        out[i - range.lowerBound] = tree.predict(UnsafeBufferPointer(xb))
                    }
                }
            }
            return out
        }
        return parts.flatMap { $0 }
    }

    /// The training and validation rows, split by `validationIndicatorCol` when set.
    static func split(_ est: TreeEstimatorBase, _ df: DataFrame, indicator: String?) throws -> (Instances, Instances?) {
        guard let v = indicator, !v.isEmpty else { return (try est.instances(df), nil) }
        let schema = try df.schema()
        guard let f = schema.fields.first(where: { $0.name == v }) else {
            throw MLError.invalidColumn(est.uid, "validationIndicatorCol \(v) does not exist")
        }
        guard f.dataType == .boolean else { throw MLError.invalidColumn(est.uid, "validationIndicatorCol \(v) must be boolean but is \(f.dataType)") }
        let train = try est.instances(df.filter(!col(v)))
        let validation = try est.instances(df.filter(col(v)))
        return (train, validation)
    }
}
