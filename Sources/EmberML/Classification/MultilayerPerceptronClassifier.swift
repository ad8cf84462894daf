import Ember
import EmberCore
import Foundation

/// The params of `MultilayerPerceptronClassifier` and its model beyond the shared ones (Spark 4.1).
enum MLPParams {
    static func layers() -> Param<[Int]> {
        Param("layers", "Sizes of layers from input layer to output layer E.g., Array(780, 100, 10) means 780 inputs, one hidden layer with 100 neurons and output layer of 10 neurons.",
              ParamValidator("must have at least 2 layers, each of size > 0") { $0.count > 1 && $0.allSatisfy { $0 > 0 } })
    }
    static func blockSize() -> Param<Int> {
        Param("blockSize", "block size for stacking input data in matrices. Data is stacked within partitions. If block size is more than remaining data in a partition then it is adjusted to the size of this data.",
              default: 128, .gt(0))
    }
    static func solver() -> Param<String> {
        Param("solver", "The solver algorithm for optimization. Supported options: l-bfgs, gd.", default: "l-bfgs", .oneOf(["l-bfgs", "gd"]))
    }
    static func initialWeights() -> Param<[Double]> { Param("initialWeights", "The initial weights of the model.") }
    static func stepSize() -> Param<Double> {
        Param("stepSize", "Step size to be used for each iteration of optimization (> 0)", default: 0.03, .gt(0))
    }
    /// Spark's default seed: the Java hash code of the class name.
    static let defaultSeed = -763_139_545
}

/// A multilayer perceptron classifier (Spark's
/// `org.apache.spark.ml.classification.MultilayerPerceptronClassifier`): sigmoid hidden layers,
/// a softmax output layer and cross-entropy loss, trained on the mean over stacked blocks of
/// `blockSize` rows by L-BFGS (Breeze's, as Spark's `mllib` LBFGS) or by gradient descent
/// with a constant step (Spark's `ANNUpdater`).
public final class MultilayerPerceptronClassifier: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()
    public let layers = MLPParams.layers()
    public let blockSize = MLPParams.blockSize()
    public let solver = MLPParams.solver()
    public let maxIter = SharedParams.maxIter(100)
    public let tol = SharedParams.tol()
    public let stepSize = MLPParams.stepSize()
    public let seed = SharedParams.seed(MLPParams.defaultSeed)
    public let initialWeights = MLPParams.initialWeights()

    public required init(uid: String) {
        super.init(uid: uid)
    }

    /// An MLP classifier with Spark's keyword params (nil leaves the default).
    public convenience init(featuresCol: String? = nil, labelCol: String? = nil, predictionCol: String? = nil, maxIter: Int? = nil,
                            tol: Double? = nil, seed: Int? = nil, layers: [Int]? = nil, blockSize: Int? = nil, stepSize: Double? = nil,
                            solver: String? = nil, initialWeights: [Double]? = nil, probabilityCol: String? = nil, rawPredictionCol: String? = nil) {
        self.init()
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = predictionCol { set(self.predictionCol, v) }
        if let v = maxIter { set(self.maxIter, v) }
        if let v = tol { set(self.tol, v) }
        if let v = seed { set(self.seed, v) }
        if let v = layers { set(self.layers, v) }
        if let v = blockSize { set(self.blockSize, v) }
        if let v = stepSize { set(self.stepSize, v) }
        if let v = solver { set(self.solver, v) }
        if let v = initialWeights { set(self.initialWeights, v) }
        if let v = probabilityCol { set(self.probabilityCol, v) }
        if let v = rawPredictionCol { set(self.rawPredictionCol, v) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        guard get(layers) != nil else { throw MLError.invalidParam(uid, "layers", "must be set") }
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        return try LogisticRegressionModel.outputSchema(schema, self, raw: try value(rawPredictionCol), probability: try value(probabilityCol),
                                                        prediction: try value(predictionCol), stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> MultilayerPerceptronClassificationModel {
        _ = try transformSchema(try df.schema())
        let sizes = try value(layers)
        let network = PerceptronNetwork(layers: sizes)
        let data = try Instances.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: nil, stage: uid)
        guard data.count > 0 else { throw MLError.invalidData(uid, "the training data set is empty") }
        try data.checkIndices(stage: uid)
        guard data.numFeatures == sizes[0] else {
            throw MLError.invalidParam(uid, "layers", "has input size \(sizes[0]) but the features vectors have size \(data.numFeatures)")
        }
        let k = sizes[sizes.count - 1]
        for i in 0..<data.count {
            let y = data.labels[i]
            guard y >= 0, y == y.rounded(), y < Double(k) else {
                throw MLError.invalidData(uid, "label \(y) at row \(i) is not a class index in [0, \(k)) (the output layer has \(k) neurons)")
            }
        }
        let x0: [Double]
        if let w = get(initialWeights) {
            guard w.count == network.numWeights else {
                throw MLError.invalidParam(uid, "initialWeights", "has \(w.count) weights but layers \(sizes) need \(network.numWeights)")
            }
            x0 = w
        } else {
            x0 = network.randomWeights(seed: try value(seed))
        }
        let loss = PerceptronLoss(network: network, data: data, blockSize: try value(blockSize))
        let f: DiffFunction = { x, g in loss.evaluate(x, &g) }
        let weights: [Double], history: [Double]
        if try value(solver) == "gd" {
            (weights, history) = try MultilayerPerceptronClassifier.gradientDescent(f, x0, maxIter: try value(maxIter), tol: try value(tol),
                                                                                   stepSize: try value(stepSize))
        } else {
            let r = try LBFGS(maxIter: try value(maxIter), m: 10, tol: try value(tol)).minimize(f, x0)
            (weights, history) = (r.x, r.objectiveHistory)
        }
        guard weights.allSatisfy(\.isFinite) else { throw MLError.invalidData(uid, "training diverged (non-finite weights)") }
        let model = MultilayerPerceptronClassificationModel(uid: uid)
        copyValues(to: model)
        model.parentUID = uid
        model.weightValues = weights
        model.objectiveHistory = history
        return model
    }

    /// Spark's `GradientDescent` with the full batch and `ANNUpdater` (w ← w − step·∇f);
    /// stops when ‖Δw‖ < tol·max(‖w‖, 1). Returns the weights and the loss before each step
    /// and at the end.
    static func gradientDescent(_ f: DiffFunction, _ x0: [Double], maxIter: Int, tol: Double, stepSize: Double) throws -> ([Double], [Double]) {
        var w = x0
        var history: [Double] = []
        var g = [Double](repeating: 0, count: w.count)
        var iter = 1
        while iter <= maxIter {
            for i in 0..<g.count { g[i] = 0 }
            history.append(try f(w, &g))
            let prev = w
            BLAS.axpy(-stepSize, g, &w)
            var diff = 0.0, norm = 0.0
            for i in 0..<w.count { diff += (prev[i] - w[i]) * (prev[i] - w[i]); norm += w[i] * w[i] }
            if diff.squareRoot() < tol * max(norm.squareRoot(), 1) { break }
            iter += 1
        }
        // Spark's MLP summary also records the loss at the final weights.
        for i in 0..<g.count { g[i] = 0 }
        history.append(try f(w, &g))
        return (w, history)
    }
}

/// A fitted multilayer perceptron (Spark's `MultilayerPerceptronClassificationModel`):
/// rawPrediction is the last affine layer's output, probability its softmax, prediction the
/// most probable class (or the largest p/t with `thresholds`).
public final class MultilayerPerceptronClassificationModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()
    public let layers = MLPParams.layers()
    public let blockSize = MLPParams.blockSize()
    public let solver = MLPParams.solver()
    public let maxIter = SharedParams.maxIter(100)
    public let tol = SharedParams.tol()
    public let stepSize = MLPParams.stepSize()
    public let seed = SharedParams.seed(MLPParams.defaultSeed)
    public let initialWeights = MLPParams.initialWeights()

    var weightValues: [Double] = []
    var objectiveHistory: [Double]? = nil

    /// All weights, in Spark's layout.
    public var weights: Vector { Vectors.dense(weightValues) }
    public var numFeatures: Int { self.get(layers)?.first ?? 0 }
    public var numClasses: Int { self.get(layers)?.last ?? 0 }
    public var hasSummary: Bool { objectiveHistory != nil }

    /// The loss at the start and after each iteration (Spark's summary `objectiveHistory`).
    public var summaryObjectiveHistory: [Double] {
        get throws {
            guard let h = objectiveHistory else {
                throw EmberError.unsupported("No training summary available for this MultilayerPerceptronClassificationModel")
            }
            return h
        }
    }

    public override func copyState(from other: Params) {
        guard let o = other as? MultilayerPerceptronClassificationModel else { return }
        weightValues = o.weightValues
        objectiveHistory = o.objectiveHistory
        parentUID = o.parentUID
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        guard let sizes = get(layers), PerceptronNetwork.numWeights(sizes) == weightValues.count else {
            throw MLError.invalidParam(uid, "layers", "does not match the model's \(weightValues.count) weights")
        }
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try LogisticRegressionModel.outputSchema(schema, self, raw: try value(rawPredictionCol), probability: try value(probabilityCol),
                                                        prediction: try value(predictionCol), stage: uid)
    }

    /// n × numClasses raw outputs (the last affine layer) of a vector column.
    func rawOutputs(_ column: ColumnData, _ n: Int, _ network: PerceptronNetwork) throws -> [Double] {
        let r = try VectorColumnReader(column, what: uid)
        let d = network.layers[0], k = network.layers[network.layers.count - 1]
        var out = [Double](repeating: 0, count: n * k)
        let s = PerceptronNetwork.Scratch(network.layers)
        try weightValues.withUnsafeBufferPointer { w in
            for i in 0..<n {
                if r.isNull(i) { throw MLError.invalidData(uid, "the features vector is NULL") }
                if r.size(i) != d { throw MLError.invalidData(uid, "a features vector has size \(r.size(i)) but the model expects \(d) features") }
                let a0 = s.activations[0]
                for j in 0..<d { a0[j] = 0 }
                var bad = -1
                r.forEachActive(i) { j, x in if j >= 0 && j < d { a0[j] = x } else { bad = j } }
                if bad >= 0 { throw MLError.invalidData(uid, "a sparse features vector has index \(bad), out of range for \(d) features") }
                network.forward(w, s, softmax: false)
                let z = s.activations[network.layers.count - 1]
                for c in 0..<k { out[i * k + c] = z[c] }
            }
        }
        return out
    }

    static func probabilities(_ raw: [Double], _ n: Int, _ k: Int) -> [Double] {
        var p = raw
        p.withUnsafeMutableBufferPointer { pv in
            for i in 0..<n {
                guard let base = pv.baseAddress else { return }
                PerceptronNetwork.softmaxInPlace(UnsafeMutableBufferPointer(start: base + i * k, count: k), k)
            }
        }
        return p
    }

    func decision() throws -> LogisticRegressionModel.Decision {
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
        let network = PerceptronNetwork(layers: try value(layers))
        let k = numClasses
        let decision = try decision()
        var out = df
        let features = col(try value(featuresCol))
        if let name = get(rawPredictionCol), !name.isEmpty {
            let f = udf("mlp_raw", returnType: .vector, nullable: false) { [self] cols, n in
                VectorColumnBuilder.dense(try rawOutputs(cols[0], n, network), dim: k, count: n)
            }
            out = out.withColumn(name, f(features))
        }
        if let name = get(probabilityCol), !name.isEmpty {
            let f = udf("mlp_probability", returnType: .vector, nullable: false) { [self] cols, n in
                VectorColumnBuilder.dense(Self.probabilities(try rawOutputs(cols[0], n, network), n, k), dim: k, count: n)
            }
            out = out.withColumn(name, f(features))
        }
        if let name = get(predictionCol), !name.isEmpty {
            let f = udf("mlp_prediction", returnType: .double, nullable: false) { [self] cols, n in
                let p = Self.probabilities(try rawOutputs(cols[0], n, network), n, k)
                return ColumnData(type: .double, count: n, validity: nil, storage: .f64(Scorer.predictions(p, n, k, decision)))
            }
            out = out.withColumn(name, f(features))
        }
        return out
    }

    public override func saveData(to dir: String, session: Session) throws {
        try ModelData.save([ModelData.array(weightValues)], schema: "weights ARRAY<DOUBLE>", dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let r = try ModelData.load(dir: dir, session: session)
        weightValues = try ModelData.doubles(r, "weights", dir)
        guard let sizes = get(layers), sizes.count > 1, PerceptronNetwork.numWeights(sizes) == weightValues.count else {
            throw MLError.invalidModelDirectory(dir, "the layers param does not match the \(weightValues.count) saved weights")
        }
    }
}
