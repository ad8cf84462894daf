import EmberColumnar
import EmberCore
import EmberExec
import EmberIO
import EmberPlan

/// The Arrow IPC reader behind `spark.read.format("arrow")` and `USING arrow` views:
/// every file (file or stream format, e.g. `.arrow`, `.feather`, `.arrows`) is one
/// partition; columns are matched to the schema by name.
final class ArrowSource: FileSourceReader {
    /// The schema of the first file (files are listed as Spark lists them).
    static func schema(_ paths: [String]) throws -> Schema {
        guard let first = try FileListing.list(paths).first else {
            throw EmberError(
                errorClass: "UNABLE_TO_INFER_SCHEMA", sqlState: "42KD9",
                message: "Unable to infer schema for Arrow. It must be specified manually.")
        }
        return try ArrowIPC.readSchema(path: first.path)
    }

    func planPartitions(_ source: DataSource, schema: Schema, filters: [Expr], output: [Attribute], ctx: ExecContext) throws -> [AnyHashableBox] {
        try FileListing.list(source.paths).map { AnyHashableBox($0.path) }
    }

    func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch] {
        guard let path = unit.value as? String else { return [] }
        return try ArrowIPC.readFile(path: path, schema: schema, columns: required)
    }
}
