import EmberColumnar
import EmberCore
import EmberExec
import EmberIO
import EmberPlan

/// A line-oriented file format (CSV, JSON lines, text): planning cuts the files into
/// byte-range splits, each split is read into batches.
final class SplitFileSource: FileSourceReader {
    typealias Splits = (DataSource, Int) throws -> [FileSplit]
    typealias ReadSplit = (FileSplit, DataSource, Schema, [Int], ExecContext, (RecordBatch) -> Void) throws -> Void
    let splits: Splits
    let readSplit: ReadSplit

    init(splits: @escaping Splits, read: @escaping ReadSplit) {
        self.splits = splits
        self.readSplit = read
    }

    func planPartitions(_ source: DataSource, schema: Schema, filters: [Expr], output: [Attribute], ctx: ExecContext) throws -> [AnyHashableBox] {
        try splits(source, ctx.config.maxPartitionBytes).map { AnyHashableBox($0) }
    }

    func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch] {
        guard let split = unit.value as? FileSplit else { return [] }
        var out: [RecordBatch] = []
        try readSplit(split, source, schema, required, ctx) { out.append($0) }
        return out
    }

    static func csv() -> SplitFileSource {
        SplitFileSource(
            splits: { source, max in try CSVReader.splits(paths: source.paths, options: try CSVOptions(source.options), maxSplitBytes: max) },
            read: { split, source, schema, required, ctx, emit in
                try CSVReader.read(
                    split: split, schema: schema, requiredColumns: required, options: try CSVOptions(source.options),
                    zone: ctx.config.timeZone, batchSize: ctx.config.batchSize, emit: emit)
            })
    }

    static func json() -> SplitFileSource {
        SplitFileSource(
            splits: { source, max in try JSONReader.splits(paths: source.paths, options: try JSONOptions(source.options), maxSplitBytes: max) },
            read: { split, source, schema, required, ctx, emit in
                try JSONReader.read(
                    split: split, schema: schema, requiredColumns: required, options: try JSONOptions(source.options),
                    zone: ctx.config.timeZone, batchSize: ctx.config.batchSize, emit: emit)
            })
    }

    static func text() -> SplitFileSource {
        SplitFileSource(
            splits: { source, max in try TextReader.splits(paths: source.paths, options: try TextOptions(source.options), maxSplitBytes: max) },
            read: { split, source, _, required, ctx, emit in
                try TextReader.read(split: split, requiredColumns: required, options: try TextOptions(source.options), batchSize: ctx.config.batchSize, emit: emit)
            })
    }
}

/// Schema resolution of the JSON source.
enum JSONSource {
    /// The schema of a JSON source: the given one, or Spark's inference over the files.
    static func schema(_ source: DataSource, zone: SessionTimeZone) throws -> Schema {
        if let s = source.schema { return s }
        return try JSONInference.inferSchema(paths: source.paths, options: JSONOptions(source.options), zone: zone)
    }
}

/// Schema resolution of the text source.
enum TextSource {

    /// `value STRING`, or a given schema of one STRING column (its name kept).
    static func schema(_ source: DataSource) throws -> Schema {
        guard let s = source.schema else { return TextReader.schema }
        try TextWriter.validate(s)  // the same rules as writing: one STRING column
        return s
    }
}
