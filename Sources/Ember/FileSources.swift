import EmberColumnar
import EmberCore
import EmberExec
import EmberIO
import EmberPlan

/// The JSON reader behind `spark.read.json` and `USING json` views.
final class JSONSource: FileSourceReader {
    func planPartitions(_ source: DataSource, schema: Schema, filters: [Expr], output: [Attribute], ctx: ExecContext) throws -> [AnyHashableBox] {
        let opts = try JSONOptions(source.options)
        return try JSONReader.splits(paths: source.paths, options: opts, maxSplitBytes: ctx.config.maxPartitionBytes).map { AnyHashableBox($0) }
    }

    func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch] {
        guard let split = unit.value as? FileSplit else { return [] }
        let opts = try JSONOptions(source.options)
        var out: [RecordBatch] = []
        try JSONReader.read(
            split: split, schema: schema, requiredColumns: required, options: opts, zone: ctx.config.timeZone,
            batchSize: ctx.config.batchSize
        ) { out.append($0) }
        return out
    }

    /// The schema of a JSON source: the given one, or Spark's inference over the files.
    static func schema(_ source: DataSource, zone: SessionTimeZone) throws -> Schema {
        if let s = source.schema { return s }
        return try JSONInference.inferSchema(paths: source.paths, options: JSONOptions(source.options), zone: zone)
    }
}

/// The text reader behind `spark.read.text` and `USING text` views.
final class TextSource: FileSourceReader {
    func planPartitions(_ source: DataSource, schema: Schema, filters: [Expr], output: [Attribute], ctx: ExecContext) throws -> [AnyHashableBox] {
        let opts = try TextOptions(source.options)
        return try TextReader.splits(paths: source.paths, options: opts, maxSplitBytes: ctx.config.maxPartitionBytes).map { AnyHashableBox($0) }
    }

    func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch] {
        guard let split = unit.value as? FileSplit else { return [] }
        let opts = try TextOptions(source.options)
        var out: [RecordBatch] = []
        try TextReader.read(split: split, requiredColumns: required, options: opts, batchSize: ctx.config.batchSize) { out.append($0) }
        return out
    }

    /// `value STRING`, or a given schema of one STRING column (its name kept).
    static func schema(_ source: DataSource) throws -> Schema {
        guard let s = source.schema else { return TextReader.schema }
        for f in s.fields where f.dataType != .string {
            throw EmberError(
                errorClass: "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE", sqlState: "0A000",
                message: "The Text datasource doesn't support the column `\(f.name)` of the type \"\(f.dataType.sql)\".")
        }
        guard s.count == 1 else {
            throw EmberError(
                errorClass: "_LEGACY_ERROR_TEMP_1290", sqlState: nil,
                message: "Text data source supports only a single column, and you have \(s.count) columns.")
        }
        return s
    }
}
