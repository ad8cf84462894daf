import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// Corrupt input must throw or decode, never trap, hang or allocate without bound: random
/// bytes, every truncation of valid streams and files, and random byte changes (fixed seed).
final class ArrowIPCFuzzTests: XCTestCase {
    /// Valid inputs to corrupt: Ember-written stream and file, and pyarrow golden files
    /// (dictionaries with deltas, nested types, views, unsigned and large types).
    func seeds() throws -> [(String, [UInt8])] {
        let b = try AllTypes.batch()
        let schema = try AllTypes.schema
        return [
            ("ember stream", try ArrowIPC.writeStream(schema: schema, batches: [b])),
            ("ember file", try ArrowIPC.fileBytes(schema: schema, batches: [b, b.slice(1..<2)])),
            ("dictionary.arrows", try ArrowFixture.bytes("dictionary.arrows")),
            ("nested.arrows", try ArrowFixture.bytes("nested.arrows")),
            ("other_types.arrows", try ArrowFixture.bytes("other_types.arrows")),
            ("file.arrow", try ArrowFixture.bytes("file.arrow")),
        ]
    }

    /// Decodes every column (and a projection); returns whether it succeeded.
    @discardableResult
    func decode(_ bytes: [UInt8]) -> Bool {
        let whole = (try? ArrowIPC.read(bytes)) != nil
        _ = try? ArrowIPC.read(bytes, projection: [0])
        if let r = try? ArrowStreamReader(bytes) {
            while (try? r.next()) != nil {}
        }
        return whole
    }

    func testEveryTruncation() throws {
        for (name, bytes) in try seeds() {
            XCTAssertTrue(decode(bytes), "\(name) decodes whole")
            var decoded = 0
            for n in 0..<bytes.count where decode(Array(bytes[0..<n])) { decoded += 1 }
            if name.hasSuffix("file") || name.hasSuffix(".arrow") {
                XCTAssertEqual(decoded, 0, "\(name): a truncated file must never decode")
            } else {
                // Only cuts at message boundaries (where a stream may end) decode.
                XCTAssertLessThan(decoded, 12, name)
            }
        }
    }

    func testRandomByteChanges() throws {
        var rng = SplitMix64(seed: 42)
        let interesting: [UInt8] = [0, 0xFF, 0x7F, 0x80, 1, 8, 0xFE]
        var failures = 0, total = 0
        for (_, bytes) in try seeds() {
            for _ in 0..<600 {
                var b = bytes
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<b.count, using: &rng)
                    b[i] = Bool.random(using: &rng) ? interesting[Int.random(in: 0..<interesting.count, using: &rng)] : UInt8.random(in: 0...255, using: &rng)
                }
                total += 1
                if !decode(b) { failures += 1 }
            }
        }
        XCTAssertGreaterThan(failures, total / 10, "byte changes must be detected (not only succeed)")
    }

    func testRandomBytes() throws {
        var rng = SplitMix64(seed: 99)
        let prefixes: [[UInt8]] = [[], [0xFF, 0xFF, 0xFF, 0xFF], Array("ARROW1".utf8) + [0, 0], [0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0]]
        for i in 0..<2000 {
            var b = prefixes[i % prefixes.count]
            b += (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if i % 8 == 2 { b += Array("ARROW1".utf8) }
            decode(b)
        }
        XCTAssertThrowsError(try ArrowIPC.readStream([]))
        XCTAssertThrowsError(try ArrowIPC.readStream([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]))
    }
}
