import Ember
import EmberCore
import Foundation

/// xgboost.spark's `SparkXGBRegressor` (tree_method hist): reg:squarederror (default),
/// reg:logistic (labels in [0, 1]) or count:poisson (labels ≥ 0).
public final class XGBoostRegressor: XGBoostEstimatorBase {
    public required init(uid: String) { super.init(uid: uid) }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try checkInputColumns(schema)
        let o = try value(objective)
        guard ["reg:squarederror", "reg:logistic", "count:poisson"].contains(o) else {
            throw MLError.invalidParam(uid, "objective", "given invalid value \(o): a regressor takes reg:squarederror, reg:logistic or count:poisson")
        }
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> XGBoostRegressionModel {
        _ = try transformSchema(try df.schema())
        let booster = try trainBooster(df) { c, data in
            for (i, y) in data.labels.enumerated() {
                if c.objective == "reg:logistic" && !(y >= 0 && y <= 1) {
                    throw MLError.invalidData(uid, "reg:logistic needs labels in [0, 1], got \(y) (row \(i))")
                }
                if c.objective == "count:poisson" && !(y >= 0) {
                    throw MLError.invalidData(uid, "count:poisson needs non-negative labels, got \(y) (row \(i))")
                }
            }
            return 1
        }
        return makeModel(XGBoostRegressionModel.self, booster)
    }
}

/// xgboost.spark's `SparkXGBRegressorModel`: the prediction is the transformed margin.
public final class XGBoostRegressionModel: XGBoostModelBase {
    public required init(uid: String) { super.init(uid: uid) }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        try SchemaUtils.checkVector(schema, try value(featuresCol), stage: uid)
        return try SchemaUtils.appendColumn(schema, try value(predictionCol), .double, nullable: false, stage: uid)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let objective = booster.objective
        let f = udf("xgb_prediction", returnType: .double, nullable: false) { [self] cols, _ in
            var (n, m) = try margins(cols[0])
            m.withUnsafeMutableBufferPointer { XGBoostObjective.transform(objective, k: 1, $0) }
            let preds = [Double](unsafeUninitializedCapacity: n) { buf, count in
                for i in 0..<n { buf[i] = Double(m[i]) }
                count = n
            }
            return ColumnData(type: .double, count: n, validity: nil, storage: .f64(preds))
        }
        return df.withColumn(try value(predictionCol), f(col(try value(featuresCol))))
    }
}
