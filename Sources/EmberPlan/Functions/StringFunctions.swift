import EmberCore

/// Signatures of Spark's string functions (kernels: EmberExec/Kernels/StringKernels.swift).
/// The operators `like`, `ilike`, `rlike` and `||` are declared in `Functions.operators`.
public enum StringFunctions {
    typealias F = Functions

    static func str(_ name: String, _ n: Int = 1, _ result: DataType = .string, optional: Int = 0) -> FunctionSignature {
        F.fixed(name, [DataType](repeating: .string, count: n), result, optional: optional)
    }

    /// Leaves a string or binary argument as it is (both are bytes to the kernels) and
    /// casts anything else to string.
    static func bytesArg(_ args: inout [Expr], _ i: Int, fn: String) throws {
        let t = args[i].dataType
        if t == .string || t == .binary { return }
        try F.coerce(&args, i, to: .string, fn: fn)
    }

    /// Binary input for digests and base64: strings hash their UTF-8 bytes.
    static func digest(_ name: String, extra: [DataType] = []) -> FunctionSignature {
        FunctionSignature(name, arity: (1 + extra.count)...(1 + extra.count)) { args in
            try bytesArg(&args, 0, fn: name)
            for (j, t) in extra.enumerated() { try F.coerce(&args, j + 1, to: t, fn: name) }
            return .string
        }
    }

    public static let all: [FunctionSignature] = [
        str("lower"), str("upper"), str("initcap"),
        str("trim", 2, optional: 1), str("ltrim", 2, optional: 1), str("rtrim", 2, optional: 1),
        str("btrim", 2, optional: 1),
        FunctionSignature("length", arity: 1...1) { args in try bytesArg(&args, 0, fn: "length"); return .int },
        FunctionSignature("octet_length", arity: 1...1) { args in try bytesArg(&args, 0, fn: "octet_length"); return .int },
        FunctionSignature("bit_length", arity: 1...1) { args in try bytesArg(&args, 0, fn: "bit_length"); return .int },
        FunctionSignature("substring", arity: 2...3) { args in
            try bytesArg(&args, 0, fn: "substring")
            for i in 1..<args.count { try F.coerce(&args, i, to: .int, fn: "substring") }
            return args[0].dataType
        },
        FunctionSignature("concat", arity: 0...Int.max) { args in
            let types = args.map(\.dataType)
            // Arrays concatenate element-wise; all-binary input stays binary.
            if !types.isEmpty, types.allSatisfy({ if case .array = $0 { return true }; return $0 == .null }) {
                guard let t = TypeCoercion.common(types) else { throw F.mismatch("concat", "arrays of incompatible element types") }
                args = args.map { TypeCoercion.cast($0, to: t) }
                return t
            }
            if !types.isEmpty, types.allSatisfy({ $0 == .binary }) { return .binary }
            for i in args.indices { try F.coerce(&args, i, to: .string, fn: "concat") }
            return .string
        },
        FunctionSignature("concat_ws", arity: 1...Int.max, nulls: .always) { args in
            try F.coerce(&args, 0, to: .string, fn: "concat_ws")
            for i in args.indices.dropFirst() {
                if case .array(let e, _) = args[i].dataType {
                    if e == .string { continue }
                    args[i] = TypeCoercion.cast(args[i], to: .array(element: .string, containsNull: true))
                } else {
                    try F.coerce(&args, i, to: .string, fn: "concat_ws")
                }
            }
            return .string
        },
        FunctionSignature("split", arity: 2...3) { args in
            try F.coerce(&args, 0, to: .string, fn: "split"); try F.coerce(&args, 1, to: .string, fn: "split")
            if args.count > 2 { try F.coerce(&args, 2, to: .int, fn: "split") }
            return .array(element: .string, containsNull: false)
        },
        FunctionSignature("regexp_replace", arity: 3...4) { args in
            for i in 0..<3 { try F.coerce(&args, i, to: .string, fn: "regexp_replace") }
            if args.count > 3 { try F.coerce(&args, 3, to: .int, fn: "regexp_replace") }
            return .string
        },
        FunctionSignature("regexp_extract", arity: 2...3) { args in
            try F.coerce(&args, 0, to: .string, fn: "regexp_extract"); try F.coerce(&args, 1, to: .string, fn: "regexp_extract")
            if args.count > 2 { try F.coerce(&args, 2, to: .int, fn: "regexp_extract") }
            return .string
        },
        FunctionSignature("regexp_extract_all", arity: 2...3) { args in
            try F.coerce(&args, 0, to: .string, fn: "regexp_extract_all"); try F.coerce(&args, 1, to: .string, fn: "regexp_extract_all")
            if args.count > 2 { try F.coerce(&args, 2, to: .int, fn: "regexp_extract_all") }
            return .array(element: .string, containsNull: false)
        },
        F.fixed("regexp_like", [.string, .string], .boolean),
        F.fixed("lpad", [.string, .int, .string], .string, optional: 1),
        F.fixed("rpad", [.string, .int, .string], .string, optional: 1),
        F.fixed("instr", [.string, .string], .int),
        // locate(substr, str[, pos]): a NULL position gives 0, as Hive.
        F.fixed("locate", [.string, .string, .int], .int, optional: 1, nulls: .always),
        str("translate", 3),
        FunctionSignature("format_number", arity: 2...2) { args in
            _ = try F.numericArg(&args, 0, fn: "format_number")
            if args[1].dataType != .string { try F.coerce(&args, 1, to: .int, fn: "format_number") }
            return .string
        },
        str("replace", 3, optional: 1),
        FunctionSignature("reverse", arity: 1...1) { args in
            if case .array = args[0].dataType { return args[0].dataType }
            try F.coerce(&args, 0, to: .string, fn: "reverse")
            return .string
        },
        F.fixed("repeat", [.string, .int], .string),
        F.fixed("space", [.int], .string),
        str("ascii", 1, .int),
        F.fixed("chr", [.long], .string),
        F.fixed("left", [.string, .int], .string),
        F.fixed("right", [.string, .int], .string),
        str("startswith", 2, .boolean), str("endswith", 2, .boolean), str("contains", 2, .boolean),
        FunctionSignature("format_string", arity: 1...Int.max, nulls: .always) { args in
            try F.coerce(&args, 0, to: .string, fn: "format_string")
            return .string
        },
        digest("base64"),
        str("unbase64", 1, .binary),
        FunctionSignature("hex", arity: 1...1) { args in
            let t = args[0].dataType
            if t == .string || t == .binary { return .string }
            try F.coerce(&args, 0, to: .long, fn: "hex")
            return .string
        },
        str("unhex", 1, .binary),
        digest("md5"), digest("sha1"), digest("sha2", extra: [.int]),
        FunctionSignature("crc32", arity: 1...1) { args in try bytesArg(&args, 0, fn: "crc32"); return .long },
        F.fixed("levenshtein", [.string, .string, .int], .int, optional: 1),
        str("soundex"),
        FunctionSignature("encode", arity: 2...2) { args in
            try F.coerce(&args, 0, to: .string, fn: "encode"); try F.coerce(&args, 1, to: .string, fn: "encode"); return .binary
        },
        FunctionSignature("decode", arity: 2...2) { args in
            try bytesArg(&args, 0, fn: "decode"); try F.coerce(&args, 1, to: .string, fn: "decode"); return .string
        },
        str("regexp_count", 2, .int),
        F.fixed("regexp_instr", [.string, .string, .int], .int, optional: 1),
        F.fixed("substring_index", [.string, .string, .int], .string),
        FunctionSignature("elt", arity: 2...Int.max, nulls: .always) { args in
            try F.coerce(&args, 0, to: .int, fn: "elt")
            for i in 1..<args.count { try F.coerce(&args, i, to: .string, fn: "elt") }
            return .string
        },
        str("find_in_set", 2, .int),
    ]
}
