import Foundation

/// An ordered list of fields: the shape of a DataFrame or a record batch.
public struct Schema: Hashable, Sendable {
    public var fields: [StructField]

    public init(_ fields: [StructField]) { self.fields = fields }

    /// Parses Spark DDL: `"id INT, name STRING, tags ARRAY<STRING>"`.
    public init(ddl: String) throws {
        var p = DDLParser(ddl)
        self.fields = try p.parseFieldList()
    }

    public var count: Int { fields.count }
    public var names: [String] { fields.map(\.name) }
    public subscript(i: Int) -> StructField { fields[i] }

    /// Case-insensitive lookup, as Spark's default `spark.sql.caseSensitive=false`.
    public func index(of name: String) -> Int? {
        if let i = fields.firstIndex(where: { $0.name == name }) { return i }
        let lower = name.lowercased()
        return fields.firstIndex(where: { $0.name.lowercased() == lower })
    }

    /// Spark's `StructType.toDDL`: fields joined by a comma.
    public var ddl: String { fields.map(\.ddl).joined(separator: ",") }

    public var asStruct: DataType { .structure(fields) }

    /// The tree `printSchema()` prints.
    public var treeString: String {
        var out = "root\n"
        for f in fields { Schema.appendTree(f.name, f.dataType, f.nullable, prefix: " |-- ", into: &out) }
        return out
    }

    private static func appendTree(_ name: String, _ t: DataType, _ nullable: Bool, prefix: String, into out: inout String) {
        out += "\(prefix)\(name): \(t.typeName) (nullable = \(nullable))\n"
        let childPrefix = prefix.replacingOccurrences(of: "|-- ", with: "|    |-- ")
        switch t {
        case .array(let e, let cn):
            appendTree("element", e, cn, prefix: childPrefix, into: &out)
        case .map(let k, let v, let vn):
            appendTree("key", k, false, prefix: childPrefix, into: &out)
            appendTree("value", v, vn, prefix: childPrefix, into: &out)
        case .structure(let fs) where !t.isVector:
            for f in fs { appendTree(f.name, f.dataType, f.nullable, prefix: childPrefix, into: &out) }
        default: break
        }
    }
}

extension Schema: CustomStringConvertible {
    public var description: String { ddl }
}

extension DataType {
    /// The types named by one word (case-insensitive): `int`/`integer`, `bigint`/`long`,
    /// `string`, `date`… Shared by the DDL parser and the SQL parser.
    public init?(atomicName: String) {
        switch atomicName.lowercased() {
        case "boolean", "bool": self = .boolean
        case "tinyint", "byte": self = .byte
        case "smallint", "short": self = .short
        case "int", "integer": self = .int
        case "bigint", "long": self = .long
        case "float", "real": self = .float
        case "double": self = .double
        case "string", "text": self = .string
        case "binary": self = .binary
        case "date": self = .date
        case "timestamp", "timestamp_ltz": self = .timestamp
        case "void": self = .null
        default: return nil
        }
    }

    /// Parses one Spark type name: `int`, `bigint`, `decimal(10,2)`, `array<string>`, `struct<a:int>`.
    public init(ddl: String) throws {
        var p = DDLParser(ddl)
        self = try p.parseType()
        try p.expectEnd()
    }
}

/// A small recursive-descent parser for Spark's DDL type strings.
struct DDLParser {
    let chars: [Character]
    var pos = 0
    let text: String

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    mutating func skipSpace() {
        while pos < chars.count, chars[pos].isWhitespace { pos += 1 }
    }

    func error(_ what: String) -> EmberError {
        EmberError.parse("\(what) in DDL '\(text)' at position \(pos + 1)", line: 1, position: pos + 1)
    }

    mutating func expectEnd() throws {
        skipSpace()
        if pos < chars.count { throw error("unexpected '\(chars[pos])'") }
    }

    mutating func identifier() throws -> String {
        skipSpace()
        guard pos < chars.count else { throw error("expected a name") }
        if chars[pos] == "`" {
            pos += 1
            var s = ""
            while pos < chars.count {
                if chars[pos] == "`" {
                    if pos + 1 < chars.count, chars[pos + 1] == "`" { s.append("`"); pos += 2; continue }
                    pos += 1
                    return s
                }
                s.append(chars[pos]); pos += 1
            }
            throw error("unterminated quoted name")
        }
        var s = ""
        while pos < chars.count, chars[pos].isLetter || chars[pos].isNumber || chars[pos] == "_" {
            s.append(chars[pos]); pos += 1
        }
        if s.isEmpty { throw error("expected a name but found '\(chars[pos])'") }
        return s
    }

    mutating func consume(_ c: Character) -> Bool {
        skipSpace()
        if pos < chars.count, chars[pos] == c { pos += 1; return true }
        return false
    }

    mutating func expect(_ c: Character) throws {
        if !consume(c) { throw error("expected '\(c)'") }
    }

    mutating func integer() throws -> Int {
        skipSpace()
        var s = ""
        while pos < chars.count, chars[pos].isNumber { s.append(chars[pos]); pos += 1 }
        guard let v = Int(s) else { throw error("expected a number") }
        return v
    }

    mutating func keyword(_ word: String) -> Bool {
        skipSpace()
        let save = pos
        if let id = try? identifier(), id.lowercased() == word { return true }
        pos = save
        return false
    }

    mutating func parseFieldList() throws -> [StructField] {
        var fields: [StructField] = []
        skipSpace()
        if pos >= chars.count { return [] }
        repeat {
            let name = try identifier()
            _ = consume(":")
            let type = try parseType()
            var nullable = true
            if keyword("not") {
                guard keyword("null") else { throw error("expected NULL after NOT") }
                nullable = false
            }
            if keyword("comment") {
                skipSpace()
                if pos < chars.count, chars[pos] == "'" || chars[pos] == "\"" {
                    let q = chars[pos]; pos += 1
                    while pos < chars.count, chars[pos] != q { pos += 1 }
                    pos += 1
                }
            }
            fields.append(StructField(name, type, nullable: nullable))
        } while consume(",")
        try expectEnd()
        return fields
    }

    mutating func parseType() throws -> DataType {
        let name = try identifier().lowercased()
        if let atomic = DataType(atomicName: name) { return atomic }
        switch name {
        case "varchar", "char", "character":
            if consume("(") { _ = try integer(); try expect(")") }
            return .string
        case "decimal", "dec", "numeric":
            if consume("(") {
                let p = try integer()
                var s = 0
                if consume(",") { s = try integer() }
                try expect(")")
                guard p >= 1, p <= DataType.maxDecimalPrecision, s >= 0, s <= p else {
                    throw error("invalid decimal precision/scale (\(p),\(s))")
                }
                return .decimal(precision: p, scale: s)
            }
            return DataType.defaultDecimal
        case "array":
            try expect("<")
            let e = try parseType()
            try expect(">")
            return .array(element: e, containsNull: true)
        case "map":
            try expect("<")
            let k = try parseType()
            try expect(",")
            let v = try parseType()
            try expect(">")
            return .map(key: k, value: v, valueContainsNull: true)
        case "struct":
            try expect("<")
            var fields: [StructField] = []
            if !consume(">") {
                repeat {
                    let n = try identifier()
                    _ = consume(":")
                    let t = try parseType()
                    var nullable = true
                    if keyword("not") { _ = keyword("null"); nullable = false }
                    fields.append(StructField(n, t, nullable: nullable))
                } while consume(",")
                try expect(">")
            }
            return .structure(fields)
        default:
            throw EmberError(
                errorClass: "UNSUPPORTED_DATATYPE", sqlState: "0A000",
                message: "Unsupported data type \"\(name.uppercased())\" in '\(text)'.")
        }
    }
}
