import EmberCore

extension LogicalPlan {
    /// Output attributes of a resolved plan; throws for nodes the analyzer has not resolved.
    public func output() throws -> [Attribute] {
        switch self {
        case .scan(let s): return s.output
        case .cached(let c): return c.output
        case .project(_, let es): return try es.map { try $0.toAttribute() }
        case .aggregate(_, _, _, let es): return try es.map { try $0.toAttribute() }
        case .filter(let c, _), .sort(let c, _, _), .limit(let c, _), .offset(let c, _), .sample(let c, _, _, _),
            .sampleRange(let c, _, _, _):
            return try c.output()
        case .subqueryAlias(let c, let name):
            return try c.output().map { var a = $0; a.qualifier = [name]; return a }
        case .join(let l, let r, let t, _, _):
            let lo = try l.output(), ro = try r.output()
            switch t {
            case .inner, .cross: return lo + ro
            case .leftOuter: return lo + ro.map(\.asNullable)
            case .rightOuter: return lo.map(\.asNullable) + ro
            case .fullOuter: return lo.map(\.asNullable) + ro.map(\.asNullable)
            case .leftSemi, .leftAnti: return lo
            }
        case .setOperation(let l, let r, _, _, _, _):
            let lo = try l.output(), ro = try r.output()
            return zip(lo, ro).map { a, b in var x = a; x.nullable = a.nullable || b.nullable; return x }
        case .window(let c, let ws): return try c.output() + ws.map { try $0.toAttribute() }
        case .generate(let c, _, _, _, _, let out) where !out.isEmpty: return try c.output() + out
        case .existenceJoin(let l, _, _, let exists): return try l.output() + [exists]
        case .recursiveUnion(_, _, _, let out): return out
        default:
            throw EmberError.internalError("plan is not resolved: \(PlanPrinter.label(self, verbose: false))")
        }
    }
}

extension Attribute {
    public var asNullable: Attribute { var a = self; a.nullable = true; return a }
}

extension Expr {
    /// The attribute a resolved named expression produces.
    public func toAttribute() throws -> Attribute {
        switch self {
        case .attribute(let a): return a
        case .alias(let e, let name, let id?):
            // Metadata follows a renamed column, or comes from the function that makes it.
            var metadata: [String: String] = [:]
            switch e {
            case .attribute(let a): metadata = a.metadata
            case .call(let c): metadata = UserFunctions.lookup(c.name)?.metadata ?? [:]
            default: break
            }
            return Attribute(id: id, name: name, dataType: e.dataType, nullable: e.nullable, metadata: metadata)
        default: throw EmberError.internalError("not a named expression: \(ExprPrinter.sql(self))")
        }
    }
}
