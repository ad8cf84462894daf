import EmberColumnar
import EmberCore
import EmberPlan

/// `WITH RECURSIVE`: runs the anchor, then the recursive step over the rows the previous
/// step produced, until a step produces none (Spark's UnionLoop). The step is a logical
/// plan whose reference scan is replaced by the previous rows and planned anew each time.
public final class RecursiveUnionExec: PhysicalOperator {
    let anchor: PhysicalOperator
    let recursive: LogicalPlan
    let reference: AnyHashableBox
    let planner: PhysicalPlanner
    public let output: [Attribute]
    var rows: [RecordBatch] = []
    public var children: [PhysicalOperator] { [anchor] }
    public var partitionCount: Int { 1 }
    public var label: String { "UnionLoop " + attrList(output) }

    /// Spark's `spark.sql.cteRecursionLevelLimit`.
    static let levelLimit = 100

    init(anchor: PhysicalOperator, recursive: LogicalPlan, reference: AnyHashableBox, output: [Attribute], planner: PhysicalPlanner) {
        self.anchor = anchor
        self.recursive = recursive
        self.reference = reference
        self.output = output
        self.planner = planner
    }

    public func prepare(_ ctx: ExecContext) throws {
        let schema = self.schema
        var step = try Driver.materialize(anchor, ctx, name: "UnionLoop anchor").flatMap { $0 }.filter { $0.count > 0 }
        rows = []
        var level = 0
        while !step.isEmpty {
            rows += step.map { RecordBatch(schema: schema, columns: $0.columns, count: $0.count) }
            level += 1
            if level > Self.levelLimit {
                throw EmberError(
                    errorClass: "RECURSION_LEVEL_LIMIT_EXCEEDED", sqlState: "42836",
                    message: "Recursion level limit \(Self.levelLimit) reached but query has not exhausted, try increasing it like 'WITH RECURSIVE t(col) MAX RECURSION LEVEL 200'.")
            }
            let previous = step
            let plan = recursive.transformUp { p in
                guard case .scan(var s) = p, case .local(let l) = s.source, l.data === reference else { return p }
                s.source = .local(LocalRelation(schema: l.schema, data: AnyHashableBox(previous), rowCount: previous.reduce(0) { $0 + $1.count }))
                return .scan(s)
            }
            let op = try planner.plan(plan)
            try Driver.prepareTree(op, ctx)
            step = try Driver.materialize(op, ctx, name: "UnionLoop step \(level)").flatMap { $0 }.filter { $0.count > 0 }
        }
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] { rows }
}
