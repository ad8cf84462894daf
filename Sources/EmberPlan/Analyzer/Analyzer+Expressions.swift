import EmberCore

extension Analyzer {
    /// Resolves an expression against the input attributes (and enclosing queries' for
    /// correlated subqueries).
    func resolveExpr(_ e: Expr, input: [Attribute], outer: [[Attribute]]) throws -> Expr {
        switch e {
        case .literal, .attribute, .outerReference, .call:
            return e
        case .unresolvedAttribute(let parts):
            if let (a, rest) = try lookup(parts, in: input) {
                return try extractFields(.attribute(a), rest)
            }
            for scope in outer.reversed() {
                if let (a, rest) = try lookup(parts, in: scope) {
                    return try extractFields(.outerReference(a), rest)
                }
            }
            throw EmberError.unresolvedColumn(
                parts.map { quoteIdentifierIfNeeded($0) }.joined(separator: "."),
                candidates: input.map { a in (a.qualifier.last.map { [quoteIdentifierIfNeeded($0)] } ?? []) + [quoteIdentifierIfNeeded(a.name)] }.map { $0.joined(separator: "`.`") })
        case .star:
            throw EmberError(errorClass: "INVALID_USAGE_OF_STAR_OR_REGEX", sqlState: "42000", message: "Invalid usage of '*' in expression.")
        case .alias(let x, let name, let id):
            return .alias(try resolveExpr(x, input: input, outer: outer), name: name, id: id ?? ExprIds.next())
        case .cast(let x, let t, let mode):
            let r = try resolveExpr(x, input: input, outer: outer)
            guard TypeCoercion.canCast(r.dataType, t) else {
                throw EmberError.datatypeMismatch("CAST_WITHOUT_SUGGESTION", "Cannot resolve \"\(ExprPrinter.sql(e))\" due to data type mismatch: cannot cast \"\(r.dataType.sql)\" to \"\(t.sql)\".")
            }
            if r.dataType == t { return r }
            return .cast(r, to: t, mode: mode)
        case .sortOrder(let x, let asc, let nf):
            return .sortOrder(try resolveExpr(x, input: input, outer: outer), ascending: asc, nullsFirst: nf)
        case .extractValue(let x, let key):
            let r = try resolveExpr(x, input: input, outer: outer)
            let k = try resolveExpr(key, input: input, outer: outer)
            return try extract(r, k)
        case .window(let f, let spec):
            return try resolveWindow(f, spec, input: input, outer: outer)
        case .scalarSubquery(let p):
            let r = try resolve(p, outer: outer + [input])
            let out = try r.output()
            guard out.count == 1 else {
                throw EmberError(errorClass: "INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN", sqlState: "42823", message: "Invalid subquery: Scalar subquery must return only one column, but got \(out.count).")
            }
            return .scalarSubquery(r)
        case .exists(let p):
            return .exists(try resolve(p, outer: outer + [input]))
        case .inSubquery(let vals, let p):
            let rv = try vals.map { try resolveExpr($0, input: input, outer: outer) }
            let r = try resolve(p, outer: outer + [input])
            let out = try r.output()
            guard out.count == rv.count else {
                throw EmberError.datatypeMismatch("IN_SUBQUERY_LENGTH_MISMATCH", "Cannot resolve \"IN subquery\": the number of columns in the left hand side (\(rv.count)) does not match the subquery output (\(out.count)).")
            }
            return .inSubquery(rv, r)
        case .function(let name, let args, let distinct):
            return try resolveFunction(name, args, distinct, input: input, outer: outer)
        }
    }

    func extractFields(_ base: Expr, _ fields: [String]) throws -> Expr {
        var e = base
        for f in fields { e = try extract(e, .literal(.string(f), .string)) }
        return e
    }

    /// `struct.field`, `array[i]` (0-based), `map[key]`.
    func extract(_ base: Expr, _ key: Expr) throws -> Expr {
        switch base.dataType {
        case .structure(let fields):
            guard case .literal(.string(let name), _) = key, let i = fields.firstIndex(where: { same($0.name, name) }) else {
                throw EmberError(errorClass: "FIELD_NOT_FOUND", sqlState: "42704", message: "No such struct field \(ExprPrinter.sql(key)) in \(fields.map { "`\($0.name)`" }.joined(separator: ", ")).")
            }
            return .call(FunctionCall(name: "get_struct_field", args: [base], dataType: fields[i].dataType, nullable: true, options: [.int(Int32(i))]))
        case .array(let el, _):
            return .call(FunctionCall(name: "get_array_item", args: [base, TypeCoercion.cast(key, to: .int)], dataType: el, nullable: true))
        case .map(let k, let v, _):
            return .call(FunctionCall(name: "get_map_value", args: [base, TypeCoercion.cast(key, to: k)], dataType: v, nullable: true))
        default:
            throw EmberError.datatypeMismatch("INVALID_EXTRACT_BASE_FIELD_TYPE", "Can't extract a value from \"\(ExprPrinter.sql(base))\". Need a complex type [STRUCT, ARRAY, MAP] but got \"\(base.dataType.sql)\".")
        }
    }

    func resolveFunction(_ rawName: String, _ rawArgs: [Expr], _ distinct: Bool, input: [Attribute], outer: [[Attribute]]) throws -> Expr {
        let name = Functions.canonicalName(rawName)
        // Forms that are sugar over other calls.
        switch name {
        case "between":
            guard rawArgs.count == 3 else { break }
            let v = rawArgs[0]
            let ge = Expr.function(name: ">=", args: [v, rawArgs[1]], isDistinct: false)
            let le = Expr.function(name: "<=", args: [v, rawArgs[2]], isDistinct: false)
            return try resolveExpr(.function(name: "and", args: [ge, le], isDistinct: false), input: input, outer: outer)
        case "count":
            if rawArgs.count == 1, case .star = rawArgs[0] {
                return .call(FunctionCall(name: "count", args: [], dataType: .long, nullable: false, kind: .aggregate))
            }
        case "make_interval_literal":
            let r = try rawArgs.map { try resolveExpr($0, input: input, outer: outer) }
            return .call(FunctionCall(name: "make_interval_literal", args: r, dataType: .null, nullable: false))
        default: break
        }
        guard let sig = Functions.lookup(name) else {
            throw EmberError.unresolvedRoutine(rawName)
        }
        guard sig.arity.contains(rawArgs.count) else {
            let expected = sig.arity.upperBound == Int.max ? "at least \(sig.arity.lowerBound)" : sig.arity.count == 1 ? "\(sig.arity.lowerBound)" : "[\(sig.arity.map(String.init).joined(separator: ", "))]"
            throw EmberError(errorClass: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605", message: "The `\(rawName)` requires \(expected) parameters but the actual number is \(rawArgs.count). Please, refer to 'https://spark.apache.org/docs/latest/sql-ref-functions.html' for a fix.")
        }
        var args = try rawArgs.map { try resolveExpr($0, input: input, outer: outer) }
        // Date/timestamp ± interval literal.
        if (name == "+" || name == "-"), args.count == 2, case .call(let iv) = args[1], iv.name == "make_interval_literal" {
            var ivArgs = iv.args
            if name == "-" {
                ivArgs = ivArgs.map { .call(FunctionCall(name: "negative", args: [$0], dataType: $0.dataType, nullable: $0.nullable)) }
            }
            var target = args[0]
            if target.dataType == .string { target = TypeCoercion.cast(target, to: .timestamp) }
            let onlyDays: Bool = {
                if case .literal(let v, _) = ivArgs[2] { return v.int64Value == 0 }
                return false
            }()
            let t: DataType = target.dataType == .date && onlyDays ? .date : .timestamp
            if target.dataType == .date && t == .timestamp { target = TypeCoercion.cast(target, to: .timestamp) }
            return .call(FunctionCall(name: "add_interval", args: [target] + ivArgs, dataType: t, nullable: target.nullable))
        }
        let before = args.map(\.dataType)
        let type = try sig.resolve(&args)
        _ = before
        var callName = sig.name
        // Date arithmetic resolved by `+`/`-` rules.
        if (callName == "+" || callName == "-") && type == .date { callName = "date_add" }
        if callName == "-" && args.count == 2 && args[0].dataType == .date && args[1].dataType == .date { callName = "datediff" }
        let nullable: Bool
        switch sig.nulls {
        case .propagate: nullable = args.contains(where: \.nullable)
        case .always: nullable = true
        case .never: nullable = false
        }
        var options: [Value] = []
        if Functions.nondeterministic.contains(callName), callName == "rand" || callName == "randn", args.isEmpty {
            options = [.long(Int64.random(in: Int64.min...Int64.max))]
        }
        if sig.kind == .aggregate, args.contains(where: { $0.containsAggregate }) {
            throw EmberError(errorClass: "NESTED_AGGREGATE_FUNCTION", sqlState: "42607", message: "It is not allowed to use an aggregate function in the argument of another aggregate function. Please use the inner aggregate function in a sub-query.")
        }
        return .call(FunctionCall(name: callName, args: args, dataType: type, nullable: nullable, kind: sig.kind, isDistinct: distinct, options: options))
    }

    func resolveWindow(_ f: Expr, _ spec: WindowSpec, input: [Attribute], outer: [[Attribute]]) throws -> Expr {
        let rf = try resolveExpr(f, input: input, outer: outer)
        guard case .call(let call) = rf, call.kind != .scalar else {
            throw EmberError(errorClass: "UNSUPPORTED_EXPR_FOR_WINDOW", sqlState: "42P20", message: "Expression \(ExprPrinter.sql(rf)) not supported within a window function.")
        }
        var s = WindowSpec(
            partitionBy: try spec.partitionBy.map { try resolveExpr($0, input: input, outer: outer) },
            orderBy: try spec.orderBy.map { o -> Expr in
                let x: Expr = { if case .sortOrder = o { return o }; return .sortOrder(o, ascending: true, nullsFirst: true) }()
                return try resolveExpr(x, input: input, outer: outer)
            },
            frame: spec.frame)
        if call.kind == .window, ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead"].contains(call.name), s.orderBy.isEmpty {
            throw EmberError(errorClass: "MISSING_WINDOW_SPECIFICATION", sqlState: "42P20", message: "Window function \(call.name) requires the window to be ordered, please add ORDER BY clause.")
        }
        if let fr = s.frame {
            var f2 = fr
            if case .offset(let x) = fr.lower { f2.lower = .offset(try resolveExpr(x, input: input, outer: outer)) }
            if case .offset(let x) = fr.upper { f2.upper = .offset(try resolveExpr(x, input: input, outer: outer)) }
            s.frame = f2
        } else if call.kind == .aggregate {
            s.frame = s.orderBy.isEmpty
                ? WindowFrame(kind: .rows, lower: .unboundedPreceding, upper: .unboundedFollowing)
                : WindowFrame(kind: .range, lower: .unboundedPreceding, upper: .currentRow)
        }
        return .window(rf, s)
    }
}
