import Ember
import EmberCore
import Foundation

/// xgboost.spark's `SparkXGBClassifier` (tree_method hist): binary:logistic for labels 0/1,
/// multi:softprob (num_class = max label + 1 unless set) when the labels have more than two
/// classes. Labels must be non-negative integers.
public final class XGBoostClassifier: XGBoostEstimatorBase {
    public override class var defaultObjective: String { "binary:logistic" }

    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()

    public required init(uid: String) { super.init(uid: uid) }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try checkInputColumns(schema)
        let o = try value(objective)
        guard o == "binary:logistic" || o == "multi:softprob" else {
            throw MLError.invalidParam(uid, "objective", "given invalid value \(o): a classifier takes binary:logistic or multi:softprob")
        }
        return try ProbabilisticOutputs.transformSchema(schema, featuresCol: try value(featuresCol), rawPredictionCol: try value(rawPredictionCol),
                                                        probabilityCol: try value(probabilityCol), predictionCol: try value(predictionCol), stage: uid)
    }

    public override func fit(_ df: DataFrame) throws -> XGBoostClassificationModel {
        _ = try transformSchema(try df.schema())
        let objectiveSet = isSet(objective.name)
        let booster = try trainBooster(df) { c, data in
            var maxLabel: Float = 0
            for (i, y) in data.labels.enumerated() {
                guard y >= 0, y == y.rounded(), y < 65536 else {
                    throw MLError.invalidData(uid, "labels must be non-negative integers, got \(y) (row \(i))")
                }
                maxLabel = max(maxLabel, y)
            }
            let classes = max(Int(maxLabel) + 1, c.numClass ?? 2)
            if c.objective == "binary:logistic" && classes > 2 {
                if objectiveSet { throw MLError.invalidData(uid, "binary:logistic needs labels 0 and 1, got label \(Int(maxLabel))") }
                c.objective = "multi:softprob"
            }
            if c.objective == "multi:softprob" {
                if let k = c.numClass, Int(maxLabel) >= k {
                    throw MLError.invalidParam(uid, "num_class", "is \(k) but the labels go up to \(Int(maxLabel))")
                }
                c.numClass = classes
                return classes
            }
            return 1
        }
        return makeModel(XGBoostClassificationModel.self, booster)
    }
}

/// xgboost.spark's `SparkXGBClassifierModel`: rawPrediction is [−margin, margin] (binary) or
/// the class margins, probability [1 − p, p] or the softmax, prediction the most probable class.
public final class XGBoostClassificationModel: XGBoostModelBase {
    public override class var defaultObjective: String { "binary:logistic" }

    public let rawPredictionCol = SharedParams.rawPredictionCol()
    public let probabilityCol = SharedParams.probabilityCol()

    public required init(uid: String) { super.init(uid: uid) }

    /// Number of classes (2 for binary:logistic).
    public var numClasses: Int { booster.groups == 1 ? 2 : booster.groups }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        return try ProbabilisticOutputs.transformSchema(schema, featuresCol: try value(featuresCol), rawPredictionCol: try value(rawPredictionCol),
                                                        probabilityCol: try value(probabilityCol), predictionCol: try value(predictionCol), stage: uid)
    }

    /// Probabilities (`n × numClasses`) from margins.
    func probabilities(_ margins: [Float], n: Int) -> [Float] {
        let k = numClasses
        if booster.groups == 1 {
            var p = [Float](repeating: 0, count: n * 2)
            for i in 0..<n {
                let q = XGBoostObjective.sigmoid(margins[i])
                p[2 * i] = 1 - q; p[2 * i + 1] = q
            }
            return p
        }
        var p = margins
        p.withUnsafeMutableBufferPointer { XGBoostObjective.transform("multi:softprob", k: k, $0) }
        return p
    }

    /// Margins of a raw-prediction column (the second entry for binary).
    func marginsOfRaw(_ c: ColumnData) throws -> (Int, [Float]) {
        let r = try VectorColumnReader(c, what: uid)
        let k = numClasses, g = booster.groups, n = r.count
        var out = [Float](repeating: 0, count: n * g)
        var row = [Double](repeating: 0, count: k)
        row.withUnsafeMutableBufferPointer { buf in
            for i in 0..<n {
                r.copyDense(i, into: buf)
                if g == 1 { out[i] = Float(buf[1]) } else { for c in 0..<k { out[i * k + c] = Float(buf[c]) } }
            }
        }
        return (n, out)
    }

    static func vectors(_ v: [Float], dim: Int, n: Int) -> ColumnData {
        VectorColumnBuilder.dense(v.map(Double.init), dim: dim, count: n)
    }

    static func predictions(_ p: [Float], k: Int, n: Int) -> ColumnData {
        let preds = [Double](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n {
                var best = 0
                for c in 1..<k where p[i * k + c] > p[i * k + best] { best = c }
                buf[i] = Double(best)
            }
            count = n
        }
        return ColumnData(type: .double, count: n, validity: nil, storage: .f64(preds))
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let k = numClasses, binary = booster.groups == 1
        let featuresName = try value(featuresCol), rawName = try value(rawPredictionCol)
        let probName = try value(probabilityCol), predName = try value(predictionCol)
        var out = df
        if !rawName.isEmpty {
            let f = udf("xgb_raw_prediction", returnType: .vector, nullable: false) { [self] cols, _ in
                let (n, m) = try margins(cols[0])
                if !binary { return Self.vectors(m, dim: k, n: n) }
                var raw = [Float](repeating: 0, count: 2 * n)
                for i in 0..<n { raw[2 * i] = -m[i]; raw[2 * i + 1] = m[i] }
                return Self.vectors(raw, dim: 2, n: n)
            }
            out = out.withColumn(rawName, f(col(featuresName)))
        }
        if !probName.isEmpty {
            let fromRaw = !rawName.isEmpty
            let f = udf("xgb_probability", returnType: .vector, nullable: false) { [self] cols, _ in
                let (n, m) = fromRaw ? try marginsOfRaw(cols[0]) : try margins(cols[0])
                return Self.vectors(probabilities(m, n: n), dim: k, n: n)
            }
            out = out.withColumn(probName, f(col(fromRaw ? rawName : featuresName)))
        }
        if !predName.isEmpty {
            let source = !probName.isEmpty ? probName : !rawName.isEmpty ? rawName : featuresName
            let f = udf("xgb_prediction", returnType: .double, nullable: false) { [self] cols, _ in
                if !probName.isEmpty {
                    let r = try VectorColumnReader(cols[0], what: uid)
                    var p = [Float](repeating: 0, count: r.count * k)
                    var row = [Double](repeating: 0, count: k)
                    row.withUnsafeMutableBufferPointer { buf in
                        for i in 0..<r.count { r.copyDense(i, into: buf); for c in 0..<k { p[i * k + c] = Float(buf[c]) } }
                    }
                    return Self.predictions(p, k: k, n: r.count)
                }
                let (n, m) = !rawName.isEmpty ? try marginsOfRaw(cols[0]) : try margins(cols[0])
                return Self.predictions(probabilities(m, n: n), k: k, n: n)
            }
            out = out.withColumn(predName, f(col(source)))
        }
        return out
    }
}
