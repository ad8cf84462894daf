import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Kernels of Spark's misc functions: Spark-compatible hashes, random numbers and ids,
/// and the array/map/struct functions (those go row by row through `Value`s, except
/// where the Arrow layout makes a direct path trivial).
enum MiscKernels {
    static let all: [(String, ScalarKernel)] = [
        ("hash", { k in hashKernel(k, Murmur3.self, type: .int) }),
        ("xxhash64", { k in hashKernel(k, XXH64.self, type: .long) }),
        ("rand", { k in random(k, normal: false) }),
        ("randn", { k in random(k, normal: true) }),
        ("monotonically_increasing_id", { k in
            let base = Int64(k.ctx.partitionIndex) << 33 + k.ctx.rowOffset
            return .int64s((0..<k.count).map { base + Int64($0) }, validity: nil)
        }),
        ("spark_partition_id", { k in
            .int32s([Int32](repeating: Int32(truncatingIfNeeded: k.ctx.partitionIndex), count: k.count), validity: nil)
        }),
        ("uuid", { k in
            var b = ColumnBuilder(type: .string, capacity: k.count)
            for _ in 0..<k.count { b.append(string: UUID().uuidString.lowercased()) }
            return b.finish()
        }),
        ("array", array),
        ("map", map),
        ("struct", { k in structure(k, named: false) }),
        ("named_struct", { k in structure(k, named: true) }),
        ("size", size),
        ("cardinality", size),
        ("array_contains", arrayContains),
        ("element_at", elementAt),
        ("sort_array", { k in
            let asc = k.args.count > 1 ? k.args[1] : nil
            return try arrayMap(k) { xs, i in
                guard let asc else { return sortedValues(xs, ascending: true, nullsFirst: true) }
                if asc.isNull(i) { return nil }
                let up = asc.value(at: i).boolValue ?? true
                return sortedValues(xs, ascending: up, nullsFirst: up)
            }
        }),
        ("array_sort", { k in try arrayMap(k) { xs, _ in sortedValues(xs, ascending: true, nullsFirst: false) } }),
        ("array_distinct", { k in
            try arrayMap(k) { xs, _ in
                var out: [Value] = []
                for x in xs where !out.contains(where: { compareValues($0, x) == 0 && $0.isNull == x.isNull }) { out.append(x) }
                return out
            }
        }),
        ("array_join", arrayJoin),
        ("map_keys", { k in mapPart(k, keys: true) }),
        ("map_values", { k in mapPart(k, keys: false) }),
        ("isnan", { k in
            let c = k.args[0], x = c.asDoubles()
            return .booleans((0..<k.count).map { !c.isNull($0) && x[$0].isNaN }, validity: nil)
        }),
        ("nanvl", nanvl),
        ("typeof", { k in .constant(.string(k.args[0].type.simpleString), type: .string, count: k.count) }),
        ("assert_true", assertTrue),
    ]
}

// MARK: - Spark's hash functions

extension MiscKernels {
    /// One of Spark's row hashes: each argument's hash seeds the next one (42 to start), and
    /// NULL leaves the seed as it is.
    protocol SparkHashFunction {
        associatedtype H
        static var seed: H { get }
        static func int(_ v: Int32, _ seed: H) -> H
        static func long(_ v: Int64, _ seed: H) -> H
        static func bytes(_ b: ArraySlice<UInt8>, _ seed: H) -> H
    }

    /// Spark's `Murmur3_x86_32`. Its byte hash (`hashUnsafeBytes`) is not standard Murmur3:
    /// each tail byte is sign-extended and mixed as a whole block.
    enum Murmur3: SparkHashFunction {
        static let seed: Int32 = 42

        @inline(__always) static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { x << r | x >> (32 - r) }
        @inline(__always) static func mixK1(_ k: UInt32) -> UInt32 { rotl(k &* 0xcc9e_2d51, 15) &* 0x1b87_3593 }
        @inline(__always) static func mixH1(_ h: UInt32, _ k1: UInt32) -> UInt32 { rotl(h ^ k1, 13) &* 5 &+ 0xe654_6b64 }
        @inline(__always) static func fmix(_ h: UInt32, _ length: UInt32) -> Int32 {
            var h1 = h ^ length
            h1 ^= h1 >> 16
            h1 = h1 &* 0x85eb_ca6b
            h1 ^= h1 >> 13
            h1 = h1 &* 0xc2b2_ae35
            h1 ^= h1 >> 16
            return Int32(bitPattern: h1)
        }

        static func int(_ v: Int32, _ seed: Int32) -> Int32 {
            fmix(mixH1(UInt32(bitPattern: seed), mixK1(UInt32(bitPattern: v))), 4)
        }

        static func long(_ v: Int64, _ seed: Int32) -> Int32 {
            let u = UInt64(bitPattern: v)
            var h = mixH1(UInt32(bitPattern: seed), mixK1(UInt32(truncatingIfNeeded: u)))
            h = mixH1(h, mixK1(UInt32(truncatingIfNeeded: u >> 32)))
            return fmix(h, 8)
        }

        static func bytes(_ b: ArraySlice<UInt8>, _ seed: Int32) -> Int32 {
            var h = UInt32(bitPattern: seed)
            var p = b.startIndex
            let aligned = b.startIndex + b.count - b.count % 4
            while p < aligned {
                let w = UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
                h = mixH1(h, mixK1(w))
                p += 4
            }
            while p < b.endIndex {
                h = mixH1(h, mixK1(UInt32(bitPattern: Int32(Int8(bitPattern: b[p])))))
                p += 1
            }
            return fmix(h, UInt32(b.count))
        }
    }

    /// Spark's `XXH64` (standard xxHash64 with Spark's int/long shortcuts).
    enum XXH64: SparkHashFunction {
        static let seed: Int64 = 42
        static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
        static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        static let p3: UInt64 = 0x1656_67B1_9E37_79F9
        static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
        static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

        @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { x << r | x >> (64 - r) }
        @inline(__always) static func fmix(_ h0: UInt64) -> Int64 {
            var h = h0
            h ^= h >> 33
            h = h &* p2
            h ^= h >> 29
            h = h &* p3
            h ^= h >> 32
            return Int64(bitPattern: h)
        }

        static func int(_ v: Int32, _ seed: Int64) -> Int64 {
            var h = UInt64(bitPattern: seed) &+ p5 &+ 4
            h ^= UInt64(UInt32(bitPattern: v)) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            return fmix(h)
        }

        static func long(_ v: Int64, _ seed: Int64) -> Int64 {
            var h = UInt64(bitPattern: seed) &+ p5 &+ 8
            h ^= rotl(UInt64(bitPattern: v) &* p2, 31) &* p1
            h = rotl(h, 27) &* p1 &+ p4
            return fmix(h)
        }

        @inline(__always) static func word64(_ b: ArraySlice<UInt8>, _ p: Int) -> UInt64 {
            var w: UInt64 = 0
            for q in 0..<8 { w |= UInt64(b[p + q]) << UInt64(8 * q) }
            return w
        }

        static func bytes(_ b: ArraySlice<UInt8>, _ seed: Int64) -> Int64 {
            let s = UInt64(bitPattern: seed)
            let end = b.endIndex
            var p = b.startIndex
            var h: UInt64
            if b.count >= 32 {
                var v1 = s &+ p1 &+ p2, v2 = s &+ p2, v3 = s, v4 = s &- p1
                @inline(__always) func round(_ v: UInt64, _ w: UInt64) -> UInt64 { rotl(v &+ w &* p2, 31) &* p1 }
                while p + 32 <= end {
                    v1 = round(v1, word64(b, p)); v2 = round(v2, word64(b, p + 8))
                    v3 = round(v3, word64(b, p + 16)); v4 = round(v4, word64(b, p + 24))
                    p += 32
                }
                h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
                for v in [v1, v2, v3, v4] {
                    h ^= rotl(v &* p2, 31) &* p1
                    h = h &* p1 &+ p4
                }
            } else {
                h = s &+ p5
            }
            h = h &+ UInt64(b.count)
            while p + 8 <= end {
                h ^= rotl(word64(b, p) &* p2, 31) &* p1
                h = rotl(h, 27) &* p1 &+ p4
                p += 8
            }
            if p + 4 <= end {
                let w = UInt64(b[p]) | UInt64(b[p + 1]) << 8 | UInt64(b[p + 2]) << 16 | UInt64(b[p + 3]) << 24
                h ^= w &* p1
                h = rotl(h, 23) &* p2 &+ p3
                p += 4
            }
            while p < end {
                h ^= UInt64(b[p]) &* p5
                h = rotl(h, 11) &* p1
                p += 1
            }
            return fmix(h)
        }
    }
}

extension MiscKernels.SparkHashFunction {
    /// Java's `Float.floatToIntBits` with -0.0 hashed as 0.0 (Spark normalizes it).
    static func float(_ x: Float, _ seed: H) -> H {
        int(x == 0 ? 0 : Int32(bitPattern: (x.isNaN ? Float.nan : x).bitPattern), seed)
    }

    static func double(_ x: Double, _ seed: H) -> H {
        long(x == 0 ? 0 : Int64(bitPattern: (x.isNaN ? Double.nan : x).bitPattern), seed)
    }

    /// Decimals up to 18 digits hash their unscaled long; wider ones the bytes of Java's
    /// `BigInteger.toByteArray` (minimal big-endian two's complement).
    static func decimal(_ v: Int128, precision: Int, _ seed: H) -> H {
        if precision <= 18 { return long(Int64(truncatingIfNeeded: v), seed) }
        let u = UInt128(bitPattern: v)
        var b = (0..<16).map { UInt8(truncatingIfNeeded: u >> UInt128(8 * (15 - $0))) }
        while b.count > 1 && ((b[0] == 0 && b[1] & 0x80 == 0) || (b[0] == 0xFF && b[1] & 0x80 != 0)) { b.removeFirst() }
        return bytes(b[...], seed)
    }

    static func value(_ v: Value, _ t: DataType, _ seed: H) -> H {
        switch v {
        case .null: return seed
        case .boolean(let b): return int(b ? 1 : 0, seed)
        case .byte(let x): return int(Int32(x), seed)
        case .short(let x): return int(Int32(x), seed)
        case .int(let x), .date(let x): return int(x, seed)
        case .long(let x), .timestamp(let x): return long(x, seed)
        case .float(let x): return float(x, seed)
        case .double(let x): return double(x, seed)
        case .decimal(let d):
            let p: Int = { if case .decimal(let p, _) = t { return p }; return d.precision }()
            return decimal(d.unscaled, precision: p, seed)
        case .string(let s): return bytes(Array(s.utf8)[...], seed)
        case .binary(let b): return bytes(b[...], seed)
        case .array(let xs):
            let e: DataType = { if case .array(let e, _) = t { return e }; return .null }()
            return xs.reduce(seed) { value($1, e, $0) }
        case .map(let ks, let vs):
            guard case .map(let kt, let vt, _) = t else { return seed }
            return zip(ks, vs).reduce(seed) { value($1.1, vt, value($1.0, kt, $0)) }
        case .structure(let fs):
            let types: [DataType] = { if case .structure(let f) = t { return f.map(\.dataType) }; return [] }()
            var h = seed
            for (j, f) in fs.enumerated() { h = value(f, j < types.count ? types[j] : .null, h) }
            return h
        }
    }

    /// Folds column `c` into the per-row seeds.
    static func fold(_ c: Column, into seeds: inout [H]) {
        let n = c.count
        @inline(__always) func each(_ body: (Int) -> Void) {
            if let v = c.validity { for i in 0..<n where v[i] { body(i) } } else { for i in 0..<n { body(i) } }
        }
        switch c.storage {
        case .none: return
        case .bool(let a): each { seeds[$0] = int(a[$0] ? 1 : 0, seeds[$0]) }
        case .i8(let a): each { seeds[$0] = int(Int32(a[$0]), seeds[$0]) }
        case .i16(let a): each { seeds[$0] = int(Int32(a[$0]), seeds[$0]) }
        case .i32(let a): each { seeds[$0] = int(a[$0], seeds[$0]) }
        case .i64(let a): each { seeds[$0] = long(a[$0], seeds[$0]) }
        case .f32(let a): each { seeds[$0] = float(a[$0], seeds[$0]) }
        case .f64(let a): each { seeds[$0] = double(a[$0], seeds[$0]) }
        case .i128(let a):
            let p: Int = { if case .decimal(let p, _) = c.type { return p }; return 38 }()
            each { seeds[$0] = decimal(a[$0], precision: p, seeds[$0]) }
        case .bytes(let o, let d): each { seeds[$0] = bytes(d[Int(o[$0])..<Int(o[$0 + 1])], seeds[$0]) }
        case .list, .map, .structure: each { seeds[$0] = value(c.value(at: $0), c.type, seeds[$0]) }
        }
    }
}

extension MiscKernels {
    static func hashKernel<F: SparkHashFunction>(_ k: KernelCall, _ f: F.Type, type: DataType) -> Column {
        var seeds = [F.H](repeating: F.seed, count: k.count)
        for c in k.args { F.fold(c, into: &seeds) }
        if let s = seeds as? [Int32] { return .int32s(s, validity: nil) }
        return .int64s(seeds as? [Int64] ?? [], validity: nil)
    }
}

// MARK: - Random numbers

extension MiscKernels {
    @inline(__always)
    static func splitmix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func unit(_ h: UInt64) -> Double { Double(h >> 11) * 0x1.0p-53 }

    /// Each row's number is a hash of (seed, partition, row position), so results do not
    /// depend on how a partition is cut into batches. Not Spark's XORShift stream.
    static func random(_ k: KernelCall, normal: Bool) -> Column {
        var seed: Int64 = k.literal(0)?.int64Value ?? 0
        if k.literal(0) == nil, let c = k.args.first, k.count > 0, !c.isNull(0) { seed = c.asInt64s()[0] }
        let base = splitmix(UInt64(bitPattern: seed) ^ splitmix(UInt64(k.ctx.partitionIndex)))
        let start = UInt64(bitPattern: k.ctx.rowOffset)
        let out = (0..<k.count).map { i -> Double in
            let h = splitmix(base ^ (start &+ UInt64(i)) &* 0xD1B5_4A32_D192_ED03)
            guard normal else { return unit(h) }
            // Box-Muller on two independent uniforms; 1 - u keeps the logarithm finite.
            let u1 = 1 - unit(h), u2 = unit(splitmix(h ^ 0x8CB9_2BA7_2F3D_8DD7))
            return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
        }
        return .doubles(out, validity: nil)
    }
}

// MARK: - Arrays, maps, structs

extension MiscKernels {
    /// Spark's ordering of values of one type: NULL first, NaN above every other double,
    /// strings and binaries by unsigned bytes, arrays and structs element by element.
    static func compareValues(_ a: Value, _ b: Value) -> Int {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        func dbl(_ x: Double, _ y: Double) -> Int {
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
            return cmp(x, y)
        }
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case (.string(let x), .string(let y)):
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : (x.utf8.elementsEqual(y.utf8) ? 0 : 1)
        case (.binary(let x), .binary(let y)): return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
        case (.boolean(let x), .boolean(let y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        case (.decimal(let x), .decimal(let y)) where x.scale == y.scale: return cmp(x.unscaled, y.unscaled)
        case (.array(let x), .array(let y)), (.structure(let x), .structure(let y)):
            for (p, q) in zip(x, y) {
                let c = compareValues(p, q)
                if c != 0 { return c }
            }
            return cmp(x.count, y.count)
        case (.float, _), (.double, _), (.decimal, _), (_, .float), (_, .double), (_, .decimal):
            return dbl(a.doubleValue ?? 0, b.doubleValue ?? 0)
        default:
            if let x = a.int64Value, let y = b.int64Value { return cmp(x, y) }
            return 0
        }
    }

    static func sortedValues(_ xs: [Value], ascending: Bool, nullsFirst: Bool) -> [Value] {
        let nulls = xs.filter(\.isNull)
        var rest = xs.filter { !$0.isNull }
        // A stable merge sort keeps equal elements in input order, as Spark's TimSort.
        rest = mergeSort(rest) { ascending ? compareValues($0, $1) < 0 : compareValues($0, $1) > 0 }
        return nullsFirst ? nulls + rest : rest + nulls
    }

    static func mergeSort(_ a: [Value], _ less: (Value, Value) -> Bool) -> [Value] {
        if a.count < 2 { return a }
        let mid = a.count / 2
        let l = mergeSort(Array(a[..<mid]), less), r = mergeSort(Array(a[mid...]), less)
        var out: [Value] = []
        out.reserveCapacity(a.count)
        var i = 0, j = 0
        while i < l.count && j < r.count {
            if less(r[j], l[i]) { out.append(r[j]); j += 1 } else { out.append(l[i]); i += 1 }
        }
        return out + l[i...] + r[j...]
    }

    /// How Spark prints a map key in DUPLICATED_MAP_KEY.
    static func keyText(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .decimal(let d): return d.description
        case .double(let x): return NumberFormat.javaDouble(x)
        case .float(let x): return NumberFormat.javaFloat(x)
        default: return v.int64Value.map(String.init) ?? "\(v)"
        }
    }
}

extension MiscKernels {
    /// `array(a, b, …)`: row i holds the i-th row of every argument.
    static func array(_ k: KernelCall) -> Column {
        guard case .array(let e, _) = k.resultType else { return .nulls(k.resultType, count: k.count) }
        let n = k.args.count
        var b = ColumnBuilder(type: e, capacity: k.count * n)
        for i in 0..<k.count { for c in k.args { b.append(from: c, row: i) } }
        let offsets = (0...k.count).map { Int32(truncatingIfNeeded: $0 * n) }
        return Column(type: k.resultType, count: k.count, validity: nil, storage: .list(offsets: offsets, values: b.finish()))
    }

    static func map(_ k: KernelCall) throws -> Column {
        try mapValues(k.args, count: k.count, type: k.resultType) { vs in
            var keys: [Value] = [], values: [Value] = []
            for j in stride(from: 0, to: vs.count - 1, by: 2) {
                if vs[j].isNull {
                    throw EmberError(errorClass: "NULL_MAP_KEY", sqlState: "2200E", message: "Cannot use null as map key.")
                }
                if keys.contains(where: { compareValues($0, vs[j]) == 0 }) {
                    throw EmberError(
                        errorClass: "DUPLICATED_MAP_KEY", sqlState: "23505",
                        message: "Duplicate map key \(keyText(vs[j])) was found, please check the input data. If you want to remove the duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" to \"LAST_WIN\" so that the key inserted at last takes precedence.")
                }
                keys.append(vs[j])
                values.append(vs[j + 1])
            }
            return .map(keys: keys, values: values)
        }
    }

    /// Structs are their argument columns side by side (never NULL themselves).
    static func structure(_ k: KernelCall, named: Bool) -> Column {
        let cols = named ? stride(from: 1, to: k.args.count, by: 2).map { k.args[$0] } : k.args
        guard case .structure(let fields) = k.resultType else { return .nulls(k.resultType, count: k.count) }
        let typed = zip(cols, fields).map { c, f -> Column in
            // A NULL literal argument has no storage of the field's type: build one.
            if case .none = c.storage, f.dataType != .null { return .nulls(f.dataType, count: k.count) }
            return c
        }
        return Column(type: k.resultType, count: k.count, validity: nil, storage: .structure(typed))
    }

    static func size(_ k: KernelCall) -> Column {
        let c = k.args[0]
        let offsets: [Int32]
        switch c.storage {
        case .list(let o, _), .map(let o, _, _): offsets = o
        default: return .nulls(.int, count: k.count)
        }
        let valid = StringKernels.allValid(k)
        return .int32s((0..<k.count).map { offsets[$0 + 1] - offsets[$0] }, validity: valid)
    }

    /// Rows of an array column as `[Value]`s mapped by `f` (nil → NULL) into the result type.
    static func arrayMap(_ k: KernelCall, _ f: ([Value], Int) throws -> [Value]?) throws -> Column {
        var b = ColumnBuilder(type: k.resultType, capacity: k.count)
        let c = k.args[0]
        for i in 0..<k.count {
            guard case .array(let xs) = c.value(at: i), let r = try f(xs, i) else { b.appendNull(); continue }
            try b.append(.array(r))
        }
        return b.finish()
    }

    /// True when found; otherwise NULL if the array holds a NULL, else false.
    static func arrayContains(_ k: KernelCall) -> Column {
        let arr = k.args[0], x = k.args[1]
        return StringKernels.boolRows(k) { i in
            guard case .array(let xs) = arr.value(at: i) else { return nil }
            let v = x.value(at: i)
            var sawNull = false
            for e in xs {
                if e.isNull { sawNull = true } else if compareValues(e, v) == 0 { return true }
            }
            return sawNull ? nil : false
        }
    }

    static func elementAt(_ k: KernelCall) throws -> Column {
        let c = k.args[0]
        if case .map(let o, let keys, let vals) = c.storage {
            var take = [Int32](repeating: -1, count: k.count)
            let valid = StringKernels.allValid(k)
            for i in 0..<k.count where valid?[i] ?? true {
                let key = k.args[1].value(at: i)
                for j in Int(o[i])..<Int(o[i + 1]) where compareValues(keys.value(at: j), key) == 0 {
                    take[i] = Int32(j)
                    break
                }
            }
            return vals.take(take)
        }
        guard case .list(let o, let values) = c.storage else { return .nulls(k.resultType, count: k.count) }
        let idx = k.args[1].asInt64s()
        let valid = StringKernels.allValid(k)
        var take = [Int32](repeating: -1, count: k.count)
        for i in 0..<k.count where valid?[i] ?? true {
            let n = Int64(o[i + 1] - o[i]), x = idx[i]
            if x == 0 {
                throw EmberError(
                    errorClass: "INVALID_INDEX_OF_ZERO", sqlState: "22003",
                    message: "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).")
            }
            if abs(x) > n {
                if !k.ctx.ansi { continue }
                throw EmberError(
                    errorClass: "INVALID_ARRAY_INDEX_IN_ELEMENT_AT", sqlState: "22003",
                    message: "The index \(x) is out of bounds. The array has \(n) elements. Use `try_element_at` to tolerate accessing element at invalid index and return NULL instead.")
            }
            take[i] = Int32(truncatingIfNeeded: x > 0 ? Int64(o[i]) + x - 1 : Int64(o[i + 1]) + x)
        }
        return values.take(take)
    }

    /// `array_join(arr, sep[, nullReplacement])`: NULL elements are skipped unless replaced.
    static func arrayJoin(_ k: KernelCall) -> Column {
        guard case .list(let o, let values) = k.args[0].storage else { return .nulls(.string, count: k.count) }
        let items = StringKernels.StringColumn(values), sep = StringKernels.StringColumn(k.args[1])
        let repl = k.args.count > 2 ? StringKernels.StringColumn(k.args[2]) : nil
        return StringKernels.bytesRows(k) { i, out in
            var first = true
            for j in Int(o[i])..<Int(o[i + 1]) {
                let piece: ArraySlice<UInt8>
                if values.isNull(j) {
                    guard let repl else { continue }
                    piece = repl[i]
                } else {
                    piece = items[j]
                }
                if !first { out.append(contentsOf: sep[i]) }
                out.append(contentsOf: piece)
                first = false
            }
            return true
        }
    }

    /// Keys or values of a map column as arrays: the same offsets over the child column.
    static func mapPart(_ k: KernelCall, keys: Bool) -> Column {
        guard case .map(let o, let ks, let vs) = k.args[0].storage else { return .nulls(k.resultType, count: k.count) }
        return Column(type: k.resultType, count: k.count, validity: k.args[0].validity, storage: .list(offsets: o, values: keys ? ks : vs))
    }

    /// `nanvl(a, b)`: b where a is NaN, else a (NULL a → NULL).
    static func nanvl(_ k: KernelCall) -> Column {
        let a = k.args[0], b = k.args[1]
        let x = a.asDoubles(), y = b.asDoubles()
        var valid = Bitmap(count: k.count, value: true)
        var out = [Double](repeating: 0, count: k.count)
        for i in 0..<k.count {
            if a.isNull(i) { valid[i] = false } else if x[i].isNaN {
                if b.isNull(i) { valid[i] = false } else { out[i] = y[i] }
            } else {
                out[i] = x[i]
            }
        }
        return .doubles(out, validity: valid)
    }

    /// Fails the query when a row's condition is false or NULL (Spark's USER_RAISED_EXCEPTION).
    static func assertTrue(_ k: KernelCall) throws -> Column {
        let c = k.args[0]
        let bools = c.bools ?? []
        for i in 0..<k.count where c.isNull(i) || !(i < bools.count && bools[i]) {
            let message: String
            if k.args.count > 1, !k.args[1].isNull(i) {
                message = k.args[1].value(at: i).stringValue ?? "\(k.args[1].value(at: i))"
            } else {
                message = "'\(k.call.args.first.map(ExprPrinter.sql) ?? "")' is not true!"
            }
            throw EmberError(errorClass: "USER_RAISED_EXCEPTION", sqlState: "P0001", message: message)
        }
        return .nulls(k.resultType, count: k.count)
    }
}
