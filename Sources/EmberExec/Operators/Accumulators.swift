import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Vectorized aggregate state for many groups: `update` takes a batch of argument
/// columns and the group id of each row; `finish` produces one value per group.
protocol Accumulator: AnyObject {
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws
    func finish(groupCount: Int) throws -> Column
}

/// Extends per-group state to `n` groups, new groups starting at `value`.
@inline(__always)
func grow<T>(_ a: inout [T], _ n: Int, _ value: T) {
    if a.count < n { a.append(contentsOf: repeatElement(value, count: n - a.count)) }
}

enum Accumulators {
    /// The value of a constant argument (a literal, possibly under a cast the analyzer added).
    static func constantValue(_ e: Expr) -> Value? {
        switch e {
        case .literal(let v, _): return v
        case .cast(let x, let t, _):
            guard let v = constantValue(x) else { return nil }
            switch (v, t) {
            case (.array(let xs), .array(.double, _)): return .array(xs.map { x in x.doubleValue.map(Value.double) ?? x.int64Value.map { .double(Double($0)) } ?? .null })
            case (_, .double): return v.doubleValue.map(Value.double) ?? v.int64Value.map { .double(Double($0)) }
            case (_, .int): return v.int64Value.map { .int(Int32(truncatingIfNeeded: $0)) }
            default: return v
            }
        case .call(let c) where c.name == "array":
            let xs = c.args.map(constantValue)
            return xs.contains { $0 == nil } ? nil : .array(xs.compactMap { $0 })
        default: return nil
        }
    }

    static func make(_ c: FunctionCall) throws -> Accumulator {
        if c.isDistinct {
            return DistinctAccumulator(inner: try make(FunctionCall(name: c.name, args: c.args, dataType: c.dataType, nullable: c.nullable, kind: c.kind)), call: c)
        }
        let inType = c.args.first?.dataType ?? .null
        switch c.name {
        case "count": return CountAccumulator(star: c.args.isEmpty)
        case "count_if": return CountIfAccumulator()
        case "sum":
            switch c.dataType {
            case .long: return SumLongAccumulator()
            case .decimal(_, let s): return SumDecimalAccumulator(type: c.dataType, scale: s, average: false)
            default: return SumDoubleAccumulator(average: false)
            }
        case "avg":
            if case .decimal = c.dataType, case .decimal(_, let s) = inType { return SumDecimalAccumulator(type: c.dataType, scale: s, average: true) }
            return SumDoubleAccumulator(average: true)
        case "min", "max": return MinMaxAccumulator(type: c.dataType, isMax: c.name == "max")
        case "first", "last":
            var ignoreNulls = false
            if c.args.count > 1, case .literal(.boolean(let b), _) = c.args[1] { ignoreNulls = b }
            return FirstLastAccumulator(type: c.dataType, last: c.name == "last", ignoreNulls: ignoreNulls)
        case "stddev", "stddev_pop", "variance", "var_pop", "skewness", "kurtosis":
            return MomentsAccumulator(kind: c.name)
        case "collect_list", "collect_set":
            return CollectAccumulator(type: c.dataType, distinct: c.name == "collect_set")
        case "approx_count_distinct":
            return DistinctAccumulator(inner: CountAccumulator(star: false), call: c)
        case "percentile_approx":
            var ps: [Double] = [0.5]
            var isArray = false
            if let v = constantValue(c.args[1]) {
                if case .array(let xs) = v { ps = xs.compactMap(\.doubleValue); isArray = true } else if let d = v.doubleValue { ps = [d] }
            }
            return PercentileAccumulator(type: inType, percentiles: ps, array: isArray, resultType: c.dataType)
        case "bool_and", "bool_or": return BoolAccumulator(isAnd: c.name == "bool_and")
        case "max_by", "min_by": return ByAccumulator(type: c.dataType, isMax: c.name == "max_by")
        case "median":
            return ExactPercentileAccumulator(percentiles: [0.5], array: false, weighted: false, resultType: c.dataType)
        case "percentile":
            var ps: [Double] = []
            var isArray = false
            if case .array = c.args[1].dataType { isArray = true }
            switch constantValue(c.args[1]) {
            case .array(let xs)?: ps = xs.compactMap(\.doubleValue)
            case let v?: ps = v.doubleValue.map { [$0] } ?? []
            default: break
            }
            if let bad = ps.first(where: { !(0...1).contains($0) }) {
                throw EmberError.datatypeMismatch("VALUE_OUT_OF_RANGE", "Cannot resolve \"percentile\" due to data type mismatch: The percentage must be between [0.0, 1.0], but got \(bad).")
            }
            return ExactPercentileAccumulator(percentiles: ps, array: isArray, weighted: c.args.count > 2, resultType: c.dataType)
        case "mode": return ModeAccumulator(type: c.dataType)
        case "try_sum":
            switch c.dataType {
            case .long: return SumLongAccumulator(nullOnOverflow: true)
            case .decimal(_, let s): return SumDecimalAccumulator(type: c.dataType, scale: s, average: false, nullOnOverflow: true)
            default: return SumDoubleAccumulator(average: false)
            }
        case "try_avg":
            if case .decimal = c.dataType, case .decimal(_, let s) = inType { return SumDecimalAccumulator(type: c.dataType, scale: s, average: true, nullOnOverflow: true) }
            return SumDoubleAccumulator(average: true)
        case "corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_r2", "regr_sxx", "regr_syy", "regr_sxy",
            "regr_avgx", "regr_avgy", "regr_count":
            return CoMomentAccumulator(kind: c.name)
        case "bit_and", "bit_or", "bit_xor": return BitAccumulator(kind: c.name, type: c.dataType)
        case "histogram_numeric":
            guard case .int(let nb)? = constantValue(c.args[1]), nb >= 2 else {
                throw EmberError.datatypeMismatch("VALUE_OUT_OF_RANGE", "Cannot resolve \"histogram_numeric\" due to data type mismatch: The `nb` must be between [2, 2147483647].")
            }
            return HistogramAccumulator(bins: Int(nb), resultType: c.dataType)
        default:
            throw EmberError.unsupported("The aggregate function `\(c.name)` has no implementation yet.")
        }
    }
}

final class CountAccumulator: Accumulator {
    let star: Bool
    var counts: [Int64] = []
    init(star: Bool) { self.star = star }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&counts, groupCount, 0)
        counts.withUnsafeMutableBufferPointer { c in
            if star || args.isEmpty {
                for g in groups { c[Int(g)] += 1 }
            } else {
                for (i, g) in groups.enumerated() where !args.contains(where: { $0.isNull(i) }) { c[Int(g)] += 1 }
            }
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&counts, groupCount, 0)
        return .int64s(counts, validity: nil)
    }
}

final class CountIfAccumulator: Accumulator {
    var counts: [Int64] = []
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&counts, groupCount, 0)
        let b = args[0].bools ?? [], col = args[0]
        counts.withUnsafeMutableBufferPointer { c in
            for (i, g) in groups.enumerated() where !col.isNull(i) && i < b.count && b[i] { c[Int(g)] += 1 }
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&counts, groupCount, 0)
        return .int64s(counts, validity: nil)
    }
}

final class SumLongAccumulator: Accumulator {
    var sums: [Int64] = []
    var seen: [Bool] = []
    /// try_sum: an overflowing group's result is NULL instead of an error.
    let nullOnOverflow: Bool
    var overflowed: [Bool] = []
    init(nullOnOverflow: Bool = false) { self.nullOnOverflow = nullOnOverflow }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&sums, groupCount, 0)
        grow(&seen, groupCount, false)
        let x = args[0].asInt64s()
        let col = args[0]
        if nullOnOverflow {
            grow(&overflowed, groupCount, false)
            for (i, g) in groups.enumerated() where !col.isNull(i) {
                let k = Int(g)
                let (r, o) = sums[k].addingReportingOverflow(x[i])
                sums[k] = r
                seen[k] = true
                if o { overflowed[k] = true }
            }
            return
        }
        var overflow = false
        sums.withUnsafeMutableBufferPointer { s in
            seen.withUnsafeMutableBufferPointer { seen in
                x.withUnsafeBufferPointer { x in
                    groups.withUnsafeBufferPointer { g in
                        let hasNulls = col.validity != nil
                        for i in 0..<g.count {
                            if hasNulls && col.isNull(i) { continue }
                            let k = Int(g[i])
                            let (r, o) = s[k].addingReportingOverflow(x[i])
                            s[k] = r
                            overflow = overflow || o
                            seen[k] = true
                        }
                    }
                }
            }
        }
        if overflow { throw EmberError.arithmeticOverflow("long overflow") }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&sums, groupCount, 0)
        grow(&seen, groupCount, false)
        if nullOnOverflow {
            grow(&overflowed, groupCount, false)
            return .int64s(sums, validity: Bitmap(zip(seen, overflowed).map { $0 && !$1 }))
        }
        return .int64s(sums, validity: Bitmap(seen))
    }
}

final class SumDoubleAccumulator: Accumulator {
    let average: Bool
    var sums: [Double] = []
    var counts: [Int64] = []
    init(average: Bool) { self.average = average }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        let col = args[0]
        let x = col.asDoubles()
        sums.withUnsafeMutableBufferPointer { s in
            counts.withUnsafeMutableBufferPointer { c in
                x.withUnsafeBufferPointer { x in
                    groups.withUnsafeBufferPointer { g in
                        let hasNulls = col.validity != nil
                        for i in 0..<g.count {
                            if hasNulls && col.isNull(i) { continue }
                            let k = Int(g[i])
                            s[k] += x[i]
                            c[k] += 1
                        }
                    }
                }
            }
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        let vals = average ? zip(sums, counts).map { $1 == 0 ? 0 : $0 / Double($1) } : sums
        return .doubles(vals, validity: Bitmap(counts.map { $0 > 0 }))
    }
}

final class SumDecimalAccumulator: Accumulator {
    let type: DataType
    let scale: Int
    let average: Bool
    var sums: [Int128] = []
    var counts: [Int64] = []
    let nullOnOverflow: Bool
    var overflowed: Set<Int> = []
    init(type: DataType, scale: Int, average: Bool, nullOnOverflow: Bool = false) {
        self.type = type
        self.scale = scale
        self.average = average
        self.nullOnOverflow = nullOnOverflow
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        guard case .i128(let x) = args[0].storage else { return }
        for (i, g) in groups.enumerated() where !args[0].isNull(i) {
            let (r, o) = sums[Int(g)].addingReportingOverflow(x[i])
            if o {
                if nullOnOverflow { overflowed.insert(Int(g)); continue }
                throw EmberError.arithmeticOverflow("decimal sum")
            }
            sums[Int(g)] = r
            counts[Int(g)] += 1
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        guard case .decimal(let p, let s) = type else { return Column.nulls(type, count: groupCount) }
        var out: [Int128] = []
        var valid: [Bool] = []
        for (sum, n) in zip(sums, counts) {
            if n == 0 { out.append(0); valid.append(false); continue }
            var v: Int128
            if average {
                // sum / n at the result scale, HALF_UP.
                let scaled = Decimal128.rescale(sum, from: scale, to: s + 1) ?? 0
                let q = scaled / Int128(n)
                v = Decimal128.rescale(q, from: s + 1, to: s) ?? 0
            } else {
                v = Decimal128.rescale(sum, from: scale, to: s) ?? 0
            }
            if overflowed.contains(out.count) || (nullOnOverflow && v.magnitude >= pow10UInt128(p)) { out.append(0); valid.append(false); continue }
            if v.magnitude >= pow10UInt128(p) {
                throw EmberError(errorClass: "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", sqlState: "22003", message: "The \(Decimal128.format(v, scale: s)) rounded half up from \(Decimal128.format(v, scale: s)) cannot be represented as \(type.sql).")
            }
            out.append(v); valid.append(true)
        }
        return Column(type: type, count: groupCount, validity: Bitmap(valid), storage: .i128(out))
    }
}

/// min/max of any orderable type, comparing encoded order keys.
final class MinMaxAccumulator: Accumulator {
    let type: DataType
    let isMax: Bool
    var best: [Value] = []
    var bestKey: [ArraySlice<UInt8>?] = []
    // Fast path for numbers.
    var dbl: [Double] = []
    var i64: [Int64] = []
    var seen: [Bool] = []
    init(type: DataType, isMax: Bool) {
        self.type = type
        self.isMax = isMax
    }
    var mode: Int { switch type { case .double, .float: return 1; case .long, .int, .short, .byte, .date, .timestamp: return 2; default: return 0 } }
    func grow(_ n: Int) {
        if seen.count >= n { return }
        let k = n - seen.count
        seen += [Bool](repeating: false, count: k)
        switch mode {
        case 1: dbl += [Double](repeating: 0, count: k)
        case 2: i64 += [Int64](repeating: 0, count: k)
        default: best += [Value](repeating: .null, count: k); bestKey += [ArraySlice<UInt8>?](repeating: nil, count: k)
        }
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(groupCount)
        let col = args[0]
        switch mode {
        case 1:
            let x = col.asDoubles(), isMax = self.isMax, hasNulls = col.validity != nil
            // The state through buffer pointers: class arrays indexed in the loop would be
            // checked for exclusive access on every row.
            seen.withUnsafeMutableBufferPointer { sn in
                dbl.withUnsafeMutableBufferPointer { best in
                    for (i, g) in groups.enumerated() where !(hasNulls && col.isNull(i)) {
                        let k = Int(g), v = x[i]
                        if !sn[k] { best[k] = v; sn[k] = true; continue }
                        let cur = best[k]
                        // NaN is larger than any other value (Spark).
                        let greater = v.isNaN ? !cur.isNaN : (!cur.isNaN && v > cur)
                        let less = cur.isNaN ? !v.isNaN : (!v.isNaN && v < cur)
                        if isMax ? greater : less { best[k] = v }
                    }
                }
            }
        case 2:
            let x = col.asInt64s(), isMax = self.isMax, hasNulls = col.validity != nil
            seen.withUnsafeMutableBufferPointer { sn in
                i64.withUnsafeMutableBufferPointer { best in
                    for (i, g) in groups.enumerated() where !(hasNulls && col.isNull(i)) {
                        let k = Int(g), v = x[i]
                        if !sn[k] || (isMax ? v > best[k] : v < best[k]) { best[k] = v; sn[k] = true }
                    }
                }
            }
        default:
            let keys = RowKeys.ordered([col], count: col.count, directions: [SortDirection(ascending: true, nullsFirst: true)])
            for (i, g) in groups.enumerated() where !col.isNull(i) {
                let k = Int(g)
                let key = keys.key(i)
                if let cur = bestKey[k] {
                    let better = isMax ? cur.lexicographicallyPrecedes(key) : key.lexicographicallyPrecedes(cur)
                    if !better { continue }
                }
                bestKey[k] = ArraySlice(Array(key))
                best[k] = col.value(at: i)
                seen[k] = true
            }
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(groupCount)
        let valid = Bitmap(seen)
        switch mode {
        case 1:
            if type == .float { return Column(type: type, count: groupCount, validity: valid, storage: .f32(dbl.map { Float($0) })) }
            return Column(type: type, count: groupCount, validity: valid, storage: .f64(dbl))
        case 2:
            switch type {
            case .long, .timestamp: return Column(type: type, count: groupCount, validity: valid, storage: .i64(i64))
            case .int, .date: return Column(type: type, count: groupCount, validity: valid, storage: .i32(i64.map { Int32(truncatingIfNeeded: $0) }))
            case .short: return Column(type: type, count: groupCount, validity: valid, storage: .i16(i64.map { Int16(truncatingIfNeeded: $0) }))
            default: return Column(type: type, count: groupCount, validity: valid, storage: .i8(i64.map { Int8(truncatingIfNeeded: $0) }))
            }
        default:
            return try Column.from(best, type: type)
        }
    }
}

final class FirstLastAccumulator: Accumulator {
    let type: DataType
    let last: Bool
    let ignoreNulls: Bool
    var values: [Value] = []
    var set: [Bool] = []
    init(type: DataType, last: Bool, ignoreNulls: Bool) {
        self.type = type
        self.last = last
        self.ignoreNulls = ignoreNulls
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&set, groupCount, false)
        grow(&values, groupCount, .null)
        for (i, g) in groups.enumerated() {
            let k = Int(g)
            if ignoreNulls && args[0].isNull(i) { continue }
            if last || !set[k] { values[k] = args[0].value(at: i); set[k] = true }
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&values, groupCount, .null)
        return try Column.from(values, type: type)
    }
}

/// Central moments (count, mean, M2, M3, M4) merged per row, as Spark's CentralMomentAgg.
final class MomentsAccumulator: Accumulator {
    let kind: String
    var n: [Double] = [], mean: [Double] = [], m2: [Double] = [], m3: [Double] = [], m4: [Double] = []
    init(kind: String) { self.kind = kind }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {

        if n.count < groupCount {
            let k = groupCount - n.count
            n += [Double](repeating: 0, count: k); mean += [Double](repeating: 0, count: k)
            m2 += [Double](repeating: 0, count: k); m3 += [Double](repeating: 0, count: k); m4 += [Double](repeating: 0, count: k)
        }
        let x = args[0].asDoubles()
        let higher = kind == "skewness" || kind == "kurtosis"
        for (i, g) in groups.enumerated() where !args[0].isNull(i) {
            let k = Int(g)
            let n1 = n[k], nn = n1 + 1
            let delta = x[i] - mean[k]
            let dn = delta / nn
            let t = delta * dn * n1
            if higher {
                let dn2 = dn * dn
                m4[k] += t * dn2 * (nn * nn - 3 * nn + 3) + 6 * dn2 * m2[k] - 4 * dn * m3[k]
                m3[k] += t * dn * (nn - 2) - 3 * dn * m2[k]
            }
            // Spark's CentralMomentAgg form (same value, same rounding as Spark).
            m2[k] += delta * (delta - dn)
            mean[k] += dn
            n[k] = nn
        }
    }
    func finish(groupCount: Int) throws -> Column {
        var out = [Double](repeating: 0, count: groupCount)
        var valid = [Bool](repeating: false, count: groupCount)
        for k in 0..<min(groupCount, n.count) {
            let c = n[k]
            if c == 0 { continue }
            switch kind {
            case "stddev", "variance":
                if c == 1 { out[k] = .nan; valid[k] = true; continue }  // Spark: NaN for one row (legacy off → NULL?) adjusted below
                out[k] = m2[k] / (c - 1)
                if kind == "stddev" { out[k] = out[k].squareRoot() }
            case "stddev_pop", "var_pop":
                out[k] = m2[k] / c
                if kind == "stddev_pop" { out[k] = out[k].squareRoot() }
            case "skewness":
                out[k] = m2[k] == 0 ? .nan : c.squareRoot() * m3[k] / (m2[k] * m2[k].squareRoot())
            default:
                out[k] = m2[k] == 0 ? .nan : c * m4[k] / (m2[k] * m2[k]) - 3
            }
            valid[k] = true
        }
        // Spark 4 (spark.sql.legacy.statisticalAggregate=false): sample statistics of one row are NULL.
        for k in 0..<min(groupCount, n.count) where n[k] == 1 && (kind == "stddev" || kind == "variance") { valid[k] = false }
        for k in 0..<min(groupCount, n.count) where out[k].isNaN && (kind == "skewness" || kind == "kurtosis") { valid[k] = false }
        return .doubles(out, validity: Bitmap(valid))
    }
}

final class CollectAccumulator: Accumulator {
    let type: DataType
    let distinct: Bool
    var lists: [[Value]] = []
    var seen: [Set<Value>] = []
    init(type: DataType, distinct: Bool) {
        self.type = type
        self.distinct = distinct
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {

        if lists.count < groupCount {
            lists += [[Value]](repeating: [], count: groupCount - lists.count)
            if distinct { grow(&seen, groupCount, []) }
        }
        for (i, g) in groups.enumerated() where !args[0].isNull(i) {
            let v = args[0].value(at: i)
            if distinct { if !seen[Int(g)].insert(v).inserted { continue } }
            lists[Int(g)].append(v)
        }
    }
    func finish(groupCount: Int) throws -> Column {
        if lists.count < groupCount { lists += [[Value]](repeating: [], count: groupCount - lists.count) }
        return try Column.from(lists.map { .array($0) }, type: type)
    }
}

/// Wraps an accumulator so it sees each distinct argument tuple once per group.
final class DistinctAccumulator: Accumulator {
    let inner: Accumulator
    var seen: [Set<[UInt8]>] = []
    init(inner: Accumulator, call: FunctionCall) { self.inner = inner }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        if seen.count < groupCount { seen += [Set<[UInt8]>](repeating: [], count: groupCount - seen.count) }
        let n = groups.count
        let keys = RowKeys.equality(args, count: n)
        var keep: [Int32] = []
        for i in 0..<n where seen[Int(groups[i])].insert(Array(keys.key(i))).inserted { keep.append(Int32(i)) }
        try inner.update(args.map { $0.take(keep) }, groups: keep.map { groups[Int($0)] }, groupCount: groupCount)
    }
    func finish(groupCount: Int) throws -> Column { try inner.finish(groupCount: groupCount) }
}

/// Exact percentiles (Spark's percentile_approx is exact at these sizes): the value at
/// rank ceil(p·n) of the sorted non-null inputs.
final class PercentileAccumulator: Accumulator {
    let type: DataType
    let percentiles: [Double]
    let array: Bool
    let resultType: DataType
    var values: [[Double]] = []
    var raw: [[Value]] = []
    init(type: DataType, percentiles: [Double], array: Bool, resultType: DataType) {
        self.type = type
        self.percentiles = percentiles
        self.array = array
        self.resultType = resultType
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        if raw.count < groupCount { raw += [[Value]](repeating: [], count: groupCount - raw.count) }
        for (i, g) in groups.enumerated() where !args[0].isNull(i) { raw[Int(g)].append(args[0].value(at: i)) }
    }
    func finish(groupCount: Int) throws -> Column {
        if raw.count < groupCount { raw += [[Value]](repeating: [], count: groupCount - raw.count) }
        var out: [Value] = []
        for vs in raw {
            if vs.isEmpty { out.append(.null); continue }
            let sorted = vs.sorted { ($0.doubleValue ?? 0) < ($1.doubleValue ?? 0) }
            let picks = percentiles.map { p -> Value in
                let rank = Int((p * Double(sorted.count)).rounded(.up))
                return sorted[min(max(rank - 1, 0), sorted.count - 1)]
            }
            out.append(array ? .array(picks) : picks[0])
        }
        return try Column.from(out, type: resultType)
    }
}

final class BoolAccumulator: Accumulator {
    let isAnd: Bool
    var acc: [Bool] = []
    var seen: [Bool] = []
    init(isAnd: Bool) { self.isAnd = isAnd }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&acc, groupCount, isAnd)
        grow(&seen, groupCount, false)
        let b = args[0].bools ?? []
        for (i, g) in groups.enumerated() where !args[0].isNull(i) {
            let k = Int(g)
            acc[k] = isAnd ? (acc[k] && b[i]) : (acc[k] || b[i])
            seen[k] = true
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&acc, groupCount, isAnd)
        grow(&seen, groupCount, false)
        return .booleans(acc, validity: Bitmap(seen))
    }
}

final class ByAccumulator: Accumulator {
    let type: DataType
    let isMax: Bool
    var values: [Value] = []
    var keys: [ArraySlice<UInt8>?] = []
    init(type: DataType, isMax: Bool) {
        self.type = type
        self.isMax = isMax
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&values, groupCount, .null)
        grow(&keys, groupCount, nil)
        let ord = RowKeys.ordered([args[1]], count: args[1].count, directions: [SortDirection(ascending: true, nullsFirst: true)])
        for (i, g) in groups.enumerated() where !args[1].isNull(i) {
            let k = Int(g), key = ord.key(i)
            if let cur = keys[k] {
                let better = isMax ? cur.lexicographicallyPrecedes(key) : key.lexicographicallyPrecedes(cur)
                if !better { continue }
            }
            keys[k] = ArraySlice(Array(key))
            values[k] = args[0].value(at: i)
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&values, groupCount, .null)
        return try Column.from(values, type: type)
    }
}

// MARK: - Statistical, bitwise and exact-percentile aggregates

/// Exact percentiles with linear interpolation between the closest ranks (Spark's
/// `percentile`/`median`): position p·(n−1) of the sorted non-null inputs. An optional
/// second argument repeats each value `frequency` times.
final class ExactPercentileAccumulator: Accumulator {
    let percentiles: [Double]
    let array: Bool
    let weighted: Bool
    let resultType: DataType
    var values: [[(Double, Int64)]] = []
    init(percentiles: [Double], array: Bool, weighted: Bool, resultType: DataType) {
        self.percentiles = percentiles
        self.array = array
        self.weighted = weighted
        self.resultType = resultType
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        if values.count < groupCount { values += [[(Double, Int64)]](repeating: [], count: groupCount - values.count) }
        let x = args[0].asDoubles()
        let freq = weighted && args.count > 2 ? args[2].asInt64s() : []
        for (i, g) in groups.enumerated() where !args[0].isNull(i) {
            var f: Int64 = 1
            if weighted {
                if args[2].isNull(i) { continue }
                f = freq[i]
                if f < 0 { throw EmberError.invalidArgument("Negative values found in the frequency argument of percentile: \(f).") }
                if f == 0 { continue }
            }
            values[Int(g)].append((x[i], f))
        }
    }
    func finish(groupCount: Int) throws -> Column {
        if values.count < groupCount { values += [[(Double, Int64)]](repeating: [], count: groupCount - values.count) }
        var out: [Value] = []
        for vs in values.prefix(groupCount) {
            if vs.isEmpty || percentiles.isEmpty { out.append(.null); continue }
            let sorted = vs.sorted { $0.0 < $1.0 }
            // Cumulative counts so that frequencies need not be expanded.
            var cum: [Int64] = []
            var total: Int64 = 0
            for (_, f) in sorted { total += f; cum.append(total) }
            func at(_ rank: Int64) -> Double {
                var lo = 0, hi = cum.count - 1
                while lo < hi { let mid = (lo + hi) / 2; if cum[mid] > rank { hi = mid } else { lo = mid + 1 } }
                return sorted[lo].0
            }
            let picks = percentiles.map { p -> Value in
                let pos = p * Double(total - 1)
                let lower = pos.rounded(.down), upper = pos.rounded(.up)
                let lv = at(Int64(lower)), uv = at(Int64(upper))
                return .double(lower == upper ? lv : (upper - pos) * lv + (pos - lower) * uv)
            }
            out.append(array ? .array(picks) : picks[0])
        }
        return try Column.from(out, type: resultType)
    }
}

/// The most frequent non-null value; ties go to the smallest value, so results are deterministic.
final class ModeAccumulator: Accumulator {
    let type: DataType
    var counts: [[Value: Int]] = []
    init(type: DataType) { self.type = type }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        if counts.count < groupCount { counts += [[Value: Int]](repeating: [:], count: groupCount - counts.count) }
        for (i, g) in groups.enumerated() where !args[0].isNull(i) { counts[Int(g)][args[0].value(at: i), default: 0] += 1 }
    }
    func finish(groupCount: Int) throws -> Column {
        if counts.count < groupCount { counts += [[Value: Int]](repeating: [:], count: groupCount - counts.count) }
        let out: [Value] = counts.prefix(groupCount).map { m in
            var best: (Value, Int)? = nil
            for (v, n) in m {
                guard let b = best else { best = (v, n); continue }
                if n > b.1 || (n == b.1 && MiscKernels.compareValues(v, b.0) < 0) { best = (v, n) }
            }
            return best?.0 ?? .null
        }
        return try Column.from(out, type: type)
    }
}

/// Co-moments of (y, x) pairs where both are non-null, merged one row at a time as Spark's
/// `PearsonCorrelation`/`Covariance`: count, means, co-moment and both second moments.
/// Arguments are (x, y) for corr/covar and (y, x) for the regr_* functions.
final class CoMomentAccumulator: Accumulator {
    let kind: String
    var n: [Double] = [], ma: [Double] = [], mb: [Double] = [], c2: [Double] = [], m2a: [Double] = [], m2b: [Double] = []
    init(kind: String) { self.kind = kind }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {

        if n.count < groupCount {
            let k = groupCount - n.count
            for i in 0..<k { _ = i; n.append(0); ma.append(0); mb.append(0); c2.append(0); m2a.append(0); m2b.append(0) }
        }
        let a = args[0].asDoubles(), b = args[1].asDoubles()
        for (i, g) in groups.enumerated() where !args[0].isNull(i) && !args[1].isNull(i) {
            let k = Int(g)
            n[k] += 1
            let da = a[i] - ma[k], db = b[i] - mb[k]
            ma[k] += da / n[k]
            mb[k] += db / n[k]
            c2[k] += da * (b[i] - mb[k])
            m2a[k] += da * (a[i] - ma[k])
            m2b[k] += db * (b[i] - mb[k])
        }
    }
    func finish(groupCount: Int) throws -> Column {
        if kind == "regr_count" {
            return .int64s((0..<groupCount).map { $0 < n.count ? Int64(n[$0]) : 0 }, validity: nil)
        }
        var out = [Double](repeating: 0, count: groupCount)
        var valid = [Bool](repeating: false, count: groupCount)
        for k in 0..<min(groupCount, n.count) where n[k] > 0 {
            // For regr_*, the first argument is y and the second x.
            let (my, mx, syy, sxx) = (ma[k], mb[k], m2a[k], m2b[k])
            var r: Double? = nil
            switch kind {
            case "corr": r = n[k] < 2 || m2a[k] * m2b[k] == 0 ? nil : c2[k] / (m2a[k] * m2b[k]).squareRoot()
            case "covar_pop": r = c2[k] / n[k]
            case "covar_samp": r = n[k] < 2 ? nil : c2[k] / (n[k] - 1)
            case "regr_slope": r = sxx == 0 ? nil : c2[k] / sxx
            case "regr_intercept": r = sxx == 0 ? nil : my - c2[k] / sxx * mx
            case "regr_r2": r = sxx == 0 ? nil : (syy == 0 ? 1 : c2[k] * c2[k] / (sxx * syy))
            case "regr_sxx": r = sxx
            case "regr_syy": r = syy
            case "regr_sxy": r = c2[k]
            case "regr_avgx": r = mx
            default: r = my  // regr_avgy
            }
            if let r { out[k] = r; valid[k] = true }
        }
        return .doubles(out, validity: Bitmap(valid))
    }
}

/// bit_and / bit_or / bit_xor over integral input, in the input's type.
final class BitAccumulator: Accumulator {
    let kind: String
    let type: DataType
    var acc: [Int64] = []
    var seen: [Bool] = []
    init(kind: String, type: DataType) {
        self.kind = kind
        self.type = type
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&acc, groupCount, kind == "bit_and" ? -1 : 0)
        grow(&seen, groupCount, false)
        let x = args[0].asInt64s()
        for (i, g) in groups.enumerated() where !args[0].isNull(i) {
            let k = Int(g)
            switch kind {
            case "bit_and": acc[k] &= x[i]
            case "bit_or": acc[k] |= x[i]
            default: acc[k] ^= x[i]
            }
            seen[k] = true
        }
    }
    func finish(groupCount: Int) throws -> Column {
        grow(&acc, groupCount, 0)
        grow(&seen, groupCount, false)
        let v = Array(acc.prefix(groupCount)), valid = Bitmap(Array(seen.prefix(groupCount)))
        switch type {
        case .int: return .int32s(v.map { Int32(truncatingIfNeeded: $0) }, validity: valid)
        case .short: return Column(type: type, count: groupCount, validity: valid, storage: .i16(v.map { Int16(truncatingIfNeeded: $0) }))
        case .byte: return Column(type: type, count: groupCount, validity: valid, storage: .i8(v.map { Int8(truncatingIfNeeded: $0) }))
        default: return .int64s(v, validity: valid)
        }
    }
}

/// `histogram_numeric`: Ben-Haim and Tom-Tov's streaming histogram, as Spark's
/// `NumericHistogram`: each value is a bin of height 1, and while there are more than
/// `bins` bins the two closest are merged into their weighted centre.
final class HistogramAccumulator: Accumulator {
    let bins: Int
    let resultType: DataType
    var hist: [[(x: Double, y: Double)]] = []
    init(bins: Int, resultType: DataType) {
        self.bins = bins
        self.resultType = resultType
    }
    func update(_ args: [Column], groups: [Int32], groupCount: Int) throws {
        if hist.count < groupCount { hist += [[(x: Double, y: Double)]](repeating: [], count: groupCount - hist.count) }
        let x = args[0].asDoubles()
        for (i, g) in groups.enumerated() where !args[0].isNull(i) { add(&hist[Int(g)], x[i]) }
    }
    func add(_ h: inout [(x: Double, y: Double)], _ v: Double) {
        var lo = 0, hi = h.count
        while lo < hi { let mid = (lo + hi) / 2; if h[mid].x < v { lo = mid + 1 } else { hi = mid } }
        if lo < h.count, h[lo].x == v { h[lo].y += 1; return }
        h.insert((v, 1), at: lo)
        guard h.count > bins else { return }
        var best = 0
        for j in 1..<(h.count - 1) where h[j + 1].x - h[j].x < h[best + 1].x - h[best].x { best = j }
        let a = h[best], b = h[best + 1]
        let y = a.y + b.y
        h[best] = ((a.x * a.y + b.x * b.y) / y, y)
        h.remove(at: best + 1)
    }
    func finish(groupCount: Int) throws -> Column {
        if hist.count < groupCount { hist += [[(x: Double, y: Double)]](repeating: [], count: groupCount - hist.count) }
        guard case .array(.structure(let fs), _) = resultType, let xType = fs.first?.dataType else { return .nulls(resultType, count: groupCount) }
        let out: [Value] = hist.prefix(groupCount).map { h in
            h.isEmpty ? .null : .array(h.map { .structure([Self.typed($0.x, xType), .double($0.y)]) })
        }
        return try Column.from(out, type: resultType)
    }
    /// A bin centre in the input's type (integral centres are truncated, as Spark casts them).
    static func typed(_ d: Double, _ t: DataType) -> Value {
        // Never trap on NaN or out-of-range centres: clamp to the target's range.
        func int64(_ x: Double) -> Int64 { x.isNaN ? 0 : x >= 9.2e18 ? .max : x <= -9.2e18 ? .min : Int64(x) }
        switch t {
        case .byte: return .byte(Int8(clamping: int64(d)))
        case .short: return .short(Int16(clamping: int64(d)))
        case .int: return .int(Int32(clamping: int64(d)))
        case .long: return .long(int64(d))
        case .float: return .float(Float(d))
        case .date: return .date(Int32(clamping: int64(d)))
        case .timestamp: return .timestamp(int64(d))
        case .decimal(_, let s): return .decimal(Decimal128(unscaled: Int128(int64((d * pow10Double(s)).rounded())), scale: s))
        default: return .double(d)
        }
    }
}
