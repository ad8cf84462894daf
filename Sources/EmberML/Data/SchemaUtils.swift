import EmberCore

/// Schema checks every stage makes before touching data (Spark's `SchemaUtils`).
public enum SchemaUtils {
    /// The field named `name` (case-insensitive, as Spark resolves columns).
    public static func field(_ schema: Schema, _ name: String, stage: String) throws -> StructField {
        if let f = schema.fields.first(where: { $0.name == name }) ?? schema.fields.first(where: { $0.name.lowercased() == name.lowercased() }) {
            return f
        }
        throw MLError.invalidColumn(stage, "column \(name) does not exist. Available: \(schema.names.joined(separator: ", "))")
    }

    /// Checks that `name` exists and has one of `types` (`what` describes them in the error).
    public static func checkColumnType(_ schema: Schema, _ name: String, _ types: [DataType], stage: String, what: String? = nil) throws {
        let f = try field(schema, name, stage: stage)
        guard types.contains(f.dataType) else {
            let expected = what ?? types.map(\.typeName).joined(separator: " or ")
            throw MLError.invalidColumn(stage, "column \(name) must be of type \(expected) but was actually \(f.dataType.typeName)")
        }
    }

    /// Checks that `name` is numeric (any integral, floating or decimal type).
    public static func checkNumericType(_ schema: Schema, _ name: String, stage: String) throws {
        let f = try field(schema, name, stage: stage)
        guard f.dataType.isNumeric else {
            throw MLError.invalidColumn(stage, "column \(name) must be of type numeric but was actually of type \(f.dataType.typeName)")
        }
    }

    public static func checkVector(_ schema: Schema, _ name: String, stage: String) throws {
        try checkColumnType(schema, name, [.vector], stage: stage, what: "vector")
    }

    /// `schema` with a new column; throws if the name is taken.
    public static func appendColumn(_ schema: Schema, _ name: String, _ type: DataType, nullable: Bool = true, stage: String) throws -> Schema {
        guard !name.isEmpty else { throw MLError.invalidColumn(stage, "output column name is empty") }
        guard !schema.fields.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw MLError.invalidColumn(stage, "output column \(name) already exists")
        }
        return Schema(schema.fields + [StructField(name, type, nullable: nullable)])
    }
}
