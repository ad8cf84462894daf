import EmberCore

/// Appends values row by row into a column of a given type. Typed `append` methods
/// are the fast path (CSV parsing, joins); `append(Value)` is the general one.
public struct ColumnBuilder {
    public let type: DataType
    public private(set) var count = 0
    var validity: Bitmap
    var anyNull = false
    var storage: Column.Storage
    /// Builders for nested children.
    var children: [ColumnBuilder] = []
    var offsets: [Int32] = []
    var bytes: [UInt8] = []

    public init(type: DataType, capacity: Int = 0) {
        self.type = type
        validity = Bitmap(count: 0, value: false)
        validity.reserve(capacity)
        switch type {
        case .null: storage = .none
        case .boolean: storage = .bool([])
        case .byte: storage = .i8([])
        case .short: storage = .i16([])
        case .int, .date: storage = .i32([])
        case .long, .timestamp: storage = .i64([])
        case .float: storage = .f32([])
        case .double: storage = .f64([])
        case .decimal: storage = .i128([])
        case .string, .binary:
            storage = .none
            offsets = [0]
            offsets.reserveCapacity(capacity + 1)
        case .array(let e, _):
            storage = .none
            offsets = [0]
            children = [ColumnBuilder(type: e)]
        case .map(let k, let v, _):
            storage = .none
            offsets = [0]
            children = [ColumnBuilder(type: k), ColumnBuilder(type: v)]
        case .structure(let fs):
            storage = .none
            children = fs.map { ColumnBuilder(type: $0.dataType, capacity: capacity) }
        }
        reserve(capacity)
    }

    mutating func reserve(_ n: Int) {
        if case .bool(var a) = storage { storage = .none; a.reserveCapacity(n); storage = .bool(a) }
        else if case .i32(var a) = storage { storage = .none; a.reserveCapacity(n); storage = .i32(a) }
        else if case .i64(var a) = storage { storage = .none; a.reserveCapacity(n); storage = .i64(a) }
        else if case .f64(var a) = storage { storage = .none; a.reserveCapacity(n); storage = .f64(a) }
    }

    public mutating func appendNull() {
        validity.append(false)
        anyNull = true
        appendZero()
        count += 1
    }

    /// Appends a placeholder value under a NULL.
    mutating func appendZero() {
        // `if case` bindings, not a `switch` over `storage`: a switch keeps its subject alive,
        // so the bound array was shared and every append copied all of it (quadratic).
        if case .bool(var a) = storage { storage = .none; a.append(false); storage = .bool(a) }
        else if case .i8(var a) = storage { storage = .none; a.append(0); storage = .i8(a) }
        else if case .i16(var a) = storage { storage = .none; a.append(0); storage = .i16(a) }
        else if case .i32(var a) = storage { storage = .none; a.append(0); storage = .i32(a) }
        else if case .i64(var a) = storage { storage = .none; a.append(0); storage = .i64(a) }
        else if case .f32(var a) = storage { storage = .none; a.append(0); storage = .f32(a) }
        else if case .f64(var a) = storage { storage = .none; a.append(0); storage = .f64(a) }
        else if case .i128(var a) = storage { storage = .none; a.append(0); storage = .i128(a) }
        else if case .none = storage {
            switch type {
            case .string, .binary, .array, .map: offsets.append(offsets.last ?? 0)
            case .structure:
                for i in children.indices { children[i].appendNull() }
            default: break
            }
        }
    }

    @inline(__always)
    mutating func markValid() {
        validity.append(true)
        count += 1
    }

    public mutating func append(_ v: Int64) {
        if case .i64(var a) = storage { storage = .none; a.append(v); storage = .i64(a) }
        markValid()
    }

    public mutating func append(_ v: Int32) {
        if case .i32(var a) = storage { storage = .none; a.append(v); storage = .i32(a) }
        markValid()
    }

    public mutating func append(_ v: Double) {
        if case .f64(var a) = storage { storage = .none; a.append(v); storage = .f64(a) }
        markValid()
    }

    public mutating func append(_ v: Bool) {
        if case .bool(var a) = storage { storage = .none; a.append(v); storage = .bool(a) }
        markValid()
    }

    public mutating func append(_ v: Int128) {
        if case .i128(var a) = storage { storage = .none; a.append(v); storage = .i128(a) }
        markValid()
    }

    /// Appends UTF-8 (or binary) bytes.
    public mutating func appendBytes<C: Collection>(_ b: C) where C.Element == UInt8 {
        bytes.append(contentsOf: b)
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
        markValid()
    }

    public mutating func appendBytes(_ p: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: p)
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
        markValid()
    }

    public mutating func append(string s: String) {
        var s = s
        s.withUTF8 { appendBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Appends row `i` of `col` (same type).
    public mutating func append(from col: Column, row i: Int) {
        if col.isNull(i) { appendNull(); return }
        switch col.storage {
        case .bool(let a): append(a[i])
        case .i8(let a): if case .i8(var x) = storage { storage = .none; x.append(a[i]); storage = .i8(x) }; markValid()
        case .i16(let a): if case .i16(var x) = storage { storage = .none; x.append(a[i]); storage = .i16(x) }; markValid()
        case .i32(let a): append(a[i])
        case .i64(let a): append(a[i])
        case .f32(let a): if case .f32(var x) = storage { storage = .none; x.append(a[i]); storage = .f32(x) }; markValid()
        case .f64(let a): append(a[i])
        case .i128(let a): append(a[i])
        case .bytes(let o, let d): appendBytes(d[Int(o[i])..<Int(o[i + 1])])
        default: try? append(col.value(at: i))
        }
    }

    /// General append; converts numeric values between widths when the column type asks.
    public mutating func append(_ v: Value) throws {
        if v.isNull { appendNull(); return }
        switch (type, v) {
        case (.boolean, .boolean(let b)): append(b)
        case (.byte, _):
            guard let x = v.int64Value, let y = Int8(exactly: x) else { throw mismatch(v) }
            if case .i8(var a) = storage { storage = .none; a.append(y); storage = .i8(a) }
            markValid()
        case (.short, _):
            guard let x = v.int64Value, let y = Int16(exactly: x) else { throw mismatch(v) }
            if case .i16(var a) = storage { storage = .none; a.append(y); storage = .i16(a) }
            markValid()
        case (.int, _):
            guard let x = v.int64Value, let y = Int32(exactly: x) else { throw mismatch(v) }
            append(y)
        case (.date, .date(let d)): append(d)
        case (.long, _):
            guard let x = v.int64Value else { throw mismatch(v) }
            append(x)
        case (.timestamp, .timestamp(let t)): append(t)
        case (.float, _):
            guard let x = v.doubleValue else { throw mismatch(v) }
            if case .f32(var a) = storage { storage = .none; a.append(Float(x)); storage = .f32(a) }
            markValid()
        case (.double, _):
            guard let x = v.doubleValue else { throw mismatch(v) }
            append(x)
        case (.decimal(let p, let s), _):
            let d: Decimal128
            switch v {
            case .decimal(let x): d = x
            default:
                guard let x = v.int64Value else { throw mismatch(v) }
                d = Decimal128(unscaled: Int128(x), scale: 0)
            }
            guard let r = d.rescaled(to: s, precision: p) else { throw mismatch(v) }
            append(r.unscaled)
        case (.string, .string(let s)): append(string: s)
        case (.binary, .binary(let b)): appendBytes(b)
        case (.binary, .string(let s)): appendBytes(Array(s.utf8))
        case (.array, .array(let items)):
            for x in items { try children[0].append(x) }
            offsets.append(Int32(children[0].count))
            markValid()
        case (.map, .map(let ks, let vs)):
            for (k, x) in zip(ks, vs) {
                try children[0].append(k)
                try children[1].append(x)
            }
            offsets.append(Int32(children[0].count))
            markValid()
        case (.structure(let fs), .structure(let vs)):
            guard vs.count == fs.count else { throw mismatch(v) }
            for (i, x) in vs.enumerated() { try children[i].append(x) }
            markValid()
        default:
            throw mismatch(v)
        }
    }

    func mismatch(_ v: Value) -> EmberError {
        EmberError(
            errorClass: "DATATYPE_MISMATCH", sqlState: "42K09",
            message: "Value \(v) does not fit type \(type.sql).")
    }

    public mutating func finish() -> Column {
        let valid: Bitmap? = anyNull ? validity : nil
        switch type {
        case .string, .binary:
            return Column(type: type, count: count, validity: valid, storage: .bytes(offsets: offsets, data: bytes))
        case .array:
            return Column(type: type, count: count, validity: valid, storage: .list(offsets: offsets, values: children[0].finish()))
        case .map:
            return Column(
                type: type, count: count, validity: valid,
                storage: .map(offsets: offsets, keys: children[0].finish(), values: children[1].finish()))
        case .structure:
            return Column(type: type, count: count, validity: valid, storage: .structure(children.indices.map { children[$0].finish() }))
        default:
            return Column(type: type, count: count, validity: valid, storage: storage)
        }
    }
}
