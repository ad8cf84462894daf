import EmberCodecs
import EmberCore
import Foundation
import XCTest

/// Truncated, bit-flipped and lying inputs: every decoder must throw or produce output of
/// exactly the expected length, never crash, hang or write outside its buffer.
final class CodecCorruptionTests: XCTestCase {
    let data = Samples.text(20_000) + Samples.patterns().prefix(3000)
    /// Random corruptions per codec; EMBER_CODEC_FUZZ raises it for longer runs (e.g. under
    /// `--sanitize=address`).
    let rounds = ProcessInfo.processInfo.environment["EMBER_CODEC_FUZZ"].flatMap { Int($0) } ?? 400

    /// Decompresses into the middle of a larger buffer and checks the guard bytes around
    /// the destination. Returns whether decoding succeeded.
    func guardedDecode(_ codec: Codec, _ src: [UInt8], size: Int, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let pad = 64
        var buffer = [UInt8](repeating: 0xA5, count: size + 2 * pad)
        let ok: Bool = buffer.withUnsafeMutableBytes { b in
            src.withUnsafeBytes { s in
                do {
                    try codec.decompress(s, into: UnsafeMutableRawBufferPointer(rebasing: b[pad..<(pad + size)]))
                    return true
                } catch is EmberError {
                    return false
                } catch {
                    XCTFail("\(codec): not an EmberError: \(error)", file: file, line: line)
                    return false
                }
            }
        }
        XCTAssertTrue(buffer[..<pad].allSatisfy { $0 == 0xA5 }, "\(codec) wrote before its buffer", file: file, line: line)
        XCTAssertTrue(buffer[(pad + size)...].allSatisfy { $0 == 0xA5 }, "\(codec) wrote past its buffer", file: file, line: line)
        return ok
    }

    func testTruncatedBuffersThrow() throws {
        for codec in Codec.allCases where codec != .uncompressed {
            let c = try compressed(codec, data)
            var lengths = Array(stride(from: 0, to: c.count, by: max(1, c.count / 150)))
            lengths += (max(0, c.count - 24)..<c.count)
            for n in lengths {
                XCTAssertFalse(guardedDecode(codec, Array(c.prefix(n)), size: data.count), "\(codec) accepted \(n) of \(c.count) bytes")
            }
            XCTAssertTrue(guardedDecode(codec, c, size: data.count))
            // The wrong expected size fails both ways.
            XCTAssertFalse(guardedDecode(codec, c, size: data.count - 1), "\(codec) short")
            XCTAssertFalse(guardedDecode(codec, c, size: data.count + 1), "\(codec) long")
        }
    }

    func testFlippedBytesThrowOrKeepTheLength() throws {
        var rng = Samples.random(60 * rounds + 100, seed: 99)[...]
        func next() -> Int { Int(rng.popFirst() ?? 0) << 8 | Int(rng.popFirst() ?? 0) }
        for codec in Codec.allCases where codec != .uncompressed {
            let c = try compressed(codec, data)
            var failures = 0
            for _ in 0..<rounds {
                var bad = c
                for _ in 0..<(1 + next() % 3) {
                    bad[next() % bad.count] ^= UInt8(1 + next() % 255)
                }
                if !guardedDecode(codec, bad, size: data.count) { failures += 1 }
                // The sized API never returns a wrong length.
                if let out = try? decompressed(codec, bad, size: data.count) { XCTAssertEqual(out.count, data.count) }
            }
            // Checksummed formats reject (nearly) every flip.
            if codec == .gzip || codec == .lz4Frame { XCTAssertGreaterThan(failures, rounds * 95 / 100, "\(codec)") }
        }
    }

    func testStreamsRejectTruncationAndCorruption() throws {
        for kind in FileCodec.Kind.allCases {
            let c = try streamEncode(try FileCodec.compressor(kind), data)
            for n in stride(from: 1, to: c.count, by: max(1, c.count / 60)) {
                let prefix = Array(c.prefix(n))
                do {
                    let out = try streamDecode(try FileCodec.decompressor(kind), prefix, maxPiece: 777)
                    // Only a cut at a block or frame boundary can be a valid, shorter stream.
                    XCTAssertEqual(out, Array(data.prefix(out.count)), "\(kind) at \(n)")
                    XCTAssertLessThan(out.count, data.count)
                } catch is EmberError {}
            }
            var rng = Samples.random(30 * rounds, seed: 5)[...]
            for _ in 0..<(rounds * 3 / 8) {
                var bad = c
                let at = (Int(rng.popFirst() ?? 0) << 8 | Int(rng.popFirst() ?? 0)) % bad.count
                bad[at] ^= UInt8(1 + Int(rng.popFirst() ?? 0) % 255)
                do { _ = try streamDecode(try FileCodec.decompressor(kind), bad, maxPiece: 4096) } catch is EmberError {}
            }
        }
    }

    func testLyingSizesAreRefusedBeforeAllocating() throws {
        for codec in Codec.allCases where codec != .uncompressed {
            let c = try compressed(codec, Array("abc".utf8))
            XCTAssertThrowsEmberError(try decompressed(codec, c, size: 1 << 40), contains: "cannot come from")
            XCTAssertThrowsEmberError(try decompressed(codec, c, size: -1), contains: "cannot come from")
        }
        // A snappy header claiming 4 GiB over a few bytes of body.
        let liar: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x61]
        try liar.withUnsafeBytes { XCTAssertThrowsEmberError(try Snappy.decompress($0), contains: "more than the limit") }
        try liar.withUnsafeBytes { XCTAssertThrowsEmberError(try Snappy.decompress($0, maxLength: Int.max), contains: "compressed bytes can hold") }
        // An LZ4 frame whose header declares a huge content size.
        var frame = try compressed(.lz4Frame, Array("abc".utf8))
        frame[13] = 0x7F  // content size field, high byte
        try frame.withUnsafeBytes { XCTAssertThrowsEmberError(try LZ4.frameDecompress($0), contains: "checksum mismatch") }
        // A Hadoop chunk that declares 1 GiB but holds 4 bytes: an error at the end, no allocation.
        let hadoop: [UInt8] = [0, 0, 0, 10, 0x40, 0, 0, 0, 1, 2, 3, 4]
        try hadoop.withUnsafeBytes { XCTAssertThrowsEmberError(try HadoopBlock.decompress($0, inner: .snappy), contains: "ends inside a block") }
        let tooBig: [UInt8] = [0, 0, 0, 10, 0x7F, 0, 0, 0, 1, 2, 3, 4]
        try tooBig.withUnsafeBytes { XCTAssertThrowsEmberError(try HadoopBlock.decompress($0, inner: .lz4), contains: "a chunk declares") }
        // A zstd frame that declares more than the caller expects fails before decoding.
        let z = try compressed(.zstd, Samples.text(5000))
        XCTAssertThrowsEmberError(try decompressed(.zstd, z, size: 100), contains: "the frame declares 5000 bytes, expected 100")
    }

    func testErrorMessagesNameCodecAndOffset() throws {
        // Copy offset 3 before any output exists: the element at byte 1 is invalid.
        let bad: [UInt8] = [0x05, 0x01 | (0 << 2), 0x03]
        XCTAssertThrowsEmberError(try decompressed(.snappy, bad, size: 5), contains: "Corrupt SNAPPY data at byte 1: a copy refers to offset 3")
        XCTAssertThrowsEmberError(try decompressed(.gzip, [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF], size: 5), contains: "Corrupt GZIP data at byte")
        XCTAssertThrowsEmberError(try decompressed(.zstd, [0x28, 0xB5, 0x2F, 0xFD, 0, 0, 0], size: 5), contains: "Corrupt ZSTD data")
        XCTAssertThrowsEmberError(try decompressed(.lz4Frame, [1, 2, 3, 4, 5], size: 5), contains: "Corrupt LZ4 frame data at byte 0: not an LZ4 frame")
    }
}
