import Ember
import EmberCore
import Foundation

/// Helpers the feature stages share: single/multiple column params, column kernels and
/// model data files.
enum FeatureSupport {
    /// The (input, output) column pairs of a stage with both `inputCol`/`outputCol` and
    /// `inputCols`/`outputCols`, checked as Spark's `ParamValidators.checkSingleVsMultiColumnParams`.
    static func columnPairs(_ stage: Params, inputCol: Param<String>, outputCol: Param<String>,
                            inputCols: Param<[String]>, outputCols: Param<[String]>) throws -> [(String, String)] {
        let uid = stage.uid
        if stage.isSet(inputCols.name) {
            if stage.isSet(inputCol.name) {
                throw MLError.invalidParam(uid, inputCols.name, "is set together with inputCol: set only one of inputCol and inputCols")
            }
            if stage.isSet(outputCol.name) {
                throw MLError.invalidParam(uid, outputCol.name, "is set while inputCols is set: use outputCols with inputCols")
            }
            let ins = try stage.value(inputCols)
            guard stage.isSet(outputCols.name) else { throw MLError.invalidParam(uid, outputCols.name, "must be set when inputCols is set") }
            let outs = try stage.value(outputCols)
            guard !ins.isEmpty else { throw MLError.invalidParam(uid, inputCols.name, "must not be empty") }
            guard ins.count == outs.count else {
                throw MLError.invalidParam(uid, outputCols.name, "has \(outs.count) columns but inputCols has \(ins.count): they must have the same length")
            }
            return Array(zip(ins, outs))
        }
        guard stage.isSet(inputCol.name) else { throw MLError.invalidParam(uid, inputCol.name, "is not set: set inputCol or inputCols") }
        if stage.isSet(outputCols.name) {
            throw MLError.invalidParam(uid, outputCols.name, "is set while inputCol is set: use outputCol with inputCol")
        }
        return [(try stage.value(inputCol), try stage.value(outputCol))]
    }

    /// The output schema of a stage mapping the vector column `inputCol` to a new vector
    /// column `outputCol`, after checking the stage's params.
    static func vectorToVectorSchema(_ stage: Params, _ schema: Schema, inputCol: Param<String>, outputCol: Param<String>) throws -> Schema {
        try stage.validateParams()
        try SchemaUtils.checkVector(schema, try stage.value(inputCol), stage: stage.uid)
        return try SchemaUtils.appendColumn(schema, try stage.value(outputCol), .vector, stage: stage.uid)
    }

    /// The values of a double column (NULL slots hold whatever storage holds).
    static func doubles(_ c: ColumnData, stage: String) throws -> [Double] {
        if let d = c.doubles { return d }
        if case .none = c.storage { return [Double](repeating: 0, count: c.count) }
        throw MLError.invalidColumn(stage, "expected a double column, got \(c.type.sql)")
    }

    /// A double column from values and an optional validity bitmap.
    static func doubleColumn(_ values: [Double], validity: Bitmap? = nil) -> ColumnData {
        ColumnData(type: .double, count: values.count, validity: validity, storage: .f64(values))
    }

    /// Reads one numeric column of `df` as doubles, NULL as NaN (a collection pass).
    static func collectDoubles(_ df: DataFrame, _ name: String) throws -> [Double] {
        let batches = try df.select(col(name).cast(.double)).collectBatches()
        var out: [Double] = []
        out.reserveCapacity(batches.reduce(0) { $0 + $1.count })
        for b in batches {
            let c = b.columns[0]
            guard let xs = c.doubles else {
                out.append(contentsOf: repeatElement(Double.nan, count: c.count))
                continue
            }
            if c.validity == nil {
                out.append(contentsOf: xs)
            } else {
                for i in 0..<c.count { out.append(c.isNull(i) ? .nan : xs[i]) }
            }
        }
        return out
    }

    /// Java's `String.compareTo` (UTF-16 code units), the order Spark sorts labels in.
    static func javaLess(_ a: String, _ b: String) -> Bool {
        a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    // MARK: Model data

    /// Writes one row of model data to `dir/data` as Parquet.
    static func saveData(_ row: [Value], schema: Schema, dir: String, session: Session) throws {
        try saveRows([row], schema: schema, dir: dir, session: session)
    }

    /// Writes rows of model data to `dir/data` as Parquet.
    static func saveRows(_ rows: [[Value]], schema: Schema, dir: String, session: Session) throws {
        try session.createDataFrame(rows, schema: schema).write.parquet(dir + "/data")
    }

    /// Reads the rows written by `saveData`/`saveRows`.
    static func loadRows(_ dir: String, session: Session) throws -> [Row] {
        let path = dir + "/data"
        guard FileManager.default.fileExists(atPath: path) else {
            throw MLError.invalidModelDirectory(dir, "data/ is missing")
        }
        return try session.read.parquet(path).collect()
    }

    /// The single row written by `saveData`.
    static func loadRow(_ dir: String, session: Session) throws -> Row {
        let rows = try loadRows(dir, session: session)
        guard rows.count == 1, let r = rows.first else { throw MLError.invalidModelDirectory(dir, "data/ holds \(rows.count) rows, expected 1") }
        return r
    }

    static func field(_ row: Row, _ name: String, _ dir: String) throws -> Value {
        guard let v = row[name] else { throw MLError.invalidModelDirectory(dir, "data/ lacks column \(name)") }
        return v
    }

    static func vectorValue(_ row: Row, _ name: String, _ dir: String) throws -> Vector {
        try Vector(value: try field(row, name, dir))
    }

    static func doublesValue(_ v: Value, _ dir: String) throws -> [Double] {
        guard case .array(let xs) = v else { throw MLError.invalidModelDirectory(dir, "expected an array of doubles in data/") }
        return try xs.map { x in
            switch x {
            case .double(let d): return d
            case .float(let f): return Double(f)
            case .int(let i): return Double(i)
            case .long(let i): return Double(i)
            default: throw MLError.invalidModelDirectory(dir, "expected doubles in data/, got \(x)")
            }
        }
    }

    static func intsValue(_ v: Value, _ dir: String) throws -> [Int] {
        guard case .array(let xs) = v else { throw MLError.invalidModelDirectory(dir, "expected an array of ints in data/") }
        return try xs.map { x in
            switch x {
            case .int(let i): return Int(i)
            case .long(let i): return Int(i)
            default: throw MLError.invalidModelDirectory(dir, "expected ints in data/, got \(x)")
            }
        }
    }

    static func stringsValue(_ v: Value, _ dir: String) throws -> [String] {
        guard case .array(let xs) = v else { throw MLError.invalidModelDirectory(dir, "expected an array of strings in data/") }
        return try xs.map { x in
            guard case .string(let s) = x else { throw MLError.invalidModelDirectory(dir, "expected strings in data/, got \(x)") }
            return s
        }
    }

    static func doublesArray(_ xs: [Double]) -> Value { .array(xs.map { .double($0) }) }
    static func intsArray(_ xs: [Int]) -> Value { .array(xs.map { .int(Int32(truncatingIfNeeded: $0)) }) }
    static func stringsArray(_ xs: [String]) -> Value { .array(xs.map { .string($0) }) }
}
