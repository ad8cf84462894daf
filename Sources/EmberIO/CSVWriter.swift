import EmberCodecs
import EmberColumnar
import EmberCore
import Foundation

/// Writes record batches as CSV text the way Spark's CSV writer (univocity) does:
/// values trimmed of leading/trailing blanks by default, quoted only when they hold the
/// delimiter, a quote, a line break or start with the comment character; inside quotes
/// the escape character escapes quotes and itself; empty strings written as `""`, NULLs
/// as nullValue; timestamps as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`. With the `compression`
/// option the file is compressed as it is written (name it with `fileExtension(options)`).
public enum CSVWriter {
    /// The part-file extension Spark uses: `csv`, or `csv.gz`, `csv.bz2`, `csv.zst`,
    /// `csv.snappy`, `csv.lz4`, `csv.deflate` with compression.
    public static func fileExtension(_ options: CSVOptions) -> String {
        FileCodec.partExtension("csv", options.compression)
    }

    public static func write(
        batches: [RecordBatch], schema: Schema, to file: String, options: CSVOptions, zone: SessionTimeZone,
        includeHeader: Bool
    ) throws {
        for f in schema.fields {
            switch f.dataType {
            case .array, .map, .structure, .binary:
                throw EmberError.unsupported("CSV data source does not support \(f.dataType.sql) data type.")
            default: break
            }
        }
        var sink = try TextFileSink(creating: file, compression: options.compression)
        defer { sink.close() }
        var w = try Encoder(options: options, zone: zone)
        if includeHeader {
            for (i, f) in schema.fields.enumerated() {
                if i > 0 { w.buf.append(options.delimiter) }
                w.appendString(Array(f.name.utf8))
            }
            w.buf.append(contentsOf: w.lineSep)
        }
        for batch in batches {
            for r in 0..<batch.count {
                for c in 0..<batch.columns.count {
                    if c > 0 { w.buf.append(options.delimiter) }
                    w.append(batch.columns[c], r)
                }
                w.buf.append(contentsOf: w.lineSep)
                if w.buf.count >= 1 << 20 { try sink.write(&w.buf) }
            }
        }
        try sink.write(&w.buf)
        try sink.finish()
    }

    struct Encoder {
        let options: CSVOptions
        let zone: SessionTimeZone
        let lineSep: [UInt8]
        let quote: UInt8?
        let escape: UInt8?
        let comment: UInt8
        let trimLeading: Bool
        let trimTrailing: Bool
        let nullBytes: [UInt8]
        let emptyBytes: [UInt8]
        let timestampFormat: DateTimePattern
        let numbersDirect: Bool
        var buf: [UInt8] = []

        init(options: CSVOptions, zone: SessionTimeZone) throws {
            self.options = options
            self.zone = zone
            lineSep = options.lineSep ?? [10]
            quote = options.quote
            escape = options.escape
            comment = options.comment ?? UInt8(ascii: "#")
            trimLeading = options.ignoreLeadingWhiteSpace ?? true
            trimTrailing = options.ignoreTrailingWhiteSpace ?? true
            nullBytes = Array(options.nullValue.utf8)
            let q = options.quote.map { String(UnicodeScalar($0)) } ?? ""
            emptyBytes = Array((options.emptyValue ?? q + q).utf8)
            timestampFormat = try options.timestampFormat ?? DateTimePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            numbersDirect = !options.quoteAll && !Array("0123456789.-+EINaefinty".utf8).contains(options.delimiter)
            buf.reserveCapacity(1 << 20 + 4096)
        }

        mutating func append(_ col: Column, _ r: Int) {
            if col.isNull(r) {
                if options.quoteAll, !nullBytes.isEmpty { appendQuoted(nullBytes[...]) } else { buf.append(contentsOf: nullBytes) }
                return
            }
            if numbersDirect {
                // Numbers never need quotes here: write their digits straight into the buffer.
                switch col.storage {
                case .f64(let a): NumberFormat.appendJavaDouble(a[r], to: &buf); return
                case .f32(let a): NumberFormat.appendJavaFloat(a[r], to: &buf); return
                case .i64(let a) where col.type == .long: NumberFormat.appendInteger(a[r], to: &buf); return
                case .i32(let a) where col.type == .int: NumberFormat.appendInteger(Int64(a[r]), to: &buf); return
                case .i32(let a) where col.type == .date && options.dateFormat == nil:
                    DateTime.appendDate(a[r], to: &buf); return
                default: break
                }
            }
            switch col.storage {
            case .bytes:
                appendString(col.bytesAt(r))
            case .i32(let a):
                appendPlain(col.type == .date ? formatDate(a[r]) : String(a[r]))
            case .i64(let a):
                appendPlain(col.type == .timestamp ? timestampFormat.format(micros: a[r], zone: zone) : String(a[r]))
            case .f64(let a): appendPlain(NumberFormat.javaDouble(a[r]))
            case .f32(let a): appendPlain(NumberFormat.javaFloat(a[r]))
            case .bool(let a): appendPlain(a[r] ? "true" : "false")
            case .i8(let a): appendPlain(String(a[r]))
            case .i16(let a): appendPlain(String(a[r]))
            case .i128(let a):
                if case .decimal(_, let s) = col.type { appendPlain(Decimal128.format(a[r], scale: s)) } else { appendPlain(String(a[r])) }
            default:
                appendString(Array(col.value(at: r).stringValue?.utf8 ?? "".utf8))
            }
        }

        func formatDate(_ d: Int32) -> String {
            options.dateFormat.map { $0.format(days: d) } ?? DateTime.formatDate(d)
        }

        /// Non-string values go through the same quoting rules (a custom date format
        /// may contain the delimiter).
        mutating func appendPlain(_ s: String) { appendString(Array(s.utf8)) }

        mutating func appendString<C: Collection>(_ bytes: C) where C.Element == UInt8, C.Index == Int {
            var s = bytes.startIndex, e = bytes.endIndex
            if trimLeading { while s < e, bytes[s] <= 32 { s += 1 } }
            if trimTrailing { while e > s, bytes[e - 1] <= 32 { e -= 1 } }
            if s == e {
                buf.append(contentsOf: emptyBytes)
                return
            }
            var needs = options.quoteAll || bytes[s] == comment
            if !needs {
                for i in s..<e {
                    let c = bytes[i]
                    if c == options.delimiter || c == 10 || c == 13 || (quote != nil && c == quote) {
                        needs = true; break
                    }
                }
            }
            if needs, quote != nil {
                appendQuoted(bytes[s..<e])
            } else {
                buf.append(contentsOf: bytes[s..<e])
            }
        }

        mutating func appendQuoted<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            guard let q = quote else { buf.append(contentsOf: bytes); return }
            buf.append(q)
            let esc = escape ?? q
            for c in bytes {
                if c == q || (c == esc && esc != q) { buf.append(esc) }
                buf.append(c)
            }
            buf.append(q)
        }
    }
}
