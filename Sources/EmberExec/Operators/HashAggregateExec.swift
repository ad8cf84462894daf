import EmberColumnar
import EmberCore
import EmberPlan

/// Hash aggregation of one partition whose rows are already grouped by partition (an
/// exchange on the grouping keys sits below). Keys are row-encoded into a hash table
/// that hands out dense group ids; accumulators update per batch by group id. When the
/// partition's input does not fit the memory limit it is split by hash into spilled
/// buckets that are aggregated one at a time (grace hash aggregation).
public final class HashAggregateExec: PhysicalOperator {
    let child: PhysicalOperator
    let groupings: [Expr]
    let aggCalls: [FunctionCall]
    /// Output expressions over [grouping attributes] + [aggregate attributes].
    let results: [Expr]
    let groupAttrs: [Attribute]
    let aggAttrs: [Attribute]
    let boundGroups: [BoundExpr]
    let boundArgs: [[BoundExpr]]
    let boundResults: [BoundExpr]
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { child.partitionCount }
    public var label: String {
        "HashAggregate(keys=\(PlanPrinter.exprs(groupings)), functions=[\(aggCalls.map { PlanPrinter.describe(.call($0)) }.joined(separator: ", "))])"
    }

    public init(_ child: PhysicalOperator, groupings: [Expr], aggCalls: [FunctionCall], groupAttrs: [Attribute], aggAttrs: [Attribute], results: [Expr]) throws {
        self.child = child
        self.groupings = groupings
        self.aggCalls = aggCalls
        self.results = results
        self.groupAttrs = groupAttrs
        self.aggAttrs = aggAttrs
        boundGroups = try groupings.map { try BoundExpr.bind($0, child.output) }
        boundArgs = try aggCalls.map { c in try c.args.map { try BoundExpr.bind($0, child.output) } }
        boundResults = try results.map { try BoundExpr.bind($0, groupAttrs + aggAttrs) }
        output = try results.map { try $0.toAttribute() }
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        let input = try child.execute(partition, ctx)
        let bytes = input.reduce(0) { $0 + $1.byteSize }
        let ectx = ctx.evalContext(partition: partition)
        // Global aggregation always yields one row, even over no input.
        if groupings.isEmpty { return try aggregate(input, ectx, global: true) }
        if ctx.memory.tryReserve(bytes * 2) {
            defer { ctx.memory.release(bytes * 2) }
            return try aggregate(input, ectx, global: false)
        }
        // Grace: split by a second hash into buckets small enough to aggregate, spilled.
        let buckets = max(2, (bytes * 2) / max(1, ctx.memory.limit / max(1, ctx.config.cores)) + 1)
        var files: [[SpillFile]] = [[SpillFile]](repeating: [], count: buckets)
        for b in input {
            let keys = try boundGroups.map { try $0.eval(b, ectx) }
            let hashes = RowKeys.equality(keys, count: b.count).hashes()
            var idx = [[Int32]](repeating: [], count: buckets)
            for i in 0..<b.count { idx[Int((hashes[i] >> 32) % UInt64(buckets))].append(Int32(i)) }
            for k in 0..<buckets where !idx[k].isEmpty { files[k].append(try ctx.memory.spill([b.take(idx[k])])) }
        }
        var out: [RecordBatch] = []
        for k in 0..<buckets {
            let part = try files[k].flatMap { try $0.read() }
            files[k] = []
            out += try aggregate(part, ectx, global: false)
        }
        return out
    }

    func aggregate(_ input: [RecordBatch], _ ectx: EvalContext, global: Bool) throws -> [RecordBatch] {
        var table = KeyTable(capacity: 1024)
        let accs = try aggCalls.map { try Accumulators.make($0) }
        var representative: [RecordBatch] = []  // first row of each group for nested keys
        let nestedKeys = groupings.contains { $0.dataType.isNested }
        for b in input where b.count > 0 {
            let keyCols = try boundGroups.map { try $0.eval(b, ectx) }
            var groups = [Int32](repeating: 0, count: b.count)
            if !keyCols.isEmpty {
                let keys = RowKeys.equality(keyCols, count: b.count)
                let hashes = keys.hashes()
                var newRows: [Int32] = []
                keys.forEachKey(hashes) { i, key, h in
                    let (id, inserted) = table.findOrInsert(key, hash: h)
                    groups[i] = id
                    if inserted && nestedKeys { newRows.append(Int32(i)) }
                }
                if nestedKeys && !newRows.isEmpty {
                    representative.append(RecordBatch(schema: Schema(groupAttrs.map(\.field)), columns: keyCols.map { $0.take(newRows) }, count: newRows.count))
                }
            }
            let groupCount = keyCols.isEmpty ? 1 : table.count
            for (a, acc) in accs.enumerated() {
                let args = try boundArgs[a].map { try $0.eval(b, ectx) }
                try acc.update(args, groups: groups, groupCount: groupCount)
            }
        }
        let groupCount = groupings.isEmpty ? (global ? 1 : 0) : table.count
        if groupCount == 0 { return [] }
        var keyColumns: [Column]
        if nestedKeys {
            keyColumns = RecordBatch.concat(representative, schema: Schema(groupAttrs.map(\.field))).columns
        } else {
            keyColumns = RowKeys.decode((0..<table.count).map { table.key($0) }, types: groupAttrs.map(\.dataType))
        }
        let aggColumns = try accs.map { try $0.finish(groupCount: groupCount) }
        let merged = RecordBatch(schema: Schema((groupAttrs + aggAttrs).map(\.field)), columns: keyColumns + aggColumns, count: groupCount)
        let schema = self.schema
        // Emit in batches.
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
