import EmberColumnar
import EmberCore
import EmberPlan

/// Evaluates window expressions over a partition whose rows are already grouped by
/// the window's PARTITION BY keys (an exchange sits below): sorts by (partition keys,
/// order keys), walks each window partition, and appends one column per expression.
public final class WindowExec: PhysicalOperator {
    let child: PhysicalOperator
    let windowExprs: [Expr]
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { child.partitionCount }
    public var label: String { "Window " + PlanPrinter.exprs(windowExprs) }

    public init(_ child: PhysicalOperator, _ windowExprs: [Expr]) throws {
        self.child = child
        self.windowExprs = windowExprs
        self.output = child.output + (try windowExprs.map { try $0.toAttribute() })
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        var batch = RecordBatch.concat(try child.execute(partition, ctx), schema: Schema(child.output.map(\.field)))
        if batch.count == 0 { return [] }
        let ectx = ctx.evalContext(partition: partition)
        var extra: [Column] = []
        for w in windowExprs {
            guard case .alias(.window(let f, let spec), _, _) = w, case .call(let call) = f else {
                throw EmberError.internalError("bad window expression")
            }
            extra.append(try evaluate(call, spec, batch, ectx))
        }
        batch = RecordBatch(schema: schema, columns: batch.columns + extra, count: batch.count)
        return [batch]
    }

    func evaluate(_ call: FunctionCall, _ spec: WindowSpec, _ batch: RecordBatch, _ ectx: EvalContext) throws -> Column {
        let n = batch.count
        let input = child.output
        let partCols = try spec.partitionBy.map { try BoundExpr.bind($0, input).eval(batch, ectx) }
        let orderCols = try spec.orderBy.map { try BoundExpr.bind($0, input).eval(batch, ectx) }
        let dirs = spec.orderBy.map { o -> SortDirection in
            if case .sortOrder(_, let a, let nf) = o { return SortDirection(ascending: a, nullsFirst: nf) }
            return SortDirection(ascending: true, nullsFirst: true)
        }
        let partKeys = RowKeys.equality(partCols, count: n)
        let orderKeys = RowKeys.ordered(orderCols, count: n, directions: dirs)
        let allKeys = RowKeys.ordered(partCols + orderCols, count: n, directions: partCols.map { _ in SortDirection(ascending: true, nullsFirst: true) } + dirs)
        let order = SortExec.sortedIndices(allKeys)
        let args = try call.args.map { try BoundExpr.bind($0, input).eval(batch, ectx) }
        // Results by original row index.
        var results = [Value](repeating: .null, count: n)
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && partKeys.key(Int(order[end])) == partKeys.key(Int(order[start])) { end += 1 }
            let rows = Array(order[start..<end])
            try evaluatePartition(call, spec, rows, args, orderKeys, orderCols, &results)
            start = end
        }
        return try Column.from(results, type: call.dataType)
    }

    /// Peer groups: rows with equal ORDER BY keys.
    func peerEnds(_ rows: [Int32], _ orderKeys: RowKeys) -> [Int] {
        var ends = [Int](repeating: rows.count, count: rows.count)
        var i = rows.count - 1
        var groupEnd = rows.count
        while i >= 0 {
            if i + 1 < rows.count && orderKeys.key(Int(rows[i])) != orderKeys.key(Int(rows[i + 1])) { groupEnd = i + 1 }
            ends[i] = groupEnd
            i -= 1
        }
        return ends
    }

    func evaluatePartition(_ call: FunctionCall, _ spec: WindowSpec, _ rows: [Int32], _ args: [Column], _ orderKeys: RowKeys, _ orderCols: [Column], _ results: inout [Value]) throws {
        let m = rows.count
        let ends = peerEnds(rows, orderKeys)
        switch call.name {
        case "row_number":
            for (i, r) in rows.enumerated() { results[Int(r)] = .int(Int32(i + 1)) }
        case "rank", "dense_rank", "percent_rank":
            var rank = 1, dense = 1
            for i in 0..<m {
                if i > 0 && orderKeys.key(Int(rows[i])) != orderKeys.key(Int(rows[i - 1])) { rank = i + 1; dense += 1 }
                let r = Int(rows[i])
                switch call.name {
                case "rank": results[r] = .int(Int32(rank))
                case "dense_rank": results[r] = .int(Int32(dense))
                default: results[r] = .double(m > 1 ? Double(rank - 1) / Double(m - 1) : 0)
                }
            }
        case "cume_dist":
            for i in 0..<m { results[Int(rows[i])] = .double(Double(ends[i]) / Double(m)) }
        case "ntile":
            let buckets = max(1, Int(args[0].value(at: Int(rows[0])).int64Value ?? 1))
            let base = m / buckets, extra = m % buckets
            var i = 0
            for b in 0..<buckets {
                let size = base + (b < extra ? 1 : 0)
                for _ in 0..<size where i < m { results[Int(rows[i])] = .int(Int32(b + 1)); i += 1 }
            }
        case "lag", "lead":
            let off = args.count > 1 ? Int(args[1].value(at: Int(rows[0])).int64Value ?? 1) : 1
            for i in 0..<m {
                let j = call.name == "lag" ? i - off : i + off
                if j >= 0 && j < m { results[Int(rows[i])] = args[0].value(at: Int(rows[j])) } else if args.count > 2 { results[Int(rows[i])] = args[2].value(at: Int(rows[i])) }
            }
        case "nth_value":
            let k = Int(args[1].value(at: Int(rows[0])).int64Value ?? 1)
            let frame = spec.frame ?? WindowFrame(kind: .range, lower: .unboundedPreceding, upper: .currentRow)
            for i in 0..<m {
                let (s, e) = try bounds(frame, i, m, rows, ends, orderCols, ascending: ascending(spec))
                results[Int(rows[i])] = (s + k - 1 < e) ? args[0].value(at: Int(rows[s + k - 1])) : .null
            }
        default:
            guard call.kind == .aggregate else { throw EmberError.unsupported("window function \(call.name)") }
            let frame = spec.frame ?? WindowFrame(kind: .rows, lower: .unboundedPreceding, upper: .unboundedFollowing)
            if try prefixAggregate(call, frame, rows, args, orderCols, ends, spec, &results) { return }
            // Feed each output row's frame into its own accumulator group.
            var frameRows: [Int32] = [], groups: [Int32] = []
            var cache: (Int, Int)? = nil
            var sharedGroup: [Int32] = [Int32](repeating: 0, count: m)
            var groupCount = 0
            for i in 0..<m {
                let (s, e) = try bounds(frame, i, m, rows, ends, orderCols, ascending: ascending(spec))
                if let c = cache, c == (s, e) { sharedGroup[i] = Int32(groupCount - 1); continue }
                cache = (s, e)
                for j in s..<max(s, e) { frameRows.append(rows[j]); groups.append(Int32(groupCount)) }
                sharedGroup[i] = Int32(groupCount)
                groupCount += 1
            }
            let acc = try Accumulators.make(call)
            try acc.update(args.map { $0.take(frameRows) }, groups: groups, groupCount: groupCount)
            let col = try acc.finish(groupCount: groupCount)
            for i in 0..<m { results[Int(rows[i])] = col.value(at: Int(sharedGroup[i])) }
        }
    }

    /// Frame [start, end) within the window partition for row i.
    /// count/sum/avg over any frame and min/max over frames that start at the partition's
    /// first row, from prefix sums or running extremes: O(n) instead of O(n·frame).
    func prefixAggregate(_ call: FunctionCall, _ frame: WindowFrame, _ rows: [Int32], _ args: [Column], _ orderCols: [Column], _ ends: [Int], _ spec: WindowSpec, _ results: inout [Value]) throws -> Bool {
        guard !call.isDistinct, ["count", "sum", "avg", "min", "max"].contains(call.name) else { return false }
        let m = rows.count
        let arg: Column? = args.first
        if let a = arg, !(a.type.isIntegral || a.type == .double || a.type == .float) { return false }
        if (call.name == "min" || call.name == "max"), frame.lower != .unboundedPreceding { return false }
        if call.name == "sum" && call.dataType != .long && call.dataType != .double { return false }
        let asc = ascending(spec)
        // Prefix arrays over the partition's rows in order.
        var cnt = [Int64](repeating: 0, count: m + 1)
        var isum = [Int64](repeating: 0, count: m + 1)
        var dsum = [Double](repeating: 0, count: m + 1)
        var ext = [Value](repeating: .null, count: m + 1)
        let integral = arg.map { $0.type.isIntegral } ?? true
        // Sliding double sums by prefix differences would round differently from Spark's
        // direct summation; those keep the generic path.
        if !integral && frame.lower != .unboundedPreceding && call.name != "count" { return false }
        var overflow = false
        for k in 0..<m {
            let r = Int(rows[k])
            let present = arg.map { !$0.isNull(r) } ?? true
            cnt[k + 1] = cnt[k] + (present ? 1 : 0)
            if let a = arg, present {
                if integral {
                    let x = a.value(at: r).int64Value ?? 0
                    let (v, o) = isum[k].addingReportingOverflow(x)
                    isum[k + 1] = v
                    overflow = overflow || o
                } else {
                    isum[k + 1] = isum[k]
                }
                dsum[k + 1] = dsum[k] + (a.value(at: r).doubleValue ?? 0)
                if call.name == "min" || call.name == "max" {
                    let x = a.value(at: r)
                    let cur = ext[k]
                    if cur.isNull { ext[k + 1] = x } else {
                        let xd = x.doubleValue ?? 0, cd = cur.doubleValue ?? 0
                        let better = call.name == "max" ? (xd > cd || (xd.isNaN && !cd.isNaN)) : (xd < cd || (cd.isNaN && !xd.isNaN))
                        ext[k + 1] = better ? x : cur
                    }
                } else {
                    ext[k + 1] = ext[k]
                }
            } else {
                isum[k + 1] = isum[k]; dsum[k + 1] = dsum[k]; ext[k + 1] = ext[k]
            }
        }
        for i in 0..<m {
            let (s, e) = try bounds(frame, i, m, rows, ends, orderCols, ascending: asc)
            let r = Int(rows[i])
            let n = e > s ? cnt[e] - cnt[s] : 0
            switch call.name {
            case "count": results[r] = .long(n)
            case "sum":
                if n == 0 { results[r] = .null; continue }
                if call.dataType == .long {
                    if overflow { return false }
                    results[r] = .long(isum[e] &- isum[s])
                } else {
                    results[r] = .double(integral ? Double(isum[e] &- isum[s]) : dsum[e] - dsum[s])
                }
            case "avg":
                if n == 0 { results[r] = .null; continue }
                results[r] = .double((integral && !overflow ? Double(isum[e] &- isum[s]) : dsum[e] - dsum[s]) / Double(n))
            default:
                results[r] = e > 0 ? ext[e] : .null
                if case .null = ext[e] {} else if call.dataType != arg?.type {
                    return false
                }
            }
        }
        return true
    }

    func ascending(_ spec: WindowSpec) -> Bool {
        if case .sortOrder(_, let a, _)? = spec.orderBy.first { return a }
        return true
    }

    func bounds(_ f: WindowFrame, _ i: Int, _ m: Int, _ rows: [Int32], _ ends: [Int], _ orderCols: [Column], ascending: Bool) throws -> (Int, Int) {
        func offset(_ e: Expr) -> Double {
            if case .literal(let v, _) = e { return v.doubleValue ?? 0 }
            return 0
        }
        switch f.kind {
        case .rows:
            let s: Int
            switch f.lower {
            case .unboundedPreceding: s = 0
            case .currentRow: s = i
            case .unboundedFollowing: s = m
            case .offset(let e): s = i + Int(offset(e))
            }
            let e: Int
            switch f.upper {
            case .unboundedFollowing: e = m
            case .currentRow: e = i + 1
            case .unboundedPreceding: e = 0
            case .offset(let x): e = i + Int(offset(x)) + 1
            }
            return (max(0, min(m, s)), max(0, min(m, e)))
        case .range:
            // Peer-based bounds; numeric offsets compare the single ORDER BY value.
            var peerStart = i
            while peerStart > 0 && ends[peerStart - 1] == ends[i] { peerStart -= 1 }
            func value(_ k: Int) -> Double? {
                guard let c = orderCols.first, !c.isNull(Int(rows[k])) else { return nil }
                return c.value(at: Int(rows[k])).doubleValue
            }
            // Where the current value's offset window ends, in sort order: ascending keys
            // look at v + offset; descending keys at v - offset.
            func inLower(_ x: Double, _ v: Double, _ off: Double) -> Bool { ascending ? x >= v + off : x <= v - off }
            func inUpper(_ x: Double, _ v: Double, _ off: Double) -> Bool { ascending ? x <= v + off : x >= v - off }
            let v = value(i)
            let s: Int
            switch f.lower {
            case .unboundedPreceding: s = 0
            case .currentRow: s = peerStart
            case .unboundedFollowing: s = m
            case .offset(let x):
                // A NULL key's frame is its NULL peers; other frames never include NULLs.
                guard let v else { s = peerStart; break }
                var k = 0
                while k < m {
                    if let y = value(k), inLower(y, v, offset(x)) { break }
                    k += 1
                }
                s = k
            }
            let e: Int
            switch f.upper {
            case .unboundedFollowing: e = m
            case .currentRow: e = ends[i]
            case .unboundedPreceding: e = 0
            case .offset(let x):
                guard let v else { e = ends[i]; break }
                var k = m
                while k > 0 {
                    if let y = value(k - 1), inUpper(y, v, offset(x)) { break }
                    k -= 1
                }
                e = k
            }
            return (s, e)
        }
    }
}
