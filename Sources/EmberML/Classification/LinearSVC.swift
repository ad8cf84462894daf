import Ember
import EmberCore
import Foundation

/// The params of `LinearSVC` and its model beyond the shared ones (Spark 4.1).
enum LinearSVCParams {
    static func threshold() -> Param<Double> {
        Param("threshold", "The threshold in binary classification applied to the linear model prediction.  This threshold can be any real number, where Inf will make all predictions 0.0 and -Inf will make all predictions 1.0.",
              default: 0.0)
    }
}

/// A linear support vector machine (Spark's `org.apache.spark.ml.classification.LinearSVC`):
/// minimizes the weighted mean hinge loss plus ½·λ·‖β‖² with OWL-QN (zero L1 weights, as
/// Spark, so steps are projected on the orthant), on features divided by their standard
/// deviation and virtually centered when fitting an intercept. The penalty is on standardized
/// coefficients when `standardization` is on, on original-scale ones otherwise. Labels must be
/// 0 or 1.
public final class LinearSVC: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let weightCol = SharedParams.weightCol()
    public let maxIter = SharedParams.maxIter(100)
    public let regParam = SharedParams.regParam()
    public let tol = SharedParams.tol()
    public let fitIntercept = SharedParams.fitIntercept()
    public let standardization = SharedParams.standardization()
    public let threshold = LinearSVCParams.threshold()
    public let aggregationDepth = SharedParams.aggregationDepth()
    public let maxBlockSizeInMB = LogisticRegressionParams.maxBlockSizeInMB()

    public required init(uid: String) {
        super.init(uid: uid)
    }

    /// A linear SVC with Spark's keyword params (nil leaves the default).
    public convenience init(featuresCol: String? = nil, labelCol: String? = nil, predictionCol: String? = nil, maxIter: Int? = nil,
                            regParam: Double? = nil, tol: Double? = nil, rawPredictionCol: String? = nil, fitIntercept: Bool? = nil,
                            standardization: Bool? = nil, threshold: Double? = nil, weightCol: String? = nil) {
        self.init()
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = regParam { set(self.regParam, v) }
        if let v = tol { set(self.tol, v) }
        if let v = rawPredictionCol { set(self.rawPredictionCol, v) }
        if let v = fitIntercept { set(self.fitIntercept, v) }
        if let v = standardization { set(self.standardization, v) }
        if let v = threshold { set(self.threshold, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        return try LinearSVCModel.outputSchema(schema, raw: try value(rawPredictionCol), prediction: try value(predictionCol), stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> LinearSVCModel {
        _ = try transformSchema(try df.schema())
        let weight = get(weightCol).flatMap { $0.isEmpty ? nil : $0 }
        let data = try Instances.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: weight, stage: uid)
        guard data.count > 0 else { throw MLError.invalidData(uid, "the training data set is empty") }
        try data.checkIndices(stage: uid)
        var maxLabel = 0.0
        for i in 0..<data.count {
            let y = data.labels[i]
            guard y >= 0, y == y.rounded(), y < 1e7 else {
                throw MLError.invalidData(uid, "Classification labels should be in [0, numClasses), got \(y) at row \(i)")
            }
            maxLabel = max(maxLabel, y)
        }
        let numClasses = Int(maxLabel) + 1
        guard numClasses == 2 else {
            throw MLError.invalidData(uid, "LinearSVC only supports binary classification. \(numClasses) classes detected in \(try value(labelCol))")
        }
        let d = data.numFeatures
        let fitB = try value(fitIntercept)
        let summary = FeatureSummary(data)
        guard summary.weightSum > 0 else { throw MLError.invalidData(uid, "the sum of the instance weights is zero") }
        let std = summary.std
        let inverseStd = std.map { $0 != 0 ? 1 / $0 : 0 }
        let reg = try value(regParam)
        let loss = HingeLoss(data: data.scaled(inverseStd), fitIntercept: fitB, weightSum: summary.weightSum, l2: reg,
                             l2Scale: try value(standardization) ? nil : inverseStd.map { $0 * $0 },
                             scaledMean: fitB ? zip(summary.mean, inverseStd).map { $0 * $1 } : nil)
        // Spark runs Breeze's OWL-QN with an L1 weight of 0 for every coordinate, which still
        // projects each step on the orthant of the current point; the least positive weight
        // makes Ember's OWL-QN do the same without changing the objective.
        let optimizer = LBFGS(maxIter: try value(maxIter), m: 10, tol: try value(tol), l1: { _ in Double.leastNonzeroMagnitude })
        let result = try optimizer.minimize({ x, g in loss.evaluate(x, &g) }, [Double](repeating: 0, count: loss.size))
        guard result.x.allSatisfy(\.isFinite) else { throw MLError.invalidData(uid, "training diverged (non-finite coefficients)") }

        let model = LinearSVCModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        model.coefficientValues = (0..<d).map { result.x[$0] * inverseStd[$0] }
        model.intercept = loss.intercept(of: result.x)
        model.trainingSummary = LinearSVCTrainingSummary(objectiveHistory: result.objectiveHistory)
        return model
    }
}

/// What LinearSVC training did (Spark's `LinearSVCTrainingSummary` objective history).
public struct LinearSVCTrainingSummary {
    /// The objective (mean hinge loss plus the L2 term) at the start and after each iteration.
    public let objectiveHistory: [Double]
    public var totalIterations: Int { max(objectiveHistory.count - 1, 0) }
}

/// A fitted linear SVC (Spark's `LinearSVCModel`): rawPrediction [−m, m] with m = β·x + b,
/// prediction 1 when m > threshold.
public final class LinearSVCModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let weightCol = SharedParams.weightCol()
    public let maxIter = SharedParams.maxIter(100)
    public let regParam = SharedParams.regParam()
    public let tol = SharedParams.tol()
    public let fitIntercept = SharedParams.fitIntercept()
    public let standardization = SharedParams.standardization()
    public let threshold = LinearSVCParams.threshold()
    public let aggregationDepth = SharedParams.aggregationDepth()
    public let maxBlockSizeInMB = LogisticRegressionParams.maxBlockSizeInMB()

    var coefficientValues: [Double] = []
    public internal(set) var intercept = 0.0
    var trainingSummary: LinearSVCTrainingSummary? = nil

    public var coefficients: Vector { Vectors.dense(coefficientValues) }
    public var numFeatures: Int { coefficientValues.count }
    public var numClasses: Int { 2 }
    public var hasSummary: Bool { trainingSummary != nil }

    /// The training summary; throws for a loaded model.
    public var summary: LinearSVCTrainingSummary {
        get throws {
            guard let s = trainingSummary else { throw EmberError.unsupported("No training summary available for this LinearSVCModel") }
            return s
        }
    }

    public override func copyState(from other: Params) {
        guard let o = other as? LinearSVCModel else { return }
        coefficientValues = o.coefficientValues
        intercept = o.intercept
        trainingSummary = o.trainingSummary
        parentUID = o.parentUID
    }

    static func outputSchema(_ schema: Schema, raw: String, prediction: String, stage: String) throws -> Schema {
        var s = schema
        if !raw.isEmpty { s = try SchemaUtils.appendColumn(s, raw, .vector, nullable: false, stage: stage) }
        if !prediction.isEmpty { s = try SchemaUtils.appendColumn(s, prediction, .double, nullable: false, stage: stage) }
        return s
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try LinearSVCModel.outputSchema(schema, raw: try value(rawPredictionCol), prediction: try value(predictionCol), stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let t = try value(threshold)
        let scorer = Scorer(coefficients: coefficientValues, intercepts: [intercept], numFeatures: numFeatures, sets: 1, multinomial: false, stage: uid)
        var out = df
        let features = col(try value(featuresCol))
        if let name = get(rawPredictionCol), !name.isEmpty {
            let f = udf("svc_raw", returnType: .vector, nullable: false) { cols, n in
                VectorColumnBuilder.dense(scorer.rawPredictions(try scorer.margins(cols[0], n), n), dim: 2, count: n)
            }
            out = out.withColumn(name, f(features))
        }
        if let name = get(predictionCol), !name.isEmpty {
            let f = udf("svc_prediction", returnType: .double, nullable: false) { cols, n in
                let preds = try scorer.margins(cols[0], n).map { $0 > t ? 1.0 : 0.0 }
                return ColumnData(type: .double, count: n, validity: nil, storage: .f64(preds))
            }
            out = out.withColumn(name, f(features))
        }
        return out
    }

    /// (rawPrediction, prediction) for one feature vector.
    public func predict(_ features: Vector) throws -> (raw: Vector, prediction: Double) {
        guard features.size == numFeatures else {
            throw MLError.invalidData(uid, "the features vector has size \(features.size) but the model expects \(numFeatures) features")
        }
        let m = features.dot(coefficients) + intercept
        return (Vectors.dense([-m, m]), m > (try value(threshold)) ? 1 : 0)
    }

    public override func saveData(to dir: String, session: Session) throws {
        try ModelData.save([ModelData.array(coefficientValues), .double(intercept)],
                           schema: "coefficients ARRAY<DOUBLE>, intercept DOUBLE", dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let r = try ModelData.load(dir: dir, session: session)
        coefficientValues = try ModelData.doubles(r, "coefficients", dir)
        intercept = try ModelData.double(r, "intercept", dir)
    }
}

/// Spark's hinge loss (`HingeBlockAggregator` plus `L2Regularization`) over standardized
/// instances: the weighted mean of max(0, 1 − (2y − 1)·m) plus ½·λ·Σβ² (scaled by 1/σ²
/// without standardization). With an intercept the features are virtually centered as in
/// Spark (margins use (xⱼ − μⱼ)/σⱼ); `intercept(of:)` maps the intercept back. Parallel row
/// ranges, no allocation per row.
struct HingeLoss {
    let data: Instances          // features already divided by their std
    let fitIntercept: Bool
    let weightSum: Double
    let l2: Double
    let l2Scale: [Double]?
    let scaledMean: [Double]?

    var size: Int { data.numFeatures + (fitIntercept ? 1 : 0) }

    /// The intercept of uncentered features for a solution `x`.
    func intercept(of x: [Double]) -> Double {
        let d = data.numFeatures
        guard fitIntercept else { return 0 }
        var b = x[d]
        if let mu = scaledMean { for j in 0..<d { b -= x[j] * mu[j] } }
        return b
    }

    func evaluate(_ x: [Double], _ grad: inout [Double]) -> Double {
        let d = data.numFeatures
        let b0 = intercept(of: x)
        let fitB = fitIntercept
        let parts = data.mapRanges { range -> (Double, [Double]) in
            var g = [Double](repeating: 0, count: size)
            var loss = 0.0
            x.withUnsafeBufferPointer { c in
                g.withUnsafeMutableBufferPointer { gv in
                    data.withBuffers { b in
                        let xs = b.dense, ix = b.indices, vs = b.values, off = b.offsets
                        for i in range {
                            let wi = b.weights[i]
                            if wi == 0 { continue }
                            var margin = b0
                            if b.isDense {
                                let base = i * d
                                for j in 0..<d { margin += xs[base + j] * c[j] }
                            } else {
                                for p in off[i]..<off[i + 1] { margin += vs[p] * c[Int(ix[p])] }
                            }
                            let label = 2 * b.labels[i] - 1
                            let h = 1 - label * margin
                            if h <= 0 { continue }
                            loss += wi * h
                            let mult = -label * wi
                            if b.isDense {
                                let base = i * d
                                for j in 0..<d { gv[j] += mult * xs[base + j] }
                            } else {
                                for p in off[i]..<off[i + 1] { gv[Int(ix[p])] += mult * vs[p] }
                            }
                            if fitB { gv[d] += mult }
                        }
                    }
                }
            }
            return (loss, g)
        }
        var loss = 0.0
        for (l, g) in parts { loss += l; BLAS.axpy(1, g, &grad) }
        if fitIntercept, let mu = scaledMean {
            let sum = grad[d]
            for j in 0..<d { grad[j] -= mu[j] * sum }
        }
        let inv = 1 / weightSum
        loss *= inv
        BLAS.scal(inv, &grad)
        return loss + L2Regularization.apply(l2, scale: l2Scale, coefficients: x, sets: 1, numFeatures: d, grad: &grad)
    }
}
