import EmberCore

/// Spark's schema in a Parquet footer: the key-value entry
/// `org.apache.spark.sql.parquet.row.metadata`, whose value is `StructType.json` (field
/// metadata included, the vector type as Spark's `VectorUDT`). Ember writes it into every
/// file, as Spark does, and reads back the field metadata of the columns it names.
public enum ParquetSparkSchema {
    public static let key = "org.apache.spark.sql.parquet.row.metadata"

    /// The text Spark writes for `schema` (`StructType.json` on the JVM).
    public static func json(_ schema: Schema) -> String {
        var out: [UInt8] = []
        appendStruct(schema.fields, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `schema` with the field metadata that `text` gives its fields, matched by name (into
    /// nested structs, arrays and maps). Text that is not a Spark schema changes nothing:
    /// Spark logs such a value and falls back to the Parquet schema.
    public static func applying(_ text: String, to schema: Schema) -> Schema {
        guard let json = SparkJSONValue.parse(text), json["type"]?.stringValue == "struct" else { return schema }
        return Schema(applyFields(json, schema.fields))
    }

    // MARK: Writing

    private static func appendStruct(_ fields: [StructField], into out: inout [UInt8]) {
        out.append(contentsOf: #"{"type":"struct","fields":["#.utf8)
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"name":"#.utf8)
            SparkJSONValue.quote(f.name, into: &out)
            out.append(contentsOf: #","type":"#.utf8)
            appendType(f.dataType, into: &out)
            out.append(contentsOf: (f.nullable ? #","nullable":true,"metadata":"# : #","nullable":false,"metadata":"#).utf8)
            metadataValue(f.metadata).render(metadata: true, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
    }

    private static func appendType(_ t: DataType, into out: inout [UInt8]) {
        switch t {
        case .array(let e, let containsNull):
            out.append(contentsOf: #"{"type":"array","elementType":"#.utf8)
            appendType(e, into: &out)
            out.append(contentsOf: #","containsNull":\#(containsNull)}"#.utf8)
        case .map(let k, let v, let valueContainsNull):
            out.append(contentsOf: #"{"type":"map","keyType":"#.utf8)
            appendType(k, into: &out)
            out.append(contentsOf: #","valueType":"#.utf8)
            appendType(v, into: &out)
            out.append(contentsOf: #","valueContainsNull":\#(valueContainsNull)}"#.utf8)
        case .structure(let fs) where t.isVector:
            out.append(contentsOf: #"{"type":"udt","class":"org.apache.spark.ml.linalg.VectorUDT","pyClass":"pyspark.ml.linalg.VectorUDT","sqlType":"#.utf8)
            // The UDT's SQL type is fixed; nullability as Spark declares it.
            var sql = fs
            for k in sql.indices { sql[k].nullable = k != 0; sql[k].metadata = [:] }
            appendStruct(sql, into: &out)
            out.append(UInt8(ascii: "}"))
        case .structure(let fs):
            appendStruct(fs, into: &out)
        default:
            SparkJSONValue.quote(t.typeName, into: &out)
        }
    }

    /// Ember's metadata (each value JSON text) as one object; a value that is not JSON is
    /// taken as a string.
    private static func metadataValue(_ m: [String: String]) -> SparkJSONValue {
        .object(m.sorted { $0.key < $1.key }.map { ($0.key, SparkJSONValue.parse($0.value) ?? .string($0.value)) })
    }

    // MARK: Reading

    private static func applyFields(_ json: SparkJSONValue, _ fields: [StructField]) -> [StructField] {
        guard case .array(let items)? = json["fields"] else { return fields }
        var out = fields
        for item in items {
            guard let name = item["name"]?.stringValue, let k = out.firstIndex(where: { $0.name == name }) else { continue }
            if case .object(let ms)? = item["metadata"] {
                var md: [String: String] = [:]
                for (key, v) in ms { md[key] = v.rendered(metadata: true) }
                out[k].metadata = md
            }
            if let t = item["type"] { out[k].dataType = applyType(t, out[k].dataType) }
        }
        return out
    }

    /// Nested fields' metadata. A `VectorUDT` needs nothing: a struct of the vector's
    /// layout already is the vector type.
    private static func applyType(_ json: SparkJSONValue, _ t: DataType) -> DataType {
        switch (json["type"]?.stringValue, t) {
        case ("struct", .structure(let fs)) where !t.isVector:
            return .structure(applyFields(json, fs))
        case ("array", .array(let e, let n)):
            guard let j = json["elementType"] else { return t }
            return .array(element: applyType(j, e), containsNull: n)
        case ("map", .map(let k, let v, let n)):
            guard let jk = json["keyType"], let jv = json["valueType"] else { return t }
            return .map(key: applyType(jk, k), value: applyType(jv, v), valueContainsNull: n)
        default:
            return t
        }
    }
}
