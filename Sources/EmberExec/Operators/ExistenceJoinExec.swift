import EmberColumnar
import EmberCore
import EmberPlan

/// Spark's ExistenceJoin: every left row, plus a boolean column that is true when some
/// right row satisfies the condition (never NULL). Used for `x IN (subquery)` and EXISTS
/// as values. The right side (a subquery result) is collected once in `prepare`; the
/// condition is evaluated over left-row × right-row blocks of bounded size.
public final class ExistenceJoinExec: PhysicalOperator {
    let left: PhysicalOperator
    let right: PhysicalOperator
    let condition: Expr
    let bound: BoundExpr
    public let output: [Attribute]
    var rightRows: RecordBatch?
    public var children: [PhysicalOperator] { [left, right] }
    public var partitionCount: Int { left.partitionCount }
    public var label: String { "ExistenceJoin " + PlanPrinter.describe(condition) }

    public init(left: PhysicalOperator, right: PhysicalOperator, condition: Expr, exists: Attribute) throws {
        self.left = left
        self.right = right
        self.condition = condition
        self.bound = try BoundExpr.bind(condition, left.output + right.output)
        self.output = left.output + [exists]
    }

    public func prepare(_ ctx: ExecContext) throws {
        let parts = try Driver.materialize(right, ctx, name: "ExistenceJoin build")
        rightRows = RecordBatch.concat(parts.flatMap { $0 }, schema: right.schema)
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        let schema = self.schema
        let r = rightRows ?? RecordBatch.empty(right.schema)
        let m = r.count
        return try left.execute(partition, ctx).map { b in
            var found = [Bool](repeating: false, count: b.count)
            if m > 0 && b.count > 0 {
                // Left rows per block so that a block holds at most ~64k pairs.
                let per = max(1, 65_536 / m)
                var start = 0
                while start < b.count {
                    let end = min(b.count, start + per)
                    var li: [Int32] = [], ri: [Int32] = []
                    for i in start..<end where !found[i] {
                        for j in 0..<m { li.append(Int32(i)); ri.append(Int32(j)) }
                    }
                    if !li.isEmpty {
                        let pairs = RecordBatch(schema: Schema((left.output + right.output).map(\.field)), columns: b.take(li).columns + r.take(ri).columns, count: li.count)
                        let c = try bound.eval(pairs, ctx.evalContext(partition: partition))
                        let bools = c.bools ?? []
                        for k in 0..<li.count where !c.isNull(k) && k < bools.count && bools[k] { found[Int(li[k])] = true }
                    }
                    start = end
                }
            }
            return RecordBatch(schema: schema, columns: b.columns + [.booleans(found, validity: nil)], count: b.count)
        }
    }
}
