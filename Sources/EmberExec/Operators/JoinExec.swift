import EmberColumnar
import EmberCore
import EmberPlan

/// Equi-join by hash. `broadcast`: the right side is gathered once and every left
/// partition probes it; otherwise both sides arrive hash-partitioned on the keys and
/// partition p joins with partition p. Extra non-equi conditions filter candidate pairs.
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
    public var children: [PhysicalOperator] { [left, right] }
    public var partitionCount: Int { left.partitionCount }
    public var label: String {
        "\(broadcast ? "BroadcastHashJoin" : "ShuffledHashJoin") \(PlanPrinter.exprs(leftKeys)), \(PlanPrinter.exprs(rightKeys)), \(type.sqlName)" + (condition.map { ", " + PlanPrinter.describe($0) } ?? "")
    }
    var broadcastSide: [RecordBatch] = []

    public init(left: PhysicalOperator, right: PhysicalOperator, type: JoinType, leftKeys: [Expr], rightKeys: [Expr], nullSafe: [Bool], condition: Expr?, broadcast: Bool, output: [Attribute]) throws {
        self.left = left
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
    }

    public func prepare(_ ctx: ExecContext) throws {
        if broadcast { broadcastSide = try Driver.materialize(right, ctx, name: "BroadcastExchange").flatMap { $0 } }
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        let ectx = ctx.evalContext(partition: partition)
        let rightSchema = Schema(right.output.map(\.field))
        let build = RecordBatch.concat(broadcast ? broadcastSide : try right.execute(partition, ctx), schema: rightSchema)
        let reserved = build.byteSize * 2
        _ = ctx.memory.tryReserve(reserved)
        defer { ctx.memory.release(reserved) }
        let buildKeyCols = try boundRightKeys.map { try $0.eval(build, ectx) }
        let buildKeys = RowKeys.equality(buildKeyCols, count: build.count)
        let buildHashes = buildKeys.hashes()
        var table = KeyTable(capacity: max(16, build.count))
        var head: [Int32] = []
        var next = [Int32](repeating: -1, count: build.count)
        let allNullSafe = nullSafe.allSatisfy { $0 }
        // Rows are chained in reverse so each chain lists build rows in input order.
        for i in stride(from: build.count - 1, through: 0, by: -1) {
            if !allNullSafe, let hn = buildKeys.hasNull, hn[i], hasUnsafeNull(buildKeyCols, i) { continue }
            let key = buildKeys.key(i)
            let (id, inserted) = key.withUnsafeBytes { table.findOrInsert($0, hash: buildHashes[i]) }
            if inserted { head.append(-1) }
            next[i] = head[Int(id)]
            head[Int(id)] = Int32(i)
        }
        var matchedBuild = [Bool](repeating: false, count: (type == .rightOuter || type == .fullOuter) ? build.count : 0)
        var out: [RecordBatch] = []
        let schema = self.schema
        for lb in try left.execute(partition, ctx) where lb.count > 0 {
            let keyCols = try boundLeftKeys.map { try $0.eval(lb, ectx) }
            let keys = RowKeys.equality(keyCols, count: lb.count)
            let hashes = keys.hashes()
            var li: [Int32] = [], ri: [Int32] = []
            keys.forEachKey(hashes) { i, key, h in
                if !allNullSafe, let hn = keys.hasNull, hn[i], self.hasUnsafeNull(keyCols, i) { return }
                let id = table.find(key, hash: h)
                guard id >= 0 else { return }
                var r = head[Int(id)]
                while r >= 0 { li.append(Int32(i)); ri.append(r); r = next[Int(r)] }
            }
            if let cond = boundCondition, !li.isEmpty {
                let cand = RecordBatch(schema: Schema((left.output + right.output).map(\.field)), columns: lb.take(li).columns + build.take(ri).columns, count: li.count)
                let sel = selection(of: try cond.eval(cand, ectx))
                li = sel.map { li[Int($0)] }
                ri = sel.map { ri[Int($0)] }
            }
            out += emit(lb, build, li, ri, &matchedBuild, schema)
        }
        if type == .rightOuter || type == .fullOuter {
            let un = (0..<build.count).filter { !matchedBuild[$0] }.map { Int32($0) }
            if !un.isEmpty {
                let nullsLeft = left.output.map { Column.nulls($0.dataType, count: un.count) }
                out.append(RecordBatch(schema: schema, columns: nullsLeft + build.take(un).columns, count: un.count))
            }
        }
        return out
    }

    func hasUnsafeNull(_ cols: [Column], _ i: Int) -> Bool {
        for (k, c) in cols.enumerated() where !nullSafe[k] && c.isNull(i) { return true }
        return false
    }

    func emit(_ lb: RecordBatch, _ build: RecordBatch, _ li: [Int32], _ ri: [Int32], _ matchedBuild: inout [Bool], _ schema: Schema) -> [RecordBatch] {
        switch type {
        case .inner, .cross:
            return li.isEmpty ? [] : [RecordBatch(schema: schema, columns: lb.take(li).columns + build.take(ri).columns, count: li.count)]
        case .leftSemi, .leftAnti:
            var hit = [Bool](repeating: false, count: lb.count)
            for i in li { hit[Int(i)] = true }
            let keep = (0..<lb.count).filter { hit[$0] == (type == .leftSemi) }.map { Int32($0) }
            return keep.isEmpty ? [] : [RecordBatch(schema: schema, columns: lb.take(keep).columns, count: keep.count)]
        case .leftOuter, .fullOuter, .rightOuter:
            for r in ri where !matchedBuild.isEmpty { matchedBuild[Int(r)] = true }
            if type == .rightOuter {
                return li.isEmpty ? [] : [RecordBatch(schema: schema, columns: lb.take(li).columns + build.take(ri).columns, count: li.count)]
            }
            // Left rows in order, each with its matches or one NULL-padded row.
            var l2: [Int32] = [], r2: [Int32] = []
            var k = 0
            var byLeft = [[Int32]](repeating: [], count: lb.count)
            for (a, b) in zip(li, ri) { byLeft[Int(a)].append(b) }
            for i in 0..<lb.count {
                if byLeft[i].isEmpty { l2.append(Int32(i)); r2.append(-1) } else { for r in byLeft[i] { l2.append(Int32(i)); r2.append(r) } }
            }
            k = l2.count
            return [RecordBatch(schema: schema, columns: lb.take(l2).columns + build.take(r2).columns, count: k)]
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
