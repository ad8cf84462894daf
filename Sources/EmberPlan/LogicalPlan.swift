import EmberCore

/// A logical plan. The relation cases mirror Spark Connect's `Relation` message; the
/// analyzer replaces names with attributes and adds the resolved-only cases at the end.
public indirect enum LogicalPlan: Hashable {
    // MARK: Spark Connect mirror
    /// Reads files (`spark.read.format(...).load(...)`).
    case read(DataSource)
    /// A named table or temporary view, resolved through the catalog.
    case unresolvedRelation([String])
    /// Rows supplied by the program (`createDataFrame`, `VALUES`).
    case localRelation(LocalRelation)
    /// `spark.range(start, end, step)`.
    case range(start: Int64, end: Int64, step: Int64, numPartitions: Int?)
    case project(LogicalPlan, [Expr])
    case filter(LogicalPlan, Expr)
    case join(LogicalPlan, LogicalPlan, JoinType, condition: Expr?, using: [String])
    case aggregate(LogicalPlan, GroupType, groupings: [Expr], aggregates: [Expr])
    case sort(LogicalPlan, [Expr], isGlobal: Bool)
    case limit(LogicalPlan, Int)
    case offset(LogicalPlan, Int)
    case setOperation(LogicalPlan, LogicalPlan, SetOperationType, isAll: Bool, byName: Bool, allowMissingColumns: Bool)
    /// `distinct()` (columns empty) or `dropDuplicates(columns)`.
    case deduplicate(LogicalPlan, columns: [String])
    /// `withColumn(s)`: aliases that replace same-named columns or append.
    case withColumns(LogicalPlan, [Expr])
    case withColumnsRenamed(LogicalPlan, [(String, String)])
    /// `drop(...)` by column names.
    case drop(LogicalPlan, [String])
    case subqueryAlias(LogicalPlan, String)
    case sample(LogicalPlan, fraction: Double, withReplacement: Bool, seed: Int64)
    /// Keeps rows where a uniform draw in [lower, upper) falls (used by randomSplit).
    case sampleRange(LogicalPlan, lower: Double, upper: Double, seed: Int64)
    /// `na.fill`: values per column name (empty names = every column of a matching type).
    case fillNa(LogicalPlan, columns: [String], values: [Value])
    /// `na.drop`: drop rows with fewer than `minNonNulls` non-null values among `columns` (empty = all).
    case dropNa(LogicalPlan, columns: [String], minNonNulls: Int?)
    /// Raw SQL text (Spark Connect's `SQL` relation), parsed by the session.
    case sql(String)
    /// A common table expression scope: `WITH name AS (...) query`.
    case with(LogicalPlan, [(String, LogicalPlan)])
    /// `VALUES (...), (...)` rows of expressions.
    case values([[Expr]], names: [String])

    // MARK: Resolved only
    /// A resolved scan of a relation with its output attributes; `filters` and
    /// `requiredColumns` are pushed down by the optimizer.
    case scan(ScanNode)
    /// Window evaluation: appends `windowExprs` (aliases of `.window`) to the input.
    case window(LogicalPlan, [Expr])
    /// A plan whose result the session has cached, by key.
    case cached(CachedRelation)
    /// A generator (explode, posexplode, inline and their `_outer` forms) applied to each
    /// child row: the child's columns followed by the generated ones. `names` are the
    /// aliases given (`LATERAL VIEW … t AS a, b`); `output` is empty until resolved.
    case generate(LogicalPlan, generator: Expr, outer: Bool, qualifier: String?, names: [String], output: [Attribute])
    /// Left rows plus one boolean column telling whether some right row satisfies the
    /// condition (Spark's ExistenceJoin): `x IN (subquery)` or EXISTS used as a value.
    case existenceJoin(LogicalPlan, LogicalPlan, condition: Expr, exists: Attribute)
    /// `WITH RECURSIVE`: `anchor` UNION ALL `recursive`, where `recursive` reads the rows of
    /// the previous step from the scan whose local data is the `reference` box; repeated
    /// until a step adds no rows.
    case recursiveUnion(anchor: LogicalPlan, recursive: LogicalPlan, reference: AnyHashableBox, output: [Attribute])
    /// `WITH RECURSIVE name AS (…)` before analysis (a CTE definition that may read itself).
    case recursiveCTE(LogicalPlan)

    public static func == (a: LogicalPlan, b: LogicalPlan) -> Bool { a.identityKey == b.identityKey }
    public func hash(into h: inout Hasher) { h.combine(identityKey) }

    /// Structural text used for equality (plans are compared rarely: cache lookups, tests).
    var identityKey: String { PlanPrinter.tree(self, verbose: true) }
}

extension LogicalPlan {
    // Manual Hashable for tuple payloads; these helpers keep call sites readable.
    public var children: [LogicalPlan] {
        switch self {
        case .read, .unresolvedRelation, .localRelation, .range, .sql, .values, .scan, .cached: return []
        case .project(let c, _), .filter(let c, _), .aggregate(let c, _, _, _), .sort(let c, _, _),
            .limit(let c, _), .offset(let c, _), .deduplicate(let c, _), .withColumns(let c, _),
            .withColumnsRenamed(let c, _), .drop(let c, _), .subqueryAlias(let c, _), .sample(let c, _, _, _),
            .sampleRange(let c, _, _, _), .fillNa(let c, _, _), .dropNa(let c, _, _), .window(let c, _):
            return [c]
        case .with(let c, let ctes): return [c] + ctes.map(\.1)
        case .join(let l, let r, _, _, _), .setOperation(let l, let r, _, _, _, _), .existenceJoin(let l, let r, _, _): return [l, r]
        case .generate(let c, _, _, _, _, _), .recursiveCTE(let c): return [c]
        case .recursiveUnion(let a, let r, _, _): return [a, r]
        }
    }

    /// The output attributes of a resolved plan (empty for unresolved nodes).
    public var outputIfResolved: [Attribute] { (try? output()) ?? [] }
}

public enum JoinType: String, Hashable, Sendable, CaseIterable {
    case inner, leftOuter = "left", rightOuter = "right", fullOuter = "full", leftSemi = "left_semi",
        leftAnti = "left_anti", cross

    /// Parses the strings Spark's `join(how=)` accepts.
    public init?(spark: String) {
        switch spark.lowercased().replacingOccurrences(of: "_", with: "") {
        case "inner": self = .inner
        case "left", "leftouter": self = .leftOuter
        case "right", "rightouter": self = .rightOuter
        case "full", "outer", "fullouter": self = .fullOuter
        case "semi", "leftsemi": self = .leftSemi
        case "anti", "leftanti": self = .leftAnti
        case "cross": self = .cross
        default: return nil
        }
    }

    public var sqlName: String {
        switch self {
        case .inner: return "Inner"
        case .leftOuter: return "LeftOuter"
        case .rightOuter: return "RightOuter"
        case .fullOuter: return "FullOuter"
        case .leftSemi: return "LeftSemi"
        case .leftAnti: return "LeftAnti"
        case .cross: return "Cross"
        }
    }
}

public enum GroupType: Hashable, Sendable {
    case groupBy, rollup, cube
    /// `GROUPING SETS ((a), (a, b), ())`: each set as indices into the grouping expressions.
    case groupingSets([[Int]])
}

extension JoinType {
    /// The `using` list of a NATURAL join before analysis: the analyzer replaces it with
    /// the column names both sides share.
    public static let naturalUsing = ["\u{1}natural"]
}

public enum SetOperationType: Hashable, Sendable {
    case union, intersect, except
}

/// A file source: `format` is csv, json, parquet, text; `options` as Spark's reader options.
public struct DataSource: Hashable {
    public var format: String
    public var paths: [String]
    public var schema: Schema?
    public var options: [String: String]

    public init(format: String, paths: [String], schema: Schema? = nil, options: [String: String] = [:]) {
        self.format = format
        self.paths = paths
        self.schema = schema
        self.options = options
    }
}

/// In-memory rows. The payload is opaque to the plan layer (the execution layer keeps
/// columnar batches there); the plan sees only the schema.
public struct LocalRelation: Hashable {
    public var schema: Schema
    public var data: AnyHashableBox
    public var rowCount: Int

    public init(schema: Schema, data: AnyHashableBox, rowCount: Int) {
        self.schema = schema
        self.data = data
        self.rowCount = rowCount
    }
}

/// Identity-compared box for data the plan carries but does not look into.
public final class AnyHashableBox: Hashable {
    public let value: Any
    public init(_ value: Any) { self.value = value }
    public static func == (a: AnyHashableBox, b: AnyHashableBox) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

/// A resolved scan of a file source or local relation.
public struct ScanNode: Hashable {
    public enum Source: Hashable {
        case files(DataSource)
        case local(LocalRelation)
        case range(start: Int64, end: Int64, step: Int64, numPartitions: Int?)
        /// Rows of constant expressions (`VALUES`, `SELECT` without `FROM`).
        case values([[Expr]])
    }
    public var source: Source
    /// Every attribute the source can produce, in source order.
    public var fullOutput: [Attribute]
    /// Indices into `fullOutput` this scan must produce (column pruning).
    public var requiredColumns: [Int]
    /// Conjuncts pushed into the scan (evaluated on its batches before anything else).
    public var filters: [Expr]
    /// Row limit pushed into the scan, if any.
    public var limit: Int?

    public init(source: Source, fullOutput: [Attribute]) {
        self.source = source
        self.fullOutput = fullOutput
        self.requiredColumns = Array(fullOutput.indices)
        self.filters = []
        self.limit = nil
    }

    public var output: [Attribute] { requiredColumns.map { fullOutput[$0] } }
}

/// A plan whose rows the session keeps in memory after its first run (`cache()`).
public struct CachedRelation: Hashable {
    public var output: [Attribute]
    public var plan: LogicalPlan
    public var store: AnyHashableBox

    public init(output: [Attribute], plan: LogicalPlan, store: AnyHashableBox) {
        self.output = output
        self.plan = plan
        self.store = store
    }
}
