import Ember
import EmberCore
import Foundation

/// The params and training steps shared by Spark's six tree estimators
/// (`DecisionTreeParams` plus the predictor columns). Categorical features come from the
/// features column's ML attributes (StringIndexer/VectorIndexer through VectorAssembler,
/// see `MLAttributes`), and from `categoricalFeatures`, which wins where both say.
public class TreeEstimatorBase: Estimator {
    public let featuresCol = SharedParams.featuresCol()
    public let labelCol = SharedParams.labelCol()
    public let predictionCol = SharedParams.predictionCol()
    public let weightCol = SharedParams.weightCol()
    public let maxDepth = TreeParams.maxDepth()
    public let maxBins = TreeParams.maxBins()
    public let minInstancesPerNode = TreeParams.minInstancesPerNode()
    public let minWeightFractionPerNode = TreeParams.minWeightFractionPerNode()
    public let minInfoGain = TreeParams.minInfoGain()
    /// Accepted for Spark compatibility; histograms are built per node here.
    public let maxMemoryInMB = TreeParams.maxMemoryInMB()
    /// Accepted for Spark compatibility; no effect.
    public let cacheNodeIds = TreeParams.cacheNodeIds()
    /// Accepted for Spark compatibility; no effect.
    public let checkpointInterval = TreeParams.checkpointInterval()
    public let leafCol = TreeParams.leafCol()
    public let seed = SharedParams.seed(0)

    /// Feature index → number of categories (values 0..<k) of categorical features, beyond
    /// what the features column's metadata says.
    public var categoricalFeatures: [Int: Int] = [:]
    /// What the features column of the data being fitted says (set by `instances`).
    var metadataCategorical: [Int: Int] = [:]

    public required init(uid: String) { super.init(uid: uid) }

    /// Checks params and the label and weight columns.
    func checkInputColumns(_ schema: Schema) throws {
        try validateParams()
        try SchemaUtils.checkNumericType(schema, try value(labelCol), stage: uid)
        if let w = get(weightCol), !w.isEmpty { try SchemaUtils.checkNumericType(schema, w, stage: uid) }
    }

    /// Checks params and columns; the output columns of the model (a regressor's double
    /// prediction; `TreeClassifierBase` gives the probabilistic ones).
    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try checkInputColumns(schema)
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
    }

    /// The training rows (non-empty).
    func instances(_ df: DataFrame) throws -> Instances {
        let features = try SchemaUtils.field(try df.schema(), try value(featuresCol), stage: uid)
        metadataCategorical = MLAttributes.categoricalFeatures(features)
        let w = get(weightCol).flatMap { $0.isEmpty ? nil : $0 }
        let data = try Instances.load(df, featuresCol: try value(featuresCol), labelCol: try value(labelCol), weightCol: w, stage: uid)
        guard data.count > 0 else { throw MLError.invalidData(uid, "the training dataset is empty") }
        return data
    }

    func binned(_ data: Instances, numClasses: Int) throws -> BinnedFeatures {
        let categorical = metadataCategorical.merging(categoricalFeatures) { _, explicit in explicit }
        return try BinnedFeatures(data, maxBins: try value(maxBins), numClasses: numClasses, categorical: categorical, seed: try value(seed), stage: uid)
    }

    func strategy(_ data: BinnedFeatures, numClasses: Int, impurity: TreeImpurity, numFeaturesPerNode: Int) throws -> TreeStrategy {
        TreeStrategy(numClasses: numClasses, impurity: impurity, maxDepth: try value(maxDepth), minInstancesPerNode: try value(minInstancesPerNode),
                     minWeightPerNode: try value(minWeightFractionPerNode) * data.weightSum, minInfoGain: try value(minInfoGain),
                     numFeaturesPerNode: max(1, numFeaturesPerNode), parallelRows: true)
    }

    /// A fitted model of type `M` with this estimator's params.
    func makeModel<M: TreeModelBase>(_ type: M.Type, trees: [DecisionTree], weights: [Double], numFeatures: Int, numClasses: Int) -> M {
        let m = M(uid: uid)
        copyValues(to: m)
        m.parentUID = uid
        m.setState(trees: trees, weights: weights, numFeatures: numFeatures, numClasses: numClasses)
        return m
    }
}
