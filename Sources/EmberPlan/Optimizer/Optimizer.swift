import EmberCore

/// A rewrite of a resolved plan that keeps its output.
public protocol OptimizerRule {
    var name: String { get }
    func apply(_ plan: LogicalPlan) throws -> LogicalPlan
}

/// Runs the rules in order (to a fixed point for the pushdown rules) and checks that
/// each kept the plan's output.
public struct Optimizer {
    /// The ordered rule list; `disabled` names rules to skip (for tests and debugging).
    public static let defaultRules: [OptimizerRule] = [
        RewriteSubqueries(),
        FoldLiteralCasts(),
        CombineFilters(),
        PushDownFilters(),
        CombineFilters(),
        PushFiltersIntoScans(),
        PushLimitIntoScans(),
        PruneScanColumns(),
    ]

    public var rules: [OptimizerRule]
    public var disabled: Set<String>

    public init(rules: [OptimizerRule] = Optimizer.defaultRules, disabled: Set<String> = []) {
        self.rules = rules
        self.disabled = disabled
    }

    public func optimize(_ plan: LogicalPlan) throws -> LogicalPlan {
        var p = plan
        let expected = try plan.output().map(\.id)
        for rule in rules where !disabled.contains(rule.name) {
            p = try rule.apply(p)
            guard try p.output().map(\.id) == expected else {
                throw EmberError.internalError("optimizer rule \(rule.name) changed the plan's output")
            }
        }
        return p
    }
}

extension LogicalPlan {
    /// Rebuilds this node with new children (same count and order as `children`).
    public func withChildren(_ k: [LogicalPlan]) -> LogicalPlan {
        switch self {
        case .project(_, let es): return .project(k[0], es)
        case .filter(_, let c): return .filter(k[0], c)
        case .aggregate(_, let t, let g, let a): return .aggregate(k[0], t, groupings: g, aggregates: a)
        case .sort(_, let o, let g): return .sort(k[0], o, isGlobal: g)
        case .limit(_, let n): return .limit(k[0], n)
        case .offset(_, let n): return .offset(k[0], n)
        case .subqueryAlias(_, let a): return .subqueryAlias(k[0], a)
        case .sample(_, let f, let r, let s): return .sample(k[0], fraction: f, withReplacement: r, seed: s)
        case .sampleRange(_, let l, let u, let s): return .sampleRange(k[0], lower: l, upper: u, seed: s)
        case .window(_, let ws): return .window(k[0], ws)
        case .join(_, _, let t, let c, let u): return .join(k[0], k[1], t, condition: c, using: u)
        case .setOperation(_, _, let t, let a, let b, let m): return .setOperation(k[0], k[1], t, isAll: a, byName: b, allowMissingColumns: m)
        case .deduplicate(_, let c): return .deduplicate(k[0], columns: c)
        case .withColumns(_, let e): return .withColumns(k[0], e)
        case .withColumnsRenamed(_, let r): return .withColumnsRenamed(k[0], r)
        case .drop(_, let c): return .drop(k[0], c)
        case .fillNa(_, let c, let v): return .fillNa(k[0], columns: c, values: v)
        case .dropNa(_, let c, let n): return .dropNa(k[0], columns: c, minNonNulls: n)
        case .with(_, let ctes): return .with(k[0], ctes)
        case .generate(_, let g, let o, let q, let n, let out): return .generate(k[0], generator: g, outer: o, qualifier: q, names: n, output: out)
        case .existenceJoin(_, _, let c, let e): return .existenceJoin(k[0], k[1], condition: c, exists: e)
        case .recursiveUnion(_, _, let ref, let out): return .recursiveUnion(anchor: k[0], recursive: k[1], reference: ref, output: out)
        case .recursiveCTE: return .recursiveCTE(k[0])
        default: return self
        }
    }

    public func transformUp(_ f: (LogicalPlan) throws -> LogicalPlan) rethrows -> LogicalPlan {
        let kids = children
        if case .with = self { return try f(self) }
        let node = kids.isEmpty ? self : withChildren(try kids.map { try $0.transformUp(f) })
        return try f(node)
    }

    public func transformDown(_ f: (LogicalPlan) throws -> LogicalPlan) rethrows -> LogicalPlan {
        let node = try f(self)
        if case .with = node { return node }
        let kids = node.children
        return kids.isEmpty ? node : node.withChildren(try kids.map { try $0.transformDown(f) })
    }
}

func splitConjuncts(_ e: Expr) -> [Expr] {
    if case .call(let c) = e, c.name == "and" { return c.args.flatMap(splitConjuncts) }
    return [e]
}

func conjunction(_ es: [Expr]) -> Expr? {
    guard let first = es.first else { return nil }
    return es.dropFirst().reduce(first) { .call(FunctionCall(name: "and", args: [$0, $1], dataType: .boolean, nullable: $0.nullable || $1.nullable)) }
}

extension Expr {
    /// True when the expression can be evaluated anywhere, any number of times.
    var isPushable: Bool {
        !contains { e in
            switch e {
            case .scalarSubquery, .exists, .inSubquery, .outerReference, .window: return true
            case .call(let c): return c.kind != .scalar || Functions.nondeterministic.contains(c.name)
            default: return false
            }
        }
    }
}
