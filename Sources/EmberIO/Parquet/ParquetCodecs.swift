import EmberCodecs
import EmberCore

/// Page compression for Parquet, through EmberCodecs.
enum ParquetCodecs {
    static func codec(_ c: ParquetCodec, what: String) throws -> Codec {
        guard let codec = Codec(parquet: c.rawValue) else {
            throw EmberError.unsupported("\(what): compression codec \(c.name) is not supported (Ember reads UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW)")
        }
        return codec
    }

    /// Runs `body` over the uncompressed bytes of a page (without a copy when the page is
    /// stored uncompressed). The result must be exactly `uncompressedSize` bytes.
    static func withDecompressed<R>(
        _ codec: ParquetCodec, _ src: UnsafeRawBufferPointer, uncompressedSize: Int, what: String,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        guard uncompressedSize >= 0 else { throw EmberError.corruptFile("\(what): negative uncompressed size") }
        if codec == .uncompressed {
            guard src.count == uncompressedSize else {
                throw EmberError.corruptFile("\(what): uncompressed page is \(src.count) bytes but its header says \(uncompressedSize)")
            }
            return try body(src)
        }
        let c = try self.codec(codec, what: what)
        let plain: [UInt8]
        do {
            plain = try c.decompress(src, uncompressedSize: uncompressedSize)
        } catch let e as EmberError {
            throw EmberError.corruptFile("\(what): \(e.message)")
        }
        return try plain.withUnsafeBytes { try body($0) }
    }

    /// Compresses a page body; returns nil for UNCOMPRESSED (the input is used as is).
    static func compress(_ codec: ParquetCodec, _ src: [UInt8], level: Int?) throws -> [UInt8]? {
        if codec == .uncompressed { return nil }
        let c = try self.codec(codec, what: "Parquet writer")
        var out: [UInt8] = []
        out.reserveCapacity(src.count / 2 + 64)
        try src.withUnsafeBytes { try c.compress($0, into: &out, level: level) }
        return out
    }
}
