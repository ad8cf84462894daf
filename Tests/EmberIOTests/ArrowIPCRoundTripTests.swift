import EmberColumnar
import EmberCore
import EmberIO
import Foundation
import XCTest

/// SplitMix64: a fixed-seed generator so random tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random Spark types and values (no NaN, so that values compare equal).
struct RandomData {
    var rng: SplitMix64

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func type(depth: Int = 0) -> DataType {
        let atomic: [DataType] = [
            .boolean, .byte, .short, .int, .long, .float, .double, .string, .binary, .date, .timestamp, .null,
            .decimal(precision: Int.random(in: 1...38, using: &rng), scale: 0),
        ]
        if depth < 3, chance(0.3) {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .array(element: type(depth: depth + 1), containsNull: chance(0.7))
            case 1:
                let keys: [DataType] = [.string, .int, .long]
                return .map(key: keys[Int.random(in: 0..<3, using: &rng)], value: type(depth: depth + 1), valueContainsNull: chance(0.7))
            default:
                return .structure((0..<Int.random(in: 1...3, using: &rng)).map { i in
                    StructField("f\(i)", type(depth: depth + 1), nullable: chance(0.8))
                })
            }
        }
        var t = atomic[Int.random(in: 0..<atomic.count, using: &rng)]
        if case .decimal(let p, _) = t { t = .decimal(precision: p, scale: Int.random(in: 0...p, using: &rng)) }
        return t
    }

    mutating func value(_ t: DataType, nullable: Bool) -> Value {
        if t == .null || (nullable && chance(0.2)) { return .null }
        let alphabet: [String] = ["a", "b", "é", "✓", "𝄞", " ", "z", "0"]
        switch t {
        case .null: return .null
        case .boolean: return .boolean(chance(0.5))
        case .byte: return .byte(Int8.random(in: .min ... .max, using: &rng))
        case .short: return .short(Int16.random(in: .min ... .max, using: &rng))
        case .int: return .int(Int32.random(in: .min ... .max, using: &rng))
        case .long: return .long(Int64.random(in: .min ... .max, using: &rng))
        case .float: return .float(Float(Int32.random(in: -1_000_000...1_000_000, using: &rng)) / 64)
        case .double: return .double(Double(Int64.random(in: -1 << 52...1 << 52, using: &rng)) / 1024)
        case .decimal(let p, let s):
            let limit = pow10UInt128(p)
            let raw = (UInt128(rng.next()) << 64 | UInt128(rng.next())) % limit
            return .decimal(Decimal128(unscaled: chance(0.5) ? -Int128(raw) : Int128(raw), scale: s))
        case .string: return .string((0..<Int.random(in: 0...20, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }.joined())
        case .binary: return .binary((0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case .date: return .date(Int32.random(in: -800_000...3_000_000, using: &rng))
        case .timestamp: return .timestamp(Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng))
        case .array(let e, let cn):
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(e, nullable: cn) })
        case .map(let k, let v, let vn):
            let n = Int.random(in: 0...3, using: &rng)
            return .map(keys: (0..<n).map { _ in value(k, nullable: false) }, values: (0..<n).map { _ in value(v, nullable: vn) })
        case .structure(let fs):
            return .structure(fs.map { value($0.dataType, nullable: $0.nullable) })
        }
    }

    mutating func schema() -> Schema {
        Schema((0..<Int.random(in: 1...5, using: &rng)).map { i in StructField("c\(i)", type(), nullable: chance(0.8)) })
    }

    func batchOf(_ schema: Schema, rows: Int) throws -> RecordBatch {
        var copy = self
        return try copy.batch(schema, rows: rows)
    }

    mutating func batch(_ schema: Schema, rows: Int) throws -> RecordBatch {
        let values = (0..<rows).map { _ in schema.fields.map { value($0.dataType, nullable: $0.nullable) } }
        let cols = try schema.fields.indices.map { c in try Column.from(values.map { $0[c] }, type: schema[c].dataType) }
        return RecordBatch(schema: schema, columns: cols, count: rows)
    }
}

/// One batch of every Ember type, with NULLs; `scripts/check_arrow_interop.py` builds the
/// same table in pyarrow (function `alltypes`).
enum AllTypes {
    static var schema: Schema {
        get throws { try Schema(ddl: ddl) }
    }

    static let ddl = "b BOOLEAN, y TINYINT, sh SMALLINT, i INT NOT NULL, l BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(12,3), s STRING, bin BINARY, dt DATE, ts TIMESTAMP, arr ARRAY<INT>, m MAP<STRING, DOUBLE>, st STRUCT<p: STRING, q: ARRAY<BIGINT>>, n VOID"

    static let rows: [[Value]] = [
        [
            .boolean(true), .byte(1), .short(2), .int(3), .long(4), .float(1.5), .double(2.5), .decimal(Decimal128(unscaled: 1234, scale: 3)),
            .string("a"), .binary([1]), .date(0), .timestamp(0), .array([.int(1), .null]),
            .map(keys: [.string("x"), .string("y")], values: [.double(1), .null]),
            .structure([.string("p"), .array([.long(1), .long(2)])]), .null,
        ],
        [.null, .null, .null, .int(-7), .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null],
        [
            .boolean(false), .byte(-128), .short(32767), .int(.max), .long(.min), .float(-0.25), .double(-1e300),
            .decimal(Decimal128(unscaled: -999_999_999_999, scale: 3)), .string("héllo"), .binary([]), .date(19782),
            .timestamp(1_709_210_096_789_012), .array([]), .map(keys: [], values: []), .structure([.null, .null]), .null,
        ],
    ]

    static func batch() throws -> RecordBatch {
        let schema = try self.schema
        let cols = try schema.fields.indices.map { c in try Column.from(rows.map { $0[c] }, type: schema[c].dataType) }
        return RecordBatch(schema: schema, columns: cols, count: rows.count)
    }
}

final class ArrowIPCRoundTripTests: XCTestCase {
    func assertRoundTrip(_ schema: Schema, _ batches: [RecordBatch], file: StaticString = #filePath, line: UInt = #line) throws {
        let stream = try ArrowIPC.writeStream(schema: schema, batches: batches)
        let (s1, b1) = try ArrowIPC.readStream(stream)
        XCTAssertEqual(s1, schema, file: file, line: line)
        XCTAssertEqual(b1.map(\.count), batches.map(\.count), file: file, line: line)
        XCTAssertEqual(ArrowFixture.rows(b1), ArrowFixture.rows(batches), file: file, line: line)
        let fileBytes = try ArrowIPC.fileBytes(schema: schema, batches: batches)
        let (s2, b2) = try ArrowIPC.read(fileBytes)
        XCTAssertEqual(s2, schema, file: file, line: line)
        XCTAssertEqual(ArrowFixture.rows(b2), ArrowFixture.rows(batches), file: file, line: line)
    }

    func testAllTypesRoundTrip() throws {
        let b = try AllTypes.batch()
        try assertRoundTrip(try AllTypes.schema, [b, b.slice(1..<3), RecordBatch.empty(try AllTypes.schema)])
        let path = ArrowFixture.dir() + "/t.arrow"
        try ArrowIPC.writeFile(path: path, schema: try AllTypes.schema, batches: [b])
        let (schema, batches) = try ArrowIPC.readFile(path: path)
        XCTAssertEqual(schema, try AllTypes.schema)
        XCTAssertEqual(ArrowFixture.rows(batches), AllTypes.rows)
        XCTAssertEqual(try ArrowIPC.readSchema(path: path), try AllTypes.schema)
    }

    func testRandomSchemasRoundTrip() throws {
        var r = RandomData(rng: SplitMix64(seed: 20_241_123))
        for _ in 0..<60 {
            let schema = r.schema()
            let batches = try (0..<Int.random(in: 0...3, using: &r.rng)).map { _ in try r.batch(schema, rows: Int.random(in: 0...40, using: &r.rng)) }
            try assertRoundTrip(schema, batches)
        }
    }

    /// Columns whose offsets do not start at 0 (views into shared data) are written with
    /// rebased offsets and only the data they cover.
    func testOffsetsNotStartingAtZeroAreRebased() throws {
        let strings = Column(type: .string, count: 2, validity: nil, storage: .bytes(offsets: [2, 4, 7], data: Array("xxabcdeyy".utf8)))
        let ints = Column(type: .int, count: 6, validity: nil, storage: .i32([9, 1, 2, 3, 9, 9]))
        let lists = Column(type: .array(element: .int, containsNull: true), count: 2, validity: nil, storage: .list(offsets: [1, 3, 4], values: ints))
        let schema = Schema([StructField("s", .string), StructField("l", .array(element: .int, containsNull: true))])
        let batch = RecordBatch(schema: schema, columns: [strings, lists], count: 2)
        let bytes = try ArrowIPC.writeStream(schema: schema, batches: [batch])
        let (_, back) = try ArrowIPC.readStream(bytes)
        XCTAssertEqual(ArrowFixture.rows(back), [[.string("ab"), .array([.int(1), .int(2)])], [.string("cde"), .array([.int(3)])]])
        guard case .bytes(let o, let d)? = back.first?.columns[0].storage else { return XCTFail("string storage") }
        XCTAssertEqual(o, [0, 2, 5])
        XCTAssertEqual(d, Array("abcde".utf8))
    }

    func testStreamWriterEmitsBatchesAsWritten() throws {
        var chunks: [[UInt8]] = []
        let b = try AllTypes.batch()
        let w = try ArrowStreamWriter(schema: try AllTypes.schema) { chunks.append($0) }
        let afterSchema = w.bytesWritten
        XCTAssertEqual(afterSchema % 8, 0)
        try w.write(b)
        XCTAssertGreaterThan(w.bytesWritten, afterSchema)
        XCTAssertEqual(w.bytesWritten % 8, 0, "messages stay 8-byte aligned")
        try w.finish()
        let all = chunks.flatMap { $0 }
        XCTAssertEqual(Array(all.suffix(8)), [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        XCTAssertEqual(ArrowFixture.rows(try ArrowIPC.readStream(all).1), AllTypes.rows)
    }

    /// Compressed bodies round trip where this build has the codecs; otherwise writing
    /// says the codecs are missing.
    func testCompressionRoundTrip() throws {
        let b = try AllTypes.batch()
        let schema = try AllTypes.schema
        for codec in [ArrowCompression.lz4Frame, .zstd] {
            guard codec.isAvailable else {
                XCTAssertThrowsError(try ArrowIPC.writeStream(schema: schema, batches: [b], compression: codec)) { e in
                    XCTAssertEqual((e as? EmberError)?.errorClass, "UNSUPPORTED_FEATURE")
                }
                continue
            }
            let big = try RandomData(rng: SplitMix64(seed: 5)).batchOf(schema, rows: 2000)
            let bytes = try ArrowIPC.writeStream(schema: schema, batches: [b, big], compression: codec)
            XCTAssertEqual(ArrowFixture.rows(try ArrowIPC.readStream(bytes).1), ArrowFixture.rows([b, big]), "\(codec)")
            let file = try ArrowIPC.fileBytes(schema: schema, batches: [big], compression: codec)
            XCTAssertEqual(ArrowFixture.rows(try ArrowIPC.read(file).1), ArrowFixture.rows([big]), "\(codec)")
        }
    }

    /// pyarrow reads what Ember writes (files and streams), with the schema and values
    /// `scripts/check_arrow_interop.py` expects; what pyarrow writes back reads equal here.
    func testPyarrowReadsEmberFiles() throws {
        guard run(["python3", "-c", "import pyarrow"]).status == 0 else { throw XCTSkip("python3 with pyarrow is not available") }
        let dir = ArrowFixture.dir()
        var written: [String: (Schema, [RecordBatch])] = [:]
        let b = try AllTypes.batch()
        written["alltypes.arrows"] = (try AllTypes.schema, [b])
        written["alltypes_split.arrow"] = (try AllTypes.schema, [b.slice(0..<1), RecordBatch.empty(try AllTypes.schema), b.slice(1..<3)])
        for codec in [ArrowCompression.lz4Frame, .zstd] where codec.isAvailable {
            let bytes = try ArrowIPC.writeStream(schema: try AllTypes.schema, batches: [b], compression: codec)
            _ = FileManager.default.createFile(atPath: dir + "/alltypes_\(codec.rawValue).arrows", contents: Data(bytes))
            try ArrowIPC.writeFile(path: dir + "/alltypes_\(codec.rawValue).arrow", schema: try AllTypes.schema, batches: [b], compression: codec)
        }
        var r = RandomData(rng: SplitMix64(seed: 7))
        for i in 0..<20 {
            let schema = r.schema()
            let batches = try (0..<Int.random(in: 0...3, using: &r.rng)).map { _ in try r.batch(schema, rows: Int.random(in: 0...30, using: &r.rng)) }
            written["random\(i).\(i % 2 == 0 ? "arrows" : "arrow")"] = (schema, batches)
        }
        for (name, (schema, batches)) in written {
            if name.hasSuffix(".arrows") {
                let bytes = try ArrowIPC.writeStream(schema: schema, batches: batches)
                _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes))
            } else {
                try ArrowIPC.writeFile(path: dir + "/" + name, schema: schema, batches: batches)
            }
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/check_arrow_interop.py").standardized.path
        let result = run(["python3", script, dir])
        XCTAssertEqual(result.status, 0, result.output)
        for (name, (schema, batches)) in written.sorted(by: { $0.key < $1.key }) {
            let (s, back) = try ArrowIPC.readFile(path: dir + "/" + name + ".pyarrow.arrows")
            XCTAssertEqual(s, schema, name)
            XCTAssertEqual(ArrowFixture.rows(back), ArrowFixture.rows(batches), name)
        }
    }

    func run(_ args: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
