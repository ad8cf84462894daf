import EmberCore

// Arrow's encapsulated messages (Message.fbs) and the file footer (File.fbs):
//
//   message := 0xFFFFFFFF | int32 metadata length | Message flatbuffer | padding to 8 | body
//
// The metadata length counts the flatbuffer and its padding. A length of 0 ends a
// stream. Streams written before Arrow 0.15 have no continuation marker; they are read
// too. A file is "ARROW1\0\0", a stream, the Footer flatbuffer, its int32 length and
// "ARROW1" again.

/// `MessageHeader` union tags of Message.fbs.
enum ArrowMessageTag {
    static let schema: UInt8 = 1, dictionaryBatch: UInt8 = 2, recordBatch: UInt8 = 3
}

/// `MetadataVersion.V5`, written by Ember; V4 and V5 are read.
let arrowMetadataV5: Int16 = 4

/// The 6-byte magic that opens and closes the file format.
let arrowFileMagic: [UInt8] = Array("ARROW1".utf8)

/// One encapsulated message: its header table and where its body lies.
struct ArrowMessage {
    let tag: UInt8
    let header: FlatTable
    /// Absolute position of the message's first byte.
    let start: Int
    /// Absolute position and length of the body.
    let bodyStart: Int
    let bodyLength: Int

    /// Position after the body: where the next message starts.
    var end: Int { bodyStart + bodyLength }

    /// Reads the message at `pos` of `bytes[..<limit]`. Returns nil at the end of the
    /// stream (an end-of-stream marker, or no bytes left).
    static func read(_ bytes: UnsafeRawBufferPointer, at pos: Int, limit: Int, source: ArrowSource) throws -> ArrowMessage? {
        guard pos < limit else { return nil }
        func u32(_ p: Int) throws -> UInt32 {
            guard p >= 0, p + 4 <= limit else { throw source.corrupt("message header truncated", at: pos) }
            return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt32.self))
        }
        var metaStart = pos + 4
        var length = try u32(pos)
        if length == 0xFFFF_FFFF {
            length = try u32(pos + 4)
            metaStart = pos + 8
        }
        let metaLength = Int(Int32(bitPattern: length))
        if metaLength == 0 { return nil }
        guard metaLength > 0, metaLength <= limit - metaStart else {
            throw source.corrupt("message metadata length \(metaLength) exceeds the \(limit - metaStart) bytes left", at: pos)
        }
        let reader = FlatBufferReader(
            bytes: UnsafeRawBufferPointer(rebasing: bytes[metaStart..<(metaStart + metaLength)]), base: metaStart, source: source)
        let message = try reader.root()
        let version = try message.scalar(0, Int16(0))
        guard version == 3 || version == 4 else {
            throw source.unsupported("Arrow metadata version V\(version + 1) is not supported (V4 and V5 are)")
        }
        let tag = try message.scalar(1, UInt8(0))
        guard let header = try message.table(2) else { throw source.corrupt("message without a header", at: pos) }
        let bodyLength = try message.scalar(3, Int64(0))
        let bodyStart = metaStart + metaLength
        guard bodyLength >= 0, bodyLength <= Int64(limit - bodyStart) else {
            throw source.corrupt("message body length \(bodyLength) exceeds the \(limit - bodyStart) bytes left", at: pos)
        }
        return ArrowMessage(tag: tag, header: header, start: pos, bodyStart: bodyStart, bodyLength: Int(bodyLength))
    }
}

/// The metadata of a `RecordBatch` table (also the data of a `DictionaryBatch`).
struct ArrowBatchHeader {
    let length: Int
    /// `FieldNode` structs: length, null count (16 bytes each).
    let nodes: FlatVector?
    /// `Buffer` structs: offset, length (16 bytes each), relative to the body.
    let buffers: FlatVector?
    let compression: ArrowCompression
    /// Data-buffer counts of the view-typed fields, in field order.
    let variadicCounts: FlatVector?

    init(_ t: FlatTable) throws {
        let r = t.reader
        let n = try t.scalar(0, Int64(0))
        guard n >= 0, n <= Int64(Int32.max) else { throw r.corrupt("record batch length \(n)", at: t.pos) }
        length = Int(n)
        nodes = try t.vector(1, elementSize: 16)
        buffers = try t.vector(2, elementSize: 16)
        if let c = try t.table(3) {
            let codec = try c.scalar(0, Int8(0))
            let method = try c.scalar(1, Int8(0))
            guard method == 0 else { throw r.source.unsupported("Arrow body compression method \(method) is not supported") }
            switch codec {
            case 0: compression = .lz4Frame
            case 1: compression = .zstd
            default: throw r.source.unsupported("Arrow body compression codec \(codec) is not supported")
            }
        } else {
            compression = .none
        }
        variadicCounts = try t.vector(4, elementSize: 8)
    }
}

/// A `Block` of the file footer: where one message lies in the file.
struct ArrowBlock {
    var offset: Int
    var metadataLength: Int
    var bodyLength: Int
}

// MARK: Writing

enum ArrowMessageWriter {
    /// A `Message` flatbuffer wrapping a header table built by `header`.
    static func message(tag: UInt8, bodyLength: Int, header: (inout FlatBufferBuilder) -> Int) -> [UInt8] {
        var b = FlatBufferBuilder()
        let h = header(&b)
        b.startTable(fieldCount: 5)
        b.addField(3, Int64(bodyLength))
        b.addOffsetField(2, h)
        b.addField(0, arrowMetadataV5)
        b.addField(1, tag)
        return b.finish(root: b.endTable())
    }

    static func schema(_ fields: [ArrowField]) -> [UInt8] {
        message(tag: ArrowMessageTag.schema, bodyLength: 0) { ArrowField.encodeSchema(fields, into: &$0) }
    }

    static func recordBatch(length: Int, nodes: [(Int, Int)], buffers: [(Int, Int)], compression: ArrowCompression, bodyLength: Int) -> [UInt8] {
        message(tag: ArrowMessageTag.recordBatch, bodyLength: bodyLength) { b in
            let bufferVec = b.createStructVector(count: buffers.count, elementSize: 16, alignment: 8) { i, e in
                e.storeBytes(of: Int64(buffers[i].0).littleEndian, toByteOffset: 0, as: Int64.self)
                e.storeBytes(of: Int64(buffers[i].1).littleEndian, toByteOffset: 8, as: Int64.self)
            }
            let nodeVec = b.createStructVector(count: nodes.count, elementSize: 16, alignment: 8) { i, e in
                e.storeBytes(of: Int64(nodes[i].0).littleEndian, toByteOffset: 0, as: Int64.self)
                e.storeBytes(of: Int64(nodes[i].1).littleEndian, toByteOffset: 8, as: Int64.self)
            }
            var comp: Int? = nil
            if let code = compression.flatbufferCode {
                b.startTable(fieldCount: 2)
                b.addField(0, code)
                b.addField(1, Int8(0))  // BUFFER: each buffer compressed on its own
                comp = b.endTable()
            }
            b.startTable(fieldCount: 5)
            b.addField(0, Int64(length))
            b.addOffsetField(1, nodeVec)
            b.addOffsetField(2, bufferVec)
            if let comp { b.addOffsetField(3, comp) }
            return b.endTable()
        }
    }

    /// The file footer: schema and the blocks of the record batches.
    static func footer(_ fields: [ArrowField], batches: [ArrowBlock]) -> [UInt8] {
        var b = FlatBufferBuilder()
        func blocks(_ list: [ArrowBlock]) -> Int {
            b.createStructVector(count: list.count, elementSize: 24, alignment: 8) { i, e in
                e.storeBytes(of: Int64(list[i].offset).littleEndian, toByteOffset: 0, as: Int64.self)
                e.storeBytes(of: Int32(list[i].metadataLength).littleEndian, toByteOffset: 8, as: Int32.self)
                e.storeBytes(of: Int64(list[i].bodyLength).littleEndian, toByteOffset: 16, as: Int64.self)
            }
        }
        let batchVec = blocks(batches)
        let dictVec = blocks([])
        let schema = ArrowField.encodeSchema(fields, into: &b)
        b.startTable(fieldCount: 5)
        b.addOffsetField(1, schema)
        b.addOffsetField(2, dictVec)
        b.addOffsetField(3, batchVec)
        b.addField(0, arrowMetadataV5)
        return b.finish(root: b.endTable())
    }

    /// The prefix of an encapsulated message: continuation marker, padded metadata
    /// length, the metadata and its padding. The body follows it.
    static func frame(_ metadata: [UInt8]) -> [UInt8] {
        let padded = (metadata.count + 8 + 7) / 8 * 8 - 8
        var out = [UInt8]()
        out.reserveCapacity(8 + padded)
        appendLE(UInt32(0xFFFF_FFFF), to: &out)
        appendLE(Int32(padded), to: &out)
        out.append(contentsOf: metadata)
        out.append(contentsOf: repeatElement(0, count: padded - metadata.count))
        return out
    }

    /// The end-of-stream marker.
    static let endOfStream: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
}

func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { appendBytes($0, to: &out) }
}
