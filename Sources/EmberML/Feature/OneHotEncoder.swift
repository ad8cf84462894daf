import Ember
import EmberCore
import Foundation

/// The params of `OneHotEncoder` and `OneHotEncoderModel`.
enum OneHotEncoderParams {
    static func handleInvalid() -> Param<String> {
        SharedParams.handleInvalid(
            "How to handle invalid data during transform(). Options are 'keep' (invalid data presented as an extra categorical feature) or error (throw an error). Note that this Param is only used during transform; during fitting, invalid data will result in an error.",
            default: "error", ["keep", "error"])
    }

    static func dropLast() -> Param<Bool> { Param("dropLast", "whether to drop the last category", default: true) }

    static func transformSchema(_ stage: Params, _ schema: Schema, pairs: [(String, String)]) throws -> Schema {
        var s = schema
        for (i, o) in pairs {
            try SchemaUtils.checkNumericType(schema, i, stage: stage.uid)
            s = try SchemaUtils.appendColumn(s, o, .vector, nullable: true, stage: stage.uid)
        }
        return s
    }
}

/// Maps columns of category indices to one-hot sparse vectors (Spark's `OneHotEncoder`).
/// The number of categories of a column is its largest index + 1 (indices must be
/// non-negative integers). With `dropLast` the last category is dropped (all zeros).
public final class OneHotEncoder: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let handleInvalid = OneHotEncoderParams.handleInvalid()
    public let dropLast = OneHotEncoderParams.dropLast()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCols: [String], outputCols: [String], dropLast: Bool? = nil, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCols, outputCols)
        if let d = dropLast { set(self.dropLast, d) }
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    public convenience init(inputCol: String, outputCol: String, dropLast: Bool? = nil, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let d = dropLast { set(self.dropLast, d) }
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    func pairs() throws -> [(String, String)] {
        try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        return try OneHotEncoderParams.transformSchema(self, schema, pairs: try pairs())
    }

    /// Finds each column's largest index, in parallel over the collected rows.
    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        var sizes: [Int] = []
        for (c, _) in try pairs() {
            let xs = try FeatureSupport.collectDoubles(df, c)
            let stage = uid
            let partial = Parallel.mapRanges(xs.count) { r -> Result<Double, EmberError> in
                var m = -1.0
                for i in r {
                    let x = xs[i]
                    if x.isNaN { continue }  // NULLs (NaN here) are not counted, as Spark's UDF skips them
                    guard x >= 0, x == x.rounded(.towardZero) else {
                        return .failure(MLError.invalidData(stage, "Values from column \(c) must be indices, but got \(NumberFormat.javaDouble(x))."))
                    }
                    guard x <= Double(Int32.max) else {
                        return .failure(MLError.invalidData(stage, "OneHotEncoder only supports up to 2147483647 indices, but got \(NumberFormat.javaDouble(x))."))
                    }
                    m = Swift.max(m, x)
                }
                return .success(m)
            }
            var m = -1.0
            for p in partial { m = Swift.max(m, try p.get()) }
            sizes.append(Int(m) + 1)
        }
        let model = OneHotEncoderModel(uid: uid, categorySizes: sizes)
        copyValues(to: model)
        model.parentUID = uid
        return model
    }
}

/// A fitted `OneHotEncoder`: the number of categories of each input column.
public final class OneHotEncoderModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let handleInvalid = OneHotEncoderParams.handleInvalid()
    public let dropLast = OneHotEncoderParams.dropLast()

    public private(set) var categorySizes: [Int] = []

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, categorySizes: [Int]) {
        self.init(uid: uid)
        self.categorySizes = categorySizes
    }

    public override func copyState(from other: Params) {
        if let o = other as? OneHotEncoderModel { categorySizes = o.categorySizes; parentUID = o.parentUID }
    }

    func pairs() throws -> [(String, String)] {
        try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let p = try pairs()
        guard p.count == categorySizes.count else {
            throw MLError.invalidParam(uid, isSet(inputCols.name) ? inputCols.name : inputCol.name,
                                       "The number of input columns \(p.count) must be the same as the number of features \(categorySizes.count) during fitting.")
        }
        return try OneHotEncoderParams.transformSchema(self, schema, pairs: p)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let keep = try value(handleInvalid).lowercased() == "keep"
        let drop = try value(dropLast)
        let stage = uid
        var out = df
        for (k, (i, o)) in try pairs().enumerated() {
            let orig = categorySizes[k]
            // Spark's getConfigedCategorySizes.
            let size = drop && !keep ? orig - 1 : (!drop && keep ? orig + 1 : orig)
            let encode = udf("one_hot_encoder", returnType: .vector, nullable: true) { cols, n in
                let c = cols[0]
                let xs = try FeatureSupport.doubles(c, stage: stage)
                var a = VectorColumnAppender(capacity: n)
                var one: [Int32] = [0]
                let value: [Double] = [1.0]
                for r in 0..<n {
                    if c.isNull(r) { a.appendNull(); continue }
                    let x = xs[r]
                    let idx: Int
                    if x >= 0 && x < Double(orig) {
                        idx = Int(x)
                    } else if keep {
                        idx = orig
                    } else if x < 0 {
                        throw MLError.invalidData(stage, "Negative value: \(NumberFormat.javaDouble(x)). Input can't be negative. To handle invalid values, set Param handleInvalid to keep.")
                    } else {
                        throw MLError.invalidData(stage, "Unseen value: \(NumberFormat.javaDouble(x)). To handle unseen values, set Param handleInvalid to keep.")
                    }
                    if idx < size {
                        one[0] = Int32(idx)
                        one.withUnsafeBufferPointer { ib in value.withUnsafeBufferPointer { vb in a.appendSparse(size: size, indices: ib, values: vb) } }
                    } else {
                        a.appendSparse(size: size, indices: UnsafeBufferPointer(start: nil, count: 0), values: UnsafeBufferPointer(start: nil, count: 0))
                    }
                }
                return a.finish()
            }
            out = out.withColumn(o, encode(col(i).cast(.double)))
        }
        return out
    }

    static let dataSchema = Schema([StructField("categorySizes", .array(element: .int, containsNull: false))])

    public override func saveData(to dir: String, session: Session) throws {
        try FeatureSupport.saveData([FeatureSupport.intsArray(categorySizes)], schema: Self.dataSchema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        categorySizes = try FeatureSupport.intsValue(try FeatureSupport.field(row, "categorySizes", dir), dir)
    }
}
