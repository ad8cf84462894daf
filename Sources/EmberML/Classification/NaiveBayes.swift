import Ember
import EmberCore
import Foundation

/// The params NaiveBayes and NaiveBayesModel share (Spark's `NaiveBayesParams`).
enum NaiveBayesParams {
    static let modelTypes = ["multinomial", "bernoulli", "gaussian", "complement"]

    static func smoothing() -> Param<Double> {
        Param("smoothing", "The smoothing parameter, should be >= 0, default is 1.0", default: 1.0, .gtEq(0))
    }

    /// Case-sensitive, as Spark's `ParamValidators.inArray`.
    static func modelType() -> Param<String> {
        Param("modelType", "The model type which is a string (case-sensitive). Supported options: multinomial (default), bernoulli and gaussian.",
              default: "multinomial", ParamValidator("must be one of [\(modelTypes.joined(separator: ", "))]") { modelTypes.contains($0) })
    }
}

/// Naive Bayes classifier (Spark's `org.apache.spark.ml.classification.NaiveBayes`):
/// multinomial (default), complement, bernoulli or gaussian. Class statistics are
/// weighted sums per distinct label (one class per distinct label, in label order, as
/// Spark groups by label); labels must be non-negative integers.
public final class NaiveBayes: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()
    public let weightCol = SharedParams.weightCol()
    public let smoothing = NaiveBayesParams.smoothing()
    public let modelType = NaiveBayesParams.modelType()

    public required init(uid: String) { super.init(uid: uid) }

    public convenience init(modelType: String? = nil, smoothing: Double? = nil, featuresCol: String? = nil, labelCol: String? = nil,
                            weightCol: String? = nil, thresholds: [Double]? = nil) {
        self.init()
        if let m = modelType { set(self.modelType, m) }
        if let s = smoothing { set(self.smoothing, s) }
        if let f = featuresCol { set(self.featuresCol, f) }
        if let l = labelCol { set(self.labelCol, l) }
        if let w = weightCol { set(self.weightCol, w) }
        if let t = thresholds { set(self.thresholds, t) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        return try ProbabilisticOutputs.transformSchema(schema, featuresCol: try value(featuresCol), rawPredictionCol: try value(rawPredictionCol),
                                                        probabilityCol: try value(probabilityCol), predictionCol: try value(predictionCol), stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> NaiveBayesModel {
        _ = try transformSchema(try df.schema())
        let type = try value(modelType)
        let data = try Instances.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: get(weightCol), stage: uid)
        guard data.count > 0 else { throw MLError.invalidData(uid, "the training dataset is empty") }
        // As Spark: the number of classes (max label + 1) must match thresholds before labels are checked.
        if let t = get(thresholds), let mx = data.labels.max(), mx >= 0, mx == mx.rounded(), mx < Double(Int32.max), Int(mx) + 1 != t.count {
            throw MLError.invalidParam(uid, "thresholds", "has length \(t.count) but the data has \(Int(mx) + 1) classes (NaiveBayes.train() called with non-matching numClasses and thresholds.length)")
        }
        let (labels, classOf) = try classIndex(data)
        let k = labels.count, d = data.numFeatures
        let model = NaiveBayesModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        if type == "gaussian" {
            try fitGaussian(data, classOf: classOf, k: k, d: d, into: model)
        } else {
            try fitDiscrete(data, type: type, classOf: classOf, k: k, d: d, into: model)
        }
        return model
    }

    /// The distinct labels (sorted) and each row's class index; checks that labels are
    /// non-negative integers (below the number of thresholds when those are set).
    func classIndex(_ data: Instances) throws -> ([Double], [Int32]) {
        let limit = get(thresholds)?.count
        var index: [Double: Int32] = [:]
        for (i, y) in data.labels.enumerated() {
            if y < 0 || (limit != nil && y >= Double(limit ?? 0)) {
                throw MLError.invalidData(uid, "Labels MUST be in [0, \(limit.map(String.init) ?? "2147483647")), but got \(NumberFormat.javaDouble(y)) (row \(i))")
            }
            if y != y.rounded() || y > Double(Int32.max) {
                throw MLError.invalidData(uid, "Labels MUST be Integers, but got \(NumberFormat.javaDouble(y)) (row \(i))")
            }
            if index[y] == nil { index[y] = 0 }
        }
        let labels = index.keys.sorted()
        for (c, y) in labels.enumerated() { index[y] = Int32(c) }
        let classOf = data.labels.map { index[$0] ?? 0 }
        return (labels, classOf)
    }

    /// Per class: weight sum and weighted feature sums (multinomial, complement, bernoulli).
    func fitDiscrete(_ data: Instances, type: String, classOf: [Int32], k: Int, d: Int, into model: NaiveBayesModel) throws {
        struct Partial { var weights: [Double]; var sums: [Double]; var badRow: Int? }
        let bernoulli = type == "bernoulli"
        let parts = data.mapRanges { range -> Partial in
            var p = Partial(weights: [Double](repeating: 0, count: k), sums: [Double](repeating: 0, count: k * d), badRow: nil)
            p.sums.withUnsafeMutableBufferPointer { sums in
                for i in range {
                    let c = Int(classOf[i]), w = data.weights[i]
                    p.weights[c] += w
                    let base = c * d
                    var bad = false
                    data.forEachActive(i) { j, x in
                        if x != 0 && (bernoulli ? x != 1 : !(x > 0)) { bad = true }
                        sums[base + j] += w * x
                    }
                    if bad && p.badRow == nil { p.badRow = i }
                }
            }
            return p
        }
        if let row = parts.compactMap(\.badRow).min() {
            let v = NaiveBayesModel.rowVector(data, row)
            throw MLError.invalidData(uid, bernoulli ? "Bernoulli naive Bayes requires 0 or 1 feature values but found \(v)."
                                                     : "Naive Bayes requires nonnegative feature values but found \(v).")
        }
        var weights = [Double](repeating: 0, count: k), sums = [Double](repeating: 0, count: k * d)
        for p in parts {
            for c in 0..<k { weights[c] += p.weights[c] }
            for t in 0..<(k * d) { sums[t] += p.sums[t] }
        }
        if let c = weights.firstIndex(where: { !($0 > 0) }) {
            throw MLError.invalidData(uid, "class \(c) has a total weight of 0 (Nothing has been added to this summarizer.)")
        }
        if type == "complement" {
            var total = [Double](repeating: 0, count: d)
            for c in 0..<k { for j in 0..<d { total[j] += sums[c * d + j] } }
            for c in 0..<k { for j in 0..<d { sums[c * d + j] = total[j] - sums[c * d + j] } }
        }
        let lambda = try value(smoothing)
        let numDocuments = weights.reduce(0, +)
        let piLogDenom = Foundation.log(numDocuments + Double(k) * lambda)
        var pi = [Double](repeating: 0, count: k), theta = [Double](repeating: 0, count: k * d)
        for c in 0..<k {
            pi[c] = Foundation.log(weights[c] + lambda) - piLogDenom
            let thetaLogDenom: Double
            if bernoulli {
                thetaLogDenom = Foundation.log(weights[c] + 2.0 * lambda)
            } else {
                var s = 0.0
                for j in 0..<d { s += sums[c * d + j] }
                thetaLogDenom = Foundation.log(s + Double(d) * lambda)
            }
            for j in 0..<d {
                let t = Foundation.log(sums[c * d + j] + lambda) - thetaLogDenom
                theta[c * d + j] = type == "complement" ? -t : t
            }
        }
        model.setState(pi: pi, theta: theta, sigma: [], numClasses: k, numFeatures: d)
    }

    /// Per class: weight sum, weighted means and variances, with Spark's variance
    /// smoothing (1e-9 times the largest overall feature variance).
    func fitGaussian(_ data: Instances, classOf: [Int32], k: Int, d: Int, into model: NaiveBayesModel) throws {
        struct Partial { var weights: [Double]; var sums: [Double]; var squares: [Double] }
        let parts = data.mapRanges { range -> Partial in
            var p = Partial(weights: [Double](repeating: 0, count: k), sums: [Double](repeating: 0, count: k * d),
                            squares: [Double](repeating: 0, count: k * d))
            p.sums.withUnsafeMutableBufferPointer { sums in
                p.squares.withUnsafeMutableBufferPointer { squares in
                    for i in range {
                        let c = Int(classOf[i]), w = data.weights[i]
                        p.weights[c] += w
                        let base = c * d
                        data.forEachActive(i) { j, x in
                            sums[base + j] += w * x
                            squares[base + j] += w * x * x
                        }
                    }
                }
            }
            return p
        }
        var weights = [Double](repeating: 0, count: k), sums = [Double](repeating: 0, count: k * d), squares = sums
        for p in parts {
            for c in 0..<k { weights[c] += p.weights[c] }
            for t in 0..<(k * d) { sums[t] += p.sums[t]; squares[t] += p.squares[t] }
        }
        if let c = weights.firstIndex(where: { !($0 > 0) }) {
            throw MLError.invalidData(uid, "class \(c) has a total weight of 0 (Nothing has been added to this summarizer.)")
        }
        let numInstances = weights.reduce(0, +)
        var means = [Double](repeating: 0, count: k * d)
        for c in 0..<k { for j in 0..<d { means[c * d + j] = sums[c * d + j] / weights[c] } }
        var maxVariance = -Double.infinity
        for j in 0..<d {
            var globalSum = 0.0, globalSqrSum = 0.0
            for c in 0..<k {
                globalSum += means[c * d + j] * weights[c]
                globalSqrSum += squares[c * d + j]
            }
            maxVariance = max(maxVariance, globalSqrSum / numInstances - globalSum * globalSum / numInstances / numInstances)
        }
        let epsilon = d == 0 ? 0 : maxVariance * 1e-9
        var pi = [Double](repeating: 0, count: k), sigma = [Double](repeating: 0, count: k * d)
        let logN = Foundation.log(numInstances)
        for c in 0..<k {
            pi[c] = Foundation.log(weights[c]) - logN
            for j in 0..<d {
                let m = means[c * d + j]
                sigma[c * d + j] = epsilon + squares[c * d + j] / weights[c] - m * m
            }
        }
        model.setState(pi: pi, theta: means, sigma: sigma, numClasses: k, numFeatures: d)
    }
}

/// A fitted naive Bayes model (Spark's `NaiveBayesModel`): `pi` (log class priors),
/// `theta` (numClasses × numFeatures: log conditional probabilities, negated for
/// complement, or means for gaussian) and `sigma` (variances, gaussian only).
public final class NaiveBayesModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()
    public let weightCol = SharedParams.weightCol()
    public let smoothing = NaiveBayesParams.smoothing()
    public let modelType = NaiveBayesParams.modelType()

    /// Log class priors.
    public private(set) var pi: [Double] = []
    /// Row-major numClasses × numFeatures.
    public private(set) var thetaValues: [Double] = []
    /// Row-major numClasses × numFeatures (gaussian), else empty.
    public private(set) var sigmaValues: [Double] = []
    public private(set) var numClasses = 0
    public private(set) var numFeatures = 0

    public required init(uid: String) { super.init(uid: uid) }

    /// `theta` as rows (one per class).
    public var theta: [[Double]] { NaiveBayesModel.rows(thetaValues, numFeatures) }
    /// `sigma` as rows (one per class; empty unless gaussian).
    public var sigma: [[Double]] { NaiveBayesModel.rows(sigmaValues, numFeatures) }

    static func rows(_ m: [Double], _ d: Int) -> [[Double]] {
        guard d > 0, !m.isEmpty else { return [] }
        return stride(from: 0, to: m.count, by: d).map { Array(m[$0..<min(m.count, $0 + d)]) }
    }

    func setState(pi: [Double], theta: [Double], sigma: [Double], numClasses: Int, numFeatures: Int) {
        self.pi = pi
        self.thetaValues = theta
        self.sigmaValues = sigma
        self.numClasses = numClasses
        self.numFeatures = numFeatures
    }

    public override func copyState(from other: Params) {
        guard let o = other as? NaiveBayesModel else { return }
        setState(pi: o.pi, theta: o.thetaValues, sigma: o.sigmaValues, numClasses: o.numClasses, numFeatures: o.numFeatures)
        parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        return try ProbabilisticOutputs.transformSchema(schema, featuresCol: try value(featuresCol), rawPredictionCol: try value(rawPredictionCol),
                                                        probabilityCol: try value(probabilityCol), predictionCol: try value(predictionCol), stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        return try outputs().apply(to: df)
    }

    /// Row `i` of `data` as a Vector (for error messages).
    static func rowVector(_ data: Instances, _ i: Int) -> Vector {
        if let m = data.dense { return Vectors.dense(Array(m[(i * data.numFeatures)..<((i + 1) * data.numFeatures)])) }
        let r = data.offsets[i]..<data.offsets[i + 1]
        return .sparse(SparseVector(unchecked: data.numFeatures, indices: data.indices[r].map { Int($0) }, values: Array(data.values[r])))
    }

    /// The raw-prediction function of the model type, as Spark's `predictRaw`.
    func outputs() throws -> ProbabilisticOutputs {
        let type = try value(modelType)
        let k = numClasses, d = numFeatures, pi = self.pi, theta = thetaValues, sigma = sigmaValues, stage = uid
        guard pi.count == k, theta.count == k * d, type != "gaussian" || sigma.count == k * d else {
            throw MLError.invalidData(uid, "the model's pi, theta and sigma do not match \(k) classes and \(d) features")
        }
        let raw: (VectorColumnReader, Int, UnsafeMutableBufferPointer<Double>) throws -> Void
        func bad(_ r: VectorColumnReader, _ row: Int, bernoulli: Bool) -> EmberError {
            let v = r.vector(row).map { "\($0)" } ?? "null"
            return MLError.invalidData(stage, bernoulli ? "Bernoulli naive Bayes requires 0 or 1 feature values but found \(v)."
                                                        : "Naive Bayes requires nonnegative feature values but found \(v).")
        }
        switch type {
        case "multinomial":
            raw = { r, row, out in
                var ok = true
                for c in 0..<k { out[c] = 0 }
                r.forEachActive(row) { j, x in
                    if x != 0 && !(x > 0) { ok = false }
                    for c in 0..<k { out[c] += theta[c * d + j] * x }
                }
                guard ok else { throw bad(r, row, bernoulli: false) }
                for c in 0..<k { out[c] += pi[c] }
            }
        case "complement":
            raw = { r, row, out in
                var ok = true
                for c in 0..<k { out[c] = 0 }
                r.forEachActive(row) { j, x in
                    if x != 0 && !(x > 0) { ok = false }
                    for c in 0..<k { out[c] += theta[c * d + j] * x }
                }
                guard ok else { throw bad(r, row, bernoulli: false) }
                var m = -Double.infinity
                for c in 0..<k where out[c] > m { m = out[c] }
                var sumExp = 0.0
                for c in 0..<k { sumExp += Foundation.exp(out[c] - m) }
                let logSumExp = Foundation.log(sumExp) + m
                for c in 0..<k { out[c] -= logSumExp }
            }
        case "bernoulli":
            let negTheta = theta.map { Foundation.log1p(-Foundation.exp($0)) }
            let thetaMinusNegTheta = zip(theta, negTheta).map { $0 - $1 }
            var negThetaSum = [Double](repeating: 0, count: k)
            for c in 0..<k { for j in 0..<d { negThetaSum[c] += negTheta[c * d + j] } }
            raw = { r, row, out in
                var ok = true
                for c in 0..<k { out[c] = 0 }
                r.forEachActive(row) { j, x in
                    if x != 0 && x != 1 { ok = false }
                    for c in 0..<k { out[c] += thetaMinusNegTheta[c * d + j] * x }
                }
                guard ok else { throw bad(r, row, bernoulli: true) }
                for c in 0..<k { out[c] = out[c] + pi[c] + negThetaSum[c] }
            }
        case "gaussian":
            var logVarSum = [Double](repeating: 0, count: k)
            for c in 0..<k { for j in 0..<d { logVarSum[c] += Foundation.log(sigma[c * d + j]) } }
            raw = { r, row, out in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { x in
                    r.copyDense(row, into: x)
                    for c in 0..<k {
                        var s = 0.0
                        for j in 0..<d {
                            let diff = x[j] - theta[c * d + j]
                            s += diff * diff / sigma[c * d + j]
                        }
                        out[c] = pi[c] - (s + logVarSum[c]) / 2
                    }
                }
            }
        default:
            throw MLError.invalidParam(uid, "modelType", "given invalid value \(type)")
        }
        return ProbabilisticOutputs(stage: uid, numClasses: k, numFeatures: d, featuresCol: try value(featuresCol),
                                    rawPredictionCol: try value(rawPredictionCol), probabilityCol: try value(probabilityCol),
                                    predictionCol: try value(predictionCol), thresholds: get(thresholds), raw: raw)
    }

    /// Writes `data/` as one Parquet row: pi (vector), theta and sigma (row-major dense
    /// vectors), numClasses, numFeatures.
    public override func saveData(to dir: String, session: Session) throws {
        let schema = Schema([StructField("pi", .vector), StructField("theta", .vector), StructField("sigma", .vector),
                             StructField("numClasses", .int), StructField("numFeatures", .int)])
        let row: [Value] = [Vectors.dense(pi).value, Vectors.dense(thetaValues).value, Vectors.dense(sigmaValues).value,
                            .int(Int32(numClasses)), .int(Int32(numFeatures))]
        try session.createDataFrame([row], schema: schema).write.parquet(dir + "/data")
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let rows = try session.read.parquet(dir + "/data").select("pi", "theta", "sigma", "numClasses", "numFeatures").collect()
        guard rows.count == 1, case .int(let k) = rows[0].values[3], case .int(let d) = rows[0].values[4], k >= 0, d >= 0 else {
            throw MLError.invalidModelDirectory(dir, "data/ must hold one row with numClasses and numFeatures")
        }
        let pi = try Vector(value: rows[0].values[0]).toArray()
        let theta = try Vector(value: rows[0].values[1]).toArray()
        let sigma = try Vector(value: rows[0].values[2]).toArray()
        guard pi.count == Int(k), theta.count == Int(k) * Int(d), sigma.isEmpty || sigma.count == Int(k) * Int(d) else {
            throw MLError.invalidModelDirectory(dir, "pi, theta or sigma does not match \(k) classes and \(d) features")
        }
        setState(pi: pi, theta: theta, sigma: sigma, numClasses: Int(k), numFeatures: Int(d))
    }
}
