import Ember
import EmberCore

/// Transforms a DataFrame with a SQL statement over `__THIS__`, the input (Spark's
/// `SQLTransformer`), e.g. `SELECT *, a + b AS c FROM __THIS__`. The input is registered
/// as a temporary view under a unique name for the statement; the view stays registered
/// while the (lazy) result may still be planned.
public final class SQLTransformer: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    static let tableIdentifier = "__THIS__"

    public let statement = Param<String>("statement", "SQL statement")

    public convenience init(statement: String) {
        self.init()
        set(self.statement, statement)
    }

    func checkedStatement() throws -> String {
        try validateParams()
        guard isSet(statement.name) else { throw MLError.invalidParam(uid, statement.name, "is not set") }
        let s = try value(statement)
        guard s.contains(Self.tableIdentifier) else {
            throw MLError.invalidParam(uid, statement.name, "given invalid value \(s): it must refer to the input as \(Self.tableIdentifier)")
        }
        return s
    }

    /// The statement's schema, found by planning it over an empty frame of `schema`.
    public override func transformSchema(_ schema: Schema) throws -> Schema {
        _ = try checkedStatement()
        let empty = try MLSession.shared().createDataFrame([], schema: schema)
        return try transform(empty).schema()
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        let s = try checkedStatement()
        let table = Params.randomUID(uid)
        try df.createOrReplaceTempView(table)
        // Analyzed now, as Spark does (errors surface here); then the view is dropped.
        defer { df.session.dropTempView(table) }
        return try df.session.sql(s.replacingOccurrences(of: Self.tableIdentifier, with: table)).analyzed()
    }
}
