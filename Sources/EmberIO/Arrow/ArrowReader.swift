import EmberColumnar
import EmberCore

/// What a reader knows after the schema: the Arrow fields, their Ember schema, and the
/// dictionaries received so far (replaced by a new dictionary batch, extended by a delta).
final class ArrowReadState {
    let source: ArrowSource
    let fields: [ArrowField]
    let schema: Schema
    /// The value field and Ember type of each dictionary id.
    private var dictionaryFields: [Int64: (ArrowField, DataType)] = [:]
    private(set) var dictionaries: [Int64: Column] = [:]

    init(schema table: FlatTable, source: ArrowSource) throws {
        self.source = source
        fields = try ArrowField.decodeSchema(table)
        schema = Schema(try fields.map { StructField($0.name, try $0.emberType(source), nullable: $0.nullable) })
        for f in fields { try collectDictionaries(f) }
    }

    private func collectDictionaries(_ f: ArrowField, depth: Int = 0) throws {
        if let d = f.dictionary {
            var value = f
            value.dictionary = nil
            let type = try value.emberType(source)
            if let known = dictionaryFields[d.id] {
                guard known.1 == type else {
                    throw source.corrupt("dictionary \(d.id) serves fields of types \(known.1.sql) and \(type.sql)", at: nil)
                }
            } else {
                dictionaryFields[d.id] = (value, type)
            }
        }
        for c in f.children { try collectDictionaries(c, depth: depth + 1) }
    }

    /// Applies a `DictionaryBatch` message.
    func readDictionary(_ m: ArrowMessage, _ bytes: UnsafeRawBufferPointer) throws {
        let r = m.header.reader
        let id = try m.header.scalar(0, Int64(0))
        guard let entry = dictionaryFields[id] else {
            throw source.corrupt("dictionary batch for id \(id), which no field uses", at: m.start)
        }
        let (field, type) = entry
        guard let data = try m.header.table(1) else { throw r.corrupt("dictionary batch without data", at: m.header.pos) }
        let isDelta = try m.header.bool(2)
        let header = try ArrowBatchHeader(data)
        let values = try decode(field, type, header, m, bytes)
        guard values.count == header.length else {
            throw source.corrupt("dictionary \(id) has \(values.count) values, its batch says \(header.length)", at: m.start)
        }
        if isDelta, var old = dictionaries.removeValue(forKey: id) {
            guard old.count + values.count <= Int(Int32.max), Column.spansFit(old, values) else {
                throw source.corrupt("dictionary \(id) grows past what 32-bit offsets address", at: m.start)
            }
            // In place when the storage allows it: many small deltas stay linear.
            if !old.appendInPlace(values) { old = Column.concat([old, values], type: type) }
            dictionaries[id] = old
        } else {
            dictionaries[id] = values
        }
    }

    /// Decodes one column (a dictionary's values); the decoder, and with it its reference
    /// to the dictionaries, ends here.
    private func decode(_ field: ArrowField, _ type: DataType, _ header: ArrowBatchHeader, _ m: ArrowMessage, _ bytes: UnsafeRawBufferPointer) throws -> Column {
        var decoder = ArrowBatchDecoder(
            source: source, header: header, bytes: bytes, bodyStart: m.bodyStart, bodyLength: m.bodyLength,
            dictionaries: dictionaries)
        return try decoder.column(field, type)
    }

    /// Decodes a `RecordBatch` message; `projection` lists the columns to produce (all
    /// when nil), in that order. Columns not listed are skipped without decoding.
    func readBatch(_ m: ArrowMessage, _ bytes: UnsafeRawBufferPointer, projection: [Int]?) throws -> RecordBatch {
        let header = try ArrowBatchHeader(m.header)
        var decoder = ArrowBatchDecoder(
            source: source, header: header, bytes: bytes, bodyStart: m.bodyStart, bodyLength: m.bodyLength,
            dictionaries: dictionaries)
        let wanted = projection ?? Array(fields.indices)
        var needed = [Bool](repeating: false, count: fields.count)
        for i in wanted where i >= 0 && i < fields.count { needed[i] = true }
        var decoded = [Column?](repeating: nil, count: fields.count)
        for (i, f) in fields.enumerated() {
            if needed[i] {
                let c = try decoder.column(f, schema[i].dataType)
                guard c.count == header.length else {
                    throw source.corrupt("column `\(f.name)` has \(c.count) rows, its record batch \(header.length)", at: m.start)
                }
                decoded[i] = c
            } else {
                try decoder.skip(f)
            }
        }
        var columns: [Column] = []
        var outFields: [StructField] = []
        for i in wanted {
            guard i >= 0, i < fields.count, let c = decoded[i] else {
                throw EmberError.internalError("Arrow column \(i) requested of \(fields.count)")
            }
            columns.append(c)
            outFields.append(schema[i])
        }
        return RecordBatch(schema: Schema(outFields), columns: columns, count: header.length)
    }

    /// Applies or decodes one message: dictionaries update the state (nil is returned),
    /// record batches come back; other message types are rejected.
    func read(_ m: ArrowMessage, _ bytes: UnsafeRawBufferPointer, projection: [Int]?) throws -> RecordBatch? {
        switch m.tag {
        case ArrowMessageTag.recordBatch: return try readBatch(m, bytes, projection: projection)
        case ArrowMessageTag.dictionaryBatch:
            try readDictionary(m, bytes)
            return nil
        case ArrowMessageTag.schema: throw source.corrupt("a second schema message", at: m.start)
        default: throw source.unsupported("Arrow IPC message type \(m.tag) (tensors) is not supported")
        }
    }
}

/// Reads an Arrow IPC stream batch by batch: the schema on `init`, then `next()` until
/// it returns nil. Dictionary batches are applied as they come.
///
/// ```swift
/// let reader = try ArrowStreamReader(bytes)
/// while let batch = try reader.next() { … }
/// ```
public final class ArrowStreamReader {
    /// The stream's schema as Ember types.
    public let schema: Schema
    private let bytes: [UInt8]
    private var position: Int
    private var done = false
    private let state: ArrowReadState
    private let projection: [Int]?

    /// Reads the schema message at the start of `bytes`. `name` (a file path) appears in
    /// errors; `projection` selects columns by index.
    public init(_ bytes: [UInt8], name: String? = nil, projection: [Int]? = nil) throws {
        let source = ArrowSource(name: name)
        self.bytes = bytes
        self.projection = projection
        var next = 0
        let state = try bytes.withUnsafeBytes { raw -> ArrowReadState in
            guard let m = try ArrowMessage.read(raw, at: 0, limit: raw.count, source: source) else {
                throw source.corrupt("the stream has no schema message", at: 0)
            }
            guard m.tag == ArrowMessageTag.schema else {
                throw source.corrupt("the stream starts with message type \(m.tag), not a schema", at: 0)
            }
            next = m.end
            return try ArrowReadState(schema: m.header, source: source)
        }
        self.state = state
        self.position = next
        let full = state.schema
        if let p = projection {
            try ArrowIPC.checkProjection(p, full.count)
            schema = Schema(p.map { full[$0] })
        } else {
            schema = full
        }
    }

    /// The next record batch, or nil at the end of the stream.
    public func next() throws -> RecordBatch? {
        while !done {
            let batch = try bytes.withUnsafeBytes { raw -> RecordBatch?? in
                guard let m = try ArrowMessage.read(raw, at: position, limit: raw.count, source: state.source) else {
                    done = true
                    return .some(nil)
                }
                position = m.end
                guard let b = try state.read(m, raw, projection: projection) else { return nil }
                return .some(b)
            }
            if let b = batch { return b }
        }
        return nil
    }
}

/// The file format: magic, stream, footer (schema + blocks), footer length, magic.
enum ArrowFileReader {
    /// Reads every record batch of an Arrow file held in `bytes`.
    static func read(_ bytes: UnsafeRawBufferPointer, source: ArrowSource, projection: [Int]?) throws -> (Schema, [RecordBatch]) {
        let (state, dictionaries, batches, footerStart) = try footer(bytes, source: source)
        if let p = projection { try ArrowIPC.checkProjection(p, state.schema.count) }
        var dictionaryEnd = 8
        for i in 0..<(dictionaries?.count ?? 0) {
            guard let d = dictionaries else { break }
            let m = try message(bytes, d, i, limit: footerStart, source: source, after: dictionaryEnd)
            dictionaryEnd = m.end
            guard m.tag == ArrowMessageTag.dictionaryBatch else {
                throw source.corrupt("footer dictionary block \(i) points at message type \(m.tag)", at: m.start)
            }
            try state.readDictionary(m, bytes)
        }
        var out: [RecordBatch] = []
        var end = 8
        for i in 0..<(batches?.count ?? 0) {
            guard let b = batches else { break }
            // Blocks must follow each other, so that no message is decoded twice.
            let m = try message(bytes, b, i, limit: footerStart, source: source, after: end)
            end = m.end
            guard m.tag == ArrowMessageTag.recordBatch else {
                throw source.corrupt("footer record batch block \(i) points at message type \(m.tag)", at: m.start)
            }
            out.append(try state.readBatch(m, bytes, projection: projection))
        }
        let schema = projection.map { p in Schema(p.map { state.schema[$0] }) } ?? state.schema
        return (schema, out)
    }

    /// Whether `bytes` open with the file magic.
    static func isFile(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 6 && zip(bytes.prefix(6), arrowFileMagic).allSatisfy { $0 == $1 }
    }

    /// Parses the footer: the schema (as read state) and the dictionary and record batch blocks.
    static func footer(_ bytes: UnsafeRawBufferPointer, source: ArrowSource) throws
        -> (ArrowReadState, FlatVector?, FlatVector?, Int)
    {
        let n = bytes.count
        guard isFile(bytes) else { throw source.corrupt("missing ARROW1 magic at the start of the file", at: 0) }
        guard n >= 18, zip(bytes[(n - 6)...], arrowFileMagic).allSatisfy({ $0 == $1 }) else {
            throw source.corrupt("missing ARROW1 magic at the end of the file (truncated?)", at: max(0, n - 6))
        }
        let length = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 10, as: Int32.self)))
        let start = n - 10 - length
        guard length > 0, start >= 8 else { throw source.corrupt("footer length \(length)", at: n - 10) }
        let reader = FlatBufferReader(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<(n - 10)]), base: start, source: source)
        let footer = try reader.root()
        guard let schema = try footer.table(1) else { throw source.corrupt("footer without a schema", at: start) }
        let state = try ArrowReadState(schema: schema, source: source)
        return (state, try footer.vector(2, elementSize: 24), try footer.vector(3, elementSize: 24), start)
    }

    /// The message a footer block points at; it must lie before the footer.
    static func message(
        _ bytes: UnsafeRawBufferPointer, _ blocks: FlatVector, _ i: Int, limit: Int, source: ArrowSource, after: Int
    ) throws -> ArrowMessage {
        let offset = try blocks.load(i, field: 0, as: Int64.self)
        guard offset >= Int64(after), offset < Int64(limit) else {
            throw source.corrupt("footer block \(i) offset \(offset) outside the file or before the previous block's end", at: blocks.reader.base + blocks.position(i))
        }
        guard let m = try ArrowMessage.read(bytes, at: Int(offset), limit: limit, source: source) else {
            throw source.corrupt("footer block \(i) points at the end-of-stream marker", at: Int(offset))
        }
        return m
    }
}

extension Column {
    /// Whether concatenating `a` and `b` keeps every offset (bytes, list values) within
    /// 32 bits.
    static func spansFit(_ a: Column, _ b: Column) -> Bool {
        func span(_ o: [Int32]) -> Int { Int(o.last ?? 0) - Int(o.first ?? 0) }
        let limit = Int(Int32.max)
        switch (a.storage, b.storage) {
        case (.bytes(let o1, _), .bytes(let o2, _)): return span(o1) + span(o2) <= limit
        case (.list(let o1, let v1), .list(let o2, let v2)): return span(o1) + span(o2) <= limit && spansFit(v1, v2)
        case (.map(let o1, let k1, let v1), .map(let o2, let k2, let v2)):
            return span(o1) + span(o2) <= limit && spansFit(k1, k2) && spansFit(v1, v2)
        case (.structure(let c1), .structure(let c2)): return zip(c1, c2).allSatisfy { spansFit($0, $1) }
        default: return true
        }
    }

    /// Appends `other` (same type) to this column's own storage when it is flat (fixed
    /// width or bytes): amortized O(other.count), no copy of what is already here while
    /// the storage is not shared. Returns false for nested storage (not appended).
    mutating func appendInPlace(_ other: Column) -> Bool {
        let oldCount = count
        var s = storage
        storage = .none  // drop this reference so the arrays below are uniquely owned
        func put(_ x: Column.Storage) -> Bool { storage = x; return true }
        var ok = true
        switch (s, other.storage) {
        case (.bool(var a), .bool(let b)): s = .none; a += b; ok = put(.bool(a))
        case (.i8(var a), .i8(let b)): s = .none; a += b; ok = put(.i8(a))
        case (.i16(var a), .i16(let b)): s = .none; a += b; ok = put(.i16(a))
        case (.i32(var a), .i32(let b)): s = .none; a += b; ok = put(.i32(a))
        case (.i64(var a), .i64(let b)): s = .none; a += b; ok = put(.i64(a))
        case (.f32(var a), .f32(let b)): s = .none; a += b; ok = put(.f32(a))
        case (.f64(var a), .f64(let b)): s = .none; a += b; ok = put(.f64(a))
        case (.i128(var a), .i128(let b)): s = .none; a += b; ok = put(.i128(a))
        case (.none, .none) where type == .null: ok = put(.none)
        case (.bytes(var o, var d), .bytes(let o2, let d2)) where o.count == oldCount + 1 && o2.count == other.count + 1:
            s = .none
            let base = Int32(truncatingIfNeeded: d.count) &- o2[0]
            d += d2[Int(o2[0])..<Int(o2[other.count])]
            o.reserveCapacity(o.count + other.count)
            for i in 1...max(1, other.count) where other.count > 0 { o.append(o2[i] &+ base) }
            ok = put(.bytes(offsets: o, data: d))
        default:
            storage = s
            ok = false
        }
        guard ok else { return false }
        if validity != nil || other.validity != nil {
            var v = validity ?? Bitmap(count: oldCount, value: true)
            validity = nil
            v.reserve(oldCount + other.count)
            for i in 0..<other.count { v.append(!other.isNull(i)) }
            validity = v
        }
        count = oldCount + other.count
        return true
    }
}
