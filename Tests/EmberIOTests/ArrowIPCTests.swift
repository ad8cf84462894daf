import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// Golden files in `golden/arrow/` were written by pyarrow 26 with
/// `scripts/make_arrow_golden.py`; the expected values below are the ones that script writes.
enum ArrowFixture {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/arrow").path

    static func path(_ name: String) -> String { golden + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    static func dir() -> String {
        let d = NSTemporaryDirectory() + "ember-arrow-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Column `name` of every batch, as values.
    static func column(_ schema: Schema, _ batches: [RecordBatch], _ name: String) -> [Value] {
        guard let c = schema.index(of: name) else { return [] }
        return batches.flatMap { b in (0..<b.count).map { b.columns[c].value(at: $0) } }
    }

    static func rows(_ batches: [RecordBatch]) -> [[Value]] { batches.flatMap { b in (0..<b.count).map { b.row($0) } } }

    static func dec(_ v: Int128, _ s: Int) -> Value { .decimal(Decimal128(unscaled: v, scale: s)) }
    static func bin(_ s: String) -> Value { .binary(Array(s.utf8)) }
}

private let N = Value.null
private func S(_ s: String) -> Value { .string(s) }

final class ArrowIPCTests: XCTestCase {
    func testPrimitivesGolden() throws {
        let (schema, batches) = try ArrowIPC.readStream(try ArrowFixture.bytes("primitives.arrows"))
        XCTAssertEqual(
            schema,
            Schema([
                StructField("b", .boolean), StructField("i8", .byte), StructField("i16", .short),
                StructField("i32", .int, nullable: false), StructField("i64", .long), StructField("f32", .float),
                StructField("f64", .double), StructField("dec", .decimal(precision: 10, scale: 2)), StructField("s", .string),
                StructField("bin", .binary), StructField("d", .date), StructField("ts", .timestamp),
            ]))
        XCTAssertEqual(batches.count, 1)
        func col(_ n: String) -> [Value] { ArrowFixture.column(schema, batches, n) }
        XCTAssertEqual(col("b"), [true, false, nil, true, false, true, true, false, true].map { $0.map(Value.boolean) ?? N })
        XCTAssertEqual(col("i8"), [.byte(-128), .byte(127), N, .byte(0), .byte(1), .byte(-1), .byte(2), .byte(3), .byte(4)])
        XCTAssertEqual(col("i16"), [.short(-32768), .short(32767), N, .short(0), .short(1), .short(-1), .short(2), .short(3), .short(4)])
        XCTAssertEqual(col("i32"), [Int32.min, Int32.max, 0, 1, -1, 2, 3, 4, 5].map(Value.int))
        XCTAssertEqual(col("i64"), [.long(.min), .long(.max), N, .long(0), .long(1), .long(-1), .long(2), .long(3), .long(4)])
        XCTAssertEqual(col("f32"), [.float(1.5), .float(-2.25), N, .float(0), .float(3.0e38), .float(-1.0e-3), .float(7), .float(8), .float(9)])
        let f64 = col("f64")
        XCTAssertEqual(f64, [.double(1.5), .double(-.infinity), N, .double(0), .double(1e300), .double(2.5e-308), .double(.infinity), .double(0.1), .double(42)])
        if case .double(let z) = f64[3] { XCTAssertEqual(z.sign, .minus, "-0.0 keeps its sign") }
        XCTAssertEqual(col("dec"), ([1234567891, -5, nil, 0, 9999999999, -9999999999, 100, 250, 375] as [Int128?]).map { $0.map { ArrowFixture.dec($0, 2) } ?? N })
        XCTAssertEqual(col("s"), [S("hello"), S(""), N, S("héllo wörld ✓"), S("a"), S("bb"), S("ccc"), S("dddd"), S("a much longer string value")])
        XCTAssertEqual(col("bin"), [.binary([0, 1, 255]), .binary([]), N, ArrowFixture.bin("abc"), .binary([0x80]), ArrowFixture.bin("x"), ArrowFixture.bin("yy"), ArrowFixture.bin("zzz"), ArrowFixture.bin("0123456789")])
        XCTAssertEqual(col("d"), ([0, -1, nil, 19782, -719162, 2932896, 10957, 11323, 11688] as [Int32?]).map { $0.map(Value.date) ?? N })
        XCTAssertEqual(
            col("ts"),
            ([0, -1, nil, 1_709_210_096_789_012, 946_684_800_000_000, 946_684_801_000_000, 946_684_860_000_000, 946_688_400_000_000, 946_771_200_000_000] as [Int64?])
                .map { $0.map(Value.timestamp) ?? N })
    }

    func testNestedGolden() throws {
        let (schema, batches) = try ArrowIPC.readStream(try ArrowFixture.bytes("nested.arrows"))
        XCTAssertEqual(schema.ddl, "ls ARRAY<STRUCT<a: INT, b: STRING>>,m MAP<STRING, BIGINT>,st STRUCT<x: DOUBLE, y: ARRAY<INT>>")
        XCTAssertEqual(schema[1].dataType, .map(key: .string, value: .long, valueContainsNull: true))
        XCTAssertEqual(
            ArrowFixture.column(schema, batches, "ls"),
            [
                .array([.structure([.int(1), S("x")]), N, .structure([N, S("z")])]), N, .array([]),
                .array([.structure([.int(4), N])]),
            ])
        XCTAssertEqual(
            ArrowFixture.column(schema, batches, "m"),
            [.map(keys: [S("k1"), S("k2")], values: [.long(1), N]), N, .map(keys: [], values: []), .map(keys: [S("k3")], values: [.long(3)])])
        XCTAssertEqual(
            ArrowFixture.column(schema, batches, "st"),
            [
                .structure([.double(1), .array([.int(1), N, .int(3)])]), N, .structure([N, N]),
                .structure([.double(4.5), .array([])]),
            ])
    }

    func testDictionaryDeltasAndReplacementGolden() throws {
        let (schema, batches) = try ArrowIPC.readStream(try ArrowFixture.bytes("dictionary.arrows"))
        XCTAssertEqual(schema, Schema([StructField("color", .string), StructField("tag", .string), StructField("n", .int)]))
        XCTAssertEqual(batches.map(\.count), [4, 3, 2])
        XCTAssertEqual(
            ArrowFixture.column(schema, batches, "color"),
            [S("red"), S("green"), N, S("red"), S("blue"), S("blue"), S("green"), S("violet"), N])
        XCTAssertEqual(ArrowFixture.column(schema, batches, "tag"), [S("y"), S("x"), S("y"), N, S("x"), S("x"), S("y"), S("z"), S("z")])
        XCTAssertEqual(ArrowFixture.column(schema, batches, "n"), (1...9).map { .int(Int32($0)) })
        // The batch reader streams the same values one batch at a time.
        let reader = try ArrowStreamReader(try ArrowFixture.bytes("dictionary.arrows"), projection: [2, 0])
        var counts: [Int] = []
        while let b = try reader.next() {
            counts.append(b.count)
            XCTAssertEqual(b.schema.names, ["n", "color"])
        }
        XCTAssertEqual(counts, [4, 3, 2])
    }

    func testFileFormatGolden() throws {
        let path = ArrowFixture.path("file.arrow")
        let (schema, batches) = try ArrowIPC.readFile(path: path)
        XCTAssertEqual(schema, Schema([StructField("id", .long), StructField("name", .string), StructField("score", .double)]))
        XCTAssertEqual(try ArrowIPC.readSchema(path: path), schema)
        XCTAssertEqual(batches.map(\.count), [3, 2])
        XCTAssertEqual(
            ArrowFixture.rows(batches),
            [[.long(1), S("ann"), .double(0.5)], [.long(2), S("bob"), N], [.long(3), S("cy"), .double(2.5)], [.long(4), S("cy"), .double(4)], [N, N, .double(5)]])
        let feather = try ArrowIPC.readFile(path: ArrowFixture.path("table.feather"))
        XCTAssertEqual(feather.0, Schema([StructField("k", .int), StructField("v", .string)]))
        XCTAssertEqual(ArrowFixture.rows(feather.1), [[.int(1), S("a")], [.int(2), N], [.int(3), S("c")]])
        // Projection reads only the named columns, in the order asked.
        let (p, pb) = try ArrowIPC.read(try ArrowFixture.bytes("file.arrow"), projection: [2, 1])
        XCTAssertEqual(p.names, ["score", "name"])
        XCTAssertEqual(ArrowFixture.rows(pb).last, [.double(5), N])
    }

    func testEmptyStreamsGolden() throws {
        let (schema, batches) = try ArrowIPC.readStream(try ArrowFixture.bytes("empty.arrows"))
        XCTAssertEqual(schema, Schema([StructField("s", .string), StructField("l", .array(element: .long, containsNull: true))]))
        XCTAssertTrue(batches.isEmpty)
        XCTAssertEqual(try ArrowIPC.readSchema(path: ArrowFixture.path("empty.arrows")), schema)
        let (_, withEmpty) = try ArrowIPC.readStream(try ArrowFixture.bytes("empty_batch.arrows"))
        XCTAssertEqual(withEmpty.map(\.count), [0, 1, 0])
        XCTAssertEqual(ArrowFixture.rows(withEmpty), [[S("q"), .array([.long(7)])]])
    }

    func testConvertedTypesGolden() throws {
        let (schema, batches) = try ArrowIPC.readStream(try ArrowFixture.bytes("other_types.arrows"))
        let expectedTypes: [(String, DataType)] = [
            ("ls", .string), ("lb", .binary), ("ll", .array(element: .long, containsNull: true)), ("sv", .string), ("bv", .binary),
            ("u8", .short), ("u16", .int), ("u32", .long), ("u64", .decimal(precision: 20, scale: 0)), ("f16", .float), ("fsb", .binary),
            ("nul", .null), ("d64", .date), ("ts_s", .timestamp), ("ts_ms", .timestamp), ("ts_ns", .timestamp),
            ("dec256", .decimal(precision: 20, scale: 3)), ("dec32", .decimal(precision: 7, scale: 2)),
            ("dec64", .decimal(precision: 15, scale: 3)), ("fsl", .array(element: .int, containsNull: true)), ("du16", .long),
            ("dls", .array(element: .string, containsNull: true)),
        ]
        XCTAssertEqual(schema.names, expectedTypes.map(\.0))
        XCTAssertEqual(schema.fields.map(\.dataType), expectedTypes.map(\.1))
        func col(_ n: String) -> [Value] { ArrowFixture.column(schema, batches, n) }
        XCTAssertEqual(col("ls"), [S("large"), N, S("")])
        XCTAssertEqual(col("lb"), [.binary([1, 2]), .binary([]), N])
        XCTAssertEqual(col("ll"), [.array([.long(1), .long(2)]), N, .array([])])
        XCTAssertEqual(col("sv"), [S("short"), S("a string longer than twelve bytes"), N])
        XCTAssertEqual(col("bv"), [N, ArrowFixture.bin("tiny"), ArrowFixture.bin("binary view longer than twelve")])
        XCTAssertEqual(col("u8"), [.short(0), .short(255), N])
        XCTAssertEqual(col("u16"), [.int(0), .int(65535), N])
        XCTAssertEqual(col("u32"), [.long(0), .long(4_294_967_295), N])
        XCTAssertEqual(col("u64"), [ArrowFixture.dec(0, 0), ArrowFixture.dec(Int128(UInt64.max), 0), N])
        XCTAssertEqual(col("f16"), [.float(1.5), .float(-0.0009765625), N])
        XCTAssertEqual(col("fsb"), [ArrowFixture.bin("abc"), N, ArrowFixture.bin("xyz")])
        XCTAssertEqual(col("nul"), [N, N, N])
        XCTAssertEqual(col("d64"), [.date(0), .date(-1), N])
        XCTAssertEqual(col("ts_s"), [.timestamp(0), .timestamp(-1_000_000), N])
        XCTAssertEqual(col("ts_ms"), [.timestamp(1000), .timestamp(-1000), N])
        // Nanoseconds round toward negative infinity, as Spark converts them.
        XCTAssertEqual(col("ts_ns"), [.timestamp(1), .timestamp(-1), N])
        XCTAssertEqual(col("dec256"), [ArrowFixture.dec(-1_234_567_890_123, 3), N, ArrowFixture.dec(1, 3)])
        XCTAssertEqual(col("dec32"), [ArrowFixture.dec(-12345, 2), N, ArrowFixture.dec(1, 2)])
        XCTAssertEqual(col("dec64"), [ArrowFixture.dec(123_456_789_123, 3), N, ArrowFixture.dec(-1, 3)])
        XCTAssertEqual(col("fsl"), [.array([.int(1), .int(2)]), N, .array([.int(5), N])])
        XCTAssertEqual(col("du16"), [.long(20), N, .long(10)])
        XCTAssertEqual(col("dls"), [.array([S("c"), N]), N, .array([S("a"), S("b")])])
    }

    func testUnsupportedTypesNameColumnAndFile() throws {
        for (name, type) in [("time32.arrows", "Time32(ms)"), ("interval.arrows", "Interval(MONTH_DAY_NANO)"), ("duration.arrows", "Duration(s)")] {
            let path = ArrowFixture.path(name)
            XCTAssertThrowsError(try ArrowIPC.readFile(path: path)) { e in
                let err = e as? EmberError
                XCTAssertEqual(err?.errorClass, "UNSUPPORTED_FEATURE")
                XCTAssertEqual(err?.message, "Arrow type \(type) of column `bad` is not supported (file \(path)).")
            }
        }
    }

    func testLegacyFormatGolden() throws {
        let (schema, batches) = try ArrowIPC.readStream(try ArrowFixture.bytes("legacy.arrows"))
        XCTAssertEqual(schema, Schema([StructField("x", .long), StructField("y", .string)]))
        XCTAssertEqual(ArrowFixture.rows(batches), [[.long(1), S("a")], [N, S("b")], [.long(3), N]])
    }

    /// LZ4_FRAME and ZSTD bodies (pyarrow-compressed). Metadata and buffer layout are read
    /// in every build, and a projection that needs no compressed buffer reads without a
    /// codec; values decode where this build has the EmberCodecs codecs, and otherwise
    /// the error says so.
    func testCompressedBodiesGolden() throws {
        for (name, codec) in [("lz4.arrows", ArrowCompression.lz4Frame), ("zstd.arrows", .zstd)] {
            let bytes = try ArrowFixture.bytes(name)
            let reader = try ArrowStreamReader(bytes)
            XCTAssertEqual(reader.schema, Schema([StructField("x", .long), StructField("y", .string)]))
            let (_, counted) = try ArrowIPC.read(bytes, projection: [])
            XCTAssertEqual(counted.map(\.count), [1000, 3])
            if codec.isAvailable {
                let (_, batches) = try ArrowIPC.readStream(bytes)
                let expected = (0..<1000).map { [Value.long(Int64($0)), S("v\($0 % 7)")] } + [[.long(1), S("a")], [N, S("b")], [.long(3), N]]
                XCTAssertEqual(ArrowFixture.rows(batches), expected, name)
            } else {
                XCTAssertThrowsError(try reader.next()) { e in
                    XCTAssertEqual((e as? EmberError)?.errorClass, "UNSUPPORTED_FEATURE")
                    XCTAssertTrue((e as? EmberError)?.message.contains("EmberCodecs") ?? false)
                }
            }
        }
    }

    func testCorruptInputNamesFileAndOffset() throws {
        let path = ArrowFixture.dir() + "/bad.arrow"
        var bytes = try ArrowFixture.bytes("file.arrow")
        bytes.removeLast(3)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        XCTAssertThrowsError(try ArrowIPC.readFile(path: path)) { e in
            XCTAssertEqual((e as? EmberError)?.errorClass, "FAILED_READ_FILE.NO_HINT")
            XCTAssertEqual(
                (e as? EmberError)?.message,
                "Encountered error while reading file \(path): invalid Arrow IPC data at byte \(bytes.count - 6): missing ARROW1 magic at the end of the file (truncated?).")
        }
        // A stream whose first message claims more metadata than there is.
        var stream = try ArrowFixture.bytes("legacy.arrows")
        stream[0] = 0xFF; stream[1] = 0xFF; stream[2] = 0xFF; stream[3] = 0x7F
        XCTAssertThrowsError(try ArrowIPC.readStream(stream)) { e in
            XCTAssertEqual(
                (e as? EmberError)?.message,
                "Encountered error while reading Arrow IPC data: invalid Arrow IPC data at byte 0: message metadata length 2147483647 exceeds the \(stream.count - 4) bytes left.")
        }
    }
}
