import EmberColumnar
import EmberCore
import EmberPlan

/// Hash aggregation, in one of three modes:
/// - `.complete`: raw rows in (already shuffled by key), results out;
/// - `.partial`: raw rows of one input partition in, per-group states out (before the
///   shuffle, so only one row per group and partition crosses it);
/// - `.final`: partial states in (shuffled by key), merged results out.
/// Group ids come from `GroupIndexer`; accumulators update per batch by group id. A
/// complete/final partition whose input exceeds its share of the memory limit is split
/// by hash into spilled buckets aggregated one at a time (grace aggregation).
public final class HashAggregateExec: PhysicalOperator {
    public enum Mode { case complete, partial, final }

    let child: PhysicalOperator
    let mode: Mode
    let groupings: [Expr]
    let aggCalls: [FunctionCall]
    let results: [Expr]
    let groupAttrs: [Attribute]
    let aggAttrs: [Attribute]
    let boundGroups: [BoundExpr]
    let boundArgs: [[BoundExpr]]
    let boundResults: [BoundExpr]
    /// Column counts of each call's state (partial output layout).
    let stateWidths: [Int]
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { child.partitionCount }
    public var label: String {
        "HashAggregate(\(mode), keys=\(PlanPrinter.exprs(groupings)), functions=[\(aggCalls.map { PlanPrinter.describe(.call($0)) }.joined(separator: ", "))])"
    }

    public init(
        _ child: PhysicalOperator, mode: Mode = .complete, groupings: [Expr], aggCalls: [FunctionCall], groupAttrs: [Attribute],
        aggAttrs: [Attribute], results: [Expr]
    ) throws {
        self.child = child
        self.mode = mode
        self.groupings = groupings
        self.aggCalls = aggCalls
        self.results = results
        self.groupAttrs = groupAttrs
        self.aggAttrs = aggAttrs
        let accs = try aggCalls.map { try Accumulators.make($0) }
        stateWidths = accs.map { ($0 as? PartialAccumulator)?.stateTypes().count ?? 0 }
        if mode == .final {
            // Input columns: keys, then each call's states.
            boundGroups = groupAttrs.indices.map { BoundExpr.column($0) }
            var k = groupAttrs.count
            boundArgs = stateWidths.map { w in defer { k += w }; return (k..<(k + w)).map { BoundExpr.column($0) } }
        } else {
            boundGroups = try groupings.map { try BoundExpr.bind($0, child.output) }
            boundArgs = try aggCalls.map { c in try c.args.map { try BoundExpr.bind($0, child.output) } }
        }
        if mode == .partial {
            boundResults = []
            var out = groupAttrs
            for (a, acc) in zip(aggAttrs, accs) {
                for (j, t) in ((acc as? PartialAccumulator)?.stateTypes() ?? []).enumerated() {
                    out.append(Attribute.fresh("\(a.name)_state\(j)", t))
                }
            }
            output = out
        } else {
            boundResults = try results.map { try BoundExpr.bind($0, groupAttrs + aggAttrs) }
            output = try results.map { try $0.toAttribute() }
        }
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        let ectx = ctx.evalContext(partition: partition)
        // Partial and global aggregation stream their input; global aggregation yields one
        // row even over no input (in the last phase).
        if groupings.isEmpty { return try aggregate(try child.stream(partition, ctx), ectx, global: mode != .partial) }
        if mode == .partial { return try aggregate(try child.stream(partition, ctx), ectx, global: false) }
        let input = try child.execute(partition, ctx)
        let bytes = input.reduce(0) { $0 + $1.byteSize }
        if !child.schema.isSpillable || ctx.memory.tryReserve(bytes * 2) {
            defer { ctx.memory.release(bytes * 2) }
            return try aggregate(BatchStream(input), ectx, global: false)
        }
        // Grace: split by a second hash into buckets small enough to aggregate, spilled.
        let buckets = max(2, (bytes * 2) / max(1, ctx.memory.limit / max(1, ctx.config.cores)) + 1)
        let files = try ctx.memory.spillByHash(BatchStream(input), keys: boundGroups, buckets: buckets, schema: child.schema, shift: 32, ectx)
        var out: [RecordBatch] = []
        for f in files { out += try aggregate(try f.stream(), ectx, global: false) }
        return out
    }

    func aggregate(_ input: BatchStream, _ ectx: EvalContext, global: Bool) throws -> [RecordBatch] {
        var indexer = GroupIndexer(types: groupAttrs.map(\.dataType))
        let accs = try aggCalls.map { try Accumulators.make($0) }
        var groups: [Int32] = []
        var sawRows = false
        while let b = try input.next() {
            if b.count == 0 { continue }
            sawRows = true
            let keyCols = try boundGroups.map { try $0.eval(b, ectx) }
            if keyCols.isEmpty {
                if groups.count != b.count { groups = [Int32](repeating: 0, count: b.count) }
            } else {
                indexer.assign(keyCols, count: b.count, into: &groups)
            }
            let groupCount = keyCols.isEmpty ? 1 : indexer.count
            for (a, acc) in accs.enumerated() {
                let args = try boundArgs[a].map { try $0.eval(b, ectx) }
                if mode == .final, let p = acc as? PartialAccumulator {
                    try p.merge(args, groups: groups, groupCount: groupCount)
                } else {
                    try acc.update(args, groups: groups, groupCount: groupCount)
                }
            }
        }
        let groupCount = groupings.isEmpty ? (global || sawRows ? 1 : 0) : indexer.count
        if groupCount == 0 { return [] }
        let keyColumns = groupings.isEmpty ? [] : indexer.keyColumns()
        if mode == .partial {
            var cols = keyColumns
            for acc in accs { cols += try (acc as? PartialAccumulator)?.states(groupCount: groupCount) ?? [] }
            return [RecordBatch(schema: schema, columns: cols, count: groupCount)]
        }
        let aggColumns = try accs.map { try $0.finish(groupCount: groupCount) }
        let merged = RecordBatch(schema: Schema((groupAttrs + aggAttrs).map(\.field)), columns: keyColumns + aggColumns, count: groupCount)
        let schema = self.schema
        var out: [RecordBatch] = []
        var start = 0
        let size = 65536
        while start < groupCount {
            let end = min(groupCount, start + size)
            out.append(try project(merged.slice(start..<end), boundResults, schema, ectx))
            start = end
        }
        return out
    }
}
