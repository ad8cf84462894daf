import EmberColumnar
import EmberCore

/// Typed values of one output column for the batch being built. Unlike `ColumnBuilder`
/// it can drop its last row (DROPMALFORMED decides after the fields are converted).
///
/// The buffers are raw memory allocated once per parser and reused for every batch, so an
/// append is a store and a counter bump: no array uniqueness checks, no growth checks for
/// fixed-width values. A NULL sets its row's flag byte (nothing happens on the non-NULL
/// path); `finish` packs the flags into the validity bitmap 64 rows at a time. The owner
/// guarantees at most `capacity` rows per batch (one append or `appendNull` per row and
/// column) and calls `release()`.
struct ColumnAccumulator {
    enum Kind { case bool, i8, i16, i32, i64, f32, f64, i128, bytes, null }
    /// What the text converts through (decided once, not per value).
    enum Conversion { case string, bool, byte, short, int, date, long, timestamp, float, double, decimal, null }
    let type: DataType
    let kind: Kind
    let conversion: Conversion
    let precision: Int, scale: Int
    /// Rows a batch may hold.
    let capacity: Int
    /// Fixed-width values (`capacity` of them, bound to the kind's type), or for `.bytes`
    /// the `capacity + 1` Int32 offsets.
    let values: UnsafeMutableRawPointer
    /// One byte per row, 1 for a NULL row (a plain store per NULL, no read-modify-write
    /// of a bitmap word); whole words of 64 rows, zero past `count`.
    let nulls: UnsafeMutablePointer<UInt8>
    let nullWords: Int
    /// UTF-8 bytes of a `.bytes` column, grown by doubling.
    private(set) var data: UnsafeMutablePointer<UInt8>
    private(set) var dataCapacity: Int
    private(set) var dataCount = 0
    /// Fixed-width slots are kept zeroed past `count` (cleared after each batch and by
    /// `removeLast`), so that a NULL row needs no store there.
    let isBytes: Bool
    /// Rows so far.
    private(set) var count = 0

    init(type: DataType, capacity: Int) {
        self.type = type
        self.capacity = capacity
        var p = 0, s = 0
        let width: Int
        switch type {
        case .boolean: kind = .bool; conversion = .bool; width = MemoryLayout<Bool>.stride
        case .byte: kind = .i8; conversion = .byte; width = 1
        case .short: kind = .i16; conversion = .short; width = 2
        case .int: kind = .i32; conversion = .int; width = 4
        case .date: kind = .i32; conversion = .date; width = 4
        case .long: kind = .i64; conversion = .long; width = 8
        case .timestamp: kind = .i64; conversion = .timestamp; width = 8
        case .float: kind = .f32; conversion = .float; width = 4
        case .double: kind = .f64; conversion = .double; width = 8
        case .decimal(let dp, let ds): kind = .i128; conversion = .decimal; p = dp; s = ds; width = 16
        case .string, .binary: kind = .bytes; conversion = .string; width = 4
        default: kind = .null; conversion = .null; width = 0
        }
        precision = p
        scale = s
        let slots = kind == .bytes ? capacity + 1 : capacity
        isBytes = kind == .bytes
        values = .allocate(byteCount: max(1, slots * width), alignment: 16)
        switch kind {
        case .bool: values.initializeMemory(as: Bool.self, repeating: false, count: slots)
        case .i8: values.initializeMemory(as: Int8.self, repeating: 0, count: slots)
        case .i16: values.initializeMemory(as: Int16.self, repeating: 0, count: slots)
        case .i32, .bytes: values.initializeMemory(as: Int32.self, repeating: 0, count: slots)
        case .i64: values.initializeMemory(as: Int64.self, repeating: 0, count: slots)
        case .f32: values.initializeMemory(as: Float.self, repeating: 0, count: slots)
        case .f64: values.initializeMemory(as: Double.self, repeating: 0, count: slots)
        case .i128: values.initializeMemory(as: Int128.self, repeating: 0, count: slots)
        case .null: break
        }
        nullWords = (capacity + 63) >> 6
        nulls = .allocate(capacity: max(1, nullWords) * 64)
        nulls.initialize(repeating: 0, count: max(1, nullWords) * 64)
        dataCapacity = kind == .bytes ? 1024 : 0
        data = .allocate(capacity: max(1, dataCapacity))
    }

    func release() {
        values.deallocate()
        nulls.deallocate()
        data.deallocate()
    }

    /// Appends a fixed-width value; `T` is the kind's storage type.
    @inline(__always)
    mutating func append<T>(_ v: T) {
        values.assumingMemoryBound(to: T.self)[count] = v
        count += 1
    }

    /// Appends a NULL row. Its fixed-width slot keeps the zero it was cleared to.
    @inline(__always)
    mutating func appendNull() {
        nulls[count] = 1
        if isBytes { values.assumingMemoryBound(to: Int32.self)[count + 1] = Int32(truncatingIfNeeded: dataCount) }
        count += 1
    }

    /// Room for `n` more bytes of string data; returns where they go.
    @inline(__always)
    mutating func reserveBytes(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if dataCapacity - dataCount < n { growData(n) }
        return data + dataCount
    }

    private mutating func growData(_ n: Int) {
        var cap = max(1024, dataCapacity)
        while cap - dataCount < n { cap *= 2 }
        let d = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        d.update(from: data, count: dataCount)
        data.deallocate()
        data = d
        dataCapacity = cap
    }

    /// Ends a string row whose `n` bytes were written at `reserveBytes`.
    @inline(__always)
    mutating func commitBytes(_ n: Int) {
        dataCount += n
        values.assumingMemoryBound(to: Int32.self)[count + 1] = Int32(truncatingIfNeeded: dataCount)
        count += 1
    }

    /// Appends a string row holding `b[0..<n]`.
    @inline(__always)
    mutating func appendBytes(_ b: UnsafePointer<UInt8>, _ n: Int) {
        let d = reserveBytes(n)
        d.update(from: b, count: n)
        commitBytes(n)
    }

    mutating func removeLast() {
        guard count > 0 else { return }
        count -= 1
        nulls[count] = 0
        if isBytes {
            dataCount = Int(values.assumingMemoryBound(to: Int32.self)[count])
        } else {
            clear(count, 1)
        }
    }

    /// Zeroes the fixed-width slots `from..<from + n`.
    private func clear(_ from: Int, _ n: Int) {
        switch kind {
        case .bool: (values.assumingMemoryBound(to: Bool.self) + from).update(repeating: false, count: n)
        case .i8: (values.assumingMemoryBound(to: Int8.self) + from).update(repeating: 0, count: n)
        case .i16: (values.assumingMemoryBound(to: Int16.self) + from).update(repeating: 0, count: n)
        case .i32: (values.assumingMemoryBound(to: Int32.self) + from).update(repeating: 0, count: n)
        case .i64: (values.assumingMemoryBound(to: Int64.self) + from).update(repeating: 0, count: n)
        case .f32: (values.assumingMemoryBound(to: Float.self) + from).update(repeating: 0, count: n)
        case .f64: (values.assumingMemoryBound(to: Double.self) + from).update(repeating: 0, count: n)
        case .i128: (values.assumingMemoryBound(to: Int128.self) + from).update(repeating: 0, count: n)
        case .bytes, .null: break
        }
    }

    /// Copies the first `n` values of type `T` into a new array.
    private func array<T>(_: T.Type, _ n: Int) -> [T] {
        let src = UnsafePointer(values.assumingMemoryBound(to: T.self))
        return [T](unsafeUninitializedCapacity: n) { buf, initialized in
            if let base = buf.baseAddress { base.initialize(from: src, count: n) }
            initialized = n
        }
    }

    /// The batch's column; the accumulator is left empty for the next batch.
    mutating func finish() -> Column {
        let n = count
        var bitmap: Bitmap?
        let used = (n + 63) >> 6
        // Any NULL: OR of the flag bytes, 8 at a time.
        let raw = UnsafeRawPointer(nulls)
        var any: UInt64 = 0
        for j in 0..<(used * 8) { any |= raw.loadUnaligned(fromByteOffset: j * 8, as: UInt64.self) }
        if any != 0 {
            var bm = Bitmap(count: n, value: true)
            bm.words.withUnsafeMutableBufferPointer { w in
                for i in 0..<min(used, w.count) {
                    // Eight 0/1 bytes to eight bits: the multiply moves byte k's bit to bit
                    // 56 + k with no carries (its partial products never collide).
                    var word: UInt64 = 0
                    for k in 0..<8 {
                        let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 64 + k * 8, as: UInt64.self))
                        word |= ((x &* 0x0102_0408_1020_4080) >> 56) << UInt64(k * 8)
                    }
                    w[i] &= ~word
                }
            }
            bitmap = bm
        }
        let storage: Column.Storage
        switch kind {
        case .bool: storage = .bool(array(Bool.self, n))
        case .i8: storage = .i8(array(Int8.self, n))
        case .i16: storage = .i16(array(Int16.self, n))
        case .i32: storage = .i32(array(Int32.self, n))
        case .i64: storage = .i64(array(Int64.self, n))
        case .f32: storage = .f32(array(Float.self, n))
        case .f64: storage = .f64(array(Double.self, n))
        case .i128: storage = .i128(array(Int128.self, n))
        case .bytes:
            let bytes = [UInt8](unsafeUninitializedCapacity: dataCount) { buf, initialized in
                if let base = buf.baseAddress { base.initialize(from: data, count: dataCount) }
                initialized = dataCount
            }
            storage = .bytes(offsets: array(Int32.self, n + 1), data: bytes)
        case .null: storage = .none
        }
        nulls.update(repeating: 0, count: min(used, nullWords) * 64)
        if !isBytes { clear(0, n) }
        count = 0
        dataCount = 0
        return Column(type: type, count: n, validity: bitmap, storage: storage)
    }
}
