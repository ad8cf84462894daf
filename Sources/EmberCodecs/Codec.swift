import EmberCore

/// The block codecs of Parquet pages and Arrow IPC buffers. Snappy and LZ4 are pure Swift;
/// GZIP and ZSTD call the system's zlib and zstd, loaded at run time.
public enum Codec: String, Sendable, CaseIterable {
    case uncompressed, snappy, gzip, zstd, lz4Raw, lz4Frame

    /// The codec of a Parquet `CompressionCodec` value: 0 UNCOMPRESSED, 1 SNAPPY, 2 GZIP,
    /// 6 ZSTD, 7 LZ4_RAW. Nil for LZO (3), BROTLI (4), the deprecated LZ4 (5: Hadoop's
    /// framing when parquet-mr wrote it, see `HadoopBlock`) and unknown values.
    public init?(parquet value: Int32) {
        switch value {
        case 0: self = .uncompressed
        case 1: self = .snappy
        case 2: self = .gzip
        case 6: self = .zstd
        case 7: self = .lz4Raw
        default: return nil
        }
    }

    /// Parquet's `CompressionCodec` value (nil for LZ4 frames, which Parquet does not use).
    public var parquetValue: Int32? {
        switch self {
        case .uncompressed: return 0
        case .snappy: return 1
        case .gzip: return 2
        case .zstd: return 6
        case .lz4Raw: return 7
        case .lz4Frame: return nil
        }
    }

    /// The codec of an Arrow IPC `BodyCompression` (0 LZ4_FRAME, 1 ZSTD).
    public init?(arrowIPC value: Int8) {
        switch value {
        case 0: self = .lz4Frame
        case 1: self = .zstd
        default: return nil
        }
    }

    var displayName: String {
        switch self {
        case .uncompressed: return "UNCOMPRESSED"
        case .snappy: return Snappy.name
        case .gzip: return Gzip.name
        case .zstd: return Zstd.name
        case .lz4Raw: return LZ4.blockName
        case .lz4Frame: return LZ4.frameName
        }
    }
}

extension Codec {
    /// Compresses `src`, appending to `out`. `level` applies to GZIP (0...9, default 6) and
    /// ZSTD (default 3); LZ4_RAW takes it as the acceleration factor; others ignore it.
    public func compress(_ src: UnsafeRawBufferPointer, into out: inout [UInt8], level: Int? = nil) throws {
        switch self {
        case .uncompressed: out.append(contentsOf: src)
        case .snappy: try Snappy.compress(src, into: &out)
        case .gzip: try Gzip.compress(src, into: &out, level: level)
        case .zstd: try Zstd.compress(src, into: &out, level: level)
        case .lz4Raw: try LZ4.blockCompress(src, into: &out, acceleration: level ?? 1)
        case .lz4Frame: try LZ4.frameCompress(src, into: &out)
        }
    }

    /// Decompresses a whole buffer whose decompressed size is known exactly (Parquet pages,
    /// Arrow buffers). Throws if the output is not exactly `uncompressedSize` bytes, if the
    /// input is corrupt or truncated, or if `uncompressedSize` is more than `src` could
    /// possibly hold (a lying size is refused before anything is allocated).
    public func decompress(_ src: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        guard uncompressedSize >= 0, uncompressedSize <= maxDecompressedSize(compressedSize: src.count) else {
            throw EmberError.corruptData(
                displayName, at: 0, "\(uncompressedSize) uncompressed bytes cannot come from \(src.count) compressed bytes")
        }
        return try [UInt8](unsafeUninitializedCapacity: uncompressedSize) { buf, n in
            try decompress(src, into: UnsafeMutableRawBufferPointer(buf))
            n = uncompressedSize
        }
    }

    /// Decompresses into caller memory; exactly `dst.count` bytes must result.
    public func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        switch self {
        case .uncompressed:
            guard src.count == dst.count else {
                throw EmberError.corruptData(displayName, at: 0, "\(src.count) bytes, expected \(dst.count)")
            }
            if let d = dst.baseAddress, let s = src.baseAddress { d.copyMemory(from: s, byteCount: src.count) }
        case .snappy: try Snappy.decompress(src, into: dst)
        case .gzip: try Gzip.decompress(src, into: dst)
        case .zstd: try Zstd.decompress(src, into: dst)
        case .lz4Raw: try LZ4.blockDecompress(src, into: dst)
        case .lz4Frame: try LZ4.frameDecompress(src, into: dst)
        }
    }

    /// The most bytes `compressedSize` bytes of this codec can decode to: snappy 64 bytes
    /// per 3, LZ4 255 per byte, deflate 1032 per byte, zstd 2^15 per byte (an RLE block).
    public func maxDecompressedSize(compressedSize n: Int) -> Int {
        let (ratio, slack): (Int, Int)
        switch self {
        case .uncompressed: return n
        case .snappy: (ratio, slack) = (Snappy.maxRatio, 0)
        case .lz4Raw, .lz4Frame: (ratio, slack) = (256, 64)
        case .gzip: (ratio, slack) = (1032, 1024)
        case .zstd: (ratio, slack) = (1 << 15, 1 << 17)
        }
        let (m, overflow) = n.multipliedReportingOverflow(by: ratio)
        return overflow ? Int.max : m + slack
    }
}
