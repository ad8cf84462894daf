import Ember
import EmberCore
import Foundation

/// The params of `Imputer` and `ImputerModel`.
enum ImputerParams {
    static func strategy() -> Param<String> {
        Param("strategy", "strategy for imputation. If mean, then replace missing values using the mean value of the feature. If median, then replace missing values using the median value of the feature. If mode, then replace missing using the most frequent value of the feature.",
              default: "mean", .oneOf(["mean", "median", "mode"]))
    }
    static func missingValue() -> Param<Double> {
        Param("missingValue", "The placeholder for the missing values. All occurrences of missingValue will be imputed.", default: .nan)
    }
    static func relativeError() -> Param<Double> {
        Param("relativeError", "the relative target precision for the approximate quantile algorithm. Must be in the range [0, 1]", default: 0.001, .inRange(0, 1))
    }

    static func transformSchema(_ stage: Params, _ schema: Schema, pairs: [(String, String)]) throws -> Schema {
        var s = schema
        for (i, o) in pairs {
            let f = try SchemaUtils.field(schema, i, stage: stage.uid)
            guard f.dataType.isNumeric else {
                throw MLError.invalidColumn(stage.uid, "column \(i) must be of type numeric but was actually of type \(f.dataType.typeName)")
            }
            s = try SchemaUtils.appendColumn(s, o, f.dataType, stage: stage.uid)
        }
        return s
    }
}

/// Completes missing values (NULL, NaN and `missingValue`) of numeric columns with the
/// mean, median or most frequent value of the column (Spark's `Imputer`). Outputs keep
/// the input column's type. The median is exact (see `QuantileDiscretizer` on Spark's
/// approximate quantiles); the mode's ties go to the smallest value.
public final class Imputer: Estimator {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let strategy = ImputerParams.strategy()
    public let missingValue = ImputerParams.missingValue()
    public let relativeError = ImputerParams.relativeError()

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCols: [String], outputCols: [String], strategy: String? = nil, missingValue: Double? = nil) {
        self.init()
        set(self.inputCols, inputCols)
        set(self.outputCols, outputCols)
        if let s = strategy { set(self.strategy, s) }
        if let m = missingValue { set(self.missingValue, m) }
    }

    public convenience init(inputCol: String, outputCol: String, strategy: String? = nil, missingValue: Double? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let s = strategy { set(self.strategy, s) }
        if let m = missingValue { set(self.missingValue, m) }
    }

    func pairs() throws -> [(String, String)] {
        try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        return try ImputerParams.transformSchema(self, schema, pairs: try pairs())
    }

    public override func fit(_ df: DataFrame) throws -> Model {
        _ = try transformSchema(try df.schema())
        let how = try value(strategy).lowercased()
        let missing = try value(missingValue)
        let eps = try value(relativeError)
        var surrogates: [Double] = []
        var empty: [String] = []
        let inputs = try pairs().map(\.0)
        for c in inputs {
            // NULL (read as NaN), NaN and missingValue are all missing.
            let xs = try FeatureSupport.collectDoubles(df, c).filter { !$0.isNaN && $0 != missing }
            var s = Double.nan
            if !xs.isEmpty {
                switch how {
                case "median":
                    s = QuantileDiscretizer.quantile(xs.sorted(), 0.5, relativeError: eps)
                case "mode":
                    var counts: [Double: Int] = [:]
                    for x in xs { counts[x == 0 ? 0.0 : x, default: 0] += 1 }
                    s = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }?.key ?? .nan
                default:
                    let sums = Parallel.mapRanges(xs.count) { r -> Double in
                        var t = 0.0
                        for i in r { t += xs[i] }
                        return t
                    }
                    s = sums.reduce(0, +) / Double(xs.count)
                }
            }
            if s.isNaN { empty.append(c) }
            surrogates.append(s)
        }
        if !empty.isEmpty {
            throw MLError.invalidData(uid, "surrogate cannot be computed. All the values in \(empty.joined(separator: ",")) are Null, Nan or missingValue(\(NumberFormat.javaDouble(missing)))")
        }
        let m = ImputerModel(uid: uid, columns: inputs, surrogates: surrogates)
        copyValues(to: m)
        m.parentUID = uid
        return m
    }
}

/// A fitted `Imputer`: the surrogate of each input column.
public final class ImputerModel: Model {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let inputCols = SharedParams.inputCols()
    public let outputCols = SharedParams.outputCols()
    public let strategy = ImputerParams.strategy()
    public let missingValue = ImputerParams.missingValue()
    public let relativeError = ImputerParams.relativeError()

    /// The input columns the surrogates were computed for.
    public private(set) var surrogateColumns: [String] = []
    public private(set) var surrogates: [Double] = []

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(uid: String, columns: [String], surrogates: [Double]) {
        self.init(uid: uid)
        self.surrogateColumns = columns
        self.surrogates = surrogates
    }

    public override func copyState(from other: Params) {
        if let o = other as? ImputerModel { surrogateColumns = o.surrogateColumns; surrogates = o.surrogates; parentUID = o.parentUID }
    }

    func pairs() throws -> [(String, String)] {
        try FeatureSupport.columnPairs(self, inputCol: inputCol, outputCol: outputCol, inputCols: inputCols, outputCols: outputCols)
    }

    func surrogate(_ c: String) throws -> Double {
        guard let k = surrogateColumns.firstIndex(of: c) ?? surrogateColumns.firstIndex(where: { $0.lowercased() == c.lowercased() }) else {
            throw MLError.invalidColumn(uid, "the model has no surrogate for column \(c) (it was fitted on \(surrogateColumns.joined(separator: ", ")))")
        }
        return surrogates[k]
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        let p = try pairs()
        for (i, _) in p { _ = try surrogate(i) }
        return try ImputerParams.transformSchema(self, schema, pairs: p)
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let schema = try df.schema()
        _ = try transformSchema(schema)
        let missing = try value(missingValue)
        let stage = uid
        var out = df
        for (i, o) in try pairs() {
            let s = try surrogate(i)
            let type = try SchemaUtils.field(schema, i, stage: uid).dataType
            let f = udf("imputer", returnType: .double, nullable: false) { cols, n in
                let c = cols[0]
                let xs = try FeatureSupport.doubles(c, stage: stage)
                return FeatureSupport.doubleColumn([Double](unsafeUninitializedCapacity: n) { b, count in
                    for k in 0..<n {
                        let x = xs[k]
                        // SQL equality: NaN equals NaN.
                        b[k] = c.isNull(k) || x == missing || (x.isNaN && missing.isNaN) ? s : x
                    }
                    count = n
                })
            }
            let imputed = f(col(i).cast(.double))
            out = out.withColumn(o, type == .double ? imputed : imputed.cast(type))
        }
        return out
    }

    public override func saveData(to dir: String, session: Session) throws {
        // Spark's surrogateDF: one row, a double column per input column.
        let schema = Schema(surrogateColumns.map { StructField($0, .double) })
        try FeatureSupport.saveData(surrogates.map { .double($0) }, schema: schema, dir: dir, session: session)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let row = try FeatureSupport.loadRow(dir, session: session)
        surrogateColumns = row.schema.names
        surrogates = try row.values.map { v in
            guard case .double(let d) = v else { throw MLError.invalidModelDirectory(dir, "surrogates must be doubles, got \(v)") }
            return d
        }
    }
}
