import Ember
import EmberCore

enum MinMaxScalerParams {
    static func min() -> Param<Double> { Param("min", "Lower bound of the output feature range", default: 0.0) }
    static func max() -> Param<Double> { Param("max", "Upper bound of the output feature range", default: 1.0) }

    static func check(_ stage: Params, _ schema: Schema, inputCol: Param<String>, outputCol: Param<String>,
                      min: Param<Double>, max: Param<Double>) throws -> Schema {
        try stage.validateParams()
        let lo = try stage.value(min), hi = try stage.value(max)
        guard lo < hi else {
            throw MLError.invalidParam(stage.uid, min.name, "The specified min(\(NumberFormat.javaDouble(lo))) is larger or equal to max(\(NumberFormat.javaDouble(hi)))")
        }
        try SchemaUtils.checkVector(schema, try stage.value(inputCol), stage: stage.uid)
        return try SchemaUtils.appendColumn(schema, try stage.value(outputCol), .vector, stage: stage.uid)
    }
}

/// Rescales each feature of a vector column to [min, max] by the training data's column
/// minimum and maximum (Spark's `MinMaxScaler`); a constant feature becomes (min + max) / 2
/// and NaN stays NaN. Outputs are in Spark's compressed form.
public final class MinMaxScaler: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let min = MinMaxScalerParams.min()
    public let max = MinMaxScalerParams.max()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, min: Double? = nil, max: Double? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let m = min { set(self.min, m) }
        if let m = max { set(self.max, m) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try MinMaxScalerParams.check(self, schema, inputCol: inputCol, outputCol: outputCol, min: min, max: max)
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let s = try VectorSummary.compute(df, try value(inputCol), stage: uid)
        let m = MinMaxScalerModel(uid: uid, originalMin: Vectors.dense(s.realMin), originalMax: Vectors.dense(s.realMax))
        copyValues(to: m)
        m.parentUID = uid
        return m
    }
}

/// A fitted `MinMaxScaler`: each feature's minimum and maximum in the training data.
public final class MinMaxScalerModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let min = MinMaxScalerParams.min()
    public let max = MinMaxScalerParams.max()

    public private(set) var originalMin = Vectors.dense([])
    public private(set) var originalMax = Vectors.dense([])

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, originalMin: Vector, originalMax: Vector) {
        self.init(uid: uid)
        self.originalMin = originalMin
        self.originalMax = originalMax
    }

    public override func copyState(from other: Params) {
        if let o = other as? MinMaxScalerModel { originalMin = o.originalMin; originalMax = o.originalMax; parentUID = o.parentUID }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try MinMaxScalerParams.check(self, schema, inputCol: inputCol, outputCol: outputCol, min: min, max: max)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let lo = try value(min), hi = try value(max)
        let scale = hi - lo
        let constant = (lo + hi) / 2
        let mins = originalMin.toArray(), maxs = originalMax.toArray()
        let n = mins.count
        // Spark's scaleArray: 0 marks a constant feature.
        let scales = (0..<n).map { i -> Double in
            let range = maxs[i] - mins[i]
            return range != 0 ? scale / range : 0
        }
        return df.withColumn(try value(outputCol), VectorKernels.column("min_max_scaler", try value(inputCol), stage: uid, size: n) {
            var dense = [Double](repeating: 0, count: n)
            var idx: [Int32] = [], vals: [Double] = []
            return { r, row, a in
                dense.withUnsafeMutableBufferPointer { d in
                    r.copyDense(row, into: d)
                    for i in 0..<n where !d[i].isNaN {
                        d[i] = scales[i] != 0 ? (d[i] - mins[i]) * scales[i] + lo : constant
                    }
                    VectorKernels.appendCompressedDense(UnsafeBufferPointer(d), into: &a, idx: &idx, vals: &vals)
                }
            }
        })
    }

    static let dataSchema = Schema([StructField("originalMin", .vector), StructField("originalMax", .vector)])

    public override func saveData(to dir: String, session: Session) throws {
        try FeatureSupport.saveData([originalMin.value, originalMax.value], schema: Self.dataSchema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        originalMin = try FeatureSupport.vectorValue(row, "originalMin", dir)
        originalMax = try FeatureSupport.vectorValue(row, "originalMax", dir)
    }
}
