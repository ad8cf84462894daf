import Foundation

/// The params of Spark's tree estimators and models (`DecisionTreeParams`,
/// `TreeEnsembleParams`, `RandomForestParams`, `GBTParams`), with Spark 4.1's names, docs
/// and defaults.
enum TreeParams {
    static let featureSubsetDoc = "The number of features to consider for splits at each tree node. Supported options: 'auto' (choose automatically for task: If numTrees == 1, set to 'all'. If numTrees > 1 (forest), set to 'sqrt' for classification and to 'onethird' for regression), 'all' (use all features), 'onethird' (use 1/3 of the features), 'sqrt' (use sqrt(number of features)), 'log2' (use log2(number of features)), 'n' (when n is in the range (0, 1.0], use n * number of features. When n is in the range (1, number of features), use n features). default = 'auto'"

    static func maxDepth() -> Param<Int> {
        Param("maxDepth", "Maximum depth of the tree. (>= 0) E.g., depth 0 means 1 leaf node; depth 1 means 1 internal node + 2 leaf nodes. Must be in range [0, 30].",
              default: 5, .inRange(0, 30))
    }
    static func maxBins() -> Param<Int> {
        Param("maxBins", "Max number of bins for discretizing continuous features.  Must be >=2 and >= number of categories for any categorical feature.", default: 32, .gtEq(2))
    }
    static func minInstancesPerNode() -> Param<Int> {
        Param("minInstancesPerNode", "Minimum number of instances each child must have after split. If a split causes the left or right child to have fewer than minInstancesPerNode, the split will be discarded as invalid. Should be >= 1.",
              default: 1, .gtEq(1))
    }
    static func minWeightFractionPerNode() -> Param<Double> {
        Param("minWeightFractionPerNode", "Minimum fraction of the weighted sample count that each child must have after split. If a split causes the fraction of the total weight in the left or right child to be less than minWeightFractionPerNode, the split will be discarded as invalid. Should be in interval [0.0, 0.5).",
              default: 0.0, .inRange(0.0, 0.5, upperInclusive: false))
    }
    static func minInfoGain() -> Param<Double> {
        Param("minInfoGain", "Minimum information gain for a split to be considered at a tree node.", default: 0.0, .gtEq(0.0))
    }
    static func maxMemoryInMB() -> Param<Int> {
        Param("maxMemoryInMB", "Maximum memory in MB allocated to histogram aggregation. If too small, then 1 node will be split per iteration, and its aggregates may exceed this size.",
              default: 256, .gtEq(0))
    }
    static func cacheNodeIds() -> Param<Bool> {
        Param("cacheNodeIds", "If false, the algorithm will pass trees to executors to match instances with nodes. If true, the algorithm will cache node IDs for each instance. Caching can speed up training of deeper trees. Users can set how often should the cache be checkpointed or disable it by setting checkpointInterval.",
              default: false)
    }
    static func checkpointInterval() -> Param<Int> {
        Param("checkpointInterval", "set checkpoint interval (>= 1) or disable checkpoint (-1). E.g. 10 means that the cache will get checkpointed every 10 iterations. Note: this setting will be ignored if the checkpoint directory is not set in the SparkContext.",
              default: 10, ParamValidator("must be -1 or >= 1") { $0 == -1 || $0 >= 1 })
    }
    static func leafCol() -> Param<String> {
        Param("leafCol", "Leaf indices column name. Predicted leaf index of each instance in each tree by preorder.", default: "")
    }
    static func classifierImpurity() -> Param<String> {
        Param("impurity", "Criterion used for information gain calculation (case-insensitive). Supported options: entropy, gini", default: "gini", .oneOf(["entropy", "gini"]))
    }
    static func regressorImpurity() -> Param<String> {
        Param("impurity", "Criterion used for information gain calculation (case-insensitive). Supported options: variance", default: "variance", .oneOf(["variance"]))
    }
    static func numTrees() -> Param<Int> {
        Param("numTrees", "Number of trees to train (at least 1)", default: 20, .gtEq(1))
    }
    static func subsamplingRate() -> Param<Double> {
        Param("subsamplingRate", "Fraction of the training data used for learning each decision tree, in range (0, 1].", default: 1.0,
              .inRange(0, 1, lowerInclusive: false))
    }
    static func bootstrap() -> Param<Bool> {
        Param("bootstrap", "Whether bootstrap samples are used when building trees.", default: true)
    }
    static func featureSubsetStrategy(_ d: String) -> Param<String> {
        Param("featureSubsetStrategy", featureSubsetDoc, default: d,
              ParamValidator("must be auto, all, onethird, sqrt, log2, an integer > 0 or a fraction in (0, 1]") { validStrategy($0) })
    }
    static func stepSize() -> Param<Double> {
        Param("stepSize", "Step size (a.k.a. learning rate) in interval (0, 1] for shrinking the contribution of each estimator.", default: 0.1,
              .inRange(0, 1, lowerInclusive: false))
    }
    static func validationTol() -> Param<Double> {
        Param("validationTol", "Threshold for stopping early when fit with validation is used. If the error rate on the validation input changes by less than the validationTol, then learning will stop early (before `maxIter`). This parameter is ignored when fit without validation is used.",
              default: 0.01, .gtEq(0))
    }
    static func validationIndicatorCol() -> Param<String> {
        Param("validationIndicatorCol", "name of the column that indicates whether each row is for training or for validation. False indicates training; true indicates validation.")
    }
    static func classifierLossType() -> Param<String> {
        Param("lossType", "Loss function which GBT tries to minimize (case-insensitive). Supported options: logistic", default: "logistic", .oneOf(["logistic"]))
    }
    static func regressorLossType() -> Param<String> {
        Param("lossType", "Loss function which GBT tries to minimize (case-insensitive). Supported options: squared, absolute", default: "squared",
              .oneOf(["squared", "absolute"]))
    }

    /// Spark's `TreeEnsembleParams.supportedFeatureSubsetStrategies` plus "n" forms.
    static func validStrategy(_ s: String) -> Bool {
        if ["auto", "all", "onethird", "sqrt", "log2"].contains(s.lowercased()) { return true }
        if let n = Int(s) { return n > 0 }
        if let x = Double(s) { return x > 0 && x <= 1 }
        return false
    }

    /// Scala's default seeds: `getClass.getName.hashCode`.
    static let decisionTreeClassifierSeed = 159_147_643
    static let decisionTreeRegressorSeed = 926_680_331
    static let randomForestClassifierSeed = 207_336_481
    static let randomForestRegressorSeed = 235_498_149
    static let gbtClassifierSeed = -1_287_390_502
    static let gbtRegressorSeed = -131_597_770

    /// The number of features tried at each node (Spark's `DecisionTreeMetadata`).
    static func numFeaturesPerNode(_ strategy: String, numFeatures d: Int, numTrees: Int, classification: Bool, stage: String) throws -> Int {
        var s = strategy.lowercased()
        if s == "auto" { s = numTrees == 1 ? "all" : (classification ? "sqrt" : "onethird") }
        switch s {
        case "all": return d
        case "sqrt": return Int(Foundation.sqrt(Double(d)).rounded(.up))
        case "log2": return max(1, Int((Foundation.log(Double(d)) / Foundation.log(2.0)).rounded(.up)))
        case "onethird": return Int((Double(d) / 3.0).rounded(.up))
        default:
            if let n = Int(s), n > 0 { return min(n, d) }
            if let x = Double(s), x > 0, x <= 1 { return Int((x * Double(d)).rounded(.up)) }
            throw MLError.invalidParam(stage, "featureSubsetStrategy", "given invalid value \(strategy)")
        }
    }
}
