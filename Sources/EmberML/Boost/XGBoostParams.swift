import Ember
import EmberCore
import Foundation

/// The params of xgboost.spark's estimators and models, under XGBoost's native names and
/// their scikit-learn aliases (`eta`/`learning_rate`, `num_round`/`n_estimators`,
/// `gamma`/`min_split_loss`, `lambda`/`reg_lambda`, `alpha`/`reg_alpha`). Both names of a
/// pair are declared; `XGBoostConfig` uses whichever is set, the native name winning when
/// both are.
enum XGBoostParamDecls {
    static let objectives = ["binary:logistic", "reg:squarederror", "reg:logistic", "multi:softprob", "count:poisson"]
    static let metrics = ["logloss", "auc", "rmse", "error", "mlogloss", "merror", "poisson-nloglik"]

    static func eta(_ name: String) -> Param<Double> {
        Param(name, "Step size shrinkage used in update to prevent overfitting (alias: \(name == "eta" ? "learning_rate" : "eta")), range [0, 1]",
              default: 0.3, .inRange(0, 1))
    }
    static func numRound(_ name: String) -> Param<Int> {
        Param(name, "Number of boosting rounds (alias: \(name == "num_round" ? "n_estimators" : "num_round")), >= 0", default: 100, .gtEq(0))
    }
    static func maxDepth() -> Param<Int> {
        Param("max_depth", "Maximum depth of a tree; 0 means no limit (lossguide only)", default: 6, .gtEq(0))
    }
    static func maxLeaves() -> Param<Int> {
        Param("max_leaves", "Maximum number of leaves of a tree; 0 means no limit", default: 0, .gtEq(0))
    }
    static func growPolicy() -> Param<String> {
        Param("grow_policy", "How new nodes are added: depthwise (split the nodes closest to the root) or lossguide (split the node with the highest loss change)",
              default: "depthwise", ParamValidator("must be one of [depthwise, lossguide]") { ["depthwise", "lossguide"].contains($0) })
    }
    static func minChildWeight() -> Param<Double> {
        Param("min_child_weight", "Minimum sum of instance weight (hessian) needed in a child", default: 1, .gtEq(0))
    }
    static func gamma(_ name: String) -> Param<Double> {
        Param(name, "Minimum loss reduction required to make a further partition on a leaf node (alias: \(name == "gamma" ? "min_split_loss" : "gamma"))",
              default: 0, .gtEq(0))
    }
    static func lambda(_ name: String) -> Param<Double> {
        Param(name, "L2 regularization term on weights (alias: \(name == "lambda" ? "reg_lambda" : "lambda"))", default: 1, .gtEq(0))
    }
    static func alpha(_ name: String) -> Param<Double> {
        Param(name, "L1 regularization term on weights (alias: \(name == "alpha" ? "reg_alpha" : "alpha"))", default: 0, .gtEq(0))
    }
    static func subsample() -> Param<Double> {
        Param("subsample", "Subsample ratio of the training instances, range (0, 1]", default: 1, .inRange(0, 1, lowerInclusive: false))
    }
    static func colsample(_ what: String) -> Param<Double> {
        Param("colsample_" + what, "Subsample ratio of columns for each \(what.dropFirst(2)), range (0, 1]", default: 1,
              .inRange(0, 1, lowerInclusive: false))
    }
    static func maxBin() -> Param<Int> {
        Param("max_bin", "Maximum number of discrete bins to bucket continuous features (hist), >= 2", default: 256, .inRange(2, 65535))
    }
    static func scalePosWeight() -> Param<Double> {
        Param("scale_pos_weight", "Control the balance of positive and negative weights (binary:logistic)", default: 1, .gt(0))
    }
    static func baseScore() -> Param<Double> {
        Param("base_score", "The initial prediction score of all instances (global bias); when unset it is estimated from the labels as XGBoost 3 does")
    }
    static func objective(_ d: String) -> Param<String> {
        Param("objective", "Learning objective: one of [\(objectives.joined(separator: ", "))]", default: d,
              ParamValidator("must be one of [\(objectives.joined(separator: ", "))]") { objectives.contains($0) })
    }
    static func numClass() -> Param<Int> { Param("num_class", "Number of classes (multi:softprob)", .gtEq(2)) }
    static func seed() -> Param<Int> { Param("seed", "Random number seed (subsample, colsample_*)", default: 0) }
    static func missing() -> Param<Double> {
        Param("missing", "The value in features that means missing (NaN is always missing); with NaN an explicit 0 (or an entry absent from a sparse vector) is a value",
              default: .nan)
    }
    static func evalMetric() -> Param<String> {
        Param("eval_metric", "Evaluation metric for the validation data (default: the objective's): one of [\(metrics.joined(separator: ", "))]",
              ParamValidator("must be one of [\(metrics.joined(separator: ", "))]") { metrics.contains($0) })
    }
    static func earlyStoppingRounds() -> Param<Int> {
        Param("early_stopping_rounds", "Stop when the validation metric has not improved for this many rounds (needs validationIndicatorCol)", .gtEq(1))
    }
    static func treeMethod() -> Param<String> {
        Param("tree_method", "The tree construction algorithm; only hist is implemented", default: "hist",
              ParamValidator("must be one of [hist, auto]") { ["hist", "auto"].contains($0) })
    }
    static func validationIndicatorCol() -> Param<String> {
        Param("validationIndicatorCol", "name of the boolean column that marks the rows of the validation set (true) used for eval_metric and early stopping")
    }
}

/// The XGBoost params every xgboost.spark stage declares (reflection finds them through
/// the subclass chain: declare them once per base class).
protocol XGBoostParamsHolder: Params {
    var eta: Param<Double> { get }
    var learningRate: Param<Double> { get }
    var numRound: Param<Int> { get }
    var nEstimators: Param<Int> { get }
    var maxDepth: Param<Int> { get }
    var maxLeaves: Param<Int> { get }
    var growPolicy: Param<String> { get }
    var minChildWeight: Param<Double> { get }
    var gamma: Param<Double> { get }
    var minSplitLoss: Param<Double> { get }
    var lambda: Param<Double> { get }
    var regLambda: Param<Double> { get }
    var alpha: Param<Double> { get }
    var regAlpha: Param<Double> { get }
    var subsample: Param<Double> { get }
    var colsampleBytree: Param<Double> { get }
    var colsampleBylevel: Param<Double> { get }
    var colsampleBynode: Param<Double> { get }
    var maxBin: Param<Int> { get }
    var scalePosWeight: Param<Double> { get }
    var baseScore: Param<Double> { get }
    var objective: Param<String> { get }
    var numClass: Param<Int> { get }
    var seed: Param<Int> { get }
    var missing: Param<Double> { get }
    var evalMetric: Param<String> { get }
    var earlyStoppingRounds: Param<Int> { get }
    var treeMethod: Param<String> { get }
    var featuresCol: Param<String> { get }
    var labelCol: Param<String> { get }
    var weightCol: Param<String> { get }
    var predictionCol: Param<String> { get }
    var validationIndicatorCol: Param<String> { get }
}

extension XGBoostParamsHolder {
    /// The value of a param pair: the native name if set, else the alias if set, else the default.
    func resolved<T>(_ native: Param<T>, _ alias: Param<T>) throws -> T {
        if isSet(native.name) { return try value(native) }
        if isSet(alias.name) { return try value(alias) }
        return try value(native)
    }

    /// The training configuration these params describe.
    func config() throws -> XGBoostConfig {
        try validateParams()
        var c = XGBoostConfig()
        c.eta = Float(try resolved(eta, learningRate))
        c.numRound = try resolved(numRound, nEstimators)
        c.maxDepth = try value(maxDepth)
        c.maxLeaves = try value(maxLeaves)
        c.lossguide = try value(growPolicy) == "lossguide"
        c.minChildWeight = Float(try value(minChildWeight))
        c.gamma = Float(try resolved(gamma, minSplitLoss))
        c.lambda = Float(try resolved(lambda, regLambda))
        c.alpha = Float(try resolved(alpha, regAlpha))
        c.subsample = try value(subsample)
        c.colsampleBytree = try value(colsampleBytree)
        c.colsampleBylevel = try value(colsampleBylevel)
        c.colsampleBynode = try value(colsampleBynode)
        c.maxBin = try value(maxBin)
        c.scalePosWeight = Float(try value(scalePosWeight))
        c.baseScore = get(baseScore)
        c.objective = try value(objective)
        c.numClass = get(numClass)
        c.seed = UInt64(bitPattern: Int64(try value(seed)))
        c.missing = Float(try value(missing))
        c.evalMetric = get(evalMetric)
        c.earlyStoppingRounds = get(earlyStoppingRounds)
        if !c.lossguide && c.maxDepth == 0 {
            throw MLError.invalidParam(uid, "max_depth", "given invalid value 0: 0 (no limit) needs grow_policy lossguide")
        }
        if let b = c.baseScore, !b.isFinite {
            throw MLError.invalidParam(uid, "base_score", "given invalid value \(b): must be finite")
        }
        if let b = c.baseScore, c.objective == "binary:logistic" || c.objective == "reg:logistic", !(b > 0 && b < 1) {
            throw MLError.invalidParam(uid, "base_score", "given invalid value \(b): must be in (0, 1) for \(c.objective)")
        }
        if let b = c.baseScore, c.objective == "count:poisson", !(b > 0) {
            throw MLError.invalidParam(uid, "base_score", "given invalid value \(b): must be > 0 for count:poisson")
        }
        return c
    }
}

/// Resolved training settings (single precision where XGBoost keeps them in float).
struct XGBoostConfig {
    var eta: Float = 0.3
    var numRound = 100
    var maxDepth = 6
    var maxLeaves = 0
    var lossguide = false
    var minChildWeight: Float = 1
    var gamma: Float = 0
    var lambda: Float = 1
    var alpha: Float = 0
    var subsample = 1.0
    var colsampleBytree = 1.0
    var colsampleBylevel = 1.0
    var colsampleBynode = 1.0
    var maxBin = 256
    var scalePosWeight: Float = 1
    var baseScore: Double? = nil
    var objective = "reg:squarederror"
    var numClass: Int? = nil
    var seed: UInt64 = 0
    var missing: Float = .nan
    var evalMetric: String? = nil
    var earlyStoppingRounds: Int? = nil
}
