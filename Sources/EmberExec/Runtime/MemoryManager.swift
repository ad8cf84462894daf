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
        MemoryManager.totalLock.lock(); MemoryManager._totalSpilled += bytes; MemoryManager.totalLock.unlock()
    }

    nonisolated(unsafe) static var _totalSpilled = 0
    static let totalLock = NSLock()
    /// Bytes spilled by every query of this process (for tests and metrics).
    public static var totalSpilledBytes: Int {
        totalLock.lock(); defer { totalLock.unlock() }
        return _totalSpilled
    }

    /// Writes batches to a new spill file and returns a handle that reads them back.
    public func spill(_ batches: [RecordBatch]) throws -> SpillFile {
        let w = try SpillWriter(directory: spillDirectory, schema: batches.first?.schema ?? Schema([]), memory: self)
        for b in batches { try w.append(b) }
        return try w.finish()
    }

    /// Splits `input` into `buckets` spill files by a hash of the key expressions (grace
    /// aggregation and grace hash join). `shift` picks hash bits other than the exchange's.
    public func spillByHash(_ input: BatchStream, keys: [BoundExpr], buckets: Int, schema: Schema, shift: UInt64, _ ectx: EvalContext) throws -> [SpillFile] {
        let writers = try (0..<buckets).map { _ in try spillWriter(schema: schema) }
        try input.forEach { b in
            let keyCols = try keys.map { try $0.eval(b, ectx) }
            let h = RowKeys.equality(keyCols, count: b.count).hashes()
            var idx = [[Int32]](repeating: [], count: buckets)
            for i in 0..<b.count { idx[Int((h[i] >> shift) % UInt64(buckets))].append(Int32(i)) }
            for k in 0..<buckets where !idx[k].isEmpty { try writers[k].append(b.take(idx[k])) }
        }
        return try writers.map { try $0.finish() }
    }

    /// A spill file written batch by batch.
    public func spillWriter(schema: Schema) throws -> SpillWriter {
        try SpillWriter(directory: spillDirectory, schema: schema, memory: self)
    }
}

extension Schema {
    /// Whether batches of this schema can go to a spill file (nested columns cannot yet;
    /// operators keep those in memory).
    public var isSpillable: Bool { fields.allSatisfy { !$0.dataType.isNested } }
}

/// Appends batches to a spill file, each behind its byte length.
public final class SpillWriter {
    let path: String
    let schema: Schema
    let handle: FileHandle
    weak var memory: MemoryManager?
    var bytes = 0
    var closed = false

    init(directory: String, schema: Schema, memory: MemoryManager) throws {
        path = (directory as NSString).appendingPathComponent("ember-spill-\(UUID().uuidString).bin")
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw EmberError.io("cannot create spill file \(path)")
        }
        self.schema = schema
        self.handle = h
        self.memory = memory
    }

    public func append(_ b: RecordBatch) throws {
        var data = Data()
        SpillCodec.encode(b, into: &data)
        var len = Data()
        SpillCodec.appendInt(&len, data.count)
        do {
            try handle.write(contentsOf: len)
            try handle.write(contentsOf: data)
        } catch {
            throw EmberError.io("cannot write spill file \(path): \(error)")
        }
        bytes += data.count + 8
    }

    public func finish() throws -> SpillFile {
        if !closed { try? handle.close(); closed = true }
        memory?.noteSpill(bytes)
        return SpillFile(path: path, schema: schema, bytes: bytes)
    }

    deinit { if !closed { try? handle.close() } }
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

    public func read() throws -> [RecordBatch] { try stream().drain() }

    /// Reads the batches back one at a time.
    public func stream() throws -> BatchStream {
        guard let h = FileHandle(forReadingAtPath: path) else { throw EmberError.io("spill file \(path) is missing") }
        let schema = self.schema
        let path = self.path
        var done = false
        return BatchStream { [self] in
            _ = self  // keep the file alive while it is read
            if done { return nil }
            guard let lenData = try h.read(upToCount: 8), lenData.count == 8 else {
                done = true
                try? h.close()
                return nil
            }
            var pos = 0
            let len = try SpillCodec.readInt([UInt8](lenData), &pos)
            guard len >= 0, let body = try h.read(upToCount: len), body.count == len else {
                throw EmberError.io("truncated spill file \(path)")
            }
            var p = 0
            return try SpillCodec.decode([UInt8](body), &p, schema: schema)
        }
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
