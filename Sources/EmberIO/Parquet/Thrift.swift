import EmberCore

/// A decoded Thrift value of the compact protocol (the encoding of Parquet's metadata).
/// Metadata is small next to the data it describes, so it is decoded into this generic
/// tree first and mapped to typed structs afterwards; that keeps the bounds checks in one
/// place (`ThriftCompactReader`).
indirect enum ThriftValue {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case binary([UInt8])
    case list([ThriftValue])
    case map([ThriftField])
    case structure(ThriftStruct)

    var int: Int64? { if case .int(let v) = self { return v }; return nil }
    var bool: Bool? { if case .bool(let v) = self { return v }; return nil }
    var binary: [UInt8]? { if case .binary(let v) = self { return v }; return nil }
    var string: String? { binary.map { String(decoding: $0, as: UTF8.self) } }
    var list: [ThriftValue]? { if case .list(let v) = self { return v }; return nil }
    var structure: ThriftStruct? { if case .structure(let v) = self { return v }; return nil }
}

/// A Thrift struct: its fields by id, in wire order.
struct ThriftStruct {
    var fields: [ThriftField] = []

    subscript(id: Int16) -> ThriftValue? {
        for f in fields where f.id == id { return f.value }
        return nil
    }

    func int(_ id: Int16) -> Int64? { self[id]?.int }
    func int32(_ id: Int16) -> Int32? { self[id]?.int.flatMap { Int32(exactly: $0) } }
    func bool(_ id: Int16) -> Bool? { self[id]?.bool }
    func string(_ id: Int16) -> String? { self[id]?.string }
    func binary(_ id: Int16) -> [UInt8]? { self[id]?.binary }
    func structure(_ id: Int16) -> ThriftStruct? { self[id]?.structure }
    func list(_ id: Int16) -> [ThriftValue]? { self[id]?.list }
}

struct ThriftField {
    var id: Int16
    var value: ThriftValue
}

/// Reads the Thrift compact protocol from a byte range, checking every length against
/// the bytes that remain so a corrupt footer cannot make it allocate or loop without end.
struct ThriftCompactReader {
    /// The bytes, with bounds-checked reads (shared with the page decoders).
    var cur: ByteCursor

    init(_ buffer: UnsafeRawBufferPointer, fileOffset: Int, what: String) {
        cur = ByteCursor(buffer, fileOffset: fileOffset, what: what)
    }

    var pos: Int { cur.pos }
    var end: Int { cur.end }

    func error(_ message: String) -> EmberError { cur.error(message) }
    mutating func byte() throws -> UInt8 { try cur.byte() }
    mutating func varint() throws -> UInt64 { try cur.uleb() }
    mutating func zigzag() throws -> Int64 { try cur.zigzag() }

    mutating func bytes(_ n: Int) throws -> [UInt8] {
        try cur.need(n)
        let out = Array(cur.buf[cur.pos..<(cur.pos + n)])
        cur.pos += n
        return out
    }

    /// Reads one struct (after its opening; up to and including its STOP field).
    mutating func readStruct(depth: Int = 0) throws -> ThriftStruct {
        guard depth < 64 else { throw error("Thrift structs nested too deeply") }
        var s = ThriftStruct()
        var lastID: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return s }
            let type = header & 0x0f
            let delta = header >> 4
            let id: Int16
            if delta != 0 {
                id = lastID &+ Int16(delta)
            } else {
                let z = try zigzag()
                guard let i = Int16(exactly: z) else { throw error("bad field id \(z)") }
                id = i
            }
            lastID = id
            let v: ThriftValue
            switch type {
            case 1: v = .bool(true)
            case 2: v = .bool(false)
            default: v = try readValue(type: type, depth: depth + 1)
            }
            s.fields.append(ThriftField(id: id, value: v))
        }
    }

    mutating func readValue(type: UInt8, depth: Int) throws -> ThriftValue {
        switch type {
        case 1, 2: return .bool(try byte() == 1)
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 7:
            return .double(Double(bitPattern: try cur.le(8)))
        case 8:
            let n = try varint()
            guard n <= UInt64(end - pos) else { throw error("binary length \(n) runs past the end of the Thrift data") }
            return .binary(try bytes(Int(n)))
        case 9, 10:
            let h = try byte()
            var size = Int(h >> 4)
            let elem = h & 0x0f
            if size == 15 {
                let n = try varint()
                guard n <= UInt64(end - pos) else { throw error("list size \(n) larger than the data") }
                size = Int(n)
            }
            // Every element takes at least one byte, so the size cannot exceed what is left.
            guard size <= end - pos else { throw error("list size \(size) larger than the data") }
            var out: [ThriftValue] = []
            out.reserveCapacity(size)
            for _ in 0..<size { out.append(try readValue(type: elem, depth: depth + 1)) }
            return .list(out)
        case 11:
            let n = try varint()
            guard n <= UInt64(end - pos) else { throw error("map size \(n) larger than the data") }
            if n == 0 { return .map([]) }
            let kv = try byte()
            // Map entries are not used by Parquet's metadata: read past them.
            for _ in 0..<Int(n) {
                _ = try readValue(type: kv >> 4, depth: depth + 1)
                _ = try readValue(type: kv & 0x0f, depth: depth + 1)
            }
            let out: [ThriftField] = []
            return .map(out)
        case 12:
            return .structure(try readStruct(depth: depth))
        default:
            throw error("unknown Thrift type \(type)")
        }
    }
}

/// Writes the Thrift compact protocol.
struct ThriftCompactWriter {
    var out: [UInt8] = []
    private var lastIDs: [Int16] = []
    private var lastID: Int16 = 0

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    private mutating func fieldHeader(_ id: Int16, _ type: UInt8) {
        let delta = id - lastID
        if delta > 0 && delta <= 15 {
            out.append(UInt8(delta) << 4 | type)
        } else {
            out.append(type)
            zigzag(Int64(id))
        }
        lastID = id
    }

    mutating func beginStruct() { lastIDs.append(lastID); lastID = 0 }
    mutating func endStruct() { out.append(0); lastID = lastIDs.popLast() ?? 0 }

    mutating func bool(_ id: Int16, _ v: Bool) { fieldHeader(id, v ? 1 : 2) }
    mutating func i32(_ id: Int16, _ v: Int32) { fieldHeader(id, 5); zigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64) { fieldHeader(id, 6); zigzag(v) }
    mutating func i8(_ id: Int16, _ v: Int8) { fieldHeader(id, 3); out.append(UInt8(bitPattern: v)) }
    mutating func binary(_ id: Int16, _ v: [UInt8]) { fieldHeader(id, 8); varint(UInt64(v.count)); out.append(contentsOf: v) }
    mutating func string(_ id: Int16, _ v: String) { binary(id, Array(v.utf8)) }

    /// A struct-valued field: `body` writes its fields.
    mutating func structField(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, 12)
        beginStruct()
        body(&self)
        endStruct()
    }

    private mutating func listHeader(_ id: Int16, count: Int, elem: UInt8) {
        fieldHeader(id, 9)
        if count < 15 {
            out.append(UInt8(count) << 4 | elem)
        } else {
            out.append(0xf0 | elem)
            varint(UInt64(count))
        }
    }

    mutating func i32List(_ id: Int16, _ vs: [Int32]) {
        listHeader(id, count: vs.count, elem: 5)
        for v in vs { zigzag(Int64(v)) }
    }

    mutating func stringList(_ id: Int16, _ vs: [String]) {
        listHeader(id, count: vs.count, elem: 8)
        for v in vs { let b = Array(v.utf8); varint(UInt64(b.count)); out.append(contentsOf: b) }
    }

    mutating func structList<T>(_ id: Int16, _ items: [T], _ body: (inout ThriftCompactWriter, T) -> Void) {
        listHeader(id, count: items.count, elem: 12)
        for item in items {
            beginStruct()
            body(&self, item)
            endStruct()
        }
    }
}
