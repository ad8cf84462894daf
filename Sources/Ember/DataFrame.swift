import EmberColumnar
import EmberExec
import EmberIO
import EmberPlan
import EmberSQL
import Foundation

/// A lazy, immutable query over a session, as Spark's DataFrame: transformations
/// build a logical plan; actions (`collect`, `count`, `show`, `write`) run it.
public struct DataFrame {
    public let session: Session
    public let plan: LogicalPlan

    init(_ session: Session, _ plan: LogicalPlan) {
        self.session = session
        self.plan = plan
    }

    func with(_ p: LogicalPlan) -> DataFrame { DataFrame(session, p) }

    // MARK: Plans

    public func resolvedPlan() throws -> LogicalPlan {
        try session.analyzer().analyze(try session.expandSQL(plan))
    }

    public func optimizedPlan() throws -> LogicalPlan { try Optimizer().optimize(try resolvedPlan()) }

    public func schema() throws -> Schema { Schema(try resolvedPlan().output().map(\.field)) }

    public var columns: [String] { get throws { try schema().names } }

    public func printSchema() throws { print(try schema().treeString, terminator: "") }

    public func explainString(extended: Bool = false) throws -> String {
        let resolved = try resolvedPlan()
        let optimized = try Optimizer().optimize(resolved)
        let physical = try PhysicalPlanner(session.execContext()).plan(optimized)
        if !extended { return "== Physical Plan ==\n" + physical.treeString() }
        return "== Parsed Logical Plan ==\n" + PlanPrinter.tree(plan)
            + "\n== Analyzed Logical Plan ==\n" + PlanPrinter.tree(resolved)
            + "\n== Optimized Logical Plan ==\n" + PlanPrinter.tree(optimized)
            + "\n== Physical Plan ==\n" + physical.treeString()
    }

    public func explain(extended: Bool = false) throws { print(try explainString(extended: extended), terminator: "") }

    // MARK: Transformations

    public func select(_ cols: Column...) -> DataFrame { select(cols) }
    public func select(_ cols: [Column]) -> DataFrame { with(.project(plan, cols.map(\.expr))) }
    public func select(_ names: String...) -> DataFrame { select(names.map { Column.named($0) }) }

    public func selectExpr(_ exprs: String...) throws -> DataFrame {
        with(.project(plan, try exprs.map { try SQLParser.parseExpression($0) }))
    }

    public func filter(_ condition: Column) -> DataFrame { with(.filter(plan, condition.expr)) }
    public func filter(_ condition: String) throws -> DataFrame { with(.filter(plan, try SQLParser.parseExpression(condition))) }
    public func `where`(_ condition: Column) -> DataFrame { filter(condition) }
    public func `where`(_ condition: String) throws -> DataFrame { try filter(condition) }

    public func withColumn(_ name: String, _ col: Column) -> DataFrame {
        with(.withColumns(plan, [.alias(col.expr, name: name, id: nil)]))
    }

    public func withColumns(_ cols: [(String, Column)]) -> DataFrame {
        with(.withColumns(plan, cols.map { .alias($0.1.expr, name: $0.0, id: nil) }))
    }

    public func withColumnRenamed(_ existing: String, _ new: String) -> DataFrame {
        with(.withColumnsRenamed(plan, [(existing, new)]))
    }

    public func toDF(_ names: String...) -> DataFrame {
        with(.withColumnsRenamed(plan, names.enumerated().map { ("#\($0.offset)", $0.element) }))
    }

    public func drop(_ names: String...) -> DataFrame { with(.drop(plan, names)) }

    public func distinct() -> DataFrame { with(.deduplicate(plan, columns: [])) }
    public func dropDuplicates(_ cols: [String] = []) -> DataFrame { with(.deduplicate(plan, columns: cols)) }

    public func orderBy(_ cols: Column...) -> DataFrame { orderBy(cols) }
    public func orderBy(_ cols: [Column]) -> DataFrame { with(.sort(plan, cols.map(\.sortExpr), isGlobal: true)) }
    public func orderBy(_ names: String...) -> DataFrame { orderBy(names.map { Column.named($0) }) }
    public func sort(_ cols: Column...) -> DataFrame { orderBy(cols) }

    public func limit(_ n: Int) -> DataFrame { with(.limit(plan, n)) }
    public func offset(_ n: Int) -> DataFrame { with(.offset(plan, n)) }

    public func union(_ other: DataFrame) -> DataFrame {
        with(.setOperation(plan, other.plan, .union, isAll: true, byName: false, allowMissingColumns: false))
    }
    public func unionAll(_ other: DataFrame) -> DataFrame { union(other) }
    public func unionByName(_ other: DataFrame, allowMissingColumns: Bool = false) -> DataFrame {
        with(.setOperation(plan, other.plan, .union, isAll: true, byName: true, allowMissingColumns: allowMissingColumns))
    }
    public func intersect(_ other: DataFrame) -> DataFrame {
        with(.setOperation(plan, other.plan, .intersect, isAll: false, byName: false, allowMissingColumns: false))
    }
    public func subtract(_ other: DataFrame) -> DataFrame {
        with(.setOperation(plan, other.plan, .except, isAll: false, byName: false, allowMissingColumns: false))
    }
    public func exceptAll(_ other: DataFrame) -> DataFrame {
        with(.setOperation(plan, other.plan, .except, isAll: true, byName: false, allowMissingColumns: false))
    }

    /// Joins on an expression; `how` is one of Spark's join type strings.
    public func join(_ other: DataFrame, on condition: Column, how: String = "inner") throws -> DataFrame {
        guard let t = JoinType(spark: how) else { throw badJoinType(how) }
        return with(.join(plan, other.plan, t, condition: condition.expr, using: []))
    }

    /// Joins on equally named columns (`USING`).
    public func join(_ other: DataFrame, on columns: [String], how: String = "inner") throws -> DataFrame {
        guard let t = JoinType(spark: how) else { throw badJoinType(how) }
        return with(.join(plan, other.plan, t, condition: nil, using: columns))
    }

    public func join(_ other: DataFrame, on column: String, how: String = "inner") throws -> DataFrame {
        try join(other, on: [column], how: how)
    }

    public func crossJoin(_ other: DataFrame) -> DataFrame { with(.join(plan, other.plan, .cross, condition: nil, using: [])) }

    func badJoinType(_ how: String) -> EmberError {
        EmberError(errorClass: "UNSUPPORTED_JOIN_TYPE", sqlState: "0A000", message: "Unsupported join type '\(how)'. Supported join types include: 'inner', 'outer', 'full', 'fullouter', 'full_outer', 'leftouter', 'left', 'left_outer', 'rightouter', 'right', 'right_outer', 'leftsemi', 'left_semi', 'semi', 'leftanti', 'left_anti', 'anti', 'cross'.")
    }

    public func alias(_ name: String) -> DataFrame { with(.subqueryAlias(plan, name)) }

    public func groupBy(_ cols: Column...) -> GroupedData { GroupedData(df: self, keys: cols.map(\.expr), type: .groupBy) }
    public func groupBy(_ names: String...) -> GroupedData { GroupedData(df: self, keys: names.map { Column.named($0).expr }, type: .groupBy) }
    public func rollup(_ names: String...) -> GroupedData { GroupedData(df: self, keys: names.map { Column.named($0).expr }, type: .rollup) }
    public func cube(_ names: String...) -> GroupedData { GroupedData(df: self, keys: names.map { Column.named($0).expr }, type: .cube) }

    public func agg(_ cols: Column...) -> DataFrame { GroupedData(df: self, keys: [], type: .groupBy).agg(cols) }

    public func sample(fraction: Double, withReplacement: Bool = false, seed: Int64 = 0) -> DataFrame {
        with(.sample(plan, fraction: fraction, withReplacement: withReplacement, seed: seed))
    }

    /// Splits rows by weights, deterministic in `seed` (Spark's randomSplit).
    public func randomSplit(_ weights: [Double], seed: Int64 = 0) throws -> [DataFrame] {
        guard !weights.isEmpty, weights.allSatisfy({ $0 >= 0 }), weights.reduce(0, +) > 0 else {
            throw EmberError.invalidArgument("Weights must be nonnegative with a positive sum, got \(weights).")
        }
        let total = weights.reduce(0, +)
        var lower = 0.0
        return weights.map { w in
            let upper = lower + w / total
            defer { lower = upper }
            return with(.sampleRange(plan, lower: lower, upper: upper, seed: seed))
        }
    }

    public var na: DataFrameNaFunctions { DataFrameNaFunctions(df: self) }

    /// Keeps the result in memory after its first computation.
    public func cache() throws -> DataFrame {
        let resolved = try resolvedPlan()
        let batches = try collectBatches()
        let schema = Schema(try resolved.output().map(\.field))
        // The batches stay as computed (no concatenated copy); scans regroup them into
        // one partition per core.
        return session.createDataFrame(batches: batches.map { RecordBatch(schema: schema, columns: $0.columns, count: $0.count) }, schema: schema)
    }
    public func persist() throws -> DataFrame { try cache() }

    public func createOrReplaceTempView(_ name: String) throws {
        session.catalog.register(name, try resolvedPlan())
    }

    /// This frame over its analyzed plan: the views it reads are resolved now (as Spark
    /// analyzes eagerly), so dropping or replacing them later does not change it.
    public func analyzed() throws -> DataFrame { with(try resolvedPlan()) }

    // MARK: Actions

    /// Runs the query; the batches of every partition in order.
    public func collectBatches() throws -> [RecordBatch] {
        let ctx = session.execContext()
        let optimized = try optimizedPlan()
        let op = try PhysicalPlanner(ctx).plan(optimized)
        let schema = op.schema
        return try Driver.run(op, ctx).flatMap { $0 }.map { RecordBatch(schema: schema, columns: $0.columns, count: $0.count) }
    }

    public func collect() throws -> [Row] {
        let batches = try collectBatches()
        let schema = try self.schema()
        var rows: [Row] = []
        for b in batches { for i in 0..<b.count { rows.append(Row(values: b.row(i), schema: schema)) } }
        return rows
    }

    public func count() throws -> Int {
        try collectBatches().reduce(0) { $0 + $1.count }
    }

    public func first() throws -> Row? { try limit(1).collect().first }
    public func head(_ n: Int = 1) throws -> [Row] { try limit(n).collect() }
    public func take(_ n: Int) throws -> [Row] { try head(n) }

    /// Rows one batch at a time (Spark's toLocalIterator).
    public func toLocalIterator() throws -> AnyIterator<Row> {
        let batches = try collectBatches()
        let schema = try self.schema()
        var b = 0, i = 0
        return AnyIterator {
            while b < batches.count {
                if i < batches[b].count { defer { i += 1 }; return Row(values: batches[b].row(i), schema: schema) }
                b += 1; i = 0
            }
            return nil
        }
    }

    /// Spark's `show()` table.
    public func showString(_ n: Int = 20, truncate: Int = 20) throws -> String {
        let rows = try limit(n + 1).collect()
        let schema = try self.schema()
        return TableFormat.render(schema: schema, rows: rows.prefix(n).map(\.values), truncate: truncate, zone: session.config.timeZone, more: rows.count > n ? n : nil)
    }

    public func show(_ n: Int = 20, truncate: Bool = true) throws {
        print(try showString(n, truncate: truncate ? 20 : 0), terminator: "")
    }

    /// count, mean, stddev, min, max of numeric and string columns (Spark's describe()).
    public func describe(_ cols: String...) throws -> DataFrame {
        try statistics(["count", "mean", "stddev", "min", "max"], columns: cols)
    }

    /// Spark's summary(): describe() plus the 25%, 50% and 75% percentiles.
    public func summary(_ statistics: String...) throws -> DataFrame {
        try self.statistics(statistics.isEmpty ? ["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"] : statistics, columns: [])
    }

    func statistics(_ stats: [String], columns cols: [String]) throws -> DataFrame {
        let sch = try schema()
        let names = cols.isEmpty ? sch.fields.filter { $0.dataType.isNumeric || $0.dataType == .string }.map(\.name) : cols
        var aggs: [Column] = []
        for n in names {
            let c = Column.named(n)
            let numeric = sch.fields.first { $0.name == n }?.dataType.isNumeric ?? false
            for stat in stats {
                let none = Ember.lit(.null).cast(.string)
                switch stat {
                case "count": aggs.append(Ember.count(c).cast(.string))
                case "mean": aggs.append(numeric ? Ember.avg(c).cast(.string) : none)
                case "stddev": aggs.append(numeric ? Ember.stddev(c).cast(.string) : none)
                case "min": aggs.append(Ember.min(c).cast(.string))
                case "max": aggs.append(Ember.max(c).cast(.string))
                default:
                    guard stat.hasSuffix("%"), let p = Double(stat.dropLast()), p >= 0, p <= 100 else {
                        throw EmberError.invalidArgument("\(stat) is not a recognised statistic.")
                    }
                    aggs.append(numeric ? Ember.percentile_approx(c, p / 100).cast(.string) : none)
                }
            }
        }
        let row = try GroupedData(df: self, keys: [], type: .groupBy).agg(aggs).collect().first?.values ?? []
        var rows: [[Value]] = []
        for (s, stat) in stats.enumerated() {
            rows.append([.string(stat)] + names.indices.map { row[$0 * stats.count + s] })
        }
        return try session.createDataFrame(rows, schema: Schema([StructField("summary", .string)] + names.map { StructField($0, .string) }))
    }

    public var write: DataFrameWriter { DataFrameWriter(df: self) }
}

/// `groupBy(...)` awaiting its aggregates.
public struct GroupedData {
    let df: DataFrame
    let keys: [Expr]
    let type: GroupType

    public func agg(_ cols: Column...) -> DataFrame { agg(cols) }
    /// The grouping keys are the keys without their aliases (as Spark's `CleanupAliases`);
    /// the output keeps the aliased names.
    public func agg(_ cols: [Column]) -> DataFrame {
        let groupings = keys.map { key -> Expr in
            if case .alias(let e, _, _) = key { return e }
            return key
        }
        return df.with(.aggregate(df.plan, type, groupings: groupings, aggregates: keys + cols.map(\.expr)))
    }
    public func count() -> DataFrame { agg([Ember.count(Ember.lit(.int(1))).alias("count")]) }
    public func sum(_ c: String) -> DataFrame { agg([Ember.sum(Column.named(c))]) }
    public func avg(_ c: String) -> DataFrame { agg([Ember.avg(Column.named(c))]) }
    public func min(_ c: String) -> DataFrame { agg([Ember.min(Column.named(c))]) }
    public func max(_ c: String) -> DataFrame { agg([Ember.max(Column.named(c))]) }
}

public struct DataFrameNaFunctions {
    let df: DataFrame
    public func fill(_ value: Value, subset: [String] = []) -> DataFrame {
        df.with(.fillNa(df.plan, columns: subset, values: subset.isEmpty ? [value] : subset.map { _ in value }))
    }
    public func fill(_ values: [String: Value]) -> DataFrame {
        let keys = values.keys.sorted()
        return df.with(.fillNa(df.plan, columns: keys, values: keys.map { values[$0] ?? .null }))
    }
    /// `how`: "any" (default) or "all"; `thresh` overrides it.
    public func drop(how: String = "any", thresh: Int? = nil, subset: [String] = []) -> DataFrame {
        let min: Int? = thresh ?? (how == "all" ? 1 : nil)
        return df.with(.dropNa(df.plan, columns: subset, minNonNulls: min))
    }
}

/// One row of a result, with its schema for access by name.
public struct Row: Hashable, CustomStringConvertible {
    public let values: [Value]
    public let schema: Schema

    public subscript(i: Int) -> Value { values[i] }
    public subscript(name: String) -> Value? { schema.index(of: name).map { values[$0] } }
    public var count: Int { values.count }

    public var description: String {
        "Row(" + zip(schema.names, values).map { "\($0)=\(ValueFormat.sparkString($1, zone: .utc))" }.joined(separator: ", ") + ")"
    }
}
