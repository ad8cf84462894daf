import Foundation

/// The training summary of a `LogisticRegressionModel` (Spark's
/// `LogisticRegressionTrainingSummary`; for two classes also its binary part): the
/// objective per iteration and weighted metrics on the training rows.
public struct LogisticRegressionTrainingSummary {
    /// The objective (loss + regularization) at the start and after each iteration.
    public let objectiveHistory: [Double]
    /// Weighted fraction of training rows predicted correctly.
    public let accuracy: Double
    /// For two classes: the ROC curve, (FPR, TPR) from (0, 0) to (1, 1), by decreasing p₁.
    public let roc: [(fpr: Double, tpr: Double)]?
    /// For two classes: the area under `roc` (trapezoids).
    public let areaUnderROC: Double?

    /// Spark's `totalIterations`: iterations run (history length − 1).
    public var totalIterations: Int { max(0, objectiveHistory.count - 1) }

    init(model: LogisticRegressionModel, data: Instances, objectiveHistory: [Double]) throws {
        self.objectiveHistory = objectiveHistory
        let n = data.count, k = model.numClasses
        let scorer = Scorer(coefficients: model.coefficientMatrix.rowArrays.flatMap { $0 }, intercepts: model.interceptVector,
                            numFeatures: model.numFeatures, sets: model.coefficientMatrix.numRows, multinomial: model.isMultinomial, stage: model.uid)
        // Margins straight from the instances (no DataFrame round trip).
        let d = model.numFeatures, sets = scorer.sets
        var margins = [Double](repeating: 0, count: n * sets)
        for i in 0..<n {
            for c in 0..<sets { margins[i * sets + c] = scorer.intercepts[c] }
            data.forEachActiveFast(i) { j, x in
                for c in 0..<sets { margins[i * sets + c] += x * scorer.coefficients[c * d + j] }
            }
        }
        let p = scorer.probabilities(margins, n)
        let preds = Scorer.predictions(p, n, k, try model.decision())
        var correct = 0.0, total = 0.0
        for i in 0..<n {
            total += data.weights[i]
            if preds[i] == data.labels[i] { correct += data.weights[i] }
        }
        accuracy = total > 0 ? correct / total : 0
        if k == 2 {
            let curve = BinaryCurve(scores: (0..<n).map { p[$0 * k + 1] }, labels: data.labels, weights: data.weights)
            roc = curve.roc
            areaUnderROC = curve.areaUnderROC
        } else {
            roc = nil
            areaUnderROC = nil
        }
    }
}

/// The ROC curve of scored binary labels (Spark's `BinaryClassificationMetrics` with
/// `numBins` = 100: when there are at least 200 distinct scores, consecutive scores are
/// merged into chunks of ⌊count/100⌋).
struct BinaryCurve {
    let roc: [(fpr: Double, tpr: Double)]
    let areaUnderROC: Double

    init(scores: [Double], labels: [Double], weights: [Double], numBins: Int = 100) {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        // (positive weight, negative weight) per distinct score, by decreasing score.
        var counts: [(Double, Double)] = []
        var last = Double.nan
        for i in order {
            let pos = labels[i] > 0.5 ? weights[i] : 0, neg = labels[i] > 0.5 ? 0 : weights[i]
            if counts.isEmpty || scores[i] != last { counts.append((pos, neg)); last = scores[i] } else {
                counts[counts.count - 1].0 += pos; counts[counts.count - 1].1 += neg
            }
        }
        let grouping = numBins > 0 ? counts.count / numBins : 0
        if grouping >= 2 {
            var merged: [(Double, Double)] = []
            var acc = (0.0, 0.0), c = 0
            for x in counts {
                acc.0 += x.0; acc.1 += x.1; c += 1
                if c == grouping { merged.append(acc); acc = (0, 0); c = 0 }
            }
            if c > 0 { merged.append(acc) }
            counts = merged
        }
        let totalPos = counts.reduce(0) { $0 + $1.0 }, totalNeg = counts.reduce(0) { $0 + $1.1 }
        var points: [(fpr: Double, tpr: Double)] = [(0, 0)]
        var tp = 0.0, fp = 0.0
        for x in counts {
            tp += x.0; fp += x.1
            points.append((totalNeg > 0 ? fp / totalNeg : 0, totalPos > 0 ? tp / totalPos : 0))
        }
        points.append((1, 1))
        roc = points
        var auc = 0.0
        for i in 1..<points.count {
            auc += (points[i].fpr - points[i - 1].fpr) * (points[i].tpr + points[i - 1].tpr) / 2
        }
        areaUnderROC = auc
    }
}
