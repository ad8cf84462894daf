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
                let (s, e) = try bounds(frame, i, m, rows, ends, orderCols)
                results[Int(rows[i])] = (s + k - 1 < e) ? args[0].value(at: Int(rows[s + k - 1])) : .null
            }
        default:
            guard call.kind == .aggregate else { throw EmberError.unsupported("window function \(call.name)") }
            let frame = spec.frame ?? WindowFrame(kind: .rows, lower: .unboundedPreceding, upper: .unboundedFollowing)
            // Feed each output row's frame into its own accumulator group.
            var frameRows: [Int32] = [], groups: [Int32] = []
            var cache: (Int, Int)? = nil
            var sharedGroup: [Int32] = [Int32](repeating: 0, count: m)
            var groupCount = 0
            for i in 0..<m {
                let (s, e) = try bounds(frame, i, m, rows, ends, orderCols)
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
    func bounds(_ f: WindowFrame, _ i: Int, _ m: Int, _ rows: [Int32], _ ends: [Int], _ orderCols: [Column]) throws -> (Int, Int) {
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
            let ascending: Bool = true
            func value(_ k: Int) -> Double? {
                guard let c = orderCols.first, !c.isNull(Int(rows[k])) else { return nil }
                return c.value(at: Int(rows[k])).doubleValue
            }
            let s: Int
            switch f.lower {
            case .unboundedPreceding: s = 0
            case .currentRow: s = peerStart
            case .unboundedFollowing: s = m
            case .offset(let e):
                guard let v = value(i) else { s = peerStart; break }
                let target = v + offset(e)
                var k = 0
                while k < m, let x = value(k), ascending ? x < target : x > target { k += 1 }
                while k < m && value(k) == nil { k += 1 }
                s = k
            }
            let e: Int
            switch f.upper {
            case .unboundedFollowing: e = m
            case .currentRow: e = ends[i]
            case .unboundedPreceding: e = 0
            case .offset(let x):
                guard let v = value(i) else { e = ends[i]; break }
                let target = v + offset(x)
                var k = 0
                while k < m && (value(k) == nil || value(k)! <= target) { k += 1 }
                e = k
            }
            return (s, e)
        }
    }
}
