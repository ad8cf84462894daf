@testable import EmberCodecs
import EmberCore
import XCTest

/// Decodes bytes written by the real tools (see scripts/make_codec_golden.py): Python's
/// gzip/zlib modules, the zstd and lz4 command-line tools, Arrow C++ (pyarrow.compress) and
/// Apache Spark 4.1.1's text writer (Hadoop's block framing around snappy and LZ4).
final class CodecGoldenTests: XCTestCase {
    /// Mirrors spark_line() in the script.
    static func sparkLine(_ i: Int) -> String {
        let n = String(i)
        return String(repeating: "0", count: max(0, 6 - n.count)) + n + " lorem ipsum dolor sit amet, consectetur adipiscing elit \(i % 7)"
    }

    func testArrowBuffers() throws {
        let plain = try Golden.plain
        XCTAssertEqual(plain.count, 66636)
        let cases: [(String, Codec)] = [
            ("snappy", .snappy), ("lz4_raw", .lz4Raw), ("lz4", .lz4Frame), ("zstd", .zstd), ("gzip", .gzip),
        ]
        for (file, codec) in cases {
            let c = try Golden.bytes("plain.txt.arrow." + file)
            XCTAssertEqual(try decompressed(codec, c, size: plain.count), plain, file)
        }
        try Golden.bytes("plain.txt.arrow.snappy").withUnsafeBytes { XCTAssertEqual(try Snappy.uncompressedLength(of: $0), plain.count) }
    }

    func testRatioMatchesTheReferenceEncoders() throws {
        // Snappy and LZ4 follow the reference encoders' parse, so they compress as well as
        // Arrow C++ (which calls the reference libraries) on the same text.
        let plain = try Golden.plain
        for (file, codec) in [("snappy", Codec.snappy), ("lz4_raw", .lz4Raw)] {
            let reference = try Golden.bytes("plain.txt.arrow." + file).count
            let ours = try compressed(codec, plain).count
            XCTAssertLessThanOrEqual(Double(ours), Double(reference) * 1.02, "\(codec): \(ours) vs \(reference)")
        }
    }

    func testGzipAndZlibFromPython() throws {
        let plain = try Golden.plain
        for file in ["plain.txt.gz", "plain.txt.2members.gz", "plain.txt.zlib"] {
            let c = try Golden.bytes(file)
            XCTAssertEqual(try decompressed(.gzip, c, size: plain.count), plain, file)
            let kind: FileCodec.Kind = file.hasSuffix(".zlib") ? .deflate : .gzip
            XCTAssertEqual(try streamDecode(try FileCodec.decompressor(kind), c, maxPiece: 3000), plain, file)
        }
    }

    func testZstdFromTheCLI() throws {
        let plain = try Golden.plain
        for file in ["plain.txt.zst", "plain.txt.frames.zst"] {
            let c = try Golden.bytes(file)
            XCTAssertEqual(try decompressed(.zstd, c, size: plain.count), plain, file)
            XCTAssertEqual(try c.withUnsafeBytes { try Zstd.decompress($0) }, plain, file)
            XCTAssertEqual(try streamDecode(try FileCodec.decompressor(.zstd), c, maxPiece: 3000), plain, file)
        }
    }

    func testLZ4FramesFromTheCLI() throws {
        let plain = try Golden.plain
        // Defaults (4 MiB independent blocks, content checksum), and 64 KiB linked blocks
        // with block checksums and the content size.
        for file in ["plain.txt.lz4", "plain.txt.B4D.lz4"] {
            let c = try Golden.bytes(file)
            XCTAssertEqual(try decompressed(.lz4Frame, c, size: plain.count), plain, file)
            XCTAssertEqual(try c.withUnsafeBytes { try LZ4.frameDecompress($0) }, plain, file)
            XCTAssertEqual(try streamDecode(try FileCodec.decompressor(.lz4), c, maxPiece: 3000), plain, file)
        }
        let linked = try Golden.bytes("plain.txt.B4D.lz4")
        XCTAssertEqual(linked[4] & 0x20, 0, "the -BD file has linked blocks")
        XCTAssertEqual(linked[4] & 0x10, 0x10, "and block checksums")
    }

    func testHadoopFramingFromSpark() throws {
        let expected = Array((0..<4500).map { Self.sparkLine($0) + "\n" }.joined().utf8)
        XCTAssertGreaterThan(expected.count, 261_100)  // more than one Hadoop block for both codecs
        for (file, inner, kind) in [("spark_text.snappy", HadoopBlock.Inner.snappy, FileCodec.Kind.snappy), ("spark_text.lz4", .lz4, .lz4)] {
            let c = try Golden.bytes(file)
            XCTAssertEqual(try c.withUnsafeBytes { try HadoopBlock.decompress($0, inner: inner) }, expected, file)
            XCTAssertEqual(try streamDecode(try FileCodec.decompressor(kind), c, maxPiece: 5000), expected, file)
            // Several blocks, each starting with a big-endian uncompressed length.
            let first = Int(c[0]) << 24 | Int(c[1]) << 16 | Int(c[2]) << 8 | Int(c[3])
            XCTAssertGreaterThan(first, 0)
            XCTAssertLessThan(first, expected.count)
        }
    }

    func testSnappyFramingFormat() throws {
        // The framing format's stream identifier, one compressed and one uncompressed chunk
        // (checksums: masked CRC-32C as the format's description specifies).
        let a = Array("hello hello hello hello framed snappy".utf8), b = Array("tail".utf8)
        var stream: [UInt8] = [0xFF, 6, 0, 0] + Array("sNaPpY".utf8)
        func masked(_ d: [UInt8]) -> UInt32 {
            let c = d.withUnsafeBytes { CRC32C.checksum($0) }
            return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
        }
        let ca = try compressed(.snappy, a)
        for (type, payload, plain) in [(UInt8(0), ca, a), (1, b, b)] {
            let n = payload.count + 4
            stream += [type, UInt8(n & 0xFF), UInt8(n >> 8), 0]
            let m = masked(plain)
            stream += [UInt8(m & 0xFF), UInt8((m >> 8) & 0xFF), UInt8((m >> 16) & 0xFF), UInt8(m >> 24)]
            stream += payload
        }
        XCTAssertEqual(try streamDecode(try FileCodec.decompressor(.snappy), stream, maxPiece: 10), a + b)
        // CRC-32C check value.
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0) }, 0xE306_9283)
        var bad = stream
        bad[bad.count - 1] ^= 1
        XCTAssertThrowsEmberError(try streamDecode(try FileCodec.decompressor(.snappy), bad), contains: "checksum mismatch")
    }

    func testMissingLibraryMessage() {
        switch SystemLibrary.open(["libdoes-not-exist.so.1"], for: "GZIP") {
        case .success: XCTFail("loaded a library that does not exist")
        case .failure(let e): XCTAssertTrue(e.message.hasPrefix("GZIP needs libdoes-not-exist.so.1, not found"), e.message)
        }
    }
}
