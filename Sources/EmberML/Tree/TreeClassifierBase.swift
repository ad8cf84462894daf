import Ember
import EmberCore
import Foundation

/// What Spark's three tree classifiers add to the tree estimator params
/// (`ProbabilisticClassifierParams`): the raw prediction and probability columns, thresholds.
public class TreeClassifierBase: TreeEstimatorBase {
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()

    public required init(uid: String) { super.init(uid: uid) }

    /// Checks params and columns; the probabilistic output columns of the model.
    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try checkInputColumns(schema)
        return try ProbabilisticOutputs.transformSchema(schema, featuresCol: try value(featuresCol), rawPredictionCol: try value(rawPredictionCol),
                                                        probabilityCol: try value(probabilityCol), predictionCol: try value(predictionCol), stage: uid)
    }
}

/// What Spark's three tree classification models add to `TreeModelBase`: the probabilistic
/// params and outputs (raw prediction, probability, prediction).
public class TreeClassificationModelBase: TreeModelBase {
    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()
    public let thresholds = SharedParams.thresholds()

    public required init(uid: String) { super.init(uid: uid) }

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
