import EmberColumnar
import EmberCore
import Foundation

/// Typed values of one column (possibly nested) for the batch a JSON reader is building.
/// Unlike `ColumnBuilder` it can cut itself back to an earlier row count (a malformed
/// record, a duplicate key) and its children live behind raw pointers, so that the hot
/// parsing loop does no reference counting. Buffers are created and released only by
/// `JSONColumnBuffer.make` / `release`; they are never copied.
struct JSONColumnBuffer {
    enum Kind: UInt8 { case bool, i8, i16, i32, i64, f32, f64, i128, bytes, list, map, structure, null }
    /// How a JSON token converts into the column (decided once from the type).
    enum Conversion: UInt8 {
        case boolean, byte, short, int, long, float, double, decimal, string, binary, date, timestamp, array, map, structure, null
    }

    let type: DataType
    let kind: Kind
    let conversion: Conversion
    var precision = 0, scale = 0
    var bools: [Bool] = []
    var i8s: [Int8] = []
    var i16s: [Int16] = []
    var i32s: [Int32] = []
    var i64s: [Int64] = []
    var f32s: [Float] = []
    var f64s: [Double] = []
    var i128s: [Int128] = []
    /// Strings and binaries (into `bytes`), lists and maps (into the children).
    var offsets: [Int32] = [0]
    var bytes: [UInt8] = []
    /// Rows so far, and the NULL rows among them (ascending).
    var count = 0
    var nulls: [Int32] = []
    /// Element (array), key and value (map) or field (struct) buffers.
    var children: UnsafeMutablePointer<JSONColumnBuffer>?
    var childCount = 0
    /// Struct field names, for looking up members by their bytes.
    var fields = JSONFieldTable()

    private init(type: DataType) throws {
        self.type = type
        switch type {
        case .boolean: kind = .bool; conversion = .boolean
        case .byte: kind = .i8; conversion = .byte
        case .short: kind = .i16; conversion = .short
        case .int: kind = .i32; conversion = .int
        case .date: kind = .i32; conversion = .date
        case .long: kind = .i64; conversion = .long
        case .timestamp: kind = .i64; conversion = .timestamp
        case .float: kind = .f32; conversion = .float
        case .double: kind = .f64; conversion = .double
        case .decimal(let p, let s): kind = .i128; conversion = .decimal; precision = p; scale = s
        case .string: kind = .bytes; conversion = .string
        case .binary: kind = .bytes; conversion = .binary
        case .array: kind = .list; conversion = .array
        case .map(let k, _, _):
            guard k == .string else {
                throw EmberError.unsupported("JSON data source supports only STRING map keys, got \(type.sql).")
            }
            kind = .map; conversion = .map
        case .structure: kind = .structure; conversion = .structure
        case .null: kind = .null; conversion = .null
        }
    }

    /// A buffer for `type` (children included), to be released with `release`.
    static func make(_ type: DataType, at p: UnsafeMutablePointer<JSONColumnBuffer>) throws {
        p.initialize(to: try JSONColumnBuffer(type: type))
        let childTypes: [DataType]
        switch type {
        case .array(let e, _): childTypes = [e]
        case .map(let k, let v, _): childTypes = [k, v]
        case .structure(let fs):
            childTypes = fs.map(\.dataType)
            p.pointee.fields = JSONFieldTable(fs.map(\.name))
        default: childTypes = []
        }
        guard !childTypes.isEmpty else { return }
        let c = UnsafeMutablePointer<JSONColumnBuffer>.allocate(capacity: childTypes.count)
        var made = 0
        do {
            for t in childTypes {
                try make(t, at: c + made)
                made += 1
            }
        } catch {
            for i in 0..<made { release(c + i) }
            c.deallocate()
            p.pointee.fields.release()
            p.deinitialize(count: 1)
            throw error
        }
        p.pointee.children = c
        p.pointee.childCount = childTypes.count
    }

    /// A root buffer: a struct whose children are `fields`.
    static func makeRoot(_ fields: [StructField]) throws -> UnsafeMutablePointer<JSONColumnBuffer> {
        let p = UnsafeMutablePointer<JSONColumnBuffer>.allocate(capacity: 1)
        do { try make(.structure(fields), at: p) } catch {
            p.deallocate()
            throw error
        }
        return p
    }

    /// Frees a buffer made by `make` (not the memory `p` points at).
    static func release(_ p: UnsafeMutablePointer<JSONColumnBuffer>) {
        if let c = p.pointee.children {
            for i in 0..<p.pointee.childCount { release(c + i) }
            c.deallocate()
        }
        p.pointee.fields.release()
        p.deinitialize(count: 1)
    }

    // MARK: Appending

    @inline(__always)
    mutating func appendNull() {
        nulls.append(Int32(truncatingIfNeeded: count))
        count += 1
        switch kind {
        case .bool: bools.append(false)
        case .i8: i8s.append(0)
        case .i16: i16s.append(0)
        case .i32: i32s.append(0)
        case .i64: i64s.append(0)
        case .f32: f32s.append(0)
        case .f64: f64s.append(0)
        case .i128: i128s.append(0)
        case .bytes, .list, .map: offsets.append(offsets[offsets.count - 1])
        case .structure:
            if let c = children { for i in 0..<childCount { c[i].appendNull() } }
        case .null: break
        }
    }

    @inline(__always)
    mutating func appendBytes(_ p: UnsafePointer<UInt8>, _ n: Int) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
        count += 1
    }

    /// Appends a scanned string of `b`: its raw bytes when plain, else its decoded escapes.
    @inline(__always)
    mutating func appendString(_ b: UnsafePointer<UInt8>, _ s: (start: Int, end: Int, plain: Bool)) {
        if s.plain { return appendBytes(b + s.start, s.end - s.start) }
        JSONLexer.decode(b, s.start, s.end, into: &bytes)
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
        count += 1
    }

    /// Ends a list or map value whose entries are in the children.
    @inline(__always)
    mutating func closeNested() {
        offsets.append(Int32(truncatingIfNeeded: children?.pointee.count ?? 0))
        count += 1
    }

    /// Cuts the column back to its first `n` rows (`n <= count`), children included
    /// (they may also hold parts of an unfinished value).
    mutating func truncate(_ n: Int) {
        guard n <= count else { return }
        if count > n {
            while let last = nulls.last, Int(last) >= n { nulls.removeLast() }
            let drop = count - n
            switch kind {
            case .bool: bools.removeLast(drop)
            case .i8: i8s.removeLast(drop)
            case .i16: i16s.removeLast(drop)
            case .i32: i32s.removeLast(drop)
            case .i64: i64s.removeLast(drop)
            case .f32: f32s.removeLast(drop)
            case .f64: f64s.removeLast(drop)
            case .i128: i128s.removeLast(drop)
            case .bytes:
                offsets.removeLast(drop)
                bytes.removeLast(bytes.count - Int(offsets[n]))
            case .list, .map: offsets.removeLast(drop)
            case .structure, .null: break
            }
            count = n
        }
        guard let c = children else { return }
        let m = kind == .structure ? n : Int(offsets[n])
        for i in 0..<childCount { c[i].truncate(m) }
    }

    // MARK: Finishing

    /// The children built so far (a root's columns); the buffer starts over empty.
    mutating func finishChildren() -> [Column] {
        var cs: [Column] = []
        if let c = children { for i in 0..<childCount { cs.append(c[i].finish()) } }
        count = 0
        nulls = []
        return cs
    }

    /// The column built so far; the buffer starts over empty.
    mutating func finish() -> Column {
        let n = count
        var validity: Bitmap?
        if !nulls.isEmpty {
            var bm = Bitmap(count: n, value: true)
            for i in nulls { bm[Int(i)] = false }
            validity = bm
            nulls = []
        }
        let storage: Column.Storage
        switch kind {
        case .bool: storage = .bool(bools); bools = []
        case .i8: storage = .i8(i8s); i8s = []
        case .i16: storage = .i16(i16s); i16s = []
        case .i32: storage = .i32(i32s); i32s = []
        case .i64: storage = .i64(i64s); i64s = []
        case .f32: storage = .f32(f32s); f32s = []
        case .f64: storage = .f64(f64s); f64s = []
        case .i128: storage = .i128(i128s); i128s = []
        case .bytes:
            storage = .bytes(offsets: offsets, data: bytes)
            offsets = [0]; bytes = []
        case .list:
            let o = offsets
            offsets = [0]
            storage = .list(offsets: o, values: children?[0].finish() ?? Column.nulls(.null, count: 0))
        case .map:
            let o = offsets
            offsets = [0]
            let k = children?[0].finish() ?? Column.nulls(.string, count: 0)
            let v = children.map { $0[1].finish() } ?? Column.nulls(.null, count: 0)
            storage = .map(offsets: o, keys: k, values: v)
        case .structure:
            var cs: [Column] = []
            if let c = children { for i in 0..<childCount { cs.append(c[i].finish()) } }
            storage = .structure(cs)
        case .null: storage = .none
        }
        count = 0
        return Column(type: type, count: n, validity: validity, storage: storage)
    }
}

/// Struct field names laid out for lookups by raw bytes: an open-addressing hash table
/// over FNV-1a hashes, plus a check of the field after the previous match first (records
/// usually list their members in the same order).
struct JSONFieldTable {
    private var names: UnsafeMutablePointer<UInt8>?
    private var starts: UnsafeMutablePointer<Int>?
    private var slots: UnsafeMutablePointer<Int32>?
    /// Names whose JSON text in double quotes is exactly their bytes.
    private var plain: UnsafeMutablePointer<Bool>?
    private var mask = 0
    private(set) var count = 0

    init() {}

    init(_ fieldNames: [String]) {
        let utf8 = fieldNames.map { Array($0.utf8) }
        count = utf8.count
        let total = utf8.reduce(0) { $0 + $1.count }
        let n = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, total))
        let st = UnsafeMutablePointer<Int>.allocate(capacity: count + 1)
        var off = 0
        for (i, u) in utf8.enumerated() {
            st[i] = off
            for (k, c) in u.enumerated() { n[off + k] = c }
            off += u.count
        }
        st[count] = off
        let pl = UnsafeMutablePointer<Bool>.allocate(capacity: max(1, count))
        for (i, u) in utf8.enumerated() {
            pl[i] = !u.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        plain = pl
        var size = 4
        while size < count * 2 { size <<= 1 }
        let sl = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        sl.initialize(repeating: -1, count: size)
        mask = size - 1
        names = n
        starts = st
        slots = sl
        // Insert in reverse so that the first of duplicate names wins.
        for i in stride(from: count - 1, through: 0, by: -1) {
            var h = JSONFieldTable.hash(n + st[i], st[i + 1] - st[i]) & mask
            while sl[h] >= 0, !equal(Int(sl[h]), n + st[i], st[i + 1] - st[i]) { h = (h + 1) & mask }
            sl[h] = Int32(i)
        }
    }

    mutating func release() {
        names?.deallocate(); starts?.deallocate(); slots?.deallocate(); plain?.deallocate()
        names = nil; starts = nil; slots = nil; plain = nil
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01B3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always)
    func equal(_ i: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard let names, let starts else { return false }
        let s = starts[i]
        guard starts[i + 1] - s == n else { return false }
        return n == 0 || memcmp(names + s, p, n) == 0
    }

    /// If field `i`'s name, quoted with `"`, is at `pos` (the opening quote), the index
    /// just past the closing quote; else nil. Names holding a quote, a backslash or a
    /// control character never match here (their JSON text differs from their bytes).
    @inline(__always)
    func matchQuoted(_ i: Int, _ b: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int? {
        guard i < count, let names, let starts, let plain, plain[i] else { return nil }
        let s = starts[i], n = starts[i + 1] - s
        let close = pos + 1 + n
        guard close < end, b[close] == UInt8(ascii: "\""), n == 0 || memcmp(names + s, b + pos + 1, n) == 0 else { return nil }
        return close + 1
    }

    /// Index of the field named by `n` bytes at `p`, or -1; `hint` is tried first.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int, hint: Int) -> Int {
        if hint < count, equal(hint, p, n) { return hint }
        guard let slots else { return -1 }
        var h = JSONFieldTable.hash(p, n) & mask
        while true {
            let i = Int(slots[h])
            if i < 0 { return -1 }
            if equal(i, p, n) { return i }
            h = (h + 1) & mask
        }
    }
}
