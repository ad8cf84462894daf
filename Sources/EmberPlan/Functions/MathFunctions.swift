import EmberCore

/// Signatures of Spark's math functions (kernels: EmberExec/Kernels/MathKernels.swift).
/// Result types follow Spark 4.1 (checked against it): transcendental functions are DOUBLE,
/// floor/ceil are BIGINT (decimal(p-s+1,0) for decimals), round keeps the input type.
public enum MathFunctions {
    public static let all: [FunctionSignature] = [
        doubles("sqrt"), doubles("cbrt"), doubles("exp"), doubles("expm1"),
        doubles("ln", nulls: .always), doubles("log10", nulls: .always), doubles("log2", nulls: .always),
        doubles("log1p", nulls: .always), doubles("log", arity: 1...2, nulls: .always),
        doubles("sin"), doubles("cos"), doubles("tan"), doubles("asin"), doubles("acos"), doubles("atan"),
        doubles("sinh"), doubles("cosh"), doubles("tanh"), doubles("asinh"), doubles("acosh"), doubles("atanh"),
        doubles("cot"), doubles("sec"), doubles("csc"), doubles("degrees"), doubles("radians"), doubles("rint"),
        doubles("sign"), doubles("pow", arity: 2...2), doubles("atan2", arity: 2...2), doubles("hypot", arity: 2...2),
        doubles("e", arity: 0...0), doubles("pi", arity: 0...0),
        FunctionSignature("abs", arity: 1...1) { args in try Functions.numericArg(&args, 0, fn: "abs") },
        rounding("round"), rounding("bround"), floorCeil("floor"), floorCeil("ceil"),
        renamed(Functions.arithmetic("%"), "pmod", nulls: .propagate),
        renamed(Functions.arithmetic("+"), "try_add"), renamed(Functions.arithmetic("-"), "try_subtract"),
        renamed(Functions.arithmetic("*"), "try_multiply"), renamed(Functions.arithmetic("/"), "try_divide"),
        renamed(Functions.arithmetic("%"), "try_mod"),
        Functions.fixed("factorial", [.int], .long, nulls: .always),
        Functions.fixed("bin", [.long], .string),
        Functions.fixed("conv", [.string, .int, .int], .string, nulls: .always),
        shift("shiftleft"), shift("shiftright"), shift("shiftrightunsigned"),
        Functions.fixed("width_bucket", [.double, .double, .double, .long], .long, nulls: .always),
    ]

    /// Numeric (or string) arguments cast to DOUBLE, DOUBLE result.
    static func doubles(_ name: String, arity: ClosedRange<Int> = 1...1, nulls: FunctionSignature.Nulls = .propagate) -> FunctionSignature {
        FunctionSignature(name, arity: arity, nulls: nulls) { args in
            for i in args.indices {
                _ = try Functions.numericArg(&args, i, fn: name)
                args[i] = TypeCoercion.cast(args[i], to: .double)
            }
            return .double
        }
    }

    static func renamed(_ sig: FunctionSignature, _ name: String, nulls: FunctionSignature.Nulls = .always) -> FunctionSignature {
        var s = sig
        s.name = name
        s.nulls = nulls
        return s
    }

    /// The integer value of a literal scale argument (Spark requires it to be foldable).
    static func literalScale(_ args: [Expr]) -> Int {
        guard args.count > 1, case .literal(let v, _) = args[1], let x = v.int64Value else { return 0 }
        return Int(x)
    }

    /// Spark's `RoundBase` result type for a decimal input rounded to `scale` digits: one more
    /// integral digit (9.9 → 10), scale min(s, scale), or scale 0 for negative scales.
    public static func roundedDecimal(_ p: Int, _ s: Int, _ scale: Int) -> DataType {
        let integral = p - s + 1
        if scale < 0 { return .decimal(precision: min(max(integral, -scale + 1), 38), scale: 0) }
        let ns = min(s, scale)
        return .decimal(precision: min(integral + ns, 38), scale: ns)
    }

    /// round / bround: same type as the input (decimals per `roundedDecimal`).
    static func rounding(_ name: String) -> FunctionSignature {
        FunctionSignature(name, arity: 1...2) { args in
            let t = try Functions.numericArg(&args, 0, fn: name)
            if args.count > 1 { try Functions.coerce(&args, 1, to: .int, fn: name) }
            if case .decimal(let p, let s) = t { return roundedDecimal(p, s, literalScale(args)) }
            return t
        }
    }

    /// The decimal Spark uses for a numeric type (`DecimalType.forType`).
    static func decimalFor(_ t: DataType) -> (Int, Int) {
        switch t {
        case .float: return (14, 7)
        case .double: return (30, 15)
        case .decimal(let p, let s): return (p, s)
        default:
            if case .decimal(let p, let s)? = TypeCoercion.decimalFor(t) { return (p, s) }
            return (38, 18)
        }
    }

    /// floor / ceil: BIGINT, or decimal(p-s+1, 0) for decimals; with a scale argument the input
    /// becomes a decimal and the result follows `roundedDecimal` (ceil(2.345D, 2) is DECIMAL(18,2)).
    static func floorCeil(_ name: String) -> FunctionSignature {
        FunctionSignature(name, arity: 1...2) { args in
            let t = try Functions.numericArg(&args, 0, fn: name)
            if args.count == 1 {
                if case .decimal(let p, let s) = t { return s == 0 ? t : TypeCoercion.boundedDecimal(p - s + 1, 0) }
                return .long
            }
            try Functions.coerce(&args, 1, to: .int, fn: name)
            let (p, s) = decimalFor(t)
            args[0] = TypeCoercion.cast(args[0], to: .decimal(precision: p, scale: s))
            return roundedDecimal(p, s, literalScale(args))
        }
    }

    /// shiftleft/shiftright/shiftrightunsigned: BIGINT stays BIGINT, other integers become INT.
    static func shift(_ name: String) -> FunctionSignature {
        FunctionSignature(name, arity: 2...2) { args in
            let t: DataType = args[0].dataType == .long ? .long : .int
            try Functions.coerce(&args, 0, to: t, fn: name)
            try Functions.coerce(&args, 1, to: .int, fn: name)
            return t
        }
    }
}
