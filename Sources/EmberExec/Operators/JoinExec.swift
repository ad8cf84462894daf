import CEmberPrefetch
import EmberColumnar
import EmberCore
import EmberPlan

struct JoinSlot {
    var key: Int64
    var head: Int32
    var chained: Int32
}

/// The build side of a hash join: its rows, and chains of row indices per key. A
/// single integral key hashes the Int64 value directly; other keys go through
/// row-encoded bytes.
final class JoinTable {
    let build: RecordBatch
    let fast: Bool
    // Fast path: open addressing over Int64 keys → first row of the chain; key and head
    // share a slot so a probe touches one cache line, and `chained` says whether `next`
    // needs reading at all (unique keys never touch it).
    var slots: [JoinSlot] = []
    var mask = 0
    // General path.
    var table = KeyTable(capacity: 16)
    var head: [Int32] = []
    /// Next row with the same key (-1 ends a chain); chains list rows in input order.
    var next: [Int32]

    init(build: RecordBatch, keyCols: [Column], nullSafe: [Bool]) {
        self.build = build
        let n = build.count
        next = [Int32](repeating: -1, count: n)
        fast = keyCols.count == 1 && !nullSafe[0] && (keyCols[0].type.isIntegral || keyCols[0].type == .date || keyCols[0].type == .timestamp)
        let allNullSafe = nullSafe.allSatisfy { $0 }
        if fast {
            var cap = 16
            while cap < n * 2 { cap <<= 1 }
            slots = [JoinSlot](repeating: JoinSlot(key: 0, head: -1, chained: 0), count: cap)
            mask = cap - 1
            let col = keyCols[0]
            let v = col.asInt64s()
            let hasNulls = col.validity != nil
            let mask = self.mask
            slots.withUnsafeMutableBufferPointer { sl in
                next.withUnsafeMutableBufferPointer { nx in
                    guard let slotBase = sl.baseAddress else { return }
                    for i in stride(from: n - 1, through: 0, by: -1) {
                        // Rows go in backwards; fetch the slot of the row `ahead` places on.
                        if i >= 16 { ember_prefetch(slotBase + (Int(truncatingIfNeeded: mix64(UInt64(bitPattern: v[i &- 16]))) & mask)) }
                        if hasNulls && col.isNull(i) { continue }
                        let x = v[i]
                        var s = Int(truncatingIfNeeded: mix64(UInt64(bitPattern: x))) & mask
                        while sl[s].head >= 0 && sl[s].key != x { s = (s + 1) & mask }
                        if sl[s].head < 0 { sl[s].key = x } else { sl[s].chained = 1 }
                        nx[i] = sl[s].head
                        sl[s].head = Int32(i)
                    }
                }
            }
            return
        }
        let keys = RowKeys.equality(keyCols, count: n)
        let hashes = keys.hashes()
        table = KeyTable(capacity: max(16, n))
        for i in stride(from: n - 1, through: 0, by: -1) {
            if !allNullSafe, keys.hasNull?[i] == true, JoinTable.unsafeNull(keyCols, nullSafe, i) { continue }
            let (id, inserted) = keys.key(i).withUnsafeBytes { table.findOrInsert($0, hash: hashes[i]) }
            if inserted { head.append(-1) }
            next[i] = head[Int(id)]
            head[Int(id)] = Int32(i)
        }
    }

    static func unsafeNull(_ cols: [Column], _ nullSafe: [Bool], _ i: Int) -> Bool {
        for (k, c) in cols.enumerated() where !nullSafe[k] && c.isNull(i) { return true }
        return false
    }

    var byteSize: Int { build.byteSize + next.count * 4 + slots.count * 16 + table.byteSize }

    /// Candidate (probe row, build row) pairs for a batch of probe keys.
    func probe(_ keyCols: [Column], count n: Int, nullSafe: [Bool], li: inout [Int32], ri: inout [Int32]) {
        li.removeAll(keepingCapacity: true)
        ri.removeAll(keepingCapacity: true)
        if fast {
            let col = keyCols[0]
            let v = col.asInt64s()
            let hasNulls = col.validity != nil
            li.reserveCapacity(n)
            ri.reserveCapacity(n)
            slots.withUnsafeBufferPointer { sl in
                next.withUnsafeBufferPointer { nx in
                    v.withUnsafeBufferPointer { v in
                        guard let slotBase = sl.baseAddress else { return }
                        for i in 0..<n {
                            // A large table misses the caches on every probe: fetch the
                            // slot of the key `ahead` rows on while this one is looked up.
                            let ahead = i &+ 16
                            if ahead < n { ember_prefetch(slotBase + (Int(truncatingIfNeeded: mix64(UInt64(bitPattern: v[ahead]))) & mask)) }
                            if hasNulls && col.isNull(i) { continue }
                            let x = v[i]
                            var s = Int(truncatingIfNeeded: mix64(UInt64(bitPattern: x))) & mask
                            while sl[s].head >= 0 && sl[s].key != x { s = (s + 1) & mask }
                            let slot = sl[s]
                            if slot.head < 0 { continue }
                            li.append(Int32(i)); ri.append(slot.head)
                            if slot.chained != 0 {
                                var r = nx[Int(slot.head)]
                                while r >= 0 { li.append(Int32(i)); ri.append(r); r = nx[Int(r)] }
                            }
                        }
                    }
                }
            }
            return
        }
        let allNullSafe = nullSafe.allSatisfy { $0 }
        let keys = RowKeys.equality(keyCols, count: n)
        let hashes = keys.hashes()
        keys.forEachKey(hashes) { i, key, h in
            if !allNullSafe, keys.hasNull?[i] == true, JoinTable.unsafeNull(keyCols, nullSafe, i) { return }
            let id = table.find(key, hash: h)
            guard id >= 0 else { return }
            var r = head[Int(id)]
            while r >= 0 { li.append(Int32(i)); ri.append(r); r = next[Int(r)] }
        }
    }
}

/// Equi-join by hash. `broadcast`: the right side is gathered and its table built once,
/// and every left partition probes it as a stream; otherwise both sides arrive
/// hash-partitioned on the keys and partition p joins with partition p. Extra non-equi
/// conditions filter candidate pairs.
///
/// `adaptive` (a shuffled join, as Spark's adaptive execution turns a sort-merge join
/// into a broadcast one): the right side's exchange runs first; when its rows fit the
/// broadcast threshold and none spilled, they become the broadcast table, and the left
/// side is read without its exchange (a plan size estimate cannot see that an aggregate
/// or a filter left few rows; the run can).
public final class HashJoinExec: PhysicalOperator {
    let left: PhysicalOperator
    let right: PhysicalOperator
    let type: JoinType
    let leftKeys: [Expr], rightKeys: [Expr]
    let nullSafe: [Bool]
    let condition: Expr?
    let broadcast: Bool
    let boundLeftKeys: [BoundExpr], boundRightKeys: [BoundExpr]
    let boundCondition: BoundExpr?
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [probeSide, right] }
    public var partitionCount: Int { probeSide.partitionCount }
    let adaptive: Bool
    /// The operator whose partitions probe: `left`, or its exchange's input once an
    /// adaptive join has chosen to broadcast.
    private(set) var probeSide: PhysicalOperator
    public var label: String {
        "\(broadcast ? "BroadcastHashJoin" : "ShuffledHashJoin") \(PlanPrinter.exprs(leftKeys)), \(PlanPrinter.exprs(rightKeys)), \(type.sqlName)" + (condition.map { ", " + PlanPrinter.describe($0) } ?? "")
    }
    var broadcastTable: JoinTable? = nil

    public init(left: PhysicalOperator, right: PhysicalOperator, type: JoinType, leftKeys: [Expr], rightKeys: [Expr], nullSafe: [Bool], condition: Expr?, broadcast: Bool,
                output: [Attribute], adaptive: Bool = false) throws {
        self.left = left
        self.probeSide = left
        self.adaptive = adaptive && !broadcast
        self.right = right
        self.type = type
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.nullSafe = nullSafe
        self.condition = condition
        self.broadcast = broadcast
        self.output = output
        boundLeftKeys = try leftKeys.map { try BoundExpr.bind($0, left.output) }
        boundRightKeys = try rightKeys.map { try BoundExpr.bind($0, right.output) }
        boundCondition = try condition.map { try BoundExpr.bind($0, left.output + right.output) }
        // The output may be a subset of the join's columns (the parent reads no others).
        leftCols = output.compactMap { a in left.output.firstIndex { $0.id == a.id } }
        rightCols = output.compactMap { a in right.output.firstIndex { $0.id == a.id } }
    }
    let leftCols: [Int]
    let rightCols: [Int]

    /// True when the probe pairs are exactly rows 0..<count in order (every probe row
    /// matched once): the probe batch can then be used as it is.
    static func isIdentity(_ li: [Int32], count: Int) -> Bool {
        guard li.count == count else { return false }
        for k in 0..<li.count where li[k] != Int32(k) { return false }
        return true
    }

    func gatherLeft(_ lb: RecordBatch, _ li: [Int32]) -> [Column] {
        let identity = HashJoinExec.isIdentity(li, count: lb.count)
        return leftCols.map { identity ? lb.columns[$0] : lb.columns[$0].take(li) }
    }

    func gatherRight(_ build: RecordBatch, _ ri: [Int32]) -> [Column] {
        rightCols.map { build.columns[$0].take(ri) }
    }

    func buildTable(_ batches: [RecordBatch], _ ctx: ExecContext, _ partition: Int) throws -> JoinTable {
        let build = RecordBatch.concat(batches, schema: Schema(right.output.map(\.field)))
        let ectx = ctx.evalContext(partition: partition)
        let keyCols = try boundRightKeys.map { try $0.eval(build, ectx) }
        return JoinTable(build: build, keyCols: keyCols, nullSafe: nullSafe)
    }

    public func prepare(_ ctx: ExecContext) throws {
        if broadcast {
            let t = try buildTable(try Driver.materialize(right, ctx, name: "BroadcastExchange").flatMap { $0 }, ctx, 0)
            _ = ctx.memory.tryReserve(t.byteSize)
            broadcastTable = t
        }
    }

    /// Prepares the subtree of an adaptive join: the right side first, then, depending on
    /// its size, a broadcast table and the left exchange's input, or the left side as planned.
    func prepareAdaptively(_ ctx: ExecContext) throws {
        try Driver.prepareTree(right, ctx)
        if let leftExchange = left as? ExchangeExec, let rightExchange = right as? ExchangeExec, !rightExchange.hasSpilled,
           rightExchange.bufferedBytes <= ctx.config.broadcastThreshold {
            let rows = try (0..<rightExchange.partitionCount).flatMap { try rightExchange.execute($0, ctx) }
            rightExchange.buckets = []  // the table holds the rows now
            let t = try buildTable(rows, ctx, 0)
            _ = ctx.memory.tryReserve(t.byteSize)
            broadcastTable = t
            probeSide = leftExchange.child
            try Driver.prepareTree(probeSide, ctx)
            return
        }
        try Driver.prepareTree(left, ctx)
        try prepare(ctx)
    }

    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        let table: JoinTable
        if let t = broadcastTable {
            table = t
        } else {
            let buildBatches = try right.execute(partition, ctx)
            let bytes = buildBatches.reduce(0) { $0 + $1.byteSize }
            let share = max(1 << 16, ctx.memory.limit / max(1, ctx.config.cores))
            let spillable = right.schema.isSpillable && left.schema.isSpillable
            if spillable && (bytes * 2 > share || !ctx.memory.tryReserve(bytes * 2)) {
                return try graceJoin(buildBatches, bytes: bytes, share: share, partition, ctx)
            }
            table = try buildTable(buildBatches, ctx, partition)
        }
        return try probe(table, try probeSide.stream(partition, ctx), partition, ctx)
    }

    /// Grace hash join: both sides are split by a second hash of the keys into spilled
    /// buckets small enough to build, then joined bucket by bucket.
    func graceJoin(_ buildBatches: [RecordBatch], bytes: Int, share: Int, _ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        let buckets = max(2, bytes * 3 / share + 1)
        let ectx = ctx.evalContext(partition: partition)
        let rightFiles = try ctx.memory.spillByHash(BatchStream(buildBatches), keys: boundRightKeys, buckets: buckets, schema: right.schema, shift: 40, ectx)
        let leftFiles = try ctx.memory.spillByHash(try left.stream(partition, ctx), keys: boundLeftKeys, buckets: buckets, schema: left.schema, shift: 40, ectx)
        var k = 0
        var current: BatchStream? = nil
        return BatchStream {
            while true {
                if let c = current, let b = try c.next() { return b }
                guard k < buckets else { return nil }
                let table = try self.buildTable(try rightFiles[k].read(), ctx, partition)
                current = try self.probe(table, try leftFiles[k].stream(), partition, ctx)
                k += 1
            }
        }
    }

    func probe(_ table: JoinTable, _ input: BatchStream, _ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        let ectx = ctx.evalContext(partition: partition)
        let build = table.build
        let trackBuild = type == .rightOuter || type == .fullOuter
        var matchedBuild = [Bool](repeating: false, count: trackBuild ? build.count : 0)
        let schema = self.schema
        let pairSchema = Schema((left.output + right.output).map(\.field))
        var li: [Int32] = [], ri: [Int32] = []
        var finished = false
        return BatchStream {
            while !finished {
                guard let lb = try input.next() else {
                    finished = true
                    if trackBuild {
                        let un = (0..<build.count).filter { !matchedBuild[$0] }.map { Int32($0) }
                        if !un.isEmpty {
                            let nullsLeft = self.leftCols.map { Column.nulls(self.left.output[$0].dataType, count: un.count) }
                            return RecordBatch(schema: schema, columns: nullsLeft + self.gatherRight(build, un), count: un.count)
                        }
                    }
                    return nil
                }
                if lb.count == 0 { continue }
                let keyCols = try self.boundLeftKeys.map { try $0.eval(lb, ectx) }
                table.probe(keyCols, count: lb.count, nullSafe: self.nullSafe, li: &li, ri: &ri)
                if let cond = self.boundCondition, !li.isEmpty {
                    let cand = RecordBatch(schema: pairSchema, columns: lb.take(li).columns + build.take(ri).columns, count: li.count)
                    let sel = selection(of: try cond.eval(cand, ectx))
                    li = sel.map { li[Int($0)] }
                    ri = sel.map { ri[Int($0)] }
                }
                if let out = self.emit(lb, build, li, ri, &matchedBuild, schema), out.count > 0 { return out }
            }
            return nil
        }
    }

    func emit(_ lb: RecordBatch, _ build: RecordBatch, _ li: [Int32], _ ri: [Int32], _ matchedBuild: inout [Bool], _ schema: Schema) -> RecordBatch? {
        switch type {
        case .inner, .cross:
            return li.isEmpty ? nil : RecordBatch(schema: schema, columns: gatherLeft(lb, li) + gatherRight(build, ri), count: li.count)
        case .leftSemi, .leftAnti:
            var hit = [Bool](repeating: false, count: lb.count)
            for i in li { hit[Int(i)] = true }
            let keep = (0..<lb.count).filter { hit[$0] == (type == .leftSemi) }.map { Int32($0) }
            return keep.isEmpty ? nil : RecordBatch(schema: schema, columns: gatherLeft(lb, keep), count: keep.count)
        case .leftOuter, .fullOuter, .rightOuter:
            for r in ri where !matchedBuild.isEmpty { matchedBuild[Int(r)] = true }
            if type == .rightOuter {
                return li.isEmpty ? nil : RecordBatch(schema: schema, columns: gatherLeft(lb, li) + gatherRight(build, ri), count: li.count)
            }
            // Left rows in order, each with its matches or one NULL-padded row. Probe pairs
            // arrive grouped by left row in order.
            var l2: [Int32] = [], r2: [Int32] = []
            l2.reserveCapacity(max(lb.count, li.count)); r2.reserveCapacity(max(lb.count, li.count))
            var k = 0
            for i in 0..<lb.count {
                var any = false
                while k < li.count && Int(li[k]) == i { l2.append(li[k]); r2.append(ri[k]); k += 1; any = true }
                if !any { l2.append(Int32(i)); r2.append(-1) }
            }
            return RecordBatch(schema: schema, columns: gatherLeft(lb, l2) + gatherRight(build, r2), count: l2.count)
        }
    }
}

/// Joins without equality keys: every left row against every (broadcast) right row.
public final class NestedLoopJoinExec: PhysicalOperator {
    let left: PhysicalOperator
    let right: PhysicalOperator
    let type: JoinType
    let condition: Expr?
    let boundCondition: BoundExpr?
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [left, right] }
    public var partitionCount: Int { left.partitionCount }
    public var label: String { "BroadcastNestedLoopJoin \(type.sqlName)" + (condition.map { ", " + PlanPrinter.describe($0) } ?? "") }
    var build: RecordBatch? = nil

    public init(left: PhysicalOperator, right: PhysicalOperator, type: JoinType, condition: Expr?, output: [Attribute]) throws {
        self.left = left
        self.right = right
        self.type = type
        self.condition = condition
        self.output = output
        boundCondition = try condition.map { try BoundExpr.bind($0, left.output + right.output) }
    }

    public func prepare(_ ctx: ExecContext) throws {
        build = RecordBatch.concat(try Driver.materialize(right, ctx, name: "BroadcastExchange").flatMap { $0 }, schema: Schema(right.output.map(\.field)))
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        guard let build else { return [] }
        let ectx = ctx.evalContext(partition: partition)
        let schema = self.schema
        let pairSchema = Schema((left.output + right.output).map(\.field))
        var out: [RecordBatch] = []
        var matchedBuild = [Bool](repeating: false, count: build.count)
        for lb in try left.execute(partition, ctx) where lb.count > 0 {
            var hitLeft = [Bool](repeating: false, count: lb.count)
            var li: [Int32] = [], ri: [Int32] = []
            let chunk = max(1, 65536 / max(1, build.count))
            var start = 0
            while start < lb.count {
                let end = min(lb.count, start + chunk)
                var cl: [Int32] = [], cr: [Int32] = []
                for i in start..<end { for j in 0..<build.count { cl.append(Int32(i)); cr.append(Int32(j)) } }
                var sel = (0..<cl.count).map { Int32($0) }
                if let cond = boundCondition, !cl.isEmpty {
                    let cand = RecordBatch(schema: pairSchema, columns: lb.take(cl).columns + build.take(cr).columns, count: cl.count)
                    sel = selection(of: try cond.eval(cand, ectx))
                }
                for s in sel {
                    li.append(cl[Int(s)]); ri.append(cr[Int(s)])
                    hitLeft[Int(cl[Int(s)])] = true
                    matchedBuild[Int(cr[Int(s)])] = true
                }
                start = end
            }
            switch type {
            case .leftSemi, .leftAnti:
                let keep = (0..<lb.count).filter { hitLeft[$0] == (type == .leftSemi) }.map { Int32($0) }
                if !keep.isEmpty { out.append(RecordBatch(schema: schema, columns: lb.take(keep).columns, count: keep.count)) }
            case .leftOuter, .fullOuter:
                var byLeft = [[Int32]](repeating: [], count: lb.count)
                for (a, b) in zip(li, ri) { byLeft[Int(a)].append(b) }
                var l2: [Int32] = [], r2: [Int32] = []
                for i in 0..<lb.count {
                    if byLeft[i].isEmpty { l2.append(Int32(i)); r2.append(-1) } else { for r in byLeft[i] { l2.append(Int32(i)); r2.append(r) } }
                }
                out.append(RecordBatch(schema: schema, columns: lb.take(l2).columns + build.take(r2).columns, count: l2.count))
            default:
                if !li.isEmpty { out.append(RecordBatch(schema: schema, columns: lb.take(li).columns + build.take(ri).columns, count: li.count)) }
            }
        }
        if type == .rightOuter || type == .fullOuter {
            let un = (0..<build.count).filter { !matchedBuild[$0] }.map { Int32($0) }
            if !un.isEmpty {
                out.append(RecordBatch(schema: schema, columns: left.output.map { Column.nulls($0.dataType, count: un.count) } + build.take(un).columns, count: un.count))
            }
        }
        return out
    }
}
