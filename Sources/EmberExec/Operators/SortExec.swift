import EmberColumnar
import EmberCore
import EmberPlan

/// Sorts rows by order-preserving encoded keys (one memcmp per comparison, whatever
/// the key types). A global sort sorts each partition in parallel, then merges the
/// sorted runs into one partition.
public final class SortExec: PhysicalOperator {
    let child: PhysicalOperator
    let orders: [Expr]
    let global: Bool
    let boundKeys: [BoundExpr]
    let directions: [SortDirection]
    public var output: [Attribute] { child.output }
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { global ? 1 : child.partitionCount }
    public var label: String { "Sort \(PlanPrinter.exprs(orders)), \(global)" }
    var merged: [RecordBatch] = []

    public init(_ child: PhysicalOperator, orders: [Expr], global: Bool) throws {
        self.child = child
        self.orders = orders
        self.global = global
        boundKeys = try orders.map { try BoundExpr.bind($0, child.output) }
        directions = orders.map { o in
            if case .sortOrder(_, let a, let nf) = o { return SortDirection(ascending: a, nullsFirst: nf) }
            return SortDirection(ascending: true, nullsFirst: true)
        }
    }

    /// Sorts one partition's rows; returns the sorted batch and its encoded keys.
    func sortPartition(_ batches: [RecordBatch], _ ctx: ExecContext, _ p: Int) throws -> (RecordBatch, RowKeys) {
        let all = RecordBatch.concat(batches, schema: schema)
        let ectx = ctx.evalContext(partition: p)
        let keyCols = try boundKeys.map { try $0.eval(all, ectx) }
        let keys = RowKeys.ordered(keyCols, count: all.count, directions: directions)
        let order = SortExec.sortedIndices(keys)
        let sortedKeys = RowKeys.gather(keys, order)
        return (all.take(order), sortedKeys)
    }

    static func sortedIndices(_ keys: RowKeys) -> [Int32] {
        var idx = (0..<keys.count).map { Int32($0) }
        keys.bytes.withUnsafeBytes { raw in
            keys.offsets.withUnsafeBufferPointer { o in
                guard let base = raw.baseAddress else { return }
                idx.sort { a, b in
                    let sa = Int(o[Int(a)]), la = Int(o[Int(a) + 1]) - sa
                    let sb = Int(o[Int(b)]), lb = Int(o[Int(b) + 1]) - sb
                    let c = memcmp(base + sa, base + sb, min(la, lb))
                    if c != 0 { return c < 0 }
                    if la != lb { return la < lb }
                    return a < b
                }
            }
        }
        return idx
    }

    public func prepare(_ ctx: ExecContext) throws {
        guard global else { return }
        let runs = try ctx.scheduler.runStage(name: "Sort", job: ctx.job, partitions: child.partitionCount) { p in
            try self.sortPartition(try self.child.execute(p, ctx), ctx, p)
        }.filter { $0.0.count > 0 }
        if runs.count <= 1 { merged = runs.map(\.0); return }
        // k-way merge of the sorted runs.
        var pos = [Int](repeating: 0, count: runs.count)
        var pickRun: [Int32] = [], pickRow: [Int32] = []
        let total = runs.reduce(0) { $0 + $1.0.count }
        pickRun.reserveCapacity(total); pickRow.reserveCapacity(total)
        var heap = Array(0..<runs.count)
        func less(_ a: Int, _ b: Int) -> Bool {
            let ka = runs[a].1.key(pos[a]), kb = runs[b].1.key(pos[b])
            if ka == kb { return a < b }
            return ka.lexicographicallyPrecedes(kb)
        }
        func siftDown(_ i0: Int) {
            var i = i0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[l], heap[m]) { m = l }
                if r < heap.count && less(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m); i = m
            }
        }
        for i in stride(from: heap.count / 2, through: 0, by: -1) { siftDown(i) }
        while !heap.isEmpty {
            let r = heap[0]
            pickRun.append(Int32(r)); pickRow.append(Int32(pos[r]))
            pos[r] += 1
            if pos[r] >= runs[r].0.count { heap[0] = heap[heap.count - 1]; heap.removeLast() }
            if !heap.isEmpty { siftDown(0) }
        }
        // Gather: concat runs, then take by global index.
        var base = [Int32](repeating: 0, count: runs.count)
        var acc: Int32 = 0
        for (i, r) in runs.enumerated() { base[i] = acc; acc += Int32(r.0.count) }
        let all = RecordBatch.concat(runs.map(\.0), schema: schema)
        let idx = zip(pickRun, pickRow).map { base[Int($0)] + $1 }
        let sorted = all.take(idx)
        var out: [RecordBatch] = []
        var s = 0
        while s < sorted.count { let e = min(sorted.count, s + 65536); out.append(sorted.slice(s..<e)); s = e }
        merged = out
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        if global { return merged }
        let (b, _) = try sortPartition(try child.execute(partition, ctx), ctx, partition)
        return b.count > 0 ? [b] : []
    }
}

extension RowKeys {
    static func gather(_ k: RowKeys, _ order: [Int32]) -> RowKeys {
        var offs: [Int32] = [0]
        offs.reserveCapacity(order.count + 1)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(k.bytes.count)
        for i in order { bytes.append(contentsOf: k.key(Int(i))); offs.append(Int32(bytes.count)) }
        return RowKeys(offsets: offs, bytes: bytes, hasNull: nil)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bernoulli sampling per row, deterministic in (seed, partition, row).
public final class SampleExec: PhysicalOperator {
    let child: PhysicalOperator
    let lower: Double, upper: Double
    let seed: Int64
    public var output: [Attribute] { child.output }
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { child.partitionCount }
    public var label: String { "Sample [\(lower), \(upper)), seed=\(seed)" }

    public init(_ child: PhysicalOperator, lower: Double, upper: Double, seed: Int64) {
        self.child = child
        self.lower = lower
        self.upper = upper
        self.seed = seed
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        var row: UInt64 = 0
        return try child.execute(partition, ctx).map { b in
            var keep: [Int32] = []
            for i in 0..<b.count {
                let u = SampleExec.uniform(seed: seed, partition: partition, row: row)
                row += 1
                if u >= lower && u < upper { keep.append(Int32(i)) }
            }
            return b.take(keep)
        }.filter { $0.count > 0 }
    }

    static func uniform(seed: Int64, partition: Int, row: UInt64) -> Double {
        var z = UInt64(bitPattern: seed) &+ UInt64(partition) &* 0x9E37_79B9_7F4A_7C15 &+ row &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
