import EmberColumnar
import EmberCore
import EmberPlan

/// A resolved expression bound to column ordinals of its input batch, with kernels
/// looked up once. Evaluation runs one kernel call per node per batch.
public indirect enum BoundExpr {
    case column(Int)
    case literal(Value, DataType)
    case call(FunctionCall, ScalarKernel, [BoundExpr])
    case cast(BoundExpr, DataType, CastMode)
    /// Branching forms whose later arguments are evaluated only on the rows that need
    /// them (so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never divides by zero).
    case lazy(FunctionCall, [BoundExpr])
    /// A value computed before the query ran (uncorrelated scalar subquery).
    case constant(Value, DataType)

    static let lazyNames: Set<String> = ["when", "if", "coalesce", "nvl", "and", "or", "nvl2"]

    /// Binds `e` against `input`, folding constant subexpressions to values once.
    public static func bind(_ e: Expr, _ input: [Attribute]) throws -> BoundExpr {
        let b = try bindNode(e, input)
        switch b {
        case .cast, .call, .lazy:
            // Fold deterministic constants; an expression that fails (1/0) stays, so the
            // error surfaces only if a row evaluates it, as in Spark.
            // Anything touching timestamps depends on the session time zone: not folded here.
            if e.isFoldable, e.references.isEmpty, !e.contains(where: { $0.dataType == .timestamp }),
               let v = try? b.eval(RecordBatch(schema: Schema([]), columns: [], count: 1), EvalContext()) {
                return .constant(v.value(at: 0), e.dataType)
            }
            return b
        default:
            return b
        }
    }

    static func bindNode(_ e: Expr, _ input: [Attribute]) throws -> BoundExpr {
        switch e {
        case .attribute(let a):
            guard let i = input.firstIndex(where: { $0.id == a.id }) else {
                throw EmberError.internalError("attribute \(a.name)#\(a.id) not found in [\(input.map { "\($0.name)#\($0.id)" }.joined(separator: ", "))]")
            }
            return .column(i)
        case .literal(let v, let t): return .literal(v, t)
        case .alias(let x, _, _): return try bind(x, input)
        case .cast(let x, let t, let m): return .cast(try bind(x, input), t, m)
        case .sortOrder(let x, _, _): return try bind(x, input)
        case .call(let c):
            let args = try c.args.map { try bind($0, input) }
            if lazyNames.contains(c.name) { return .lazy(c, args) }
            guard let k = ScalarKernels.table[c.name] ?? (UserFunctions.lookup(c.name)?.implementation as? UserKernel)?.kernel else {
                throw EmberError.unsupported("The function `\(c.name)` has no implementation yet.")
            }
            return .call(c, k, args)
        default:
            throw EmberError.internalError("cannot evaluate \(ExprPrinter.sql(e))")
        }
    }

    /// Evaluates over a batch; the result has `batch.count` rows.
    public func eval(_ batch: RecordBatch, _ ctx: EvalContext) throws -> Column {
        switch self {
        case .column(let i): return batch.columns[i]
        case .literal(let v, let t), .constant(let v, let t): return Column.constant(v, type: t, count: batch.count)
        case .cast(let x, let t, let m):
            let c = try x.eval(batch, ctx)
            if c.type == t { return c }
            return try CastKernels.cast(c, to: t, mode: m, ctx: ctx)
        case .call(let c, let k, let args):
            let cols = try args.map { try $0.eval(batch, ctx) }
            return try k(KernelCall(call: c, args: cols, count: batch.count, ctx: ctx))
        case .lazy(let c, let args):
            return try Lazy.eval(c, args, batch, ctx)
        }
    }
}

/// Conditional evaluation over row subsets.
enum Lazy {
    static func eval(_ c: FunctionCall, _ args: [BoundExpr], _ batch: RecordBatch, _ ctx: EvalContext) throws -> Column {
        let n = batch.count
        switch c.name {
        case "and", "or":
            let isAnd = c.name == "and"
            let l = try args[0].eval(batch, ctx)
            // Rows where the left side alone decides: false for AND, true for OR.
            var need: [Int32] = []
            for i in 0..<n {
                let v = l.isNull(i) ? nil : l.bools?[i]
                if v == nil || v == isAnd { need.append(Int32(i)) }
            }
            var out = [Bool](repeating: !isAnd, count: n)
            var valid = Bitmap(count: n, value: true)
            if need.isEmpty { return .booleans(out, validity: nil) }
            let r = try args[1].eval(need.count == n ? batch : batch.take(need), ctx)
            for (k, i32) in need.enumerated() {
                let i = Int(i32)
                let lv: Bool? = l.isNull(i) ? nil : l.bools?[i]
                let rv: Bool? = r.isNull(k) ? nil : r.bools?[k]
                // Three-valued logic.
                let res: Bool?
                if isAnd {
                    if lv == false || rv == false { res = false } else if lv == nil || rv == nil { res = nil } else { res = true }
                } else {
                    if lv == true || rv == true { res = true } else if lv == nil || rv == nil { res = nil } else { res = false }
                }
                if let x = res { out[i] = x } else { valid[i] = false }
            }
            return .booleans(out, validity: valid)
        case "coalesce", "nvl":
            var result = try args[0].eval(batch, ctx)
            for a in args.dropFirst() {
                let missing = (0..<n).filter { result.isNull($0) }.map { Int32($0) }
                if missing.isEmpty { break }
                let part = try a.eval(batch.take(missing), ctx)
                result = scatter(base: result, rows: missing, values: part, type: c.dataType)
            }
            return result
        case "if":
            return try branches([(args[0], args[1])], otherwise: args[2], type: c.dataType, batch, ctx)
        case "nvl2":
            let first = try args[0].eval(batch, ctx)
            let cond = Column.booleans((0..<n).map { !first.isNull($0) }, validity: nil)
            return try branches([(.constant(.null, .null), args[1])], otherwise: args[2], type: c.dataType, batch, ctx, firstCondition: cond)
        default:  // when
            var pairs: [(BoundExpr, BoundExpr)] = []
            var i = 0
            while i + 1 < args.count { pairs.append((args[i], args[i + 1])); i += 2 }
            return try branches(pairs, otherwise: i < args.count ? args[i] : nil, type: c.dataType, batch, ctx)
        }
    }

    static func branches(_ pairs: [(BoundExpr, BoundExpr)], otherwise: BoundExpr?, type: DataType, _ batch: RecordBatch, _ ctx: EvalContext, firstCondition: Column? = nil) throws -> Column {
        let n = batch.count
        var result = Column.nulls(type, count: n)
        var remaining = (0..<n).map { Int32($0) }
        for (k, (cond, value)) in pairs.enumerated() {
            if remaining.isEmpty { break }
            let sub = remaining.count == n ? batch : batch.take(remaining)
            let cv: Column
            if k == 0, let f = firstCondition { cv = remaining.count == n ? f : f.take(remaining) } else { cv = try cond.eval(sub, ctx) }
            var hit: [Int32] = [], hitLocal: [Int32] = [], rest: [Int32] = []
            for (j, row) in remaining.enumerated() {
                if !cv.isNull(j), cv.bools?[j] == true { hit.append(row); hitLocal.append(Int32(j)) } else { rest.append(row) }
            }
            if !hit.isEmpty {
                let vals = try value.eval(sub.take(hitLocal), ctx)
                result = scatter(base: result, rows: hit, values: vals, type: type)
            }
            remaining = rest
        }
        if let o = otherwise, !remaining.isEmpty {
            let vals = try o.eval(batch.take(remaining), ctx)
            result = scatter(base: result, rows: remaining, values: vals, type: type)
        }
        return result
    }

    /// `base` with rows `rows` replaced by `values` (in order).
    static func scatter(base: Column, rows: [Int32], values: Column, type: DataType) -> Column {
        var src = [Int32](repeating: -1, count: base.count)
        var fromValues = [Bool](repeating: false, count: base.count)
        for (k, r) in rows.enumerated() { src[Int(r)] = Int32(k); fromValues[Int(r)] = true }
        // Gather from the concatenation [base; values].
        let both = Column.concat([base, values], type: type)
        let idx = (0..<base.count).map { i in fromValues[i] ? Int32(base.count) + src[i] : Int32(i) }
        return both.take(idx)
    }
}
