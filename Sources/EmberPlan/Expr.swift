//! EmberPlan: the expression and logical-plan model, function signatures, the
//! analyzer and the optimizer. Its shapes mirror Spark Connect's `Expression` and
//! `Relation` messages, so that sending a plan to a Spark cluster is a tree walk.
import EmberCore

/// An expression. The first group of cases mirrors Spark Connect's `Expression`
/// message (what the SQL parser and the DataFrame API build); the second group is
/// produced by the analyzer once names and types are resolved.
///
/// Operators are functions, as in Spark Connect: `a + b` is
/// `.function("+", [a, b])`; comparison names are `==`, `!=`, `<`, `<=`, `>`, `>=`,
/// `<=>`; boolean `and`, `or`, `not`; `isnull`, `isnotnull`, `in`, `like`, `rlike`,
/// `when` (args: cond1, value1, cond2, value2, …, [else]), `negative`, `between`
/// is expanded by its builders into `>=`/`<=`.
public indirect enum Expr: Hashable {
    // MARK: Spark Connect mirror (unresolved)
    case literal(Value, DataType)
    /// A column name, possibly qualified: `t.a` is `["t", "a"]`.
    case unresolvedAttribute([String])
    /// `*` or `t.*`.
    case star(qualifier: [String])
    case function(name: String, args: [Expr], isDistinct: Bool)
    /// `expr AS name`. `id` is set by the analyzer when it names the output attribute.
    case alias(Expr, name: String, id: Int?)
    case cast(Expr, to: DataType, mode: CastMode)
    case sortOrder(Expr, ascending: Bool, nullsFirst: Bool)
    /// `function OVER (window)`.
    case window(Expr, WindowSpec)
    case scalarSubquery(LogicalPlan)
    case exists(LogicalPlan)
    /// `value IN (subquery)`; `NOT IN` wraps it in `not`.
    case inSubquery([Expr], LogicalPlan)
    /// `struct.field` or `map[key]`/`array[index]` applied to an expression that is not a plain column.
    case extractValue(Expr, key: Expr)
    /// `x -> body` or `(acc, x) -> body`, an argument of a higher-order function. The
    /// analyzer binds it into the call's `lambdas`.
    case lambda(params: [String], body: Expr)

    // MARK: Resolved (produced by the analyzer)
    /// A resolved reference to a column of the input.
    case attribute(Attribute)
    /// A resolved function call with its result type.
    case call(FunctionCall)
    /// A reference to a column of an enclosing query (correlated subquery).
    case outerReference(Attribute)

    /// `lit(v)` with the value's own type.
    public static func lit(_ v: Value) -> Expr { .literal(v, v.naturalType) }

    public static func fn(_ name: String, _ args: Expr...) -> Expr {
        .function(name: name, args: args, isDistinct: false)
    }

    public static func col(_ name: String) -> Expr { .unresolvedAttribute(Expr.splitName(name)) }

    /// Splits `a.b` into parts, honouring backticks (`` `a.b` `` is one part).
    public static func splitName(_ name: String) -> [String] {
        var parts: [String] = []
        var cur = ""
        var quoted = false
        var chars = Array(name)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "`" {
                if quoted, i + 1 < chars.count, chars[i + 1] == "`" { cur.append("`"); i += 2; continue }
                quoted.toggle()
            } else if c == ".", !quoted {
                parts.append(cur); cur = ""
            } else {
                cur.append(c)
            }
            i += 1
        }
        parts.append(cur)
        chars.removeAll()
        return parts
    }
}

public enum CastMode: Hashable, Sendable {
    /// ANSI cast: invalid input is an error.
    case ansi
    /// `try_cast`: invalid input gives NULL.
    case `try`
    /// Non-ANSI legacy cast (NULL on invalid input, wrap on overflow); used internally.
    case legacy
}

/// A resolved column: a unique id (Spark's exprId), a name and a type.
public struct Attribute: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var dataType: DataType
    public var nullable: Bool
    /// Table or alias names that can qualify this column (`t` in `t.a`).
    public var qualifier: [String]
    /// The column's metadata (see `StructField.metadata`); not part of equality.
    public var metadata: [String: String] = [:]

    public init(id: Int, name: String, dataType: DataType, nullable: Bool, qualifier: [String] = []) {
        self.id = id
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.qualifier = qualifier
    }

    public init(id: Int, name: String, dataType: DataType, nullable: Bool, qualifier: [String] = [], metadata: [String: String]) {
        self.init(id: id, name: name, dataType: dataType, nullable: nullable, qualifier: qualifier)
        self.metadata = metadata
    }

    public var field: StructField { StructField(name, dataType, nullable: nullable, metadata: metadata) }

    public static func == (a: Attribute, b: Attribute) -> Bool {
        a.id == b.id && a.name == b.name && a.dataType == b.dataType && a.nullable == b.nullable && a.qualifier == b.qualifier
    }

    public func hash(into h: inout Hasher) {
        h.combine(id)
        h.combine(name)
        h.combine(dataType)
        h.combine(nullable)
        h.combine(qualifier)
    }
}

public enum FunctionKind: Hashable, Sendable {
    case scalar
    case aggregate
    case window
}

/// A resolved call: the function's canonical name, its (already coerced) arguments and
/// its result type. Kernels are found by `name` in the execution layer.
public struct FunctionCall: Hashable {
    public var name: String
    public var args: [Expr]
    public var dataType: DataType
    public var nullable: Bool
    public var kind: FunctionKind
    public var isDistinct: Bool
    /// Extra constant settings some functions carry (e.g. the seed of `rand`).
    public var options: [Value]
    /// The bound lambdas of a higher-order function (`transform(arr, x -> x + 1)`); the
    /// columns their bodies read from the input are passed as trailing `args`.
    public var lambdas: [LambdaFunction]

    public init(
        name: String, args: [Expr], dataType: DataType, nullable: Bool = true, kind: FunctionKind = .scalar,
        isDistinct: Bool = false, options: [Value] = [], lambdas: [LambdaFunction] = []
    ) {
        self.lambdas = lambdas
        self.name = name
        self.args = args
        self.dataType = dataType
        self.nullable = nullable
        self.kind = kind
        self.isDistinct = isDistinct
        self.options = options
    }
}

/// A resolved lambda: its parameters as attributes (fresh ids) and a body over those
/// parameters and the input columns the call passes along.
public struct LambdaFunction: Hashable {
    public var params: [Attribute]
    public var body: Expr

    public init(params: [Attribute], body: Expr) {
        self.params = params
        self.body = body
    }
}

/// `OVER (PARTITION BY … ORDER BY … frame)`.
public struct WindowSpec: Hashable {
    public var partitionBy: [Expr]
    /// `.sortOrder` expressions.
    public var orderBy: [Expr]
    public var frame: WindowFrame?

    public init(partitionBy: [Expr] = [], orderBy: [Expr] = [], frame: WindowFrame? = nil) {
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.frame = frame
    }
}

public struct WindowFrame: Hashable {
    public enum Kind: Hashable, Sendable { case rows, range }
    public var kind: Kind
    public var lower: FrameBoundary
    public var upper: FrameBoundary

    public init(kind: Kind, lower: FrameBoundary, upper: FrameBoundary) {
        self.kind = kind
        self.lower = lower
        self.upper = upper
    }
}

public enum FrameBoundary: Hashable {
    case unboundedPreceding
    case unboundedFollowing
    case currentRow
    /// An offset: negative values precede the current row (`2 PRECEDING` is -2).
    case offset(Expr)
}

// MARK: - Inspection helpers

extension Expr {
    /// Direct children, in order.
    public var children: [Expr] {
        switch self {
        case .literal, .unresolvedAttribute, .star, .attribute, .outerReference, .scalarSubquery, .exists: return []
        case .function(_, let args, _): return args
        case .alias(let e, _, _), .cast(let e, _, _), .sortOrder(let e, _, _): return [e]
        case .window(let e, let spec):
            var out = [e] + spec.partitionBy + spec.orderBy
            if let f = spec.frame {
                if case .offset(let x) = f.lower { out.append(x) }
                if case .offset(let x) = f.upper { out.append(x) }
            }
            return out
        case .inSubquery(let es, _): return es
        case .extractValue(let e, let k): return [e, k]
        case .lambda(_, let body): return [body]
        case .call(let c): return c.args
        }
    }

    /// Rebuilds this node with new children (same count and order as `children`).
    public func withChildren(_ new: [Expr]) -> Expr {
        switch self {
        case .literal, .unresolvedAttribute, .star, .attribute, .outerReference, .scalarSubquery, .exists: return self
        case .function(let n, _, let d): return .function(name: n, args: new, isDistinct: d)
        case .alias(_, let n, let id): return .alias(new[0], name: n, id: id)
        case .cast(_, let t, let m): return .cast(new[0], to: t, mode: m)
        case .sortOrder(_, let a, let nf): return .sortOrder(new[0], ascending: a, nullsFirst: nf)
        case .window(_, let spec):
            var s = spec
            var i = 1
            s.partitionBy = Array(new[i..<(i + spec.partitionBy.count)]); i += spec.partitionBy.count
            s.orderBy = Array(new[i..<(i + spec.orderBy.count)]); i += spec.orderBy.count
            if var f = spec.frame {
                if case .offset = f.lower { f.lower = .offset(new[i]); i += 1 }
                if case .offset = f.upper { f.upper = .offset(new[i]); i += 1 }
                s.frame = f
            }
            return .window(new[0], s)
        case .inSubquery(_, let p): return .inSubquery(new, p)
        case .extractValue: return .extractValue(new[0], key: new[1])
        case .lambda(let ps, _): return .lambda(params: ps, body: new[0])
        case .call(var c):
            c.args = new
            return .call(c)
        }
    }

    /// Bottom-up rewrite.
    public func transformUp(_ f: (Expr) throws -> Expr) rethrows -> Expr {
        let kids = children
        let node = kids.isEmpty ? self : withChildren(try kids.map { try $0.transformUp(f) })
        return try f(node)
    }

    /// Top-down rewrite: when `f` returns a value, its subtree is not visited further.
    public func transformDown(_ f: (Expr) throws -> Expr?) rethrows -> Expr {
        if let r = try f(self) { return r }
        let kids = children
        return kids.isEmpty ? self : withChildren(try kids.map { try $0.transformDown(f) })
    }

    /// True when `pred` holds for this node or any descendant.
    public func contains(where pred: (Expr) -> Bool) -> Bool {
        if pred(self) { return true }
        return children.contains { $0.contains(where: pred) }
    }

    /// Every resolved attribute this expression reads.
    public var references: Set<Int> {
        var out = Set<Int>()
        collectReferences(&out)
        return out
    }

    func collectReferences(_ out: inout Set<Int>) {
        if case .attribute(let a) = self { out.insert(a.id) }
        for c in children { c.collectReferences(&out) }
    }

    /// The result type of a resolved expression.
    public var dataType: DataType {
        switch self {
        case .literal(_, let t): return t
        case .attribute(let a), .outerReference(let a): return a.dataType
        case .call(let c): return c.dataType
        case .alias(let e, _, _), .sortOrder(let e, _, _), .window(let e, _): return e.dataType
        case .cast(_, let t, _): return t
        case .scalarSubquery(let p): return p.outputIfResolved.first?.dataType ?? .null
        case .exists, .inSubquery: return .boolean
        default: return .null
        }
    }

    public var nullable: Bool {
        switch self {
        case .literal(let v, _): return v.isNull
        case .attribute(let a), .outerReference(let a): return a.nullable
        case .call(let c): return c.nullable
        case .alias(let e, _, _), .sortOrder(let e, _, _), .window(let e, _): return e.nullable
        case .cast(let e, _, let m): return m != .ansi || e.nullable
        default: return true
        }
    }

    public var isResolved: Bool {
        !contains { e in
            switch e {
            case .unresolvedAttribute, .star, .function, .extractValue, .lambda: return true
            default: return false
            }
        }
    }

    /// True when the expression contains an aggregate call (not inside a window).
    public var containsAggregate: Bool {
        switch self {
        case .call(let c) where c.kind == .aggregate: return true
        case .window: return false
        default: return children.contains { $0.containsAggregate }
        }
    }

    public var isFoldable: Bool {
        switch self {
        case .literal: return true
        case .cast(let e, _, _): return e.isFoldable
        case .alias(let e, _, _): return e.isFoldable
        case .call(let c):
            return c.kind == .scalar && !Functions.nondeterministic.contains(c.name) && c.args.allSatisfy(\.isFoldable)
        default: return false
        }
    }

    /// The name Spark gives an unaliased expression as an output column (`(a + 1)`, `sum(x)`).
    public var prettyName: String { ExprPrinter.sql(self) }
}
