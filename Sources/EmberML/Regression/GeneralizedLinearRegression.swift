import Ember
import EmberCore
import Foundation

/// The params of `GeneralizedLinearRegression` and its model beyond the shared ones (Spark 4.1).
enum GLRParams {
    static func family() -> Param<String> {
        Param("family", "The name of family which is a description of the error distribution to be used in the model. Supported options: gaussian (default), binomial, poisson, gamma and tweedie.",
              default: "gaussian", ParamValidator("must be one of gaussian, binomial, poisson, gamma, tweedie") {
                  ["gaussian", "binomial", "poisson", "gamma", "tweedie"].contains($0.lowercased())
              })
    }
    static func variancePower() -> Param<Double> {
        Param("variancePower", "The power in the variance function of the Tweedie distribution which characterizes the relationship between the variance and mean of the distribution. Only applicable for the Tweedie family. Supported values: 0 and [1, Inf).",
              default: 0.0, ParamValidator("must be 0 or >= 1") { $0 == 0 || $0 >= 1 })
    }
    static func link() -> Param<String> {
        Param("link", "The name of link function which provides the relationship between the linear predictor and the mean of the distribution function. Supported options: identity, log, inverse, logit, probit, cloglog and sqrt.",
              ParamValidator("must be one of \(GLMLink.names.joined(separator: ", "))") { GLMLink(name: $0) != nil })
    }
    static func linkPower() -> Param<Double> {
        Param("linkPower", "The index in the power link function. Only applicable to the Tweedie family.")
    }
    static func linkPredictionCol() -> Param<String> { Param("linkPredictionCol", "link prediction (linear predictor) column name") }
    static func offsetCol() -> Param<String> {
        Param("offsetCol", "The offset column name. If this is not set or empty, we treat all instance offsets as 0.0")
    }
    static func solver() -> Param<String> {
        Param("solver", "The solver algorithm for optimization. Supported options: irls. (Default irls)", default: "irls", .oneOf(["irls"]))
    }
}

/// The params both the estimator and the model have, and the family/link they select.
protocol GLRParamsHolder: Params {
    var featuresCol: Param<String> { get }
    var labelCol: Param<String> { get }
    var predictionCol: Param<String> { get }
    var family: Param<String> { get }
    var variancePower: Param<Double> { get }
    var link: Param<String> { get }
    var linkPower: Param<Double> { get }
    var linkPredictionCol: Param<String> { get }
    var offsetCol: Param<String> { get }
    var weightCol: Param<String> { get }
}

extension GLRParamsHolder {
    /// Spark's `FamilyAndLink(params)`, checking that the family supports the link.
    func familyAndLink() throws -> (GLMFamily, GLMLink) {
        let famName = try value(family).lowercased()
        let fam = GLMFamily(name: famName, variancePower: try value(variancePower))
        if famName == "tweedie" {
            if isSet(linkPower.name), let p = get(linkPower) { return (fam, GLMLink(power: p)) }
            return (fam, fam.defaultLink)
        }
        guard isSet(link.name), let name = get(link) else { return (fam, fam.defaultLink) }
        guard let l = GLMLink(name: name) else { throw MLError.invalidParam(uid, "link", "given invalid value \(name)") }
        guard fam.supportedLinks.contains(l) else {
            throw MLError.invalidParam(uid, "link", "\(name): GeneralizedLinearRegression with \(fam.name) family does not support \(name) link function.")
        }
        return (fam, l)
    }

    var offsetName: String? { self.get(offsetCol).flatMap { $0.isEmpty ? nil : $0 } }
    var weightName: String? { self.get(weightCol).flatMap { $0.isEmpty ? nil : $0 } }

    func glrOutputSchema(_ schema: Schema, fitting: Bool) throws -> Schema {
        try validateParams()
        _ = try familyAndLink()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        if fitting {
            try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
            if let w = weightName { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        }
        if let o = offsetName { try SchemaUtils.checkNumericType(schema, o, stage: uid) }
        var s = try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
        if let l = get(linkPredictionCol), !l.isEmpty { s = try SchemaUtils.appendColumn(s, l, .double, nullable: false, stage: uid) }
        return s
    }
}

/// Generalized linear regression (Spark's `org.apache.spark.ml.regression.GeneralizedLinearRegression`):
/// families gaussian, binomial, poisson, gamma and tweedie with their links, optional L2
/// regularization, instance weights and offsets. Gaussian with the identity link is solved
/// in closed form by weighted least squares; every other pair by iteratively reweighted
/// least squares (`solver` "irls"), as Spark.
public final class GeneralizedLinearRegression: Estimator, GLRParamsHolder {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let family = GLRParams.family()
    public let variancePower = GLRParams.variancePower()
    public let link = GLRParams.link()
    public let linkPower = GLRParams.linkPower()
    public let linkPredictionCol = GLRParams.linkPredictionCol()
    public let offsetCol = GLRParams.offsetCol()
    public let weightCol = SharedParams.weightCol()
    public let fitIntercept = SharedParams.fitIntercept()
    public let maxIter = SharedParams.maxIter(25)
    public let tol = SharedParams.tol()
    public let regParam = SharedParams.regParam()
    public let solver = GLRParams.solver()
    public let aggregationDepth = SharedParams.aggregationDepth()

    public required init(uid: String) {
        super.init(uid: uid)
    }

    /// A GLR with Spark's keyword params (nil leaves the default).
    public convenience init(labelCol: String? = nil, featuresCol: String? = nil, predictionCol: String? = nil, family: String? = nil,
                            link: String? = nil, fitIntercept: Bool? = nil, maxIter: Int? = nil, tol: Double? = nil, regParam: Double? = nil,
                            weightCol: String? = nil, solver: String? = nil, linkPredictionCol: String? = nil, variancePower: Double? = nil,
                            linkPower: Double? = nil, offsetCol: String? = nil) {
        self.init()
        if let v = labelCol { set(self.labelCol, v) }
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = family { set(self.family, v) }
        if let v = link { set(self.link, v) }
        if let v = fitIntercept { set(self.fitIntercept, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = tol { set(self.tol, v) }
        if let v = regParam { set(self.regParam, v) }
        if let v = weightCol { set(self.weightCol, v) }
        if let v = solver { set(self.solver, v) }
        if let v = linkPredictionCol { set(self.linkPredictionCol, v) }
        if let v = variancePower { set(self.variancePower, v) }
        if let v = linkPower { set(self.linkPower, v) }
        if let v = offsetCol { set(self.offsetCol, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try glrOutputSchema(schema, fitting: true)
    }

    public override func fit(_ df: DataFrame) throws -> GeneralizedLinearRegressionModel {
        _ = try transformSchema(try df.schema())
        let (fam, lnk) = try familyAndLink()
        let data = try Instances.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: weightName, stage: uid)
        guard data.count > 0 else { throw MLError.invalidData(uid, "the training data set is empty") }
        try data.checkIndices(stage: uid)
        guard data.numFeatures <= WeightedLeastSquares.maxNumFeatures else {
            throw MLError.invalidData(uid, "The number of features specified by the features column (\(data.numFeatures)) is greater than WeightedLeastSquares.MAX_NUM_FEATURES (\(WeightedLeastSquares.maxNumFeatures))")
        }
        let offsets = try GeneralizedLinearRegression.loadOffsets(df, offsetName, count: data.count, stage: uid)
        let result = try GeneralizedLinearRegression.train(data, offsets: offsets, family: fam, link: lnk, fitIntercept: try value(fitIntercept),
                                                           regParam: try value(regParam), maxIter: try value(maxIter), tol: try value(tol), stage: uid)
        let model = GeneralizedLinearRegressionModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        model.coefficientValues = result.coefficients
        model.intercept = result.intercept
        model.trainingSummary = try GeneralizedLinearRegressionTrainingSummary(
            model: model, data: data, offsets: offsets, family: fam, link: lnk, diagInvAtWA: result.diagInvAtWA,
            numIterations: result.numIterations, regParam: try value(regParam), maxIter: try value(maxIter), tol: try value(tol))
        return model
    }

    /// Fits coefficients: closed form for gaussian/identity, IRLS otherwise.
    static func train(_ data: Instances, offsets: [Double], family: GLMFamily, link: GLMLink, fitIntercept: Bool, regParam: Double,
                      maxIter: Int, tol: Double, stage: String) throws -> GLMFitResult {
        if family == .gaussian && link == .identity {
            var shifted = data
            if !offsets.isEmpty { for i in 0..<data.count { shifted.labels[i] -= offsets[i] } }
            let r = try WeightedLeastSquares(fitIntercept: fitIntercept, regParam: regParam, elasticNetParam: 0, standardizeFeatures: true,
                                             maxIter: 100, tol: 1e-6, stage: stage).fit(shifted)
            return GLMFitResult(coefficients: r.coefficients, intercept: r.intercept, diagInvAtWA: r.diagInvAtWA, numIterations: 1)
        }
        let irls = IterativelyReweightedLeastSquares(family: family, link: link, fitIntercept: fitIntercept, regParam: regParam,
                                                     maxIter: maxIter, tol: tol, stage: stage)
        return try irls.fit(data, offsets: offsets)
    }

    /// The offset column as doubles (empty when there is none); NULL or non-finite is an error.
    static func loadOffsets(_ df: DataFrame, _ name: String?, count: Int, stage: String) throws -> [Double] {
        guard let name else { return [] }
        var out: [Double] = []
        out.reserveCapacity(count)
        for b in try df.select(col(name).cast(.double)).collectBatches() {
            let c = b.columns[0]
            guard let xs = c.doubles else { throw MLError.invalidData(stage, "offset column \(name) is not numeric") }
            for i in 0..<c.count {
                guard !c.isNull(i), xs[i].isFinite else {
                    throw MLError.invalidData(stage, "offset column \(name) has a NULL or non-finite value at row \(out.count)")
                }
                out.append(xs[i])
            }
        }
        guard out.count == count else { throw MLError.invalidData(stage, "offset column \(name) has \(out.count) rows, expected \(count)") }
        return out
    }
}

/// A fitted generalized linear regression (Spark's `GeneralizedLinearRegressionModel`):
/// prediction = project(g⁻¹(β·x + b + offset)); `linkPredictionCol` (when set) gets
/// η = β·x + b + offset.
public final class GeneralizedLinearRegressionModel: Model, GLRParamsHolder {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let family = GLRParams.family()
    public let variancePower = GLRParams.variancePower()
    public let link = GLRParams.link()
    public let linkPower = GLRParams.linkPower()
    public let linkPredictionCol = GLRParams.linkPredictionCol()
    public let offsetCol = GLRParams.offsetCol()
    public let weightCol = SharedParams.weightCol()
    public let fitIntercept = SharedParams.fitIntercept()
    public let maxIter = SharedParams.maxIter(25)
    public let tol = SharedParams.tol()
    public let regParam = SharedParams.regParam()
    public let solver = GLRParams.solver()
    public let aggregationDepth = SharedParams.aggregationDepth()

    var coefficientValues: [Double] = []
    public internal(set) var intercept = 0.0
    var trainingSummary: GeneralizedLinearRegressionTrainingSummary? = nil

    public var coefficients: Vector { Vectors.dense(coefficientValues) }
    public var numFeatures: Int { coefficientValues.count }
    public var hasSummary: Bool { trainingSummary != nil }

    /// The training summary; throws for a loaded model.
    public var summary: GeneralizedLinearRegressionTrainingSummary {
        get throws {
            guard let s = trainingSummary else {
                throw EmberError.unsupported("No training summary available for this GeneralizedLinearRegressionModel")
            }
            return s
        }
    }

    public override func copyState(from other: Params) {
        guard let o = other as? GeneralizedLinearRegressionModel else { return }
        coefficientValues = o.coefficientValues
        intercept = o.intercept
        trainingSummary = o.trainingSummary
        parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try glrOutputSchema(schema, fitting: false)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let (fam, lnk) = try familyAndLink()
        let scorer = Scorer(coefficients: coefficientValues, intercepts: [intercept], numFeatures: numFeatures, sets: 1, multinomial: false, stage: uid)
        var args = [col(try value(featuresCol))]
        if let o = offsetName { args.append(col(o).cast(.double)) }
        let stage = uid
        let eta: ([ColumnData], Int) throws -> [Double] = { cols, n in
            var m = try scorer.margins(cols[0], n)
            if cols.count > 1 {
                guard let xs = cols[1].doubles else { throw MLError.invalidData(stage, "the offset column is not numeric") }
                for i in 0..<n {
                    if cols[1].isNull(i) { throw MLError.invalidData(stage, "the offset column has a NULL") }
                    m[i] += xs[i]
                }
            }
            return m
        }
        var out = df
        if let name = get(linkPredictionCol), !name.isEmpty {
            let f = udf("glr_link_prediction", returnType: .double, nullable: false) { cols, n in
                ColumnData(type: .double, count: n, validity: nil, storage: .f64(try eta(cols, n)))
            }
            out = out.withColumn(name, f(args))
        }
        let f = udf("glr_prediction", returnType: .double, nullable: false) { cols, n in
            let mu = try eta(cols, n).map { fam.project(lnk.unlink($0)) }
            return ColumnData(type: .double, count: n, validity: nil, storage: .f64(mu))
        }
        return out.withColumn(try value(predictionCol), f(args))
    }

    /// The predicted mean for one vector (offset 0).
    public func predict(_ features: Vector) throws -> Double {
        guard features.size == numFeatures else {
            throw MLError.invalidData(uid, "the features vector has size \(features.size) but the model expects \(numFeatures) features")
        }
        let (fam, lnk) = try familyAndLink()
        return fam.project(lnk.unlink(features.dot(coefficients) + intercept))
    }

    public override func saveData(to dir: String, session: Session) throws {
        try ModelData.save([.double(intercept), ModelData.array(coefficientValues)],
                           schema: "intercept DOUBLE, coefficients ARRAY<DOUBLE>", dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let r = try ModelData.load(dir: dir, session: session)
        intercept = try ModelData.double(r, "intercept", dir)
        coefficientValues = try ModelData.doubles(r, "coefficients", dir)
    }
}
