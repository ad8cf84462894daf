import EmberColumnar
import EmberCore
@testable import EmberIO
import Foundation
import XCTest

/// Corrupt, truncated and random inputs to the Parquet reader: each must give a thrown
/// error (naming the file) or a result, never a trap, a hang or a huge allocation.
final class ParquetFuzzTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "ember-pqfuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    struct RNG {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Reads `bytes` as a Parquet file; returns the error if it threw.
    func attempt(_ bytes: [UInt8], _ name: String) -> Error? {
        let path = dir + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try ParquetReader.readFile(path)
            return nil
        } catch {
            return error
        }
    }

    func testNotParquet() throws {
        let e1 = attempt(Array("hello, world, this is a CSV file\n".utf8), "a.parquet")
        XCTAssertTrue("\(e1.map { "\($0)" } ?? "")".contains("is not a Parquet file: expected magic number PAR1 at byte"), "\(String(describing: e1))")
        let e2 = attempt([], "empty.parquet")
        XCTAssertTrue("\(e2.map { "\($0)" } ?? "")".contains("is not a Parquet file: it is only 0 bytes"))
        // Footer length that lies.
        var lie = Array("PAR1".utf8) + [UInt8](repeating: 0, count: 20) + [0xff, 0xff, 0xff, 0x7f] + Array("PAR1".utf8)
        let e3 = attempt(lie, "lie.parquet")
        XCTAssertTrue("\(e3.map { "\($0)" } ?? "")".contains("footer length 2147483647 at byte 24"), "\(String(describing: e3))")
        // Footer that is not Thrift.
        lie = Array("PAR1".utf8) + [0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00] + [8, 0, 0, 0] + Array("PAR1".utf8)
        XCTAssertNotNil(attempt(lie, "thrift.parquet"))
    }

    /// Every truncation and thousands of random byte flips of real files.
    func testTruncationsAndBitFlips() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/parquet").path
        var r = RNG(s: 42)
        for name in ["pa_plain_none_v1", "pa_delta_v2", "pa_nested_v1", "pa_int96", "pa_dict_snappy_v1", "pa_plain_zstd_v2"] {
            let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: golden + "/\(name).parquet")))
            // Truncations: all of them near the ends, a sample in the middle.
            var cuts = Array(0..<min(64, data.count)) + Array(max(0, data.count - 64)..<data.count)
            for _ in 0..<64 { cuts.append(Int(r.next() % UInt64(data.count))) }
            for cut in cuts {
                let e = attempt(Array(data[0..<cut]), "t.parquet")
                XCTAssertNotNil(e, "\(name) cut at \(cut) read without error")
            }
            // Random byte changes: may read (wrong values) or throw, never crash.
            for i in 0..<400 {
                var d = data
                for _ in 0..<(1 + Int(r.next() % 4)) {
                    let at = Int(r.next() % UInt64(d.count))
                    d[at] = UInt8(truncatingIfNeeded: r.next())
                }
                if let e = attempt(d, "f\(i % 3).parquet") as? EmberError {
                    XCTAssertTrue(e.message.contains(dir), "error should name the file: \(e)")
                }
            }
        }
    }

    func testRandomBytesWithMagic() throws {
        var r = RNG(s: 7)
        for i in 0..<300 {
            let n = Int(r.next() % 300)
            var d = Array("PAR1".utf8)
            for _ in 0..<n { d.append(UInt8(truncatingIfNeeded: r.next())) }
            let len = UInt32(r.next() % UInt64(n + 1))
            d += [UInt8(len & 0xff), UInt8(len >> 8 & 0xff), 0, 0] + Array("PAR1".utf8)
            XCTAssertNotNil(attempt(d, "r\(i % 5).parquet"), "random file \(i) read without error")
        }
    }
}
