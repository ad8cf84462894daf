import EmberColumnar
import EmberCore
import EmberPlan

/// Turns an optimized logical plan into physical operators: chooses broadcast or
/// shuffled hash joins by size, places exchanges under aggregates and windows, and
/// runs uncorrelated subqueries first so their values become constants.
public final class PhysicalPlanner {
    let ctx: ExecContext

    public init(_ ctx: ExecContext) { self.ctx = ctx }

    public func plan(_ p: LogicalPlan) throws -> PhysicalOperator {
        switch p {
        case .scan(let s): return try ScanExec(try substituteSubqueries(s), ctx: ctx)
        case .project(let c, let es):
            let exprs = try es.map { try substitute($0) }
            return try ProjectExec(try planNeeding(c, exprs.reduce(into: Set<Int>()) { $0.formUnion($1.references) }), exprs)
        case .filter(let c, let cond):
            return try planFilter(c, cond)
        case .subqueryAlias(let c, _): return try plan(c)
        case .aggregate(let c, _, let groupings, let aggs):
            return try planAggregate(c, groupings, aggs)
        case .sort(let c, let orders, let global):
            return try SortExec(try plan(c), orders: try orders.map { try substitute($0) }, global: global)
        case .limit(.offset(let c, let off), let n):
            return LimitExec(try plan(c), limit: n, offset: off)
        case .limit(let c, let n): return LimitExec(try plan(c), limit: n)
        case .offset(let c, let n): return LimitExec(try plan(c), limit: Int.max, offset: n)
        case .join(let l, let r, let type, let cond, _):
            return try planJoin(l, r, type, cond, output: try p.output())
        case .setOperation(let l, let r, .union, _, _, _):
            var kids: [PhysicalOperator] = []
            func collect(_ x: LogicalPlan) throws {
                if case .setOperation(let a, let b, .union, true, false, _) = x { try collect(a); try collect(b) } else { kids.append(try plan(x)) }
            }
            try collect(l); try collect(r)
            return UnionExec(kids, output: try p.output())
        case .window(let c, let ws):
            let child = try plan(c)
            var specs: [WindowSpec] = []
            for w in ws { if case .alias(.window(_, let s), _, _) = w { specs.append(s) } }
            let keys = specs.first?.partitionBy ?? []
            let sameKeys = specs.allSatisfy { $0.partitionBy == keys }
            let ex = try ExchangeExec(child, keys: sameKeys ? keys : [], partitions: ctx.config.shufflePartitions)
            return try WindowExec(ex, ws)
        case .sample(let c, let f, _, let seed):
            return SampleExec(try plan(c), lower: 0, upper: f, seed: seed)
        case .sampleRange(let c, let lo, let hi, let seed):
            return SampleExec(try plan(c), lower: lo, upper: hi, seed: seed)
        case .generate(let c, .call(let g), let outer, _, _, let out):
            return try GenerateExec(try plan(c), try substituteCall(g), outer: outer, output: try c.output() + out)
        case .existenceJoin(let l, let r, let cond, let exists):
            return try ExistenceJoinExec(left: try plan(l), right: try plan(r), condition: try substitute(cond), exists: exists)
        case .recursiveUnion(let anchor, let rec, let ref, let out):
            return RecursiveUnionExec(anchor: try plan(anchor), recursive: rec, reference: ref, output: out, planner: self)
        default:
            throw EmberError.internalError("cannot plan \(PlanPrinter.label(p, verbose: false))")
        }
    }

    // MARK: Subqueries

    func substituteSubqueries(_ s: ScanNode) throws -> ScanNode {
        var n = s
        n.filters = try s.filters.map { try substitute($0) }
        return n
    }

    /// Runs uncorrelated scalar subqueries and EXISTS, replacing them with constants.
    func substitute(_ e: Expr) throws -> Expr {
        try e.transformDown { node -> Expr? in
            switch node {
            case .scalarSubquery(let p):
                let rows = try runSubquery(p, limit: 2)
                if rows.count > 1 {
                    throw EmberError(errorClass: "SCALAR_SUBQUERY_TOO_MANY_ROWS", sqlState: "21000", message: "More than one row returned by a subquery used as an expression.")
                }
                return .literal(rows.first?.first ?? .null, node.dataType)
            case .exists(let p):
                return .literal(.boolean(!(try runSubquery(p, limit: 1)).isEmpty), .boolean)
            default: return nil
            }
        }
    }

    func runSubquery(_ p: LogicalPlan, limit: Int) throws -> [[Value]] {
        if p.containsOuterReference {
            throw EmberError.unsupported("Correlated subqueries are only supported as EXISTS / IN predicates in WHERE.")
        }
        let op = try plan(.limit(p, limit))
        let parts = try Driver.run(op, ctx, description: "subquery")
        return parts.flatMap { $0 }.flatMap { b in (0..<b.count).map { b.row($0) } }
    }

    // MARK: Filter with predicate subqueries

    func planFilter(_ c: LogicalPlan, _ cond: Expr) throws -> PhysicalOperator {
        var plain: [Expr] = []
        var child = c
        for conj in conjuncts(cond) {
            switch conj {
            case .exists(let sub):
                child = try semiJoinForExists(child, sub, anti: false)
            case .call(let f) where f.name == "not" && { if case .exists = f.args[0] { return true }; return false }():
                if case .exists(let sub) = f.args[0] { child = try semiJoinForExists(child, sub, anti: true) }
            case .inSubquery(let vals, let sub):
                child = try joinForIn(child, vals, sub, anti: false)
            case .call(let f) where f.name == "not" && { if case .inSubquery = f.args[0] { return true }; return false }():
                if case .inSubquery(let vals, let sub) = f.args[0] { child = try joinForIn(child, vals, sub, anti: true) }
            default:
                plain.append(conj)
            }
        }
        let op = try plan(child)
        if plain.isEmpty { return op }
        let combined = plain.dropFirst().reduce(plain[0]) { andCall($0, $1) }
        return try FilterExec(op, try substitute(combined))
    }

    func conjuncts(_ e: Expr) -> [Expr] {
        if case .call(let c) = e, c.name == "and" { return c.args.flatMap(conjuncts) }
        return [e]
    }

    func andCall(_ a: Expr, _ b: Expr) -> Expr {
        .call(FunctionCall(name: "and", args: [a, b], dataType: .boolean, nullable: a.nullable || b.nullable))
    }

    /// `EXISTS (SELECT … WHERE inner.x = outer.y …)` → semi/anti join on the correlated predicates.
    func semiJoinForExists(_ outer: LogicalPlan, _ sub: LogicalPlan, anti: Bool) throws -> LogicalPlan {
        let (body, correlated) = sub.pullOuterPredicates()
        let cond = conjunctionOf(correlated.map(\.strippingOuterReferences))
        return .join(outer, body, anti ? .leftAnti : .leftSemi, condition: cond ?? .literal(.boolean(true), .boolean), using: [])
    }

    /// `x IN (subquery)` → semi join on equality; `NOT IN` → null-aware anti join.
    func joinForIn(_ outer: LogicalPlan, _ vals: [Expr], _ sub: LogicalPlan, anti: Bool) throws -> LogicalPlan {
        let (body, correlated) = sub.pullOuterPredicates()
        let conds = LogicalPlan.membershipConditions(vals, try body.output(), nullAware: anti) + correlated.map(\.strippingOuterReferences)
        return .join(outer, body, anti ? .leftAnti : .leftSemi, condition: conjunctionOf(conds), using: [])
    }

    func conjunctionOf(_ es: [Expr]) -> Expr? {
        guard let first = es.first else { return nil }
        return es.dropFirst().reduce(first) { andCall($0, $1) }
    }

    // MARK: Aggregate

    /// Plans `p` when its parent reads only the attributes `needed`: a join then gathers
    /// only those columns of its matched rows.
    func planNeeding(_ p: LogicalPlan, _ needed: Set<Int>) throws -> PhysicalOperator {
        switch p {
        case .join(let l, let r, let type, let cond, _):
            let all = try p.output()
            var out = all.filter { needed.contains($0.id) }
            if out.isEmpty, let first = all.first { out = [first] }
            return try planJoin(l, r, type, cond, output: out)
        case .subqueryAlias(let c, _): return try planNeeding(c, needed)
        default: return try plan(p)
        }
    }

    func planAggregate(_ c: LogicalPlan, _ groupings: [Expr], _ aggs: [Expr]) throws -> PhysicalOperator {
        let child = try planNeeding(c, (groupings + aggs).reduce(into: Set<Int>()) { $0.formUnion($1.allAttributeIds) })
        var calls: [FunctionCall] = []
        var callAttrs: [Attribute] = []
        let groupAttrs = groupings.enumerated().map { Attribute.fresh("_g\($0.offset)", $0.element.dataType, nullable: $0.element.nullable) }
        var results: [Expr] = []
        for a in aggs {
            let r = try a.transformDown { node -> Expr? in
                if let i = groupings.firstIndex(of: node), !{ if case .alias = node { return true }; return false }() {
                    return .attribute(groupAttrs[i])
                }
                if case .call(let f) = node, f.kind == .aggregate {
                    if let i = calls.firstIndex(of: f) { return .attribute(callAttrs[i]) }
                    let attr = Attribute.fresh("_a\(calls.count)", f.dataType, nullable: f.nullable)
                    calls.append(try substituteCall(f))
                    callAttrs.append(attr)
                    return .attribute(attr)
                }
                return nil
            }
            // Keep the attribute the aggregate promised to produce.
            let promised = try a.toAttribute()
            let body: Expr = { if case .alias(let e, _, _) = r { return e }; return r }()
            results.append(.alias(body, name: promised.name, id: promised.id))
        }
        let n = groupings.isEmpty ? 1 : ctx.config.shufflePartitions
        if PartialSupport.supported(calls) {
            // Two phases: aggregate each input partition, shuffle the states, merge.
            let partial = try HashAggregateExec(child, mode: .partial, groupings: groupings, aggCalls: calls, groupAttrs: groupAttrs, aggAttrs: callAttrs, results: results)
            let keys = groupAttrs.map { Expr.attribute(partial.output[groupAttrs.firstIndex(of: $0) ?? 0]) }
            // A star join under the aggregate fuses with its partial phase.
            let first: PhysicalOperator = try JoinAggregateExec.make(child, partial: partial) ?? partial
            let ex = try ExchangeExec(first, keys: keys, partitions: n)
            return try HashAggregateExec(ex, mode: .final, groupings: groupings, aggCalls: calls, groupAttrs: groupAttrs, aggAttrs: callAttrs, results: results)
        }
        let ex = try ExchangeExec(child, keys: groupings, partitions: n)
        return try HashAggregateExec(ex, groupings: groupings, aggCalls: calls, groupAttrs: groupAttrs, aggAttrs: callAttrs, results: results)
    }

    func substituteCall(_ f: FunctionCall) throws -> FunctionCall {
        var g = f
        g.args = try f.args.map { try substitute($0) }
        return g
    }

    // MARK: Join

    func planJoin(_ l: LogicalPlan, _ r: LogicalPlan, _ type: JoinType, _ cond: Expr?, output: [Attribute]) throws -> PhysicalOperator {
        let lp = try plan(l), rp = try plan(r)
        let lIds = Set(lp.output.map(\.id)), rIds = Set(rp.output.map(\.id))
        var lk: [Expr] = [], rk: [Expr] = [], ns: [Bool] = [], rest: [Expr] = []
        for c in cond.map(conjuncts) ?? [] {
            if case .call(let f) = c, f.name == "==" || f.name == "<=>", f.args.count == 2 {
                let a = f.args[0].references, b = f.args[1].references
                if !a.isEmpty, !b.isEmpty {
                    if a.isSubset(of: lIds) && b.isSubset(of: rIds) { lk.append(f.args[0]); rk.append(f.args[1]); ns.append(f.name == "<=>"); continue }
                    if a.isSubset(of: rIds) && b.isSubset(of: lIds) { lk.append(f.args[1]); rk.append(f.args[0]); ns.append(f.name == "<=>"); continue }
                }
            }
            if case .literal(.boolean(true), _) = c { continue }
            rest.append(c)
        }
        let extra = rest.isEmpty ? nil : try substitute(rest.dropFirst().reduce(rest[0]) { andCall($0, $1) })
        if lk.isEmpty {
            let left = (type == .rightOuter || type == .fullOuter) ? try ExchangeExec(lp, keys: [], partitions: 1) : lp
            return try NestedLoopJoinExec(left: left, right: rp, type: type, condition: extra, output: try LogicalPlan.join(l, r, type, condition: cond, using: []).output())
        }
        let small = (r.estimatedBytes ?? Int.max) <= ctx.config.broadcastThreshold
        if small && type != .rightOuter && type != .fullOuter {
            return try HashJoinExec(left: lp, right: rp, type: type, leftKeys: lk, rightKeys: rk, nullSafe: ns, condition: extra, broadcast: true, output: output)
        }
        let n = ctx.config.shufflePartitions
        return try HashJoinExec(
            left: try ExchangeExec(lp, keys: lk, partitions: n), right: try ExchangeExec(rp, keys: rk, partitions: n), type: type,
            leftKeys: lk, rightKeys: rk, nullSafe: ns, condition: extra, broadcast: false, output: output,
            adaptive: ctx.config.adaptive && type != .rightOuter && type != .fullOuter)
    }
}

extension Expr {
    /// Attribute ids read anywhere inside (function arguments included).
    var allAttributeIds: Set<Int> {
        var out = Set<Int>()
        func walk(_ e: Expr) {
            if case .attribute(let a) = e { out.insert(a.id) }
            if case .call(let c) = e { for x in c.args { walk(x) } } else { for x in e.children { walk(x) } }
        }
        walk(self)
        return out
    }
}

extension LogicalPlan {
    /// A rough size for join planning (nil = unknown, treated as large).
    public var estimatedBytes: Int? {
        switch self {
        case .scan(let s):
            let width = s.output.reduce(0) { $0 + $1.dataType.defaultSize }
            switch s.source {
            case .local(let l): return l.rowCount * max(1, width)
            case .values(let rows): return rows.count * max(1, width)
            case .range(let a, let b, let st, _): return Int((b - a) / max(1, abs(st))) * 8
            case .files(let ds):
                var total = 0
                for p in ds.paths {
                    if let attrs = try? FileManager.default.attributesOfItem(atPath: p), let size = attrs[.size] as? Int { total += size } else { return nil }
                }
                return total
            }
        case .filter(let c, _), .project(let c, _), .subqueryAlias(let c, _), .sort(let c, _, _), .window(let c, _), .sample(let c, _, _, _), .sampleRange(let c, _, _, _):
            return c.estimatedBytes
        case .limit(let c, let n): return min(c.estimatedBytes ?? Int.max, n * 64)
        case .aggregate(let c, _, _, _): return c.estimatedBytes
        default: return nil
        }
    }

    var containsOuterReference: Bool {
        var found = false
        visitExpressions { e in if e.contains(where: { if case .outerReference = $0 { return true }; return false }) { found = true } }
        return found
    }

    func visitExpressions(_ f: (Expr) -> Void) {
        switch self {
        case .project(_, let es), .aggregate(_, _, _, let es), .sort(_, let es, _), .window(_, let es): es.forEach(f)
        case .filter(_, let e): f(e)
        case .join(_, _, _, let c?, _): f(c)
        case .scan(let s): s.filters.forEach(f)
        default: break
        }
        for c in children { c.visitExpressions(f) }
    }

}


import Foundation
