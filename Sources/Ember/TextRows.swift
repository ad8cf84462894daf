import EmberCore
import Foundation

/// Rows as CSV fields and JSON values, as `ember sql --format` and `ember ml transform`
/// write them.
public enum TextRows {
    /// A CSV field: quoted when empty (NULL is the unquoted empty field) or when it holds a
    /// comma, quote or line break.
    public static func csvField(_ s: String) -> String {
        s.isEmpty || s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A value as a CSV field (vectors in Spark's text form).
    public static func csvValue(_ v: Value, _ t: DataType) -> String {
        if v.isNull { return "" }
        if t.isVector, let s = v.vectorString { return csvField(s) }
        return csvField(TableFormat.cell(v, zone: .utc))
    }

    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// A value as JSON: vectors as arrays of their elements, non-finite numbers as strings,
    /// dates and timestamps as ISO strings.
    public static func json(_ v: Value, _ t: DataType) -> String {
        if t.isVector, let xs = v.vectorElements { return "[" + xs.map { json(.double($0), .double) }.joined(separator: ",") + "]" }
        switch v {
        case .null: return "null"
        case .boolean(let b): return b ? "true" : "false"
        case .byte, .short, .int, .long, .decimal: return TableFormat.cell(v, zone: .utc)
        case .float(let f): return f.isFinite ? TableFormat.cell(v, zone: .utc) : jsonString(TableFormat.cell(v, zone: .utc))
        case .double(let d): return d.isFinite ? TableFormat.cell(v, zone: .utc) : jsonString(TableFormat.cell(v, zone: .utc))
        case .date(let d): return jsonString(DateTime.formatDate(d))
        case .timestamp(let ts): return jsonString(DateTime.formatTimestamp(ts, zone: .utc).replacingOccurrences(of: " ", with: "T"))
        case .array(let xs):
            let e: DataType = { if case .array(let e, _) = t { return e }; return .null }()
            return "[" + xs.map { json($0, e) }.joined(separator: ",") + "]"
        case .map(let ks, let vs):
            let vt: DataType = { if case .map(_, let v, _) = t { return v }; return .null }()
            return "{" + zip(ks, vs).map { jsonString(TableFormat.cell($0, zone: .utc)) + ":" + json($1, vt) }.joined(separator: ",") + "}"
        case .structure(let xs):
            let fields: [StructField] = { if case .structure(let f) = t { return f }; return [] }()
            return "{" + xs.enumerated().map { i, x in
                let f = i < fields.count ? fields[i] : StructField("col\(i + 1)", .null)
                return jsonString(f.name) + ":" + json(x, f.dataType)
            }.joined(separator: ",") + "}"
        default: return jsonString(TableFormat.cell(v, zone: .utc))
        }
    }

    /// One row as a JSON object line (without the newline).
    public static func jsonLine(_ values: [Value], _ schema: Schema) -> String {
        "{" + zip(schema.fields, values).map { jsonString($0.name) + ":" + json($1, $0.dataType) }.joined(separator: ",") + "}"
    }
}
