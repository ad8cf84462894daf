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
                // Spark points at the function that converts between dates and numbers.
                let suggestion: String? = r.dataType == .date && t.isNumeric ? "UNIX_DATE" : r.dataType.isNumeric && t == .date ? "DATE_FROM_UNIX_DATE" : nil
                if let fn = suggestion {
                    throw EmberError.datatypeMismatch("CAST_WITH_FUNC_SUGGESTION", "Cannot resolve \"\(ExprPrinter.sql(e))\" due to data type mismatch: cannot cast \"\(r.dataType.sql)\" to \"\(t.sql)\". To convert values from \"\(r.dataType.sql)\" to \"\(t.sql)\", you can use the function `\(fn)` instead.")
                }
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
        case .lambda:
            throw EmberError(errorClass: "INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION", sqlState: "42K0D", message: "Invalid lambda function call. A lambda function should only be used in a higher order function.")
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
        case "string", "boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "decimal", "date", "timestamp", "binary":
            // Spark's cast functions: `string(x)` is `CAST(x AS STRING)`.
            guard rawArgs.count == 1, let t = try? DataType(ddl: name) else { break }
            return try resolveExpr(.cast(rawArgs[0], to: t, mode: .ansi), input: input, outer: outer)
        case "make_interval_literal":
            let r = try rawArgs.map { try resolveExpr($0, input: input, outer: outer) }
            return .call(FunctionCall(name: "make_interval_literal", args: r, dataType: .null, nullable: false))
        default: break
        }
        if rawArgs.contains(where: { if case .lambda = $0 { return true }; return false }) {
            return try resolveHigherOrder(name, rawArgs, input: input, outer: outer)
        }
        if let udf = UserFunctions.lookup(rawName) {
            let args = try rawArgs.map { try resolveExpr($0, input: input, outer: outer) }
            return .call(FunctionCall(name: udf.key, args: args, dataType: udf.returnType, nullable: udf.nullable))
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
                // Negate literal parts in place, so a zero micros part still reads as zero below
                // (date - INTERVAL '1' MONTH stays a DATE).
                ivArgs = ivArgs.map { a in
                    if case .literal(.long(let x), let t) = a, x != .min { return .literal(.long(-x), t) }
                    return .call(FunctionCall(name: "negative", args: [a], dataType: a.dataType, nullable: a.nullable))
                }
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
            throw EmberError(errorClass: "_LEGACY_ERROR_TEMP_1037", sqlState: nil, message: "Window function \(ExprPrinter.sql(rf)) requires window to be ordered, please add ORDER BY clause. For example SELECT \(ExprPrinter.sql(rf))(value_expr) OVER (PARTITION BY window_partition ORDER BY window_ordering) from table.")
        }
        if let fr = s.frame {
            try checkFrameBounds(fr)
            var f2 = fr
            let key = s.orderBy.first.map { o -> DataType in if case .sortOrder(let k, _, _) = o { return k.dataType }; return o.dataType }
            if case .offset(let x) = fr.lower { f2.lower = .offset(rangeOffset(try resolveExpr(x, input: input, outer: outer), kind: fr.kind, key: key)) }
            if case .offset(let x) = fr.upper { f2.upper = .offset(rangeOffset(try resolveExpr(x, input: input, outer: outer), kind: fr.kind, key: key)) }
            s.frame = f2
        } else if call.kind == .aggregate {
            s.frame = s.orderBy.isEmpty
                ? WindowFrame(kind: .rows, lower: .unboundedPreceding, upper: .unboundedFollowing)
                : WindowFrame(kind: .range, lower: .unboundedPreceding, upper: .currentRow)
        }
        return .window(rf, s)
    }
}

extension Analyzer {
    /// A frame whose lower bound lies after its upper bound (`1 FOLLOWING AND 1 PRECEDING`)
    /// is rejected, as Spark's SpecifiedWindowFrame check.
    func checkFrameBounds(_ f: WindowFrame) throws {
        func position(_ b: FrameBoundary) -> Double? {
            switch b {
            case .unboundedPreceding: return -.infinity
            case .unboundedFollowing: return .infinity
            case .currentRow: return 0
            case .offset(.literal(let v, _)): return v.doubleValue ?? v.int64Value.map(Double.init)
            case .offset: return nil
            }
        }
        guard let lo = position(f.lower), let hi = position(f.upper), lo > hi else { return }
        let text = "(\(f.kind == .rows ? "ROWS" : "RANGE") BETWEEN \(ExprPrinter.bound(f.lower)) AND \(ExprPrinter.bound(f.upper)))"
        throw EmberError.datatypeMismatch(
            "SPECIFIED_WINDOW_FRAME_WRONG_COMPARISON",
            "Cannot resolve \"\(text)\" due to data type mismatch: The lower bound of a window frame must be less than or equal to the upper bound.")
    }

    /// A window function (row_number, rank, lag…) used without OVER.
    func checkWindowFunctionsHaveOver(_ items: [Expr]) throws {
        func walk(_ e: Expr) throws {
            switch e {
            case .window: return
            case .call(let c) where c.kind == .window:
                throw EmberError(errorClass: "WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE", sqlState: "42601", message: "Window function \"\(ExprPrinter.sql(e))\" requires an OVER clause.")
            default: try e.children.forEach(walk)
            }
        }
        try items.forEach(walk)
    }
}

extension Analyzer {
    /// A RANGE frame's interval offset over a DATE or TIMESTAMP key, as a number in the key's
    /// own unit (days or microseconds), so the frame compares key values directly.
    func rangeOffset(_ e: Expr, kind: WindowFrame.Kind, key: DataType?) -> Expr {
        guard kind == .range, case .call(let c) = e, c.name == "make_interval_literal", c.args.count == 3 else { return e }
        let parts = c.args.map { x -> Int64? in if case .literal(let v, _) = x { return v.int64Value }; return nil }
        guard let months = parts[0], let days = parts[1], let micros = parts[2], months == 0 else { return e }
        switch key {
        case .date? where micros == 0: return .literal(.int(Int32(clamping: days)), .int)
        case .timestamp?:
            let (d, o1) = days.multipliedReportingOverflow(by: 86_400_000_000)
            let (t, o2) = d.addingReportingOverflow(micros)
            return o1 || o2 ? e : .literal(.long(t), .long)
        default: return e
        }
    }
}

extension Analyzer {
    /// Higher-order functions over arrays: `transform`, `filter`, `exists`, `forall` (lambda
    /// `x` or `(x, i)`) and `aggregate`/`reduce` (`(acc, x)` and an optional finish `acc`).
    /// Each lambda parameter becomes a fresh attribute that shadows input columns of the
    /// same name; the input columns a body reads are appended to the call's arguments (their
    /// count in `options`), so kernels evaluate bodies over element batches.
    func resolveHigherOrder(_ name: String, _ rawArgs: [Expr], input: [Attribute], outer: [[Attribute]]) throws -> Expr {
        let lambdas: [(params: [String], body: Expr)] = rawArgs.compactMap { if case .lambda(let p, let b) = $0 { return (p, b) }; return nil }
        let data = try rawArgs.filter { if case .lambda = $0 { return false }; return true }.map { try resolveExpr($0, input: input, outer: outer) }
        let spec: (data: Int, lambdas: ClosedRange<Int>)
        switch name {
        case "transform", "filter", "exists", "forall": spec = (1, 1...1)
        case "aggregate", "reduce": spec = (2, 1...2)
        default: throw EmberError.unresolvedRoutine(name)
        }
        guard data.count == spec.data, spec.lambdas.contains(lambdas.count), rawArgs.count == data.count + lambdas.count else {
            throw EmberError(errorClass: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605", message: "The `\(name)` requires \(spec.data + spec.lambdas.lowerBound) parameters but the actual number is \(rawArgs.count).")
        }
        guard case .array(let element, let containsNull) = data[0].dataType else {
            throw EmberError.datatypeMismatch("UNEXPECTED_INPUT_TYPE", "Cannot resolve \"\(name)\" due to data type mismatch: The first parameter requires the \"ARRAY\" type, however \"\(ExprPrinter.sql(data[0]))\" has the type \"\(data[0].dataType.sql)\".")
        }
        func bind(_ l: (params: [String], body: Expr), _ types: [DataType]) throws -> LambdaFunction {
            guard l.params.count <= types.count, !l.params.isEmpty else {
                throw EmberError(errorClass: "INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH", sqlState: "42K0D", message: "Invalid lambda function call. A higher order function expects \(types.count) arguments, but got \(l.params.count).")
            }
            let params = zip(l.params, types).map { Attribute.fresh($0, $1, nullable: true) }
            let visible = params + input.filter { a in !l.params.contains { same($0, a.name) } }
            return LambdaFunction(params: params, body: try resolveExpr(l.body, input: visible, outer: outer))
        }
        var args = data
        var bound: [LambdaFunction] = []
        let type: DataType
        switch name {
        case "transform":
            let f = try bind(lambdas[0], [element, .int])
            bound = [f]
            type = .array(element: f.body.dataType, containsNull: f.body.nullable)
        case "filter", "exists", "forall":
            var f = try bind(lambdas[0], name == "filter" ? [element, .int] : [element])
            if f.body.dataType == .null { f.body = .literal(.null, .boolean) }
            guard f.body.dataType == .boolean else {
                throw EmberError.datatypeMismatch("UNEXPECTED_INPUT_TYPE", "Cannot resolve \"\(name)\" due to data type mismatch: The second parameter requires the \"BOOLEAN\" type, however \"\(ExprPrinter.sql(f.body))\" has the type \"\(f.body.dataType.sql)\".")
            }
            bound = [f]
            type = name == "filter" ? .array(element: element, containsNull: containsNull) : .boolean
        default:  // aggregate / reduce
            let accType = data[1].dataType
            var merge = try bind(lambdas[0], [accType, element])
            guard let t = TypeCoercion.wider(accType, merge.body.dataType), t == accType || TypeCoercion.canCast(merge.body.dataType, accType) else {
                throw EmberError.datatypeMismatch("UNEXPECTED_INPUT_TYPE", "Cannot resolve \"\(name)\" due to data type mismatch: The merge function returns \"\(merge.body.dataType.sql)\", which does not match the type \"\(accType.sql)\" of the initial value.")
            }
            _ = t
            merge.body = TypeCoercion.cast(merge.body, to: accType)
            bound = [merge]
            if lambdas.count > 1 { bound.append(try bind(lambdas[1], [accType])) }
            type = bound.last.map { bound.count > 1 ? $0.body.dataType : accType } ?? accType
        }
        // Input columns the bodies read travel as extra arguments.
        let paramIds = Set(bound.flatMap(\.params).map(\.id))
        var captured: [Attribute] = []
        for f in bound {
            for id in f.body.references where !paramIds.contains(id) && !captured.contains(where: { $0.id == id }) {
                if let a = input.first(where: { $0.id == id }) { captured.append(a) }
            }
        }
        if bound.contains(where: { $0.body.contains { if case .outerReference = $0 { return true }; return false } }) {
            throw EmberError.unsupported("Outer references inside lambda functions are not supported.")
        }
        args += captured.map(Expr.attribute)
        return .call(FunctionCall(name: name == "reduce" ? "aggregate" : name, args: args, dataType: type, nullable: true, options: [.int(Int32(captured.count))], lambdas: bound))
    }
}
