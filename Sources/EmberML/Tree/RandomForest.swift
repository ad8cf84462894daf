import Ember
import EmberCore
import Foundation

/// A random forest classifier (Spark's `org.apache.spark.ml.classification.RandomForestClassifier`):
/// `numTrees` trees, each on a bootstrap (Poisson) or subsampled bag of rows and trying
/// `featureSubsetStrategy` features per node; trees are grown in parallel.
public final class RandomForestClassifier: TreeEstimatorBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()
    public let impurity = TreeParams.classifierImpurity()
    public let numTrees = TreeParams.numTrees()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("auto")
    public let bootstrap = TreeParams.bootstrap()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.randomForestClassifierSeed)
    }

    override var isClassifier: Bool { true }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try checkSchema(schema, rawPredictionCol: try value(rawPredictionCol), probabilityCol: try value(probabilityCol))
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
public final class RandomForestClassificationModel: TreeModelBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()
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

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        return try ProbabilisticOutputs.transformSchema(schema, featuresCol: try value(featuresCol), rawPredictionCol: try value(rawPredictionCol),
                                                        probabilityCol: try value(probabilityCol), predictionCol: try value(predictionCol), stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        return try classifierOutputs(rawPredictionCol: try value(rawPredictionCol), probabilityCol: try value(probabilityCol), thresholds: get(thresholds))
            .apply(to: df)
    }
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

    public override func transformSchema(_ schema: Schema) throws -> Schema { try checkSchema(schema) }

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

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        return try regressionTransform(df)
    }
}
