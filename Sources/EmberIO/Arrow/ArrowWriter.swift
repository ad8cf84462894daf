import EmberColumnar
import EmberCore
import Foundation

/// Writes an Arrow IPC stream: the schema message first, one record batch message per
/// `write`, and the end-of-stream marker on `finish()`. Bytes go to `sink` as they are
/// produced, so a batch can be sent (Spark Connect) before the next one exists.
///
/// ```swift
/// var out: [UInt8] = []
/// let w = try ArrowStreamWriter(schema: schema) { out += $0 }
/// try w.write(batch)
/// try w.finish()
/// ```
public final class ArrowStreamWriter {
    public let schema: Schema
    let fields: [ArrowField]
    let compression: ArrowCompression
    private let sink: ([UInt8]) throws -> Void
    /// Bytes handed to the sink so far.
    public private(set) var bytesWritten = 0
    /// Where each record batch message lies (for the file footer).
    private(set) var blocks: [ArrowBlock] = []
    private var finished = false

    /// Writes the schema message. `initial` bytes (the file magic) go first.
    init(schema: Schema, compression: ArrowCompression, initial: [UInt8], sink: @escaping ([UInt8]) throws -> Void) throws {
        self.schema = schema
        self.fields = schema.fields.map { ArrowField($0) }
        self.compression = compression
        self.sink = sink
        if !initial.isEmpty { try emit(initial) }
        try emit(ArrowMessageWriter.frame(ArrowMessageWriter.schema(fields)))
    }

    public convenience init(schema: Schema, compression: ArrowCompression = .none, sink: @escaping ([UInt8]) throws -> Void) throws {
        try self.init(schema: schema, compression: compression, initial: [], sink: sink)
    }

    private func emit(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        try sink(bytes)
        bytesWritten += bytes.count
    }

    /// Writes one record batch; its columns must have the schema's types.
    public func write(_ batch: RecordBatch) throws {
        guard !finished else { throw EmberError.internalError("Arrow stream written after finish()") }
        guard batch.columns.count == schema.count else {
            throw EmberError.invalidArgument("Arrow writer: batch has \(batch.columns.count) columns, the schema \(schema.count).")
        }
        // Ember's bytes plus padding and offsets: close to the body's size (booleans shrink).
        var encoder = ArrowBatchEncoder(compression: compression, capacity: batch.byteSize + 32 * batch.columns.count + 64)
        for (i, c) in batch.columns.enumerated() {
            guard c.count == batch.count, sameShape(c.type, schema[i].dataType) || c.type == .null else {
                throw EmberError.invalidArgument(
                    "Arrow writer: column `\(schema[i].name)` holds \(c.count) \(c.type.simpleString) values; the batch has \(batch.count) rows of \(schema[i].dataType.simpleString).")
            }
            try encoder.append(c.type == .null && schema[i].dataType != .null ? Column.nulls(schema[i].dataType, count: c.count) : c)
        }
        let meta = ArrowMessageWriter.recordBatch(
            length: batch.count, nodes: encoder.nodes, buffers: encoder.buffers, compression: compression,
            bodyLength: encoder.body.count)
        let prefix = ArrowMessageWriter.frame(meta)
        blocks.append(ArrowBlock(offset: bytesWritten, metadataLength: prefix.count, bodyLength: encoder.body.count))
        try emit(prefix)
        try emit(encoder.body)
    }

    /// Writes the end-of-stream marker.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try emit(ArrowMessageWriter.endOfStream)
    }

    /// Ends a file: end-of-stream marker, footer, footer length, magic.
    func finishFile() throws {
        try finish()
        let footer = ArrowMessageWriter.footer(fields, batches: blocks)
        var tail = footer
        appendLE(Int32(footer.count), to: &tail)
        tail.append(contentsOf: arrowFileMagic)
        try emit(tail)
    }
}

/// Writes an Arrow IPC file (the format pyarrow's `ipc.new_file` and Feather V2 use)
/// batch by batch to `path`.
public final class ArrowFileWriter {
    private let handle: FileHandle
    private let path: String
    private var writer: ArrowStreamWriter?

    public init(path: String, schema: Schema, compression: ArrowCompression = .none) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw EmberError.io("Cannot create \(path).")
        }
        handle = h
        self.path = path
        // Magic "ARROW1" padded to 8 bytes, then the stream.
        do {
            writer = try ArrowStreamWriter(schema: schema, compression: compression, initial: arrowFileMagic + [0, 0]) { bytes in
                do { try h.write(contentsOf: bytes) } catch {
                    throw EmberError.io("Cannot write \(path): \(error.localizedDescription)")
                }
            }
        } catch {
            try? h.close()
            throw error
        }
    }

    public func write(_ batch: RecordBatch) throws {
        guard let writer else { throw EmberError.internalError("Arrow file \(path) written after close()") }
        try writer.write(batch)
    }

    /// Writes the footer and closes the file.
    public func close() throws {
        guard let w = writer else { return }
        writer = nil
        defer { try? handle.close() }
        try w.finishFile()
    }

    deinit { try? handle.close() }
}

/// Whether two types have the same shape, ignoring nullability flags and decimal
/// precision (the storage is the same unscaled integer).
func sameShape(_ a: DataType, _ b: DataType) -> Bool {
    switch (a, b) {
    case (.decimal(_, let s1), .decimal(_, let s2)): return s1 == s2
    case (.array(let x, _), .array(let y, _)): return sameShape(x, y)
    case (.map(let k1, let v1, _), .map(let k2, let v2, _)): return sameShape(k1, k2) && sameShape(v1, v2)
    case (.structure(let f1), .structure(let f2)):
        return f1.count == f2.count && zip(f1, f2).allSatisfy { sameShape($0.dataType, $1.dataType) }
    default: return a == b
    }
}
