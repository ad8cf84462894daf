import EmberCodecs
import EmberCore
import Foundation
import XCTest

/// Deterministic sample inputs for the codec tests.
enum Samples {
    /// xorshift64* bytes.
    static func random(_ n: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var s = seed
        return (0..<n).map { _ in
            s ^= s >> 12; s ^= s << 25; s ^= s >> 27
            return UInt8(truncatingIfNeeded: (s &* 0x2545_F491_4F6C_DD1D) >> 56)
        }
    }

    /// CSV-like lines: words, counters and numbers (typical text-file content).
    static func text(_ n: Int) -> [UInt8] {
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
        var out: [UInt8] = []
        var i = 0
        var rnd = random(n / 8 + 16, seed: 7)
        while out.count < n {
            let w1 = words[Int(rnd[i % rnd.count]) % words.count], w2 = words[Int(rnd[(i + 1) % rnd.count]) % words.count]
            out.append(contentsOf: Array("\(i),\(w1),\(w2),\(Int(rnd[(i + 2) % rnd.count]) * 37 % 1000).\(i % 100)\n".utf8))
            i += 1
            if i % 1000 == 0 { rnd[i % rnd.count] &+= 1 }
        }
        return Array(out.prefix(n))
    }

    /// Runs of short patterns with every period from 1 to 20 (overlapping copies), long
    /// zero runs and random stretches in between.
    static func patterns() -> [UInt8] {
        var out: [UInt8] = []
        let noise = random(4096, seed: 3)
        for period in 1...20 {
            let pattern = Array(noise[(period * 7)..<(period * 7 + period)])
            for k in 0..<(period * 13 + 50) { out.append(pattern[k % period]) }
            out.append(contentsOf: noise[(period * 100)..<(period * 100 + period * 3)])
        }
        out.append(contentsOf: [UInt8](repeating: 0, count: 70_000))
        out.append(contentsOf: noise)
        return out
    }

    static let cases: [(name: String, data: [UInt8])] = [
        ("empty", []),
        ("one byte", [0x5A]),
        ("15 bytes", Array("0123456789abcde".utf8)),
        ("random 100k", random(100_000)),
        ("text 300k", text(300_000)),
        ("patterns", patterns()),
        ("zeros 1M", [UInt8](repeating: 0, count: 1 << 20)),
        ("text 5M", text(5_000_000)),
    ]
}

/// The golden files made by scripts/make_codec_golden.py (gzip/zlib from Python, zstd and
/// lz4 from their command-line tools, Arrow C++ via pyarrow, Hadoop framing by Spark 4.1.1).
enum Golden {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: dir.appendingPathComponent(name)))
    }

    static var plain: [UInt8] { get throws { try bytes("plain.txt") } }
}

/// Compresses with `codec`.
func compressed(_ codec: Codec, _ data: [UInt8], level: Int? = nil) throws -> [UInt8] {
    var out: [UInt8] = []
    try data.withUnsafeBytes { try codec.compress($0, into: &out, level: level) }
    return out
}

/// Decompresses with `codec` to exactly `size` bytes.
func decompressed(_ codec: Codec, _ data: [UInt8], size: Int) throws -> [UInt8] {
    try data.withUnsafeBytes { try codec.decompress($0, uncompressedSize: size) }
}

/// Feeds `data` to a stream decoder in pieces of varying size (1 byte to `maxPiece`).
func streamDecode(_ d: StreamDecompressor, _ data: [UInt8], maxPiece: Int = 70_000, seed: UInt64 = 1) throws -> [UInt8] {
    var out: [UInt8] = []
    var pos = 0
    let sizes = Samples.random(64, seed: seed)
    var k = 0
    while pos < data.count {
        let s = Int(sizes[k % sizes.count])
        let n = min(data.count - pos, k % 3 == 0 ? 1 + s % 7 : 1 + s * maxPiece / 256)
        try data[pos..<pos + n].withUnsafeBytes { try d.decompress($0, into: &out) }
        pos += n
        k += 1
    }
    try d.finish(into: &out)
    return out
}

/// Feeds `data` to a stream encoder in pieces of varying size.
func streamEncode(_ c: StreamCompressor, _ data: [UInt8]) throws -> [UInt8] {
    var out: [UInt8] = []
    var pos = 0
    var k = 0
    while pos < data.count {
        let n = min(data.count - pos, [1, 100, 5000, 300_000][k % 4])
        try data[pos..<pos + n].withUnsafeBytes { try c.compress($0, into: &out) }
        pos += n
        k += 1
    }
    try c.finish(into: &out)
    return out
}

func XCTAssertThrowsEmberError(
    _ body: @autoclosure () throws -> Any, contains text: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected an error containing '\(text)'", file: file, line: line)
    } catch let e as EmberError {
        XCTAssertTrue(e.message.contains(text), "'\(e.message)' does not contain '\(text)'", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
