import EmberColumnar
import EmberCore

/// Decodes the body of one record batch (or the data of a dictionary batch) into Ember
/// columns. Field nodes and buffers are consumed in the schema's pre-order, as Arrow lays
/// them out; every node length, null count, buffer range and offset is checked against
/// the metadata and the body before it is used.
struct ArrowBatchDecoder {
    let source: ArrowSource
    let header: ArrowBatchHeader
    /// The whole input; buffer ranges are absolute positions in it.
    let bytes: UnsafeRawBufferPointer
    let bodyStart: Int
    let bodyLength: Int
    let dictionaries: [Int64: Column]
    /// Owns decompressed buffers until decoding ends.
    let arena = ArrowArena()
    var nextNode = 0
    var nextBuffer = 0
    var nextVariadic = 0

    init(
        source: ArrowSource, header: ArrowBatchHeader, bytes: UnsafeRawBufferPointer, bodyStart: Int, bodyLength: Int,
        dictionaries: [Int64: Column]
    ) {
        self.source = source
        self.header = header
        self.bytes = bytes
        self.bodyStart = bodyStart
        self.bodyLength = bodyLength
        self.dictionaries = dictionaries
    }

    func corrupt(_ f: ArrowField, _ what: String, at pos: Int?) -> EmberError {
        source.corrupt("column `\(f.name)`: \(what)", at: pos)
    }

    // MARK: Nodes and buffers

    /// The next field node: its length and null count.
    mutating func node(_ f: ArrowField) throws -> (length: Int, nulls: Int) {
        guard let nodes = header.nodes, nextNode < nodes.count else {
            throw corrupt(f, "the record batch has no field node left for it", at: bodyStart)
        }
        let i = nextNode
        nextNode += 1
        let pos = nodes.reader.base + nodes.position(i)
        let length = try nodes.load(i, field: 0, as: Int64.self)
        let nulls = try nodes.load(i, field: 8, as: Int64.self)
        guard length >= 0, length <= Int64(Int32.max) else { throw corrupt(f, "field node length \(length)", at: pos) }
        guard nulls >= 0, nulls <= length else { throw corrupt(f, "null count \(nulls) of \(length) values", at: pos) }
        return (Int(length), Int(nulls))
    }

    /// The next buffer's bytes (decompressed when the body is compressed) and its position.
    mutating func buffer(_ f: ArrowField) throws -> (bytes: UnsafeRawBufferPointer, pos: Int) {
        guard let list = header.buffers, nextBuffer < list.count else {
            throw corrupt(f, "the record batch has no buffer left for it", at: bodyStart)
        }
        let i = nextBuffer
        nextBuffer += 1
        let entry = list.reader.base + list.position(i)
        let off = try list.load(i, field: 0, as: Int64.self)
        let len = try list.load(i, field: 8, as: Int64.self)
        guard off >= 0, len >= 0, off <= Int64(bodyLength), len <= Int64(bodyLength) - off else {
            throw corrupt(f, "buffer \(i) (offset \(off), length \(len)) lies outside the \(bodyLength)-byte body", at: entry)
        }
        let pos = bodyStart + Int(off)
        let raw = UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + Int(len))])
        guard header.compression != .none, raw.count > 0 else { return (raw, pos) }
        guard raw.count >= 8 else { throw corrupt(f, "compressed buffer shorter than its length prefix", at: pos) }
        let size = Int64(littleEndian: raw.loadUnaligned(as: Int64.self))
        let payload = UnsafeRawBufferPointer(rebasing: raw[8...])
        if size == -1 { return (payload, pos + 8) }
        let limit = ArrowCodec.maxExpansion(header.compression, compressedSize: payload.count)
        guard size >= 0, size <= Int64(limit) else {
            throw corrupt(f, "uncompressed length \(size) of a \(payload.count)-byte compressed buffer", at: pos)
        }
        let out = try ArrowCodec.decompress(header.compression, payload, uncompressedSize: Int(size))
        guard out.count == Int(size) else {
            throw corrupt(f, "buffer decompressed to \(out.count) bytes, not \(size)", at: pos)
        }
        return (arena.keep(out), pos)
    }

    /// The validity bitmap of `length` values (nil when there are no NULLs).
    mutating func validity(_ f: ArrowField, length: Int, nulls: Int) throws -> Bitmap? {
        let (buf, pos) = try buffer(f)
        guard nulls > 0 else { return nil }
        let need = (length + 7) / 8
        guard buf.count >= need else {
            throw corrupt(f, "validity bitmap of \(buf.count) bytes for \(length) values", at: pos)
        }
        var bitmap = Bitmap(count: length, value: false)
        bitmap.words.withUnsafeMutableBytes { dst in
            if need > 0, let d = dst.baseAddress, let s = buf.baseAddress { d.copyMemory(from: s, byteCount: need) }
        }
        if length & 63 != 0, let last = bitmap.words.indices.last {
            bitmap.words[last] &= (1 << UInt64(length & 63)) - 1
        }
        return bitmap
    }

    // MARK: Columns

    /// Decodes the next column: `f` described by the schema, read as Ember type `type`.
    mutating func column(_ f: ArrowField, _ type: DataType, depth: Int = 0) throws -> Column {
        guard depth < ArrowField.maxDepth else { throw corrupt(f, "nested deeper than \(ArrowField.maxDepth) levels", at: nil) }
        if let d = f.dictionary { return try dictionaryColumn(f, d, type) }
        let (length, nulls) = try node(f)
        if case .null = f.type { return Column(type: .null, count: length, validity: nil, storage: .none) }
        let valid = try validity(f, length: length, nulls: nulls)
        func make(_ s: Column.Storage) -> Column { Column(type: type, count: length, validity: valid, storage: s) }
        switch f.type {
        case .null: return Column(type: .null, count: length, validity: nil, storage: .none)
        case .bool:
            let (buf, pos) = try buffer(f)
            guard buf.count >= (length + 7) / 8 else { throw corrupt(f, "\(buf.count) bytes for \(length) booleans", at: pos) }
            return make(.bool(ArrowBatchDecoder.unpackBits(buf, length)))
        case .int(let w, let signed):
            let (buf, pos) = try buffer(f)
            switch (w, signed) {
            case (8, true): return make(.i8(try fixed(f, buf, pos, length)))
            case (16, true): return make(.i16(try fixed(f, buf, pos, length)))
            case (32, true): return make(.i32(try fixed(f, buf, pos, length)))
            case (64, true): return make(.i64(try fixed(f, buf, pos, length)))
            case (8, false): return make(.i16(try mapped(f, buf, pos, length) { (v: UInt8) in Int16(v) }))
            case (16, false): return make(.i32(try mapped(f, buf, pos, length) { (v: UInt16) in Int32(v) }))
            case (32, false): return make(.i64(try mapped(f, buf, pos, length) { (v: UInt32) in Int64(v) }))
            default: return make(.i128(try mapped(f, buf, pos, length) { (v: UInt64) in Int128(v) }))
            }
        case .floatingPoint(let bits):
            let (buf, pos) = try buffer(f)
            switch bits {
            case 16: return make(.f32(try mapped(f, buf, pos, length) { (h: UInt16) in halfToFloat(h) }))
            case 32: return make(.f32(try fixed(f, buf, pos, length)))
            default: return make(.f64(try fixed(f, buf, pos, length)))
            }
        case .decimal(_, _, let w):
            let (buf, pos) = try buffer(f)
            switch w {
            case 32: return make(.i128(try mapped(f, buf, pos, length) { (v: Int32) in Int128(v) }))
            case 64: return make(.i128(try mapped(f, buf, pos, length) { (v: Int64) in Int128(v) }))
            case 128: return make(.i128(try fixed(f, buf, pos, length)))
            default: return make(.i128(try decimal256(f, buf, pos, length, valid)))
            }
        case .date(let days):
            let (buf, pos) = try buffer(f)
            if days { return make(.i32(try fixed(f, buf, pos, length))) }
            return make(.i32(try mapped(f, buf, pos, length) { (ms: Int64) -> Int32 in
                let d = floorDiv(ms, 86_400_000)
                guard let x = Int32(exactly: d) else { throw corrupt(f, "Date64 value \(ms) out of range", at: pos) }
                return x
            }))
        case .timestamp(let unit, _):
            let (buf, pos) = try buffer(f)
            switch unit {
            case .microsecond: return make(.i64(try fixed(f, buf, pos, length)))
            case .nanosecond: return make(.i64(try mapped(f, buf, pos, length) { (ns: Int64) in floorDiv(ns, 1000) }))
            case .millisecond, .second:
                let scale: Int64 = unit == .second ? 1_000_000 : 1000
                return make(.i64(try mapped(f, buf, pos, length) { (v: Int64) -> Int64 in
                    let (r, o) = v.multipliedReportingOverflow(by: scale)
                    guard !o else { throw corrupt(f, "timestamp \(v) \(unit.name) out of range", at: pos) }
                    return r
                }))
            }
        case .utf8, .binary:
            let (offs, offPos) = try buffer(f)
            let (data, dataPos) = try buffer(f)
            let (o, range) = try offsets32(f, offs, offPos, length, limit: data.count, dataPos: dataPos)
            return make(.bytes(offsets: o, data: copyBytes(UnsafeRawBufferPointer(rebasing: data[range]))))
        case .largeUtf8, .largeBinary:
            let (offs, offPos) = try buffer(f)
            let (data, dataPos) = try buffer(f)
            let (o, range) = try offsets64(f, offs, offPos, length, limit: data.count, dataPos: dataPos)
            return make(.bytes(offsets: o, data: copyBytes(UnsafeRawBufferPointer(rebasing: data[range]))))
        case .utf8View, .binaryView:
            return make(try views(f, length, valid))
        case .fixedSizeBinary(let width):
            let (data, pos) = try buffer(f)
            guard data.count >= length * width else { throw corrupt(f, "\(data.count) bytes for \(length) values of \(width) bytes", at: pos) }
            guard length * width <= Int(Int32.max) else { throw corrupt(f, "\(length * width) bytes do not fit 32-bit offsets", at: pos) }
            try checkUnbacked(f, length, width)
            let o = (0...length).map { Int32($0 * width) }
            return make(.bytes(offsets: o, data: copyBytes(UnsafeRawBufferPointer(rebasing: data[0..<(length * width)]))))
        case .list, .largeList:
            guard case .array(let elementType, _) = type, let child = f.children.first else { throw corrupt(f, "list without a child field", at: nil) }
            let (offs, offPos) = try buffer(f)
            let large = f.type == .largeList
            let (o, range) = large
                ? try offsets64(f, offs, offPos, length, limit: Int(Int32.max), dataPos: offPos)
                : try offsets32(f, offs, offPos, length, limit: Int(Int32.max), dataPos: offPos)
            let values = try column(child, elementType, depth: depth + 1)
            return make(.list(offsets: o, values: try childRange(f, values, range, at: offPos)))
        case .fixedSizeList(let size):
            guard case .array(let elementType, _) = type, let child = f.children.first else { throw corrupt(f, "list without a child field", at: nil) }
            let values = try column(child, elementType, depth: depth + 1)
            guard length * size <= Int(Int32.max) else { throw corrupt(f, "\(length) lists of \(size) values overflow", at: nil) }
            try checkUnbacked(f, length, size)
            let o = (0...length).map { Int32($0 * size) }
            return make(.list(offsets: o, values: try childRange(f, values, 0..<(length * size), at: nil)))
        case .map:
            guard case .map(let kt, let vt, _) = type, let entries = f.children.first, entries.children.count == 2 else {
                throw corrupt(f, "map without key and value fields", at: nil)
            }
            let (offs, offPos) = try buffer(f)
            let (o, range) = try offsets32(f, offs, offPos, length, limit: Int(Int32.max), dataPos: offPos)
            let (entryCount, _) = try node(entries)
            _ = try buffer(entries)  // entries are never NULL
            var keys = try column(entries.children[0], kt, depth: depth + 2)
            var values = try column(entries.children[1], vt, depth: depth + 2)
            guard keys.count >= entryCount, values.count >= entryCount else {
                throw corrupt(f, "map keys/values shorter than its \(entryCount) entries", at: offPos)
            }
            keys = try childRange(f, keys, range, at: offPos)
            values = try childRange(f, values, range, at: offPos)
            return make(.map(offsets: o, keys: keys, values: values))
        case .structure:
            guard case .structure(let fields) = type, fields.count == f.children.count else {
                throw corrupt(f, "struct children do not match the schema", at: nil)
            }
            var children: [Column] = []
            children.reserveCapacity(fields.count)
            for (c, sf) in zip(f.children, fields) {
                children.append(try childRange(f, try column(c, sf.dataType, depth: depth + 1), 0..<length, at: nil))
            }
            return make(.structure(children))
        case .unsupported(let what):
            throw source.unsupported("Arrow type \(what) of column `\(f.name)` is not supported")
        }
    }

    /// Advances past a column that is not needed (column pruning) without decoding it.
    mutating func skip(_ f: ArrowField, depth: Int = 0) throws {
        guard depth < ArrowField.maxDepth else { throw corrupt(f, "nested deeper than \(ArrowField.maxDepth) levels", at: nil) }
        _ = try node(f)
        var count: Int
        var children = f.children
        if f.dictionary != nil {
            count = 2
            children = []
        } else {
            switch f.type {
            case .null: count = 0
            case .bool, .int, .floatingPoint, .decimal, .date, .timestamp, .fixedSizeBinary: count = 2
            case .utf8, .binary, .largeUtf8, .largeBinary: count = 3
            case .utf8View, .binaryView: count = 2 + (try variadicCount(f))
            case .list, .largeList, .map: count = 2
            case .fixedSizeList, .structure: count = 1
            case .unsupported(let what): throw source.unsupported("Arrow type \(what) of column `\(f.name)` is not supported")
            }
        }
        guard count <= (header.buffers?.count ?? 0) - nextBuffer else {
            throw corrupt(f, "the record batch has no buffer left for it", at: bodyStart)
        }
        nextBuffer += count  // skipped buffers are neither checked nor decompressed
        for c in children { try skip(c, depth: depth + 1) }
    }
}
