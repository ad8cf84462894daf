import EmberCodecs
import EmberColumnar
import EmberCore
import Foundation

/// Writes record batches as JSON Lines the way Spark's JSON writer (Jackson) does: one
/// object per row with the schema's field order, NULL fields left out (unless
/// `ignoreNullFields=false`), NULL array elements and map values written as `null`,
/// timestamps as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` and dates as `yyyy-MM-dd` strings,
/// doubles as Java prints them (NaN and infinities as strings), decimals as Java's
/// `BigDecimal.toString`, binary as base64. With the `compression` option the file is
/// compressed as it is written (name it with `fileExtension(options)`).
public enum JSONWriter {
    /// The part-file extension Spark uses: `json`, or e.g. `json.gz`, `json.bz2`.
    public static func fileExtension(_ options: JSONOptions) -> String {
        FileCodec.partExtension("json", options.compression)
    }

    public static func write(
        batches: [RecordBatch], schema: Schema, to file: String, options: JSONOptions, zone: SessionTimeZone
    ) throws {
        var e = try JSONRowEncoder(schema: schema, options: options, zone: zone)
        var sink = try TextFileSink(creating: file, compression: options.compression)
        defer { sink.close() }
        for batch in batches {
            for r in 0..<batch.count {
                e.appendRow(batch.columns, r)
                if e.buf.count >= 1 << 20 { try sink.write(&e.buf) }
            }
        }
        try sink.write(&e.buf)
        try sink.finish()
    }
}

/// Row-to-JSON text encoder (one line per row).
struct JSONRowEncoder {
    let schema: Schema
    let ignoreNullFields: Bool
    let zone: SessionTimeZone
    let lineSep: [UInt8]
    let timestampFormat: DateTimePattern
    let dateFormat: DateTimePattern?
    /// `"name":` of each top-level field, escaped.
    let prefixes: [[UInt8]]
    var buf: [UInt8] = []

    init(schema: Schema, options: JSONOptions, zone: SessionTimeZone) throws {
        self.schema = schema
        ignoreNullFields = options.ignoreNullFields
        self.zone = options.timeZone ?? zone
        lineSep = options.lineSep ?? [10]
        timestampFormat = try options.timestampFormat ?? DateTimePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
        dateFormat = options.dateFormat
        prefixes = schema.fields.map { f in
            var p: [UInt8] = []
            JSONRowEncoder.appendString(Array(f.name.utf8), to: &p)
            p.append(UInt8(ascii: ":"))
            return p
        }
        buf.reserveCapacity((1 << 20) + 4096)
    }

    mutating func appendRow(_ columns: [Column], _ r: Int) {
        buf.append(UInt8(ascii: "{"))
        var first = true
        for c in 0..<columns.count {
            let col = columns[c]
            let null = col.isNull(r)
            if null && ignoreNullFields { continue }
            if !first { buf.append(UInt8(ascii: ",")) }
            first = false
            buf.append(contentsOf: prefixes[c])
            if null { appendNull() } else { appendValue(col, r) }
        }
        buf.append(UInt8(ascii: "}"))
        buf.append(contentsOf: lineSep)
    }

    @inline(__always)
    mutating func appendNull() { buf.append(contentsOf: [110, 117, 108, 108]) }

    /// Appends non-NULL row `r` of `col`.
    mutating func appendValue(_ col: Column, _ r: Int) {
        switch col.storage {
        case .none: appendNull()
        case .bool(let a): buf.append(contentsOf: a[r] ? Array("true".utf8) : Array("false".utf8))
        case .i8(let a): NumberFormat.appendInteger(Int64(a[r]), to: &buf)
        case .i16(let a): NumberFormat.appendInteger(Int64(a[r]), to: &buf)
        case .i32(let a):
            if col.type == .date {
                buf.append(UInt8(ascii: "\""))
                if let f = dateFormat { JSONRowEncoder.appendEscaped(Array(f.format(days: a[r]).utf8), to: &buf) } else { DateTime.appendDate(a[r], to: &buf) }
                buf.append(UInt8(ascii: "\""))
            } else {
                NumberFormat.appendInteger(Int64(a[r]), to: &buf)
            }
        case .i64(let a):
            if col.type == .timestamp {
                JSONRowEncoder.appendString(Array(timestampFormat.format(micros: a[r], zone: zone).utf8), to: &buf)
            } else {
                NumberFormat.appendInteger(a[r], to: &buf)
            }
        case .f32(let a):
            if a[r].isFinite { NumberFormat.appendJavaFloat(a[r], to: &buf) } else { appendQuotedJava(Double(a[r])) }
        case .f64(let a):
            if a[r].isFinite { NumberFormat.appendJavaDouble(a[r], to: &buf) } else { appendQuotedJava(a[r]) }
        case .i128(let a):
            var scale = 0
            if case .decimal(_, let s) = col.type { scale = s }
            JSONRowEncoder.appendJavaBigDecimal(a[r], scale: scale, to: &buf)
        case .bytes(let o, let d):
            let s = Int(o[r]), e = Int(o[r + 1])
            if col.type == .binary {
                buf.append(UInt8(ascii: "\""))
                JSONRowEncoder.appendBase64(d[s..<e], to: &buf)
                buf.append(UInt8(ascii: "\""))
            } else {
                buf.append(UInt8(ascii: "\""))
                JSONRowEncoder.appendEscaped(d[s..<e], to: &buf)
                buf.append(UInt8(ascii: "\""))
            }
        case .list(let o, let values):
            buf.append(UInt8(ascii: "["))
            for i in Int(o[r])..<Int(o[r + 1]) {
                if i > Int(o[r]) { buf.append(UInt8(ascii: ",")) }
                if values.isNull(i) { appendNull() } else { appendValue(values, i) }
            }
            buf.append(UInt8(ascii: "]"))
        case .map(let o, let keys, let values):
            buf.append(UInt8(ascii: "{"))
            for i in Int(o[r])..<Int(o[r + 1]) {
                if i > Int(o[r]) { buf.append(UInt8(ascii: ",")) }
                JSONRowEncoder.appendString(JSONRowEncoder.keyText(keys, i), to: &buf)
                buf.append(UInt8(ascii: ":"))
                if values.isNull(i) { appendNull() } else { appendValue(values, i) }
            }
            buf.append(UInt8(ascii: "}"))
        case .structure(let children):
            guard case .structure(let fields) = col.type else { appendNull(); return }
            buf.append(UInt8(ascii: "{"))
            var first = true
            for (k, child) in children.enumerated() where k < fields.count {
                let null = child.isNull(r)
                if null && ignoreNullFields { continue }
                if !first { buf.append(UInt8(ascii: ",")) }
                first = false
                JSONRowEncoder.appendString(Array(fields[k].name.utf8), to: &buf)
                buf.append(UInt8(ascii: ":"))
                if null { appendNull() } else { appendValue(child, r) }
            }
            buf.append(UInt8(ascii: "}"))
        }
    }

    /// Jackson writes NaN and infinities as strings.
    mutating func appendQuotedJava(_ x: Double) {
        buf.append(UInt8(ascii: "\""))
        NumberFormat.appendJavaDouble(x, to: &buf)
        buf.append(UInt8(ascii: "\""))
    }

    /// A map key as Spark writes it: the key value's Java `toString` (dates and
    /// timestamps as their internal day and microsecond counts).
    static func keyText(_ col: Column, _ i: Int) -> [UInt8] {
        var out: [UInt8] = []
        switch col.storage {
        case .bytes(let o, let d): return Array(d[Int(o[i])..<Int(o[i + 1])])
        case .bool(let a): return Array((a[i] ? "true" : "false").utf8)
        case .i8(let a): NumberFormat.appendInteger(Int64(a[i]), to: &out)
        case .i16(let a): NumberFormat.appendInteger(Int64(a[i]), to: &out)
        case .i32(let a): NumberFormat.appendInteger(Int64(a[i]), to: &out)
        case .i64(let a): NumberFormat.appendInteger(a[i], to: &out)
        case .f32(let a): NumberFormat.appendJavaFloat(a[i], to: &out)
        case .f64(let a): NumberFormat.appendJavaDouble(a[i], to: &out)
        case .i128(let a):
            var scale = 0
            if case .decimal(_, let s) = col.type { scale = s }
            appendJavaBigDecimal(a[i], scale: scale, to: &out)
        default:
            // Nested keys: Spark writes the JVM's text of its internal value; ours.
            return Array("\(col.value(at: i))".utf8)
        }
        return out
    }

    /// A quoted, escaped JSON string.
    static func appendString<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        out.append(UInt8(ascii: "\""))
        appendEscaped(bytes, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Jackson's escaping: `"` and `\`, control characters as `\b \t \n \f \r` or
    /// `\u00XX`; everything else (UTF-8 included) as it is.
    static func appendEscaped<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        var plain = true
        for c in bytes where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { plain = false; break }
        if plain { out.append(contentsOf: bytes); return }
        for c in bytes {
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 8: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 9: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 10: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 12: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 13: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 15)])
            default: out.append(c)
            }
        }
    }

    /// Java's `BigDecimal.toString` for a non-negative scale: plain digits unless the
    /// adjusted exponent is below -6 (then `d.dddE-n`).
    static func appendJavaBigDecimal(_ unscaled: Int128, scale: Int, to out: inout [UInt8]) {
        if unscaled < 0 { out.append(UInt8(ascii: "-")) }
        let digits = Array(String(unscaled.magnitude).utf8)
        if scale <= 0 {
            out.append(contentsOf: digits)
            for _ in 0..<(-scale) where unscaled != 0 { out.append(48) }
            return
        }
        let adjusted = digits.count - 1 - scale
        if adjusted >= -6 {
            if digits.count > scale {
                out.append(contentsOf: digits[..<(digits.count - scale)])
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[(digits.count - scale)...])
            } else {
                out.append(48)
                out.append(UInt8(ascii: "."))
                for _ in 0..<(scale - digits.count) { out.append(48) }
                out.append(contentsOf: digits)
            }
            return
        }
        out.append(digits[0])
        if digits.count > 1 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[1...])
        }
        out.append(UInt8(ascii: "E"))
        NumberFormat.appendInteger(Int64(adjusted), to: &out)
    }

    static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding, no line breaks.
    static func appendBase64(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i + 3 <= end {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(base64Alphabet[Int(v >> 18 & 63)]); out.append(base64Alphabet[Int(v >> 12 & 63)])
            out.append(base64Alphabet[Int(v >> 6 & 63)]); out.append(base64Alphabet[Int(v & 63)])
            i += 3
        }
        let rest = end - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest > 1 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(base64Alphabet[Int(v >> 18 & 63)]); out.append(base64Alphabet[Int(v >> 12 & 63)])
            out.append(rest > 1 ? base64Alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
    }
}
