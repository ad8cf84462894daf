import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Kernels of Spark's array and map functions beyond the constructors (MiscKernels), plus
/// a few scalar odds and ends (nullif, raise_error, elt, substring_index, encode/decode,
/// regexp_count/instr). Nested values go row by row through `Value`s, as in MiscKernels.
enum CollectionKernels {
    typealias MK = MiscKernels

    static let all: [(String, ScalarKernel)] = [
        ("array_max", { k in try strict(k) { v in extreme(v[0], max: true) } }),
        ("array_min", { k in try strict(k) { v in extreme(v[0], max: false) } }),
        ("array_union", { k in try strict(k) { v in .array(distinct(elements(v[0]) + elements(v[1]))) } }),
        ("array_intersect", { k in
            try strict(k) { v in
                let right = elements(v[1])
                return .array(distinct(elements(v[0])).filter { x in right.contains { same($0, x) } })
            }
        }),
        ("array_except", { k in
            try strict(k) { v in
                let right = elements(v[1])
                return .array(distinct(elements(v[0])).filter { x in !right.contains { same($0, x) } })
            }
        }),
        ("arrays_overlap", { k in
            try strict(k) { v in
                let a = elements(v[0]), b = elements(v[1])
                if a.contains(where: { x in !x.isNull && b.contains { !$0.isNull && same($0, x) } }) { return .boolean(true) }
                // No common element: NULL when either side holds a NULL (and both are non-empty).
                if !a.isEmpty && !b.isEmpty && (a.contains(where: \.isNull) || b.contains(where: \.isNull)) { return .null }
                return .boolean(false)
            }
        }),
        ("array_remove", { k in
            try strict(k) { v in .array(elements(v[0]).filter { $0.isNull || !same($0, v[1]) }) }
        }),
        ("array_position", { k in
            try strict(k) { v in
                let i = elements(v[0]).firstIndex { !$0.isNull && same($0, v[1]) }
                return .long(i.map { Int64($0 + 1) } ?? 0)
            }
        }),
        ("sequence", sequence),
        ("flatten", { k in
            try strict(k) { v in
                var out: [Value] = []
                for inner in elements(v[0]) {
                    guard case .array(let xs) = inner else { return .null }
                    out += xs
                }
                return .array(out)
            }
        }),
        ("slice", slice),
        ("array_repeat", { k in
            try rows(k) { v in
                guard let n = v[1].int64Value else { return .null }
                guard n <= 1 << 24 else {
                    throw EmberError(errorClass: "COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER", sqlState: "54000", message: "Can't create array with \(n) elements which exceeding the array size limit 16777216.")
                }
                return .array([Value](repeating: v[0], count: Int(max(0, n))))
            }
        }),
        ("arrays_zip", { k in
            try strict(k) { v in
                let arrays = v.map(elements)
                let n = arrays.map(\.count).max() ?? 0
                return .array((0..<n).map { i in .structure(arrays.map { i < $0.count ? $0[i] : .null }) })
            }
        }),
        ("array_compact", { k in try strict(k) { v in .array(elements(v[0]).filter { !$0.isNull }) } }),
        ("array_size", { k in try strict(k) { v in .int(Int32(truncatingIfNeeded: elements(v[0]).count)) } }),
        ("array_append", { k in
            try rows(k) { v in v[0].isNull ? .null : .array(elements(v[0]) + [v[1]]) }
        }),
        ("array_prepend", { k in
            try rows(k) { v in v[0].isNull ? .null : .array([v[1]] + elements(v[0])) }
        }),
        ("get", { k in
            try strict(k) { v in
                let xs = elements(v[0])
                guard let i = v[1].int64Value, i >= 0, i < Int64(xs.count) else { return .null }
                return xs[Int(i)]
            }
        }),
        ("get_array_item", getArrayItem),
        ("try_element_at", tryElementAt),
        ("map_contains_key", { k in
            try strict(k) { v in
                guard case .map(let ks, _) = v[0] else { return .null }
                return .boolean(ks.contains { same($0, v[1]) })
            }
        }),
        ("map_from_arrays", { k in
            try strict(k) { v in
                let ks = elements(v[0]), vs = elements(v[1])
                guard ks.count == vs.count else {
                    throw EmberError(
                        errorClass: "INVALID_PARAMETER_VALUE.MAP_FROM_ARRAYS_LENGTH_MISMATCH", sqlState: "22023",
                        message: "The value of parameter(s) `keys`, `values` in `map_from_arrays` is invalid: the number of keys (\(ks.count)) does not match the number of values (\(vs.count)).")
                }
                return try makeMap(ks, vs)
            }
        }),
        ("map_entries", { k in
            try strict(k) { v in
                guard case .map(let ks, let vs) = v[0] else { return .null }
                return .array(zip(ks, vs).map { .structure([$0, $1]) })
            }
        }),
        ("map_from_entries", { k in
            try strict(k) { v in
                var ks: [Value] = [], vs: [Value] = []
                for e in elements(v[0]) {
                    guard case .structure(let f) = e, f.count == 2 else { return .null }
                    ks.append(f[0]); vs.append(f[1])
                }
                return try makeMap(ks, vs)
            }
        }),
        ("str_to_map", { k in
            try strict(k) { v in
                guard case .string(let text) = v[0] else { return .null }
                let pairDelim = v.count > 1 ? v[1].stringValue ?? "," : ","
                let kvDelim = v.count > 2 ? v[2].stringValue ?? ":" : ":"
                var ks: [Value] = [], vs: [Value] = []
                for pair in split(text, pairDelim) {
                    let kv = split(pair, kvDelim, limit: 2)
                    ks.append(.string(kv[0]))
                    vs.append(kv.count > 1 ? .string(kv[1]) : .null)
                }
                return try makeMap(ks, vs)
            }
        }),
        ("map_concat", { k in
            try strict(k) { v in
                var ks: [Value] = [], vs: [Value] = []
                for m in v { if case .map(let a, let b) = m { ks += a; vs += b } }
                return try makeMap(ks, vs)
            }
        }),
        ("raise_error", { k in
            if k.count > 0 {
                let msg = k.args[0].isNull(0) ? "null" : k.args[0].stringAt(0)
                throw EmberError(errorClass: "USER_RAISED_EXCEPTION", sqlState: "P0001", message: msg)
            }
            return .nulls(.null, count: 0)
        }),
        ("nullif", { k in
            let a = k.args[0], b = k.args[1]
            var keep: [Int32] = []
            for i in 0..<k.count {
                let equal = !a.isNull(i) && !b.isNull(i) && same(a.value(at: i), b.value(at: i))
                keep.append(equal ? -1 : Int32(i))
            }
            return a.take(keep)
        }),
        ("encode", { k in
            try StringKernels.bytesRows(k, type: .binary) { i, out in
                out += try encode(k.args[0].stringAt(i), charset: k.args[1].stringAt(i))
                return true
            }
        }),
        ("decode", { k in
            try StringKernels.bytesRows(k) { i, out in
                out += try decode(Array(k.args[0].bytesAt(i)), charset: k.args[1].stringAt(i))
                return true
            }
        }),
        ("regexp_count", { k in
            let s = StringKernels.StringColumn(k.args[0]), p = StringKernels.StringColumn(k.args[1])
            var cache = StringKernels.RegexCache(fn: "regexp_count", literal: k.literal(1))
            return try StringKernels.intRows(k) { i in
                Int32(truncatingIfNeeded: try cache.get(p.string(i)).matches(s.string(i)).count)
            }
        }),
        ("regexp_instr", { k in
            let s = StringKernels.StringColumn(k.args[0]), p = StringKernels.StringColumn(k.args[1])
            var cache = StringKernels.RegexCache(fn: "regexp_instr", literal: k.literal(1))
            return try StringKernels.intRows(k) { i in
                guard let m = try cache.get(p.string(i)).matches(s.string(i), limit: 1).first, let r = m[0] else { return 0 }
                // 1-based character position of the match start.
                let prefix = s[i].prefix(r.lowerBound)
                return Int32(truncatingIfNeeded: String(decoding: prefix, as: UTF8.self).unicodeScalars.count + 1)
            }
        }),
        ("substring_index", { k in
            let counts = k.args[2].asInt64s()
            return StringKernels.bytesRows(k) { i, out in
                out += substringIndex(Array(k.args[0].bytesAt(i)), Array(k.args[1].bytesAt(i)), counts[i])
                return true
            }
        }),
        ("elt", elt),
        ("transform", { k in try HigherOrder.transform(k) }),
        ("filter", { k in try HigherOrder.filter(k) }),
        ("exists", { k in try HigherOrder.quantifier(k, all: false) }),
        ("forall", { k in try HigherOrder.quantifier(k, all: true) }),
        ("aggregate", { k in try HigherOrder.aggregate(k) }),
        ("find_in_set", { k in
            StringKernels.intRows(k) { i in
                let s = k.args[0].stringAt(i)
                if s.contains(",") { return 0 }
                let parts = k.args[1].stringAt(i).split(separator: ",", omittingEmptySubsequences: false)
                return Int32(truncatingIfNeeded: (parts.firstIndex { $0 == s } ?? -1) + 1)
            }
        }),
    ]

    // MARK: Helpers

    /// Row by row through `Value`s; `f` sees every row, NULLs included.
    static func rows(_ k: KernelCall, _ f: ([Value]) throws -> Value) throws -> Column {
        try mapValues(k.args, count: k.count, type: k.resultType, f)
    }

    /// Row by row; a NULL argument makes the row NULL without calling `f`.
    static func strict(_ k: KernelCall, _ f: ([Value]) throws -> Value) throws -> Column {
        try rows(k) { v in v.contains(where: \.isNull) ? .null : try f(v) }
    }

    static func elements(_ v: Value) -> [Value] {
        if case .array(let xs) = v { return xs }
        return []
    }

    /// SQL equality of two values of one type, NULL equal to NULL (set semantics of array_union & co).
    static func same(_ a: Value, _ b: Value) -> Bool {
        a.isNull == b.isNull && MK.compareValues(a, b) == 0
    }

    static func distinct(_ xs: [Value]) -> [Value] {
        var out: [Value] = []
        for x in xs where !out.contains(where: { same($0, x) }) { out.append(x) }
        return out
    }

    /// array_max / array_min: NaN is the largest double, NULL elements are skipped.
    static func extreme(_ v: Value, max: Bool) -> Value {
        var best: Value = .null
        for x in elements(v) where !x.isNull {
            if best.isNull { best = x; continue }
            let c = MK.compareValues(x, best)
            if max ? c > 0 : c < 0 { best = x }
        }
        return best
    }

    /// A map value with Spark's checks on keys (no NULL, no duplicates).
    static func makeMap(_ ks: [Value], _ vs: [Value]) throws -> Value {
        var keys: [Value] = [], values: [Value] = []
        for (key, v) in zip(ks, vs) {
            if key.isNull { throw EmberError(errorClass: "NULL_MAP_KEY", sqlState: "2200E", message: "Cannot use null as map key.") }
            if keys.contains(where: { same($0, key) }) {
                throw EmberError(
                    errorClass: "DUPLICATED_MAP_KEY", sqlState: "23505",
                    message: "Duplicate map key \(MK.keyText(key)) was found, please check the input data. If you want to remove the duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" to \"LAST_WIN\" so that the key inserted at last takes precedence.")
            }
            keys.append(key)
            values.append(v)
        }
        return .map(keys: keys, values: values)
    }

    /// Splits on a literal delimiter (an empty one splits nothing).
    static func split(_ s: String, _ delim: String, limit: Int = Int.max) -> [String] {
        guard !delim.isEmpty else { return [s] }
        var out: [String] = []
        var rest = Substring(s)
        while out.count < limit - 1, let r = rest.range(of: delim) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }

    // MARK: Kernels

    /// `sequence(start, stop[, step])` over integers; the step defaults to ±1.
    static func sequence(_ k: KernelCall) throws -> Column {
        try strict(k) { v in
            guard let a = v[0].int64Value, let b = v[1].int64Value else { return .null }
            let step = v.count > 2 ? (v[2].int64Value ?? 1) : (a <= b ? 1 : -1)
            guard (step > 0 && a <= b) || (step < 0 && a >= b) || (a == b && step != 0) else {
                throw EmberError(
                    errorClass: "INVALID_PARAMETER_VALUE.SEQUENCE_WRONG_INPUT_TYPES", sqlState: "22023",
                    message: "Illegal sequence boundaries: \(a) to \(b) by \(step)")
            }
            let (span, o1) = b.subtractingReportingOverflow(a)
            let len = o1 ? UInt64.max : span.magnitude / step.magnitude + 1
            guard len <= 1 << 24 else {
                throw EmberError(errorClass: "COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER", sqlState: "54000", message: "Can't create array with \(len) elements which exceeding the array size limit 16777216.")
            }
            let wrap: (Int64) -> Value = { x in
                switch k.resultType {
                case .array(.int, _): return .int(Int32(truncatingIfNeeded: x))
                case .array(.short, _): return .short(Int16(truncatingIfNeeded: x))
                case .array(.byte, _): return .byte(Int8(truncatingIfNeeded: x))
                default: return .long(x)
                }
            }
            return .array((0..<Int64(len)).map { wrap(a &+ $0 &* step) })
        }
    }

    /// `slice(arr, start, length)`: 1-based start, negative from the end.
    static func slice(_ k: KernelCall) throws -> Column {
        try strict(k) { v in
            let xs = elements(v[0])
            guard let start = v[1].int64Value, let len = v[2].int64Value else { return .null }
            if start == 0 {
                throw EmberError(errorClass: "INVALID_PARAMETER_VALUE.START", sqlState: "22023", message: "The value of parameter(s) `start` in `slice` is invalid: Expects a positive or a negative value for `start`, but got 0.")
            }
            if len < 0 {
                throw EmberError(errorClass: "INVALID_PARAMETER_VALUE.LENGTH", sqlState: "22023", message: "The value of parameter(s) `length` in `slice` is invalid: Expects `length` greater than or equal to 0, but got \(len).")
            }
            let from = start > 0 ? start - 1 : Int64(xs.count) + start
            guard from >= 0, from < Int64(xs.count) else { return .array([]) }
            let to = min(Int64(xs.count), from + min(len, Int64(xs.count)))
            return .array(Array(xs[Int(from)..<Int(to)]))
        }
    }

    /// `arr[i]` (0-based): out of range is INVALID_ARRAY_INDEX in ANSI mode, else NULL.
    static func getArrayItem(_ k: KernelCall) throws -> Column {
        try strict(k) { v in
            let xs = elements(v[0])
            guard let i = v[1].int64Value else { return .null }
            if i >= 0 && i < Int64(xs.count) { return xs[Int(i)] }
            if k.ctx.ansi {
                throw EmberError(
                    errorClass: "INVALID_ARRAY_INDEX", sqlState: "22003",
                    message: "The index \(i) is out of bounds. The array has \(xs.count) elements. Use the SQL function `get()` to tolerate accessing element at invalid index and return NULL instead.")
            }
            return .null
        }
    }

    /// `try_element_at`: element_at whose out-of-range index (or missing key) is NULL.
    static func tryElementAt(_ k: KernelCall) throws -> Column {
        try strict(k) { v in
            switch v[0] {
            case .map(let ks, let vs):
                return ks.firstIndex { same($0, v[1]) }.map { vs[$0] } ?? .null
            case .array(let xs):
                guard let i = v[1].int64Value else { return .null }
                if i == 0 {
                    throw EmberError(errorClass: "INVALID_INDEX_OF_ZERO", sqlState: "22003", message: "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).")
                }
                let j = i > 0 ? i - 1 : Int64(xs.count) + i
                return j >= 0 && j < Int64(xs.count) ? xs[Int(j)] : .null
            default: return .null
            }
        }
    }

    /// `elt(n, a, b, …)`: the n-th input (1-based); out of range is INVALID_ARRAY_INDEX in ANSI mode.
    static func elt(_ k: KernelCall) throws -> Column {
        try rows(k) { v in
            guard let n = v[0].int64Value else { return .null }
            let inputs = v.count - 1
            guard n >= 1, n <= Int64(inputs) else {
                if k.ctx.ansi {
                    throw EmberError(
                        errorClass: "INVALID_ARRAY_INDEX", sqlState: "22003",
                        message: "The index \(n) is out of bounds. The array has \(inputs) elements. Use the SQL function `get()` to tolerate accessing element at invalid index and return NULL instead.")
                }
                return .null
            }
            return v[Int(n)]
        }
    }

    /// Spark's `substring_index`: before the count-th delimiter from the left (count > 0)
    /// or after the count-th from the right (count < 0).
    static func substringIndex(_ s: [UInt8], _ d: [UInt8], _ count: Int64) -> [UInt8] {
        if count == 0 || d.isEmpty || s.isEmpty { return [] }
        var hits: [Int] = []
        var i = 0
        while i + d.count <= s.count {
            if s[i..<(i + d.count)].elementsEqual(d) { hits.append(i); i += d.count } else { i += 1 }
        }
        // `magnitude` so that Int64.min cannot overflow a negation.
        guard UInt64(hits.count) >= count.magnitude else { return s }
        let k = Int(count.magnitude)
        if count > 0 { return Array(s[..<hits[k - 1]]) }
        return Array(s[(hits[hits.count - k] + d.count)...])
    }

    static func charset(_ name: String) throws -> String.Encoding {
        switch name.uppercased() {
        case "UTF-8", "UTF8": return .utf8
        case "US-ASCII", "ASCII": return .ascii
        case "ISO-8859-1", "LATIN1": return .isoLatin1
        case "UTF-16BE": return .utf16BigEndian
        case "UTF-16LE": return .utf16LittleEndian
        case "UTF-16": return .utf16
        case "UTF-32": return .utf32
        default:
            throw EmberError(
                errorClass: "INVALID_PARAMETER_VALUE.CHARSET", sqlState: "22023",
                message: "The value of parameter(s) `charset` is invalid: expects one of the US-ASCII, ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16, UTF-32, but got \(name).")
        }
    }

    static func encode(_ s: String, charset name: String) throws -> [UInt8] {
        let enc = try charset(name)
        if enc == .utf8 { return Array(s.utf8) }
        // Unmappable characters become '?', as Java's String.getBytes.
        return Array(s.data(using: enc, allowLossyConversion: true) ?? Data())
    }

    static func decode(_ b: [UInt8], charset name: String) throws -> [UInt8] {
        let enc = try charset(name)
        if enc == .utf8 { return Array(String(decoding: b, as: UTF8.self).utf8) }
        return Array((String(data: Data(b), encoding: enc) ?? "").utf8)
    }
}

/// Kernels of the higher-order functions: lambda bodies are bound once and evaluated over
/// batches of array elements (with the captured input columns repeated per element).
enum HigherOrder {
    /// The elements of the array argument as one column, with each element's row and
    /// position; NULL arrays contribute nothing.
    struct Elements {
        var values: Column
        var rowOf: [Int32] = []
        var position: [Int32] = []
        var counts: [Int]
    }

    static func elements(_ k: KernelCall) -> Elements? {
        guard case .list(let offsets, let values) = k.args[0].storage else { return nil }
        var out = Elements(values: values, counts: [Int](repeating: 0, count: k.count))
        var idx: [Int32] = []
        for i in 0..<k.count where !k.args[0].isNull(i) {
            let lo = Int(offsets[i]), hi = Int(offsets[i + 1])
            out.counts[i] = max(0, hi - lo)
            for j in lo..<max(lo, hi) {
                idx.append(Int32(j))
                out.rowOf.append(Int32(i))
                out.position.append(Int32(j - lo))
            }
        }
        out.values = values.take(idx)
        return out
    }

    /// The input columns the call captured (its trailing arguments) and their attributes.
    static func captured(_ k: KernelCall) -> (columns: [Column], attrs: [Attribute]) {
        let n: Int = { if case .int(let c)? = k.call.options.first { return Int(c) }; return 0 }()
        let start = max(0, k.args.count - n)
        let attrs = k.call.args[start...].compactMap { e -> Attribute? in if case .attribute(let a) = e { return a }; return nil }
        return (Array(k.args[start...]), attrs)
    }

    /// Evaluates lambda `f` over parameter columns (all of one length) and the captured columns at `rows`.
    static func eval(_ k: KernelCall, _ f: LambdaFunction, _ params: [Column], rows: [Int32]) throws -> Column {
        let cap = captured(k)
        let attrs = Array(f.params.prefix(params.count)) + cap.attrs
        let cols = Array(params.prefix(f.params.count)) + cap.columns.map { $0.take(rows) }
        let batch = RecordBatch(schema: Schema(attrs.map(\.field)), columns: cols, count: rows.count)
        return try BoundExpr.bind(f.body, attrs).eval(batch, k.ctx)
    }

    static func list(_ k: KernelCall, counts: [Int], values: Column) -> Column {
        var offsets = [Int32](repeating: 0, count: k.count + 1)
        for i in 0..<k.count { offsets[i + 1] = offsets[i] + Int32(counts[i]) }
        return Column(type: k.resultType, count: k.count, validity: StringKernels.ownValidity(k.args[0]), storage: .list(offsets: offsets, values: values))
    }

    static func transform(_ k: KernelCall) throws -> Column {
        guard let f = k.call.lambdas.first, let e = elements(k) else { return .nulls(k.resultType, count: k.count) }
        let r = try eval(k, f, [e.values, .int32s(e.position, validity: nil)], rows: e.rowOf)
        return list(k, counts: e.counts, values: r)
    }

    static func filter(_ k: KernelCall) throws -> Column {
        guard let f = k.call.lambdas.first, let e = elements(k) else { return .nulls(k.resultType, count: k.count) }
        let r = try eval(k, f, [e.values, .int32s(e.position, validity: nil)], rows: e.rowOf)
        let b = r.bools ?? []
        var keep: [Int32] = []
        var counts = [Int](repeating: 0, count: k.count)
        for j in 0..<e.rowOf.count where !r.isNull(j) && j < b.count && b[j] {
            keep.append(Int32(j))
            counts[Int(e.rowOf[j])] += 1
        }
        return list(k, counts: counts, values: e.values.take(keep))
    }

    /// exists: true if some element satisfies, else NULL if some test was NULL, else false;
    /// forall: false if some element fails, else NULL if some test was NULL, else true.
    static func quantifier(_ k: KernelCall, all: Bool) throws -> Column {
        guard let f = k.call.lambdas.first, let e = elements(k) else { return .nulls(.boolean, count: k.count) }
        let r = try eval(k, f, [e.values], rows: e.rowOf)
        let b = r.bools ?? []
        var decided = [Bool](repeating: false, count: k.count), sawNull = [Bool](repeating: false, count: k.count)
        for j in 0..<e.rowOf.count {
            let i = Int(e.rowOf[j])
            if r.isNull(j) { sawNull[i] = true } else if j < b.count, b[j] != all { decided[i] = true }
        }
        var valid = Bitmap(count: k.count, value: true)
        var out = [Bool](repeating: false, count: k.count)
        for i in 0..<k.count {
            if k.args[0].isNull(i) { valid[i] = false; continue }
            if decided[i] { out[i] = !all } else if sawNull[i] { valid[i] = false } else { out[i] = all }
        }
        return .booleans(out, validity: valid)
    }

    /// `aggregate(arr, zero, (acc, x) -> …[, acc -> …])`: folds position by position, each
    /// step one batch over the rows whose arrays are that long.
    static func aggregate(_ k: KernelCall) throws -> Column {
        guard let merge = k.call.lambdas.first, let e = elements(k), k.args.count > 1 else { return .nulls(k.resultType, count: k.count) }
        let accType = k.call.args[1].dataType
        var acc = k.args[1]
        // Element index of (row, position).
        var start = [Int](repeating: 0, count: k.count)
        var running = 0
        for i in 0..<k.count { start[i] = running; running += e.counts[i] }
        let longest = e.counts.max() ?? 0
        for p in 0..<longest {
            var rows: [Int32] = [], elems: [Int32] = []
            for i in 0..<k.count where e.counts[i] > p {
                rows.append(Int32(i))
                elems.append(Int32(start[i] + p))
            }
            let next = try eval(k, merge, [acc.take(rows), e.values.take(elems)], rows: rows)
            acc = Lazy.scatter(base: acc, rows: rows, values: next, type: accType)
        }
        var result = acc
        if k.call.lambdas.count > 1 {
            let all = (0..<k.count).map { Int32($0) }
            result = try eval(k, k.call.lambdas[1], [acc], rows: all)
        }
        // A NULL array gives NULL.
        let nullRows = (0..<k.count).filter { k.args[0].isNull($0) }
        if nullRows.isEmpty { return result }
        var take = (0..<k.count).map { Int32($0) }
        for i in nullRows { take[i] = -1 }
        return result.take(take)
    }
}
