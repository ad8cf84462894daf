import EmberCore

/// Signatures of Spark's misc functions (kernels: EmberExec/Kernels/MiscKernels.swift):
/// hashes, random numbers, ids, and the constructors and accessors of arrays, maps and structs.
public enum MiscFunctions {
    typealias F = Functions

    static func containsMap(_ t: DataType) -> Bool {
        switch t {
        case .map: return true
        case .array(let e, _): return containsMap(e)
        case .structure(let fs): return fs.contains { containsMap($0.dataType) }
        default: return false
        }
    }

    static func hashSignature(_ name: String, _ result: DataType) -> FunctionSignature {
        FunctionSignature(name, arity: 1...Int.max, nulls: .never) { args in
            for a in args where containsMap(a.dataType) {
                throw EmberError.datatypeMismatch(
                    "HASH_MAP_TYPE",
                    "Cannot resolve \"\(ExprPrinter.sql(.function(name: name, args: args, isDistinct: false)))\" due to data type mismatch: Input to the function `\(name)` cannot contain elements of the \"MAP\" type. In Spark, same maps may have different hashcode, thus hash expressions are prohibited on \"MAP\" elements. To restore previous behavior set \"spark.sql.legacy.allowHashOnMapType\" to \"true\".")
            }
            return result
        }
    }

    /// `rand([seed])`: without a seed, one is drawn when the query is analyzed (as Spark), so
    /// that every batch and every re-evaluation of the plan sees the same stream.
    static func random(_ name: String) -> FunctionSignature {
        FunctionSignature(name, arity: 0...1, nulls: .never) { args in
            if args.isEmpty {
                args = [.literal(.long(Int64.random(in: Int64.min...Int64.max)), .long)]
                return .double
            }
            guard case .literal(let v, let t) = args[0], t.isIntegral || t == .null else {
                throw EmberError.datatypeMismatch(
                    "NON_FOLDABLE_INPUT",
                    "Cannot resolve \"\(name)(\(ExprPrinter.sql(args[0])))\" due to data type mismatch: the input seed should be a foldable \"INT\" or \"BIGINT\" expression.")
            }
            args[0] = .literal(.long(v.int64Value ?? 0), .long)
            return .double
        }
    }

    static func arrayArg(_ args: [Expr], _ i: Int, fn: String) throws -> (element: DataType, containsNull: Bool) {
        switch args[i].dataType {
        case .array(let e, let n): return (e, n)
        case .null: return (.null, true)
        default:
            throw EmberError.datatypeMismatch(
                "UNEXPECTED_INPUT_TYPE",
                "Cannot resolve \"\(fn)\" due to data type mismatch: The \(F.ordinal(i)) parameter requires the \"ARRAY\" type, however \"\(ExprPrinter.sql(args[i]))\" has the type \"\(args[i].dataType.sql)\".")
        }
    }

    static func mapArg(_ args: [Expr], _ i: Int, fn: String) throws -> (key: DataType, value: DataType) {
        if case .map(let k, let v, _) = args[i].dataType { return (k, v) }
        throw EmberError.datatypeMismatch(
            "UNEXPECTED_INPUT_TYPE",
            "Cannot resolve \"\(fn)\" due to data type mismatch: The \(F.ordinal(i)) parameter requires the \"MAP\" type, however \"\(ExprPrinter.sql(args[i]))\" has the type \"\(args[i].dataType.sql)\".")
    }

    /// The name a `struct(...)` field takes from its argument, as Spark: a column's own name.
    static func fieldName(_ e: Expr, _ i: Int) -> String {
        switch e {
        case .attribute(let a): return a.name
        case .alias(_, let n, _): return n
        default: return "col\(i + 1)"
        }
    }

    static func common(_ args: inout [Expr], _ idx: [Int], fn: String) throws -> DataType {
        guard let t = TypeCoercion.common(idx.map { args[$0].dataType }) else {
            throw EmberError.datatypeMismatch(
                "DATA_DIFF_TYPES",
                "Cannot resolve \"\(fn)(\(args.map(ExprPrinter.sql).joined(separator: ", ")))\" due to data type mismatch: Input to `\(fn)` should all be the same type, but it's [\(idx.map { args[$0].dataType.sql }.joined(separator: ", "))].")
        }
        for i in idx { args[i] = TypeCoercion.cast(args[i], to: t) }
        return t
    }

    public static let all: [FunctionSignature] = [
        hashSignature("hash", .int),
        hashSignature("xxhash64", .long),
        random("rand"), random("randn"),
        FunctionSignature("monotonically_increasing_id", arity: 0...0, nulls: .never) { _ in .long },
        FunctionSignature("spark_partition_id", arity: 0...0, nulls: .never) { _ in .int },
        FunctionSignature("uuid", arity: 0...0, nulls: .never) { _ in .string },
        FunctionSignature("array", arity: 0...Int.max, nulls: .never) { args in
            let t = try common(&args, Array(args.indices), fn: "array")
            return .array(element: t, containsNull: args.contains(where: \.nullable))
        },
        FunctionSignature("map", arity: 0...Int.max, nulls: .never) { args in
            guard args.count % 2 == 0 else {
                throw EmberError(
                    errorClass: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605",
                    message: "The `map` requires 2n (n > 0) parameters but the actual number is \(args.count).")
            }
            let k = try common(&args, Array(stride(from: 0, to: args.count, by: 2)), fn: "map")
            let v = try common(&args, Array(stride(from: 1, to: args.count, by: 2)), fn: "map")
            return .map(key: k, value: v, valueContainsNull: true)
        },
        FunctionSignature("struct", arity: 1...Int.max, nulls: .never) { args in
            .structure(args.enumerated().map { StructField(fieldName($0.element, $0.offset), $0.element.dataType, nullable: $0.element.nullable) })
        },
        FunctionSignature("named_struct", arity: 2...Int.max, nulls: .never) { args in
            guard args.count % 2 == 0 else {
                throw EmberError(
                    errorClass: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605",
                    message: "The `named_struct` requires 2n (n > 0) parameters but the actual number is \(args.count).")
            }
            var fields: [StructField] = []
            for i in stride(from: 0, to: args.count, by: 2) {
                guard case .literal(.string(let name), _) = args[i] else {
                    throw EmberError.datatypeMismatch(
                        "CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING",
                        "Cannot resolve \"named_struct\" due to data type mismatch: Only foldable `STRING` expressions are allowed to appear at odd position, but they are [\(ExprPrinter.sql(args[i]))].")
                }
                fields.append(StructField(name, args[i + 1].dataType, nullable: args[i + 1].nullable))
            }
            return .structure(fields)
        },
        FunctionSignature("size", arity: 1...1) { args in
            if case .map = args[0].dataType { return .int }
            _ = try arrayArg(args, 0, fn: "size")
            return .int
        },
        FunctionSignature("cardinality", arity: 1...1) { args in
            if case .map = args[0].dataType { return .int }
            _ = try arrayArg(args, 0, fn: "cardinality")
            return .int
        },
        FunctionSignature("array_contains", arity: 2...2, nulls: .always) { args in
            let (e, _) = try arrayArg(args, 0, fn: "array_contains")
            if args[1].dataType == .null {
                throw EmberError.datatypeMismatch(
                    "NULL_TYPE",
                    "Cannot resolve \"array_contains(\(args.map(ExprPrinter.sql).joined(separator: ", ")))\" due to data type mismatch: Null typed values cannot be used as arguments of `array_contains`.")
            }
            guard let t = TypeCoercion.wider(e, args[1].dataType) else {
                throw F.mismatch("array_contains", "Input to `array_contains` should have been \"ARRAY\" followed by a value with same element type, but it's [\(args[0].dataType.sql), \(args[1].dataType.sql)]")
            }
            args[0] = TypeCoercion.cast(args[0], to: .array(element: t, containsNull: true))
            args[1] = TypeCoercion.cast(args[1], to: t)
            return .boolean
        },
        FunctionSignature("element_at", arity: 2...2, nulls: .always) { args in
            if case .map(let k, let v, _) = args[0].dataType {
                if args[1].dataType != k { args[1] = TypeCoercion.cast(args[1], to: k) }
                return v
            }
            let (e, _) = try arrayArg(args, 0, fn: "element_at")
            try F.coerce(&args, 1, to: .int, fn: "element_at")
            return e
        },
        FunctionSignature("sort_array", arity: 1...2) { args in
            _ = try arrayArg(args, 0, fn: "sort_array")
            if args.count > 1 { try F.coerce(&args, 1, to: .boolean, fn: "sort_array") }
            return args[0].dataType
        },
        FunctionSignature("array_sort", arity: 1...1) { args in _ = try arrayArg(args, 0, fn: "array_sort"); return args[0].dataType },
        FunctionSignature("array_distinct", arity: 1...1) { args in _ = try arrayArg(args, 0, fn: "array_distinct"); return args[0].dataType },
        FunctionSignature("array_join", arity: 2...3) { args in
            let (e, n) = try arrayArg(args, 0, fn: "array_join")
            if e != .string { args[0] = TypeCoercion.cast(args[0], to: .array(element: .string, containsNull: n)) }
            for i in 1..<args.count { try F.coerce(&args, i, to: .string, fn: "array_join") }
            return .string
        },
        FunctionSignature("map_keys", arity: 1...1) { args in
            let (k, _) = try mapArg(args, 0, fn: "map_keys")
            return .array(element: k, containsNull: false)
        },
        FunctionSignature("map_values", arity: 1...1) { args in
            let (_, v) = try mapArg(args, 0, fn: "map_values")
            return .array(element: v, containsNull: true)
        },
        FunctionSignature("isnan", arity: 1...1, nulls: .never) { args in
            try F.coerce(&args, 0, to: .double, fn: "isnan"); return .boolean
        },
        FunctionSignature("nanvl", arity: 2...2, nulls: .always) { args in
            try F.coerce(&args, 0, to: .double, fn: "nanvl"); try F.coerce(&args, 1, to: .double, fn: "nanvl"); return .double
        },
        FunctionSignature("typeof", arity: 1...1, nulls: .never) { _ in .string },
    ]
}
