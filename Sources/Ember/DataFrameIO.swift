import EmberColumnar
import EmberExec
import EmberIO
import EmberPlan
import Foundation

/// `session.read`: Spark's DataFrameReader.
public struct DataFrameReader {
    let session: Session
    var format = "csv"
    var options: [String: String] = [:]
    var schema: Schema? = nil

    init(_ session: Session) { self.session = session }

    public func format(_ f: String) -> DataFrameReader { var r = self; r.format = f.lowercased(); return r }
    public func option(_ key: String, _ value: String) -> DataFrameReader { var r = self; r.options[key] = value; return r }
    public func option(_ key: String, _ value: Bool) -> DataFrameReader { option(key, value ? "true" : "false") }
    public func options(_ o: [String: String]) -> DataFrameReader { var r = self; r.options.merge(o) { $1 }; return r }
    public func schema(_ s: Schema) -> DataFrameReader { var r = self; r.schema = s; return r }
    public func schema(_ ddl: String) throws -> DataFrameReader { schema(try Schema(ddl: ddl)) }

    public func load(_ paths: String...) -> DataFrame { load(paths) }

    public func load(_ paths: [String]) -> DataFrame {
        DataFrame(session, .read(DataSource(format: format, paths: paths, schema: schema, options: options)))
    }

    public func csv(_ paths: String...) -> DataFrame {
        DataFrame(session, .read(DataSource(format: "csv", paths: paths, schema: schema, options: options)))
    }

    /// JSON Lines (or, with `multiLine`, one JSON document per file).
    public func json(_ paths: String...) -> DataFrame { format("json").load(paths) }
    public func json(_ paths: [String]) -> DataFrame { format("json").load(paths) }

    /// One `value STRING` row per line (or per file with `wholetext`).
    public func text(_ paths: String...) -> DataFrame { format("text").load(paths) }
    public func text(_ paths: [String]) -> DataFrame { format("text").load(paths) }
}

/// `df.write`: Spark's DataFrameWriter. Every save commits atomically.
public struct DataFrameWriter {
    let df: DataFrame
    var format = "csv"
    var mode = "errorifexists"
    var options: [String: String] = [:]

    public func format(_ f: String) -> DataFrameWriter { var w = self; w.format = f.lowercased(); return w }
    public func mode(_ m: String) -> DataFrameWriter { var w = self; w.mode = m; return w }
    public func overwrite() -> DataFrameWriter { mode("overwrite") }
    public func option(_ key: String, _ value: String) -> DataFrameWriter { var w = self; w.options[key] = value; return w }
    public func option(_ key: String, _ value: Bool) -> DataFrameWriter { option(key, value ? "true" : "false") }
    public func options(_ o: [String: String]) -> DataFrameWriter { var w = self; w.options.merge(o) { $1 }; return w }

    public func csv(_ path: String) throws { try format("csv").save(path) }
    public func json(_ path: String) throws { try format("json").save(path) }
    /// The DataFrame must have exactly one STRING column.
    public func text(_ path: String) throws { try format("text").save(path) }

    /// Writes one part file per partition into `path` (a directory).
    public func save(_ path: String) throws {
        let saveMode = try SaveMode(spark: mode)
        let schema = try df.schema()
        let zone = df.session.config.timeZone
        let ext: String
        let writePart: ([RecordBatch], String) throws -> Void
        switch format {
        case "csv":
            let opts = try CSVOptions(options)
            let header = (options.first { $0.key.lowercased() == "header" }?.value.lowercased() ?? "false") == "true"
            ext = "csv"
            writePart = { try CSVWriter.write(batches: $0, schema: schema, to: $1, options: opts, zone: zone, includeHeader: header) }
        case "json":
            let opts = try JSONOptions(options)
            ext = "json"
            writePart = { try JSONWriter.write(batches: $0, schema: schema, to: $1, options: opts, zone: zone) }
        case "text":
            let opts = try TextOptions(options)
            try TextWriter.validate(schema)
            ext = "txt"
            writePart = { try TextWriter.write(batches: $0, schema: schema, to: $1, options: opts) }
        default:
            throw EmberError(errorClass: "DATA_SOURCE_NOT_FOUND", sqlState: "42K02", message: "Failed to find the data source: \(format).")
        }
        guard let job = try FileCommit.begin(target: path, mode: saveMode) else { return }
        do {
            // One part file per partition, written in parallel, committed together.
            let ctx = df.session.execContext()
            let op = try PhysicalPlanner(ctx).plan(try df.optimizedPlan())
            let written = try Driver.run(op, ctx, description: "write \(format) \(path)") { p, stream -> Int in
                let batches = try stream.drain().map { RecordBatch(schema: schema, columns: $0.columns, count: $0.count) }
                if batches.isEmpty && p > 0 { return 0 }
                try writePart(batches, job.partPath(p, ext: ext))
                return 1
            }
            if written.reduce(0, +) == 0 {
                try writePart([], job.partPath(0, ext: ext))
            }
            try job.commit()
        } catch {
            job.abort()
            throw error
        }
    }
}

/// Spark's `show()` table layout.
public enum TableFormat {
    public static func cell(_ v: Value, zone: SessionTimeZone) -> String {
        if case .null = v { return "NULL" }
        return ValueFormat.sparkString(v, zone: zone)
    }

    public static func render(schema: Schema, rows: [[Value]], truncate: Int, zone: SessionTimeZone, more: Int?) -> String {
        let header = schema.names
        var cells = rows.map { row in
            row.map { v -> String in
                var s = cell(v, zone: zone)
                if truncate > 0 && s.count > truncate {
                    s = truncate < 4 ? String(s.prefix(truncate)) : String(s.prefix(truncate - 3)) + "..."
                }
                return s
            }
        }
        if header.isEmpty { cells = [] }
        var widths = header.map { max(3, $0.count) }
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        let sep = "+" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "+") + "+\n"
        func line(_ vs: [String]) -> String {
            "|" + vs.enumerated().map { i, s in
                let pad = String(repeating: " ", count: widths[i] - s.count)
                return truncate > 0 ? pad + s : s + pad
            }.joined(separator: "|") + "|\n"
        }
        var out = sep + line(header) + sep
        for r in cells { out += line(r) }
        out += sep
        if let n = more { out += "only showing top \(n) row\(n == 1 ? "" : "s")\n" }
        return out
    }
}
