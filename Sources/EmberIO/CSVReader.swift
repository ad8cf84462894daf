import EmberCodecs
import EmberColumnar
import EmberCore
import Foundation

/// A byte range of one input file that one task parses.
public struct FileSplit: Sendable, Hashable {
    public var path: String
    public var start: Int
    public var length: Int
    public var fileSize: Int

    public init(path: String, start: Int, length: Int, fileSize: Int) {
        self.path = path
        self.start = start
        self.length = length
        self.fileSize = fileSize
    }
}

/// Spark's CSV data source: file splitting, schema inference and a byte-level parser
/// that writes straight into columnar batches.
public enum CSVReader {
    /// Plain bytes parsed at a time from a compressed file (whole lines).
    static let compressedChunkBytes = 8 << 20

    /// Lists the input files and cuts each into splits of at most `maxSplitBytes`
    /// (whole files when multiLine or compressed: a compressed file is one stream, read by
    /// one task, as in Spark). Empty files yield no split.
    public static func splits(paths: [String], options: CSVOptions, maxSplitBytes: Int) throws -> [FileSplit] {
        try LineSplits.splits(paths: paths, wholeFile: options.multiLine, maxSplitBytes: maxSplitBytes)
    }

    /// Parses one split into batches of at most `batchSize` rows holding the schema
    /// fields `requiredColumns` (in that order). A split owns the records that start in
    /// `[start, start + length)`: one starting mid-file skips to the first line start,
    /// and the last record is read to its end past the split (Hadoop's line-split rule).
    public static func read(
        split: FileSplit, schema: Schema, requiredColumns: [Int], options: CSVOptions, zone: SessionTimeZone,
        batchSize: Int, emit: (RecordBatch) throws -> Void
    ) throws {
        let codec = try CompressedFiles.codec(for: split.path, format: "CSV")
        for c in requiredColumns where c < 0 || c >= schema.count {
            throw EmberError.internalError("CSV read: required column \(c) is outside the schema (\(schema.count) fields).")
        }
        if let codec {
            return try readCompressed(
                split.path, codec: codec, schema: schema, requiredColumns: requiredColumns, options: options, zone: zone,
                batchSize: batchSize, emit: emit)
        }
        let buffer = try loadSplit(split, options: options)
        defer { buffer.recycle() }
        var parser = try RowParser(
            schema: schema, required: requiredColumns, options: options, zone: zone, path: split.path,
            batchSize: max(1, batchSize))
        defer { parser.release() }
        let base = split.start == 0 ? 0 : split.start - 1
        let ownedEnd = options.multiLine ? Int.max : split.start + split.length - base
        if buffer.count > 0 {
            try parser.parse(buffer.base, buffer.count, atFileStart: split.start == 0, fileOffset: base, ownedEnd: ownedEnd, emit: emit)
        }
        try parser.flush(emit)
    }

    /// Parses a whole compressed file as it is decompressed, in chunks of whole lines
    /// (multiLine: the whole file at once, since a quoted field may span lines).
    static func readCompressed(
        _ path: String, codec: FileCodec.Kind, schema: Schema, requiredColumns: [Int], options: CSVOptions,
        zone: SessionTimeZone, batchSize: Int, emit: (RecordBatch) throws -> Void
    ) throws {
        var parser = try RowParser(
            schema: schema, required: requiredColumns, options: options, zone: zone, path: path, batchSize: max(1, batchSize))
        defer { parser.release() }
        var first = true
        try CompressedFiles.forEachLineChunk(
            path: path, kind: codec, terminators: parser.tokenizer.terminators,
            chunkSize: options.multiLine ? Int.max : compressedChunkBytes
        ) { chunk, offset in
            guard let b = chunk.baseAddress else { return true }
            try parser.parse(b, chunk.count, atFileStart: true, continuing: !first, fileOffset: offset, ownedEnd: Int.max, emit: emit)
            first = false
            return true
        }
        try parser.flush(emit)
    }

    /// Reads the split's bytes, starting one byte early (to see whether the split starts
    /// on a line boundary) and running past its end to the next line terminator.
    static func loadSplit(_ split: FileSplit, options: CSVOptions) throws -> ByteBuffer {
        let file = try FileReader(split.path)
        defer { file.close() }
        let buf = ByteBuffer.take()
        do {
            if options.multiLine {
                try buf.append(file, offset: 0, length: file.size())
                // The file may have grown since it was measured.
                while try buf.append(file, offset: buf.count, length: 1 << 20) > 0 {}
                return buf
            }
            let base = split.start == 0 ? 0 : split.start - 1
            let end = split.start + split.length
            try buf.append(file, offset: base, length: end - base)
            // Extend to the first terminator at or after the split's last byte, plus one
            // byte so that a `\r\n` is seen whole.
            let sep = options.lineSep?.first ?? 10
            var scan = max(0, buf.count - 1)
            var chunk = 4096
            while true {
                while scan < buf.count, buf[scan] != 10, buf[scan] != 13, buf[scan] != sep { scan += 1 }
                if scan < buf.count {
                    if scan + 1 >= buf.count { try buf.append(file, offset: base + buf.count, length: 1) }
                    break
                }
                if try buf.append(file, offset: base + buf.count, length: chunk) == 0 { break }
                chunk = min(chunk * 2, 1 << 24)
            }
            return buf
        } catch {
            buf.recycle()
            throw error
        }
    }

    /// Counts line terminators before `offset` (for error messages only; for a compressed
    /// file, `offset` counts plain bytes and the file is decompressed again up to it).
    static func lineNumber(path: String, offset: Int) -> Int {
        if let codec = FileCodec.forPath(path) {
            var lines = 1, seen = 0
            var prev: UInt8 = 0
            try? CompressedFiles.forEachPiece(path: path, kind: codec) { piece in
                for c in piece.prefix(offset - seen) {
                    if c == 10 { if prev != 13 { lines += 1 } } else if c == 13 { lines += 1 }
                    prev = c
                }
                seen += min(piece.count, offset - seen)
                return seen < offset
            }
            return lines
        }
        guard let file = try? FileReader(path) else { return 0 }
        defer { file.close() }
        var buf: [UInt8] = []
        _ = try? file.read(into: &buf, offset: 0, count: offset)
        var lines = 1
        var prev: UInt8 = 0
        for c in buf {
            if c == 10 { if prev != 13 { lines += 1 } } else if c == 13 { lines += 1 }
            prev = c
        }
        return lines
    }
}

/// Converts tokenized records into column accumulators and applies the parse mode.
struct RowParser {
    let schema: Schema
    let outSchema: Schema
    let options: CSVOptions
    let tokenizer: CSVTokenizer
    let zone: SessionTimeZone
    let path: String
    let batchSize: Int
    /// For each output column: the index of its field in the record, or -1 for the
    /// corrupt-record column.
    let sources: [Int]
    /// Number of fields a well-formed record has (schema minus the corrupt-record column).
    let expectedFields: Int
    let nullBytes: [UInt8]
    let emptyBytes: [UInt8]
    let nanBytes: [UInt8], posInfBytes: [UInt8], negInfBytes: [UInt8]
    /// One accumulator per output column, behind a pointer so appends skip the outer
    /// array's uniqueness checks.
    let columns: UnsafeMutablePointer<ColumnAccumulator>
    let columnCount: Int
    var fields = FieldBuffer()
    var rows = 0
    /// The next record is the file's first (the header, with `header`).
    var firstPending = false

    init(schema: Schema, required: [Int], options: CSVOptions, zone: SessionTimeZone, path: String, batchSize: Int) throws {
        self.schema = schema
        self.options = options
        self.zone = zone
        self.path = path
        self.batchSize = batchSize
        tokenizer = CSVTokenizer(options)
        let corrupt = schema.fields.firstIndex { $0.name == options.columnNameOfCorruptRecord && $0.dataType == .string }
        // Record field k maps to the k-th schema field that is not the corrupt column.
        var fieldOf = [Int](repeating: -1, count: schema.count)
        var k = 0
        for i in 0..<schema.count where i != corrupt {
            fieldOf[i] = k
            k += 1
            switch schema[i].dataType {
            case .array, .map, .structure, .binary, .null:
                throw EmberError.unsupported("CSV data source does not support \(schema[i].dataType.sql) data type.")
            default: break
            }
        }
        expectedFields = k
        sources = required.map { fieldOf[$0] }
        outSchema = Schema(required.map { schema[$0] })
        columnCount = required.count
        columns = .allocate(capacity: max(1, columnCount))
        for (i, f) in outSchema.fields.enumerated() {
            (columns + i).initialize(to: ColumnAccumulator(type: f.dataType, capacity: batchSize))
        }
        nullBytes = Array(options.nullValue.utf8)
        emptyBytes = Array((options.emptyValue ?? "").utf8)
        nanBytes = Array(options.nanValue.utf8)
        posInfBytes = Array(options.positiveInf.utf8)
        negInfBytes = Array(options.negativeInf.utf8)
    }

    /// Parses the records of `b[0..<n]` that start before `ownedEnd`. `continuing`: the
    /// bytes follow those of the previous call at a record boundary (chunks of a compressed
    /// file), so no BOM, header or partial first line is looked for unless the header has
    /// not been seen yet.
    mutating func parse(
        _ b: UnsafePointer<UInt8>, _ n: Int, atFileStart: Bool, continuing: Bool = false, fileOffset: Int, ownedEnd: Int,
        emit: (RecordBatch) throws -> Void
    ) throws {
        var pos = 0
        if !continuing {
            if atFileStart {
                if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { pos = 3 }
            } else {
                pos = tokenizer.firstLineStart(b, n, from: 0)
            }
            firstPending = atFileStart
        }
        while true {
            pos = tokenizer.skipBlank(b, n, pos)
            if pos >= n || pos >= ownedEnd { break }
            let recordStart = pos
            let (recordEnd, next) = tokenizer.record(b, n, pos, &fields)
            pos = next
            if firstPending && options.header {
                firstPending = false
                if !options.enforceSchema { try checkHeader(b) }
                continue
            }
            firstPending = false
            try convertRow(b, recordStart, recordEnd, fileOffset: fileOffset)
            if rows >= batchSize { try flush(emit) }
        }
    }

    /// With `enforceSchema=false`, the header must name the schema's fields (case-insensitively).
    func checkHeader(_ b: UnsafePointer<UInt8>) throws {
        let names = (0..<fields.count).map { tokenizer.string(b, fields, $0) }
        let expected = schema.fields.filter { $0.name != options.columnNameOfCorruptRecord }.map(\.name)
        guard names.count == expected.count, zip(names, expected).allSatisfy({ $0.lowercased() == $1.lowercased() }) else {
            throw EmberError.invalidArgument(
                "CSV header does not conform to the schema.\n Header: \(names.joined(separator: ", "))\n Schema: \(expected.joined(separator: ", "))\nCSV file: \(path)")
        }
    }

    @inline(__always)
    mutating func convertRow(_ b: UnsafePointer<UInt8>, _ recordStart: Int, _ recordEnd: Int, fileOffset: Int) throws {
        let count = fields.count
        var malformed = count != expectedFields
        var corruptAt = -1
        for c in 0..<sources.count {
            let k = sources[c]
            if k < 0 { corruptAt = c; continue }
            if k >= count { columns[c].appendNull(); continue }
            if !append(c, b, fields.starts[k], fields.ends[k], fields.flags[k]) {
                malformed = true
                columns[c].appendNull()
            }
        }
        if malformed {
            switch options.mode {
            case .permissive: break
            case .dropMalformed:
                for c in 0..<columnCount where c != corruptAt { columns[c].removeLast() }
                return
            case .failFast:
                throw failFast(b, recordStart, fileOffset: fileOffset)
            }
        }
        if corruptAt >= 0 {
            if malformed {
                columns[corruptAt].appendBytes(b + recordStart, recordEnd - recordStart)
            } else {
                columns[corruptAt].appendNull()
            }
        }
        rows += 1
    }

    func failFast(_ b: UnsafePointer<UInt8>, _ recordStart: Int, fileOffset: Int) -> EmberError {
        var values = (0..<expectedFields).map { k in k < fields.count ? tokenizer.string(b, fields, k) : "null" }
        if values.isEmpty { values = [""] }
        let line = CSVReader.lineNumber(path: path, offset: fileOffset + recordStart)
        return EmberError.malformedRecord(
            "Malformed records are detected in record parsing: [\(values.joined(separator: ","))]. Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'. (file \(path), line \(line))")
    }

    /// Converts field `[s, e)` into column `c`. Returns false when the text does not
    /// convert (the caller then appends a NULL and marks the row malformed).
    @inline(__always)
    mutating func append(_ c: Int, _ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ flag: UInt8) -> Bool {
        if s == e {
            // Unquoted empty is always NULL; quoted empty reads as emptyValue.
            if flag & FieldBuffer.quoted == 0 || emptyBytes == nullBytes { columns[c].appendNull(); return true }
            if emptyBytes.isEmpty, columns[c].kind == .bytes {
                columns[c].commitBytes(0)
                return true
            }
            // An empty emptyValue converts to no non-string type (Spark: malformed).
            if emptyBytes.isEmpty { return false }
            return emptyBytes.withUnsafeBufferPointer { eb in
                guard let base = eb.baseAddress else { return false }
                return appendValue(c, base, 0, eb.count, 0)
            }
        }
        if !nullBytes.isEmpty, e - s == nullBytes.count, CSVParse.equals(b, s, e, nullBytes) {
            columns[c].appendNull(); return true
        }
        return appendValue(c, b, s, e, flag)
    }

    @inline(__always)
    mutating func appendValue(_ c: Int, _ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ flag: UInt8) -> Bool {
        switch columns[c].conversion {
        case .string:
            if flag & FieldBuffer.unescape != 0 {
                let out = columns[c].reserveBytes(e - s)
                columns[c].commitBytes(tokenizer.unescape(b, s, e, into: out))
            } else {
                columns[c].appendBytes(b + s, e - s)
            }
            return true
        case .int:
            guard let v = CSVParse.int64(b, s, e), let x = Int32(exactly: v) else { return false }
            columns[c].append(x)
        case .long:
            guard let v = CSVParse.int64(b, s, e) else { return false }
            columns[c].append(v)
        case .double:
            guard let v = specialDouble(b, s, e) ?? CSVParse.double(b, s, e) else { return false }
            columns[c].append(v)
        case .date:
            let d: Int32?
            if let f = options.dateFormat {
                d = f.parseDate(bytes: UnsafeBufferPointer(start: b + s, count: e - s))
            } else {
                d = CSVParse.date(b, s, e)
            }
            guard let v = d else { return false }
            columns[c].append(v)
        case .timestamp:
            let t: Int64?
            if let f = options.timestampFormat {
                t = f.parseTimestamp(bytes: UnsafeBufferPointer(start: b + s, count: e - s), zone: zone)
            } else {
                t = CSVParse.timestamp(b, s, e, zone: zone)
            }
            guard let v = t else { return false }
            columns[c].append(v)
        case .float:
            guard let v = specialDouble(b, s, e) ?? CSVParse.double(b, s, e) else { return false }
            columns[c].append(Float(v))
        case .bool:
            guard let v = CSVParse.bool(b, s, e) else { return false }
            columns[c].append(v)
        case .byte:
            guard let v = CSVParse.int64(b, s, e), let x = Int8(exactly: v) else { return false }
            columns[c].append(x)
        case .short:
            guard let v = CSVParse.int64(b, s, e), let x = Int16(exactly: v) else { return false }
            columns[c].append(x)
        case .decimal:
            guard let v = CSVParse.decimal(b, s, e, precision: columns[c].precision, scale: columns[c].scale) else {
                return false
            }
            columns[c].append(v)
        case .null:
            columns[c].appendNull()
            return true
        }
        return true
    }

    /// Spark checks the nanValue / positiveInf / negativeInf options before parsing.
    @inline(__always)
    func specialDouble(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        let c = b[s]
        if c &- 48 <= 9 || c == UInt8(ascii: ".") { return nil }
        if CSVParse.equals(b, s, e, nanBytes) { return .nan }
        if CSVParse.equals(b, s, e, posInfBytes) { return .infinity }
        if CSVParse.equals(b, s, e, negInfBytes) { return -.infinity }
        return nil
    }

    func release() {
        for c in 0..<columnCount { columns[c].release() }
        columns.deinitialize(count: columnCount)
        columns.deallocate()
        fields.release()
    }

    mutating func flush(_ emit: (RecordBatch) throws -> Void) throws {
        guard rows > 0 else { return }
        var cols: [Column] = []
        cols.reserveCapacity(columnCount)
        for i in 0..<columnCount { cols.append(columns[i].finish()) }
        let n = rows
        rows = 0
        try emit(RecordBatch(schema: outSchema, columns: cols, count: n))
    }
}
