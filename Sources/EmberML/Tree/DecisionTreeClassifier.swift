import Ember
import EmberCore
import Foundation

/// A decision tree classifier (Spark's `org.apache.spark.ml.classification.DecisionTreeClassifier`):
/// one tree grown as Spark's `RandomForest.run` with all features and all rows.
public final class DecisionTreeClassifier: TreeClassifierBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let impurity = TreeParams.classifierImpurity()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.decisionTreeClassifierSeed)
    }

    /// A decision tree classifier with Spark's keyword params (nil leaves the default).
    public convenience init(featuresCol: String? = nil, labelCol: String? = nil, maxDepth: Int? = nil, maxBins: Int? = nil,
                            minInstancesPerNode: Int? = nil, minInfoGain: Double? = nil, impurity: String? = nil, seed: Int? = nil,
                            weightCol: String? = nil) {
        self.init()
        if let v = featuresCol { set(self.featuresCol, v) }
        if let v = labelCol { set(self.labelCol, v) }
        if let v = maxDepth { set(self.maxDepth, v) }
        if let v = maxBins { set(self.maxBins, v) }
        if let v = minInstancesPerNode { set(self.minInstancesPerNode, v) }
        if let v = minInfoGain { set(self.minInfoGain, v) }
        if let v = impurity { set(self.impurity, v) }
        if let v = seed { set(self.seed, v) }
        if let v = weightCol { set(self.weightCol, v) }
    }

    public override func fit(_ df: DataFrame) throws -> DecisionTreeClassificationModel {
        _ = try transformSchema(try df.schema())
        let data = try instances(df)
        let (k, classes) = try TreeTraining.classIndices(data.labels, stage: uid, labelCol: try value(labelCol))
        let binned = try self.binned(data, numClasses: k)
        let s = try strategy(binned, numClasses: k, impurity: .named(try value(impurity)), numFeaturesPerNode: data.numFeatures)
        let trees = TreeTraining.forest(binned, classes: classes, labels: [], strategy: s, numTrees: 1, subsamplingRate: 1, bootstrap: false, seed: try value(seed))
        return makeModel(DecisionTreeClassificationModel.self, trees: trees, weights: [1.0], numFeatures: data.numFeatures, numClasses: k)
    }
}

/// A fitted decision tree classifier (Spark's `DecisionTreeClassificationModel`): raw
/// predictions are the leaf's class weights, probabilities those normalized.
public final class DecisionTreeClassificationModel: TreeClassificationModelBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let impurity = TreeParams.classifierImpurity()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.decisionTreeClassifierSeed)
    }

    override var kind: TreeModelKind { .decisionTreeClassifier }

    /// The tree.
    public var tree: DecisionTree { trees.first ?? DecisionTree(nodes: []) }
    public var numNodes: Int { tree.numNodes }
    public var depth: Int { tree.depth }
}
