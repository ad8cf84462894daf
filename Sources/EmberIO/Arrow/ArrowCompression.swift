import EmberCodecs
import EmberCore

/// Compression of Arrow IPC record batch bodies (`BodyCompression` in Message.fbs): each
/// buffer is compressed on its own and prefixed with its uncompressed length as int64
/// (-1 = stored uncompressed).
public enum ArrowCompression: String, Sendable, CaseIterable {
    case none
    case lz4Frame = "lz4"
    case zstd

    /// Parses a writer option: `none`/`uncompressed`, `lz4`/`lz4_frame`, `zstd`.
    public init(option: String) throws {
        switch option.lowercased() {
        case "none", "uncompressed", "": self = .none
        case "lz4", "lz4_frame", "lz4frame": self = .lz4Frame
        case "zstd": self = .zstd
        default:
            throw EmberError.invalidArgument("Unknown Arrow compression '\(option)'. Accepted values are 'none', 'lz4' and 'zstd'.")
        }
    }

    /// Whether this build can compress and decompress with this codec (the codecs live
    /// in the EmberCodecs target).
    public var isAvailable: Bool {
        self == .none || (try? [UInt8](repeating: 0, count: 64).withUnsafeBytes { try ArrowCodec.compress(self, $0) }) != nil
    }

    /// `CompressionType` value in the flatbuffer; nil for no compression.
    var flatbufferCode: Int8? {
        switch self {
        case .none: return nil
        case .lz4Frame: return 0
        case .zstd: return 1
        }
    }
}

/// The one place Arrow buffers are compressed and decompressed.
enum ArrowCodec {
    /// Largest uncompressed buffer accepted (Ember's offsets are 32-bit).
    static let maxBufferSize = Int(Int32.max)

    static func codec(_ c: ArrowCompression) throws -> Codec {
        guard let code = c.flatbufferCode, let codec = Codec(arrowIPC: code) else {
            throw EmberError.internalError("no Arrow compression codec")
        }
        return codec
    }

    /// The compressed form of `src` (an LZ4 frame or a zstd frame).
    static func compress(_ codec: ArrowCompression, _ src: UnsafeRawBufferPointer) throws -> [UInt8] {
        var out = [UInt8]()
        try self.codec(codec).compress(src, into: &out, level: nil)
        return out
    }

    /// Decompresses `src` into exactly `uncompressedSize` bytes.
    static func decompress(_ codec: ArrowCompression, _ src: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        try self.codec(codec).decompress(src, uncompressedSize: uncompressedSize)
    }

    /// The largest uncompressed size a `compressedSize`-byte buffer can honestly claim;
    /// a larger claim is corrupt (and would otherwise drive a huge allocation).
    static func maxExpansion(_ codec: ArrowCompression, compressedSize: Int) -> Int {
        // LZ4 expands at most ~255x; a zstd RLE block of 3 bytes encodes up to 128 KiB.
        let ratio = codec == .lz4Frame ? 256 : 65_536
        guard compressedSize < maxBufferSize / ratio else { return maxBufferSize }
        return min(maxBufferSize, compressedSize * ratio + 4096)
    }

    static func unavailable(_ codec: ArrowCompression) -> EmberError {
        EmberError.unsupported("Arrow IPC \(codec == .zstd ? "ZSTD" : "LZ4_FRAME") body compression needs the EmberCodecs codecs, which this build does not include")
    }
}
