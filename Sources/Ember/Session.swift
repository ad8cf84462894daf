//! Ember: the public face — `Session`, `DataFrame`, `Column` and Spark's function
//! library — over the embedded engine.
@_exported import EmberCore
import EmberColumnar
import EmberExec
import EmberIO
import EmberPlan
import EmberSQL
import Foundation

/// The entry point, like Spark's `SparkSession`: `Session.local()` runs an embedded
/// engine on every core of this machine.
public final class Session {
    public private(set) var config: Configuration
    let scheduler: Scheduler
    let sources = SourceRegistry()
    let catalog: SessionCatalog
    var settings: [String: String] = [:]

    public init(config: Configuration = Configuration()) {
        self.config = config
        self.scheduler = Scheduler(cores: config.cores, maxAttempts: config.taskMaxAttempts)
        self.catalog = SessionCatalog()
        catalog.session = self
        sources.register("csv", CSVSource())
    }

    /// An embedded session. `cores` defaults to every core (Spark's `local[*]`).
    public static func local(
        cores: Int? = nil, memoryLimit: Int? = nil, timeZone: String = "UTC", shufflePartitions: Int? = nil
    ) throws -> Session {
        guard let tz = SessionTimeZone(id: timeZone) else {
            throw EmberError.invalidArgument("Unknown time zone '\(timeZone)'.")
        }
        return Session(config: Configuration(cores: cores, memoryLimit: memoryLimit, timeZone: tz, shufflePartitions: shufflePartitions))
    }

    public func addListener(_ l: RuntimeListener) { scheduler.addListener(l) }
    public func removeListener(_ l: RuntimeListener) { scheduler.removeListener(l) }

    // MARK: Sources

    public var read: DataFrameReader { DataFrameReader(self) }

    public func range(_ end: Int64) -> DataFrame { range(0, end) }

    public func range(_ start: Int64, _ end: Int64, _ step: Int64 = 1, numPartitions: Int? = nil) -> DataFrame {
        DataFrame(self, .range(start: start, end: end, step: step, numPartitions: numPartitions))
    }

    /// Rows of values with a schema (DDL string or `Schema`).
    public func createDataFrame(_ rows: [[Value]], schema: Schema) throws -> DataFrame {
        var builders = schema.fields.map { ColumnBuilder(type: $0.dataType, capacity: rows.count) }
        for (r, row) in rows.enumerated() {
            guard row.count == schema.count else {
                throw EmberError(errorClass: "AXIS_LENGTH_MISMATCH", sqlState: "2200G", message: "Row \(r) has \(row.count) values but the schema has \(schema.count) fields.")
            }
            for (i, v) in row.enumerated() {
                if v.isNull && !schema[i].nullable {
                    throw EmberError(errorClass: "NULLABLE_COLUMN_OR_FIELD", sqlState: "42000", message: "Field `\(schema[i].name)` is not nullable, but row \(r) has NULL.")
                }
                do { try builders[i].append(v) } catch {
                    throw EmberError(errorClass: "CANNOT_MERGE_TYPE", sqlState: "42K09", message: "Row \(r), field `\(schema[i].name)`: \(v) is not a \(schema[i].dataType.sql).")
                }
            }
        }
        let batch = RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() }, count: rows.count)
        return DataFrame(self, .localRelation(LocalRelation(schema: schema, data: AnyHashableBox([batch]), rowCount: rows.count)))
    }

    public func createDataFrame(_ rows: [[Value]], schema ddl: String) throws -> DataFrame {
        try createDataFrame(rows, schema: try Schema(ddl: ddl))
    }

    /// Wraps already columnar batches.
    public func createDataFrame(batches: [RecordBatch], schema: Schema) -> DataFrame {
        DataFrame(self, .localRelation(LocalRelation(schema: schema, data: AnyHashableBox(batches), rowCount: batches.reduce(0) { $0 + $1.count })))
    }

    public func table(_ name: String) -> DataFrame { DataFrame(self, .unresolvedRelation(Expr.splitName(name))) }

    // MARK: SQL

    /// Runs one SQL statement. Queries return a lazy DataFrame; commands run now and
    /// return their result rows (empty for DDL).
    @discardableResult
    public func sql(_ text: String) throws -> DataFrame {
        let stmts = try SQLParser.parseStatements(text)
        guard stmts.count == 1, let stmt = stmts.first else {
            throw EmberError.parse("Expected exactly one statement but found \(stmts.count)", line: 1, position: 0)
        }
        return try run(stmt)
    }

    /// Runs a `;`-separated script; returns the result of each statement.
    public func sqlScript(_ text: String) throws -> [DataFrame] {
        try SQLParser.parseStatements(text).map { try run($0) }
    }

    func run(_ stmt: Statement) throws -> DataFrame {
        switch stmt {
        case .query(let p): return DataFrame(self, p)
        case .createView(let name, let replace, let ifNotExists, let columns, let source):
            if catalog.lookupView(name) != nil {
                if ifNotExists { return empty() }
                if !replace {
                    throw EmberError(errorClass: "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", sqlState: "42P07", message: "Cannot create the temporary view `\(name)` because it already exists.")
                }
            }
            var plan: LogicalPlan
            switch source {
            case .query(let q):
                plan = q
                if let cols = columns {
                    plan = .withColumnsRenamed(q, cols.enumerated().map { ("#\($0.offset)", $0.element.name) })
                }
            case .files(let format, let options):
                var opts = options
                let path = opts.removeValue(forKey: "path") ?? opts.first(where: { $0.key.lowercased() == "path" })?.value
                guard let path else { throw EmberError.invalidArgument("CREATE TEMPORARY VIEW \(name) USING \(format) needs OPTIONS (path '…').") }
                let schema = columns.map { Schema($0) }
                plan = .read(DataSource(format: format, paths: [path], schema: schema, options: opts))
            }
            let resolved = try analyzer().analyze(plan)
            catalog.register(name, resolved)
            return empty()
        case .insertOverwriteDirectory(let path, let format, let options, let query):
            try DataFrame(self, query).write.format(format).options(options).mode("overwrite").save(path)
            return empty()
        case .dropView(let name, let ifExists):
            if !catalog.drop(name) && !ifExists {
                throw EmberError(errorClass: "TABLE_OR_VIEW_NOT_FOUND", sqlState: "42P01", message: "The table or view `\(name)` cannot be found. Verify the spelling and correctness of the schema and catalog.")
            }
            return empty()
        case .showTables:
            let rows = catalog.names.sorted().map { [Value.string(""), .string($0), .boolean(true)] }
            return try createDataFrame(rows, schema: "namespace STRING, tableName STRING, isTemporary BOOLEAN")
        case .describe(let p):
            let df = DataFrame(self, p)
            let rows = try df.schema().fields.map { [Value.string($0.name), .string($0.dataType.simpleString), .null] }
            return try createDataFrame(rows, schema: "col_name STRING, data_type STRING, comment STRING")
        case .explain(let p, let mode):
            let text = try DataFrame(self, p).explainString(extended: mode != .simple)
            return try createDataFrame([[.string(text)]], schema: "plan STRING")
        case .set(let key, let value):
            if let key, let value {
                try set(key, value)
                return try createDataFrame([[.string(key), .string(value)]], schema: "key STRING, value STRING")
            }
            let rows = settings.sorted { $0.key < $1.key }.filter { key == nil || $0.key == key }.map { [Value.string($0.key), .string($0.value)] }
            return try createDataFrame(rows, schema: "key STRING, value STRING")
        case .cacheTable(let name):
            guard let v = catalog.lookupView(name) else { throw EmberError.tableNotFound(name) }
            catalog.register(name, try DataFrame(self, v).cache().resolvedPlan())
            return empty()
        case .uncacheTable:
            return empty()
        }
    }

    /// Spark configuration keys Ember honours at run time.
    public func set(_ key: String, _ value: String) throws {
        settings[key] = value
        switch key {
        case "spark.sql.shuffle.partitions":
            guard let n = Int(value), n > 0 else { throw EmberError.invalidArgument("spark.sql.shuffle.partitions must be a positive integer, got '\(value)'.") }
            config.shufflePartitions = n
        case "spark.sql.session.timeZone":
            guard let z = SessionTimeZone(id: value) else { throw EmberError.invalidArgument("Unknown time zone '\(value)'.") }
            config.timeZone = z
        case "spark.sql.ansi.enabled": config.ansi = value.lowercased() == "true"
        case "spark.sql.autoBroadcastJoinThreshold": config.broadcastThreshold = Int(value) ?? config.broadcastThreshold
        default: break
        }
    }

    func empty() -> DataFrame {
        DataFrame(self, .localRelation(LocalRelation(schema: Schema([]), data: AnyHashableBox([RecordBatch]()), rowCount: 0)))
    }

    // MARK: Execution

    func analyzer() -> Analyzer { Analyzer(catalog: catalog, caseSensitive: config.caseSensitive) }

    /// Parses embedded SQL relations so the analyzer sees only plans.
    func expandSQL(_ p: LogicalPlan) throws -> LogicalPlan {
        try p.transformUp { node in
            if case .sql(let text) = node { return try expandSQL(SQLParser.parseQuery(text)) }
            return node
        }
    }

    func execContext() -> ExecContext {
        ExecContext(config: config, scheduler: scheduler, memory: MemoryManager(limit: config.memoryLimit, spillDirectory: config.spillDirectory), sources: sources)
    }
}

/// Temporary views, by case-insensitive name.
final class SessionCatalog: Catalog {
    weak var session: Session?
    var views: [String: LogicalPlan] = [:]
    let lock = NSLock()

    func register(_ name: String, _ plan: LogicalPlan) {
        lock.lock(); views[name.lowercased()] = plan; lock.unlock()
    }

    func drop(_ name: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return views.removeValue(forKey: name.lowercased()) != nil
    }

    var names: [String] {
        lock.lock(); defer { lock.unlock() }
        return Array(views.keys)
    }

    func lookupView(_ name: String) -> LogicalPlan? {
        lock.lock(); defer { lock.unlock() }
        return views[name.lowercased()]
    }

    func resolveSource(_ source: DataSource) throws -> Schema {
        if let s = source.schema { return s }
        guard let session else { throw EmberError.internalError("session is gone") }
        switch source.format.lowercased() {
        case "csv":
            let opts = try CSVOptions(source.options)
            return try CSVReader.inferSchema(paths: source.paths, options: opts, zone: session.config.timeZone)
        default:
            throw EmberError(errorClass: "DATA_SOURCE_NOT_FOUND", sqlState: "42K02", message: "Failed to find the data source: \(source.format).")
        }
    }
}

/// The CSV reader behind `spark.read.csv` and `USING csv` views.
final class CSVSource: FileSourceReader {
    func planPartitions(_ source: DataSource, schema: Schema, ctx: ExecContext) throws -> [AnyHashableBox] {
        let opts = try CSVOptions(source.options)
        return try CSVReader.splits(paths: source.paths, options: opts, maxSplitBytes: ctx.config.maxPartitionBytes).map { AnyHashableBox($0) }
    }

    func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch] {
        guard let split = unit.value as? FileSplit else { return [] }
        let opts = try CSVOptions(source.options)
        var out: [RecordBatch] = []
        try CSVReader.read(split: split, schema: schema, requiredColumns: required, options: opts, zone: ctx.config.timeZone, batchSize: ctx.config.batchSize) { out.append($0) }
        return out
    }
}
