//! Ember: the public face — `Session`, `DataFrame`, `Column` and Spark's function
//! library — over the embedded engine.
@_exported import EmberCore
@_exported import EmberColumnar
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
        sources.register("csv", SplitFileSource.csv())
        sources.register("parquet", ParquetSource())
        sources.register("arrow", ArrowSource())
        sources.register("json", SplitFileSource.json())
        sources.register("text", SplitFileSource.text())
        if ProgressBar.enabledByDefault { scheduler.addListener(ProgressBar()) }
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

    /// Bytes spilled to disk by every query in this process so far.
    public static var totalSpilledBytes: Int { MemoryManager.totalSpilledBytes }
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
        case .createView(let name, let replace, let ifNotExists, let columns, let source, let temporary):
            // A temporary and a persistent view may share a name (the temporary one shadows).
            if catalog.exists(name), catalog.isPersistent(name) == !temporary {
                if ifNotExists { return empty() }
                if !replace {
                    if temporary {
                        throw EmberError(errorClass: "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", sqlState: "42P07", message: "Cannot create the temporary view `\(name)` because it already exists.")
                    }
                    throw EmberError(errorClass: "TABLE_OR_VIEW_ALREADY_EXISTS", sqlState: "42P07", message: "Cannot create table or view `spark_catalog`.`default`.`\(name)` because it already exists. Choose a different name, drop or replace the existing object, or add the IF NOT EXISTS clause to tolerate pre-existing objects.")
                }
            }
            var plan: LogicalPlan
            switch source {
            case .query(let q):
                plan = q
                if let cols = columns {
                    plan = .withColumnsRenamed(q, cols.enumerated().map { ("#\($0.offset)", $0.element.name) })
                }
                if !temporary, let temp = try catalog.temporaryViewReferenced(by: plan) {
                    throw EmberError(errorClass: "INVALID_TEMP_OBJ_REFERENCE", sqlState: "42K0F", message: "Cannot create the persistent object `spark_catalog`.`default`.`\(name)` of the type VIEW because it references to the temporary object `\(temp)` of the type VIEW. Please make the temporary object `\(temp)` persistent, or make the persistent object `spark_catalog`.`default`.`\(name)` temporary.")
                }
            case .files(let format, let options):
                var opts = options
                let path = opts.removeValue(forKey: "path") ?? opts.first(where: { $0.key.lowercased() == "path" })?.value
                guard let path else { throw EmberError.invalidArgument("CREATE TEMPORARY VIEW \(name) USING \(format) needs OPTIONS (path '…').") }
                let schema = columns.map { Schema($0) }
                plan = .read(DataSource(format: format, paths: [path], schema: schema, options: opts))
            }
            let resolved = try analyzer().analyze(plan)
            let out = try resolved.output()
            for (i, a) in out.enumerated() where out[..<i].contains(where: { $0.name.lowercased() == a.name.lowercased() }) {
                throw EmberError(errorClass: "COLUMN_ALREADY_EXISTS", sqlState: "42711", message: "The column `\(a.name.lowercased())` already exists. Choose another name or rename the existing column.")
            }
            if case .query = source {
                // Keep the query, not its analyzed plan: each use analyzes it again, so a view
                // sees later changes to the views it reads (and fails once they are dropped).
                catalog.define(name, plan, persistent: !temporary)
            } else {
                catalog.register(name, resolved)
            }
            return empty()
        case .insertOverwriteDirectory(let path, let format, let options, let query):
            try DataFrame(self, query).write.format(format).options(options).mode("overwrite").save(path)
            return empty()
        case .dropView(let name, let ifExists):
            if !catalog.drop(name) && !ifExists {
                throw EmberError(errorClass: "TABLE_OR_VIEW_NOT_FOUND", sqlState: "42P01", message: "The table or view `\(name)` cannot be found. Verify the spelling and correctness of the schema and catalog.")
            }
            return empty()
        case .showTables(let pattern):
            let rows = catalog.names.sorted().filter { pattern.map(SessionCatalog.matcher)?($0) ?? true }.map { n -> [Value] in
                catalog.isPersistent(n) ? [.string("default"), .string(n), .boolean(false)] : [.string(""), .string(n), .boolean(true)]
            }
            return try createDataFrame(rows, schema: "namespace STRING, tableName STRING, isTemporary BOOLEAN")
        case .showColumns(let name):
            let rows = try DataFrame(self, .unresolvedRelation(Expr.splitName(name))).schema().fields.map { [Value.string($0.name)] }
            return try createDataFrame(rows, schema: "col_name STRING")
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
            guard let v = try catalog.lookupView(name) else { throw EmberError.tableNotFound(name) }
            catalog.register(name, try DataFrame(self, v).cache().resolvedPlan())
            return empty()
        case .uncacheTable:
            return empty()
        }
    }

    /// Drops the temporary view `name` (`spark.catalog.dropTempView`); false when there is
    /// no such temporary view.
    @discardableResult
    public func dropTempView(_ name: String) -> Bool {
        guard catalog.exists(name), !catalog.isPersistent(name) else { return false }
        return catalog.drop(name)
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
        case "spark.sql.adaptive.enabled": config.adaptive = value.lowercased() == "true"
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

/// Views, by case-insensitive name: analyzed plans (DataFrame views, file views, cached
/// tables) and SQL view definitions, which are analyzed on each use as Spark does with a
/// view's stored text. Views created without TEMPORARY are listed as persistent ones.
final class SessionCatalog: Catalog {
    weak var session: Session?
    var views: [String: LogicalPlan] = [:]
    var definitions: [String: LogicalPlan] = [:]
    var persistent: Set<String> = []
    /// Definitions being analyzed, to report a view that reads itself instead of recursing.
    var expanding: Set<String> = []
    let lock = NSLock()

    func register(_ name: String, _ plan: LogicalPlan) {
        let key = name.lowercased()
        lock.lock(); views[key] = plan; definitions[key] = nil; persistent.remove(key); lock.unlock()
    }

    func define(_ name: String, _ plan: LogicalPlan, persistent isPersistent: Bool) {
        let key = name.lowercased()
        lock.lock()
        views[key] = nil
        definitions[key] = plan
        if isPersistent { persistent.insert(key) } else { persistent.remove(key) }
        lock.unlock()
    }

    func drop(_ name: String) -> Bool {
        let key = name.lowercased()
        lock.lock(); defer { lock.unlock() }
        persistent.remove(key)
        let a = views.removeValue(forKey: key) != nil
        let b = definitions.removeValue(forKey: key) != nil
        return a || b
    }

    var names: [String] {
        lock.lock(); defer { lock.unlock() }
        return Array(Set(views.keys).union(definitions.keys))
    }

    func exists(_ name: String) -> Bool {
        let key = name.lowercased()
        lock.lock(); defer { lock.unlock() }
        return views[key] != nil || definitions[key] != nil
    }

    func isPersistent(_ name: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return persistent.contains(name.lowercased())
    }

    func lookupView(_ name: String) throws -> LogicalPlan? {
        let key = name.lowercased()
        lock.lock()
        if let v = views[key] { lock.unlock(); return v }
        guard let def = definitions[key] else { lock.unlock(); return nil }
        if expanding.contains(key) {
            lock.unlock()
            throw EmberError(errorClass: "RECURSIVE_VIEW", sqlState: "42K0H", message: "Recursive view `\(name)` detected (cycle: `\(name)` -> `\(name)`).")
        }
        expanding.insert(key)
        lock.unlock()
        defer { lock.lock(); expanding.remove(key); lock.unlock() }
        guard let session else { throw EmberError.internalError("session is gone") }
        return try session.analyzer().analyze(try session.expandSQL(def))
    }

    /// The first temporary view a view definition reads (CTE names excepted).
    func temporaryViewReferenced(by plan: LogicalPlan) throws -> String? {
        var cteNames = Set<String>()
        var found: String? = nil
        func walk(_ p: LogicalPlan) {
            if case .with(_, let defs) = p { for (n, _) in defs { cteNames.insert(n.lowercased()) } }
            if case .unresolvedRelation(let parts) = p, parts.count == 1, let n = parts.first,
               !cteNames.contains(n.lowercased()), found == nil, (views[n.lowercased()] != nil || definitions[n.lowercased()] != nil),
               !persistent.contains(n.lowercased()) {
                found = n
            }
            p.children.forEach(walk)
        }
        lock.lock(); walk(plan); lock.unlock()
        return found
    }

    /// Spark's SHOW TABLES LIKE pattern: `*` is any text, `|` separates alternatives, no case.
    static func matcher(_ pattern: String) -> (String) -> Bool {
        let alternatives = pattern.split(separator: "|").map { alt -> [Substring] in
            alt.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "*", omittingEmptySubsequences: false)
        }
        return { name in
            let n = name.lowercased()
            return alternatives.contains { parts in
                // Glob match: the fixed pieces in order, anchored at both ends.
                guard let first = parts.first, n.hasPrefix(first) else { return false }
                if parts.count == 1 { return n == first }
                var rest = Substring(n.dropFirst(first.count))
                for mid in parts.dropFirst().dropLast() {
                    guard let r = rest.range(of: mid) else { return false }
                    rest = rest[r.upperBound...]
                }
                let last = parts.last ?? ""
                return rest.hasSuffix(last) && rest.count >= last.count
            }
        }
    }

    func resolveSource(_ source: DataSource) throws -> Schema {
        // The text source's schema is fixed (a given one is only checked).
        if source.format.lowercased() == "text" { return try TextSource.schema(source) }
        if let s = source.schema { return s }
        guard let session else { throw EmberError.internalError("session is gone") }
        switch source.format.lowercased() {
        case "csv":
            let opts = try CSVOptions(source.options)
            return try CSVReader.inferSchema(paths: source.paths, options: opts, zone: session.config.timeZone)
        case "parquet":
            return try ParquetSource.inferSchema(source, zone: session.config.timeZone)
        case "arrow":
            return try ArrowSource.schema(source.paths)
        case "json":
            return try JSONSource.schema(source, zone: session.config.timeZone)
        default:
            throw EmberError(errorClass: "DATA_SOURCE_NOT_FOUND", sqlState: "42K02", message: "Failed to find the data source: \(source.format).")
        }
    }
}
