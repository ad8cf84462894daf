import EmberCore

/// Signatures of Spark's statistical, bitwise and "try" aggregates (accumulators:
/// EmberExec/Operators/Accumulators.swift).
public enum StatAggregates {
    typealias F = Functions

    static func agg(_ name: String, arity: ClosedRange<Int> = 1...1, nulls: FunctionSignature.Nulls = .always, _ rule: @escaping (inout [Expr]) throws -> DataType) -> FunctionSignature {
        FunctionSignature(name, .aggregate, arity: arity, nulls: nulls, resolve: rule)
    }

    /// Two numeric arguments as doubles: corr, covariances and the regr_* family.
    static func pair(_ name: String, result: DataType = .double) -> FunctionSignature {
        agg(name, arity: 2...2, nulls: result == .long ? .never : .always) { args in
            for i in 0..<2 {
                _ = try F.numericArg(&args, i, fn: name)
                args[i] = TypeCoercion.cast(args[i], to: .double)
            }
            return result
        }
    }

    /// The constant percentage argument of percentile/median: a number in [0, 1] or an array of them.
    static func percentage(_ args: inout [Expr], _ i: Int, fn: String) throws -> Bool {
        let e = args[i]
        guard e.isFoldable else {
            throw EmberError.datatypeMismatch("NON_FOLDABLE_INPUT", "Cannot resolve \"\(fn)\" due to data type mismatch: the input percentage should be a foldable \"DOUBLE\" expression.")
        }
        if case .array = e.dataType {
            args[i] = TypeCoercion.cast(e, to: .array(element: .double, containsNull: false))
            return true
        }
        try F.coerce(&args, i, to: .double, fn: fn)
        return false
    }

    public static let all: [FunctionSignature] = [
        // Replaced per grouping set by the analyzer (see `replaceGroupingCalls`).
        FunctionSignature("grouping", arity: 1...1, nulls: .never) { _ in .byte },
        FunctionSignature("grouping_id", arity: 0...Int.max, nulls: .never) { _ in .long },
        agg("median") { args in
            _ = try F.numericArg(&args, 0, fn: "median")
            args[0] = TypeCoercion.cast(args[0], to: .double)
            return .double
        },
        agg("percentile", arity: 2...3) { args in
            _ = try F.numericArg(&args, 0, fn: "percentile")
            args[0] = TypeCoercion.cast(args[0], to: .double)
            let isArray = try percentage(&args, 1, fn: "percentile")
            if args.count > 2 { try F.coerce(&args, 2, to: .long, fn: "percentile") }
            return isArray ? .array(element: .double, containsNull: false) : .double
        },
        agg("mode", arity: 1...2) { args in args[0].dataType },
        agg("try_sum") { args in
            let t = try F.numericArg(&args, 0, fn: "try_sum")
            switch t {
            case .decimal(let p, let s): return .decimal(precision: min(38, p + 10), scale: s)
            case .float, .double: args[0] = TypeCoercion.cast(args[0], to: .double); return .double
            default: args[0] = TypeCoercion.cast(args[0], to: .long); return .long
            }
        },
        agg("try_avg") { args in
            let t = try F.numericArg(&args, 0, fn: "try_avg")
            if case .decimal(let p, let s) = t { return .decimal(precision: min(38, p + 4), scale: min(38, s + 4)) }
            args[0] = TypeCoercion.cast(args[0], to: .double)
            return .double
        },
        pair("corr"), pair("covar_pop"), pair("covar_samp"),
        pair("regr_slope"), pair("regr_intercept"), pair("regr_r2"), pair("regr_sxx"), pair("regr_syy"), pair("regr_sxy"),
        pair("regr_avgx"), pair("regr_avgy"), pair("regr_count", result: .long),
        agg("bit_and") { args in try bitArg(&args, "bit_and") },
        agg("bit_or") { args in try bitArg(&args, "bit_or") },
        agg("bit_xor") { args in try bitArg(&args, "bit_xor") },
        agg("histogram_numeric", arity: 2...2) { args in
            let t = args[0].dataType
            guard t.isNumeric || t.isDatetime else {
                throw F.mismatch("histogram_numeric", "The first parameter requires the \"NUMERIC\" type, however \"\(ExprPrinter.sql(args[0]))\" has the type \"\(t.sql)\"")
            }
            try F.coerce(&args, 1, to: .int, fn: "histogram_numeric")
            return .array(element: .structure([StructField("x", t, nullable: true), StructField("y", .double, nullable: true)]), containsNull: false)
        },
    ]

    static func bitArg(_ args: inout [Expr], _ fn: String) throws -> DataType {
        let t = args[0].dataType
        if t == .null { args[0] = .literal(.null, .long); return .long }
        guard t.isIntegral else {
            throw EmberError.datatypeMismatch(
                "UNEXPECTED_INPUT_TYPE",
                "Cannot resolve \"\(fn)(\(ExprPrinter.sql(args[0])))\" due to data type mismatch: The first parameter requires the \"INTEGRAL\" type, however \"\(ExprPrinter.sql(args[0]))\" has the type \"\(t.sql)\".")
        }
        return t
    }
}
