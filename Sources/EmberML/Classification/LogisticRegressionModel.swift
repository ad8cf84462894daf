import Ember
import EmberCore
import Foundation

/// A fitted logistic regression (Spark's `LogisticRegressionModel`). Adds
/// `rawPredictionCol` (margins; [−m, m] for binomial), `probabilityCol` and
/// `predictionCol` (a double class index).
public final class LogisticRegressionModel: Model, LogisticThresholds {
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

    /// Coefficient sets × features (one row for binomial).
    public internal(set) var coefficientMatrix = DenseMatrix.zeros(0, 0)
    /// One intercept per coefficient set.
    public internal(set) var interceptVector: [Double] = []
    public internal(set) var numClasses = 2
    public internal(set) var numFeatures = 0
    public internal(set) var isMultinomial = false
    var trainingSummary: LogisticRegressionTrainingSummary? = nil

    /// The binomial coefficients (Spark throws for a multinomial model).
    public var coefficients: Vector {
        get throws {
            guard !isMultinomial else {
                throw MLError.invalidParam(uid, "family", "is multinomial: use coefficientMatrix for a multinomial model")
            }
            return Vectors.dense(coefficientMatrix.row(0))
        }
    }

    /// The binomial intercept.
    public var intercept: Double {
        get throws {
            guard !isMultinomial else {
                throw MLError.invalidParam(uid, "family", "is multinomial: use interceptVector for a multinomial model")
            }
            return interceptVector.first ?? 0
        }
    }

    /// Whether the model came from `fit` (loaded models have no summary, as in Spark).
    public var hasSummary: Bool { trainingSummary != nil }

    /// The training summary; throws for a loaded model.
    public var summary: LogisticRegressionTrainingSummary {
        get throws {
            guard let s = trainingSummary else { throw EmberError.unsupported("No training summary available for this LogisticRegressionModel") }
            return s
        }
    }

    public override func copyState(from other: Params) {
        guard let o = other as? LogisticRegressionModel else { return }
        coefficientMatrix = o.coefficientMatrix
        interceptVector = o.interceptVector
        numClasses = o.numClasses
        numFeatures = o.numFeatures
        isMultinomial = o.isMultinomial
        trainingSummary = o.trainingSummary
        parentUID = o.parentUID
    }

    static func outputSchema(_ schema: Schema, _ stage: Params, raw: String, probability: String, prediction: String, stage uid: String) throws -> Schema {
        var s = schema
        if !raw.isEmpty { s = try SchemaUtils.appendColumn(s, raw, .vector, nullable: false, stage: uid) }
        if !probability.isEmpty { s = try SchemaUtils.appendColumn(s, probability, .vector, nullable: false, stage: uid) }
        if !prediction.isEmpty { s = try SchemaUtils.appendColumn(s, prediction, .double, nullable: false, stage: uid) }
        return s
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try LogisticRegressionModel.outputSchema(schema, self, raw: try value(rawPredictionCol), probability: try value(probabilityCol),
                                                        prediction: try value(predictionCol), stage: uid)
    }

    /// How predictions are made from probabilities.
    enum Decision {
        case binary(Double)         // predict 1 when p₁ > threshold
        case argmax
        case scaled([Double])       // argmax of p/t
    }

    func decision() throws -> Decision {
        if !isMultinomial { return .binary(try binaryThreshold()) }
        if isSet(thresholds.name), let ts = get(thresholds) {
            guard ts.count == numClasses else {
                throw MLError.invalidParam(uid, "thresholds", "has length \(ts.count), which does not match the number of classes \(numClasses)")
            }
            return .scaled(ts)
        }
        return .argmax
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let decision = try decision()
        let scorer = Scorer(coefficients: coefficientMatrix.columnMajor.transpose.columnMajor.values, intercepts: interceptVector,
                            numFeatures: numFeatures, sets: coefficientMatrix.numRows, multinomial: isMultinomial, stage: uid)
        var out = df
        let features = col(try value(featuresCol))
        let k = numClasses
        if let name = get(rawPredictionCol), !name.isEmpty {
            let f = udf("lr_raw", returnType: .vector, nullable: false) { cols, n in
                let m = try scorer.margins(cols[0], n)
                return VectorColumnBuilder.dense(scorer.rawPredictions(m, n), dim: k, count: n)
            }
            out = out.withColumn(name, f(features))
        }
        if let name = get(probabilityCol), !name.isEmpty {
            let f = udf("lr_probability", returnType: .vector, nullable: false) { cols, n in
                let m = try scorer.margins(cols[0], n)
                return VectorColumnBuilder.dense(scorer.probabilities(m, n), dim: k, count: n)
            }
            out = out.withColumn(name, f(features))
        }
        if let name = get(predictionCol), !name.isEmpty {
            let f = udf("lr_prediction", returnType: .double, nullable: false) { cols, n in
                let p = scorer.probabilities(try scorer.margins(cols[0], n), n)
                let preds = Scorer.predictions(p, n, k, decision)
                return ColumnData(type: .double, count: n, validity: nil, storage: .f64(preds))
            }
            out = out.withColumn(name, f(features))
        }
        return out
    }

    /// Predicts one feature vector: (rawPrediction, probability, prediction).
    public func predict(_ features: Vector) throws -> (raw: Vector, probability: Vector, prediction: Double) {
        let col = VectorColumnBuilder.make([features])
        let scorer = Scorer(coefficients: coefficientMatrix.columnMajor.transpose.columnMajor.values, intercepts: interceptVector,
                            numFeatures: numFeatures, sets: coefficientMatrix.numRows, multinomial: isMultinomial, stage: uid)
        let m = try scorer.margins(col, 1)
        let p = scorer.probabilities(m, 1)
        return (Vectors.dense(scorer.rawPredictions(m, 1)), Vectors.dense(p), Scorer.predictions(p, 1, numClasses, try decision())[0])
    }

    public override func saveData(to dir: String, session: Session) throws {
        try ModelData.save([.int(Int32(numClasses)), .int(Int32(numFeatures)), ModelData.array(interceptVector),
                            .int(Int32(coefficientMatrix.numRows)), ModelData.array(coefficientMatrix.rowArrays.flatMap { $0 }), .boolean(isMultinomial)],
                           schema: "numClasses INT, numFeatures INT, interceptVector ARRAY<DOUBLE>, numCoefficientSets INT, coefficientMatrix ARRAY<DOUBLE>, isMultinomial BOOLEAN",
                           dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let r = try ModelData.load(dir: dir, session: session)
        numClasses = try ModelData.int(r, "numClasses", dir)
        numFeatures = try ModelData.int(r, "numFeatures", dir)
        interceptVector = try ModelData.doubles(r, "interceptVector", dir)
        let sets = try ModelData.int(r, "numCoefficientSets", dir)
        let values = try ModelData.doubles(r, "coefficientMatrix", dir)
        isMultinomial = try ModelData.bool(r, "isMultinomial", dir)
        guard sets >= 1, numFeatures >= 0, values.count == sets * numFeatures, interceptVector.count == sets, numClasses >= 2,
              sets == (isMultinomial ? numClasses : 1) else {
            throw MLError.invalidModelDirectory(dir, "inconsistent coefficient shapes in data/")
        }
        coefficientMatrix = DenseMatrix(unchecked: sets, numFeatures, values, isTransposed: true)
    }
}

/// Computes margins, probabilities and predictions for batches of feature vectors.
struct Scorer {
    /// Column-major features × sets: coefficient (j, k) at k·d + j.
    let coefficients: [Double]
    let intercepts: [Double]
    let numFeatures: Int
    let sets: Int
    let multinomial: Bool
    let stage: String

    /// n × sets margins (row-major).
    func margins(_ column: ColumnData, _ n: Int) throws -> [Double] {
        let r = try VectorColumnReader(column, what: stage)
        let d = numFeatures, k = sets
        var out = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            if r.isNull(i) { throw MLError.invalidData(stage, "the features vector is NULL") }
            if r.size(i) != d { throw MLError.invalidData(stage, "a features vector has size \(r.size(i)) but the model expects \(d) features") }
        }
        try out.withUnsafeMutableBufferPointer { o in
            try coefficients.withUnsafeBufferPointer { c in
                try r.values.withUnsafeBufferPointer { vs in
                    try r.indices.withUnsafeBufferPointer { ix in
                        for i in 0..<n {
                            for cl in 0..<k { o[i * k + cl] = intercepts[cl] }
                            let s = Int(r.valueOffsets[i]), e = Int(r.valueOffsets[i + 1])
                            if r.isDense(i) {
                                for cl in 0..<k {
                                    var m = o[i * k + cl]
                                    let cb = cl * d
                                    for p in s..<e { m += vs[p] * c[cb + p - s] }
                                    o[i * k + cl] = m
                                }
                            } else {
                                let si = Int(r.indexOffsets[i])
                                for p in s..<e {
                                    let j = Int(ix[si + p - s])
                                    guard j >= 0, j < d else { throw MLError.invalidData(stage, "a sparse features vector has index \(j), out of range for \(d) features") }
                                    for cl in 0..<k { o[i * k + cl] += vs[p] * c[cl * d + j] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// n × numClasses raw predictions.
    func rawPredictions(_ m: [Double], _ n: Int) -> [Double] {
        if multinomial { return m }
        var out = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n { out[2 * i] = -m[i]; out[2 * i + 1] = m[i] }
        return out
    }

    /// n × numClasses probabilities.
    func probabilities(_ m: [Double], _ n: Int) -> [Double] {
        if !multinomial {
            var out = [Double](repeating: 0, count: 2 * n)
            for i in 0..<n {
                let p1 = 1 / (1 + exp(-m[i]))
                out[2 * i] = 1 - p1; out[2 * i + 1] = p1
            }
            return out
        }
        let k = sets
        var out = m
        for i in 0..<n {
            var mx = -Double.infinity
            for c in 0..<k where out[i * k + c] > mx { mx = out[i * k + c] }
            var sum = 0.0
            for c in 0..<k { let e = exp(out[i * k + c] - mx); out[i * k + c] = e; sum += e }
            for c in 0..<k { out[i * k + c] /= sum }
        }
        return out
    }

    static func predictions(_ p: [Double], _ n: Int, _ k: Int, _ decision: LogisticRegressionModel.Decision) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            switch decision {
            case .binary(let t): out[i] = p[i * k + 1] > t ? 1 : 0
            case .argmax, .scaled:
                var best = 0, bestV = -Double.infinity
                for c in 0..<k {
                    var v = p[i * k + c]
                    if case .scaled(let ts) = decision { v = ts[c] == 0 ? .infinity : v / ts[c] }
                    if v > bestV { bestV = v; best = c }
                }
                out[i] = Double(best)
            }
        }
        return out
    }
}
