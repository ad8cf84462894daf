import Ember
import EmberCore
import Foundation

/// Regression metrics (Spark's `RegressionEvaluator` over `RegressionMetrics`): rmse, mse,
/// mae, r2 (through the origin: 1 − SSerr / Σwy²) and var (explained variance,
/// Σw(ŷ − ȳ)² / Σw), weighted by `weightCol`. As Spark, r2's total sum of squares is the
/// weighted sample variance times (Σw − 1).
public final class RegressionEvaluator: Evaluator {
    public let metricName = Param<String>("metricName", "metric name in evaluation (mse|rmse|r2|mae|var)", default: "rmse",
                                          ParamValidator("must be one of [mse, rmse, r2, mae, var]") { ["mse", "rmse", "r2", "mae", "var"].contains($0) })
    public let throughOrigin = Param<Bool>("throughOrigin", "Whether the regression is through the origin.", default: false)
    public let predictionCol = SharedParams.predictionCol()
    public let labelCol = SharedParams.labelCol()
    public let weightCol = SharedParams.weightCol()

    public convenience init(metricName: String? = nil, predictionCol: String? = nil, labelCol: String? = nil,
                            weightCol: String? = nil, throughOrigin: Bool? = nil) {
        self.init()
        if let v = metricName { set(self.metricName, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = weightCol { set(self.weightCol, v) }
        if let v = throughOrigin { set(self.throughOrigin, v) }
    }

    public override var isLargerBetter: Bool {
        let m = get(metricName) ?? "rmse"
        return m == "r2" || m == "var"
    }

    public override func evaluate(_ df: DataFrame) throws -> Double {
        try validateParams()
        let schema = try df.schema()
        let pred = try value(predictionCol), label = try value(labelCol)
        try SchemaUtils.checkNumericType(schema, pred, stage: uid)
        try SchemaUtils.checkNumericType(schema, label, stage: uid)
        let batches = try df.select(col(pred).cast(.double), col(label).cast(.double), try EvaluatorColumns.weight(self, schema, weightCol)).collectBatches()
        let p = EvaluatorColumns.doubles(batches, 0), y = EvaluatorColumns.doubles(batches, 1), w = EvaluatorColumns.doubles(batches, 2)
        for b in batches {
            if b.columns[0].hasNulls { throw MLError.invalidData(uid, "prediction column \(pred) has NULLs") }
            if b.columns[1].hasNulls { throw MLError.invalidData(uid, "label column \(label) has NULLs") }
        }
        try EvaluatorColumns.checkWeights(w, stage: uid)
        let s = RegressionSums(predictions: p, labels: y, weights: w)
        switch try value(metricName) {
        case "mse": return s.ssErr / s.weightSum
        case "rmse": return (s.ssErr / s.weightSum).squareRoot()
        case "mae": return s.absErr / s.weightSum
        case "r2": return try value(throughOrigin) ? 1 - s.ssErr / s.ssY : 1 - s.ssErr / s.ssTot
        default: return s.ssReg / s.weightSum
        }
    }
}

/// The weighted sums behind `RegressionMetrics`, computed in parallel over row ranges.
struct RegressionSums {
    var weightSum = 0.0
    var ssErr = 0.0
    var absErr = 0.0
    var ssY = 0.0
    var ssTot = 0.0
    var ssReg = 0.0

    init(predictions p: [Double], labels y: [Double], weights w: [Double]) {
        let n = p.count
        let first = Parallel.mapRanges(n) { r -> (Double, Double, Double, Double, Double, Double) in
            var ws = 0.0, w2 = 0.0, wy = 0.0, e2 = 0.0, ea = 0.0, y2 = 0.0
            for i in r {
                let e = y[i] - p[i]
                ws += w[i]; w2 += w[i] * w[i]; wy += w[i] * y[i]
                e2 += w[i] * e * e; ea += w[i] * abs(e); y2 += w[i] * y[i] * y[i]
            }
            return (ws, w2, wy, e2, ea, y2)
        }
        var w2 = 0.0, wy = 0.0
        for t in first { weightSum += t.0; w2 += t.1; wy += t.2; ssErr += t.3; absErr += t.4; ssY += t.5 }
        let mean = wy / weightSum
        let second = Parallel.mapRanges(n) { r -> (Double, Double) in
            var m2 = 0.0, reg = 0.0
            for i in r {
                let d = y[i] - mean, q = p[i] - mean
                m2 += w[i] * d * d
                reg += w[i] * q * q
            }
            return (m2, reg)
        }
        var m2 = 0.0
        for t in second { m2 += t.0; ssReg += t.1 }
        let denominator = weightSum - w2 / weightSum
        let variance = denominator > 0 ? max(m2 / denominator, 0) : 0
        ssTot = variance * (weightSum - 1)
    }
}
