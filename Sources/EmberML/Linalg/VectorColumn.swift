import EmberColumnar
import EmberCore

public typealias ColumnData = EmberColumnar.Column

/// Fast access to a vector column's rows (Spark's VectorUDT layout, see `DataType.vector`):
/// the arrays of the struct's children, read without building `Vector` values.
public struct VectorColumnReader {
    public let count: Int
    public let validity: Bitmap?
    public let kinds: [Int8]
    public let sizes: [Int32]
    public let indexOffsets: [Int32]
    public let indices: [Int32]
    public let valueOffsets: [Int32]
    public let values: [Double]

    /// Reads `column`, which must have the vector type; `what` names the column in errors.
    public init(_ column: ColumnData, what: String) throws {
        guard column.type.isVector, case .structure(let parts) = column.storage, parts.count == 4 else {
            throw MLError.invalidColumn(what, "expected a vector column, got \(column.type.sql)")
        }
        count = column.count
        validity = column.validity
        guard case .i8(let k) = parts[0].storage else { throw MLError.invalidVector("\(what): vector type field is not tinyint") }
        kinds = k
        if case .i32(let s) = parts[1].storage { sizes = s } else { sizes = [Int32](repeating: 0, count: count) }
        if case .list(let o, let v) = parts[2].storage, case .i32(let ix) = v.storage {
            indexOffsets = o; indices = ix
        } else {
            indexOffsets = [Int32](repeating: 0, count: count + 1); indices = []
        }
        guard case .list(let vo, let vv) = parts[3].storage else { throw MLError.invalidVector("\(what): vector values are not a list") }
        valueOffsets = vo
        if case .f64(let xs) = vv.storage { values = xs } else if vv.count == 0 { values = [] } else {
            throw MLError.invalidVector("\(what): vector values are not doubles")
        }
        guard kinds.count >= count, valueOffsets.count >= count + 1, indexOffsets.count >= count + 1, sizes.count >= count else {
            throw MLError.invalidVector("\(what): malformed vector column")
        }
    }

    @inlinable
    public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }

    public func isDense(_ row: Int) -> Bool { kinds[row] == 1 }

    /// The vector's size (number of features).
    public func size(_ row: Int) -> Int {
        kinds[row] == 1 ? Int(valueOffsets[row + 1] - valueOffsets[row]) : Int(sizes[row])
    }

    /// Calls `body(index, value)` for each stored entry of row `row`.
    @inlinable
    public func forEachActive(_ row: Int, _ body: (Int, Double) throws -> Void) rethrows {
        let s = Int(valueOffsets[row]), e = Int(valueOffsets[row + 1])
        if kinds[row] == 1 {
            for k in s..<e { try body(k - s, values[k]) }
        } else {
            let si = Int(indexOffsets[row])
            for k in s..<e { try body(Int(indices[si + k - s]), values[k]) }
        }
    }

    /// Row `row` written densely into `out` (which has room for `size(row)` values).
    public func copyDense(_ row: Int, into out: UnsafeMutableBufferPointer<Double>) {
        let s = Int(valueOffsets[row]), e = Int(valueOffsets[row + 1])
        if kinds[row] == 1 {
            values.withUnsafeBufferPointer { v in
                for k in s..<e { out[k - s] = v[k] }
            }
        } else {
            for k in 0..<out.count { out[k] = 0 }
            let si = Int(indexOffsets[row])
            for k in s..<e {
                let i = Int(indices[si + k - s])
                if i < out.count { out[i] = values[k] }
            }
        }
    }

    /// Row `row` as a `Vector` (nil when NULL).
    public func vector(_ row: Int) -> Vector? {
        if isNull(row) { return nil }
        let s = Int(valueOffsets[row]), e = Int(valueOffsets[row + 1])
        let vals = Array(values[s..<e])
        if kinds[row] == 1 { return .dense(DenseVector(vals)) }
        let si = Int(indexOffsets[row])
        return .sparse(SparseVector(unchecked: Int(sizes[row]), indices: indices[si..<(si + e - s)].map { Int($0) }, values: vals))
    }
}

/// Builds vector columns.
public enum VectorColumnBuilder {
    /// `count` dense vectors of `dim` values each, from `values` (row-major); rows whose
    /// bit is clear in `validity` are NULL.
    public static func dense(_ values: [Double], dim: Int, count: Int, validity: Bitmap? = nil) -> ColumnData {
        let offsets = [Int32](unsafeUninitializedCapacity: count + 1) { b, c in
            for i in 0...count { b[i] = Int32(i * dim) }
            c = count + 1
        }
        let kinds = ColumnData(type: .byte, count: count, validity: nil, storage: .i8([Int8](repeating: 1, count: count)))
        let sizes = ColumnData.nulls(.int, count: count)
        let indices = ColumnData.nulls(.array(element: .int, containsNull: false), count: count)
        let vals = ColumnData(type: .double, count: values.count, validity: nil, storage: .f64(values))
        let list = ColumnData(type: .array(element: .double, containsNull: false), count: count, validity: nil, storage: .list(offsets: offsets, values: vals))
        return ColumnData(type: .vector, count: count, validity: validity, storage: .structure([kinds, sizes, indices, list]))
    }

    /// A column of the given vectors (nil = NULL).
    public static func make(_ vectors: [Vector?]) -> ColumnData {
        var a = VectorColumnAppender(capacity: vectors.count)
        for v in vectors {
            switch v {
            case nil: a.appendNull()
            case .dense(let d)?: d.values.withUnsafeBufferPointer { a.appendDense($0) }
            case .sparse(let s)?: a.appendSparse(size: s.size, indices: s.indices, values: s.values)
            }
        }
        return a.finish()
    }
}

/// Appends vectors row by row into the arrays of a vector column.
public struct VectorColumnAppender {
    var kinds: [Int8] = []
    var sizes: [Int32] = []
    var sizeValid = Bitmap(count: 0, value: false)
    var idxOffsets: [Int32] = [0]
    var idx: [Int32] = []
    var idxValid = Bitmap(count: 0, value: false)
    var valOffsets: [Int32] = [0]
    var vals: [Double] = []
    var valid = Bitmap(count: 0, value: false)
    public private(set) var count = 0

    public init(capacity: Int) {
        kinds.reserveCapacity(capacity)
        sizes.reserveCapacity(capacity)
        idxOffsets.reserveCapacity(capacity + 1)
        valOffsets.reserveCapacity(capacity + 1)
        sizeValid.reserve(capacity)
        idxValid.reserve(capacity)
        valid.reserve(capacity)
    }

    /// Room for `n` more values in all.
    public mutating func reserveValues(_ n: Int) { vals.reserveCapacity(vals.count + n) }

    private mutating func close(kind: Int8, size: Int32?, present: Bool) {
        kinds.append(kind)
        sizes.append(size ?? 0)
        sizeValid.append(size != nil)
        idxValid.append(kind == 0)
        valid.append(present)
        idxOffsets.append(Int32(idx.count))
        valOffsets.append(Int32(vals.count))
        count += 1
    }

    public mutating func appendNull() { close(kind: 1, size: nil, present: false) }

    public mutating func appendDense(_ values: UnsafeBufferPointer<Double>) {
        vals.append(contentsOf: values)
        close(kind: 1, size: nil, present: true)
    }

    public mutating func appendSparse(size: Int, indices: [Int], values: [Double]) {
        idx.append(contentsOf: indices.map { Int32($0) })
        vals.append(contentsOf: values)
        close(kind: 0, size: Int32(size), present: true)
    }

    /// A sparse row from parallel buffers of indices and values.
    public mutating func appendSparse(size: Int, indices: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Double>) {
        idx.append(contentsOf: indices)
        vals.append(contentsOf: values)
        close(kind: 0, size: Int32(size), present: true)
    }

    /// Appends a row in Spark's `compressed` form (see `Vector.prefersSparse`).
    /// `indices`/`values` hold the nonzero entries in increasing index order.
    public mutating func appendCompressed(size: Int, indices: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Double>) {
        if Vector.prefersSparse(size: size, nonzeros: values.count) {
            appendSparse(size: size, indices: indices, values: values)
        } else {
            let start = vals.count
            vals.append(contentsOf: repeatElement(0, count: size))
            for k in 0..<values.count { vals[start + Int(indices[k])] = values[k] }
            close(kind: 1, size: nil, present: true)
        }
    }

    public func finish() -> ColumnData {
        let n = count
        let k = ColumnData(type: .byte, count: n, validity: nil, storage: .i8(kinds))
        let s = ColumnData(type: .int, count: n, validity: sizeValid, storage: .i32(sizes))
        let ixv = ColumnData(type: .int, count: idx.count, validity: nil, storage: .i32(idx))
        let ix = ColumnData(type: .array(element: .int, containsNull: false), count: n, validity: idxValid, storage: .list(offsets: idxOffsets, values: ixv))
        let vv = ColumnData(type: .double, count: vals.count, validity: nil, storage: .f64(vals))
        let vl = ColumnData(type: .array(element: .double, containsNull: false), count: n, validity: nil, storage: .list(offsets: valOffsets, values: vv))
        return ColumnData(type: .vector, count: n, validity: valid, storage: .structure([k, s, ix, vl]))
    }
}
