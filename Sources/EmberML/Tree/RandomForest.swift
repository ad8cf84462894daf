import Ember
import EmberCore
import Foundation

/// A random forest classifier (Spark's `org.apache.spark.ml.classification.RandomForestClassifier`):
/// `numTrees` trees, each on a bootstrap (Poisson) or subsampled bag of rows and trying
/// `featureSubsetStrategy` features per node; trees are grown in parallel.
public final class RandomForestClassifier: TreeClassifierBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let impurity = TreeParams.classifierImpurity()
    public let numTrees = TreeParams.numTrees()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("auto")
    public let bootstrap = TreeParams.bootstrap()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.randomForestClassifierSeed)
    }

    public override func fit(_ df: DataFrame) throws -> RandomForestClassificationModel {
        _ = try transformSchema(try df.schema())
        let data = try instances(df)
        let (k, classes) = try TreeTraining.classIndices(data.labels, stage: uid, labelCol: try value(labelCol))
        let binned = try self.binned(data, numClasses: k)
        let n = try value(numTrees)
        let m = try TreeParams.numFeaturesPerNode(try value(featureSubsetStrategy), numFeatures: data.numFeatures, numTrees: n, classification: true, stage: uid)
        let s = try strategy(binned, numClasses: k, impurity: .named(try value(impurity)), numFeaturesPerNode: m)
        let trees = TreeTraining.forest(binned, classes: classes, labels: [], strategy: s, numTrees: n, subsamplingRate: try value(subsamplingRate),
                                        bootstrap: try value(bootstrap), seed: try value(seed))
        return makeModel(RandomForestClassificationModel.self, trees: trees, weights: [Double](repeating: 1, count: n), numFeatures: data.numFeatures, numClasses: k)
    }
}

/// A fitted random forest classifier (Spark's `RandomForestClassificationModel`): raw
/// predictions sum each tree's leaf class distribution; probabilities normalize them.
public final class RandomForestClassificationModel: TreeClassificationModelBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let impurity = TreeParams.classifierImpurity()
    public let numTrees = TreeParams.numTrees()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("auto")
    public let bootstrap = TreeParams.bootstrap()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.randomForestClassifierSeed)
    }

    override var kind: TreeModelKind { .randomForestClassifier }
}

/// A random forest regressor (Spark's `org.apache.spark.ml.regression.RandomForestRegressor`):
/// the mean of `numTrees` variance trees grown on bags of rows.
public final class RandomForestRegressor: TreeEstimatorBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let impurity = TreeParams.regressorImpurity()
    public let numTrees = TreeParams.numTrees()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("auto")
    public let bootstrap = TreeParams.bootstrap()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.randomForestRegressorSeed)
    }

    public override func fit(_ df: DataFrame) throws -> RandomForestRegressionModel {
        _ = try transformSchema(try df.schema())
        let data = try instances(df)
        let binned = try self.binned(data, numClasses: 0)
        let n = try value(numTrees)
        let m = try TreeParams.numFeaturesPerNode(try value(featureSubsetStrategy), numFeatures: data.numFeatures, numTrees: n, classification: false, stage: uid)
        let s = try strategy(binned, numClasses: 0, impurity: .variance, numFeaturesPerNode: m)
        let trees = TreeTraining.forest(binned, classes: [], labels: data.labels, strategy: s, numTrees: n, subsamplingRate: try value(subsamplingRate),
                                        bootstrap: try value(bootstrap), seed: try value(seed))
        return makeModel(RandomForestRegressionModel.self, trees: trees, weights: [Double](repeating: 1, count: n), numFeatures: data.numFeatures, numClasses: 0)
    }
}

/// A fitted random forest regressor (Spark's `RandomForestRegressionModel`).
public final class RandomForestRegressionModel: TreeModelBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let impurity = TreeParams.regressorImpurity()
    public let numTrees = TreeParams.numTrees()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("auto")
    public let bootstrap = TreeParams.bootstrap()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.randomForestRegressorSeed)
    }

    override var kind: TreeModelKind { .randomForestRegressor }
}
