import Ember
import EmberCore
import Foundation

/// Gradient-boosted tree classifier (Spark's `org.apache.spark.ml.classification.GBTClassifier`):
/// binary labels mapped to ±1, logistic loss, regression trees on the gradients.
public final class GBTClassifier: TreeClassifierBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let impurity = TreeParams.regressorImpurity()
    public let maxIter = SharedParams.maxIter(20)
    public let stepSize = TreeParams.stepSize()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("all")
    public let lossType = TreeParams.classifierLossType()
    public let validationIndicatorCol = TreeParams.validationIndicatorCol()
    public let validationTol = TreeParams.validationTol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.gbtClassifierSeed)
    }

    public override func fit(_ df: DataFrame) throws -> GBTClassificationModel {
        _ = try transformSchema(try df.schema())
        let (train, validation) = try GBTBoosting.split(self, df, indicator: get(validationIndicatorCol))
        func remap(_ data: Instances) throws -> [Double] {
            try data.labels.enumerated().map { i, y in
                guard y == 0 || y == 1 else {
                    throw MLError.invalidData(uid, "GBTClassifier was given dataset with invalid label \(NumberFormat.javaDouble(y)) (row \(i)).  Labels must be in {0,1}; note that GBTClassifier currently only supports binary classification.")
                }
                return 2 * y - 1
            }
        }
        let labels = try remap(train)
        let v = try validation.map { ($0, try remap($0)) }
        let (trees, weights) = try GBTBoosting.boost(self, train: train, labels: labels, validation: v, loss: .logistic, maxIter: try value(maxIter),
                                                     stepSize: try value(stepSize), subsamplingRate: try value(subsamplingRate),
                                                     featureSubsetStrategy: try value(featureSubsetStrategy), validationTol: try value(validationTol),
                                                     seed: try value(seed))
        return makeModel(GBTClassificationModel.self, trees: trees, weights: weights, numFeatures: train.numFeatures, numClasses: 2)
    }
}

/// A fitted GBT classifier (Spark's `GBTClassificationModel`): raw prediction [-m, m] for
/// the margin m = Σ weight × tree; probability of class 1 is 1 / (1 + exp(-2m)).
public final class GBTClassificationModel: TreeClassificationModelBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.classification" }

    public let impurity = TreeParams.regressorImpurity()
    public let maxIter = SharedParams.maxIter(20)
    public let stepSize = TreeParams.stepSize()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("all")
    public let lossType = TreeParams.classifierLossType()
    public let validationIndicatorCol = TreeParams.validationIndicatorCol()
    public let validationTol = TreeParams.validationTol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.gbtClassifierSeed)
    }

    override var kind: TreeModelKind { .gbtClassifier }
}

/// Gradient-boosted tree regressor (Spark's `org.apache.spark.ml.regression.GBTRegressor`):
/// squared or absolute loss.
public final class GBTRegressor: TreeEstimatorBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let impurity = TreeParams.regressorImpurity()
    public let maxIter = SharedParams.maxIter(20)
    public let stepSize = TreeParams.stepSize()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("all")
    public let lossType = TreeParams.regressorLossType()
    public let validationIndicatorCol = TreeParams.validationIndicatorCol()
    public let validationTol = TreeParams.validationTol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.gbtRegressorSeed)
    }

    public override func fit(_ df: DataFrame) throws -> GBTRegressionModel {
        _ = try transformSchema(try df.schema())
        let (train, validation) = try GBTBoosting.split(self, df, indicator: get(validationIndicatorCol))
        let loss: GBTLoss = try value(lossType).lowercased() == "absolute" ? .absolute : .squared
        let (trees, weights) = try GBTBoosting.boost(self, train: train, labels: train.labels, validation: validation.map { ($0, $0.labels) },
                                                     loss: loss, maxIter: try value(maxIter), stepSize: try value(stepSize),
                                                     subsamplingRate: try value(subsamplingRate), featureSubsetStrategy: try value(featureSubsetStrategy),
                                                     validationTol: try value(validationTol), seed: try value(seed))
        return makeModel(GBTRegressionModel.self, trees: trees, weights: weights, numFeatures: train.numFeatures, numClasses: 0)
    }
}

/// A fitted GBT regressor (Spark's `GBTRegressionModel`): Σ weight × tree prediction.
public final class GBTRegressionModel: TreeModelBase {
    public override class var sparkPackage: String { "org.apache.spark.ml.regression" }

    public let impurity = TreeParams.regressorImpurity()
    public let maxIter = SharedParams.maxIter(20)
    public let stepSize = TreeParams.stepSize()
    public let subsamplingRate = TreeParams.subsamplingRate()
    public let featureSubsetStrategy = TreeParams.featureSubsetStrategy("all")
    public let lossType = TreeParams.regressorLossType()
    public let validationIndicatorCol = TreeParams.validationIndicatorCol()
    public let validationTol = TreeParams.validationTol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(seed, TreeParams.gbtRegressorSeed)
    }

    override var kind: TreeModelKind { .gbtRegressor }
}
