import EmberColumnar
import EmberCore

// Shared building blocks for kernels: validity combination and typed maps that run
// one tight loop per batch.

/// AND of the validity of several columns (nil = all valid).
public func combinedValidity(_ cols: [Column], count: Int) -> Bitmap? {
    var out: Bitmap? = nil
    for c in cols {
        if case .none = c.storage { return Bitmap(count: count, value: false) }
        guard let v = c.validity else { continue }
        out = out.map { $0 & v } ?? v
    }
    return out
}

extension Column {
    /// Any numeric column's values as doubles (NULL slots hold 0).
    public func asDoubles() -> [Double] {
        switch storage {
        case .f64(let a): return a
        case .f32(let a): return a.map(Double.init)
        case .i64(let a): return a.map(Double.init)
        case .i32(let a): return a.map(Double.init)
        case .i16(let a): return a.map(Double.init)
        case .i8(let a): return a.map(Double.init)
        case .i128(let a):
            if case .decimal(_, let s) = type {
                let d = pow10Double(s)
                return a.map { Double($0) / d }
            }
            return a.map(Double.init)
        case .bool(let a): return a.map { $0 ? 1 : 0 }
        default: return [Double](repeating: 0, count: count)
        }
    }

    /// Any integral (or date/timestamp) column's values as Int64.
    public func asInt64s() -> [Int64] {
        switch storage {
        case .i64(let a): return a
        case .i32(let a): return a.map(Int64.init)
        case .i16(let a): return a.map(Int64.init)
        case .i8(let a): return a.map(Int64.init)
        case .bool(let a): return a.map { $0 ? 1 : 0 }
        default: return [Int64](repeating: 0, count: count)
        }
    }

    public static func doubles(_ v: [Double], validity: Bitmap?) -> Column {
        Column(type: .double, count: v.count, validity: validity, storage: .f64(v))
    }

    public static func int64s(_ v: [Int64], validity: Bitmap?, type: DataType = .long) -> Column {
        Column(type: type, count: v.count, validity: validity, storage: .i64(v))
    }

    public static func int32s(_ v: [Int32], validity: Bitmap?, type: DataType = .int) -> Column {
        Column(type: type, count: v.count, validity: validity, storage: .i32(v))
    }

    public static func booleans(_ v: [Bool], validity: Bitmap?) -> Column {
        Column(type: .boolean, count: v.count, validity: validity, storage: .bool(v))
    }
}

/// Applies `f` to each non-null double of `col` (converting numeric input).
@inlinable
public func mapDoubles(_ col: Column, _ f: (Double) -> Double) -> Column {
    let x = col.asDoubles()
    let out = [Double](unsafeUninitializedCapacity: x.count) { buf, n in
        x.withUnsafeBufferPointer { src in
            for i in 0..<src.count { buf.initializeElement(at: i, to: f(src[i])) }
        }
        n = x.count
    }
    return .doubles(out, validity: col.validity)
}

/// Applies `f` to the UTF-8 bytes of each non-null row, appending the result bytes to
/// `out`; returning false makes that row NULL.
public func mapStrings(
    _ col: Column, resultType: DataType = .string,
    _ f: (UnsafeBufferPointer<UInt8>, inout [UInt8]) throws -> Bool
) rethrows -> Column {
    guard case .bytes(let offs, let data) = col.storage else { return Column.nulls(resultType, count: col.count) }
    var outOffsets = [Int32](repeating: 0, count: col.count + 1)
    var out: [UInt8] = []
    out.reserveCapacity(data.count)
    var valid = col.validity ?? Bitmap(count: col.count, value: true)
    var anyNull = col.validity != nil
    try data.withUnsafeBufferPointer { d in
        for i in 0..<col.count {
            if valid[i] {
                let s = Int(offs[i]), e = Int(offs[i + 1])
                let slice = UnsafeBufferPointer(rebasing: d[s..<e])
                if !(try f(slice, &out)) { valid[i] = false; anyNull = true }
            }
            outOffsets[i + 1] = Int32(truncatingIfNeeded: out.count)
        }
    }
    return Column(type: resultType, count: col.count, validity: anyNull ? valid : nil, storage: .bytes(offsets: outOffsets, data: out))
}

/// Row-at-a-time fallback through `Value`s for rarely used functions over nested types.
public func mapValues(_ cols: [Column], count: Int, type: DataType, _ f: ([Value]) throws -> Value) throws -> Column {
    var b = ColumnBuilder(type: type, capacity: count)
    for i in 0..<count { try b.append(try f(cols.map { $0.value(at: i) })) }
    return b.finish()
}
