import EmberColumnar
import EmberCore
import EmberPlan

/// Applies a generator to every row: `explode` (array elements or map entries),
/// `posexplode` (with the 0-based position first) and `inline` (struct fields as
/// columns). Each input row is repeated once per generated row; with `outer`, a row
/// whose collection is NULL or empty is kept once with NULL generated columns.
public final class GenerateExec: PhysicalOperator {
    let child: PhysicalOperator
    let call: FunctionCall
    let arg: BoundExpr
    let outer: Bool
    public let output: [Attribute]
    public var children: [PhysicalOperator] { [child] }
    public var partitionCount: Int { child.partitionCount }
    public var label: String { "Generate \(call.name)(\(call.args.map(ExprPrinter.sql).joined(separator: ", "))), outer=\(outer) " + attrList(output) }

    public init(_ child: PhysicalOperator, _ call: FunctionCall, outer: Bool, output: [Attribute]) throws {
        guard let a = call.args.first else { throw EmberError.internalError("generator \(call.name) without argument") }
        self.child = child
        self.call = call
        self.arg = try BoundExpr.bind(a, child.output)
        self.outer = outer || call.name.hasSuffix("_outer")
        self.output = output
    }

    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        let schema = self.schema
        let withPosition = call.name.hasPrefix("posexplode")
        var offset: Int64 = 0
        return try child.execute(partition, ctx).map { b in
            let col = try arg.eval(b, ctx.evalContext(partition: partition, rowOffset: offset))
            offset += Int64(b.count)
            // The generated values: one or more columns sharing per-row offsets.
            var offsets: [Int32]
            var values: [Column]
            switch col.storage {
            case .list(let o, let v):
                offsets = o
                if call.name.hasPrefix("inline"), case .structure(let fields) = v.storage {
                    // A NULL struct element yields NULL fields.
                    values = fields.map { f in var f = f; if let sv = v.validity { f.validity = f.validity.map { $0 & sv } ?? sv }; return f }
                } else {
                    values = [v]
                }
            case .map(let o, let k, let v):
                offsets = o
                values = [k, v]
            default:
                // NULL-typed input: nothing to generate.
                offsets = [Int32](repeating: 0, count: b.count + 1)
                values = output.suffix(output.count - b.columns.count).dropFirst(withPosition ? 1 : 0).map { Column.nulls($0.dataType, count: 0) }
            }
            var rows: [Int32] = [], elems: [Int32] = [], positions: [Int32] = []
            for i in 0..<b.count {
                let lo = Int(offsets[i]), hi = Int(offsets[i + 1])
                if col.isNull(i) || hi <= lo {
                    if outer { rows.append(Int32(i)); elems.append(-1); positions.append(-1) }
                    continue
                }
                for j in lo..<hi {
                    rows.append(Int32(i))
                    elems.append(Int32(j))
                    positions.append(Int32(j - lo))
                }
            }
            var cols = b.columns.map { $0.take(rows) }
            if withPosition {
                let valid = outer ? Bitmap(positions.map { $0 >= 0 }) : nil
                cols.append(.int32s(positions.map { max(0, $0) }, validity: valid))
            }
            cols += values.map { $0.take(elems) }
            return RecordBatch(schema: schema, columns: cols, count: rows.count)
        }
    }
}
