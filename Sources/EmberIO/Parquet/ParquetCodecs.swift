import EmberCore

/// Page compression for Parquet.
enum ParquetCodecs {
    /// Runs `body` over the uncompressed bytes of a page (without a copy when the page is
    /// stored uncompressed). The result must be exactly `uncompressedSize` bytes.
    static func withDecompressed<R>(
        _ codec: ParquetCodec, _ src: UnsafeRawBufferPointer, uncompressedSize: Int, what: String,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        guard uncompressedSize >= 0 else { throw EmberError.corruptFile("\(what): negative uncompressed size") }
        switch codec {
        case .uncompressed:
            guard src.count == uncompressedSize else {
                throw EmberError.corruptFile("\(what): uncompressed page is \(src.count) bytes but its header says \(uncompressedSize)")
            }
            return try body(src)
        default:
            throw EmberError.unsupported("\(what): compression codec \(codec.name) is not supported")
        }
    }

    /// Compresses a page body; returns nil for UNCOMPRESSED (the input is used as is).
    static func compress(_ codec: ParquetCodec, _ src: [UInt8], level: Int?) throws -> [UInt8]? {
        switch codec {
        case .uncompressed: return nil
        default: throw EmberError.unsupported("Parquet compression codec \(codec.name) is not supported for writing")
        }
    }
}
