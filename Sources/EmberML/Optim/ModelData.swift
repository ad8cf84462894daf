import Ember
import EmberCore
import Foundation

/// Reads and writes the one-row Parquet table a linear model keeps under `dir/data`.
enum ModelData {
    static func save(_ values: [Value], schema: String, dir: String, session: Session) throws {
        let df = try session.createDataFrame([values], schema: try Schema(ddl: schema))
        try df.write.parquet(dir + "/data")
    }

    /// The single row saved by `save`, its fields by name.
    static func load(dir: String, session: Session) throws -> Row {
        let rows = try session.read.parquet(dir + "/data").collect()
        guard rows.count == 1, let r = rows.first else {
            throw MLError.invalidModelDirectory(dir, "data/ holds \(rows.count) rows, expected 1")
        }
        return r
    }

    static func int(_ r: Row, _ name: String, _ dir: String) throws -> Int {
        switch r[name] {
        case .int(let i)?: return Int(i)
        case .long(let i)?: return Int(i)
        default: throw MLError.invalidModelDirectory(dir, "data/ lacks the int field \(name)")
        }
    }

    static func double(_ r: Row, _ name: String, _ dir: String) throws -> Double {
        guard case .double(let x)? = r[name] else { throw MLError.invalidModelDirectory(dir, "data/ lacks the double field \(name)") }
        return x
    }

    static func bool(_ r: Row, _ name: String, _ dir: String) throws -> Bool {
        guard case .boolean(let x)? = r[name] else { throw MLError.invalidModelDirectory(dir, "data/ lacks the boolean field \(name)") }
        return x
    }

    static func doubles(_ r: Row, _ name: String, _ dir: String) throws -> [Double] {
        guard case .array(let xs)? = r[name] else { throw MLError.invalidModelDirectory(dir, "data/ lacks the array field \(name)") }
        return try xs.map { v in
            guard case .double(let x) = v else { throw MLError.invalidModelDirectory(dir, "data/ field \(name) holds a non-double") }
            return x
        }
    }

    static func array(_ xs: [Double]) -> Value { .array(xs.map { .double($0) }) }
}
