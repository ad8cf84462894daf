import EmberCore

/// Compressed text files (CSV, JSON lines, text), chosen by file extension as Hadoop's
/// `CompressionCodecFactory` does. Such files are read as one stream (not split).
public enum FileCodec {
    public enum Kind: String, Sendable, CaseIterable {
        /// `.gz`: gzip, any number of concatenated members.
        case gzip
        /// `.deflate`: a zlib stream (Hadoop's DefaultCodec).
        case deflate
        /// `.zst` / `.zstd`: zstd, any number of concatenated frames.
        case zstd
        /// `.snappy`: Hadoop's block-framed snappy (what Spark writes); files in the snappy
        /// framing format (`sNaPpY`) are recognized and read too.
        case snappy
        /// `.lz4`: Hadoop's block-framed LZ4 (what Spark writes) or the LZ4 frame format of
        /// the `lz4` tool, told apart by the frame magic number.
        case lz4
        /// `.bz2`: bzip2 (Hadoop's BZip2Codec), any number of concatenated streams.
        case bzip2

        /// The extension writers append (Hadoop's default extensions).
        public var fileExtension: String {
            switch self {
            case .gzip: return ".gz"
            case .deflate: return ".deflate"
            case .zstd: return ".zst"
            case .snappy: return ".snappy"
            case .lz4: return ".lz4"
            case .bzip2: return ".bz2"
            }
        }

        /// The codec a writer's `compression` (or `codec`) option names: Spark's short names
        /// (plus `zstd`, which Spark's text writers accept only as a class name) or Hadoop
        /// codec class names, case-insensitive; nil for `none` / `uncompressed`. Throws for
        /// unknown names (Spark's CODEC_NOT_AVAILABLE).
        public static func forOption(_ value: String) throws -> Kind? {
            switch value.lowercased() {
            case "none", "uncompressed": return nil
            case "gzip", "org.apache.hadoop.io.compress.gzipcodec": return .gzip
            case "deflate", "org.apache.hadoop.io.compress.defaultcodec", "org.apache.hadoop.io.compress.deflatecodec": return .deflate
            case "zstd", "org.apache.hadoop.io.compress.zstandardcodec": return .zstd
            case "snappy", "org.apache.hadoop.io.compress.snappycodec": return .snappy
            case "lz4", "org.apache.hadoop.io.compress.lz4codec": return .lz4
            case "bzip2", "org.apache.hadoop.io.compress.bzip2codec": return .bzip2
            default:
                throw EmberError(
                    errorClass: "CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION", sqlState: "56038",
                    message: "The codec \(value) is not available. Available codecs are bzip2, deflate, uncompressed, snappy, none, lz4, gzip, zstd.")
            }
        }
    }

    /// A text writer's codec from its options (keys lowercased): `compression`, else `codec`,
    /// the order Spark reads them in; nil for none.
    public static func forWriterOptions(_ lowercased: [String: String]) throws -> Kind? {
        guard let v = lowercased["compression"] ?? lowercased["codec"] else { return nil }
        return try Kind.forOption(v)
    }

    /// A text writer's part-file extension, as Spark names them: `base`, then the codec's
    /// (`csv`, `csv.gz`, `json.bz2`, `txt.zst`).
    public static func partExtension(_ base: String, _ kind: Kind?) -> String {
        base + (kind?.fileExtension ?? "")
    }

    /// The codec a file's name asks for (case-insensitive extension); nil for others.
    public static func forPath(_ path: String) -> Kind? {
        let lower = path.lowercased()
        if lower.hasSuffix(".gz") { return .gzip }
        if lower.hasSuffix(".zst") || lower.hasSuffix(".zstd") { return .zstd }
        if lower.hasSuffix(".snappy") { return .snappy }
        if lower.hasSuffix(".lz4") { return .lz4 }
        if lower.hasSuffix(".deflate") { return .deflate }
        if lower.hasSuffix(".bz2") { return .bzip2 }
        return nil
    }

    /// A decoder for a whole file of `kind`.
    public static func decompressor(_ kind: Kind) throws -> StreamDecompressor {
        switch kind {
        case .gzip: return try ZlibStreamDecoder(name: "GZIP")
        case .deflate: return try ZlibStreamDecoder(name: "DEFLATE")
        case .zstd: return try ZstdStreamDecoder()
        case .bzip2: return try Bzip2StreamDecoder()
        case .snappy:
            return SniffingDecoder(prefix: 1) { p in
                p[0] == 0xFF ? SnappyFramedDecoder() as StreamDecompressor : HadoopBlockDecoder(.snappy)
            }
        case .lz4:
            return SniffingDecoder(prefix: 4) { p in
                let magic = load32(p)
                let isFrame = magic == LZ4FrameHeader.magic
                    || magic & LZ4FrameHeader.skippableMask == LZ4FrameHeader.skippableMagic
                return isFrame ? LZ4FrameStreamDecoder() as StreamDecompressor : HadoopBlockDecoder(.lz4)
            }
        }
    }

    /// An encoder for writers: gzip, a zlib stream, zstd, bzip2, or Hadoop's block framing
    /// for snappy and LZ4 (so Spark reads the files back). `level` as for `Codec` (for
    /// bzip2: the block size in 100 000 bytes, 1...9, default 9).
    public static func compressor(_ kind: Kind, level: Int? = nil) throws -> StreamCompressor {
        switch kind {
        case .gzip: return try ZlibCompressor(level: level, zlibFormat: false)
        case .deflate: return try ZlibCompressor(level: level, zlibFormat: true)
        case .zstd: return try ZstdCompressor(level: level)
        case .snappy: return HadoopBlockCompressor(.snappy)
        case .lz4: return HadoopBlockCompressor(.lz4)
        case .bzip2: return try Bzip2Compressor(level: level)
        }
    }
}

/// Holds back the first `prefix` bytes of a file, then lets them pick the real decoder.
final class SniffingDecoder: StreamDecompressor {
    private let prefix: Int
    private let choose: (UnsafePointer<UInt8>) -> StreamDecompressor
    private var head: [UInt8] = []
    private var inner: StreamDecompressor?

    init(prefix: Int, choose: @escaping (UnsafePointer<UInt8>) -> StreamDecompressor) {
        self.prefix = prefix
        self.choose = choose
    }

    func decompress(_ chunk: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let d = inner { return try d.decompress(chunk, sink: sink) }
        head.append(contentsOf: chunk)
        guard head.count >= prefix else { return }
        let d = head.withUnsafeBufferPointer { b in b.baseAddress.map(choose) }
        guard let decoder = d else { return }
        inner = decoder
        let bytes = head
        head = []
        try bytes.withUnsafeBytes { try decoder.decompress($0, sink: sink) }
    }

    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let d = inner { return try d.finish(sink: sink) }
        guard head.isEmpty else {
            throw EmberError.corruptData("compressed file", at: 0, "the file is only \(head.count) bytes long")
        }
    }
}
