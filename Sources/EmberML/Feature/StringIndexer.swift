import Ember
import EmberCore

/// The params of `StringIndexer` and `StringIndexerModel` (Spark's `StringIndexerBase`).
enum StringIndexerParams {
    static let orderTypes = ["frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"]

    static func handleInvalid() -> Param<String> {
        SharedParams.handleInvalid(
            "how to handle invalid data (unseen or NULL values) in features and label column of string type. Options are 'skip' (filter out rows with invalid data), error (throw an error), or 'keep' (put invalid data in a special additional bucket, at index numLabels).",
            default: "error", ["skip", "error", "keep"])
    }

    static func stringOrderType() -> Param<String> {
        Param("stringOrderType", "How to order labels of string column. The first label after ordering is assigned an index of 0. Supported options: frequencyDesc, frequencyAsc, alphabetDesc, alphabetAsc. Default is frequencyDesc. In case of equal frequency when under frequencyDesc/Asc, the strings are further sorted alphabetically",
              default: "frequencyDesc", .oneOf(orderTypes))
    }

    /// Checks the input columns (string or numeric) and appends the double outputs.
    static func transformSchema(_ stage: Params, _ schema: Schema, pairs: [(String, String)]) throws -> Schema {
        var s = schema
        for (i, o) in pairs {
            let f = try SchemaUtils.field(schema, i, stage: stage.uid)
            guard f.dataType == .string || f.dataType.isNumeric else {
                throw MLError.invalidColumn(stage.uid, "The input column \(i) must be either string type or numeric type, but got \(f.dataType.sql).")
            }
            s = try SchemaUtils.appendColumn(s, o, .double, nullable: false, stage: stage.uid)
        }
        return s
    }

    /// The column as strings: numeric columns cast as Spark casts them.
    static func stringColumn(_ schema: Schema, _ name: String, stage: String) throws -> Ember.Column {
        let f = try SchemaUtils.field(schema, name, stage: stage)
        return f.dataType == .string ? col(name) : col(name).cast(.string)
    }
}

/// Maps a string column of labels to a column of label indices (Spark's `StringIndexer`).
/// Numeric input columns are cast to strings first. Labels are ordered by
/// `stringOrderType` (ties in frequency broken alphabetically); NULLs are not labels.
public final class StringIndexer: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let handleInvalid = StringIndexerParams.handleInvalid()
    public let stringOrderType = StringIndexerParams.stringOrderType()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, stringOrderType: String? = nil, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let s = stringOrderType { set(self.stringOrderType, s) }
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    public convenience init(inputCols: [String], outputCols: [String], stringOrderType: String? = nil, handleInvalid: String? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCols, outputCols)
        if let s = stringOrderType { set(self.stringOrderType, s) }
        if let h = handleInvalid { set(self.handleInvalid, h) }
    }

    func pairs() throws -> [(String, String)] {
        try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        return try StringIndexerParams.transformSchema(self, schema, pairs: try pairs())
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let order = try value(stringOrderType).lowercased()
        var labelsArray: [[String]] = []
        for (c, _) in try pairs() {
            // Counting runs in the engine (a parallel hash aggregation).
            let counted = try df.select(try StringIndexerParams.stringColumn(schema, c, stage: uid).alias("label"))
                .groupBy("label").count().collectBatches()
            var counts: [(String, Int64)] = []
            for b in counted {
                let labels = b.columns[0], n = b.columns[1]
                guard let ns = n.int64s else { throw EmberError.internalError("count is not a long column") }
                for i in 0..<b.count where !labels.isNull(i) { counts.append((labels.stringAt(i), ns[i])) }
            }
            counts.sort { FeatureSupport.javaLess($0.0, $1.0) }
            switch order {
            case "frequencyasc": counts = StringIndexer.stableSort(counts) { $0.1 < $1.1 }
            case "alphabetdesc": counts.reverse()
            case "alphabetasc": break
            default: counts = StringIndexer.stableSort(counts) { $0.1 > $1.1 }
            }
            labelsArray.append(counts.map(\.0))
        }
        let m = StringIndexerModel(uid: uid, labelsArray: labelsArray)
        copyValues(to: m)
        m.parentUID = uid
        return m
    }

    /// A stable sort (Scala's `sortBy` keeps the order of equal elements).
    static func stableSort<T>(_ xs: [T], by less: (T, T) -> Bool) -> [T] {
        xs.enumerated().sorted { a, b in less(a.element, b.element) || (!less(b.element, a.element) && a.offset < b.offset) }.map(\.element)
    }
}

/// A fitted `StringIndexer`: the labels of each input column, most frequent (or first in
/// the chosen order) at index 0.
public final class StringIndexerModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let handleInvalid = StringIndexerParams.handleInvalid()
    public let stringOrderType = StringIndexerParams.stringOrderType()

    /// The labels of each input column, in index order.
    public private(set) var labelsArray: [[String]] = []

    /// The labels of the first (or only) input column.
    public var labels: [String] { labelsArray.first ?? [] }

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, labelsArray: [[String]]) {
        self.init(uid: uid)
        self.labelsArray = labelsArray
    }

    /// A model from known labels (Spark's `StringIndexerModel(labels)`).
    public convenience init(labels: [String]) {
        self.init(uid: Params.randomUID("StringIndexerModel"), labelsArray: [labels])
    }

    public convenience init(labelsArray: [[String]]) {
        self.init(uid: Params.randomUID("StringIndexerModel"), labelsArray: labelsArray)
    }

    public override func copyState(from other: Params) {
        if let o = other as? StringIndexerModel { labelsArray = o.labelsArray; parentUID = o.parentUID }
    }

    func pairs() throws -> [(String, String)] {
        try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let p = try pairs()
        guard p.count == labelsArray.count else {
            throw MLError.invalidParam(uid, isSet(inputCols.name) ? inputCols.name : inputCol.name,
                                       "names \(p.count) columns but the model has labels for \(labelsArray.count)")
        }
        return try StringIndexerParams.transformSchema(self, schema, pairs: p)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let mode = try value(handleInvalid).lowercased()
        let p = try pairs()
        let maps: [[String: Double]] = labelsArray.map { labels in
            var m: [String: Double] = [:]
            for (i, l) in labels.enumerated() where m[l] == nil { m[l] = Double(i) }
            return m
        }
        var input = df
        let inputs = try p.map { try StringIndexerParams.stringColumn(schema, $0.0, stage: uid) }
        if mode == "skip" {
            for (k, c) in inputs.enumerated() {
                let map = maps[k]
                let known = udf("string_indexer_known", returnType: .boolean, nullable: false) { cols, n in
                    let s = cols[0]
                    var out = [Bool](repeating: false, count: n)
                    for i in 0..<n where !s.isNull(i) { out[i] = map[s.stringAt(i)] != nil }
                    return ColumnData(type: .boolean, count: n, validity: nil, storage: .bool(out))
                }
                input = input.filter(known(c))
            }
        }
        let keep = mode == "keep"
        let stage = uid
        var out = input
        for (k, (_, o)) in p.enumerated() {
            let map = maps[k]
            let invalid = Double(labelsArray[k].count)
            let values = labelsArray[k] + (keep ? ["__unknown"] : [])
            let index = udf("string_indexer", returnType: .double, nullable: false, metadata: MLAttributes.nominal(name: o, values: values)) { cols, n in
                let s = cols[0]
                return FeatureSupport.doubleColumn(try [Double](unsafeUninitializedCapacity: n) { b, c in
                    for i in 0..<n {
                        if s.isNull(i) {
                            guard keep else {
                                throw MLError.invalidData(stage, "StringIndexer encountered NULL value. To handle or skip NULLS, try setting StringIndexer.handleInvalid.")
                            }
                            b[i] = invalid
                        } else {
                            let label = s.stringAt(i)
                            if let x = map[label] { b[i] = x } else {
                                guard keep else {
                                    throw MLError.invalidData(stage, "Unseen label: \(label). To handle unseen labels, set Param handleInvalid to keep.")
                                }
                                b[i] = invalid
                            }
                        }
                    }
                    c = n
                })
            }
            out = out.withColumn(o, index(inputs[k]))
        }
        return out
    }

    static let dataSchema = Schema([StructField("labelsArray", .array(element: .array(element: .string, containsNull: true), containsNull: true))])

    public override func saveData(to dir: String, session: Session) throws {
        try FeatureSupport.saveData([.array(labelsArray.map(FeatureSupport.stringsArray))], schema: Self.dataSchema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        guard case .array(let cols) = try FeatureSupport.field(row, "labelsArray", dir) else {
            throw MLError.invalidModelDirectory(dir, "labelsArray is not an array")
        }
        labelsArray = try cols.map { try FeatureSupport.stringsValue($0, dir) }
    }
}
