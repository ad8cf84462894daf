import EmberCore

/// Turns subquery expressions the executor cannot run as constants into joins, as Spark's
/// `RewriteCorrelatedScalarSubquery` and `RewritePredicateSubquery`:
/// - a correlated scalar subquery over an aggregate becomes a left outer join with that
///   aggregate grouped by the correlation keys (with Spark's fix for `count` on no rows);
/// - `x IN (subquery)`, `NOT IN` and `EXISTS` used as values (in a SELECT list or under
///   OR/NOT in WHERE) become existence joins that add a boolean column.
/// Top-level WHERE conjuncts keep their semi/anti-join planning.
struct RewriteSubqueries: OptimizerRule {
    let name = "RewriteSubqueries"

    func apply(_ plan: LogicalPlan) throws -> LogicalPlan {
        try plan.transformUp { p in
            switch p {
            case .project(let child, let items):
                guard items.contains(where: needsRewrite) else { return p }
                var c = child
                let newItems = try items.map { try rewrite($0, &c) }
                return .project(c, newItems)
            case .filter(let child, let cond):
                let parts = splitConjuncts(cond)
                // Conjuncts that are themselves IN/EXISTS (possibly negated) stay semi/anti joins.
                guard parts.contains(where: { !isPredicateSubquery($0) && needsRewrite($0) }) else { return p }
                var c = child
                let newParts = try parts.map { isPredicateSubquery($0) ? $0 : try rewrite($0, &c) }
                guard let newCond = conjunction(newParts) else { return p }
                return .project(.filter(c, newCond), try child.output().map(Expr.attribute))
            default:
                return p
            }
        }
    }

    func isPredicateSubquery(_ e: Expr) -> Bool {
        switch e {
        case .exists, .inSubquery: return true
        case .call(let c) where c.name == "not" && c.args.count == 1:
            if case .exists = c.args[0] { return true }
            if case .inSubquery = c.args[0] { return true }
            return false
        default: return false
        }
    }

    func needsRewrite(_ e: Expr) -> Bool {
        e.contains { x in
            switch x {
            case .exists, .inSubquery: return true
            case .scalarSubquery(let p): return p.readsOuterReferences
            default: return false
            }
        }
    }

    /// Replaces the subqueries of `e` with columns of joins added on top of `child`.
    func rewrite(_ e: Expr, _ child: inout LogicalPlan) throws -> Expr {
        var c = child
        let out = try e.transformDown { node -> Expr? in
            switch node {
            case .call(let f) where f.name == "not" && f.args.count == 1:
                guard case .inSubquery(let vals, let sub) = f.args[0] else { return nil }
                let exists = try existenceJoin(&c, vals, sub, nullAware: true)
                return .call(FunctionCall(name: "not", args: [exists], dataType: .boolean, nullable: false))
            case .inSubquery(let vals, let sub):
                return try existenceJoin(&c, vals, sub, nullAware: false)
            case .exists(let sub):
                return try existenceJoin(&c, [], sub, nullAware: false)
            case .scalarSubquery(let sub) where sub.readsOuterReferences:
                return try scalarJoin(&c, sub)
            default:
                return nil
            }
        }
        child = c
        return out
    }

    /// Adds an existence join for `vals IN (sub)` (or EXISTS when `vals` is empty) and
    /// returns its boolean column. `nullAware` (NOT IN) also counts an unknown comparison
    /// as a match, so that `NOT exists` is false whenever SQL's NOT IN is not true.
    func existenceJoin(_ child: inout LogicalPlan, _ vals: [Expr], _ sub: LogicalPlan, nullAware: Bool) throws -> Expr {
        let (body, correlated) = sub.pullOuterPredicates()
        let conds = LogicalPlan.membershipConditions(vals, try body.output(), nullAware: nullAware)
            + correlated.map(\.strippingOuterReferences)
        let exists = Attribute.fresh("exists", .boolean, nullable: false)
        child = .existenceJoin(child, body, condition: conjunction(conds) ?? .literal(.boolean(true), .boolean), exists: exists)
        return .attribute(exists)
    }

    /// `(SELECT agg FROM … WHERE inner.k = outer.k)` → left outer join with the aggregate
    /// grouped by `inner.k`; returns the expression that reads its value.
    func scalarJoin(_ child: inout LogicalPlan, _ sub: LogicalPlan) throws -> Expr {
        var node = sub
        while case .subqueryAlias(let c, _) = node { node = c }
        guard case .aggregate(let inner, .groupBy, let groupings, let aggs) = node, groupings.isEmpty, aggs.count == 1 else {
            throw EmberError.unsupported("Correlated scalar subqueries must be aggregates without GROUP BY.")
        }
        let (body, correlated) = inner.pullOuterPredicates()
        let bodyIds = Set(try body.output().map(\.id))
        var innerKeys: [Attribute] = [], outerKeys: [Expr] = []
        for pred in correlated {
            guard case .call(let f) = pred, f.name == "==", f.args.count == 2 else {
                throw EmberError.unsupported("Correlated scalar subqueries support only equality correlation predicates.")
            }
            let (a, b) = (f.args[0], f.args[1])
            func innerAttr(_ x: Expr) -> Attribute? {
                if case .attribute(let at) = x, bodyIds.contains(at.id) { return at }
                if case .cast(.attribute(let at), _, _) = x, bodyIds.contains(at.id) { return at }
                return nil
            }
            func isOuter(_ x: Expr) -> Bool { x.references.isEmpty && x.contains { if case .outerReference = $0 { return true }; return false } }
            if let ia = innerAttr(a), isOuter(b) {
                innerKeys.append(ia); outerKeys.append(.call(FunctionCall(name: "==", args: [b.strippingOuterReferences, a], dataType: .boolean)))
            } else if let ib = innerAttr(b), isOuter(a) {
                innerKeys.append(ib); outerKeys.append(.call(FunctionCall(name: "==", args: [a.strippingOuterReferences, b], dataType: .boolean)))
            } else {
                throw EmberError.unsupported("Correlated scalar subqueries support only `inner column = outer expression` predicates.")
            }
        }
        let item = aggs[0]
        let value = try item.toAttribute()
        let marker = Expr.alias(.literal(.boolean(true), .boolean), name: "alwaysTrue", id: ExprIds.next())
        let agg = LogicalPlan.aggregate(body, .groupBy, groupings: innerKeys.map(Expr.attribute), aggregates: innerKeys.map(Expr.attribute) + [item, marker])
        child = .join(child, agg, .leftOuter, condition: conjunction(outerKeys), using: [])
        // The count bug: with no matching rows the join gives NULL, but the aggregate over
        // no rows is not always NULL (count is 0).
        let body0: Expr = { if case .alias(let x, _, _) = item { return x }; return item }()
        var sawNonNullEmpty = false
        let empty = body0.transformDown { n -> Expr? in
            guard case .call(let c) = n, c.kind == .aggregate else { return nil }
            if ["count", "count_if", "regr_count", "approx_count_distinct"].contains(c.name) {
                sawNonNullEmpty = true
                return .literal(.long(0), .long)
            }
            return .literal(.null, c.dataType)
        }
        guard sawNonNullEmpty else { return .attribute(value) }
        let missing = Expr.call(FunctionCall(name: "isnull", args: [.attribute(try marker.toAttribute())], dataType: .boolean, nullable: false))
        return .call(FunctionCall(name: "if", args: [missing, TypeCoercion.cast(empty, to: value.dataType), .attribute(value)], dataType: value.dataType, nullable: true))
    }
}

extension LogicalPlan {
    /// True when an expression of this plan (not of nested subqueries) reads an enclosing query's column.
    var readsOuterReferences: Bool {
        var found = false
        func visit(_ p: LogicalPlan) {
            let exprs: [Expr]
            switch p {
            case .project(_, let es), .aggregate(_, _, _, let es), .sort(_, let es, _), .window(_, let es): exprs = es
            case .filter(_, let e): exprs = [e]
            case .join(_, _, _, let c?, _): exprs = [c]
            default: exprs = []
            }
            if exprs.contains(where: { $0.contains { if case .outerReference = $0 { return true }; return false } }) { found = true }
            p.children.forEach(visit)
        }
        visit(self)
        return found
    }

    /// The join conditions of `vals IN (subquery columns)`: equalities after Spark's
    /// comparison coercion; `nullAware` (NOT IN) also matches an unknown comparison, so a
    /// row is excluded when the comparison is true or NULL.
    public static func membershipConditions(_ vals: [Expr], _ columns: [Attribute], nullAware: Bool) -> [Expr] {
        zip(vals, columns).map { v, a in
            let t = TypeCoercion.comparable(v.dataType, a.dataType) ?? v.dataType
            let eq = Expr.call(FunctionCall(name: "==", args: [TypeCoercion.cast(v, to: t), TypeCoercion.cast(.attribute(a), to: t)], dataType: .boolean))
            guard nullAware else { return eq }
            let unknown = Expr.call(FunctionCall(name: "isnull", args: [eq], dataType: .boolean, nullable: false))
            return .call(FunctionCall(name: "or", args: [eq, unknown], dataType: .boolean))
        }
    }

    /// Removes the filter conjuncts that read outer columns (through projections and
    /// aliases), returning them; projections keep the inner columns those conjuncts read.
    public func pullOuterPredicates() -> (LogicalPlan, [Expr]) {
        func readsOuter(_ e: Expr) -> Bool { e.contains { if case .outerReference = $0 { return true }; return false } }
        switch self {
        case .filter(let c, let cond):
            let (inner, pulled) = c.pullOuterPredicates()
            var keep: [Expr] = [], out = pulled
            for conj in splitConjuncts(cond) { if readsOuter(conj) { out.append(conj) } else { keep.append(conj) } }
            return (conjunction(keep).map { .filter(inner, $0) } ?? inner, out)
        case .project(let c, let es):
            let (inner, pulled) = c.pullOuterPredicates()
            if pulled.isEmpty { return (self, []) }
            var items = es
            let have = Set(es.compactMap { try? $0.toAttribute().id })
            let innerOut = inner.outputIfResolved
            for id in pulled.reduce(into: Set<Int>(), { $0.formUnion($1.references) }) where !have.contains(id) {
                if let a = innerOut.first(where: { $0.id == id }) { items.append(.attribute(a)) }
            }
            return (.project(inner, items), pulled)
        case .subqueryAlias(let c, let n):
            let (inner, pulled) = c.pullOuterPredicates()
            return (.subqueryAlias(inner, n), pulled)
        default:
            return (self, [])
        }
    }
}

extension Expr {
    /// Outer references read as ordinary columns (once the subquery is joined to its outer query).
    public var strippingOuterReferences: Expr {
        transformUp { if case .outerReference(let a) = $0 { return .attribute(a) }; return $0 }
    }
}
