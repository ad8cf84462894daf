import EmberColumnar
import EmberCore
import Foundation

/// Spark's JSON data source: JSON Lines split by byte ranges (or, with `multiLine`, one
/// JSON document per file), parsed by a byte-level parser straight into columnar batches.
public enum JSONReader {
    /// Bytes of one record above which reading fails (keeps every batch's string data
    /// inside 32-bit offsets).
    static let maxRecordBytes = 1 << 30

    /// Lists the input files and cuts each into splits of at most `maxSplitBytes` (whole
    /// files with `multiLine` or when compressed). Empty files yield no split.
    public static func splits(paths: [String], options: JSONOptions, maxSplitBytes: Int) throws -> [FileSplit] {
        try LineSplits.splits(paths: paths, wholeFile: options.multiLine, maxSplitBytes: maxSplitBytes)
    }

    /// Parses one split into batches of at most `batchSize` rows holding the schema
    /// fields `requiredColumns` (in that order). The field named by
    /// `columnNameOfCorruptRecord` (a STRING) receives the text of malformed records.
    public static func read(
        split: FileSplit, schema: Schema, requiredColumns: [Int], options: JSONOptions, zone: SessionTimeZone,
        batchSize: Int, emit: (RecordBatch) throws -> Void
    ) throws {
        var reader = try JSONRecordReader(
            schema: schema, required: requiredColumns, options: options, zone: zone, path: split.path,
            batchSize: max(1, batchSize))
        defer { reader.release() }
        let bytes = try LineSplits.load(split, wholeFile: options.multiLine, separator: options.lineSep, format: "JSON")
        defer { bytes.buffer.recycle() }
        if options.multiLine {
            var start = 0
            let b = bytes.base
            if bytes.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { start = 3 }
            if start < bytes.count {
                try reader.record(b, start, bytes.count, fileOffset: 0, emit: emit)
            }
        } else {
            let b = bytes.base
            try LineSplits.forEachRecord(bytes, separator: options.lineSep) { s, e in
                try reader.record(b, s, e, fileOffset: bytes.fileOffset, emit: emit)
            }
        }
        try reader.flush(emit)
    }

    /// The error FAILFAST raises for a malformed record: as in Spark, a failed file read
    /// caused by MALFORMED_RECORD_IN_PARSING.
    static func failFast(path: String, line: Int, reason: String) -> EmberError {
        EmberError(
            errorClass: "FAILED_READ_FILE.NO_HINT", sqlState: "KD001",
            message: "Encountered error while reading file \(path). [MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed records are detected in record parsing: [null]. Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'. (file \(path), line \(line): \(reason))")
    }

    /// Spark's check of the corrupt-record column's type.
    static func corruptColumn(_ schema: Schema, _ name: String) throws -> Int? {
        guard let i = schema.fields.firstIndex(where: { $0.name == name }) else { return nil }
        guard schema[i].dataType == .string, schema[i].nullable else {
            throw EmberError(
                errorClass: "INVALID_CORRUPT_RECORD_TYPE", sqlState: "42804",
                message: "The column `\(name)` for corrupt records must have the nullable STRING type, but got \(schema[i].dataType.sql).")
        }
        return i
    }
}

/// Turns records into rows of the required columns and applies the parse mode.
struct JSONRecordReader {
    let options: JSONOptions
    let path: String
    let batchSize: Int
    let outSchema: Schema
    var converter: JSONConverter
    /// A struct buffer whose children are the required columns other than the corrupt one.
    let root: UnsafeMutablePointer<JSONColumnBuffer>
    /// The corrupt-record column, when required.
    let corrupt: UnsafeMutablePointer<JSONColumnBuffer>?
    /// For each output column: its child of `root`, or -1 for the corrupt column.
    let sources: [Int]
    /// Record bytes in the batch being built (bounds its string data).
    var pendingBytes = 0

    init(schema: Schema, required: [Int], options: JSONOptions, zone: SessionTimeZone, path: String, batchSize: Int) throws {
        for c in required where c < 0 || c >= schema.count {
            throw EmberError.internalError("JSON read: required column \(c) is outside the schema (\(schema.count) fields).")
        }
        self.options = options
        self.path = path
        self.batchSize = batchSize
        let corruptIndex = try JSONReader.corruptColumn(schema, options.columnNameOfCorruptRecord)
        var parsed: [StructField] = []
        var sources: [Int] = []
        for c in required {
            if c == corruptIndex {
                sources.append(-1)
            } else {
                sources.append(parsed.count)
                parsed.append(schema[c])
            }
        }
        self.sources = sources
        outSchema = Schema(required.map { schema[$0] })
        converter = JSONConverter(options: options, zone: zone)
        root = try JSONColumnBuffer.makeRoot(parsed)
        if sources.contains(-1) {
            let p = UnsafeMutablePointer<JSONColumnBuffer>.allocate(capacity: 1)
            do { try JSONColumnBuffer.make(.string, at: p) } catch {
                p.deallocate()
                JSONColumnBuffer.release(root)
                root.deallocate()
                throw error
            }
            corrupt = p
        } else {
            corrupt = nil
        }
    }

    func release() {
        JSONColumnBuffer.release(root)
        root.deallocate()
        if let corrupt {
            JSONColumnBuffer.release(corrupt)
            corrupt.deallocate()
        }
    }

    /// Parses the record `[s, e)` (a line, or a whole file with multiLine); blank records
    /// yield no row.
    mutating func record(
        _ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, fileOffset: Int, emit: (RecordBatch) throws -> Void
    ) throws {
        guard e - s <= JSONReader.maxRecordBytes else {
            throw EmberError.io("JSON record of \(e - s) bytes at byte \(fileOffset + s) of \(path) is larger than the 1 GiB Ember reads.")
        }
        var lx = JSONLexer(b, s, e, converter.syntax)
        let before = root.pointee.count
        var status = JSONConverter.Status.ok
        var failure: JSONSyntaxError?
        do throws(JSONSyntaxError) {
            try lx.skipSpace()
            if lx.pos >= lx.end { return }
            status = try rootValue(&lx)
        } catch {
            failure = error
            status = .failed
        }
        let rows = root.pointee.count - before
        switch status {
        case .ok:
            if let corrupt { for _ in 0..<rows { corrupt.pointee.appendNull() } }
        case .partial, .failed:
            switch options.mode {
            case .failFast:
                let reason: String
                if let f = failure {
                    reason = "\(f.message) at byte \(fileOffset + f.offset)"
                } else {
                    reason = "a value does not convert to its field's type"
                }
                let at = options.multiLine ? fileOffset + (failure?.offset ?? s) : fileOffset + s
                throw JSONReader.failFast(path: path, line: LineSplits.lineNumber(path: path, offset: at), reason: reason)
            case .dropMalformed:
                root.pointee.truncate(before)
                return
            case .permissive:
                var n = rows
                if status == .failed {
                    // No partial result: one row of NULLs.
                    root.pointee.truncate(before)
                    root.pointee.appendNull()
                    n = 1
                }
                if let corrupt {
                    for _ in 0..<n { corrupt.pointee.appendBytes(b + s, e - s) }
                }
            }
        }
        pendingBytes += e - s
        if root.pointee.count >= batchSize || pendingBytes >= JSONReader.maxRecordBytes { try flush(emit) }
    }

    /// A record's top-level value: an object is a row, an array of objects is a row per
    /// element; anything else is malformed.
    mutating func rootValue(_ lx: inout JSONLexer) throws(JSONSyntaxError) -> JSONConverter.Status {
        let c = lx.b[lx.pos]
        if c == UInt8(ascii: "{") { return try converter.object(&lx, root) }
        guard c == UInt8(ascii: "[") else { return .failed }
        try lx.open()
        if try lx.closesAtOnce(UInt8(ascii: "]")) { return .ok }
        var partial = false
        repeat {
            try lx.skipSpace()
            guard lx.peek == UInt8(ascii: "{") else { return .failed }
            if try converter.object(&lx, root) == .partial { partial = true }
        } while try lx.next(UInt8(ascii: "]"))
        return partial ? .partial : .ok
    }

    mutating func flush(_ emit: (RecordBatch) throws -> Void) throws {
        let n = root.pointee.count
        pendingBytes = 0
        guard n > 0 else { return }
        let parsed = root.pointee.finishChildren()
        let corruptColumn = corrupt?.pointee.finish()
        var cols: [Column] = []
        cols.reserveCapacity(sources.count)
        for k in sources {
            if k >= 0 {
                cols.append(parsed[k])
            } else if let c = corruptColumn {
                cols.append(c)
            }
        }
        try emit(RecordBatch(schema: outSchema, columns: cols, count: n))
    }
}
