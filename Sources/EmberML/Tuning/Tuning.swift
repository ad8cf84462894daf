import Ember
import EmberCore
import Foundation

/// What CrossValidator and TrainValidationSplit share: the estimator, its param maps, the
/// evaluator, and fitting candidates in parallel.
public protocol ValidatorParams: AnyObject {
    var estimator: Estimator? { get }
    var estimatorParamMaps: [ParamMap] { get }
    var evaluator: Evaluator? { get }
}

enum Tuning {
    /// Fits `est` with each map on `train` (up to `parallelism` at once) and scores each
    /// model on `validation`. Returns the metrics and the models, in map order.
    static func fitAndScore(_ est: Estimator, _ maps: [ParamMap], _ eval: Evaluator, train: DataFrame, validation: DataFrame, parallelism: Int) throws -> ([Double], [Model]) {
        var metrics = [Double](repeating: .nan, count: maps.count)
        var models = [Model?](repeating: nil, count: maps.count)
        var failure: Error? = nil
        let lock = NSLock()
        let run = { (i: Int) in
            do {
                let m = try est.fit(train, maps[i])
                let score = try eval.evaluate(try m.transform(validation))
                lock.lock(); metrics[i] = score; models[i] = m; lock.unlock()
            } catch {
                lock.lock(); if failure == nil { failure = error }; lock.unlock()
            }
        }
        let p = max(1, min(parallelism, maps.count))
        if p == 1 {
            for i in maps.indices { run(i); if failure != nil { break } }
        } else {
            // `p` workers take maps in order.
            var next = 0
            DispatchQueue.concurrentPerform(iterations: p) { _ in
                while true {
                    lock.lock()
                    let i = next
                    next += 1
                    let stop = failure != nil
                    lock.unlock()
                    if i >= maps.count || stop { return }
                    run(i)
                }
            }
        }
        if let e = failure { throw e }
        return (metrics, models.compactMap { $0 })
    }

    static func best(_ metrics: [Double], largerBetter: Bool) -> Int {
        var bi = 0
        for i in metrics.indices.dropFirst() {
            if largerBetter ? metrics[i] > metrics[bi] : metrics[i] < metrics[bi] { bi = i }
        }
        return bi
    }

    static func check(_ v: ValidatorParams, stage: String) throws -> (Estimator, [ParamMap], Evaluator) {
        guard let e = v.estimator else { throw MLError.invalidParam(stage, "estimator", "is not set") }
        guard let ev = v.evaluator else { throw MLError.invalidParam(stage, "evaluator", "is not set") }
        guard !v.estimatorParamMaps.isEmpty else { throw MLError.invalidParam(stage, "estimatorParamMaps", "is empty") }
        return (e, v.estimatorParamMaps, ev)
    }

    // MARK: persistence of the tuner's parts

    static func mapsJSON(_ maps: [ParamMap]) -> [[[String: Any]]] {
        maps.map { m in
            m.values.sorted { ($0.key.parent, $0.key.name) < ($1.key.parent, $1.key.name) }
                .map { ["parent": $0.key.parent, "name": $0.key.name, "value": $0.value.json] }
        }
    }

    /// Reads param maps back, typing each value by the param found in `stages`.
    static func maps(_ json: Any?, stages: [Params], path: String) throws -> [ParamMap] {
        guard let arr = json as? [[[String: Any]]] else { throw MLError.invalidModelDirectory(path, "estimatorParamMaps is missing") }
        var byUID: [String: Params] = [:]
        for s in stages { byUID[s.uid] = s }
        return try arr.map { entries in
            var m = ParamMap()
            for e in entries {
                guard let parent = e["parent"] as? String, let name = e["name"] as? String, let raw = e["value"] else {
                    throw MLError.invalidModelDirectory(path, "a param map entry lacks parent, name or value")
                }
                guard let owner = byUID[parent], let p = owner.declaredParams[name], let v = p.decode(json: raw) else {
                    throw MLError.invalidModelDirectory(path, "param map entry \(parent).\(name) does not match the saved estimator")
                }
                m.values[ParamKey(parent: parent, name: name)] = v
            }
            return m
        }
    }

    /// The estimator and every stage inside it (a pipeline's stages), for typing param maps.
    static func allStages(_ s: PipelineStage) -> [Params] {
        if let p = s as? Pipeline { return [p] + p.stages.flatMap(allStages) }
        if let p = s as? PipelineModel { return [p] + p.stages.flatMap(allStages) }
        return [s]
    }

    static func saveParts(_ parts: [(String, PipelineStage)], in dir: String) throws {
        for (name, stage) in parts {
            let sub = dir + "/" + name
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            try MLWriter.write(stage, into: sub)
        }
    }

    /// Reads the estimator, evaluator and param maps a tuner or tuned model saved.
    static func loadInputs(in dir: String, metadata: MLMetadata) throws -> (Estimator, Evaluator, [ParamMap]) {
        let est = try loadPart("estimator", in: dir, as: Estimator.self)
        let eval = try loadPart("evaluator", in: dir, as: Evaluator.self)
        return (est, eval, try maps(metadata.json["estimatorParamMaps"], stages: allStages(est), path: dir))
    }

    static func loadPart<T>(_ name: String, in dir: String, as: T.Type) throws -> T {
        let s = try MLReader.load(dir + "/" + name)
        guard let t = s as? T else { throw MLError.invalidModelDirectory(dir, "\(name) holds a \(type(of: s).className)") }
        return t
    }
}

/// What both tuners share: the estimator, its param maps and the evaluator, with their
/// copying, schema check and persistence.
open class Tuner: Estimator, ValidatorParams {
    open override class var sparkPackage: String { "org.apache.spark.ml.tuning" }

    public var estimator: Estimator? = nil
    public var estimatorParamMaps: [ParamMap] = []
    public var evaluator: Evaluator? = nil

    public let parallelism = Param<Int>("parallelism", "the number of threads to use when running parallel algorithms", default: 1, .gtEq(1))
    public let collectSubModels = Param<Bool>("collectSubModels", "whether to collect a list of sub-models trained during tuning. If set to false, then only the single best sub-model will be available after fitting. If set to true, then all sub-models will be available. Warning: For large models, collecting all sub-models can cause OOMs on the Spark driver", default: false)

    open override func copyState(from other: Params) {
        guard let o = other as? Tuner else { return }
        estimator = o.estimator?.copy()
        estimatorParamMaps = o.estimatorParamMaps
        evaluator = o.evaluator?.copy()
    }

    open override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let (est, maps, _) = try Tuning.check(self, stage: uid)
        return try est.copy(extra: maps[0]).transformSchema(schema)
    }

    /// Fills the parts every tuned model has.
    func finish(_ model: TunedModel, best: Model, estimator est: Estimator, maps: [ParamMap], evaluator eval: Evaluator) {
        copyValues(to: model)
        model.bestModel = best
        model.estimator = est
        model.estimatorParamMaps = maps
        model.evaluator = eval
        model.parentUID = uid
    }

    open override func saveData(to dir: String, session: Session) throws {
        let (est, _, eval) = try Tuning.check(self, stage: uid)
        try Tuning.saveParts([("estimator", est), ("evaluator", eval)], in: dir)
    }

    open override func extraMetadata() -> [String: Any] { ["estimatorParamMaps": Tuning.mapsJSON(estimatorParamMaps)] }

    open override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let (est, eval, maps) = try Tuning.loadInputs(in: dir, metadata: metadata)
        estimator = est
        evaluator = eval
        estimatorParamMaps = maps
    }
}

/// What both tuned models share: the best model (used by `transform`) and the tuning inputs.
open class TunedModel: Model, ValidatorParams {
    open override class var sparkPackage: String { "org.apache.spark.ml.tuning" }

    public var bestModel: Model? = nil
    public var estimator: Estimator? = nil
    public var estimatorParamMaps: [ParamMap] = []
    public var evaluator: Evaluator? = nil

    public let parallelism = Param<Int>("parallelism", "the number of threads to use when running parallel algorithms", default: 1, .gtEq(1))
    public let collectSubModels = Param<Bool>("collectSubModels", "whether to collect a list of sub-models trained during tuning", default: false)

    open override func copyState(from other: Params) {
        guard let o = other as? TunedModel else { return }
        bestModel = o.bestModel?.copy()
        estimator = o.estimator
        estimatorParamMaps = o.estimatorParamMaps
        evaluator = o.evaluator
        parentUID = o.parentUID
    }

    func fitted() throws -> Model {
        guard let m = bestModel else { throw MLError.invalidParam(uid, "bestModel", "is not fitted") }
        return m
    }

    open override func transformSchema(_ schema: Schema) throws -> Schema { try fitted().transformSchema(schema) }

    open override func transform(_ df: DataFrame) throws -> DataFrame { try fitted().transform(df) }

    open override func saveData(to dir: String, session: Session) throws {
        guard let est = estimator, let ev = evaluator else { throw MLError.invalidParam(uid, "bestModel", "is not fitted") }
        try Tuning.saveParts([("bestModel", try fitted()), ("estimator", est), ("evaluator", ev)], in: dir)
    }

    open override func extraMetadata() -> [String: Any] { ["estimatorParamMaps": Tuning.mapsJSON(estimatorParamMaps)] }

    open override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        bestModel = try Tuning.loadPart("bestModel", in: dir, as: Model.self)
        let (est, eval, maps) = try Tuning.loadInputs(in: dir, metadata: metadata)
        estimator = est
        evaluator = eval
        estimatorParamMaps = maps
    }

    /// Reads a metrics array saved by `extraMetadata`.
    func metrics(_ metadata: MLMetadata, _ key: String, in dir: String) throws -> [Double] {
        guard let v = [Double](json: metadata.json[key] ?? []) else { throw MLError.invalidModelDirectory(dir, "\(key) is malformed") }
        return v
    }
}

/// K-fold cross-validation over a grid of param maps (Spark's `CrossValidator`): each map is
/// fitted on k−1 folds and scored on the rest; the best average wins and is refitted on all
/// the data.
public final class CrossValidator: Tuner {
    public let numFolds = Param<Int>("numFolds", "number of folds for cross validation (>= 2)", default: 3, .gtEq(2))
    public let seed = SharedParams.seed(-1_191_137_437)
    public let foldCol = Param<String>("foldCol", "the column name of user specified fold number. Once this is specified, :py:attr:`numFolds` won't take effect.", default: "")

    public convenience init(estimator: Estimator, estimatorParamMaps: [ParamMap], evaluator: Evaluator, numFolds: Int? = nil, seed: Int? = nil, parallelism: Int? = nil) {
        self.init()
        self.estimator = estimator
        self.estimatorParamMaps = estimatorParamMaps
        self.evaluator = evaluator
        if let n = numFolds { set(self.numFolds, n) }
        if let s = seed { set(self.seed, s) }
        if let p = parallelism { set(self.parallelism, p) }
    }

    public override func fit(_ df: DataFrame) throws -> CrossValidatorModel {
        _ = try transformSchema(try df.schema())
        let (est, maps, eval) = try Tuning.check(self, stage: uid)
        let k = try value(numFolds)
        let fold = try value(foldCol)
        let data = try df.cache()
        var folds: [(DataFrame, DataFrame)] = []
        if fold.isEmpty {
            let parts = try data.randomSplit([Double](repeating: 1, count: k), seed: Int64(try value(seed)))
            for i in 0..<k {
                let rest = parts.enumerated().filter { $0.offset != i }.map(\.element)
                guard let first = rest.first else { continue }
                folds.append((rest.dropFirst().reduce(first) { $0.union($1) }, parts[i]))
            }
        } else {
            try SchemaUtils.checkColumnType(try df.schema(), fold, [.int, .long, .short, .byte], stage: uid, what: "integer")
            let bad = try data.filter(col(fold) < 0 || col(fold) >= k || col(fold).isNull()).count()
            guard bad == 0 else { throw MLError.invalidData(uid, "fold column \(fold) must hold values in [0, \(k)); \(bad) rows do not") }
            for i in 0..<k {
                folds.append((data.filter(col(fold) =!= i), data.filter(col(fold) === i)))
            }
        }
        var sums = [Double](repeating: 0, count: maps.count)
        var squares = [Double](repeating: 0, count: maps.count)
        var sub: [[Model]] = []
        let collect = try value(collectSubModels)
        for (train, validation) in folds {
            let (m, models) = try Tuning.fitAndScore(est, maps, eval, train: try train.cache(), validation: try validation.cache(), parallelism: try value(parallelism))
            for i in m.indices { sums[i] += m[i]; squares[i] += m[i] * m[i] }
            if collect { sub.append(models) }
        }
        let n = Double(folds.count)
        let model = CrossValidatorModel(uid: uid)
        model.avgMetrics = sums.map { $0 / n }
        model.stdMetrics = zip(sums, squares).map { s, q in n > 1 ? max(0, (q - s * s / n) / (n - 1)).squareRoot() : 0 }
        model.subModels = collect ? sub : nil
        let bi = Tuning.best(model.avgMetrics, largerBetter: eval.isLargerBetter)
        finish(model, best: try est.fit(data, maps[bi]), estimator: est, maps: maps, evaluator: eval)
        return model
    }
}

/// The result of cross-validation: the best model and the metrics of every param map
/// (Spark's `CrossValidatorModel`).
public final class CrossValidatorModel: TunedModel {
    public var avgMetrics: [Double] = []
    public var stdMetrics: [Double] = []
    /// Per fold, per param map, when `collectSubModels` was set.
    public var subModels: [[Model]]? = nil

    public let numFolds = Param<Int>("numFolds", "number of folds for cross validation (>= 2)", default: 3, .gtEq(2))
    public let seed = SharedParams.seed(-1_191_137_437)
    public let foldCol = Param<String>("foldCol", "the column name of user specified fold number", default: "")

    public override func copyState(from other: Params) {
        super.copyState(from: other)
        guard let o = other as? CrossValidatorModel else { return }
        avgMetrics = o.avgMetrics
        stdMetrics = o.stdMetrics
        subModels = o.subModels
    }

    public override func extraMetadata() -> [String: Any] {
        super.extraMetadata().merging(["avgMetrics": avgMetrics.map { ParamValue.double($0).json },
                                       "stdMetrics": stdMetrics.map { ParamValue.double($0).json }]) { $1 }
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        try super.loadData(from: dir, metadata: metadata, session: session)
        avgMetrics = try metrics(metadata, "avgMetrics", in: dir)
        stdMetrics = try metrics(metadata, "stdMetrics", in: dir)
    }
}

/// One train/validation split over a grid of param maps (Spark's `TrainValidationSplit`).
public final class TrainValidationSplit: Tuner {
    public let trainRatio = Param<Double>("trainRatio", "ratio between training set and validation set (>= 0 && <= 1)", default: 0.75, .inRange(0, 1))
    public let seed = SharedParams.seed(-1_772_833_110)

    public convenience init(estimator: Estimator, estimatorParamMaps: [ParamMap], evaluator: Evaluator, trainRatio: Double? = nil, seed: Int? = nil, parallelism: Int? = nil) {
        self.init()
        self.estimator = estimator
        self.estimatorParamMaps = estimatorParamMaps
        self.evaluator = evaluator
        if let r = trainRatio { set(self.trainRatio, r) }
        if let s = seed { set(self.seed, s) }
        if let p = parallelism { set(self.parallelism, p) }
    }

    public override func fit(_ df: DataFrame) throws -> TrainValidationSplitModel {
        _ = try transformSchema(try df.schema())
        let (est, maps, eval) = try Tuning.check(self, stage: uid)
        let r = try value(trainRatio)
        let data = try df.cache()
        let parts = try data.randomSplit([r, 1 - r], seed: Int64(try value(seed)))
        let (metrics, models) = try Tuning.fitAndScore(est, maps, eval, train: try parts[0].cache(), validation: try parts[1].cache(), parallelism: try value(parallelism))
        let model = TrainValidationSplitModel(uid: uid)
        model.validationMetrics = metrics
        model.subModels = try value(collectSubModels) ? models : nil
        let bi = Tuning.best(metrics, largerBetter: eval.isLargerBetter)
        finish(model, best: try est.fit(data, maps[bi]), estimator: est, maps: maps, evaluator: eval)
        return model
    }
}

/// The result of a train/validation split (Spark's `TrainValidationSplitModel`).
public final class TrainValidationSplitModel: TunedModel {
    public var validationMetrics: [Double] = []
    public var subModels: [Model]? = nil

    public let trainRatio = Param<Double>("trainRatio", "ratio between training set and validation set (>= 0 && <= 1)", default: 0.75, .inRange(0, 1))
    public let seed = SharedParams.seed(-1_772_833_110)

    public override func copyState(from other: Params) {
        super.copyState(from: other)
        guard let o = other as? TrainValidationSplitModel else { return }
        validationMetrics = o.validationMetrics
        subModels = o.subModels
    }

    public override func extraMetadata() -> [String: Any] {
        super.extraMetadata().merging(["validationMetrics": validationMetrics.map { ParamValue.double($0).json }]) { $1 }
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        try super.loadData(from: dir, metadata: metadata, session: session)
        validationMetrics = try metrics(metadata, "validationMetrics", in: dir)
    }
}
