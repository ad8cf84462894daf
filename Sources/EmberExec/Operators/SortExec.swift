import EmberColumnar
import EmberCore
import EmberPlan

/// Sorts rows by order-preserving encoded keys. When the encoded key of every row has
/// the same width (fixed-width key columns) and fits 24 bytes, keys are packed into
/// machine words and sorted as small structs — no per-comparison memcmp; otherwise rows
/// sort by memcmp over their key bytes. A global sort sorts each partition in parallel,
/// merges the sorted runs, and gathers the rows once.
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

    /// One partition's rows with their keys, sorted.
    struct Run {
        var batch: RecordBatch
        /// Packed keys in sorted order (fixed-width path), with the row index in `idx`.
        var packed2: [PackedKey2] = []
        var packed3: [PackedKey3] = []
        /// Byte keys in sorted order (general path; `batch` is then already sorted).
        var keys: RowKeys?
        var count: Int { batch.count }
        var order: [Int32] {
            if !packed2.isEmpty { return packed2.map { Int32(bitPattern: $0.idx) } }
            return packed3.map { Int32(bitPattern: $0.idx) }
        }
    }

    func sortPartition(_ batches: [RecordBatch], _ ctx: ExecContext, _ p: Int) throws -> Run {
        let all = RecordBatch.concat(batches, schema: schema)
        let ectx = ctx.evalContext(partition: p)
        let keyCols = try boundKeys.map { try $0.eval(all, ectx) }
        return sortRun(all, keyCols, nullable: keyCols.map(\.hasNulls))
    }

    /// Sorts one batch by its key columns. `nullable` says which keys get a NULL marker
    /// in the packed form; runs that are merged later must agree on it.
    func sortRun(_ all: RecordBatch, _ keyCols: [Column], nullable: [Bool]) -> Run {
        if let layout = KeyPacking.layout(keyCols, nullable: nullable) {
            let bits = KeyPacking.totalBits(layout)
            if bits <= 128 {
                var k = KeyPacking.pack(keyCols, count: all.count, directions: directions, layout: layout, as: PackedKey2.self)
                PackedKeySort.sort(&k)
                return Run(batch: all, packed2: k)
            }
            if bits <= 192 {
                var k = KeyPacking.pack(keyCols, count: all.count, directions: directions, layout: layout, as: PackedKey3.self)
                PackedKeySort.sort(&k)
                return Run(batch: all, packed3: k)
            }
        }
        let keys = RowKeys.ordered(keyCols, count: all.count, directions: directions)
        let order = SortExec.sortedIndices(keys)
        return Run(batch: all.take(order), keys: RowKeys.gather(keys, order))
    }

    /// Sorted row order of key columns (used by windows).
    static func sortedIndices(_ cols: [Column], count: Int, directions: [SortDirection]) -> [Int32] {
        if let layout = KeyPacking.layout(cols, nullable: cols.map { _ in true }) {
            let bits = KeyPacking.totalBits(layout)
            if bits <= 128 {
                var k = KeyPacking.pack(cols, count: count, directions: directions, layout: layout, as: PackedKey2.self)
                PackedKeySort.sort(&k)
                return k.map { Int32(bitPattern: $0.idx) }
            }
            if bits <= 192 {
                var k = KeyPacking.pack(cols, count: count, directions: directions, layout: layout, as: PackedKey3.self)
                PackedKeySort.sort(&k)
                return k.map { Int32(bitPattern: $0.idx) }
            }
        }
        return sortedIndices(RowKeys.ordered(cols, count: count, directions: directions))
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
        let share = max(1 << 16, ctx.memory.limit / max(1, ctx.config.cores))
        // Each partition sorts what fits; chunks past its memory share are sorted and
        // spilled as runs (external sort).
        // Stage 1: each partition gathers its rows and key columns; chunks past its memory
        // share are sorted and spilled as runs (external sort).
        let parts = try ctx.scheduler.runStage(name: "Sort", job: ctx.job, partitions: child.partitionCount) { p -> (RecordBatch, [Column], [SpillFile]) in
            var chunk: [RecordBatch] = []
            var chunkBytes = 0
            var spills: [SpillFile] = []
            try self.child.stream(p, ctx).forEach { b in
                chunk.append(b)
                chunkBytes += b.byteSize
                if self.schema.isSpillable && (chunkBytes > share || !ctx.memory.tryReserve(b.byteSize)) {
                    spills.append(try self.spillRun(try self.sortPartition(chunk, ctx, p), ctx))
                    ctx.memory.release(chunkBytes)
                    chunk = []
                    chunkBytes = 0
                }
            }
            let all = RecordBatch.concat(chunk, schema: self.schema)
            let keyCols = try self.boundKeys.map { try $0.eval(all, ctx.evalContext(partition: p)) }
            ctx.memory.release(chunkBytes)
            return (all, keyCols, spills)
        }
        if parts.contains(where: { !$0.2.isEmpty }) {
            var cursors: [BatchStream] = []
            for (all, keyCols, spills) in parts {
                for f in spills { cursors.append(try f.stream()) }
                if all.count > 0 { cursors.append(BatchStream(sortedBatches(sortRun(all, keyCols, nullable: keyCols.map(\.hasNulls)), ctx))) }
            }
            spilledMerge = mergeStreams(cursors, ctx)
            return
        }
        // Stage 2: every run packs keys with the same NULL markers (a key gets one only if
        // some partition has a NULL there), sorts in parallel, then runs merge.
        let nullable = boundKeys.indices.map { c in parts.contains { $0.1[c].hasNulls } }
        let sortedRuns = try ctx.scheduler.runStage(name: "SortRuns", job: ctx.job, partitions: parts.count) { p in
            self.sortRun(parts[p].0, parts[p].1, nullable: nullable)
        }
        let runs = sortedRuns.filter { $0.count > 0 }
        guard !runs.isEmpty else { merged = []; return }
        let all = RecordBatch.concat(runs.map(\.batch), schema: schema)
        var base: [UInt32] = []
        var acc: UInt32 = 0
        for r in runs { base.append(acc); acc += UInt32(r.count) }
        let order: [Int32]
        if runs.allSatisfy({ $0.keys == nil && !$0.packed2.isEmpty }) {
            order = SortExec.mergePacked(runs.map(\.packed2), base: base)
        } else if runs.allSatisfy({ $0.keys == nil && !$0.packed3.isEmpty }) {
            order = SortExec.mergePacked(runs.map(\.packed3), base: base)
        } else {
            // Runs of one query pack their keys the same way, so this branch sees byte keys only.
            order = SortExec.mergeBytes(runs, base: base)
        }
        // Gather the output in parallel slices.
        let chunk = 1 << 16
        let pieces = (order.count + chunk - 1) / chunk
        merged = try ctx.scheduler.runStage(name: "SortGather", job: ctx.job, partitions: pieces) { k in
            all.take(Array(order[(k * chunk)..<min(order.count, (k + 1) * chunk)]))
        }
    }
    var spilledMerge: BatchStream? = nil

    /// A sorted run's rows in order, in batch-sized slices.
    func sortedBatches(_ run: Run, _ ctx: ExecContext) -> [RecordBatch] {
        let sorted = run.keys != nil ? run.batch : run.batch.take(run.order)
        var out: [RecordBatch] = []
        var s = 0
        while s < sorted.count { let e = min(sorted.count, s + ctx.config.batchSize); out.append(sorted.slice(s..<e)); s = e }
        return out
    }

    func spillRun(_ run: Run, _ ctx: ExecContext) throws -> SpillFile {
        let w = try ctx.memory.spillWriter(schema: schema)
        for b in sortedBatches(run, ctx) { try w.append(b) }
        return try w.finish()
    }

    /// Streaming k-way merge of sorted batch streams (the external-sort path).
    func mergeStreams(_ inputs: [BatchStream], _ ctx: ExecContext) -> BatchStream {
        struct Cursor { var batch: RecordBatch; var keys: RowKeys; var row: Int }
        var cursors: [Cursor?] = []
        var heap: RunHeap? = nil
        var started = false
        let ectx = ctx.evalContext(partition: 0)
        let schema = self.schema
        let size = ctx.config.batchSize
        func load(_ i: Int) throws {
            while let b = try inputs[i].next() {
                if b.count == 0 { continue }
                let keyCols = try boundKeys.map { try $0.eval(b, ectx) }
                cursors[i] = Cursor(batch: b, keys: RowKeys.ordered(keyCols, count: b.count, directions: directions), row: 0)
                return
            }
            cursors[i] = nil
        }
        return BatchStream {
            if !started {
                started = true
                cursors = [Cursor?](repeating: nil, count: inputs.count)
                for i in inputs.indices { try load(i) }
            }
            var builders = schema.fields.map { ColumnBuilder(type: $0.dataType, capacity: size) }
            var n = 0
            if heap == nil {
                heap = RunHeap(cursors.indices.filter { cursors[$0] != nil }) { a, b in
                    guard let x = cursors[a], let y = cursors[b] else { return a < b }
                    let kx = x.keys.key(x.row), ky = y.keys.key(y.row)
                    // Equal keys keep input order (earlier runs first).
                    return kx.lexicographicallyPrecedes(ky) || (kx == ky && a < b)
                }
            }
            while n < size, let best = heap?.top, var c = cursors[best] {
                for (k, col) in c.batch.columns.enumerated() { builders[k].append(from: col, row: c.row) }
                n += 1
                c.row += 1
                if c.row >= c.batch.count { try load(best) } else { cursors[best] = c }
                if cursors[best] != nil { heap?.topChanged() } else { heap?.popTop() }
            }
            if n == 0 { return nil }
            return RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() }, count: n)
        }
    }

    /// k-way merge of sorted packed runs into global row ids; equal keys keep partition order.
    static func mergePacked<K: PackedSortKey>(_ runs: [[K]], base: [UInt32]) -> [Int32] {
        if runs.count == 1 { return runs[0].map { Int32(bitPattern: $0.idx) } }
        let total = runs.reduce(0) { $0 + $1.count }
        var out = [Int32](repeating: 0, count: total)
        var pos = [Int](repeating: 0, count: runs.count)
        var heap = RunHeap(runs.indices.filter { !runs[$0].isEmpty }) { a, b in
            let x = runs[a][pos[a]], y = runs[b][pos[b]]
            return x.keyLess(y) || (!y.keyLess(x) && a < b)
        }
        out.withUnsafeMutableBufferPointer { o in
            for k in 0..<total {
                guard let r = heap.top else { break }
                o[k] = Int32(bitPattern: runs[r][pos[r]].idx &+ base[r])
                pos[r] += 1
                if pos[r] < runs[r].count { heap.topChanged() } else { heap.popTop() }
            }
        }
        return out
    }

    /// k-way merge of sorted byte-keyed runs (runs hold rows already in sorted order).
    static func mergeBytes(_ runs: [Run], base: [UInt32]) -> [Int32] {
        let total = runs.reduce(0) { $0 + $1.count }
        var out = [Int32](); out.reserveCapacity(total)
        var pos = [Int](repeating: 0, count: runs.count)
        func key(_ r: Int) -> ArraySlice<UInt8> { runs[r].keys?.key(pos[r]) ?? [] }
        var heap = RunHeap(runs.indices.filter { runs[$0].count > 0 }) { a, b in
            let x = key(a), y = key(b)
            return x.lexicographicallyPrecedes(y) || (x == y && a < b)
        }
        while let r = heap.top {
            out.append(Int32(bitPattern: UInt32(pos[r]) &+ base[r]))
            pos[r] += 1
            if pos[r] < runs[r].count { heap.topChanged() } else { heap.popTop() }
        }
        return out
    }

    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        if global, let m = spilledMerge { return m }
        return BatchStream(try execute(partition, ctx))
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        if global, let m = spilledMerge { return try m.drain() }
        if global { return merged }
        let run = try sortPartition(try child.execute(partition, ctx), ctx, partition)
        if run.count == 0 { return [] }
        if run.keys != nil { return [run.batch] }
        return [run.batch.take(run.order)]
    }
}

/// Fixed-width order keys packed big-endian into machine words, with the row index as
/// the final tie-breaker (so sorting is stable). Two words cover most keys (two longs,
/// a double and a long); three words cover up to 192 bits.
protocol PackedSortKey: Comparable {
    static var words: Int { get }
    init(idx: UInt32)
    var idx: UInt32 { get }
    mutating func or(_ word: Int, _ v: UInt64)
    func keyLess(_ y: Self) -> Bool
    /// Key word `w` (0 most significant).
    func word(_ w: Int) -> UInt64
}

struct PackedKey2: PackedSortKey {
    var a: UInt64 = 0, b: UInt64 = 0
    var idx: UInt32
    static var words: Int { 2 }
    init(idx: UInt32) { self.idx = idx }
    @inline(__always) mutating func or(_ w: Int, _ v: UInt64) { if w == 0 { a |= v } else { b |= v } }
    @inline(__always) func word(_ w: Int) -> UInt64 { w == 0 ? a : b }
    @inline(__always) func keyLess(_ y: PackedKey2) -> Bool { a != y.a ? a < y.a : b < y.b }
    @inline(__always) static func < (x: PackedKey2, y: PackedKey2) -> Bool {
        if x.a != y.a { return x.a < y.a }
        if x.b != y.b { return x.b < y.b }
        return x.idx < y.idx
    }
}

struct PackedKey3: PackedSortKey {
    var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0
    var idx: UInt32
    static var words: Int { 3 }
    init(idx: UInt32) { self.idx = idx }
    @inline(__always) mutating func or(_ w: Int, _ v: UInt64) { if w == 0 { a |= v } else if w == 1 { b |= v } else { c |= v } }
    @inline(__always) func word(_ w: Int) -> UInt64 { w == 0 ? a : (w == 1 ? b : c) }
    @inline(__always) func keyLess(_ y: PackedKey3) -> Bool { a != y.a ? a < y.a : (b != y.b ? b < y.b : c < y.c) }
    @inline(__always) static func < (x: PackedKey3, y: PackedKey3) -> Bool {
        if x.a != y.a { return x.a < y.a }
        if x.b != y.b { return x.b < y.b }
        if x.c != y.c { return x.c < y.c }
        return x.idx < y.idx
    }
}

enum KeyPacking {
    /// Bits of each key column (marker byte only when the column has NULLs); nil when
    /// some column is not fixed-width.
    static func layout(_ cols: [Column], nullable: [Bool]) -> [(marker: Bool, bits: Int)]? {
        var out: [(Bool, Int)] = []
        for c in cols {
            let bits: Int
            switch c.storage {
            case .bool, .i8: bits = 8
            case .i16: bits = 16
            case .i32, .f32: bits = 32
            case .i64, .f64: bits = 64
            case .i128: bits = 128
            case .none: bits = 0
            default: return nil
            }
            // The marker depends on the plan's nullability, not on this batch, so that every
            // partition packs keys the same way and runs can be merged.
            out.append((nullable[out.count] || c.hasNulls, bits))
        }
        return out
    }

    static func totalBits(_ layout: [(marker: Bool, bits: Int)]) -> Int { layout.reduce(0) { $0 + ($1.marker ? 8 : 0) + $1.bits } }

    /// ORs `nbits` low bits of `v` into the key at bit offset `off` (from the most significant end).
    @inline(__always)
    static func insert<K: PackedSortKey>(_ k: inout K, _ v: UInt64, _ nbits: Int, _ off: Int) {
        let w = off >> 6, o = off & 63
        let room = 64 - o
        if nbits <= room {
            k.or(w, nbits == 64 ? v : v << UInt64(room - nbits))
        } else {
            k.or(w, v >> UInt64(nbits - room))
            k.or(w + 1, v << UInt64(64 - (nbits - room)))
        }
    }

    static func pack<K: PackedSortKey>(_ cols: [Column], count n: Int, directions: [SortDirection], layout: [(marker: Bool, bits: Int)], as: K.Type) -> [K] {
        var out = (0..<n).map { K(idx: UInt32($0)) }
        var off = 0
        out.withUnsafeMutableBufferPointer { keys in
            for (ci, col) in cols.enumerated() {
                let (marker, bits) = layout[ci]
                let dir = directions[ci]
                let flip: UInt64 = dir.ascending ? 0 : (bits >= 64 ? ~0 : (1 << UInt64(bits)) - 1)
                if marker {
                    let nullMark: UInt64 = dir.nullsFirst ? 0 : 2
                    for i in 0..<n { insert(&keys[i], col.isNull(i) ? nullMark : 1, 8, off) }
                    off += 8
                }
                func put(_ f: (Int) -> UInt64) {
                    let hasNulls = col.validity != nil
                    for i in 0..<n where !(hasNulls && col.isNull(i)) { insert(&keys[i], f(i) ^ flip, bits, off) }
                }
                switch col.storage {
                case .bool(let a): a.withUnsafeBufferPointer { p in put { p[$0] ? 1 : 0 } }
                case .i8(let a): a.withUnsafeBufferPointer { p in put { UInt64(UInt8(bitPattern: p[$0]) ^ 0x80) } }
                case .i16(let a): a.withUnsafeBufferPointer { p in put { UInt64(UInt16(bitPattern: p[$0]) ^ 0x8000) } }
                case .i32(let a): a.withUnsafeBufferPointer { p in put { UInt64(UInt32(bitPattern: p[$0]) ^ 0x8000_0000) } }
                case .i64(let a): a.withUnsafeBufferPointer { p in put { UInt64(bitPattern: p[$0]) ^ (1 << 63) } }
                case .f32(let a): a.withUnsafeBufferPointer { p in put { UInt64(orderedFloatBits(p[$0])) } }
                case .f64(let a): a.withUnsafeBufferPointer { p in put { orderedDoubleBits(p[$0]) } }
                case .i128(let a):
                    let hasNulls = col.validity != nil
                    a.withUnsafeBufferPointer { p in
                        for i in 0..<n where !(hasNulls && col.isNull(i)) {
                            let u = UInt128(bitPattern: p[i]) ^ (UInt128(1) << 127)
                            insert(&keys[i], UInt64(truncatingIfNeeded: u >> 64) ^ flip, 64, off)
                            insert(&keys[i], UInt64(truncatingIfNeeded: u) ^ flip, 64, off + 64)
                        }
                    }
                default: break
                }
                off += bits
            }
        }
        return out
    }

    @inline(__always)
    static func orderedDoubleBits(_ x: Double) -> UInt64 { RowKeys.orderedBits(x) }

    @inline(__always)
    static func orderedFloatBits(_ x: Float) -> UInt32 {
        let v = x.isNaN ? Float.nan : (x == 0 ? 0 : x)
        let b = v.bitPattern
        return b & (1 << 31) != 0 ? ~b : b | (1 << 31)
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

    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        var row: UInt64 = 0
        let (seed, lower, upper) = (self.seed, self.lower, self.upper)
        return try child.stream(partition, ctx).map { b in
            var keep: [Int32] = []
            for i in 0..<b.count {
                let u = SampleExec.uniform(seed: seed, partition: partition, row: row)
                row += 1
                if u >= lower && u < upper { keep.append(Int32(i)) }
            }
            return keep.count == b.count ? b : b.take(keep)
        }
    }

    static func uniform(seed: Int64, partition: Int, row: UInt64) -> Double {
        var z = UInt64(bitPattern: seed) &+ UInt64(partition) &* 0x9E37_79B9_7F4A_7C15 &+ row &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

/// A binary min-heap of run indices for k-way merges; `less` compares the current heads
/// of two runs (callers break ties by run index, so merges are stable).
struct RunHeap {
    var items: [Int]
    let less: (Int, Int) -> Bool

    init(_ runs: [Int], less: @escaping (Int, Int) -> Bool) {
        items = runs
        self.less = less
        for i in stride(from: items.count / 2, through: 0, by: -1) { siftDown(i) }
    }

    var top: Int? { items.first }

    /// The top run advanced to its next row.
    mutating func topChanged() { siftDown(0) }

    /// The top run is exhausted.
    mutating func popTop() {
        guard !items.isEmpty else { return }
        items[0] = items[items.count - 1]
        items.removeLast()
        if !items.isEmpty { siftDown(0) }
    }

    mutating func siftDown(_ i0: Int) {
        var i = i0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && less(items[l], items[m]) { m = l }
            if r < items.count && less(items[r], items[m]) { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}
