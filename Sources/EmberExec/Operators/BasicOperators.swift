import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Evaluates bound expressions over a batch into a new batch.
func project(_ batch: RecordBatch, _ exprs: [BoundExpr], _ schema: Schema, _ ctx: EvalContext) throws -> RecordBatch {
    RecordBatch(schema: schema, columns: try exprs.map { try $0.eval(batch, ctx) }, count: batch.count)
}

func applyFilter(_ batch: RecordBatch, _ cond: BoundExpr, _ ctx: EvalContext) throws -> RecordBatch {
    let mask = try cond.eval(batch, ctx)
    let sel = selection(of: mask)
    if sel.count == batch.count { return batch }
    return batch.take(sel)
}

/// Reads a relation: files through a registered reader, in-memory batches, a range or
/// constant rows. Pushed filters and a pushed limit apply here.
public final class ScanExec: PhysicalOperator {
    public let node: ScanNode
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [] }
    var units: [AnyHashableBox] = []
    let filter: BoundExpr?
    let ranges: [(Int64, Int64)]

    public init(_ node: ScanNode, ctx: ExecContext) throws {
        self.node = node
        self.output = node.output
        let cond = node.filters.dropFirst().reduce(node.filters.first) { acc, f in
            acc.map { Expr.call(FunctionCall(name: "and", args: [$0, f], dataType: .boolean)) }
        }
        self.filter = try cond.map { try BoundExpr.bind($0, node.output) }
        switch node.source {
        case .files(let ds):
            let schema = Schema(node.fullOutput.map(\.field))
            units = try ctx.sources.reader(ds.format).planPartitions(ds, schema: schema, filters: node.filters, output: node.fullOutput, ctx: ctx)
            ranges = []
        case .range(let s, let e, let st, let n):
            let total = st > 0 ? max(0, (e - s + st - 1) / st) : max(0, (s - e - st - 1) / -st)
            let parts = Int64(max(1, min(n ?? ctx.config.cores, Int(max(1, total)))))
            ranges = (0..<parts).map { p in (total * p / parts, total * (p + 1) / parts) }
        case .local(let l):
            // In-memory data is cut into row ranges so every core scans part of it, even
            // when it is one big batch (a cached DataFrame).
            let batches = (l.data.value as? [RecordBatch]) ?? []
            let total = batches.reduce(0) { $0 + $1.count }
            let target = max(1, min(ctx.config.cores * 2, total / max(1, ctx.config.batchSize)))
            let per = max(1, (total + target - 1) / target)
            // Each partition takes about `per` rows: whole small batches, or slices of big ones.
            var units: [[(Int, Range<Int>)]] = []
            var current: [(Int, Range<Int>)] = []
            var have = 0
            for (i, b) in batches.enumerated() {
                var s = 0
                while s < b.count {
                    let take = min(b.count - s, per - have)
                    current.append((i, s..<(s + take)))
                    have += take
                    s += take
                    if have >= per { units.append(current); current = []; have = 0 }
                }
            }
            if !current.isEmpty { units.append(current) }
            localUnits = units
            ranges = []
        default:
            ranges = []
        }
    }
    var localUnits: [[(Int, Range<Int>)]] = []

    public var partitionCount: Int {
        switch node.source {
        case .files: return max(1, units.count)
        case .range: return ranges.count
        case .local: return max(1, localUnits.count)
        case .values: return 1
        }
    }

    public var label: String { PlanPrinter.label(.scan(node), verbose: false) }

    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        let schema = self.schema
        var source: BatchStream
        var filtersDone = false
        switch node.source {
        case .files(let ds):
            guard partition < units.count else { return BatchStream([]) }
            let fullSchema = Schema(node.fullOutput.map(\.field))
            let (batches, filtered) = try ctx.sources.reader(ds.format).readFiltered(units[partition], source: ds, schema: fullSchema, required: node.requiredColumns, ctx: ctx)
            source = BatchStream(batches).map { RecordBatch(schema: schema, columns: $0.columns, count: $0.count) }
            filtersDone = filtered
        case .local(let l):
            let all = (l.data.value as? [RecordBatch]) ?? []
            guard partition < localUnits.count else { return BatchStream([]) }
            let pieces = localUnits[partition]
            let required = node.requiredColumns
            let size = ctx.config.batchSize
            var piece = 0
            var start = pieces.first?.1.lowerBound ?? 0
            source = BatchStream {
                while piece < pieces.count {
                    let (bi, range) = pieces[piece]
                    guard start < range.upperBound else {
                        piece += 1
                        if piece < pieces.count { start = pieces[piece].1.lowerBound }
                        continue
                    }
                    let b = all[bi]
                    let end = min(range.upperBound, start + size)
                    defer { start = end }
                    let cols = required.map { b.columns[$0] }
                    return RecordBatch(schema: schema, columns: (start == 0 && end == b.count) ? cols : cols.map { $0.slice(start..<end) }, count: end - start)
                }
                return nil
            }
        case .range(let s, _, let st, _):
            let (lo, hi) = ranges[partition]
            var i = lo
            let size = Int64(ctx.config.batchSize)
            source = BatchStream {
                guard i < hi else { return nil }
                let end = min(hi, i + size)
                let start = i
                i = end
                let vals = [Int64](unsafeUninitializedCapacity: Int(end - start)) { buf, n in
                    for k in 0..<Int(end - start) { buf.initializeElement(at: k, to: s &+ (start + Int64(k)) &* st) }
                    n = Int(end - start)
                }
                return RecordBatch(schema: schema, columns: [.int64s(vals, validity: nil)], count: vals.count)
            }
        case .values(let rows):
            let ectx = ctx.evalContext(partition: 0)
            let one = RecordBatch(schema: Schema([]), columns: [], count: 1)
            var cols: [Column] = []
            for c in node.requiredColumns {
                var parts: [Column] = []
                for r in rows { parts.append(try BoundExpr.bind(r[c], []).eval(one, ectx)) }
                cols.append(Column.concat(parts, type: node.fullOutput[c].dataType))
            }
            source = BatchStream([RecordBatch(schema: schema, columns: cols, count: rows.count)])
        }
        if let f = filter, !filtersDone {
            let ectx = ctx.evalContext(partition: partition)
            source = source.map { try applyFilter($0, f, ectx) }
        }
        if let l = node.limit {
            var left = l
            let inner = source
            source = BatchStream {
                guard left > 0, let b = try inner.next() else { return nil }
                let take = min(left, b.count)
                left -= take
                return take == b.count ? b : b.slice(0..<take)
            }
        }
        return source
    }
}

func limitBatches(_ batches: [RecordBatch], _ n: Int, offset: Int = 0) -> [RecordBatch] {
    var out: [RecordBatch] = []
    var skip = offset
    var left = n
    for b in batches {
        if left <= 0 { break }
        var start = 0
        if skip > 0 {
            let s = min(skip, b.count)
            skip -= s
            start = s
        }
        let take = min(left, b.count - start)
        if take > 0 { out.append(b.slice(start..<(start + take))); left -= take }
    }
    return out
}

public final class ProjectExec: PhysicalOperator {
    let child: PhysicalOperator
    let exprs: [Expr]
    let bound: [BoundExpr]
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { child.partitionCount }
    public var label: String { "Project " + PlanPrinter.exprs(exprs) }
    let needsRowOffset: Bool

    public init(_ child: PhysicalOperator, _ exprs: [Expr]) throws {
        self.child = child
        self.exprs = exprs
        self.bound = try exprs.map { try BoundExpr.bind($0, child.output) }
        self.output = try exprs.map { try $0.toAttribute() }
        self.needsRowOffset = exprs.contains { $0.contains { if case .call(let c) = $0 { return Functions.nondeterministic.contains(c.name) }; return false } }
    }

    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        let schema = self.schema
        var offset: Int64 = 0
        let bound = self.bound
        let input = try child.stream(partition, ctx)
        return BatchStream {
            guard let b = try input.next() else { return nil }
            let r = try project(b, bound, schema, ctx.evalContext(partition: partition, rowOffset: offset))
            offset += Int64(b.count)
            return r
        }
    }
}

public final class FilterExec: PhysicalOperator {
    let child: PhysicalOperator
    let condition: Expr
    let bound: BoundExpr
    public var output: [Attribute] { child.output }
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { child.partitionCount }
    public var label: String { "Filter " + PlanPrinter.describe(condition) }

    public init(_ child: PhysicalOperator, _ condition: Expr) throws {
        self.child = child
        self.condition = condition
        self.bound = try BoundExpr.bind(condition, child.output)
    }

    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        let ectx = ctx.evalContext(partition: partition)
        let bound = self.bound
        return try child.stream(partition, ctx).map { try applyFilter($0, bound, ectx) }
    }
}

/// Concatenates the partitions of its children.
public final class UnionExec: PhysicalOperator {
    public let children: [PhysicalOperator]
    public let output: [Attribute]
    public var partitionCount: Int { children.reduce(0) { $0 + $1.partitionCount } }
    public var label: String { "Union" }

    public init(_ children: [PhysicalOperator], output: [Attribute]) {
        self.children = children
        self.output = output
    }

    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        var p = partition
        for c in children {
            if p < c.partitionCount {
                let schema = self.schema
                return try c.stream(p, ctx).map { RecordBatch(schema: schema, columns: $0.columns, count: $0.count) }
            }
            p -= c.partitionCount
        }
        return BatchStream([])
    }
}

/// Keeps the first `limit` rows after skipping `offset`, over a single partition.
public final class LimitExec: PhysicalOperator {
    let child: PhysicalOperator
    let limit: Int
    let offset: Int
    public var output: [Attribute] { child.output }
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { 1 }
    public var label: String { offset > 0 ? "Offset \(offset), Limit \(limit == Int.max ? "none" : String(limit))" : "GlobalLimit \(limit)" }
    var gathered: [RecordBatch] = []

    public init(_ child: PhysicalOperator, limit: Int, offset: Int = 0) {
        self.child = child
        self.limit = limit
        self.offset = offset
    }

    public func prepare(_ ctx: ExecContext) throws {
        let need = limit == Int.max ? Int.max : limit + offset
        // Each partition contributes at most `need` rows, in partition order.
        // Each partition stops pulling once it has `need` rows.
        let parts = try ctx.scheduler.runStage(name: "LocalLimit", job: ctx.job, partitions: child.partitionCount) { p -> [RecordBatch] in
            let input = try self.child.stream(p, ctx)
            var out: [RecordBatch] = []
            var have = 0
            while have < need, let b = try input.next() {
                let take = min(need - have, b.count)
                out.append(take == b.count ? b : b.slice(0..<take))
                have += take
            }
            return out
        }
        gathered = limitBatches(parts.flatMap { $0 }, limit, offset: offset)
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] { gathered }
}

extension Driver {
    static func materialize(_ op: PhysicalOperator, _ ctx: ExecContext, name: String, _ post: @escaping ([RecordBatch]) throws -> [RecordBatch]) throws -> [[RecordBatch]] {
        try ctx.scheduler.runStage(name: name, job: ctx.job, partitions: op.partitionCount) { p in try post(try op.execute(p, ctx)) }
    }
}

/// Redistributes rows: by hash of keys into `n` partitions, or all into one.
public final class ExchangeExec: PhysicalOperator {
    let child: PhysicalOperator
    let keys: [Expr]
    let boundKeys: [BoundExpr]
    let n: Int
    public var output: [Attribute] { child.output }
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { n }
    public var label: String { keys.isEmpty ? "Exchange SinglePartition" : "Exchange hashpartitioning(\(keys.map(PlanPrinter.describe).joined(separator: ", ")), \(n))" }
    var buckets: [[RecordBatch]] = []
    var spilled: [[SpillFile]] = []
    /// Bytes of the rows held in memory after `prepare`.
    private(set) var bufferedBytes = 0
    /// Whether `prepare` spilled any bucket.
    var hasSpilled: Bool { spilled.contains { !$0.isEmpty } }

    public init(_ child: PhysicalOperator, keys: [Expr], partitions: Int) throws {
        self.child = child
        self.keys = keys
        self.boundKeys = try keys.map { try BoundExpr.bind($0, child.output) }
        self.n = keys.isEmpty ? 1 : max(1, partitions)
    }

    public func prepare(_ ctx: ExecContext) throws {
        let n = self.n
        let boundKeys = self.boundKeys
        let parts: [[[RecordBatch]]] = try ctx.scheduler.runStage(name: label, job: ctx.job, partitions: child.partitionCount) { p in
            var out = [[RecordBatch]](repeating: [], count: n)
            let ectx = ctx.evalContext(partition: p)
            try self.child.stream(p, ctx).forEach { b in
                if n == 1 { out[0].append(b); return }
                let keyCols = try boundKeys.map { try $0.eval(b, ectx) }
                let hashes = RowKeys.equality(keyCols, count: b.count).hashes()
                var idx = [[Int32]](repeating: [], count: n)
                for i in 0..<b.count { idx[Int(hashes[i] % UInt64(n))].append(Int32(i)) }
                for k in 0..<n where !idx[k].isEmpty { out[k].append(idx[k].count == b.count ? b : b.take(idx[k])) }
            }
            return out
        }
        buckets = (0..<n).map { k in parts.flatMap { $0[k] } }
        // Account the shuffle; spill buckets past the limit.
        spilled = [[SpillFile]](repeating: [], count: n)
        bufferedBytes = 0
        for k in 0..<n {
            let bytes = buckets[k].reduce(0) { $0 + $1.byteSize }
            if !ctx.memory.tryReserve(bytes), !buckets[k].isEmpty, schema.isSpillable {
                spilled[k] = [try ctx.memory.spill(buckets[k])]
                buckets[k] = []
            } else {
                bufferedBytes += bytes
            }
        }
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        guard partition < buckets.count else { return [] }
        var out = buckets[partition]
        for f in spilled[partition] { out += try f.read() }
        return out
    }

}
