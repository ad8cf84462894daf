import EmberCore

/// How the analyzer resolves a function call: its arity, kind and a rule that coerces
/// the (resolved) arguments in place and returns the result type. Kernels live in the
/// execution layer under the same canonical name.
public struct FunctionSignature {
    public enum Nulls {
        /// NULL in → NULL out (nullable when any argument is).
        case propagate
        case always
        case never
    }
    public var name: String
    public var kind: FunctionKind
    public var arity: ClosedRange<Int>
    public var nulls: Nulls
    public var resolve: (inout [Expr]) throws -> DataType

    public init(
        _ name: String, _ kind: FunctionKind = .scalar, arity: ClosedRange<Int>, nulls: Nulls = .propagate,
        resolve: @escaping (inout [Expr]) throws -> DataType
    ) {
        self.name = name
        self.kind = kind
        self.arity = arity
        self.nulls = nulls
        self.resolve = resolve
    }
}

/// The function catalog: explicit lists per family (Swift has no static registration).
public enum Functions {
    public static let all: [String: FunctionSignature] = {
        var d: [String: FunctionSignature] = [:]
        for f in operators + conditionals + aggregates + windows + extraScalars + CollectionFunctions.all + StatAggregates.all { d[f.name] = f }
        return d
    }()

    /// Alternative spellings → canonical names.
    public static let aliases: [String: String] = [
        "=": "==", "<>": "!=", "substr": "substring", "power": "pow", "ceiling": "ceil", "lcase": "lower",
        "ucase": "upper", "std": "stddev", "stddev_samp": "stddev", "var_samp": "variance", "signum": "sign",
        "char_length": "length", "character_length": "length", "len": "length", "mean": "avg",
        "approx_percentile": "percentile_approx", "first_value": "first", "last_value": "last", "any_value": "first",
        "day": "dayofmonth", "ifnull": "nvl", "some": "bool_or", "any": "bool_or", "every": "bool_and",
        "printf": "format_string", "position": "locate", "date_part": "extract", "dateadd": "date_add",
        "datediff": "datediff", "random": "rand", "sha": "sha1", "char": "chr", "isnan": "isnan",
        "array_agg": "collect_list", "mod": "%", "equal_null": "<=>", "regexp": "rlike",
    ]

    /// Functions whose result differs between evaluations.
    public static let nondeterministic: Set<String> = [
        "rand", "randn", "monotonically_increasing_id", "spark_partition_id", "uuid", "current_date",
        "current_timestamp", "now", "input_file_name",
    ]

    /// Extension point: families defined in other files add themselves here.
    static var extraScalars: [FunctionSignature] { MathFunctions.all + StringFunctions.all + DateFunctions.all + MiscFunctions.all }

    public static func lookup(_ name: String) -> FunctionSignature? {
        let n = name.lowercased()
        return all[aliases[n] ?? n]
    }

    public static func canonicalName(_ name: String) -> String {
        let n = name.lowercased()
        return aliases[n] ?? n
    }

    // MARK: Rule helpers

    static func mismatch(_ fn: String, _ what: String) -> EmberError {
        EmberError.datatypeMismatch("UNEXPECTED_INPUT_TYPE", "Cannot resolve \"\(fn)\" due to data type mismatch: \(what).")
    }

    /// Casts argument `i` to `t` when the implicit cast is allowed (strings and numbers
    /// convert; anything else is a DATATYPE_MISMATCH).
    public static func coerce(_ args: inout [Expr], _ i: Int, to t: DataType, fn: String) throws {
        let from = args[i].dataType
        if from == t { return }
        let ok: Bool
        switch (from, t) {
        case (.null, _): ok = true
        case (let a, let b) where a.isNumeric && b.isNumeric: ok = true
        case (.string, let b) where b.isNumeric || b.isDatetime || b == .binary || b == .boolean: ok = true
        case (let a, .string) where !a.isNested: ok = true
        case (.date, .timestamp), (.timestamp, .date): ok = true
        default: ok = false
        }
        guard ok else {
            throw EmberError.datatypeMismatch(
                "UNEXPECTED_INPUT_TYPE",
                "Cannot resolve \"\(fn)\" due to data type mismatch: The \(ordinal(i)) parameter requires the \"\(t.sql)\" type, however \"\(ExprPrinter.sql(args[i]))\" has the type \"\(from.sql)\".")
        }
        args[i] = TypeCoercion.cast(args[i], to: t)
    }

    static func ordinal(_ i: Int) -> String {
        ["first", "second", "third", "fourth", "fifth", "sixth"][min(i, 5)]
    }

    /// Signature with fixed argument types and result.
    public static func fixed(_ name: String, _ types: [DataType], _ result: DataType, optional: Int = 0, nulls: FunctionSignature.Nulls = .propagate) -> FunctionSignature {
        FunctionSignature(name, arity: (types.count - optional)...types.count, nulls: nulls) { args in
            for i in args.indices where i < types.count { try coerce(&args, i, to: types[i], fn: name) }
            return result
        }
    }

    static func numericArg(_ args: inout [Expr], _ i: Int, fn: String) throws -> DataType {
        let t = args[i].dataType
        if t.isNumeric { return t }
        if t == .null { args[i] = .literal(.null, .double); return .double }
        if t == .string { args[i] = TypeCoercion.cast(args[i], to: .double); return .double }
        throw EmberError.datatypeMismatch(
            "UNEXPECTED_INPUT_TYPE",
            "Cannot resolve \"\(fn)\" due to data type mismatch: The \(ordinal(i)) parameter requires the \"NUMERIC\" type, however \"\(ExprPrinter.sql(args[i]))\" has the type \"\(t.sql)\".")
    }

    /// Decimal view of a numeric argument for decimal arithmetic: integer literals use their own
    /// digit count, as Spark does.
    static func decimalView(_ e: Expr) -> DataType? {
        if case .literal(let v, let t) = e, t.isIntegral, let x = v.int64Value {
            return .decimal(precision: max(1, String(x.magnitude).count), scale: 0)
        }
        return TypeCoercion.decimalFor(e.dataType)
    }

    // MARK: Operators

    static func arithmetic(_ op: String) -> FunctionSignature {
        FunctionSignature(op, arity: 2...2) { args in
            var a = args[0].dataType, b = args[1].dataType
            if a == .string && b == .string {
                throw EmberError.datatypeMismatch(
                    "BINARY_OP_WRONG_TYPE",
                    "Cannot resolve \"(\(ExprPrinter.sql(args[0])) \(op) \(ExprPrinter.sql(args[1])))\" due to data type mismatch: the binary operator requires the input type (\"NUMERIC\" or \"INTERVAL DAY TO SECOND\" or \"INTERVAL YEAR TO MONTH\" or \"INTERVAL\"), not \"STRING\".")
            }
            // Date arithmetic, as Spark rewrites it: date - date (a string side read as a date)
            // is datediff; date ± n is date_add/date_sub, whose days must be INT, SMALLINT or TINYINT.
            if op == "-" && (a == .date || b == .date) && (a == .string || b == .string || a == b) {
                args = args.map { TypeCoercion.cast($0, to: .date) }
                return .int
            }
            if (op == "+" && (a == .date || b == .date)) || (op == "-" && a == .date) {
                if a != .date { args.swapAt(0, 1); swap(&a, &b) }
                if b == .string { args[1] = TypeCoercion.cast(args[1], to: .date); b = .date }
                if b == .null { args[1] = .literal(.null, .int); b = .int }
                guard b == .int || b == .short || b == .byte else {
                    throw EmberError.datatypeMismatch(
                        "UNEXPECTED_INPUT_TYPE",
                        "Cannot resolve \"\(op == "+" ? "date_add" : "date_sub")(\(ExprPrinter.sql(args[0])), \(ExprPrinter.sql(args[1])))\" due to data type mismatch: The second parameter requires the (\"INT\" or \"SMALLINT\" or \"TINYINT\") type, however \"\(ExprPrinter.sql(args[1]))\" has the type \"\(b.sql)\".")
                }
                let days = TypeCoercion.cast(args[1], to: .int)
                args = [args[0], op == "-" ? .call(FunctionCall(name: "negative", args: [days], dataType: .int, nullable: days.nullable)) : days]
                return .date  // rewritten to date_add by the analyzer
            }
            // A string meets a number as BIGINT (integral) or DOUBLE, as Spark's ANSI string promotion.
            if a == .string { args[0] = TypeCoercion.cast(args[0], to: b.isNumeric ? (b.isIntegral ? .long : .double) : .double); a = args[0].dataType }
            if b == .string { args[1] = TypeCoercion.cast(args[1], to: a.isNumeric ? (a.isIntegral ? .long : .double) : .double); b = args[1].dataType }
            if a == .null && b == .null { args = args.map { TypeCoercion.cast($0, to: .double) }; return op == "/" ? .double : .int }
            if a == .null { args[0] = .literal(.null, b); a = b }
            if b == .null { args[1] = .literal(.null, a); b = a }
            guard a.isNumeric, b.isNumeric else {
                throw EmberError.datatypeMismatch(
                    a.isNumeric || b.isNumeric || a != b ? "BINARY_OP_DIFF_TYPES" : "BINARY_OP_WRONG_TYPE",
                    "Cannot resolve \"(\(ExprPrinter.sql(args[0])) \(op) \(ExprPrinter.sql(args[1])))\" due to data type mismatch: the left and right operands of the binary operator have incompatible types (\"\(a.sql)\" and \"\(b.sql)\").")
            }
            let anyFloat = a.isFractional || b.isFractional
            if op == "/" && !(a.isDecimal || b.isDecimal) || (anyFloat && (op == "/" || a.isDecimal || b.isDecimal)) {
                args = args.map { TypeCoercion.cast($0, to: .double) }
                return .double
            }
            if a.isDecimal || b.isDecimal || (op == "/" && !anyFloat) {
                guard case .decimal(let p1, let s1)? = decimalView(args[0]), case .decimal(let p2, let s2)? = decimalView(args[1]) else {
                    return .double
                }
                if !a.isDecimal { args[0] = TypeCoercion.cast(args[0], to: .decimal(precision: p1, scale: s1)) }
                if !b.isDecimal { args[1] = TypeCoercion.cast(args[1], to: .decimal(precision: p2, scale: s2)) }
                switch op {
                case "+", "-": return TypeCoercion.boundedDecimal(max(s1, s2) + max(p1 - s1, p2 - s2) + 1, max(s1, s2))
                case "*": return TypeCoercion.boundedDecimal(p1 + p2 + 1, s1 + s2)
                case "/":
                    let s = max(6, s1 + p2 + 1)
                    return TypeCoercion.boundedDecimal(p1 - s1 + s2 + s, s)
                default:  // %
                    return TypeCoercion.boundedDecimal(min(p1 - s1, p2 - s2) + max(s1, s2), max(s1, s2))
                }
            }
            let t = TypeCoercion.wider(a, b) ?? .double
            args = args.map { TypeCoercion.cast($0, to: t) }
            return t
        }
    }

    static func comparison(_ op: String) -> FunctionSignature {
        FunctionSignature(op, arity: 2...2, nulls: op == "<=>" ? .never : .propagate) { args in
            let a = args[0].dataType, b = args[1].dataType
            guard let t = TypeCoercion.comparable(a, b) else {
                throw EmberError.datatypeMismatch(
                    "BINARY_OP_DIFF_TYPES",
                    "Cannot resolve \"(\(ExprPrinter.sql(args[0])) \(op == "==" ? "=" : op) \(ExprPrinter.sql(args[1])))\" due to data type mismatch: the left and right operands of the binary operator have incompatible types (\"\(a.sql)\" and \"\(b.sql)\").")
            }
            args = args.map { TypeCoercion.cast($0, to: t) }
            return .boolean
        }
    }

    static func boolean(_ name: String, arity: ClosedRange<Int>) -> FunctionSignature {
        FunctionSignature(name, arity: arity) { args in
            for i in args.indices {
                let t = args[i].dataType
                if t == .null { args[i] = .literal(.null, .boolean); continue }
                guard t == .boolean else {
                    throw EmberError.datatypeMismatch(
                        "UNEXPECTED_INPUT_TYPE",
                        "Cannot resolve \"\(name)\" due to data type mismatch: The \(ordinal(i)) parameter requires the \"BOOLEAN\" type, however \"\(ExprPrinter.sql(args[i]))\" has the type \"\(t.sql)\".")
                }
            }
            return .boolean
        }
    }

    public static let operators: [FunctionSignature] = [
        arithmetic("+"), arithmetic("-"), arithmetic("*"), arithmetic("/"), arithmetic("%"),
        FunctionSignature("div", arity: 2...2) { args in
            for i in 0..<2 { _ = try numericArg(&args, i, fn: "div") }
            let t = TypeCoercion.wider(args[0].dataType, args[1].dataType) ?? .long
            if t.isFractional {
                args = args.map { TypeCoercion.cast($0, to: .double) }
            } else if t.isDecimal {
                args = args.map { TypeCoercion.cast($0, to: t) }
            } else {
                args = args.map { TypeCoercion.cast($0, to: .long) }
            }
            return .long
        },
        FunctionSignature("negative", arity: 1...1) { args in try numericArg(&args, 0, fn: "negative") },
        FunctionSignature("positive", arity: 1...1) { args in try numericArg(&args, 0, fn: "positive") },
        comparison("=="), comparison("!="), comparison("<"), comparison("<="), comparison(">"), comparison(">="),
        comparison("<=>"),
        boolean("and", arity: 2...2), boolean("or", arity: 2...2), boolean("not", arity: 1...1),
        FunctionSignature("isnull", arity: 1...1, nulls: .never) { _ in .boolean },
        FunctionSignature("isnotnull", arity: 1...1, nulls: .never) { _ in .boolean },
        FunctionSignature("in", arity: 1...Int.max) { args in
            guard let t = args.map(\.dataType).reduce(DataType.null as DataType?, { acc, x in acc.flatMap { TypeCoercion.comparable($0, x) } }) else {
                throw EmberError.datatypeMismatch(
                    "DATA_DIFF_TYPES", "Cannot resolve \"\(ExprPrinter.sql(.function(name: "in", args: args, isDistinct: false)))\" due to data type mismatch: Input to `in` should all be the same type, but it's [\(args.map { $0.dataType.sql }.joined(separator: ", "))].")
            }
            args = args.map { TypeCoercion.cast($0, to: t) }
            return .boolean
        },
        FunctionSignature("between", arity: 3...3) { _ in .boolean },
        FunctionSignature("like", arity: 2...3) { args in
            try coerce(&args, 0, to: .string, fn: "like"); try coerce(&args, 1, to: .string, fn: "like"); return .boolean
        },
        FunctionSignature("ilike", arity: 2...3) { args in
            try coerce(&args, 0, to: .string, fn: "ilike"); try coerce(&args, 1, to: .string, fn: "ilike"); return .boolean
        },
        FunctionSignature("rlike", arity: 2...2) { args in
            try coerce(&args, 0, to: .string, fn: "rlike"); try coerce(&args, 1, to: .string, fn: "rlike"); return .boolean
        },
        FunctionSignature("||", arity: 2...2) { args in
            try coerce(&args, 0, to: .string, fn: "concat"); try coerce(&args, 1, to: .string, fn: "concat"); return .string
        },
        FunctionSignature("&", arity: 2...2) { args in try integralPair(&args, "&") },
        FunctionSignature("|", arity: 2...2) { args in try integralPair(&args, "|") },
        FunctionSignature("^", arity: 2...2) { args in try integralPair(&args, "^") },
        FunctionSignature("~", arity: 1...1) { args in args[0].dataType },
    ]

    static func integralPair(_ args: inout [Expr], _ fn: String) throws -> DataType {
        let t = TypeCoercion.wider(args[0].dataType, args[1].dataType) ?? .long
        guard t.isIntegral else { throw mismatch(fn, "requires integral types") }
        args = args.map { TypeCoercion.cast($0, to: t) }
        return t
    }

    // MARK: Conditionals

    static func sameType(_ name: String, arity: ClosedRange<Int>, nulls: FunctionSignature.Nulls, promoteStrings: Bool = true) -> FunctionSignature {
        FunctionSignature(name, arity: arity, nulls: nulls) { args in
            let types = args.map(\.dataType)
            // greatest/least take no string promotion: strings mix only with strings.
            let mixesStrings = !promoteStrings && types.contains(.string) && types.contains { $0 != .string && $0 != .null }
            guard !mixesStrings, let t = TypeCoercion.common(types) else {
                throw EmberError.datatypeMismatch(
                    "DATA_DIFF_TYPES",
                    "Cannot resolve \"\(name)(\(args.map(ExprPrinter.sql).joined(separator: ", ")))\" due to data type mismatch: Input to `\(name)` should all be the same type, but it's [\(args.map { $0.dataType.sql }.joined(separator: ", "))].")
            }
            args = args.map { TypeCoercion.cast($0, to: t) }
            return t
        }
    }

    public static let conditionals: [FunctionSignature] = [
        sameType("coalesce", arity: 1...Int.max, nulls: .always),
        sameType("nvl", arity: 2...2, nulls: .always),
        sameType("greatest", arity: 2...Int.max, nulls: .always, promoteStrings: false),
        sameType("least", arity: 2...Int.max, nulls: .always, promoteStrings: false),
        FunctionSignature("nullif", arity: 2...2, nulls: .always) { args in
            guard let t = TypeCoercion.comparable(args[0].dataType, args[1].dataType) else { throw mismatch("nullif", "incompatible types") }
            args[1] = TypeCoercion.cast(args[1], to: t)
            return args[0].dataType
        },
        FunctionSignature("nvl2", arity: 3...3, nulls: .always) { args in
            guard let t = TypeCoercion.common([args[1].dataType, args[2].dataType]) else { throw mismatch("nvl2", "incompatible types") }
            args[1] = TypeCoercion.cast(args[1], to: t); args[2] = TypeCoercion.cast(args[2], to: t)
            return t
        },
        FunctionSignature("if", arity: 3...3, nulls: .always) { args in
            try coerce(&args, 0, to: .boolean, fn: "if")
            guard let t = TypeCoercion.common([args[1].dataType, args[2].dataType]) else { throw mismatch("if", "incompatible branch types") }
            args[1] = TypeCoercion.cast(args[1], to: t); args[2] = TypeCoercion.cast(args[2], to: t)
            return t
        },
        FunctionSignature("when", arity: 2...Int.max, nulls: .always) { args in
            var values: [Int] = []
            var i = 0
            while i + 1 < args.count {
                if args[i].dataType != .boolean {
                    // Unlike `if`, CASE rejects an untyped NULL condition (Spark: VOID is not BOOLEAN).
                    do {
                        throw EmberError.datatypeMismatch(
                            "UNEXPECTED_INPUT_TYPE",
                            "Cannot resolve \"\(ExprPrinter.sql(.function(name: "when", args: args, isDistinct: false)))\" due to data type mismatch: The \(ordinal(i)) parameter requires the \"BOOLEAN\" type, however \"\(ExprPrinter.sql(args[i]))\" has the type \"\(args[i].dataType.sql)\".")
                    }
                }
                values.append(i + 1)
                i += 2
            }
            if i < args.count { values.append(i) }
            guard let t = TypeCoercion.common(values.map { args[$0].dataType }) else {
                throw EmberError.datatypeMismatch(
                    "DATA_DIFF_TYPES",
                    "Cannot resolve \"\(ExprPrinter.sql(.function(name: "when", args: args, isDistinct: false)))\" due to data type mismatch: Input to `casewhen` should all be the same type, but it's [\(values.map { args[$0].dataType.sql }.joined(separator: ", "))].")
            }
            for v in values { args[v] = TypeCoercion.cast(args[v], to: t) }
            return t
        },
        FunctionSignature("assert_true", arity: 1...2, nulls: .always) { _ in .null },
    ]

    // MARK: Aggregates

    static func agg(_ name: String, arity: ClosedRange<Int> = 1...1, nulls: FunctionSignature.Nulls = .always, _ rule: @escaping (inout [Expr]) throws -> DataType) -> FunctionSignature {
        FunctionSignature(name, .aggregate, arity: arity, nulls: nulls, resolve: rule)
    }

    static func doubleAgg(_ name: String) -> FunctionSignature {
        agg(name) { args in _ = try numericArg(&args, 0, fn: name); args[0] = TypeCoercion.cast(args[0], to: .double); return .double }
    }

    public static let aggregates: [FunctionSignature] = [
        agg("count", arity: 0...Int.max, nulls: .never) { _ in .long },
        agg("sum") { args in
            let t = try numericArg(&args, 0, fn: "sum")
            switch t {
            case .decimal(let p, let s): return .decimal(precision: min(38, p + 10), scale: s)
            case .float, .double: args[0] = TypeCoercion.cast(args[0], to: .double); return .double
            default: args[0] = TypeCoercion.cast(args[0], to: .long); return .long
            }
        },
        agg("avg") { args in
            let t = try numericArg(&args, 0, fn: "avg")
            if case .decimal(let p, let s) = t { return .decimal(precision: min(38, p + 4), scale: min(38, s + 4)) }
            args[0] = TypeCoercion.cast(args[0], to: .double)
            return .double
        },
        agg("min") { args in args[0].dataType },
        agg("max") { args in args[0].dataType },
        agg("first", arity: 1...2) { args in args[0].dataType },
        agg("last", arity: 1...2) { args in args[0].dataType },
        doubleAgg("stddev"), doubleAgg("stddev_pop"), doubleAgg("variance"), doubleAgg("var_pop"),
        doubleAgg("skewness"), doubleAgg("kurtosis"),
        agg("collect_list", nulls: .never) { args in .array(element: args[0].dataType, containsNull: false) },
        agg("collect_set", nulls: .never) { args in .array(element: args[0].dataType, containsNull: false) },
        agg("approx_count_distinct", arity: 1...2, nulls: .never) { _ in .long },
        agg("percentile_approx", arity: 2...3) { args in
            let t = args[0].dataType
            guard t.isNumeric || t.isDatetime else { throw mismatch("percentile_approx", "requires numeric input") }
            if case .array = args[1].dataType { return .array(element: t, containsNull: false) }
            return t
        },
        agg("bool_and") { args in try coerce(&args, 0, to: .boolean, fn: "bool_and"); return .boolean },
        agg("bool_or") { args in try coerce(&args, 0, to: .boolean, fn: "bool_or"); return .boolean },
        agg("count_if", nulls: .never) { args in try coerce(&args, 0, to: .boolean, fn: "count_if"); return .long },
        agg("max_by", arity: 2...2) { args in args[0].dataType },
        agg("min_by", arity: 2...2) { args in args[0].dataType },
    ]

    // MARK: Window functions

    static func win(_ name: String, arity: ClosedRange<Int> = 0...0, nulls: FunctionSignature.Nulls = .never, _ rule: @escaping (inout [Expr]) throws -> DataType) -> FunctionSignature {
        FunctionSignature(name, .window, arity: arity, nulls: nulls, resolve: rule)
    }

    public static let windows: [FunctionSignature] = [
        win("row_number") { _ in .int },
        win("rank") { _ in .int },
        win("dense_rank") { _ in .int },
        win("percent_rank") { _ in .double },
        win("cume_dist") { _ in .double },
        win("ntile", arity: 1...1) { args in try coerce(&args, 0, to: .int, fn: "ntile"); return .int },
        win("lag", arity: 1...3, nulls: .always) { args in try offsetRule(&args, "lag") },
        win("lead", arity: 1...3, nulls: .always) { args in try offsetRule(&args, "lead") },
        win("nth_value", arity: 2...3, nulls: .always) { args in args[0].dataType },
    ]

    static func offsetRule(_ args: inout [Expr], _ fn: String) throws -> DataType {
        if args.count > 1 { try coerce(&args, 1, to: .int, fn: fn) }
        if args.count > 2 {
            let t = TypeCoercion.common([args[0].dataType, args[2].dataType]) ?? args[0].dataType
            args[0] = TypeCoercion.cast(args[0], to: t)
            args[2] = TypeCoercion.cast(args[2], to: t)
        }
        return args[0].dataType
    }
}
