import EmberCore

/// Hadoop's block framing (`BlockCompressorStream`), used by `SnappyCodec` and `Lz4Codec`
/// for `.snappy` and `.lz4` text files written by Hadoop and Spark: blocks of a 4-byte
/// big-endian uncompressed length followed by one or more chunks, each a 4-byte big-endian
/// compressed length and a raw snappy buffer or raw LZ4 block; the chunks of a block
/// decode to exactly its length. A zero-length block holds no chunks.
public enum HadoopBlock {
    /// The codec inside each chunk.
    public enum Inner: Sendable {
        case snappy, lz4

        var name: String { self == .snappy ? "SNAPPY (Hadoop)" : "LZ4 (Hadoop)" }

        /// Uncompressed bytes per block, as Hadoop writes them: its 256 KiB buffer less
        /// the codec's worst-case overhead (bufferSize/6 + 32 for snappy, /255 + 16 for LZ4).
        public var blockSize: Int { self == .snappy ? 262_144 - (262_144 / 6 + 32) : 262_144 - (262_144 / 255 + 16) }
    }

    /// The largest block or chunk accepted (Hadoop's buffers are 256 KiB by default).
    static let maxLength = 1 << 30

    /// Compresses `src` in Hadoop's block framing, appending to `out`.
    public static func compress(_ src: UnsafeRawBufferPointer, inner: Inner, into out: inout [UInt8]) throws {
        let c = HadoopBlockCompressor(inner)
        try c.compress(src, into: &out)
        try c.finish(into: &out)
    }

    /// Decompresses a whole Hadoop-framed buffer (at most `maxLength` plain bytes).
    public static func decompress(_ src: UnsafeRawBufferPointer, inner: Inner, maxLength: Int = Int(Int32.max)) throws -> [UInt8] {
        let d = HadoopBlockDecoder(inner)
        var out: [UInt8] = []
        let sink: (UnsafeRawBufferPointer) throws -> Void = { piece in
            guard out.count + piece.count <= maxLength else {
                throw EmberError.corruptData(inner.name, at: 0, "the output would exceed \(maxLength) bytes")
            }
            out.append(contentsOf: piece)
        }
        try d.decompress(src, sink: sink)
        try d.finish(sink: sink)
        return out
    }
}

/// Streaming decoder of Hadoop's block framing.
final class HadoopBlockDecoder: StreamDecompressor {
    private let inner: HadoopBlock.Inner
    private var input = PendingInput()
    /// Uncompressed bytes still due in the current block; nil between blocks.
    private var blockLeft: Int?
    private var chunk: [UInt8] = []

    init(_ inner: HadoopBlock.Inner) { self.inner = inner }

    func decompress(_ data: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.append(data)
        while let used = try input.withBytes({ p, n in try parse(p, n, sink) }) {
            input.advance(used)
        }
    }

    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard blockLeft == nil, input.available == 0 else {
            throw EmberError.corruptData(inner.name, at: input.consumed + input.available, "the input ends inside a block")
        }
    }

    private func parse(_ p: UnsafePointer<UInt8>, _ n: Int, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int? {
        let at = input.consumed
        guard n >= 4 else { return nil }
        let length = Int(loadBE32(p))
        guard let left = blockLeft else {
            guard length <= HadoopBlock.maxLength else {
                throw EmberError.corruptData(inner.name, at: at, "a block declares \(length) uncompressed bytes")
            }
            blockLeft = length > 0 ? length : nil
            return 4
        }
        guard length > 0, length <= HadoopBlock.maxLength else {
            throw EmberError.corruptData(inner.name, at: at, "a chunk declares \(length) compressed bytes")
        }
        guard n >= 4 + length else { return nil }
        let src = UnsafeRawBufferPointer(start: p + 4, count: length)
        let produced: Int
        do {
            switch inner {
            case .snappy:
                let size = try Snappy.uncompressedLength(of: src)
                guard size <= left else {
                    throw EmberError.corruptData(inner.name, at: at, "a chunk decodes to \(size) bytes, more than the \(left) left in its block")
                }
                guard size <= length * Snappy.maxRatio else {
                    throw EmberError.corruptData(inner.name, at: at, "a chunk declares \(size) bytes, more than \(length) bytes can hold")
                }
                if chunk.count < size { chunk = [UInt8](repeating: 0, count: size) }
                try chunk.withUnsafeMutableBytes { d in
                    try Snappy.decompress(src, into: UnsafeMutableRawBufferPointer(rebasing: d[0..<size]))
                }
                produced = size
            case .lz4:
                let cap = min(left, LZ4.maxBlockExpansion(length))
                if chunk.count < cap { chunk = [UInt8](repeating: 0, count: cap) }
                produced = try chunk.withUnsafeMutableBytes { d in
                    var out = OutputBuffer(fixed: UnsafeMutableRawBufferPointer(rebasing: d[0..<cap]), codec: inner.name)
                    return try LZ4.decodeBlock(src, into: &out, start: 0, end: cap, historyStart: 0, codec: inner.name, inputOffset: at + 4)
                }
            }
        } catch let e as EmberError where !e.message.contains(inner.name) {
            throw EmberError.corruptData(inner.name, at: at + 4, "chunk: \(e.message)")
        }
        try chunk.withUnsafeBytes { b in try sink(UnsafeRawBufferPointer(rebasing: b[0..<produced])) }
        blockLeft = left - produced > 0 ? left - produced : nil
        return 4 + length
    }
}

/// Hadoop block framing for writers: one block (with one chunk) per `inner.blockSize`
/// input bytes. An empty stream is a single zero-length block, as Hadoop writes it.
final class HadoopBlockCompressor: StreamCompressor {
    private let inner: HadoopBlock.Inner
    private var buffer: [UInt8] = []
    private var wroteAny = false
    private var scratch: [UInt8] = []

    init(_ inner: HadoopBlock.Inner) { self.inner = inner }

    func compress(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        var pos = 0
        while pos < chunk.count {
            let take = min(inner.blockSize - buffer.count, chunk.count - pos)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[pos..<pos + take]))
            pos += take
            if buffer.count == inner.blockSize { try flushBlock(into: &out) }
        }
    }

    func finish(into out: inout [UInt8]) throws {
        if !buffer.isEmpty || !wroteAny { try flushBlock(into: &out) }
    }

    private func flushBlock(into out: inout [UInt8]) throws {
        wroteAny = true
        appendBE32(&out, UInt32(buffer.count))
        guard !buffer.isEmpty else { return }
        scratch.removeAll(keepingCapacity: true)
        try buffer.withUnsafeBytes { src in
            switch inner {
            case .snappy: try Snappy.compress(src, into: &scratch)
            case .lz4: try LZ4.blockCompress(src, into: &scratch)
            }
        }
        appendBE32(&out, UInt32(scratch.count))
        out.append(contentsOf: scratch)
        buffer.removeAll(keepingCapacity: true)
    }
}
