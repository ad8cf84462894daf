import Ember
import EmberCore

enum VectorIndexerParams {
    static func maxCategories() -> Param<Int> {
        Param("maxCategories", "Threshold for the number of values a categorical feature can take (>= 2). If a feature is found to have > maxCategories values, then it is declared continuous.", default: 20, .gtEq(2))
    }
    static func handleInvalid() -> Param<String> {
        SharedParams.handleInvalid("How to handle invalid data (unseen labels or NULL values). Options are 'skip' (filter out rows with invalid data), 'error' (throw an error), or 'keep' (put invalid data in a special additional bucket, at index of the number of categories of the feature).",
                                   default: "error", ["skip", "error", "keep"])
    }
}

/// Finds the categorical features of a vector column (at most `maxCategories` distinct
/// values) and indexes their values (Spark's `VectorIndexer`): values sorted ascending,
/// with 0.0, when present, at index 0 so sparse rows stay sparse.
public final class VectorIndexer: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let maxCategories = VectorIndexerParams.maxCategories()
    public let handleInvalid = VectorIndexerParams.handleInvalid()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, maxCategories: Int? = nil, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let m = maxCategories { set(self.maxCategories, m) }
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let data = try Instances.load(df, featuresCol: try value(inputCol), labelCol: nil, weightCol: nil, stage: uid)
        let d = data.numFeatures, limit = try value(maxCategories)
        // Distinct values per feature (stopping past the limit), one feature range per task.
        let found = Parallel.mapRanges(d) { r -> [(Int, [Double])] in
            r.compactMap { j -> (Int, [Double])? in
                var seen = Set<Double>()
                var hasZero = false
                for i in 0..<data.count {
                    var x = 0.0
                    if let m = data.dense { x = m[i * d + j] } else {
                        for k in data.offsets[i]..<data.offsets[i + 1] where Int(data.indices[k]) == j { x = data.values[k] }
                    }
                    if x == 0 { hasZero = true } else { seen.insert(x) }
                    if seen.count + (hasZero ? 1 : 0) > limit { return nil }
                }
                return (j, (hasZero ? [0.0] : []) + seen.sorted())
            }
        }.flatMap { $0 }
        let m = VectorIndexerModel(uid: uid, numFeatures: d, categoryValues: Dictionary(uniqueKeysWithValues: found))
        copyValues(to: m)
        m.parentUID = uid
        return m
    }
}

/// A fitted `VectorIndexer`: for each categorical feature, its values in index order.
public final class VectorIndexerModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let maxCategories = VectorIndexerParams.maxCategories()
    public let handleInvalid = VectorIndexerParams.handleInvalid()

    public private(set) var numFeatures = 0
    /// Feature index → its category values (position = category index).
    public private(set) var categoryValues: [Int: [Double]] = [:]

    /// Spark's `categoryMaps`: feature index → (value → category index).
    public var categoryMaps: [Int: [Double: Int]] {
        categoryValues.mapValues { vs in Dictionary(uniqueKeysWithValues: vs.enumerated().map { ($0.element, $0.offset) }) }
    }

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, numFeatures: Int, categoryValues: [Int: [Double]]) {
        self.init(uid: uid)
        self.numFeatures = numFeatures
        self.categoryValues = categoryValues
    }

    public override func copyState(from other: Params) {
        if let o = other as? VectorIndexerModel { numFeatures = o.numFeatures; categoryValues = o.categoryValues; parentUID = o.parentUID }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try FeatureSupport.vectorToVectorSchema(self, schema, inputCol: inputCol, outputCol: outputCol)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let mode = try value(handleInvalid).lowercased()
        let maps: [[Double: Double]?] = (0..<numFeatures).map { j in
            categoryValues[j].map { vs in Dictionary(uniqueKeysWithValues: vs.enumerated().map { ($0.element, Double($0.offset)) }) }
        }
        let stage = uid
        let out = try value(outputCol)
        // Invalid rows become NULL under "skip" and are then filtered out.
        let attributes = MLAttributes.group(name: out, features: (0..<numFeatures).map { j in
            categoryValues[j].map { .nominal(values: $0.count) } ?? .numeric
        })
        let column = VectorKernels.column("vector_indexer", try value(inputCol), stage: uid, size: numFeatures, metadata: attributes) {
            var dense: [Double] = [], idx: [Int32] = [], vals: [Double] = []
            return { r, row, a in
                idx.removeAll(keepingCapacity: true); vals.removeAll(keepingCapacity: true)
                var invalid = false
                func mapped(_ j: Int, _ x: Double) throws -> Double {
                    guard let m = maps[j] else { return x }
                    if let c = m[x] { return c }
                    switch mode {
                    case "keep": return Double(m.count)
                    case "skip": invalid = true; return x
                    default:
                        throw MLError.invalidData(stage, "VectorIndexer encountered invalid value \(NumberFormat.javaDouble(x)) on feature index \(j). To handle or skip invalid value, try setting VectorIndexer.handleInvalid.")
                    }
                }
                if r.isDense(row) {
                    dense.removeAll(keepingCapacity: true)
                    try r.forEachActive(row) { j, x in dense.append(try mapped(j, x)) }
                    if invalid { a.appendNull() } else { dense.withUnsafeBufferPointer { a.appendDense($0) } }
                } else {
                    try r.forEachActive(row) { j, x in idx.append(Int32(j)); vals.append(try mapped(j, x)) }
                    if invalid { a.appendNull() } else {
                        idx.withUnsafeBufferPointer { ib in vals.withUnsafeBufferPointer { vb in a.appendSparse(size: r.size(row), indices: ib, values: vb) } }
                    }
                }
            }
        }
        let result = df.withColumn(out, column)
        return mode == "skip" ? result.filter(col(out).isNotNull() || col(try value(inputCol)).isNull()) : result
    }

    static let dataSchema = Schema([StructField("numFeatures", .int), StructField("features", .array(element: .int, containsNull: false)),
                                    StructField("values", .array(element: .array(element: .double, containsNull: false), containsNull: false))])

    public override func saveData(to dir: String, session: Session) throws {
        let keys = categoryValues.keys.sorted()
        try FeatureSupport.saveData([.int(Int32(numFeatures)), FeatureSupport.intsArray(keys),
                                     .array(keys.map { FeatureSupport.doublesArray(categoryValues[$0] ?? []) })],
                                    schema: Self.dataSchema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        guard case .int(let n) = try FeatureSupport.field(row, "numFeatures", dir), case .array(let vs) = try FeatureSupport.field(row, "values", dir) else {
            throw MLError.invalidModelDirectory(dir, "bad VectorIndexerModel data")
        }
        let keys = try FeatureSupport.intsValue(try FeatureSupport.field(row, "features", dir), dir)
        guard keys.count == vs.count else { throw MLError.invalidModelDirectory(dir, "features and values differ in length") }
        numFeatures = Int(n)
        categoryValues = Dictionary(uniqueKeysWithValues: try zip(keys, vs).map { ($0, try FeatureSupport.doublesValue($1, dir)) })
    }
}
