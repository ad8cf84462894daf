import EmberColumnar
import EmberCore
import Foundation

/// Accounts the bytes that aggregation, joins, sorts and shuffles hold against the
/// session limit. A consumer that cannot reserve more spills what it holds to disk.
public final class MemoryManager {
    public let limit: Int
    let lock = NSLock()
    public private(set) var used = 0
    public private(set) var peak = 0
    public private(set) var spilledBytes = 0
    public let spillDirectory: String

    public init(limit: Int, spillDirectory: String) {
        self.limit = limit
        self.spillDirectory = spillDirectory
    }

    /// Tries to reserve `bytes`; false means the caller should spill.
    public func tryReserve(_ bytes: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if used + bytes > limit { return false }
        used += bytes
        peak = max(peak, used)
        return true
    }

    public func release(_ bytes: Int) {
        lock.lock(); used = max(0, used - bytes); lock.unlock()
    }

    func noteSpill(_ bytes: Int) {
        lock.lock(); spilledBytes += bytes; lock.unlock()
    }

    /// Writes batches to a new spill file and returns a handle that reads them back.
    public func spill(_ batches: [RecordBatch]) throws -> SpillFile {
        let path = (spillDirectory as NSString).appendingPathComponent("ember-spill-\(UUID().uuidString).bin")
        var data = Data()
        for b in batches { SpillCodec.encode(b, into: &data) }
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw EmberError.io("cannot write spill file \(path)")
        }
        noteSpill(data.count)
        return SpillFile(path: path, schema: batches.first?.schema ?? Schema([]), bytes: data.count)
    }
}

/// Batches spilled to local disk.
public final class SpillFile {
    public let path: String
    let schema: Schema
    public let bytes: Int

    init(path: String, schema: Schema, bytes: Int) {
        self.path = path
        self.schema = schema
        self.bytes = bytes
    }

    public func read() throws -> [RecordBatch] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EmberError.io("spill file \(path) is missing") }
        var pos = 0
        var out: [RecordBatch] = []
        let bytes = [UInt8](data)
        while pos < bytes.count { out.append(try SpillCodec.decode(bytes, &pos, schema: schema)) }
        return out
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A compact binary form of batches for spill files (per column: validity, then typed
/// values; nested columns through their values).
enum SpillCodec {
    static func encode(_ b: RecordBatch, into data: inout Data) {
        appendInt(&data, b.count)
        for c in b.columns { encodeColumn(c, into: &data) }
    }

    static func appendInt(_ data: inout Data, _ v: Int) {
        var x = Int64(v).littleEndian
        withUnsafeBytes(of: &x) { data.append(contentsOf: $0) }
    }

    static func appendArray<T>(_ data: inout Data, _ a: [T]) {
        appendInt(&data, a.count)
        a.withUnsafeBytes { data.append(contentsOf: $0) }
    }

    static func encodeColumn(_ c: Column, into data: inout Data) {
        if let v = c.validity { data.append(1); appendArray(&data, v.words) } else { data.append(0) }
        switch c.storage {
        case .none: break
        case .bool(let a): appendArray(&data, a.map { $0 ? UInt8(1) : 0 })
        case .i8(let a): appendArray(&data, a)
        case .i16(let a): appendArray(&data, a)
        case .i32(let a): appendArray(&data, a)
        case .i64(let a): appendArray(&data, a)
        case .f32(let a): appendArray(&data, a)
        case .f64(let a): appendArray(&data, a)
        case .i128(let a): appendArray(&data, a)
        case .bytes(let o, let d): appendArray(&data, o); appendArray(&data, d)
        default:
            // Nested values: row by row through their printed values is not reversible, so
            // they are kept as values in a side list.
            appendInt(&data, c.count)
            for i in 0..<c.count {
                let s = Array("\(c.value(at: i))".utf8)
                appendArray(&data, s)
            }
        }
    }

    static func readInt(_ b: [UInt8], _ pos: inout Int) throws -> Int {
        guard pos + 8 <= b.count else { throw EmberError.io("truncated spill file") }
        var v: Int64 = 0
        for k in 0..<8 { v |= Int64(b[pos + k]) << (8 * Int64(k)) }
        pos += 8
        return Int(v)
    }

    static func readArray<T>(_ b: [UInt8], _ pos: inout Int, _: T.Type) throws -> [T] {
        let n = try readInt(b, &pos)
        let size = n * MemoryLayout<T>.stride
        guard n >= 0, pos + size <= b.count else { throw EmberError.io("truncated spill file") }
        let out = [T](unsafeUninitializedCapacity: n) { buf, done in
            b.withUnsafeBytes { raw in
                if let dst = UnsafeMutableRawPointer(buf.baseAddress), let src = raw.baseAddress {
                    dst.copyMemory(from: src + pos, byteCount: size)
                }
            }
            done = n
        }
        pos += size
        return out
    }

    static func decode(_ b: [UInt8], _ pos: inout Int, schema: Schema) throws -> RecordBatch {
        let count = try readInt(b, &pos)
        var cols: [Column] = []
        for f in schema.fields {
            guard pos < b.count else { throw EmberError.io("truncated spill file") }
            let hasValidity = b[pos] == 1
            pos += 1
            var validity: Bitmap? = nil
            if hasValidity {
                var bm = Bitmap(count: count, value: false)
                bm.words = try readArray(b, &pos, UInt64.self)
                validity = bm
            }
            let storage: Column.Storage
            switch f.dataType {
            case .null: storage = .none
            case .boolean: storage = .bool(try readArray(b, &pos, UInt8.self).map { $0 != 0 })
            case .byte: storage = .i8(try readArray(b, &pos, Int8.self))
            case .short: storage = .i16(try readArray(b, &pos, Int16.self))
            case .int, .date: storage = .i32(try readArray(b, &pos, Int32.self))
            case .long, .timestamp: storage = .i64(try readArray(b, &pos, Int64.self))
            case .float: storage = .f32(try readArray(b, &pos, Float.self))
            case .double: storage = .f64(try readArray(b, &pos, Double.self))
            case .decimal: storage = .i128(try readArray(b, &pos, Int128.self))
            case .string, .binary:
                let o = try readArray(b, &pos, Int32.self)
                storage = .bytes(offsets: o, data: try readArray(b, &pos, UInt8.self))
            default:
                throw EmberError.unsupported("spilling nested column types is not supported yet")
            }
            cols.append(Column(type: f.dataType, count: count, validity: validity, storage: storage))
        }
        return RecordBatch(schema: schema, columns: cols, count: count)
    }
}
