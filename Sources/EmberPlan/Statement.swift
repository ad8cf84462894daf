import EmberCore

/// One parsed SQL statement. Queries are plans; the rest are commands the session runs.
public enum Statement {
    case query(LogicalPlan)
    /// `CREATE [OR REPLACE] [TEMPORARY] VIEW name [(col TYPE, …)] USING fmt OPTIONS (…)` or `… AS query`.
    /// A view without TEMPORARY is a session-lived stand-in for a persistent view in `default`.
    case createView(name: String, replace: Bool, ifNotExists: Bool, columns: [StructField]?, source: ViewSource, temporary: Bool)
    /// `INSERT OVERWRITE DIRECTORY 'path' USING fmt OPTIONS (…) query`.
    case insertOverwriteDirectory(path: String, format: String, options: [String: String], query: LogicalPlan)
    case dropView(name: String, ifExists: Bool)
    /// `SHOW TABLES [LIKE 'pattern']`: `*` matches any text, `|` separates alternatives.
    case showTables(pattern: String?)
    /// `SHOW COLUMNS IN name`.
    case showColumns(name: String)
    /// `DESCRIBE name` or `DESCRIBE QUERY …`.
    case describe(LogicalPlan)
    case explain(LogicalPlan, mode: ExplainMode)
    /// `SET key = value` / `SET key`.
    case set(key: String?, value: String?)
    case cacheTable(name: String)
    case uncacheTable(name: String)
}

public enum ViewSource {
    case query(LogicalPlan)
    case files(format: String, options: [String: String])
}

public enum ExplainMode: String, Sendable {
    case simple, extended, formatted, codegen, cost
}
