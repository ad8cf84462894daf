//! EmberCore: Spark's data types, schemas and their DDL, scalar values, errors and
//! configuration. Every other Ember target builds on these; this target imports
//! only the standard library and Foundation.
import Foundation


/// A Spark SQL data type. Names, widths and nullability follow Apache Spark 4.x.
public indirect enum DataType: Hashable, Sendable {
    case null
    case boolean
    case byte
    case short
    case int
    case long
    case float
    case double
    case decimal(precision: Int, scale: Int)
    case string
    case binary
    /// Days since 1970-01-01.
    case date
    /// Microseconds since the epoch, shown in the session time zone.
    case timestamp
    case array(element: DataType, containsNull: Bool)
    case map(key: DataType, value: DataType, valueContainsNull: Bool)
    case structure([StructField])

    public static let maxDecimalPrecision = 38
    public static let defaultDecimal = DataType.decimal(precision: 10, scale: 0)

    public var isNumeric: Bool {
        switch self {
        case .byte, .short, .int, .long, .float, .double, .decimal: return true
        default: return false
        }
    }
    public var isIntegral: Bool {
        switch self {
        case .byte, .short, .int, .long: return true
        default: return false
        }
    }
    public var isFractional: Bool {
        switch self {
        case .float, .double: return true
        default: return false
        }
    }
    public var isDecimal: Bool {
        if case .decimal = self { return true }
        return false
    }
    public var isDatetime: Bool { self == .date || self == .timestamp }
    public var isNested: Bool {
        switch self {
        case .array, .map, .structure: return true
        default: return false
        }
    }

    /// Spark's `DataType.sql`: `INT`, `BIGINT`, `DECIMAL(10,2)`, `ARRAY<STRING>`,
    /// `STRUCT<a: INT, b: STRING>`. This is what DDL and DESCRIBE print.
    public var sql: String {
        switch self {
        case .null: return "VOID"
        case .boolean: return "BOOLEAN"
        case .byte: return "TINYINT"
        case .short: return "SMALLINT"
        case .int: return "INT"
        case .long: return "BIGINT"
        case .float: return "FLOAT"
        case .double: return "DOUBLE"
        case .decimal(let p, let s): return "DECIMAL(\(p),\(s))"
        case .string: return "STRING"
        case .binary: return "BINARY"
        case .date: return "DATE"
        case .timestamp: return "TIMESTAMP"
        case .array(let e, _): return "ARRAY<\(e.sql)>"
        case .map(let k, let v, _): return "MAP<\(k.sql), \(v.sql)>"
        case .structure(let fields):
            let inner = fields.map { f -> String in
                "\(quoteIdentifierIfNeeded(f.name)): \(f.dataType.sql)\(f.nullable ? "" : " NOT NULL")"
            }.joined(separator: ", ")
            return "STRUCT<\(inner)>"
        }
    }

    /// Spark's `simpleString`: `int`, `bigint`, `array<string>`, `struct<a:int>`.
    /// Used in error messages and `DataFrame.dtypes`.
    public var simpleString: String {
        switch self {
        case .null: return "void"
        case .boolean: return "boolean"
        case .byte: return "tinyint"
        case .short: return "smallint"
        case .int: return "int"
        case .long: return "bigint"
        case .float: return "float"
        case .double: return "double"
        case .decimal(let p, let s): return "decimal(\(p),\(s))"
        case .string: return "string"
        case .binary: return "binary"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .array(let e, _): return "array<\(e.simpleString)>"
        case .map(let k, let v, _): return "map<\(k.simpleString),\(v.simpleString)>"
        case .structure(let fields):
            return "struct<" + fields.map { "\($0.name):\($0.dataType.simpleString)" }.joined(separator: ",") + ">"
        }
    }

    /// Spark's `typeName`, as `printSchema()` shows it: `integer`, `long`, `string`.
    public var typeName: String {
        switch self {
        case .null: return "void"
        case .boolean: return "boolean"
        case .byte: return "byte"
        case .short: return "short"
        case .int: return "integer"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .decimal(let p, let s): return "decimal(\(p),\(s))"
        case .string: return "string"
        case .binary: return "binary"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .array: return "array"
        case .map: return "map"
        case .structure: return isVector ? "vector" : "struct"
        }
    }

    /// Fixed byte width of one value (used for memory accounting and size estimates).
    public var defaultSize: Int {
        switch self {
        case .null: return 1
        case .boolean, .byte: return 1
        case .short: return 2
        case .int, .date, .float: return 4
        case .long, .timestamp, .double: return 8
        case .decimal: return 16
        case .string, .binary: return 20
        case .array(let e, _): return e.defaultSize * 4
        case .map(let k, let v, _): return (k.defaultSize + v.defaultSize) * 4
        case .structure(let f): return f.reduce(0) { $0 + $1.dataType.defaultSize }
        }
    }
}

extension DataType: CustomStringConvertible {
    public var description: String { simpleString }
}

/// One named field of a struct or schema.
public struct StructField: Hashable, Sendable {
    public var name: String
    public var dataType: DataType
    public var nullable: Bool
    /// Spark's field metadata, by key, each value a JSON text (ML stages describe their
    /// output columns under "ml_attr"). Not part of equality: two fields that differ only
    /// in metadata are the same field.
    public var metadata: [String: String] = [:]

    public init(_ name: String, _ dataType: DataType, nullable: Bool = true) {
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
    }

    public init(_ name: String, _ dataType: DataType, nullable: Bool = true, metadata: [String: String]) {
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata
    }

    public static func == (a: StructField, b: StructField) -> Bool {
        a.name == b.name && a.dataType == b.dataType && a.nullable == b.nullable
    }

    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(dataType)
        h.combine(nullable)
    }

    /// Spark's `StructField.toDDL`.
    public var ddl: String {
        "\(quoteIdentifierIfNeeded(name)) \(dataType.sql)\(nullable ? "" : " NOT NULL")"
    }
}

/// Quotes an identifier with backticks when it is not a plain `[A-Za-z_][A-Za-z0-9_]*` word.
public func quoteIdentifierIfNeeded(_ name: String) -> String {
    var plain = !name.isEmpty
    for (i, c) in name.unicodeScalars.enumerated() {
        let ok = c == "_" || (c.value < 128 && (c.properties.isAlphabetic || (i > 0 && c.properties.numericType != nil)))
        if !ok { plain = false; break }
    }
    if plain, let first = name.unicodeScalars.first, first.properties.numericType != nil { plain = false }
    return plain ? name : "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
}
