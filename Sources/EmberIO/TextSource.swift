import EmberColumnar
import EmberCodecs
import EmberCore
import Foundation

/// Spark's text data source options.
public struct TextOptions: Sendable {
    /// One row per file holding its whole content.
    public var wholeText = false
    /// nil: `\n`, `\r` and `\r\n` end a line when reading; `\n` is written.
    public var lineSep: [UInt8]?
    /// The writer's `compression` (or `codec`) option; nil: plain text.
    public var compression: FileCodec.Kind?

    public init() {}

    public init(_ options: [String: String]) throws {
        var o: [String: String] = [:]
        for (k, v) in options { o[k.lowercased()] = v }
        if let v = o["wholetext"] {
            switch v.lowercased() {
            case "true": wholeText = true
            case "false": wholeText = false
            default: throw EmberError.invalidArgument("wholetext flag can be true or false, got '\(v)'.")
            }
        }
        if let v = o["linesep"] {
            guard !v.isEmpty else { throw EmberError.invalidArgument("'lineSep' cannot be an empty string.") }
            lineSep = Array(v.utf8)
        }
        compression = try FileCodec.forWriterOptions(o)
    }
}

/// Spark's text data source: one `value STRING` row per line (or per file with
/// `wholetext`), split by byte ranges like the CSV and JSON readers.
public enum TextReader {
    public static let schema = Schema([StructField("value", .string)])

    public static func splits(paths: [String], options: TextOptions, maxSplitBytes: Int) throws -> [FileSplit] {
        try LineSplits.splits(paths: paths, wholeFile: options.wholeText, maxSplitBytes: maxSplitBytes)
    }

    /// Reads one split; `requiredColumns` is `[0]` or `[]` (counting rows only).
    public static func read(
        split: FileSplit, requiredColumns: [Int], options: TextOptions, batchSize: Int, emit: (RecordBatch) throws -> Void
    ) throws {
        for c in requiredColumns where c != 0 {
            throw EmberError.internalError("Text read: required column \(c) is outside the schema (1 field).")
        }
        let bytes = try LineSplits.load(split, wholeFile: options.wholeText, separator: options.lineSep, format: "text")
        defer { bytes.buffer.recycle() }
        let outSchema = Schema(requiredColumns.map { _ in schema[0] })
        let want = !requiredColumns.isEmpty
        let size = max(1, batchSize)
        var offsets: [Int32] = [0]
        var data: [UInt8] = []
        var rows = 0
        func flush() throws {
            guard rows > 0 else { return }
            let cols = want ? [Column(type: .string, count: rows, validity: nil, storage: .bytes(offsets: offsets, data: data))] : []
            try emit(RecordBatch(schema: outSchema, columns: cols, count: rows))
            offsets = [0]
            data = []
            rows = 0
        }
        func line(_ s: Int, _ e: Int) throws {
            guard e - s <= JSONReader.maxRecordBytes else {
                throw EmberError.io("Text record of \(e - s) bytes at byte \(bytes.fileOffset + s) of \(split.path) is larger than the 1 GiB Ember reads.")
            }
            if want {
                data.append(contentsOf: UnsafeBufferPointer(start: bytes.base + s, count: e - s))
                offsets.append(Int32(truncatingIfNeeded: data.count))
            }
            rows += 1
            if rows >= size || data.count >= JSONReader.maxRecordBytes { try flush() }
        }
        if options.wholeText {
            try line(0, bytes.count)
        } else {
            try LineSplits.forEachRecord(bytes, separator: options.lineSep, line)
        }
        try flush()
    }
}

/// Spark's text writer: each row's single string column, then the line separator (a
/// NULL writes an empty line), compressed as it is written with the `compression` option.
public enum TextWriter {
    /// The part-file extension Spark uses: `txt`, or e.g. `txt.gz`, `txt.bz2`.
    public static func fileExtension(_ options: TextOptions) -> String {
        FileCodec.partExtension("txt", options.compression)
    }

    /// Spark's checks: only STRING columns, exactly one of them.
    public static func validate(_ schema: Schema) throws {
        for f in schema.fields where f.dataType != .string {
            throw EmberError(
                errorClass: "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE", sqlState: "0A000",
                message: "The Text datasource doesn't support the column `\(f.name)` of the type \"\(f.dataType.sql)\".")
        }
        guard schema.count == 1 else {
            throw EmberError(
                errorClass: "_LEGACY_ERROR_TEMP_1290", sqlState: nil,
                message: "Text data source supports only a single column, and you have \(schema.count) columns.")
        }
    }

    public static func write(batches: [RecordBatch], schema: Schema, to file: String, options: TextOptions) throws {
        try validate(schema)
        var sink = try TextFileSink(creating: file, compression: options.compression)
        defer { sink.close() }
        let sep = options.lineSep ?? [10]
        var buf: [UInt8] = []
        buf.reserveCapacity((1 << 20) + 4096)
        for batch in batches {
            guard let col = batch.columns.first else { continue }
            for r in 0..<batch.count {
                if !col.isNull(r) { buf.append(contentsOf: col.bytesAt(r)) }
                buf.append(contentsOf: sep)
                if buf.count >= 1 << 20 { try sink.write(&buf) }
            }
        }
        try sink.write(&buf)
        try sink.finish()
    }
}
