import Ember
import EmberCore
import Foundation

/// The params of `LinearRegression` and its model beyond the shared ones (Spark 4.1).
enum LinearRegressionParams {
    static func solver() -> Param<String> {
        Param("solver", "The solver algorithm for optimization. Supported options: auto, normal, l-bfgs. (Default auto)",
              default: "auto", .oneOf(["auto", "normal", "l-bfgs"]))
    }
    static func loss() -> Param<String> {
        Param("loss", "The loss function to be optimized. Supported options: squaredError, huber. (Default squaredError)",
              default: "squaredError", .oneOf(["squaredError", "huber"]))
    }
    static func epsilon() -> Param<Double> {
        Param("epsilon", "The shape parameter to control the amount of robustness. Must be > 1.0. Only valid when loss is huber",
              default: 1.35, .gt(1.0))
    }
}

/// Linear regression (Spark's `org.apache.spark.ml.regression.LinearRegression`) with
/// elastic-net regularization. `solver` "normal" (and "auto" up to 4096 features) solves
/// the normal equations as Spark's `WeightedLeastSquares`; "l-bfgs" minimizes Spark's
/// standardized least-squares objective with L-BFGS (OWL-QN for an L1 part).
public final class LinearRegression: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let maxIter = SharedParams.maxIter(100)
    public let regParam = SharedParams.regParam()
    public let elasticNetParam = SharedParams.elasticNetParam()
    public let tol = SharedParams.tol()
    public let fitIntercept = SharedParams.fitIntercept()
    public let standardization = SharedParams.standardization()
    public let aggregationDepth = SharedParams.aggregationDepth()
    public let solver = LinearRegressionParams.solver()
    public let loss = LinearRegressionParams.loss()
    public let epsilon = LinearRegressionParams.epsilon()
    public let maxBlockSizeInMB = LogisticRegressionParams.maxBlockSizeInMB()

    public required init(uid: String) {
        super.init(uid: uid)
    }

    /// A linear regression with Spark's keyword params (nil leaves the default).
    public convenience init(featuresCol: String? = nil, labelCol: String? = nil, maxIter: Int? = nil, regParam: Double? = nil,
                            elasticNetParam: Double? = nil, tol: Double? = nil, fitIntercept: Bool? = nil, standardization: Bool? = nil,
                            solver: String? = nil, weightCol: String? = nil) {
        self.init()
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = regParam { set(self.regParam, v) }
        if let v = elasticNetParam { set(self.elasticNetParam, v) }
        if let v = tol { set(self.tol, v) }
        if let v = fitIntercept { set(self.fitIntercept, v) }
        if let v = standardization { set(self.standardization, v) }
        if let v = solver { set(self.solver, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> LinearRegressionModel {
        _ = try transformSchema(try df.schema())
        guard try value(loss).lowercased() == "squarederror" else {
            throw EmberError.unsupported("\(uid): loss huber is not supported by Ember's LinearRegression yet; use squaredError")
        }
        let weight = get(weightCol).flatMap { $0.isEmpty ? nil : $0 }
        let data = try Instances.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: weight, stage: uid)
        guard data.count > 0 else { throw MLError.invalidData(uid, "the training data set is empty") }
        try data.checkIndices(stage: uid)
        let d = data.numFeatures
        let solverName = try value(solver).lowercased()
        let fitB = try value(fitIntercept)
        let reg = try value(regParam), alpha = try value(elasticNetParam)
        let standardize = try value(standardization)

        var coefficients: [Double]
        var intercept: Double
        var history: [Double]
        var diag: [Double]? = nil
        if solverName == "normal" || (solverName == "auto" && d <= WeightedLeastSquares.maxNumFeatures) {
            let wls = WeightedLeastSquares(fitIntercept: fitB, regParam: reg, elasticNetParam: alpha, standardizeFeatures: standardize,
                                           maxIter: try value(maxIter), tol: try value(tol), stage: uid)
            let r = try wls.fit(data)
            coefficients = r.coefficients; intercept = r.intercept; history = r.objectiveHistory; diag = r.diagInvAtWA
        } else {
            let s = FeatureSummary(data)
            guard s.weightSum > 0 else { throw MLError.invalidData(uid, "the sum of the instance weights is zero") }
            let yMean = s.labelMean, rawYStd = s.labelStd
            if rawYStd == 0 && (fitB || yMean == 0) {
                coefficients = [Double](repeating: 0, count: d)
                intercept = fitB ? yMean : 0
                history = [0]
            } else {
                if rawYStd == 0 && reg > 0 && standardize {
                    throw MLError.invalidData(uid, "The standard deviation of the label is zero. Model cannot be regularized with standardization=true")
                }
                let yStd = rawYStd > 0 ? rawYStd : abs(yMean)
                let std = s.std
                let inverseStd = std.map { $0 != 0 ? 1 / $0 : 0 }
                let effReg = reg / yStd
                let l1 = alpha * effReg, l2 = (1 - alpha) * effReg
                let lossFn = LeastSquaresLoss(data: data.scaled(inverseStd), scaledMean: zip(s.mean, inverseStd).map { $0 * $1 }, labelMean: yMean,
                                              labelStd: yStd, fitIntercept: fitB, weightSum: s.weightSum, l2: l2,
                                              l2Scale: standardize ? nil : inverseStd.map { $0 * $0 })
                let l1Fun: ((Int) -> Double)? = (alpha == 0 || effReg == 0) ? nil : { j in
                    standardize ? l1 : (std[j] != 0 ? l1 / std[j] : 0)
                }
                let r = try LBFGS(maxIter: try value(maxIter), m: 10, tol: try value(tol), l1: l1Fun)
                    .minimize({ x, g in lossFn.evaluate(x, &g) }, [Double](repeating: 0, count: d))
                coefficients = (0..<d).map { r.x[$0] * yStd * inverseStd[$0] }
                intercept = fitB ? yMean - zip(coefficients, s.mean).reduce(0) { $0 + $1.0 * $1.1 } : 0
                history = r.objectiveHistory
            }
        }
        guard coefficients.allSatisfy(\.isFinite), intercept.isFinite else {
            throw MLError.invalidData(uid, "training diverged (non-finite coefficients)")
        }
        let model = LinearRegressionModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        model.coefficientValues = coefficients
        model.intercept = intercept
        model.trainingSummary = LinearRegressionTrainingSummary(data: data, coefficients: coefficients, intercept: intercept, fitIntercept: fitB,
                                                                weighted: weight != nil, objectiveHistory: history, diagInvAtWA: diag)
        return model
    }
}

/// A fitted linear regression (Spark's `LinearRegressionModel`): prediction = β·x + b.
public final class LinearRegressionModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let maxIter = SharedParams.maxIter(100)
    public let regParam = SharedParams.regParam()
    public let elasticNetParam = SharedParams.elasticNetParam()
    public let tol = SharedParams.tol()
    public let fitIntercept = SharedParams.fitIntercept()
    public let standardization = SharedParams.standardization()
    public let aggregationDepth = SharedParams.aggregationDepth()
    public let solver = LinearRegressionParams.solver()
    public let loss = LinearRegressionParams.loss()
    public let epsilon = LinearRegressionParams.epsilon()
    public let maxBlockSizeInMB = LogisticRegressionParams.maxBlockSizeInMB()

    var coefficientValues: [Double] = []
    public internal(set) var intercept = 0.0
    /// Spark 3.0+ keeps a scale (1.0 unless trained with huber loss).
    public internal(set) var scale = 1.0
    var trainingSummary: LinearRegressionTrainingSummary? = nil

    public var coefficients: Vector { Vectors.dense(coefficientValues) }
    public var numFeatures: Int { coefficientValues.count }
    public var hasSummary: Bool { trainingSummary != nil }

    /// The training summary; throws for a loaded model.
    public var summary: LinearRegressionTrainingSummary {
        get throws {
            guard let s = trainingSummary else { throw EmberError.unsupported("No training summary available for this LinearRegressionModel") }
            return s
        }
    }

    public override func copyState(from other: Params) {
        guard let o = other as? LinearRegressionModel else { return }
        coefficientValues = o.coefficientValues
        intercept = o.intercept
        scale = o.scale
        trainingSummary = o.trainingSummary
        parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let scorer = Scorer(coefficients: coefficientValues, intercepts: [intercept], numFeatures: numFeatures, sets: 1, multinomial: false, stage: uid)
        let f = udf("linear_prediction", returnType: .double, nullable: false) { cols, n in
            ColumnData(type: .double, count: n, validity: nil, storage: .f64(try scorer.margins(cols[0], n)))
        }
        return df.withColumn(try value(predictionCol), f(col(try value(featuresCol))))
    }

    /// β·x + b for one vector.
    public func predict(_ features: Vector) throws -> Double {
        guard features.size == numFeatures else {
            throw MLError.invalidData(uid, "the features vector has size \(features.size) but the model expects \(numFeatures) features")
        }
        return features.dot(coefficients) + intercept
    }

    public override func saveData(to dir: String, session: Session) throws {
        try ModelData.save([.double(intercept), ModelData.array(coefficientValues), .double(scale)],
                           schema: "intercept DOUBLE, coefficients ARRAY<DOUBLE>, scale DOUBLE", dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let r = try ModelData.load(dir: dir, session: session)
        intercept = try ModelData.double(r, "intercept", dir)
        coefficientValues = try ModelData.doubles(r, "coefficients", dir)
        scale = try ModelData.double(r, "scale", dir)
    }
}
