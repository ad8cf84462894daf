import EmberColumnar
import EmberCore
import EmberPlan

/// Kernels for boolean logic, null tests, IN lists and nested-value access.
enum CoreKernels {
    static let all: [(String, ScalarKernel)] = [
        ("not", { k in
            let c = k.args[0]
            guard let b = c.bools else { return Column.nulls(.boolean, count: k.count) }
            return .booleans(b.map { !$0 }, validity: c.validity)
        }),
        ("isnull", { k in .booleans((0..<k.count).map { k.args[0].isNull($0) }, validity: nil) }),
        ("isnotnull", { k in .booleans((0..<k.count).map { !k.args[0].isNull($0) }, validity: nil) }),
        ("in", inList),
        ("get_struct_field", { k in
            guard case .structure(let cs) = k.args[0].storage, case .int(let i)? = k.call.options.first, Int(i) < cs.count else {
                return Column.nulls(k.resultType, count: k.count)
            }
            var f = cs[Int(i)]
            if let v = k.args[0].validity { f.validity = f.validity.map { $0 & v } ?? v }
            return f
        }),
        ("get_array_item", { k in
            try mapValues(k.args, count: k.count, type: k.resultType) { v in
                guard case .array(let xs) = v[0], let i = v[1].int64Value else { return .null }
                return i >= 0 && Int(i) < xs.count ? xs[Int(i)] : .null
            }
        }),
        ("get_map_value", { k in
            try mapValues(k.args, count: k.count, type: k.resultType) { v in
                guard case .map(let ks, let vs) = v[0] else { return .null }
                if let i = ks.firstIndex(of: v[1]) { return vs[i] }
                return .null
            }
        }),
    ]

    /// `x IN (a, b, …)` with SQL null semantics: NULL when x is NULL, or when no item
    /// matches and some item is NULL.
    static func inList(_ k: KernelCall) throws -> Column {
        let n = k.count
        let x = k.args[0]
        var out = [Bool](repeating: false, count: n)
        var valid = Bitmap(count: n, value: true)
        let items = Array(k.args.dropFirst())
        let keys = RowKeys.equality([x], count: n)
        var itemKeys: [RowKeys] = items.map { RowKeys.equality([$0], count: n) }
        // Constant lists: compare against a set of encoded literals once.
        let allLiteral = k.call.args.dropFirst().allSatisfy { if case .literal = $0 { return true }; return false }
        if allLiteral && n > 0 {
            var set = Set<ArraySlice<UInt8>>()
            var listHasNull = false
            for (j, it) in items.enumerated() {
                if it.isNull(0) { listHasNull = true } else { set.insert(itemKeys[j].key(0)) }
            }
            itemKeys.removeAll()
            for i in 0..<n {
                if x.isNull(i) { valid[i] = false; continue }
                if set.contains(keys.key(i)) { out[i] = true } else if listHasNull { valid[i] = false }
            }
            return .booleans(out, validity: valid)
        }
        for i in 0..<n {
            if x.isNull(i) { valid[i] = false; continue }
            var sawNull = false
            for (j, it) in items.enumerated() {
                if it.isNull(i) { sawNull = true; continue }
                if itemKeys[j].key(i) == keys.key(i) { out[i] = true; break }
            }
            if !out[i] && sawNull { valid[i] = false }
        }
        return .booleans(out, validity: valid)
    }
}
