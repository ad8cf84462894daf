import Ember
import EmberColumnar
import EmberCore
@testable import EmberIO
import Foundation
import XCTest

/// Spark's schema JSON in Parquet footers (`org.apache.spark.sql.parquet.row.metadata`).
/// The golden files come from Apache Spark 4.1.1 and pyarrow via
/// scripts/make_parquet_metadata_golden.py: `spark_metadata/` is a file Spark wrote for
/// `schema` below, `spark_metadata.footer.json` its footer value.
final class ParquetMetadataTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/parquet").path

    /// The script's schema; metadata values as Ember holds them (JSON text, any key order).
    static let schema = Schema([
        StructField("label", .double, nullable: false, metadata: ["ml_attr": #"{"name":"label","type":"nominal","vals":["a","b","c"]}"#]),
        StructField("features", .vector, metadata: [
            "ml_attr": #"{"attrs":{"nominal":[{"idx":1,"name":"f_1","num_vals":3}],"numeric":[{"idx":0,"name":"f_0"}]},"num_attrs":2}"#,
        ]),
        StructField("info", .string, metadata: [
            "comment": #""note \"q\"\n\u00e9""#, "a": "1", "b": "2.5", "c": "true", "d": "null", "e": "[1, 2]",
            "f": #"["x"]"#, "g": "1e10", "h": #"{"z": 1, "y": 2}"#,
        ]),
        StructField("s", .structure([
            StructField("x", .int, metadata: ["inner": #""yes""#]), StructField("y", .decimal(precision: 10, scale: 2)),
        ])),
        StructField("tags", .array(element: .string, containsNull: true)),
        StructField("m", .map(key: .string, value: .long, valueContainsNull: false)),
        StructField("d", .date), StructField("ts", .timestamp), StructField("bin", .binary),
        StructField("i8", .byte), StructField("i16", .short), StructField("f", .float), StructField("flag", .boolean),
    ])

    static let rows: [[Value]] = [
        [
            .double(1), .structure([.byte(1), .null, .null, .array([.double(1), .double(2)])]), .string("x"),
            .structure([.int(1), .decimal(Decimal128(unscaled: 325, scale: 2))]), .array([.string("a"), .null]),
            .map(keys: [.string("k")], values: [.long(7)]), .date(19724), .timestamp(1_704_164_645_000_000),
            .binary([1, 2]), .byte(1), .short(2), .float(0.5), .boolean(true),
        ],
        [.double(0), .structure([.byte(0), .int(3), .array([.int(1)]), .array([.double(4)])])] + Array(repeating: .null, count: 11),
    ]

    func goldenFooter() throws -> String {
        try String(contentsOfFile: Self.golden + "/spark_metadata.footer.json", encoding: .utf8)
    }

    func partFile(_ dir: String) throws -> String {
        let name = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".parquet") }.sorted()
        guard let first = name.first else { throw EmberError.pathNotFound(dir) }
        return dir + "/" + first
    }

    /// (a) Ember's footer for the schema is the text Spark wrote, byte for byte, whatever
    /// order the metadata keys come in; Ember reads its own metadata back.
    func testEmberWritesSparkSchemaJSON() throws {
        let dir = NSTemporaryDirectory() + "ember-pqmeta-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spark = try Session.local(cores: 1)
        try spark.createDataFrame(Self.rows, schema: Self.schema).write.parquet(dir)
        let info = try ParquetFileInfo(path: try partFile(dir))
        XCTAssertEqual(info.keyValueMetadata[ParquetSparkSchema.key], try goldenFooter())
        XCTAssertEqual(ParquetSparkSchema.json(Self.schema), try goldenFooter())
        let back = try spark.read.parquet(dir).schema()
        XCTAssertEqual(back.fields[0].metadata, ["ml_attr": #"{"vals":["a","b","c"],"name":"label","type":"nominal"}"#])
        XCTAssertEqual(back.fields[2].metadata["g"], "1.0E10")
        XCTAssertEqual(back.fields[1].dataType, .vector)
    }

    /// (c) A file Spark wrote: its columns get the field metadata of its schema JSON, in
    /// Spark's key order, and the vector column is a vector.
    func testEmberReadsSparkFieldMetadata() throws {
        let spark = try Session.local(cores: 1)
        let df = spark.read.parquet(Self.golden + "/spark_metadata")
        let schema = try df.schema()
        XCTAssertEqual(schema.names, Self.schema.names)
        XCTAssertEqual(schema.fields[0].metadata, ["ml_attr": #"{"vals":["a","b","c"],"name":"label","type":"nominal"}"#])
        XCTAssertEqual(schema.fields[1].dataType, .vector)
        XCTAssertEqual(schema.fields[1].dataType.typeName, "vector")
        XCTAssertEqual(
            schema.fields[1].metadata,
            ["ml_attr": #"{"num_attrs":2,"attrs":{"nominal":[{"num_vals":3,"name":"f_1","idx":1}],"numeric":[{"name":"f_0","idx":0}]}}"#])
        XCTAssertEqual(schema.fields[2].metadata, [
            "comment": #""note \"q\"\né""#, "a": "1", "b": "2.5", "c": "true", "d": "null", "e": "[1,2]",
            "f": #"["x"]"#, "g": "1.0E10", "h": #"{"y":2,"z":1}"#,
        ])
        guard case .structure(let inner) = schema.fields[3].dataType else { return XCTFail("s is not a struct") }
        XCTAssertEqual(inner[0].metadata, ["inner": #""yes""#])
        XCTAssertEqual(inner[1].metadata, [:])
        XCTAssertEqual(schema.fields[4].metadata, [:])
        // Written back, the schema gives Spark's text again.
        XCTAssertEqual(ParquetSparkSchema.json(schema), try goldenFooter())
        let vectors = try df.collectBatches().flatMap { b in (0..<b.count).map { b.columns[1].value(at: $0).vectorString } }
        XCTAssertEqual(vectors, ["[1.0,2.0]", "(3,[1],[4.0])"])
    }

    /// (d) A value for the key that is not JSON, or JSON that is not a schema, is ignored.
    func testMalformedSparkSchemaIsIgnored() throws {
        let (schema, batches) = try ParquetReader.readFile(Self.golden + "/pa_bad_spark_schema.parquet")
        XCTAssertEqual(schema, Schema([StructField("a", .int)]))
        XCTAssertEqual(schema.fields[0].metadata, [:])
        XCTAssertEqual(batches.flatMap { b in (0..<b.count).map { b.columns[0].value(at: $0) } }, [.int(1), .int(2)])
        let plain = Schema([StructField("a", .int)])
        for text in ["", "[1]", #"{"type":"struct","fields":7}"#, #"{"type":"struct","fields":[{"name":"a","metadata":[1]}]}"#,
                     #"{"type":"struct","fields":[{"name":"a","metadata":{"k":1}}]} x"#, "{\"type\":\"struct\"", "\u{0}"] {
            XCTAssertEqual(ParquetSparkSchema.applying(text, to: plain).fields[0].metadata, [:], text)
        }
        XCTAssertEqual(
            ParquetSparkSchema.applying(#"{"type":"struct","fields":[{"name":"a","metadata":{"k":1}}]}"#, to: plain).fields[0].metadata, ["k": "1"])
    }

    /// Key order of Scala's maps: up to 4 keys by bucket of the mutable map, more by the
    /// immutable map's trie (orders Spark 4.1.1 printed for these keys).
    func testScalaMapOrder() {
        func order(_ keys: [String]) -> [String] { ScalaMapOrder.order(keys).map { keys[$0] } }
        XCTAssertEqual(order(["d", "c", "b", "a"]), ["a", "b", "c", "d"])
        XCTAssertEqual(order(["a", "b", "c", "d", "e"]), ["e", "a", "b", "c", "d"])
        XCTAssertEqual(
            order(["a", "alpha", "arr", "b", "big", "comment", "dbl", "e", "flag", "k1", "k2", "k3", "longer_key_name", "nul", "q", "r", "sarr", "w", "x", "y", "z", "zeta"]),
            ["x", "k2", "y", "big", "a", "zeta", "dbl", "comment", "arr", "flag", "k1", "w", "z", "alpha", "e", "nul", "sarr", "q", "b", "longer_key_name", "r", "k3"])
    }
}
