import Ember
import EmberCore
import Foundation

/// Metrics of multiclass predictions (Spark's `MulticlassClassificationEvaluator` over
/// `MulticlassMetrics`): weighted averages over the true labels, per-label metrics for
/// `metricLabel`, log-loss of `probabilityCol`, Hamming loss; all weighted by `weightCol`.
public final class MulticlassClassificationEvaluator: Evaluator {
    public static let metricNames = ["f1", "accuracy", "weightedPrecision", "weightedRecall", "weightedTruePositiveRate",
                                     "weightedFalsePositiveRate", "weightedFMeasure", "truePositiveRateByLabel",
                                     "falsePositiveRateByLabel", "precisionByLabel", "recallByLabel", "fMeasureByLabel",
                                     "logLoss", "hammingLoss"]

    public let metricName = Param<String>("metricName", "metric name in evaluation (f1|accuracy|weightedPrecision|weightedRecall|weightedTruePositiveRate| weightedFalsePositiveRate|weightedFMeasure|truePositiveRateByLabel| falsePositiveRateByLabel|precisionByLabel|recallByLabel|fMeasureByLabel| logLoss|hammingLoss)",
                                          default: "f1", ParamValidator("must be one of [\(metricNames.joined(separator: ", "))]") { metricNames.contains($0) })
    public let metricLabel = Param<Double>("metricLabel", "The class whose metric will be computed in truePositiveRateByLabel|falsePositiveRateByLabel|precisionByLabel|recallByLabel|fMeasureByLabel. Must be >= 0. The default value is 0.", default: 0.0, .gtEq(0))
    public let beta = Param<Double>("beta", "The beta value used in weightedFMeasure|fMeasureByLabel. Must be > 0. The default value is 1.", default: 1.0, .gt(0))
    public let eps = Param<Double>("eps", "log-loss is undefined for p=0 or p=1, so probabilities are clipped to max(eps, min(1 - eps, p)). Must be in range (0, 0.5). The default value is 1e-15.",
                                   default: 1e-15, .inRange(0, 0.5, lowerInclusive: false, upperInclusive: false))
    public let predictionCol = SharedParams.predictionCol()
    public let labelCol = SharedParams.labelCol()
    public let weightCol = SharedParams.weightCol()
    public let probabilityCol = SharedParams.probabilityCol()

    public convenience init(metricName: String? = nil, predictionCol: String? = nil, labelCol: String? = nil,
                            weightCol: String? = nil, metricLabel: Double? = nil, beta: Double? = nil) {
        self.init()
        if let v = metricName { set(self.metricName, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = weightCol { set(self.weightCol, v) }
        if let v = metricLabel { set(self.metricLabel, v) }
        if let v = beta { set(self.beta, v) }
    }

    public override var isLargerBetter: Bool {
        switch get(metricName) ?? "f1" {
        case "weightedFalsePositiveRate", "falsePositiveRateByLabel", "logLoss", "hammingLoss": return false
        default: return true
        }
    }

    public override func evaluate(_ df: DataFrame) throws -> Double {
        try validateParams()
        let schema = try df.schema()
        let metric = try value(metricName)
        let pred = try value(predictionCol), label = try value(labelCol)
        try SchemaUtils.checkNumericType(schema, pred, stage: uid)
        try SchemaUtils.checkNumericType(schema, label, stage: uid)
        var cols = [col(pred).cast(.double), col(label).cast(.double), try EvaluatorColumns.weight(self, schema, weightCol)]
        if metric == "logLoss" {
            let p = try value(probabilityCol)
            try SchemaUtils.checkVector(schema, p, stage: uid)
            cols.append(col(p))
        }
        let batches = try df.select(cols).collectBatches()
        let preds = EvaluatorColumns.doubles(batches, 0), labels = EvaluatorColumns.doubles(batches, 1)
        let weights = EvaluatorColumns.doubles(batches, 2)
        if let i = preds.firstIndex(where: \.isNaN) { throw MLError.invalidData(uid, "prediction column \(pred) has a NULL or NaN at row \(i)") }
        if let i = labels.firstIndex(where: \.isNaN) { throw MLError.invalidData(uid, "label column \(label) has a NULL or NaN at row \(i)") }
        try EvaluatorColumns.checkWeights(weights, stage: uid)
        if metric == "logLoss" { return try logLoss(batches, labels: labels, weights: weights) }
        let m = MulticlassCounts(predictions: preds, labels: labels, weights: weights)
        func byLabel(_ f: (Double) -> Double) throws -> Double {
            let l = try value(metricLabel)
            guard m.labelCount[l] != nil else { throw MLError.invalidData(uid, "metricLabel \(l) is not a label of the data") }
            return f(l)
        }
        let b = try value(beta)
        switch metric {
        case "f1": return m.weighted { m.fMeasure($0, beta: 1) }
        case "accuracy": return m.accuracy
        case "weightedPrecision": return m.weighted(m.precision)
        case "weightedRecall", "weightedTruePositiveRate": return m.weighted(m.recall)
        case "weightedFalsePositiveRate": return m.weighted(m.falsePositiveRate)
        case "weightedFMeasure": return m.weighted { m.fMeasure($0, beta: b) }
        case "truePositiveRateByLabel", "recallByLabel": return try byLabel(m.recall)
        case "falsePositiveRateByLabel": return try byLabel(m.falsePositiveRate)
        case "precisionByLabel": return try byLabel(m.precision)
        case "fMeasureByLabel": return try byLabel { m.fMeasure($0, beta: b) }
        case "hammingLoss": return m.hammingLoss
        default: throw MLError.invalidParam(uid, "metricName", "given invalid value \(metric)")
        }
    }

    func logLoss(_ batches: [RecordBatch], labels: [Double], weights: [Double]) throws -> Double {
        let e = try value(eps)
        let loss1 = -Foundation.log(e), loss2 = -Foundation.log1p(-e)
        var lossSum = 0.0, weightSum = 0.0
        var row = 0
        for b in batches {
            let r = try VectorColumnReader(b.columns[3], what: uid)
            for i in 0..<r.count {
                defer { row += 1 }
                let l = labels[row]
                guard l >= 0, l == l.rounded(), l < Double(Int32.max) else { throw MLError.invalidData(uid, "Invalid label \(l) at row \(row)") }
                guard !r.isNull(i) else { throw MLError.invalidData(uid, "probability of each class can not be null (row \(row))") }
                let k = Int(l)
                guard k < r.size(i) else { throw MLError.invalidData(uid, "label \(l) has no probability in a vector of size \(r.size(i)) at row \(row)") }
                var p = 0.0
                r.forEachActive(i) { j, x in if j == k { p = x } }
                let loss = p < e ? loss1 : (p > 1 - e ? loss2 : -Foundation.log(p))
                lossSum += loss * weights[row]
                weightSum += weights[row]
            }
        }
        return lossSum / weightSum
    }
}

/// Weighted confusion counts by (label, prediction) (Spark's `MulticlassMetrics`).
struct MulticlassCounts {
    var labelCount: [Double: Double] = [:]
    var tp: [Double: Double] = [:]
    var fp: [Double: Double] = [:]
    var total = 0.0
    var wrong = 0.0
    /// The true labels, ascending.
    var labels: [Double] = []

    init(predictions: [Double], labels ls: [Double], weights: [Double]) {
        for i in predictions.indices {
            let l = ls[i], p = predictions[i], w = weights[i]
            labelCount[l, default: 0] += w
            total += w
            if l == p { tp[l, default: 0] += w } else { fp[p, default: 0] += w; wrong += w }
        }
        labels = labelCount.keys.sorted()
    }

    var accuracy: Double { labels.reduce(0) { $0 + (tp[$1] ?? 0) } / total }
    var hammingLoss: Double { wrong / total }

    func recall(_ l: Double) -> Double { (tp[l] ?? 0) / (labelCount[l] ?? 0) }
    func precision(_ l: Double) -> Double {
        let t = tp[l] ?? 0, f = fp[l] ?? 0
        return t + f == 0 ? 0 : t / (t + f)
    }
    func falsePositiveRate(_ l: Double) -> Double { (fp[l] ?? 0) / (total - (labelCount[l] ?? 0)) }
    func fMeasure(_ l: Double, beta: Double) -> Double {
        let p = precision(l), r = recall(l), b2 = beta * beta
        return p + r == 0 ? 0 : (1 + b2) * p * r / (b2 * p + r)
    }

    /// Σ over true labels of metric(label) × label weight / total weight.
    func weighted(_ metric: (Double) -> Double) -> Double {
        labels.reduce(0) { $0 + metric($1) * (labelCount[$1] ?? 0) / total }
    }
}
