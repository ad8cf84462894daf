import EmberCore

/// One column of a batch: a type, a row count, an optional validity bitmap (nil means
/// no NULLs) and typed storage. Columns are values with copy-on-write storage, so
/// sharing them between batches and threads costs nothing.
public struct Column {
    public var type: DataType
    public var count: Int
    /// Bit set = value present. `nil` = every row is valid.
    public var validity: Bitmap?
    public var storage: Storage

    public indirect enum Storage {
        /// The NULL type: every row is NULL.
        case none
        case bool([Bool])
        case i8([Int8])
        case i16([Int16])
        /// int, date.
        case i32([Int32])
        /// long, timestamp.
        case i64([Int64])
        case f32([Float])
        case f64([Double])
        /// decimal (unscaled).
        case i128([Int128])
        /// string (UTF-8), binary: `offsets.count == count + 1`.
        case bytes(offsets: [Int32], data: [UInt8])
        case list(offsets: [Int32], values: Column)
        case map(offsets: [Int32], keys: Column, values: Column)
        case structure([Column])
    }

    public init(type: DataType, count: Int, validity: Bitmap?, storage: Storage) {
        self.type = type
        self.count = count
        self.validity = (validity?.setCount == count) ? nil : validity
        self.storage = storage
    }

    @inlinable
    public func isNull(_ i: Int) -> Bool {
        if case .none = storage { return true }
        guard let v = validity else { return false }
        return !v[i]
    }

    public var nullCount: Int {
        if case .none = storage { return count }
        return validity.map { count - $0.setCount } ?? 0
    }

    public var hasNulls: Bool { nullCount > 0 }

    /// A column of `count` NULLs of `type`.
    public static func nulls(_ type: DataType, count: Int) -> Column {
        constant(.null, type: type, count: count)
    }

    /// Zero-filled storage for fixed-width and string types (NULL slots).
    static func zeroStorage(_ type: DataType, _ n: Int) -> Storage? {
        switch type {
        case .boolean: return .bool([Bool](repeating: false, count: n))
        case .byte: return .i8([Int8](repeating: 0, count: n))
        case .short: return .i16([Int16](repeating: 0, count: n))
        case .int, .date: return .i32([Int32](repeating: 0, count: n))
        case .long, .timestamp: return .i64([Int64](repeating: 0, count: n))
        case .float: return .f32([Float](repeating: 0, count: n))
        case .double: return .f64([Double](repeating: 0, count: n))
        case .decimal: return .i128([Int128](repeating: 0, count: n))
        case .string, .binary: return .bytes(offsets: [Int32](repeating: 0, count: n + 1), data: [])
        default: return nil
        }
    }

    /// Approximate bytes held (for memory accounting).
    public var byteSize: Int {
        var n = (validity?.words.count ?? 0) * 8
        switch storage {
        case .none: break
        case .bool(let a): n += a.count
        case .i8(let a): n += a.count
        case .i16(let a): n += a.count * 2
        case .i32(let a): n += a.count * 4
        case .i64(let a): n += a.count * 8
        case .f32(let a): n += a.count * 4
        case .f64(let a): n += a.count * 8
        case .i128(let a): n += a.count * 16
        case .bytes(let o, let d): n += o.count * 4 + d.count
        case .list(let o, let v): n += o.count * 4 + v.byteSize
        case .map(let o, let k, let v): n += o.count * 4 + k.byteSize + v.byteSize
        case .structure(let cs): n += cs.reduce(0) { $0 + $1.byteSize }
        }
        return n
    }

    // MARK: Typed access

    public var int64s: [Int64]? { if case .i64(let a) = storage { return a }; return nil }
    public var int32s: [Int32]? { if case .i32(let a) = storage { return a }; return nil }
    public var doubles: [Double]? { if case .f64(let a) = storage { return a }; return nil }
    public var bools: [Bool]? { if case .bool(let a) = storage { return a }; return nil }

    /// The UTF-8 bytes of row `i` of a string or binary column.
    @inlinable
    public func bytesAt(_ i: Int) -> ArraySlice<UInt8> {
        guard case .bytes(let o, let d) = storage else { return [] }
        return d[Int(o[i])..<Int(o[i + 1])]
    }

    public func stringAt(_ i: Int) -> String {
        String(decoding: bytesAt(i), as: UTF8.self)
    }

    /// Row `i` as a `Value` (slow path: `collect()`, `show()`, tests).
    public func value(at i: Int) -> Value {
        if isNull(i) { return .null }
        switch storage {
        case .none: return .null
        case .bool(let a): return .boolean(a[i])
        case .i8(let a): return .byte(a[i])
        case .i16(let a): return .short(a[i])
        case .i32(let a): return type == .date ? .date(a[i]) : .int(a[i])
        case .i64(let a): return type == .timestamp ? .timestamp(a[i]) : .long(a[i])
        case .f32(let a): return .float(a[i])
        case .f64(let a): return .double(a[i])
        case .i128(let a):
            if case .decimal(_, let s) = type { return .decimal(Decimal128(unscaled: a[i], scale: s)) }
            return .decimal(Decimal128(unscaled: a[i], scale: 0))
        case .bytes:
            return type == .binary ? .binary(Array(bytesAt(i))) : .string(stringAt(i))
        case .list(let o, let v):
            return .array((Int(o[i])..<Int(o[i + 1])).map { v.value(at: $0) })
        case .map(let o, let k, let v):
            let r = Int(o[i])..<Int(o[i + 1])
            return .map(keys: r.map { k.value(at: $0) }, values: r.map { v.value(at: $0) })
        case .structure(let cs):
            return .structure(cs.map { $0.value(at: i) })
        }
    }

    /// Builds a column from values (slow path for small inputs: literals, createDataFrame).
    public static func from(_ values: [Value], type: DataType) throws -> Column {
        var b = ColumnBuilder(type: type, capacity: values.count)
        for v in values { try b.append(v) }
        return b.finish()
    }

    /// A column that repeats one value `count` times.
    public static func constant(_ v: Value, type: DataType, count: Int) -> Column {
        // Fixed-width values repeat without a per-row append.
        switch (type, v) {
        case (.null, _):
            return Column(type: type, count: count, validity: nil, storage: .none)
        case (_, .null):
            if let z = Column.zeroStorage(type, count) {
                return Column(type: type, count: count, validity: Bitmap(count: count, value: false), storage: z)
            }
        case (.long, .long(let x)), (.timestamp, .timestamp(let x)):
            return Column(type: type, count: count, validity: nil, storage: .i64([Int64](repeating: x, count: count)))
        case (.int, .int(let x)), (.date, .date(let x)):
            return Column(type: type, count: count, validity: nil, storage: .i32([Int32](repeating: x, count: count)))
        case (.double, .double(let x)):
            return Column(type: type, count: count, validity: nil, storage: .f64([Double](repeating: x, count: count)))
        case (.boolean, .boolean(let x)):
            return Column(type: type, count: count, validity: nil, storage: .bool([Bool](repeating: x, count: count)))
        case (.decimal(_, let s), .decimal(let d)) where d.scale == s:
            return Column(type: type, count: count, validity: nil, storage: .i128([Int128](repeating: d.unscaled, count: count)))
        case (.string, .string(let str)):
            let bytes = Array(str.utf8)
            var data = [UInt8]()
            data.reserveCapacity(bytes.count * count)
            for _ in 0..<count { data.append(contentsOf: bytes) }
            let offsets = (0...count).map { Int32(truncatingIfNeeded: $0 * bytes.count) }
            return Column(type: type, count: count, validity: nil, storage: .bytes(offsets: offsets, data: data))
        default: break
        }
        var b = ColumnBuilder(type: type, capacity: count)
        if v.isNull {
            for _ in 0..<count { b.appendNull() }
        } else {
            for _ in 0..<count { try? b.append(v) }
        }
        return b.finish()
    }
}

/// A batch of rows: equal-length columns and their schema.
public struct RecordBatch {
    public var schema: Schema
    public var columns: [Column]
    public var count: Int

    public init(schema: Schema, columns: [Column], count: Int) {
        self.schema = schema
        self.columns = columns
        self.count = count
    }

    public init(schema: Schema, columns: [Column]) {
        self.init(schema: schema, columns: columns, count: columns.first?.count ?? 0)
    }

    public static func empty(_ schema: Schema) -> RecordBatch {
        RecordBatch(schema: schema, columns: schema.fields.map { Column.nulls($0.dataType, count: 0) }, count: 0)
    }

    public var byteSize: Int { columns.reduce(0) { $0 + $1.byteSize } }

    public func row(_ i: Int) -> [Value] { columns.map { $0.value(at: i) } }

    /// Rows `range` of this batch.
    public func slice(_ range: Range<Int>) -> RecordBatch {
        if range == 0..<count { return self }
        return RecordBatch(schema: schema, columns: columns.map { $0.slice(range) }, count: range.count)
    }

    /// Rows at `indices` (in that order).
    public func take(_ indices: [Int32]) -> RecordBatch {
        RecordBatch(schema: schema, columns: columns.map { $0.take(indices) }, count: indices.count)
    }

    public static func concat(_ batches: [RecordBatch], schema: Schema) -> RecordBatch {
        if batches.count == 1 { return batches[0] }
        if batches.isEmpty { return .empty(schema) }
        let cols = (0..<schema.count).map { c in Column.concat(batches.map { $0.columns[c] }, type: schema[c].dataType) }
        return RecordBatch(schema: schema, columns: cols, count: batches.reduce(0) { $0 + $1.count })
    }
}
