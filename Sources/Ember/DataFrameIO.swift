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

    public func load(_ paths: String...) -> DataFrame {
        DataFrame(session, .read(DataSource(format: format, paths: paths, schema: schema, options: options)))
    }

    public func csv(_ paths: String...) -> DataFrame {
        DataFrame(session, .read(DataSource(format: "csv", paths: paths, schema: schema, options: options)))
    }

    /// Arrow IPC files (file or stream format: `.arrow`, `.feather`, `.arrows`); each
    /// file is one partition, the schema comes from the first file unless given.
    public func arrow(_ paths: String...) -> DataFrame {
        DataFrame(session, .read(DataSource(format: "arrow", paths: paths, schema: schema, options: options)))
    }
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

    /// Writes Arrow IPC files (`part-….arrow`, file format). Option `compression`:
    /// `none` (default), `lz4` or `zstd`.
    public func arrow(_ path: String) throws { try format("arrow").save(path) }

    /// Writes one part file per partition into `path` (a directory).
    public func save(_ path: String) throws {
        guard format == "csv" || format == "arrow" else {
            throw EmberError(errorClass: "DATA_SOURCE_NOT_FOUND", sqlState: "42K02", message: "Failed to find the data source: \(format).")
        }
        let schema = try df.schema()
        switch format {
        case "csv":
            let opts = try CSVOptions(options)
            let header = (options.first { $0.key.lowercased() == "header" }?.value.lowercased() ?? "false") == "true"
            let zone = df.session.config.timeZone
            try writeParts(path, schema: schema, ext: "csv") { stream, file in
                try CSVWriter.write(batches: try stream.drain(), schema: schema, to: file, options: opts, zone: zone, includeHeader: header)
            }
        case "arrow":
            let compression = try ArrowCompression(option: options.first { $0.key.lowercased() == "compression" }?.value ?? "none")
            try writeParts(path, schema: schema, ext: "arrow") { stream, file in
                let w = try ArrowFileWriter(path: file, schema: schema, compression: compression)
                while let b = try stream.next() { try w.write(b) }
                try w.close()
            }
        default:
            break
        }
    }

    /// Runs the plan and commits one part file per partition: `writePart` writes a
    /// partition's batches (in `schema`) to a file. Partitions without rows write nothing;
    /// a job without rows writes one empty part, so that the schema survives.
    private func writeParts(
        _ path: String, schema: Schema, ext: String, _ writePart: @escaping (BatchStream, String) throws -> Void
    ) throws {
        let saveMode = try SaveMode(spark: mode)
        guard let job = try FileCommit.begin(target: path, mode: saveMode) else { return }
        do {
            // One part file per partition, written in parallel, committed together.
            let ctx = df.session.execContext()
            let op = try PhysicalPlanner(ctx).plan(try df.optimizedPlan())
            let written = try Driver.run(op, ctx, description: "write \(format) \(path)") { p, stream -> Int in
                guard let first = try stream.next() else { return 0 }
                var pending: RecordBatch? = first
                let batches = BatchStream {
                    let b: RecordBatch?
                    if let x = pending { b = x; pending = nil } else { b = try stream.next() }
                    return b.map { RecordBatch(schema: schema, columns: $0.columns, count: $0.count) }
                }
                try writePart(batches, job.partPath(p, ext: ext))
                return 1
            }
            if written.reduce(0, +) == 0 { try writePart(BatchStream([]), job.partPath(0, ext: ext)) }
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
