import EmberColumnar
import EmberExec
import EmberIO
import EmberPlan
import Foundation

/// `session.read`: Spark's DataFrameReader.
public struct DataFrameReader {
    let session: Session
    var format = "parquet"
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

    public func parquet(_ paths: String...) -> DataFrame {
        DataFrame(session, .read(DataSource(format: "parquet", paths: paths, schema: schema, options: options)))
    }

    /// Arrow IPC files (file or stream format: `.arrow`, `.feather`, `.arrows`); each
    /// file is one partition, the schema comes from the first file unless given.
    public func arrow(_ paths: String...) -> DataFrame {
        DataFrame(session, .read(DataSource(format: "arrow", paths: paths, schema: schema, options: options)))
    }

    /// JSON Lines (or, with `multiLine`, one JSON document per file).
    public func json(_ paths: String...) -> DataFrame { format("json").load(paths) }
    public func json(_ paths: [String]) -> DataFrame { format("json").load(paths) }

    /// One `value STRING` row per line (or per file with `wholetext`).
    public func text(_ paths: String...) -> DataFrame { format("text").load(paths) }
    public func text(_ paths: [String]) -> DataFrame { format("text").load(paths) }
}

/// `df.write`: Spark's DataFrameWriter. Every save commits atomically: each task writes
/// into its own attempt directory, successful attempts join the job's hidden staging
/// directory, and the job commit makes them visible with one rename (and `_SUCCESS`).
public struct DataFrameWriter {
    let df: DataFrame
    var format = "parquet"
    var mode = "errorifexists"
    var options: [String: String] = [:]
    var partitionColumns: [String] = []

    public func format(_ f: String) -> DataFrameWriter { var w = self; w.format = f.lowercased(); return w }
    public func mode(_ m: String) -> DataFrameWriter { var w = self; w.mode = m; return w }
    public func overwrite() -> DataFrameWriter { mode("overwrite") }
    public func option(_ key: String, _ value: String) -> DataFrameWriter { var w = self; w.options[key] = value; return w }
    public func option(_ key: String, _ value: Bool) -> DataFrameWriter { option(key, value ? "true" : "false") }
    public func option(_ key: String, _ value: Int) -> DataFrameWriter { option(key, String(value)) }
    public func options(_ o: [String: String]) -> DataFrameWriter { var w = self; w.options.merge(o) { $1 }; return w }
    /// Hive-style output directories (`col=value/`) by these columns, which leave the files.
    public func partitionBy(_ columns: String...) -> DataFrameWriter { partitionBy(columns) }
    public func partitionBy(_ columns: [String]) -> DataFrameWriter { var w = self; w.partitionColumns = columns; return w }

    public func csv(_ path: String) throws { try format("csv").save(path) }
    public func parquet(_ path: String) throws { try format("parquet").save(path) }
    /// Arrow IPC files (`part-….arrow`, file format). Option `compression`: `none` (default), `lz4` or `zstd`.
    public func arrow(_ path: String) throws { try format("arrow").save(path) }
    public func json(_ path: String) throws { try format("json").save(path) }
    /// The DataFrame must have exactly one STRING column.
    public func text(_ path: String) throws { try format("text").save(path) }

    /// The writer for `format` over the data columns `schema`.
    func formatWriter(_ schema: Schema) throws -> FileFormatWriter {
        switch format {
        case "csv": return try CSVFormatWriter(options: options, zone: df.session.config.timeZone)
        case "parquet": return try ParquetFormatWriter(options: options, schema: schema)
        case "arrow": return try ArrowFormatWriter(options: options)
        case "json": return try JSONFormatWriter(options: options, zone: df.session.config.timeZone)
        case "text": return try TextFormatWriter(options: options, schema: schema)
        default:
            throw EmberError(errorClass: "DATA_SOURCE_NOT_FOUND", sqlState: "42K02", message: "Failed to find the data source: \(format).")
        }
    }

    /// Writes the DataFrame into `path` (a directory): part files per partition, split by
    /// `partitionBy` values and `maxRecordsPerFile`, committed together.
    public func save(_ path: String) throws {
        let saveMode = try SaveMode(spark: mode)
        let schema = try df.schema()
        // Partition columns by name; the files hold the other columns.
        var partIdx: [Int] = []
        for name in partitionColumns {
            guard let i = schema.fields.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw EmberError.unresolvedColumn(name, candidates: schema.names)
            }
            partIdx.append(i)
        }
        if !partIdx.isEmpty && partIdx.count == schema.fields.count {
            throw EmberError.invalidArgument("Cannot use all columns for partition columns.")
        }
        let dataIdx = schema.fields.indices.filter { !partIdx.contains($0) }
        let dataSchema = Schema(dataIdx.map { schema.fields[$0] })
        let writer = try formatWriter(dataSchema)
        let maxRecords = Int(options.first { $0.key.lowercased() == "maxrecordsperfile" }?.value ?? "0") ?? 0
        guard let job = try FileCommit.begin(target: path, mode: saveMode) else { return }
        do {
            let ctx = df.session.execContext()
            let op = try PhysicalPlanner(ctx).plan(try df.optimizedPlan())
            let zone = df.session.config.timeZone
            let ext = writer.fileExtension
            let written = try Driver.run(op, ctx, description: "write \(format) \(path)") { p, stream -> Int in
                let attempt = try job.taskAttempt(p)
                do {
                    var files = TaskFiles(job: job, dir: attempt, task: p, ext: ext, writer: writer, schema: dataSchema, maxRecords: maxRecords)
                    while let b = try stream.next() {
                        let batch = RecordBatch(schema: schema, columns: b.columns, count: b.count)
                        if partIdx.isEmpty {
                            try files.write(batch, dir: "")
                        } else {
                            for (dir, rows) in DataFrameWriter.splitByPartition(batch, partIdx, zone: zone, schema: schema) {
                                let part = rows.count == batch.count ? batch : batch.take(rows)
                                try files.write(RecordBatch(schema: dataSchema, columns: dataIdx.map { part.columns[$0] }, count: part.count), dir: dir)
                            }
                        }
                    }
                    try files.closeAll()
                    try job.commitTask(attempt)
                    return files.created
                } catch {
                    job.abortTask(attempt)
                    throw error
                }
            }
            if written.reduce(0, +) == 0 && partIdx.isEmpty {
                // An empty result still gets one (empty) file, so readers find the schema.
                let w = try writer.open(path: job.partPath(0, ext: ext), schema: dataSchema)
                try w.close()
            }
            try job.commit()
        } catch {
            job.abort()
            throw error
        }
    }

    /// Rows of `batch` grouped by their partition directory (`a=1/b=x`), in first-seen order.
    static func splitByPartition(_ batch: RecordBatch, _ partIdx: [Int], zone: SessionTimeZone, schema: Schema) -> [(String, [Int32])] {
        var order: [String] = []
        var groups: [String: [Int32]] = [:]
        for r in 0..<batch.count {
            var dir = ""
            for (k, c) in partIdx.enumerated() {
                let v = batch.columns[c].value(at: r)
                let text: String? = v.isNull ? nil : ValueFormat.sparkString(v, zone: zone)
                if k > 0 { dir += "/" }
                dir += PartitionPath.segment(schema.fields[c].name, text)
            }
            if groups[dir] == nil { order.append(dir); groups[dir] = [] }
            groups[dir]?.append(Int32(r))
        }
        return order.map { ($0, groups[$0] ?? []) }
    }
}

/// The open part files of one task attempt: one per partition directory, rolled over
/// after `maxRecords` rows.
struct TaskFiles {
    let job: FileCommitJob
    let dir: String
    let task: Int
    let ext: String
    let writer: FileFormatWriter
    let schema: Schema
    let maxRecords: Int
    var open: [String: (PartFileWriter, Int)] = [:]
    /// The number of the next file in each directory (`-c000`, `-c001`, …).
    var nextFile: [String: Int] = [:]
    var created = 0

    init(job: FileCommitJob, dir: String, task: Int, ext: String, writer: FileFormatWriter, schema: Schema, maxRecords: Int) {
        self.job = job
        self.dir = dir
        self.task = task
        self.ext = ext
        self.writer = writer
        self.schema = schema
        self.maxRecords = maxRecords
    }

    mutating func write(_ batch: RecordBatch, dir sub: String) throws {
        var start = 0
        while start < batch.count {
            let (w, rows) = try current(sub)
            var take = batch.count - start
            if maxRecords > 0 { take = min(take, maxRecords - rows) }
            let piece = start == 0 && take == batch.count ? batch : batch.slice(start..<(start + take))
            try w.write(piece)
            open[sub] = (w, rows + take)
            start += take
            if maxRecords > 0 && rows + take >= maxRecords {
                try w.close()
                open[sub] = nil
            }
        }
    }

    private mutating func current(_ sub: String) throws -> (PartFileWriter, Int) {
        if let o = open[sub] { return o }
        let folder = sub.isEmpty ? dir : dir + "/" + sub
        if !sub.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let n = nextFile[sub, default: 0]
        nextFile[sub] = n + 1
        let w = try writer.open(path: folder + "/" + job.partName(task, file: n, ext: ext), schema: schema)
        created += 1
        open[sub] = (w, 0)
        return (w, 0)
    }

    mutating func closeAll() throws {
        for (_, o) in open { try o.0.close() }
        open = [:]
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
        let vectors = schema.fields.map(\.dataType.isVector)
        var cells = rows.map { row in
            row.enumerated().map { k, v -> String in
                var s = (k < vectors.count && vectors[k] ? v.vectorString : nil) ?? cell(v, zone: zone)
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
