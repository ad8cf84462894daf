import Ember
import EmberCore

/// Scales each feature of a vector column by 1 / (largest absolute value in the training
/// data), keeping sparsity (Spark's `MaxAbsScaler`).
public final class MaxAbsScaler: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let s = try VectorSummary.compute(df, try value(inputCol), stage: uid)
        let lo = s.realMin, hi = s.realMax
        let m = MaxAbsScalerModel(uid: uid, maxAbs: Vectors.dense((0..<s.dim).map { Swift.max(abs(lo[$0]), abs(hi[$0])) }))
        copyValues(to: m)
        m.parentUID = uid
        return m
    }
}

/// A fitted `MaxAbsScaler`: each feature's largest absolute value.
public final class MaxAbsScalerModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()

    public private(set) var maxAbs = Vectors.dense([])

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, maxAbs: Vector) {
        self.init(uid: uid)
        self.maxAbs = maxAbs
    }

    public override func copyState(from other: Params) {
        if let o = other as? MaxAbsScalerModel { maxAbs = o.maxAbs; parentUID = o.parentUID }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let scale = maxAbs.toArray().map { $0 == 0 ? 1.0 : 1 / $0 }
        return df.withColumn(try value(outputCol), VectorKernels.column("max_abs_scaler", try value(inputCol), stage: uid, size: maxAbs.size) {
            VectorKernels.shiftScale(shift: nil, scale: scale)
        })
    }

    static let dataSchema = Schema([StructField("maxAbs", .vector)])

    public override func saveData(to dir: String, session: Session) throws {
        try FeatureSupport.saveData([maxAbs.value], schema: Self.dataSchema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        maxAbs = try FeatureSupport.vectorValue(try FeatureSupport.loadRow(dir, session: session), "maxAbs", dir)
    }
}
