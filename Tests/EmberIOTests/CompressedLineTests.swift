import Ember
import EmberCodecs
import Foundation
import XCTest

/// JSON and text inputs compressed by extension (`.gz`, `.zst`), read as one stream each.
final class CompressedLineTests: XCTestCase {
    func testJSONAndTextFromCompressedFiles() throws {
        let dir = NSTemporaryDirectory() + "ember-cline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = ""
        for i in 0..<5000 { text += "{\"id\":\(i),\"name\":\"n\(i % 7)\"}\n" }
        let plain = Array(text.utf8)
        for (ext, codec) in [("gz", Codec.gzip), ("zst", Codec.zstd)] {
            var out: [UInt8] = []
            try plain.withUnsafeBytes { try codec.compress($0, into: &out) }
            FileManager.default.createFile(atPath: dir + "/people.json.\(ext)", contents: Data(out))
        }
        let spark = try Session.local(cores: 2)
        for ext in ["gz", "zst"] {
            let df = spark.read.json(dir + "/people.json.\(ext)")
            XCTAssertEqual(try df.schema().ddl, "id BIGINT,name STRING")
            XCTAssertEqual(try df.agg(count(lit(1)), sum(col("id"))).collect().map { $0.values }, [[.long(5000), .long(12_497_500)]])
            let lines = spark.read.text(dir + "/people.json.\(ext)")
            XCTAssertEqual(try lines.count(), 5000)
            XCTAssertEqual(try lines.first()?.values, [.string("{\"id\":0,\"name\":\"n0\"}")])
        }
        // A corrupt compressed file names itself.
        FileManager.default.createFile(atPath: dir + "/bad.json.gz", contents: Data([0x1f, 0x8b, 8, 0, 1, 2, 3]))
        XCTAssertThrowsError(try spark.read.json(dir + "/bad.json.gz").collect()) { e in
            XCTAssertTrue("\(e)".contains("bad.json.gz"), "\(e)")
        }
    }
}
