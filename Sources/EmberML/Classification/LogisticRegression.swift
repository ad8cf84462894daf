import Ember
import EmberCore
import Foundation

/// Logistic regression (Spark's `org.apache.spark.ml.classification.LogisticRegression`):
/// binomial or multinomial (softmax), with elastic-net regularization. Trains as Spark does
/// on features divided by their weighted standard deviation, minimizing the weighted mean
/// log loss plus ½·λ(1−α)·‖β‖² (L-BFGS) and λα·‖β‖₁ (OWL-QN); the penalty is on
/// standardized coefficients when `standardization` is on, on original-scale ones
/// otherwise. Multinomial intercepts are centered, and so are coefficients without
/// regularization.
public final class LogisticRegression: Estimator, LogisticThresholds {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let weightCol = SharedParams.weightCol()
    public let maxIter = SharedParams.maxIter(100)
    public let regParam = SharedParams.regParam()
    public let elasticNetParam = SharedParams.elasticNetParam()
    public let tol = SharedParams.tol()
    public let fitIntercept = SharedParams.fitIntercept()
    public let standardization = SharedParams.standardization()
    public let threshold = SharedParams.threshold()
    public let thresholds = SharedParams.thresholds()
    public let aggregationDepth = SharedParams.aggregationDepth()
    public let family = LogisticRegressionParams.family()
    public let maxBlockSizeInMB = LogisticRegressionParams.maxBlockSizeInMB()

    public required init(uid: String) {
        super.init(uid: uid)
    }

    /// A logistic regression with Spark's keyword params (nil leaves the default).
    public convenience init(featuresCol: String? = nil, labelCol: String? = nil, maxIter: Int? = nil, regParam: Double? = nil,
                            elasticNetParam: Double? = nil, tol: Double? = nil, fitIntercept: Bool? = nil, threshold: Double? = nil,
                            thresholds: [Double]? = nil, standardization: Bool? = nil, weightCol: String? = nil, family: String? = nil) {
        self.init()
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = regParam { set(self.regParam, v) }
        if let v = elasticNetParam { set(self.elasticNetParam, v) }
        if let v = tol { set(self.tol, v) }
        if let v = fitIntercept { set(self.fitIntercept, v) }
        if let v = threshold { set(self.threshold, v) }
        if let v = thresholds { set(self.thresholds, v) }
        if let v = standardization { set(self.standardization, v) }
        if let v = weightCol { set(self.weightCol, v) }
        if let v = family { set(self.family, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        return try LogisticRegressionModel.outputSchema(schema, self, raw: try value(rawPredictionCol), probability: try value(probabilityCol),
                                                        prediction: try value(predictionCol), stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> LogisticRegressionModel {
        _ = try transformSchema(try df.schema())
        _ = try binaryThreshold()
        let weight = get(weightCol).flatMap { $0.isEmpty ? nil : $0 }
        let (fc, lc, stage) = (try value(featuresCol), try value(labelCol), uid)
        let load = { try Instances.load(df, featuresCol: fc, labelCol: lc, weightCol: weight, stage: stage) }
        let data = try load()
        guard data.count > 0 else { throw MLError.invalidData(uid, "the training data set is empty") }
        try data.checkIndices(stage: uid)
        // Labels must be class indices 0, 1, …
        var maxLabel = 0.0
        var histogram: [Double] = []
        for i in 0..<data.count {
            let y = data.labels[i]
            guard y >= 0, y == y.rounded(), y < 1e7 else {
                throw MLError.invalidData(uid, "Classification labels should be in [0, numClasses), got \(y) at row \(i)")
            }
            maxLabel = max(maxLabel, y)
            let c = Int(y)
            if c >= histogram.count { histogram += [Double](repeating: 0, count: c + 1 - histogram.count) }
            histogram[c] += data.weights[i]
        }
        let labelClasses = Int(maxLabel) + 1
        let fam = try value(family).lowercased()
        let multinomial: Bool
        switch fam {
        case "binomial":
            guard labelClasses <= 2 else {
                throw MLError.invalidParam(uid, "family", "is binomial, which only supports 1 or 2 outcome classes but found \(labelClasses)")
            }
            multinomial = false
        case "multinomial": multinomial = true
        default: multinomial = labelClasses > 2
        }
        let numClasses = max(labelClasses, 2)
        if histogram.count < numClasses { histogram += [Double](repeating: 0, count: numClasses - histogram.count) }
        let sets = multinomial ? numClasses : 1
        let d = data.numFeatures
        let fitB = try value(fitIntercept)
        let summary = FeatureSummary(data)
        guard summary.weightSum > 0 else { throw MLError.invalidData(uid, "the sum of the instance weights is zero") }

        let model = LogisticRegressionModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        model.numFeatures = d
        model.numClasses = numClasses
        model.isMultinomial = multinomial

        // All labels in one class: the intercept says so and no training is needed.
        let nonEmpty = histogram.indices.filter { histogram[$0] != 0 }
        if fitB, nonEmpty.count == 1, let only = nonEmpty.first {
            model.coefficientMatrix = DenseMatrix.zeros(sets, d)
            if multinomial {
                model.interceptVector = (0..<numClasses).map { $0 == only ? .infinity : 0 }
            } else {
                model.interceptVector = [only == 1 ? .infinity : -.infinity]
            }
            model.trainingSummary = LogisticRegressionTrainingSummary(model: model, objectiveHistory: [0], load: load)
            return model
        }

        let std = summary.std
        let inverseStd = std.map { $0 != 0 ? 1 / $0 : 0 }
        let reg = try value(regParam), alpha = try value(elasticNetParam)
        let l1 = alpha * reg, l2 = (1 - alpha) * reg
        let standardize = try value(standardization)
        let loss = LogisticLoss(data: data, inverseStd: inverseStd, numClasses: sets, multinomial: multinomial, fitIntercept: fitB, weightSum: summary.weightSum,
                                l2: l2, l2Scale: standardize ? nil : inverseStd.map { $0 * $0 },
                                scaledMean: fitB ? zip(summary.mean, inverseStd).map { $0 * $1 } : nil)
        var x0 = [Double](repeating: 0, count: loss.size)
        if fitB {
            if multinomial {
                let raw = histogram.map { log1p($0) }
                let mean = raw.reduce(0, +) / Double(raw.count)
                for c in 0..<sets { x0[sets * d + c] = raw[c] - mean }
            } else if histogram[0] > 0, histogram[1] > 0 {
                x0[d] = log(histogram[1] / histogram[0])
            }
        }
        let l1Fun: ((Int) -> Double)? = l1 == 0 ? nil : { i in
            if i >= sets * d { return 0 }
            let j = i % d
            return standardize ? l1 : (std[j] != 0 ? l1 / std[j] : 0)
        }
        let optimizer = LBFGS(maxIter: try value(maxIter), m: 10, tol: try value(tol), l1: l1Fun)
        let result = try optimizer.minimize({ x, g in loss.evaluate(x, &g) }, x0)
        guard result.x.allSatisfy(\.isFinite) else { throw MLError.invalidData(uid, "training diverged (non-finite coefficients)") }

        var coef = [Double](repeating: 0, count: sets * d)
        for c in 0..<sets { for j in 0..<d { coef[c * d + j] = result.x[c * d + j] * inverseStd[j] } }
        var intercepts = loss.intercepts(of: result.x)
        if multinomial {
            if fitB {
                let m = intercepts.reduce(0, +) / Double(sets)
                intercepts = intercepts.map { $0 - m }
            }
            if reg == 0 {
                for j in 0..<d {
                    var m = 0.0
                    for c in 0..<sets { m += coef[c * d + j] }
                    m /= Double(sets)
                    for c in 0..<sets { coef[c * d + j] -= m }
                }
            }
        }
        model.coefficientMatrix = DenseMatrix(unchecked: sets, d, coef, isTransposed: true)
        model.interceptVector = intercepts
        model.trainingSummary = LogisticRegressionTrainingSummary(model: model, objectiveHistory: result.objectiveHistory, load: load)
        return model
    }
}
