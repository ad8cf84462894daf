import Foundation

/// The training summary of a `LogisticRegressionModel` (Spark's
/// `LogisticRegressionTrainingSummary`; for two classes also its binary part): the
/// objective per iteration, and weighted metrics on the training rows, computed when first
/// asked for (as Spark's are lazy), from the training data read again.
public final class LogisticRegressionTrainingSummary {
    /// The objective (loss + regularization) at the start and after each iteration.
    public let objectiveHistory: [Double]
    private let compute: () throws -> Metrics
    private var metrics: Metrics? = nil
    private let lock = NSLock()

    struct Metrics {
        let accuracy: Double
        let roc: [(fpr: Double, tpr: Double)]?
        let areaUnderROC: Double?
    }

    /// Spark's `totalIterations`: iterations run (history length − 1).
    public var totalIterations: Int { max(0, objectiveHistory.count - 1) }

    /// Weighted fraction of training rows predicted correctly.
    public var accuracy: Double { get throws { try computed().accuracy } }
    /// For two classes: the ROC curve, (FPR, TPR) from (0, 0) to (1, 1), by decreasing p₁.
    public var roc: [(fpr: Double, tpr: Double)]? { get throws { try computed().roc } }
    /// For two classes: the area under `roc` (trapezoids).
    public var areaUnderROC: Double? { get throws { try computed().areaUnderROC } }

    /// `load` reads the training instances again when a metric is first asked for.
    init(model: LogisticRegressionModel, objectiveHistory: [Double], load: @escaping () throws -> Instances) {
        self.objectiveHistory = objectiveHistory
        // A copy, so the summary does not keep the model (which keeps the summary) alive.
        let m = model.copy()
        m.trainingSummary = nil
        compute = { try Metrics(model: m, data: try load()) }
    }

    private func computed() throws -> Metrics {
        lock.lock()
        defer { lock.unlock() }
        if let m = metrics { return m }
        let m = try compute()
        metrics = m
        return m
    }
}

extension LogisticRegressionTrainingSummary.Metrics {
    init(model: LogisticRegressionModel, data: Instances) throws {
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
            // Spark's training summary bins the curve with numBins = 100.
            let curve = BinaryCurve(scores: (0..<n).map { p[$0 * k + 1] }, labels: data.labels, weights: data.weights, numBins: 100)
            roc = curve.roc
            areaUnderROC = curve.areaUnderROC()
        } else {
            roc = nil
            areaUnderROC = nil
        }
    }
}
