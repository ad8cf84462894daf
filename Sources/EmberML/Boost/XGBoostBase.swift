import Ember
import EmberCore
import Foundation

/// What xgboost.spark's estimators share: every XGBoost param (both names of each alias
/// pair), the column params and the fitting of a booster.
open class XGBoostEstimatorBase: Estimator, XGBoostParamsHolder {
    public override class var sparkPackage: String { "xgboost.spark" }

    public let eta = XGBoostParamDecls.eta("eta")
    public let learningRate = XGBoostParamDecls.eta("learning_rate")
    public let numRound = XGBoostParamDecls.numRound("num_round")
    public let nEstimators = XGBoostParamDecls.numRound("n_estimators")
    public let maxDepth = XGBoostParamDecls.maxDepth()
    public let maxLeaves = XGBoostParamDecls.maxLeaves()
    public let growPolicy = XGBoostParamDecls.growPolicy()
    public let minChildWeight = XGBoostParamDecls.minChildWeight()
    public let gamma = XGBoostParamDecls.gamma("gamma")
    public let minSplitLoss = XGBoostParamDecls.gamma("min_split_loss")
    public let lambda = XGBoostParamDecls.lambda("lambda")
    public let regLambda = XGBoostParamDecls.lambda("reg_lambda")
    public let alpha = XGBoostParamDecls.alpha("alpha")
    public let regAlpha = XGBoostParamDecls.alpha("reg_alpha")
    public let subsample = XGBoostParamDecls.subsample()
    public let colsampleBytree = XGBoostParamDecls.colsample("bytree")
    public let colsampleBylevel = XGBoostParamDecls.colsample("bylevel")
    public let colsampleBynode = XGBoostParamDecls.colsample("bynode")
    public let maxBin = XGBoostParamDecls.maxBin()
    public let scalePosWeight = XGBoostParamDecls.scalePosWeight()
    public let baseScore = XGBoostParamDecls.baseScore()
    public let numClass = XGBoostParamDecls.numClass()
    public let seed = XGBoostParamDecls.seed()
    public let missing = XGBoostParamDecls.missing()
    public let evalMetric = XGBoostParamDecls.evalMetric()
    public let earlyStoppingRounds = XGBoostParamDecls.earlyStoppingRounds()
    public let treeMethod = XGBoostParamDecls.treeMethod()
    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let weightCol = SharedParams.weightCol()
    public let predictionCol = SharedParams.predictionCol()
    public let validationIndicatorCol = XGBoostParamDecls.validationIndicatorCol()
    public let objective: Param<String>
    /// The default `objective` of the subclass.
    open class var defaultObjective: String { "reg:squarederror" }

    public required init(uid: String) {
        objective = XGBoostParamDecls.objective(Self.defaultObjective)
        super.init(uid: uid)
    }

    /// Checks params and the label, weight and validation columns.
    func checkInputColumns(_ schema: Schema) throws {
        _ = try config()
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
        if let v = get(validationIndicatorCol), !v.isEmpty { try SchemaUtils.checkColumnType(schema, v, [.boolean], stage: uid) }
    }

    /// Loads the rows and trains with `config` (adjusted by the subclass).
    func trainBooster(_ df: DataFrame, _ adjust: (inout XGBoostConfig, XGBoostMatrix) throws -> Int) throws -> XGBoostBooster {
        var c = try config()
        let (train, valid) = try XGBoostMatrix.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: get(weightCol),
                                                    validationCol: get(validationIndicatorCol), missing: c.missing, stage: uid)
        guard train.count > 0 else { throw MLError.invalidData(uid, "the training dataset is empty") }
        let groups = try adjust(&c, train)
        if let v = valid, v.count > 0, v.numFeatures != train.numFeatures {
            throw MLError.invalidData(uid, "validation rows have \(v.numFeatures) features, training rows \(train.numFeatures)")
        }
        return try XGBoostTrainer.train(train, valid: valid, config: c, groups: groups, stage: uid)
    }

    /// A fitted model of type `M` with this estimator's params and `booster`.
    func makeModel<M: XGBoostModelBase>(_ type: M.Type, _ booster: XGBoostBooster) -> M {
        let m = M(uid: uid)
        copyValues(to: m)
        m.parentUID = uid
        m.booster = booster
        return m
    }
}

/// What xgboost.spark's models share: the params, the booster (trees as arrays, persisted as
/// Parquet under `data/`), margins over a features column, importances and the JSON dump.
open class XGBoostModelBase: Model, XGBoostParamsHolder {
    public override class var sparkPackage: String { "xgboost.spark" }

    public let eta = XGBoostParamDecls.eta("eta")
    public let learningRate = XGBoostParamDecls.eta("learning_rate")
    public let numRound = XGBoostParamDecls.numRound("num_round")
    public let nEstimators = XGBoostParamDecls.numRound("n_estimators")
    public let maxDepth = XGBoostParamDecls.maxDepth()
    public let maxLeaves = XGBoostParamDecls.maxLeaves()
    public let growPolicy = XGBoostParamDecls.growPolicy()
    public let minChildWeight = XGBoostParamDecls.minChildWeight()
    public let gamma = XGBoostParamDecls.gamma("gamma")
    public let minSplitLoss = XGBoostParamDecls.gamma("min_split_loss")
    public let lambda = XGBoostParamDecls.lambda("lambda")
    public let regLambda = XGBoostParamDecls.lambda("reg_lambda")
    public let alpha = XGBoostParamDecls.alpha("alpha")
    public let regAlpha = XGBoostParamDecls.alpha("reg_alpha")
    public let subsample = XGBoostParamDecls.subsample()
    public let colsampleBytree = XGBoostParamDecls.colsample("bytree")
    public let colsampleBylevel = XGBoostParamDecls.colsample("bylevel")
    public let colsampleBynode = XGBoostParamDecls.colsample("bynode")
    public let maxBin = XGBoostParamDecls.maxBin()
    public let scalePosWeight = XGBoostParamDecls.scalePosWeight()
    public let baseScore = XGBoostParamDecls.baseScore()
    public let numClass = XGBoostParamDecls.numClass()
    public let seed = XGBoostParamDecls.seed()
    public let missing = XGBoostParamDecls.missing()
    public let evalMetric = XGBoostParamDecls.evalMetric()
    public let earlyStoppingRounds = XGBoostParamDecls.earlyStoppingRounds()
    public let treeMethod = XGBoostParamDecls.treeMethod()
    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let weightCol = SharedParams.weightCol()
    public let predictionCol = SharedParams.predictionCol()
    public let validationIndicatorCol = XGBoostParamDecls.validationIndicatorCol()
    public let objective: Param<String>
    /// The default `objective` of the subclass.
    open class var defaultObjective: String { "reg:squarederror" }

    /// The trained ensemble.
    public internal(set) var booster = XGBoostBooster(objective: "reg:squarederror", numFeatures: 0, groups: 1, baseMargins: [0], trees: [], bestIteration: nil)

    public required init(uid: String) {
        objective = XGBoostParamDecls.objective(Self.defaultObjective)
        super.init(uid: uid)
    }

    public var numFeatures: Int { booster.numFeatures }
    /// The best round after early stopping (xgboost's `best_iteration`), else nil.
    public var bestIteration: Int? { booster.bestIteration }

    public override func copyState(from other: Params) {
        guard let o = other as? XGBoostModelBase else { return }
        booster = o.booster
        parentUID = o.parentUID
    }

    /// xgboost's `Booster.get_score(importance_type=)`: weight, gain, cover, total_gain or
    /// total_cover per used feature (`f<index>`).
    public func getFeatureScore(_ importanceType: String = "weight") throws -> [String: Double] {
        guard let s = booster.featureScore(importanceType) else {
            throw MLError.invalidParam(uid, "importance_type", "given invalid value \(importanceType): must be one of [weight, gain, cover, total_gain, total_cover]")
        }
        return s
    }

    /// xgboost's `Booster.get_dump(dump_format="json", with_stats=)`: one JSON text per tree.
    public func dumpModel(withStats: Bool = false) -> [String] {
        booster.trees.map { $0.dumpJSON(withStats: withStats) }
    }

    /// Margins (`rows × groups`) of a features column batch.
    func margins(_ c: ColumnData) throws -> (Int, [Float]) {
        let r = try VectorColumnReader(c, what: uid)
        let n = r.count, d = booster.numFeatures, k = booster.groups
        let flat = booster.flatten(), base = booster.baseMargins
        let miss = Float(try value(missing))
        var out = [Float](repeating: 0, count: n * k)
        let stage = uid
        let errors: [Error?] = out.withUnsafeMutableBufferPointer { o in
            guard let ob = o.baseAddress else { return [] }
            return Parallel.mapRanges(n, parts: n >= 8192 ? ProcessInfo.processInfo.activeProcessorCount : 1) { range -> Error? in
                var x = [Float](repeating: 0, count: 256 * max(d, 1))
                var start = range.lowerBound
                do {
                    while start < range.upperBound {
                        let end = min(range.upperBound, start + 256)
                        try x.withUnsafeMutableBufferPointer { xb in
                            guard let xp = xb.baseAddress else { return }
                            try XGBoostMatrix.densify(r, rows: start..<end, d: d, missing: miss, into: xp, stage: stage)
                            XGBoostBooster.predictMargins(flat, groups: k, base: base, d: d, x: xp, rows: end - start, out: ob + start * k)
                        }
                        start = end
                    }
                } catch { return error }
                return nil
            }
        }
        if let e = errors.compactMap({ $0 }).first { throw e }
        return (n, out)
    }

    /// Writes `data/trees` (one row per tree: node arrays as vectors) and `data/meta`
    /// (objective, features, groups, intercept margins, best iteration).
    public override func saveData(to dir: String, session: Session) throws {
        let treeSchema = Schema([StructField("tree", .int), StructField("left", .vector), StructField("right", .vector), StructField("feature", .vector),
                                 StructField("threshold", .vector), StructField("defaultLeft", .vector), StructField("value", .vector),
                                 StructField("gain", .vector), StructField("cover", .vector)])
        let rows: [[Value]] = booster.trees.enumerated().map { i, t in
            [.int(Int32(i)), Vectors.dense(t.left.map(Double.init)).value, Vectors.dense(t.right.map(Double.init)).value,
             Vectors.dense(t.feature.map(Double.init)).value, Vectors.dense(t.threshold.map(Double.init)).value,
             Vectors.dense(t.defaultLeft.map { $0 ? 1 : 0 }).value, Vectors.dense(t.value.map(Double.init)).value,
             Vectors.dense(t.gain.map(Double.init)).value, Vectors.dense(t.cover.map(Double.init)).value]
        }
        try session.createDataFrame(rows, schema: treeSchema).write.parquet(dir + "/data/trees")
        let metaSchema = Schema([StructField("objective", .string), StructField("numFeatures", .int), StructField("groups", .int),
                                 StructField("baseMargins", .vector), StructField("bestIteration", .int), StructField("numTrees", .int)])
        let meta: [Value] = [.string(booster.objective), .int(Int32(booster.numFeatures)), .int(Int32(booster.groups)),
                             Vectors.dense(booster.baseMargins.map(Double.init)).value,
                             booster.bestIteration.map { .int(Int32($0)) } ?? .null, .int(Int32(booster.trees.count))]
        try session.createDataFrame([meta], schema: metaSchema).write.parquet(dir + "/data/meta")
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let meta = try session.read.parquet(dir + "/data/meta").collect()
        guard meta.count == 1, case .string(let objective) = meta[0].values[0], case .int(let d) = meta[0].values[1],
              case .int(let k) = meta[0].values[2], case .int(let numTrees) = meta[0].values[5], d >= 0, k >= 1, numTrees >= 0 else {
            throw MLError.invalidModelDirectory(dir, "data/meta must hold one row with objective, numFeatures, groups and numTrees")
        }
        let base = try Vector(value: meta[0].values[3]).toArray().map { Float($0) }
        var best: Int? = nil
        if case .int(let b) = meta[0].values[4] { best = Int(b) }
        guard base.count == Int(k) else { throw MLError.invalidModelDirectory(dir, "baseMargins has \(base.count) values for \(k) groups") }
        let rows = try session.read.parquet(dir + "/data/trees").collect()
        guard rows.count == Int(numTrees) else { throw MLError.invalidModelDirectory(dir, "data/trees has \(rows.count) rows, expected \(numTrees)") }
        var trees = [XGBoostTree?](repeating: nil, count: Int(numTrees))
        for row in rows {
            guard row.values.count == 9, case .int(let ti) = row.values[0], ti >= 0, Int(ti) < trees.count else {
                throw MLError.invalidModelDirectory(dir, "bad tree row in data/trees")
            }
            let a = try (1...8).map { try Vector(value: row.values[$0]).toArray() }
            let m = a[0].count
            guard m > 0, a.allSatisfy({ $0.count == m }) else { throw MLError.invalidModelDirectory(dir, "tree \(ti) has node arrays of different sizes") }
            var t = XGBoostTree()
            t.left = a[0].map { Int32(clamping: Int($0.isFinite ? $0 : -1)) }
            t.right = a[1].map { Int32(clamping: Int($0.isFinite ? $0 : -1)) }
            t.feature = a[2].map { Int32(clamping: Int($0.isFinite ? $0 : 0)) }
            t.threshold = a[3].map { Float($0) }
            t.defaultLeft = a[4].map { $0 != 0 }
            t.value = a[5].map { Float($0) }
            t.gain = a[6].map { Float($0) }
            t.cover = a[7].map { Float($0) }
            // Children must point forward inside the tree and features inside the vector, so
            // inference can neither loop nor read out of bounds.
            for i in 0..<m where t.left[i] >= 0 {
                guard Int(t.left[i]) > i, Int(t.left[i]) < m, Int(t.right[i]) > i, Int(t.right[i]) < m, t.feature[i] >= 0, Int(t.feature[i]) < Int(d) else {
                    throw MLError.invalidModelDirectory(dir, "tree \(ti) node \(i) has invalid children or feature")
                }
            }
            trees[Int(ti)] = t
        }
        booster = XGBoostBooster(objective: objective, numFeatures: Int(d), groups: Int(k), baseMargins: base, trees: trees.compactMap { $0 }, bestIteration: best)
        guard booster.trees.count == Int(numTrees) else { throw MLError.invalidModelDirectory(dir, "data/trees misses trees") }
    }
}
