import EmberCore
import Foundation

/// A function written in Swift and called from a plan: its result type, nullability and
/// an implementation the execution layer understands (a vectorized kernel over whole
/// columns). ML models transform DataFrames through these, as Spark's do through UDFs.
public final class UserFunction {
    /// The name the plan calls it by: unique per registration (`name#n`).
    public let key: String
    public let returnType: DataType
    public let nullable: Bool
    public let implementation: AnyObject
    /// Metadata of the column a call to this function makes (`StructField.metadata`).
    public let metadata: [String: String]

    init(key: String, returnType: DataType, nullable: Bool, implementation: AnyObject, metadata: [String: String]) {
        self.key = key
        self.returnType = returnType
        self.nullable = nullable
        self.implementation = implementation
        self.metadata = metadata
    }
}

/// Registered user functions, by key. A plan refers to a function by key, so a function
/// stays registered for the life of the process (each is small: a closure over a model).
public enum UserFunctions {
    nonisolated(unsafe) private static var table: [String: UserFunction] = [:]
    nonisolated(unsafe) private static var next = 0
    private static let lock = NSLock()

    /// Registers an implementation under a fresh key derived from `name`.
    public static func register(name: String, returnType: DataType, nullable: Bool = true, metadata: [String: String] = [:], implementation: AnyObject) -> UserFunction {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        let f = UserFunction(key: "\(name)#\(next)", returnType: returnType, nullable: nullable, implementation: implementation, metadata: metadata)
        table[f.key] = f
        return f
    }

    public static func lookup(_ key: String) -> UserFunction? {
        guard key.contains("#") else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return table[key]
    }
}
