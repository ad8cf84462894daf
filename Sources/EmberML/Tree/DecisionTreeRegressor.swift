import Ember
import EmberCore
import Foundation

/// A decision tree regressor (Spark's `org.apache.spark.ml.regression.DecisionTreeRegressor`):
/// one tree with variance impurity; leaves predict the weighted mean label.
public final class DecisionTreeRegressor: TreeEstimatorBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let impurity = TreeParams.regressorImpurity()
    public let varianceCol = Param<String>("varianceCol", "Column name for the biased sample variance of prediction.")

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.decisionTreeRegressorSeed)
    }

    /// A decision tree regressor with Spark's keyword params (nil leaves the default).
    public convenience init(featuresCol: String? = nil, labelCol: String? = nil, maxDepth: Int? = nil, maxBins: Int? = nil,
                            minInstancesPerNode: Int? = nil, minInfoGain: Double? = nil, seed: Int? = nil, weightCol: String? = nil) {
        self.init()
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = maxDepth { set(self.maxDepth, v) }
        if let v = maxBins { set(self.maxBins, v) }
        if let v = minInstancesPerNode { set(self.minInstancesPerNode, v) }
        if let v = minInfoGain { set(self.minInfoGain, v) }
        if let v = seed { set(self.seed, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override func fit(_ df: DataFrame) throws -> DecisionTreeRegressionModel {
        _ = try transformSchema(try df.schema())
        if let v = get(varianceCol), !v.isEmpty { throw EmberError.unsupported("\(uid): varianceCol is not supported by Ember yet") }
        let data = try instances(df)
        let binned = try self.binned(data, numClasses: 0)
        let s = try strategy(binned, numClasses: 0, impurity: .variance, numFeaturesPerNode: data.numFeatures)
        let trees = TreeTraining.forest(binned, classes: [], labels: data.labels, strategy: s, numTrees: 1, subsamplingRate: 1, bootstrap: false, seed: try value(seed))
        return makeModel(DecisionTreeRegressionModel.self, trees: trees, weights: [1.0], numFeatures: data.numFeatures, numClasses: 0)
    }
}

/// A fitted decision tree regressor (Spark's `DecisionTreeRegressionModel`).
public final class DecisionTreeRegressionModel: TreeModelBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let impurity = TreeParams.regressorImpurity()
    public let varianceCol = Param<String>("varianceCol", "Column name for the biased sample variance of prediction.")

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.decisionTreeRegressorSeed)
    }

    override var kind: TreeModelKind { .decisionTreeRegressor }

    public var tree: DecisionTree { trees.first ?? DecisionTree(nodes: []) }
    public var numNodes: Int { tree.numNodes }
    public var depth: Int { tree.depth }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        if let v = get(varianceCol), !v.isEmpty { throw EmberError.unsupported("\(uid): varianceCol is not supported by Ember yet") }
        return try regressionTransform(df)
    }
}
