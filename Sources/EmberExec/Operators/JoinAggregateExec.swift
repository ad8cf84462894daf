import EmberColumnar
import EmberCore
import EmberPlan

/// A broadcast inner join fused with the partial aggregate above it, for the star-query
/// shape `fact JOIN dim GROUP BY dim.attr`: the groups depend only on the build (dim)
/// row, so each build row's group id is computed once, and probe rows update their
/// group straight from the matched build row — no build-side columns are gathered and
/// no probe-side group keys are hashed. Output is the partial aggregate's (keys, states).
public final class JoinAggregateExec: PhysicalOperator {
    let join: HashJoinExec
    let groupings: [Expr]
    let aggCalls: [FunctionCall]
    let groupAttrs: [Attribute]
    let boundGroups: [BoundExpr]
    let boundArgs: [[BoundExpr]]
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [join.left, join.right] }
    public var partitionCount: Int { join.left.partitionCount }
    public var label: String {
        "JoinAggregate(keys=\(PlanPrinter.exprs(groupings)), functions=[\(aggCalls.map { PlanPrinter.describe(.call($0)) }.joined(separator: ", "))]) over \(join.label)"
    }
    var buildGroup: [Int32] = []
    var keyColumns: [Column] = []
    var groupCount = 0

    /// Nil when the shape does not apply (`partial` is the plan it would replace).
    static func make(_ child: PhysicalOperator, partial: HashAggregateExec) throws -> JoinAggregateExec? {
        var op = child
        // A projection that only passes columns through (USING joins add one) is looked through.
        if let p = op as? ProjectExec, p.exprs.allSatisfy({ if case .attribute = $0 { return true }; return false }) { op = p.child }
        guard let join = op as? HashJoinExec, join.broadcast, join.type == .inner, join.condition == nil,
              !partial.groupings.isEmpty else { return nil }
        let leftIds = Set(join.left.output.map(\.id)), rightIds = Set(join.right.output.map(\.id))
        guard partial.groupings.allSatisfy({ !$0.references.isEmpty && $0.references.isSubset(of: rightIds) }),
              partial.aggCalls.allSatisfy({ $0.args.allSatisfy { $0.references.isSubset(of: leftIds) } }) else { return nil }
        return try JoinAggregateExec(join, partial)
    }

    init(_ join: HashJoinExec, _ partial: HashAggregateExec) throws {
        self.join = join
        groupings = partial.groupings
        aggCalls = partial.aggCalls
        groupAttrs = partial.groupAttrs
        output = partial.output
        boundGroups = try groupings.map { try BoundExpr.bind($0, join.right.output) }
        boundArgs = try aggCalls.map { c in try c.args.map { try BoundExpr.bind($0, join.left.output) } }
    }

    public func prepare(_ ctx: ExecContext) throws {
        try join.prepare(ctx)
        guard let table = join.broadcastTable else { throw EmberError.internalError("JoinAggregate without a broadcast table") }
        let build = table.build
        var indexer = GroupIndexer(types: groupAttrs.map(\.dataType))
        let keys = try boundGroups.map { try $0.eval(build, ctx.evalContext(partition: 0)) }
        indexer.assign(keys, count: build.count, into: &buildGroup)
        keyColumns = indexer.keyColumns()
        groupCount = indexer.count
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        guard let table = join.broadcastTable else { return [] }
        let ectx = ctx.evalContext(partition: partition)
        let accs = try aggCalls.map { try Accumulators.make($0) }
        var touched = [Bool](repeating: false, count: groupCount)
        var li: [Int32] = [], ri: [Int32] = []
        try join.left.stream(partition, ctx).forEach { lb in
            let keyCols = try join.boundLeftKeys.map { try $0.eval(lb, ectx) }
            table.probe(keyCols, count: lb.count, nullSafe: join.nullSafe, li: &li, ri: &ri)
            if li.isEmpty { return }
            let groups = ri.map { buildGroup[Int($0)] }
            for g in groups { touched[Int(g)] = true }
            let identity = HashJoinExec.isIdentity(li, count: lb.count)
            for (a, acc) in accs.enumerated() {
                let args = try boundArgs[a].map { b -> Column in
                    let c = try b.eval(lb, ectx)
                    return identity ? c : c.take(li)
                }
                try acc.update(args, groups: groups, groupCount: groupCount)
            }
        }
        let rows = (0..<groupCount).filter { touched[$0] }.map { Int32($0) }
        if rows.isEmpty { return [] }
        var cols = keyColumns.map { $0.take(rows) }
        for acc in accs {
            cols += try ((acc as? PartialAccumulator)?.states(groupCount: groupCount) ?? []).map { $0.take(rows) }
        }
        return [RecordBatch(schema: schema, columns: cols, count: rows.count)]
    }
}
