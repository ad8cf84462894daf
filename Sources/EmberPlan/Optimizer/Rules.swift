import EmberCore

/// `Filter(Filter(x, a), b)` → `Filter(x, a AND b)`.
struct CombineFilters: OptimizerRule {
    let name = "CombineFilters"
    func apply(_ plan: LogicalPlan) throws -> LogicalPlan {
        plan.transformUp { p in
            if case .filter(.filter(let c, let a), let b) = p, let both = conjunction([a, b]) { return .filter(c, both) }
            return p
        }
    }
}

/// Moves filter conjuncts below projections and into the sides of joins they read.
struct PushDownFilters: OptimizerRule {
    let name = "PushDownFilters"
    func apply(_ plan: LogicalPlan) throws -> LogicalPlan {
        try plan.transformDown { p in
            guard case .filter(let child, let cond) = p else { return p }
            let parts = splitConjuncts(cond)
            switch child {
            case .project(let grand, let items):
                // Substitute aliases; push what is deterministic.
                var map: [Int: Expr] = [:]
                for i in items { if case .alias(let e, _, let id?) = i, e.isPushable { map[id] = e } }
                let projectable = items.allSatisfy { if case .alias(let e, _, _) = $0 { return e.isPushable }; return true }
                guard projectable else { return p }
                var pushed: [Expr] = [], kept: [Expr] = []
                for c in parts {
                    if !c.isPushable { kept.append(c); continue }
                    let sub = c.transformUp { e in if case .attribute(let a) = e, let r = map[a.id] { return r }; return e }
                    pushed.append(sub)
                }
                guard let pc = conjunction(pushed) else { return p }
                let inner = LogicalPlan.project(.filter(grand, pc), items)
                return conjunction(kept).map { .filter(inner, $0) } ?? inner
            case .subqueryAlias(let grand, let a):
                return .subqueryAlias(.filter(grand, cond), a)
            case .join(let l, let r, let t, let jc, let u):
                let lIds = Set(try l.output().map(\.id)), rIds = Set(try r.output().map(\.id))
                var toL: [Expr] = [], toR: [Expr] = [], kept: [Expr] = []
                let canLeft = [.inner, .cross, .leftOuter, .leftSemi, .leftAnti].contains(t)
                let canRight = [.inner, .cross, .rightOuter].contains(t)
                for c in parts {
                    let refs = c.references
                    if c.isPushable && !refs.isEmpty && refs.isSubset(of: lIds) && canLeft { toL.append(c) } else if c.isPushable && !refs.isEmpty && refs.isSubset(of: rIds) && canRight { toR.append(c) } else { kept.append(c) }
                }
                if toL.isEmpty && toR.isEmpty { return p }
                let nl = conjunction(toL).map { LogicalPlan.filter(l, $0) } ?? l
                let nr = conjunction(toR).map { LogicalPlan.filter(r, $0) } ?? r
                let j = LogicalPlan.join(nl, nr, t, condition: jc, using: u)
                return conjunction(kept).map { .filter(j, $0) } ?? j
            default:
                return p
            }
        }
    }
}

/// `Filter(Scan)` → a scan that evaluates the conjuncts on its own batches.
struct PushFiltersIntoScans: OptimizerRule {
    let name = "PushFiltersIntoScans"
    func apply(_ plan: LogicalPlan) throws -> LogicalPlan {
        plan.transformUp { p in
            guard case .filter(.scan(var s), let cond) = p, s.limit == nil else { return p }
            let parts = splitConjuncts(cond)
            let push = parts.filter(\.isPushable), keep = parts.filter { !$0.isPushable }
            if push.isEmpty { return p }
            s.filters += push
            return conjunction(keep).map { .filter(.scan(s), $0) } ?? .scan(s)
        }
    }
}

/// `Limit(Scan)` / `Limit(Project(Scan))` → the scan stops early.
struct PushLimitIntoScans: OptimizerRule {
    let name = "PushLimitIntoScans"
    func apply(_ plan: LogicalPlan) throws -> LogicalPlan {
        plan.transformUp { p in
            switch p {
            case .limit(.scan(var s), let n):
                s.limit = min(s.limit ?? n, n)
                return .limit(.scan(s), n)
            case .limit(.project(.scan(var s), let items), let n) where items.allSatisfy(\.isPushable):
                s.limit = min(s.limit ?? n, n)
                return .limit(.project(.scan(s), items), n)
            default: return p
            }
        }
    }
}

/// Scans produce only the columns something above reads (attribute ids are unique, so
/// one set of every referenced id decides).
struct PruneScanColumns: OptimizerRule {
    let name = "PruneScanColumns"
    func apply(_ plan: LogicalPlan) throws -> LogicalPlan {
        var used = Set(try plan.output().map(\.id))
        func collect(_ p: LogicalPlan) {
            switch p {
            case .project(_, let es), .aggregate(_, _, _, let es), .sort(_, let es, _), .window(_, let es):
                for e in es { used.formUnion(e.allReferences) }
                if case .aggregate(_, _, let g, _) = p { for e in g { used.formUnion(e.allReferences) } }
            case .filter(_, let e): used.formUnion(e.allReferences)
            case .join(let l, let r, _, let c, _):
                if let c { used.formUnion(c.allReferences) }
                // A set operation or join output passes columns through by position.
                _ = (l, r)
            case .setOperation(let l, let r, _, _, _, _):
                used.formUnion(l.outputIfResolved.map(\.id)); used.formUnion(r.outputIfResolved.map(\.id))
            case .scan(let s): for f in s.filters { used.formUnion(f.allReferences) }
            case .generate(_, let g, _, _, _, _): used.formUnion(g.allReferences)
            case .existenceJoin(_, _, let c, _): used.formUnion(c.allReferences)
            case .recursiveUnion(let a, let r, _, _):
                // Rows flow between the steps by position: keep every column of both sides.
                used.formUnion(a.outputIfResolved.map(\.id)); used.formUnion(r.outputIfResolved.map(\.id))
            default: break
            }
            for c in p.children { collect(c) }
        }
        collect(plan)
        return plan.transformUp { p in
            guard case .scan(var s) = p else { return p }
            let keep = s.requiredColumns.filter { used.contains(s.fullOutput[$0].id) }
            // Keep at least one column so row counts survive; file readers count rows
            // without reading any column (as Spark's, e.g. JSON's count(*) in DROPMALFORMED).
            if keep.isEmpty, case .files = s.source {
                s.requiredColumns = []
            } else {
                s.requiredColumns = keep.isEmpty ? Array(s.requiredColumns.prefix(1)) : keep
            }
            return .scan(s)
        }
    }
}

extension Expr {
    /// Attribute ids read anywhere inside, subquery plans included.
    var allReferences: Set<Int> {
        var out = Set<Int>()
        func walk(_ e: Expr) {
            switch e {
            case .attribute(let a), .outerReference(let a): out.insert(a.id)
            case .scalarSubquery(let p), .exists(let p): out.formUnion(p.allReferencedIds)
            case .inSubquery(_, let p): out.formUnion(p.allReferencedIds)
            default: break
            }
            for c in e.children { walk(c) }
        }
        walk(self)
        return out
    }
}

extension LogicalPlan {
    var allReferencedIds: Set<Int> {
        var out = Set(outputIfResolved.map(\.id))
        switch self {
        case .project(_, let es), .aggregate(_, _, _, let es), .sort(_, let es, _), .window(_, let es): for e in es { out.formUnion(e.allReferences) }
        case .filter(_, let e): out.formUnion(e.allReferences)
        case .join(_, _, _, let c?, _): out.formUnion(c.allReferences)
        case .scan(let s): for f in s.filters { out.formUnion(f.allReferences) }
        case .generate(_, let g, _, _, _, _): out.formUnion(g.allReferences)
        case .existenceJoin(_, _, let c, _): out.formUnion(c.allReferences)
        default: break
        }
        if case .aggregate(_, _, let g, _) = self { for e in g { out.formUnion(e.allReferences) } }
        for c in children { out.formUnion(c.allReferencedIds) }
        return out
    }
}

/// Folds casts of numeric literals to wider numeric types (`CAST(3 AS BIGINT)` → `3L`),
/// so plans read as written and pushed filters compare against plain constants.
/// Anything that could fail or depends on the session (strings, dates) is left alone.
struct FoldLiteralCasts: OptimizerRule {
    let name = "FoldLiteralCasts"
    func apply(_ plan: LogicalPlan) throws -> LogicalPlan {
        plan.transformUp { p in p.mapExpressions { $0.transformUp(FoldLiteralCasts.fold) } }
    }

    static func fold(_ e: Expr) -> Expr {
        guard case .cast(.literal(let v, let from), let to, _) = e, from.isNumeric, to.isNumeric else { return e }
        if case .null = v { return .literal(.null, to) }
        switch to {
        case .long: if from.isIntegral, let x = v.int64Value { return .literal(.long(x), .long) }
        case .double:
            if from.isIntegral, let x = v.int64Value, abs(x) < (1 << 53) { return .literal(.double(Double(x)), .double) }
            if from == .float, case .float(let f) = v { return .literal(.double(Double(f)), .double) }
        case .decimal(let p, let s):
            if from.isIntegral, let x = v.int64Value, let d = Decimal128(unscaled: Int128(x), scale: 0).rescaled(to: s, precision: p) {
                return .literal(.decimal(d), to)
            }
            if case .decimal(let dv) = v, let d = dv.rescaled(to: s, precision: p), s >= dv.scale { return .literal(.decimal(d), to) }
        case .int: if from == .short || from == .byte, let x = v.int64Value { return .literal(.int(Int32(x)), .int) }
        default: break
        }
        return e
    }
}

extension LogicalPlan {
    /// This node with `f` applied to each of its own expressions (not its children's).
    func mapExpressions(_ f: (Expr) -> Expr) -> LogicalPlan {
        switch self {
        case .project(let c, let es): return .project(c, es.map(f))
        case .filter(let c, let e): return .filter(c, f(e))
        case .aggregate(let c, let t, let g, let a): return .aggregate(c, t, groupings: g.map(f), aggregates: a.map(f))
        case .sort(let c, let os, let g): return .sort(c, os.map(f), isGlobal: g)
        case .join(let l, let r, let t, let cond, let u): return .join(l, r, t, condition: cond.map(f), using: u)
        case .window(let c, let ws): return .window(c, ws.map(f))
        case .scan(var s):
            s.filters = s.filters.map(f)
            return .scan(s)
        default: return self
        }
    }
}
