import EmberCore

/// Signatures of Spark's array and map functions beyond the constructors in
/// `MiscFunctions` (kernels: EmberExec/Kernels/CollectionKernels.swift). Higher-order
/// functions (`transform`, `filter`, …) are resolved by the analyzer, which binds their
/// lambdas; generators (`explode`, …) become a `Generate` relation.
public enum CollectionFunctions {
    typealias F = Functions
    typealias M = MiscFunctions

    /// Casts arrays `idx` to one array type (Spark's `ArrayBinaryLike` input rule).
    static func sameArrays(_ args: inout [Expr], _ idx: [Int], fn: String) throws -> DataType {
        for i in idx { _ = try M.arrayArg(args, i, fn: fn) }
        guard let t = TypeCoercion.common(idx.map { args[$0].dataType }) else {
            throw F.mismatch(fn, "Input to function `\(fn)` should have been two \"ARRAY\" with same element type, but it's [\(idx.map { args[$0].dataType.sql }.joined(separator: ", "))]")
        }
        for i in idx { args[i] = TypeCoercion.cast(args[i], to: t) }
        return t
    }

    /// An array and a value of its element type (widening both when needed).
    static func arrayAndElement(_ args: inout [Expr], fn: String) throws -> DataType {
        let (e, n) = try M.arrayArg(args, 0, fn: fn)
        guard let t = TypeCoercion.wider(e, args[1].dataType) else {
            throw F.mismatch(fn, "Input to `\(fn)` should have been \"ARRAY\" followed by a value with same element type, but it's [\(args[0].dataType.sql), \(args[1].dataType.sql)]")
        }
        args[0] = TypeCoercion.cast(args[0], to: .array(element: t, containsNull: n))
        args[1] = TypeCoercion.cast(args[1], to: t)
        return args[0].dataType
    }

    static func mapOrArrayAccess(_ name: String) -> FunctionSignature {
        FunctionSignature(name, arity: 2...2, nulls: .always) { args in
            if case .map(let k, let v, _) = args[0].dataType {
                if args[1].dataType != k { args[1] = TypeCoercion.cast(args[1], to: k) }
                return v
            }
            let (e, _) = try M.arrayArg(args, 0, fn: name)
            try F.coerce(&args, 1, to: .int, fn: name)
            return e
        }
    }

    /// The field name `arrays_zip` gives an argument: a column's own name, else its position.
    static func zipFieldName(_ e: Expr, _ i: Int) -> String {
        switch e {
        case .attribute(let a): return a.name
        case .alias(_, let n, _): return n
        default: return String(i)
        }
    }

    /// Generator names; each yields rows, not a value, so the analyzer turns it into a
    /// `Generate` relation. The call's type is a struct of the generated columns.
    public static let generators: Set<String> = ["explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "inline_outer"]

    static func generator(_ name: String) -> FunctionSignature {
        FunctionSignature(name, arity: 1...1, nulls: .always) { args in
            let position = name.hasPrefix("posexplode") ? [StructField("pos", .int, nullable: false)] : []
            switch args[0].dataType {
            case .map(let k, let v, _) where !name.hasPrefix("inline"):
                return .structure(position + [StructField("key", k, nullable: false), StructField("value", v, nullable: true)])
            case .array(let e, _):
                if name.hasPrefix("inline") {
                    guard case .structure(let fs) = e else {
                        throw F.mismatch(name, "The first parameter requires the \"ARRAY<STRUCT>\" type, however \"\(ExprPrinter.sql(args[0]))\" has the type \"\(args[0].dataType.sql)\"")
                    }
                    return .structure(fs)
                }
                return .structure(position + [StructField("col", e, nullable: true)])
            default:
                throw EmberError.datatypeMismatch(
                    "UNEXPECTED_INPUT_TYPE",
                    "Cannot resolve \"\(name)(\(ExprPrinter.sql(args[0])))\" due to data type mismatch: The first parameter requires the (\"ARRAY\" or \"MAP\") type, however \"\(ExprPrinter.sql(args[0]))\" has the type \"\(args[0].dataType.sql)\".")
            }
        }
    }

    public static let all: [FunctionSignature] = generators.sorted().map(generator) + [
        FunctionSignature("array_max", arity: 1...1, nulls: .always) { args in try M.arrayArg(args, 0, fn: "array_max").element },
        FunctionSignature("array_min", arity: 1...1, nulls: .always) { args in try M.arrayArg(args, 0, fn: "array_min").element },
        FunctionSignature("array_union", arity: 2...2) { args in try sameArrays(&args, [0, 1], fn: "array_union") },
        FunctionSignature("array_intersect", arity: 2...2) { args in try sameArrays(&args, [0, 1], fn: "array_intersect") },
        FunctionSignature("array_except", arity: 2...2) { args in try sameArrays(&args, [0, 1], fn: "array_except") },
        FunctionSignature("arrays_overlap", arity: 2...2, nulls: .always) { args in
            _ = try sameArrays(&args, [0, 1], fn: "arrays_overlap")
            return .boolean
        },
        FunctionSignature("array_remove", arity: 2...2) { args in try arrayAndElement(&args, fn: "array_remove") },
        FunctionSignature("array_position", arity: 2...2) { args in
            _ = try arrayAndElement(&args, fn: "array_position")
            return .long
        },
        FunctionSignature("sequence", arity: 2...3) { args in
            let types = args.map(\.dataType)
            guard types.allSatisfy({ $0.isIntegral || $0 == .null }), let t = types.reduce(DataType.null as DataType?, { a, x in a.flatMap { TypeCoercion.wider($0, x) } }) else {
                throw F.mismatch("sequence", "sequence only supports integral start, stop and step in Ember")
            }
            let w: DataType = t == .null ? .int : t
            args = args.map { TypeCoercion.cast($0, to: w) }
            return .array(element: w, containsNull: false)
        },
        FunctionSignature("flatten", arity: 1...1) { args in
            let (e, _) = try M.arrayArg(args, 0, fn: "flatten")
            guard case .array = e else { throw F.mismatch("flatten", "The input of function `flatten` should be an array of arrays, but it's \(args[0].dataType.sql)") }
            return e
        },
        FunctionSignature("slice", arity: 3...3) { args in
            _ = try M.arrayArg(args, 0, fn: "slice")
            try F.coerce(&args, 1, to: .int, fn: "slice")
            try F.coerce(&args, 2, to: .int, fn: "slice")
            return args[0].dataType
        },
        FunctionSignature("array_repeat", arity: 2...2, nulls: .always) { args in
            try F.coerce(&args, 1, to: .int, fn: "array_repeat")
            return .array(element: args[0].dataType, containsNull: args[0].nullable)
        },
        FunctionSignature("arrays_zip", arity: 0...Int.max, nulls: .always) { args in
            var fields: [StructField] = []
            for i in args.indices {
                let (e, _) = try M.arrayArg(args, i, fn: "arrays_zip")
                fields.append(StructField(zipFieldName(args[i], i), e, nullable: true))
            }
            return .array(element: .structure(fields), containsNull: false)
        },
        FunctionSignature("array_compact", arity: 1...1) { args in
            let (e, _) = try M.arrayArg(args, 0, fn: "array_compact")
            return .array(element: e, containsNull: false)
        },
        FunctionSignature("array_size", arity: 1...1) { args in
            _ = try M.arrayArg(args, 0, fn: "array_size")
            return .int
        },
        FunctionSignature("array_append", arity: 2...2, nulls: .always) { args in try arrayAndElement(&args, fn: "array_append") },
        FunctionSignature("array_prepend", arity: 2...2, nulls: .always) { args in try arrayAndElement(&args, fn: "array_prepend") },
        FunctionSignature("get", arity: 2...2, nulls: .always) { args in
            let (e, _) = try M.arrayArg(args, 0, fn: "get")
            try F.coerce(&args, 1, to: .int, fn: "get")
            return e
        },
        mapOrArrayAccess("try_element_at"),
        FunctionSignature("map_contains_key", arity: 2...2) { args in
            let (k, _) = try M.mapArg(args, 0, fn: "map_contains_key")
            guard let t = TypeCoercion.wider(k, args[1].dataType) else {
                throw F.mismatch("map_contains_key", "Input to `map_contains_key` should have been \"MAP\" followed by a value with same key type, but it's [\(args[0].dataType.sql), \(args[1].dataType.sql)]")
            }
            if t != k, case .map(_, let v, let n) = args[0].dataType { args[0] = TypeCoercion.cast(args[0], to: .map(key: t, value: v, valueContainsNull: n)) }
            args[1] = TypeCoercion.cast(args[1], to: t)
            return .boolean
        },
        FunctionSignature("map_from_arrays", arity: 2...2) { args in
            let (k, _) = try M.arrayArg(args, 0, fn: "map_from_arrays")
            let (v, n) = try M.arrayArg(args, 1, fn: "map_from_arrays")
            return .map(key: k, value: v, valueContainsNull: n)
        },
        FunctionSignature("map_entries", arity: 1...1) { args in
            guard case .map(let k, let v, let n) = args[0].dataType else { _ = try M.mapArg(args, 0, fn: "map_entries"); return .null }
            return .array(element: .structure([StructField("key", k, nullable: false), StructField("value", v, nullable: n)]), containsNull: false)
        },
        FunctionSignature("map_from_entries", arity: 1...1) { args in
            let (e, _) = try M.arrayArg(args, 0, fn: "map_from_entries")
            guard case .structure(let fs) = e, fs.count == 2 else {
                throw F.mismatch("map_from_entries", "The input of function `map_from_entries` should be an array of key-value structs, but it's \(args[0].dataType.sql)")
            }
            return .map(key: fs[0].dataType, value: fs[1].dataType, valueContainsNull: fs[1].nullable)
        },
        F.fixed("str_to_map", [.string, .string, .string], .map(key: .string, value: .string, valueContainsNull: true), optional: 2),
        FunctionSignature("map_concat", arity: 0...Int.max) { args in
            for i in args.indices { _ = try M.mapArg(args, i, fn: "map_concat") }
            guard let t = TypeCoercion.common(args.map(\.dataType)) else {
                throw F.mismatch("map_concat", "The input of function `map_concat` should all be of the same map type, but it's [\(args.map { $0.dataType.sql }.joined(separator: ", "))]")
            }
            args = args.map { TypeCoercion.cast($0, to: t) }
            return args.isEmpty ? .map(key: .string, value: .string, valueContainsNull: true) : t
        },
        FunctionSignature("raise_error", arity: 1...1, nulls: .always) { args in
            try F.coerce(&args, 0, to: .string, fn: "raise_error")
            return .null
        },
    ]
}
