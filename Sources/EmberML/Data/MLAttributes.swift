import EmberCore
import Foundation

/// Spark's ML attributes: what a column's values mean, kept in its metadata under
/// "ml_attr" as Spark writes it. StringIndexer marks its output nominal (with the labels),
/// VectorIndexer marks its categorical features, and VectorAssembler gathers its inputs'
/// attributes into the vector's attribute group, so that tree learners know which features
/// are categorical and how many categories each has.
public enum MLAttributes {
    public static let key = "ml_attr"

    /// A nominal (categorical) scalar column with these values.
    public static func nominal(name: String, values: [String]) -> [String: String] {
        encode(["type": "nominal", "name": name, "vals": values])
    }

    /// One attribute of a vector's group.
    public enum Feature {
        case numeric
        case nominal(values: Int)
        case binary
    }

    /// A vector column whose features are `features` (by index), named `name_i`.
    public static func group(name: String, features: [Feature]) -> [String: String] {
        var numeric: [[String: Any]] = [], nominal: [[String: Any]] = [], binary: [[String: Any]] = []
        for (i, f) in features.enumerated() {
            switch f {
            case .numeric: numeric.append(["idx": i, "name": "\(name)_\(i)"])
            case .nominal(let n): nominal.append(["idx": i, "name": "\(name)_\(i)", "num_vals": n])
            case .binary: binary.append(["idx": i, "name": "\(name)_\(i)"])
            }
        }
        var attrs: [String: Any] = [:]
        if !numeric.isEmpty { attrs["numeric"] = numeric }
        if !nominal.isEmpty { attrs["nominal"] = nominal }
        if !binary.isEmpty { attrs["binary"] = binary }
        return encode(["attrs": attrs, "num_attrs": features.count])
    }

    /// The features a field describes: one for a nominal or numeric scalar, the group of a
    /// vector; nil when the field has no attributes (or a vector group without a size).
    public static func features(_ field: StructField) -> [Feature]? {
        guard let text = field.metadata[key], let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            return nil
        }
        if let type = obj["type"] as? String {
            switch type {
            case "nominal":
                if let vals = obj["vals"] as? [Any] { return [.nominal(values: vals.count)] }
                if let n = obj["num_vals"] as? Int { return [.nominal(values: n)] }
                return [.numeric]
            case "binary": return [.binary]
            default: return [.numeric]
            }
        }
        guard let n = obj["num_attrs"] as? Int, n >= 0, n <= 1 << 24 else { return nil }
        var out = [Feature](repeating: .numeric, count: n)
        let attrs = obj["attrs"] as? [String: Any] ?? [:]
        for a in attrs["nominal"] as? [[String: Any]] ?? [] {
            guard let i = a["idx"] as? Int, i >= 0, i < n else { continue }
            if let vals = a["vals"] as? [Any] { out[i] = .nominal(values: vals.count) } else if let k = a["num_vals"] as? Int { out[i] = .nominal(values: k) }
        }
        for a in attrs["binary"] as? [[String: Any]] ?? [] {
            if let i = a["idx"] as? Int, i >= 0, i < n { out[i] = .binary }
        }
        return out
    }

    /// Categorical features of a vector column: feature index → number of categories
    /// (binary features have 2), as Spark's trees read them.
    public static func categoricalFeatures(_ field: StructField) -> [Int: Int] {
        var out: [Int: Int] = [:]
        for (i, f) in (features(field) ?? []).enumerated() {
            switch f {
            case .nominal(let n): out[i] = n
            case .binary: out[i] = 2
            case .numeric: break
            }
        }
        return out
    }

    static func encode(_ obj: [String: Any]) -> [String: String] {
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), let s = String(data: data, encoding: .utf8) else { return [:] }
        return [key: s]
    }
}
