import Ember
import EmberCore

/// Area under the ROC or precision-recall curve of raw predictions (Spark's
/// `BinaryClassificationEvaluator` over `BinaryClassificationMetrics`). The score is
/// `rawPredictionCol` (a double, or element 1 of a vector); labels > 0.5 are positive.
/// Points are the distinct scores in descending order; with more than 2 × `numBins`
/// distinct scores, runs of `count / numBins` consecutive scores merge into one point
/// (as Spark's down-sampling over a single partition). Areas use the trapezoid rule.
public final class BinaryClassificationEvaluator: Evaluator {
    public let metricName = Param<String>("metricName", "metric name in evaluation (areaUnderROC|areaUnderPR)", default: "areaUnderROC",
                                          ParamValidator("must be one of [areaUnderROC, areaUnderPR]") { ["areaUnderROC", "areaUnderPR"].contains($0) })
    public let numBins = Param<Int>("numBins", "Number of bins to down-sample the curves (ROC curve, PR curve) in area computation. If 0, no down-sampling will occur. Must be >= 0.", default: 1000, .gtEq(0))
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let labelCol = SharedParams.labelCol()
    public let weightCol = SharedParams.weightCol()

    public convenience init(rawPredictionCol: String? = nil, labelCol: String? = nil, metricName: String? = nil,
                            numBins: Int? = nil, weightCol: String? = nil) {
        self.init()
        if let v = rawPredictionCol { set(self.rawPredictionCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = metricName { set(self.metricName, v) }
        if let v = numBins { set(self.numBins, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override var isLargerBetter: Bool { true }

    public override func evaluate(_ df: DataFrame) throws -> Double {
        try validateParams()
        let schema = try df.schema()
        let raw = try value(rawPredictionCol), label = try value(labelCol)
        let rf = try SchemaUtils.field(schema, raw, stage: uid)
        guard rf.dataType == .double || rf.dataType.isVector else {
            throw MLError.invalidColumn(uid, "column \(raw) must be of type double or vector but was actually \(rf.dataType.typeName)")
        }
        try SchemaUtils.checkNumericType(schema, label, stage: uid)
        let weight = try EvaluatorColumns.weight(self, schema, weightCol)
        let batches = try df.select(col(raw), col(label).cast(.double), weight).collectBatches()
        var scores: [Double] = []
        for b in batches {
            let c = b.columns[0]
            if c.type.isVector {
                let r = try VectorColumnReader(c, what: uid)
                for i in 0..<r.count {
                    guard !r.isNull(i), r.size(i) >= 2 else {
                        throw MLError.invalidData(uid, "rawPrediction vectors must be non-NULL with at least 2 elements (row \(scores.count))")
                    }
                    var x = 0.0
                    r.forEachActive(i) { j, v in if j == 1 { x = v } }
                    scores.append(x)
                }
            } else {
                for i in 0..<c.count {
                    guard !c.isNull(i), let xs = c.doubles else { throw MLError.invalidData(uid, "column \(raw) has a NULL at row \(scores.count)") }
                    scores.append(xs[i])
                }
            }
        }
        let labels = EvaluatorColumns.doubles(batches, 1)
        let weights = EvaluatorColumns.doubles(batches, 2)
        if let i = labels.firstIndex(where: \.isNaN) { throw MLError.invalidData(uid, "label column \(label) has a NULL or NaN at row \(i)") }
        try EvaluatorColumns.checkWeights(weights, stage: uid)
        let curve = BinaryCurve(scores: scores, labels: labels, weights: weights, numBins: try value(numBins))
        return try value(metricName) == "areaUnderPR" ? curve.areaUnderPR() : curve.areaUnderROC()
    }
}

/// The cumulative confusion counts at each (binned) threshold, highest score first
/// (Spark's `BinaryClassificationMetrics` on one partition).
struct BinaryCurve {
    /// Cumulative weighted positives and negatives at each point.
    var cumPos: [Double] = []
    var cumNeg: [Double] = []
    var totalPos = 0.0
    var totalNeg = 0.0

    init(scores: [Double], labels: [Double], weights: [Double], numBins: Int) {
        // Descending, NaN first; equal scores (0.0 and -0.0 too, as in Spark) form one point.
        let order = scores.indices.sorted { a, b in
            let x = scores[a], y = scores[b]
            return x.isNaN ? !y.isNaN : x > y
        }
        var pos: [Double] = [], neg: [Double] = []
        var last = Double.infinity
        var first = true
        for i in order {
            let x = scores[i]
            if first || !(x == last || (x.isNaN && last.isNaN)) { pos.append(0); neg.append(0); last = x; first = false }
            if labels[i] > 0.5 { pos[pos.count - 1] += weights[i] } else { neg[neg.count - 1] += weights[i] }
        }
        let grouping = numBins > 0 ? pos.count / numBins : 0
        if grouping >= 2 {
            var bp: [Double] = [], bn: [Double] = []
            var ap = 0.0, an = 0.0, cnt = 0
            for k in pos.indices {
                ap += pos[k]; an += neg[k]; cnt += 1
                if cnt == grouping { bp.append(ap); bn.append(an); ap = 0; an = 0; cnt = 0 }
            }
            if cnt > 0 { bp.append(ap); bn.append(an) }
            pos = bp; neg = bn
        }
        var cp = 0.0, cn = 0.0
        cumPos.reserveCapacity(pos.count)
        cumNeg.reserveCapacity(pos.count)
        for k in pos.indices {
            cp += pos[k]; cn += neg[k]
            cumPos.append(cp); cumNeg.append(cn)
        }
        totalPos = cp
        totalNeg = cn
    }

    func recall(_ k: Int) -> Double { totalPos == 0 ? 0 : cumPos[k] / totalPos }
    func falsePositiveRate(_ k: Int) -> Double { totalNeg == 0 ? 0 : cumNeg[k] / totalNeg }
    func precision(_ k: Int) -> Double {
        let all = cumPos[k] + cumNeg[k]
        return all == 0 ? 1 : cumPos[k] / all
    }

    static func trapezoid(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Double { (x1 - x0) * (y1 + y0) / 2.0 }

    /// The ROC points (false positive rate, true positive rate), from (0, 0) to (1, 1).
    var roc: [(fpr: Double, tpr: Double)] {
        [(0, 0)] + cumPos.indices.map { (falsePositiveRate($0), recall($0)) } + [(1, 1)]
    }

    func areaUnderROC() -> Double {
        var area = 0.0
        var px = 0.0, py = 0.0
        for k in cumPos.indices {
            let x = falsePositiveRate(k), y = recall(k)
            area += BinaryCurve.trapezoid(px, py, x, y)
            px = x; py = y
        }
        return area + BinaryCurve.trapezoid(px, py, 1, 1)
    }

    func areaUnderPR() -> Double {
        guard !cumPos.isEmpty else { return 0 }
        var area = 0.0
        var px = 0.0, py = precision(0)
        for k in cumPos.indices {
            let x = recall(k), y = precision(k)
            area += BinaryCurve.trapezoid(px, py, x, y)
            px = x; py = y
        }
        return area
    }
}
