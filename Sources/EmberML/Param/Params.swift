import EmberCore
import Foundation

/// A param's value, in the forms MLlib params take; also what metadata JSON holds.
public enum ParamValue: Hashable {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case strings([String])
    case doubles([Double])
    case ints([Int])
    case doubleMatrix([[Double]])
    case stringMatrix([[String]])

    /// JSON-compatible form (what `JSONSerialization` writes). Non-finite doubles are
    /// written as the strings Spark's JSON writer uses ("NaN", "Infinity", "-Infinity").
    public var json: Any {
        func d(_ x: Double) -> Any {
            if x.isNaN { return "NaN" }
            if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
            return x
        }
        switch self {
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let x): return d(x)
        case .string(let s): return s
        case .strings(let a): return a
        case .doubles(let a): return a.map(d)
        case .ints(let a): return a
        case .doubleMatrix(let m): return m.map { $0.map(d) }
        case .stringMatrix(let m): return m
        }
    }

    /// Shown as Spark's `explainParams` shows values.
    public var display: String {
        switch self {
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let x): return NumberFormat.javaDouble(x)
        case .string(let s): return s
        case .strings(let a): return "[" + a.joined(separator: ", ") + "]"
        case .doubles(let a): return "[" + a.map(NumberFormat.javaDouble).joined(separator: ", ") + "]"
        case .ints(let a): return "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .doubleMatrix(let m): return "[" + m.map { "[" + $0.map(NumberFormat.javaDouble).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        case .stringMatrix(let m): return "[" + m.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        }
    }
}

/// The Swift types a `Param` can hold.
public protocol ParamType {
    var paramValue: ParamValue { get }
    /// Converts a value of another form when it means the same (an int for a double param).
    init?(paramValue: ParamValue)
    /// Reads the JSON form (metadata files, `ember ml` specs).
    init?(json: Any)
    static var typeDescription: String { get }
}

/// Whether a decoded JSON value is `true`/`false` (Foundation decodes those as a boolean
/// NSNumber, which also converts to numbers) or a native Bool.
func isJSONBoolean(_ j: Any) -> Bool {
    type(of: j) == Bool.self || String(describing: type(of: j)).contains("Boolean")
}

private func jsonDouble(_ j: Any) -> Double? {
    if let s = j as? String {
        switch s {
        case "NaN": return .nan
        case "Infinity", "Inf": return .infinity
        case "-Infinity", "-Inf": return -.infinity
        default: return nil
        }
    }
    if isJSONBoolean(j) { return nil }
    if let n = j as? NSNumber { return n.doubleValue }
    if let i = j as? Int { return Double(i) }
    return j as? Double
}

extension Bool: ParamType {
    public var paramValue: ParamValue { .bool(self) }
    public init?(paramValue: ParamValue) { guard case .bool(let b) = paramValue else { return nil }; self = b }
    public init?(json: Any) { guard isJSONBoolean(json), let b = json as? Bool else { return nil }; self = b }
    public static var typeDescription: String { "boolean" }
}

extension Int: ParamType {
    public var paramValue: ParamValue { .int(self) }
    public init?(paramValue: ParamValue) {
        switch paramValue {
        case .int(let i): self = i
        case .double(let d) where d == d.rounded() && abs(d) < 9.0e15: self = Int(d)
        default: return nil
        }
    }
    public init?(json: Any) {
        guard let d = jsonDouble(json), d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        self = Int(d)
    }
    public static var typeDescription: String { "int" }
}

extension Double: ParamType {
    public var paramValue: ParamValue { .double(self) }
    public init?(paramValue: ParamValue) {
        switch paramValue {
        case .double(let d): self = d
        case .int(let i): self = Double(i)
        default: return nil
        }
    }
    public init?(json: Any) { guard let d = jsonDouble(json) else { return nil }; self = d }
    public static var typeDescription: String { "double" }
}

extension String: ParamType {
    public var paramValue: ParamValue { .string(self) }
    public init?(paramValue: ParamValue) { guard case .string(let s) = paramValue else { return nil }; self = s }
    public init?(json: Any) { guard let s = json as? String else { return nil }; self = s }
    public static var typeDescription: String { "string" }
}

extension Array: ParamType where Element: ParamType {
    public var paramValue: ParamValue {
        if let a = self as? [String] { return .strings(a) }
        if let a = self as? [Double] { return .doubles(a) }
        if let a = self as? [Int] { return .ints(a) }
        if let m = self as? [[Double]] { return .doubleMatrix(m) }
        if let m = self as? [[String]] { return .stringMatrix(m) }
        return .strings(map { $0.paramValue.display })
    }
    public init?(paramValue: ParamValue) {
        switch paramValue {
        case .strings(let a): guard let x = a as? [Element] else { return nil }; self = x
        case .doubles(let a):
            if let x = a as? [Element] { self = x } else if Element.self == Int.self {
                let ints = a.compactMap { Int(paramValue: .double($0)) }
                guard ints.count == a.count, let x = ints as? [Element] else { return nil }
                self = x
            } else { return nil }
        case .ints(let a):
            if let x = a as? [Element] { self = x } else if let x = a.map(Double.init) as? [Element] { self = x } else { return nil }
        case .doubleMatrix(let m): guard let x = m as? [Element] else { return nil }; self = x
        case .stringMatrix(let m): guard let x = m as? [Element] else { return nil }; self = x
        default: return nil
        }
    }
    public init?(json: Any) {
        guard let a = json as? [Any] else { return nil }
        var out: [Element] = []
        for x in a {
            guard let e = Element(json: x) else { return nil }
            out.append(e)
        }
        self = out
    }
    public static var typeDescription: String { "array<\(Element.typeDescription)>" }
}

/// A check on a param's value, with the wording of Spark's `ParamValidators`.
public struct ParamValidator<T> {
    public let check: (T) -> Bool
    public let description: String

    public init(_ description: String, _ check: @escaping (T) -> Bool) {
        self.description = description
        self.check = check
    }

    public static var any: ParamValidator<T> { ParamValidator("") { _ in true } }
}

extension ParamValidator where T: Comparable {
    public static func gtEq(_ lo: T) -> ParamValidator { ParamValidator("must be >= \(lo)") { $0 >= lo } }
    public static func gt(_ lo: T) -> ParamValidator { ParamValidator("must be > \(lo)") { $0 > lo } }
    public static func ltEq(_ hi: T) -> ParamValidator { ParamValidator("must be <= \(hi)") { $0 <= hi } }
    public static func inRange(_ lo: T, _ hi: T, lowerInclusive: Bool = true, upperInclusive: Bool = true) -> ParamValidator {
        ParamValidator("must be in \(lowerInclusive ? "[" : "(")\(lo), \(hi)\(upperInclusive ? "]" : ")")") { x in
            (lowerInclusive ? x >= lo : x > lo) && (upperInclusive ? x <= hi : x < hi)
        }
    }
}

extension ParamValidator where T == String {
    /// One of `allowed`, compared case-insensitively as Spark's string params are.
    public static func oneOf(_ allowed: [String]) -> ParamValidator {
        ParamValidator("must be one of [\(allowed.joined(separator: ", "))]") { v in allowed.contains { $0.lowercased() == v.lowercased() } }
    }
}

/// A declared parameter: name, doc, optional default and validator. Declare params as
/// stored `let`s of a `Params` subclass; the object finds them by reflection and makes
/// itself their parent, so a `ParamMap` entry names the stage it is for.
public final class Param<T: ParamType>: AnyParam {
    public let name: String
    public let doc: String
    public let defaultValue: T?
    public let validator: ParamValidator<T>
    /// The uid of the stage that owns this param.
    public var parent: String = ""

    public init(_ name: String, _ doc: String, default defaultValue: T? = nil, _ validator: ParamValidator<T> = .any) {
        self.name = name
        self.doc = doc
        self.defaultValue = defaultValue
        self.validator = validator
    }

    public var defaultParamValue: ParamValue? { defaultValue?.paramValue }
    public var typeDescription: String { T.typeDescription }

    public func problem(_ v: ParamValue) -> String? {
        guard let x = T(paramValue: v) else { return "expects a \(T.typeDescription), got \(v.display)" }
        if validator.check(x) { return nil }
        return "given invalid value \(v.display)" + (validator.description.isEmpty ? "" : ": \(validator.description)")
    }

    public func decode(json: Any) -> ParamValue? { T(json: json)?.paramValue }
}

/// A param with its type erased.
public protocol AnyParam: AnyObject {
    var name: String { get }
    var doc: String { get }
    var parent: String { get set }
    var defaultParamValue: ParamValue? { get }
    var typeDescription: String { get }
    /// Why `v` is not acceptable, or nil.
    func problem(_ v: ParamValue) -> String?
    func decode(json: Any) -> ParamValue?
}

/// A param of a particular stage: what `ParamMap` is keyed by.
public struct ParamKey: Hashable {
    public let parent: String
    public let name: String
}

/// Values for params of one or more stages (Spark's `ParamMap`).
public struct ParamMap: CustomStringConvertible {
    public var values: [ParamKey: ParamValue] = [:]
    public init() {}

    public func put<T>(_ p: Param<T>, _ v: T) -> ParamMap {
        var m = self
        m.set(p, v)
        return m
    }

    public mutating func set<T>(_ p: Param<T>, _ v: T) {
        values[ParamKey(parent: p.parent, name: p.name)] = v.paramValue
    }

    /// The value for `p`, if this map has one.
    public func get<T>(_ p: Param<T>) -> T? {
        values[ParamKey(parent: p.parent, name: p.name)].flatMap { T(paramValue: $0) }
    }

    /// Entries of `other` added (they win).
    public func merging(_ other: ParamMap) -> ParamMap {
        var m = self
        for (k, v) in other.values { m.values[k] = v }
        return m
    }

    public var description: String {
        "{" + values.sorted { ($0.key.parent, $0.key.name) < ($1.key.parent, $1.key.name) }
            .map { "\($0.key.parent)-\($0.key.name): \($0.value.display)" }.joined(separator: ", ") + "}"
    }
}

/// Something with params and a unique id: every pipeline stage (Spark's `Params`).
open class Params {
    public let uid: String
    /// Values set explicitly.
    public private(set) var paramMap: [String: ParamValue] = [:]
    /// Defaults that depend on the instance (`setDefault`), over the params' own.
    public private(set) var instanceDefaults: [String: ParamValue] = [:]
    private var _declared: [String: AnyParam]? = nil

    public required init(uid: String) {
        self.uid = uid
        for p in declaredParams.values { p.parent = uid }
    }

    /// A new instance with a fresh uid prefixed by the class name.
    public convenience init() {
        self.init(uid: Params.randomUID(String(describing: Self.self)))
    }

    /// Sets a default for this instance (Spark's `setDefault`), e.g. an output column
    /// named after the uid.
    public func setDefault<T>(_ p: Param<T>, _ value: T) {
        instanceDefaults[p.name] = value.paramValue
    }

    /// The default of a param on this instance.
    public func defaultValue(_ name: String) -> ParamValue? {
        instanceDefaults[name] ?? declaredParams[name]?.defaultParamValue
    }

    /// A fresh uid for a class: `Prefix_` and 12 hex digits, as Spark's `Identifiable.randomUID`.
    public static func randomUID(_ prefix: String) -> String {
        prefix + "_" + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))
    }

    /// Every param this object declares, by name (found by reflection over stored properties).
    public var declaredParams: [String: AnyParam] {
        if let d = _declared { return d }
        var d: [String: AnyParam] = [:]
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            for child in m.children {
                if let p = child.value as? AnyParam { d[p.name] = p }
            }
            mirror = m.superclassMirror
        }
        _declared = d
        return d
    }

    /// Params sorted by name.
    public var params: [AnyParam] { declaredParams.values.sorted { $0.name < $1.name } }

    public func hasParam(_ name: String) -> Bool { declaredParams[name] != nil }

    public func isSet(_ name: String) -> Bool { paramMap[name] != nil }

    public func isDefined(_ name: String) -> Bool { paramMap[name] != nil || defaultValue(name) != nil }

    /// Sets a param (checked when the stage runs, or at once by `validateParams`).
    @discardableResult
    public func set<T>(_ p: Param<T>, _ value: T) -> Self {
        paramMap[p.name] = value.paramValue
        return self
    }

    /// Sets a param by name from a loose value (an `ember ml` spec, metadata): the name must
    /// be a param of this stage and the value of its type.
    public func set(name: String, json: Any) throws {
        guard let p = declaredParams[name] else {
            let known = declaredParams.keys.sorted().joined(separator: ", ")
            throw MLError.invalidParam(uid, name, "does not exist (params of \(String(describing: type(of: self))): \(known))")
        }
        guard let v = p.decode(json: json) else {
            throw MLError.invalidParam(uid, name, "expects a \(p.typeDescription), got \(json)")
        }
        if let why = p.problem(v) { throw MLError.invalidParam(uid, name, why) }
        paramMap[name] = v
    }

    public func set(name: String, value: ParamValue) {
        paramMap[name] = value
    }

    public func clear<T>(_ p: Param<T>) { paramMap[p.name] = nil }

    /// The value set, else the default, else nil.
    public func get<T>(_ p: Param<T>) -> T? {
        if let v = paramMap[p.name] { return T(paramValue: v) }
        if let v = instanceDefaults[p.name] { return T(paramValue: v) }
        return p.defaultValue
    }

    /// The value set or the default; throws when there is neither.
    public func value<T>(_ p: Param<T>) throws -> T {
        if let v = paramMap[p.name] {
            guard let x = T(paramValue: v) else { throw MLError.invalidParam(uid, p.name, "expects a \(T.typeDescription), got \(v.display)") }
            return x
        }
        if let v = instanceDefaults[p.name], let d = T(paramValue: v) { return d }
        if let d = p.defaultValue { return d }
        throw MLError.invalidParam(uid, p.name, "is not set and has no default")
    }

    /// Checks every set value against its param's type and validator.
    open func validateParams() throws {
        for (name, v) in paramMap.sorted(by: { $0.key < $1.key }) {
            guard let p = declaredParams[name] else { throw MLError.invalidParam(uid, name, "does not exist") }
            if let why = p.problem(v) { throw MLError.invalidParam(uid, name, why) }
        }
    }

    /// Spark's `explainParams()`: one line per param, `name: doc (default: d, current: c)`.
    public func explainParams() -> String {
        params.map { p in
            var parts: [String] = []
            if let d = defaultValue(p.name) { parts.append("default: \(d.display)") }
            if let c = paramMap[p.name] { parts.append("current: \(c.display)") }
            return "\(p.name): \(p.doc) (\(parts.isEmpty ? "undefined" : parts.joined(separator: ", ")))"
        }.joined(separator: "\n")
    }

    /// Copies this object's set values (then `extra`'s entries for `other`) onto `other`.
    public func copyValues(to other: Params, extra: ParamMap = ParamMap()) {
        for (k, v) in paramMap where other.hasParam(k) { other.paramMap[k] = v }
        for (k, v) in extra.values where k.parent == other.uid && other.hasParam(k.name) { other.paramMap[k.name] = v }
    }

    /// A copy with the same uid and params, then `extra` applied (Spark's `copy(extra)`).
    public func copy(extra: ParamMap = ParamMap()) -> Self {
        let c = Self(uid: uid)
        c.instanceDefaults = instanceDefaults
        copyValues(to: c, extra: extra)
        c.copyState(from: self)
        c.applyToChildren(extra)
        return c
    }

    /// Passes a copy's `extra` params on to the stages it holds (pipelines, tuners).
    open func applyToChildren(_ extra: ParamMap) {}

    /// Copies what a fitted model learned (coefficients, labels…) from `other`, an instance
    /// of the same class; called by `copy`. Models override it.
    open func copyState(from other: Params) {}

    /// Set params as JSON (metadata `paramMap`).
    public var paramMapJSON: [String: Any] { paramMap.mapValues(\.json) }

    /// Defaults as JSON (metadata `defaultParamMap`).
    public var defaultParamMapJSON: [String: Any] {
        var d: [String: Any] = [:]
        for p in params { if let v = defaultValue(p.name) { d[p.name] = v.json } }
        return d
    }
}
