import Ember
import EmberCore

enum StandardScalerParams {
    static func withMean() -> Param<Bool> { Param("withMean", "Center data with mean", default: false) }
    static func withStd() -> Param<Bool> { Param("withStd", "Scale to unit standard deviation", default: true) }
}

/// Standardizes a vector column by the training data's column means and unbiased
/// standard deviations (Spark's `StandardScaler`). By default only scales
/// (`withMean` false, `withStd` true); a feature with deviation 0 becomes 0.
public final class StandardScaler: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let withMean = StandardScalerParams.withMean()
    public let withStd = StandardScalerParams.withStd()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, withMean: Bool? = nil, withStd: Bool? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let m = withMean { set(self.withMean, m) }
        if let s = withStd { set(self.withStd, s) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let s = try VectorSummary.compute(df, try value(inputCol), stage: uid)
        let m = StandardScalerModel(uid: uid, std: Vectors.dense(s.std), mean: Vectors.dense(s.realMean))
        copyValues(to: m)
        m.parentUID = uid
        return m
    }
}

/// A fitted `StandardScaler`: the column means and standard deviations.
public final class StandardScalerModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let withMean = StandardScalerParams.withMean()
    public let withStd = StandardScalerParams.withStd()

    public private(set) var std = Vectors.dense([])
    public private(set) var mean = Vectors.dense([])

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, std: Vector, mean: Vector) {
        self.init(uid: uid)
        self.std = std
        self.mean = mean
    }

    public override func copyState(from other: Params) {
        if let o = other as? StandardScalerModel { std = o.std; mean = o.mean; parentUID = o.parentUID }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let shift = try value(withMean) ? mean.toArray() : nil
        let scale = try value(withStd) ? std.toArray().map { $0 == 0 ? 0.0 : 1.0 / $0 } : nil
        return df.withColumn(try value(outputCol), VectorKernels.column("standard_scaler", try value(inputCol), stage: uid, size: std.size) {
            VectorKernels.shiftScale(shift: shift, scale: scale)
        })
    }

    static let dataSchema = Schema([StructField("std", .vector), StructField("mean", .vector)])

    public override func saveData(to dir: String, session: Session) throws {
        try FeatureSupport.saveData([std.value, mean.value], schema: Self.dataSchema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        std = try FeatureSupport.vectorValue(row, "std", dir)
        mean = try FeatureSupport.vectorValue(row, "mean", dir)
    }
}
