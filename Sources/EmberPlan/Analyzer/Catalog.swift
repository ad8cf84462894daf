import EmberCore
import Foundation

/// What the analyzer needs from the session: temporary views and file schemas.
public protocol Catalog: AnyObject {
    /// A resolved plan for a view, or nil. Views defined by a query are analyzed again on
    /// each use (as Spark stores their text), so that errors in them surface here.
    func lookupView(_ name: String) throws -> LogicalPlan?
    /// Resolves a file source (infers its schema when none is given).
    func resolveSource(_ source: DataSource) throws -> Schema
}

/// Unique attribute ids (Spark's exprId), shared by every session in the process.
public enum ExprIds {
    nonisolated(unsafe) static var counter = 0
    static let lock = NSLock()

    public static func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        counter += 1
        return counter
    }
}

extension Attribute {
    /// A new attribute for a fresh output column.
    public static func fresh(_ name: String, _ type: DataType, nullable: Bool = true) -> Attribute {
        Attribute(id: ExprIds.next(), name: name, dataType: type, nullable: nullable)
    }

    /// A new attribute for a schema field (its metadata included).
    public static func fresh(_ field: StructField) -> Attribute {
        Attribute(id: ExprIds.next(), name: field.name, dataType: field.dataType, nullable: field.nullable, metadata: field.metadata)
    }
}
