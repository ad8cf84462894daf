import EmberCore

/// Turns an unresolved plan (from SQL or the DataFrame API) into a resolved one:
/// relations looked up, names bound to attributes, functions typed with Spark's
/// implicit casts, aggregates and windows separated out, DataFrame conveniences
/// (withColumn, drop, distinct, na.fill…) expressed as core relations.
public final class Analyzer {
    /// Formats that may prefix a path as a table name (`parquet.`path``).
    static let fileFormats: Set<String> = ["parquet", "csv", "json", "text", "arrow", "orc", "avro"]

    let catalog: Catalog
    let caseSensitive: Bool
    /// CTE definitions in scope (innermost last).
    var ctes: [[String: LogicalPlan]] = []

    public init(catalog: Catalog, caseSensitive: Bool = false) {
        self.catalog = catalog
        self.caseSensitive = caseSensitive
    }

    public func analyze(_ plan: LogicalPlan) throws -> LogicalPlan {
        try resolve(plan, outer: [])
    }

    func same(_ a: String, _ b: String) -> Bool {
        caseSensitive ? a == b : a.equalsIgnoringCase(b)
    }

    // MARK: Relations

    func resolve(_ plan: LogicalPlan, outer: [[Attribute]]) throws -> LogicalPlan {
        switch plan {
        case .scan, .cached, .existenceJoin, .recursiveUnion: return plan
        case .generate(let c, let g, let o, let q, let names, let out):
            if !out.isEmpty { return plan }
            let child = try resolve(c, outer: outer)
            let rg = try resolveExpr(g, input: try child.output(), outer: outer)
            guard case .call(let call) = rg, CollectionFunctions.generators.contains(call.name) else {
                throw EmberError(errorClass: "UNSUPPORTED_GENERATOR.NOT_GENERATOR", sqlState: "42K0E", message: "The generator is not supported: \(ExprPrinter.sql(g)) is expected to be a generator. However, its class is not a generator.")
            }
            return .generate(child, generator: rg, outer: o, qualifier: q, names: names, output: try generatorOutput(call, names: names, qualifier: q))
        case .recursiveCTE(let def):
            return try resolve(def, outer: outer)
        case .sql:
            throw EmberError.internalError("SQL text must be parsed before analysis")
        case .unresolvedRelation(let parts):
            let name = parts.last ?? ""
            for scope in ctes.reversed() {
                if let (_, def) = scope.first(where: { same($0.key, name) }), parts.count == 1 {
                    return .subqueryAlias(try freshCopy(def), name)
                }
            }
            guard let view = try catalog.lookupView(name) else {
                // `parquet.`/data/x``: a query straight over files, as Spark allows.
                if parts.count == 2, Analyzer.fileFormats.contains(parts[0].lowercased()) {
                    return try resolve(.read(DataSource(format: parts[0].lowercased(), paths: [parts[1]])), outer: outer)
                }
                throw EmberError.tableNotFound(parts.map { quoteIdentifierIfNeeded($0) }.joined(separator: "."))
            }
            return .subqueryAlias(try freshCopy(view), name)
        case .read(let ds):
            let schema = try catalog.resolveSource(ds)
            return .scan(ScanNode(source: .files(ds), fullOutput: schema.fields.map { Attribute.fresh($0) }))
        case .localRelation(let l):
            return .scan(ScanNode(source: .local(l), fullOutput: l.schema.fields.map { Attribute.fresh($0) }))
        case .range(let s, let e, let st, let n):
            guard st != 0 else { throw EmberError.invalidArgument("The step of range must not be 0.") }
            return .scan(ScanNode(source: .range(start: s, end: e, step: st, numPartitions: n), fullOutput: [Attribute.fresh("id", .long, nullable: false)]))
        case .values(let rows, let names):
            return try resolveValues(rows, names: names)
        case .with(let body, let defs):
            var scope: [String: LogicalPlan] = [:]
            ctes.append(scope)
            defer { ctes.removeLast() }
            for (name, def) in defs {
                let r: LogicalPlan
                if case .recursiveCTE(let body) = def {
                    r = try resolveRecursiveCTE(name, body, outer: outer)
                } else {
                    r = try resolve(def, outer: outer)
                }
                scope[name] = r
                ctes[ctes.count - 1] = scope
            }
            return try resolve(body, outer: outer)
        case .subqueryAlias(let c, let a):
            return .subqueryAlias(try resolve(c, outer: outer), a)
        case .project(let c, let exprs):
            let child = try resolve(c, outer: outer)
            return try resolveProject(child, exprs, outer: outer)
        case .filter(let c, let cond):
            let child = try resolve(c, outer: outer)
            return try resolveFilter(child, cond, outer: outer)
        case .aggregate(let c, let type, let groupings, let aggs):
            let child = try resolve(c, outer: outer)
            return try resolveAggregate(child, type, groupings, aggs, outer: outer)
        case .sort(let c, let orders, let global):
            let child = try resolve(c, outer: outer)
            return try resolveSort(child, orders, global: global, outer: outer)
        case .limit(let c, let n):
            guard n >= 0 else { throw EmberError.invalidArgument("The limit expression must be equal to or greater than 0, but got \(n).") }
            return .limit(try resolve(c, outer: outer), n)
        case .offset(let c, let n):
            guard n >= 0 else { throw EmberError.invalidArgument("The offset expression must be equal to or greater than 0, but got \(n).") }
            return .offset(try resolve(c, outer: outer), n)
        case .join(let l, let r, let type, let cond, let using):
            return try resolveJoin(try resolve(l, outer: outer), try resolve(r, outer: outer), type, cond, using, outer: outer)
        case .setOperation(let l, let r, let type, let all, let byName, let allowMissing):
            return try resolveSetOperation(try resolve(l, outer: outer), try resolve(r, outer: outer), type, all, byName, allowMissing)
        case .deduplicate(let c, let cols):
            let child = try resolve(c, outer: outer)
            let out = try child.output()
            if cols.isEmpty {
                return .aggregate(child, .groupBy, groupings: out.map(Expr.attribute), aggregates: out.map(Expr.attribute))
            }
            let keys = try cols.map { try findAttribute([$0], in: out) }
            let keyIds = Set(keys.map(\.id))
            let aggs: [Expr] = out.map { a in
                if keyIds.contains(a.id) { return .attribute(a) }
                let first = Expr.call(FunctionCall(name: "first", args: [.attribute(a)], dataType: a.dataType, kind: .aggregate))
                return .alias(first, name: a.name, id: ExprIds.next())
            }
            return .aggregate(child, .groupBy, groupings: keys.map(Expr.attribute), aggregates: aggs)
        case .withColumns(let c, let aliases):
            let child = try resolve(c, outer: outer)
            let out = try child.output()
            var items = out.map { Expr.attribute($0) }
            for a in aliases {
                guard case .alias(_, let name, _) = a else { continue }
                if let i = out.firstIndex(where: { same($0.name, name) }) { items[i] = a } else { items.append(a) }
            }
            return try resolveProject(child, items, outer: outer)
        case .withColumnsRenamed(let c, let renames):
            let child = try resolve(c, outer: outer)
            let out = try child.output()
            var items = out.map { Expr.attribute($0) }
            for (old, new) in renames {
                if old.hasPrefix("#"), let k = Int(old.dropFirst()), k < out.count {
                    items[k] = .alias(.attribute(out[k]), name: new, id: ExprIds.next())
                    continue
                }
                for (i, a) in out.enumerated() where same(a.name, old) {
                    items[i] = .alias(.attribute(a), name: new, id: ExprIds.next())
                }
            }
            return .project(child, items)
        case .drop(let c, let names):
            let child = try resolve(c, outer: outer)
            let out = try child.output()
            let keep = out.filter { a in !names.contains { n in same(n, a.name) || same(n, (a.qualifier + [a.name]).joined(separator: ".")) } }
            return .project(child, keep.map(Expr.attribute))
        case .sample(let c, let f, let r, let s):
            guard f >= 0, r || f <= 1 else { throw EmberError.invalidArgument("Sampling fraction (\(f)) must be on interval [0, 1] without replacement.") }
            return .sample(try resolve(c, outer: outer), fraction: f, withReplacement: r, seed: s)
        case .sampleRange(let c, let l, let u, let s):
            return .sampleRange(try resolve(c, outer: outer), lower: l, upper: u, seed: s)
        case .fillNa(let c, let cols, let values):
            let child = try resolve(c, outer: outer)
            return try resolveFillNa(child, cols, values)
        case .dropNa(let c, let cols, let minNonNulls):
            let child = try resolve(c, outer: outer)
            let out = try child.output()
            let targets = cols.isEmpty ? out : try cols.map { try findAttribute([$0], in: out) }
            let threshold = minNonNulls ?? targets.count
            // count of non-null values >= threshold
            var sum: Expr = .literal(.int(0), .int)
            for a in targets {
                let one = Expr.call(FunctionCall(name: "if", args: [isNotNull(.attribute(a)), .literal(.int(1), .int), .literal(.int(0), .int)], dataType: .int, nullable: false))
                sum = .call(FunctionCall(name: "+", args: [sum, one], dataType: .int, nullable: false))
            }
            let cond = Expr.call(FunctionCall(name: ">=", args: [sum, .literal(.int(Int32(threshold)), .int)], dataType: .boolean, nullable: false))
            return .filter(child, cond)
        case .window(let c, let ws):
            return .window(try resolve(c, outer: outer), ws)
        }
    }

    /// `name AS (anchor UNION ALL step)` of WITH RECURSIVE: the anchor is resolved first;
    /// while the step is resolved, `name` reads a placeholder scan with the anchor's columns,
    /// which the executor feeds with each step's rows.
    func resolveRecursiveCTE(_ name: String, _ def: LogicalPlan, outer: [[Attribute]]) throws -> LogicalPlan {
        var renames: [(String, String)] = []
        var body = def
        if case .withColumnsRenamed(let c, let r) = def { body = c; renames = r }
        guard case .setOperation(let anchor, let step, .union, true, false, _) = body else {
            // Not self-referencing in the recursive shape: an ordinary CTE.
            return try resolve(def, outer: outer)
        }
        let a = try resolve(renames.isEmpty ? anchor : .withColumnsRenamed(anchor, renames), outer: outer)
        let aOut = try a.output()
        let reference = AnyHashableBox("recursive reference \(name)")
        let refAttrs = aOut.map { Attribute.fresh($0.name, $0.dataType, nullable: true) }
        let placeholder = LogicalPlan.scan(ScanNode(
            source: .local(LocalRelation(schema: Schema(refAttrs.map(\.field)), data: reference, rowCount: 0)), fullOutput: refAttrs))
        ctes[ctes.count - 1][name] = placeholder
        let r = try resolve(step, outer: outer)
        let rOut = try r.output()
        guard rOut.count == aOut.count else {
            throw EmberError(errorClass: "NUM_COLUMNS_MISMATCH", sqlState: "42826", message: "UNION can only be performed on inputs with the same number of columns, but the first input has \(aOut.count) columns and the second input has \(rOut.count) columns.")
        }
        // Each step's rows must have the anchor's types (they are fed back by position).
        let stepPlan = LogicalPlan.project(r, zip(rOut, aOut).map { x, t in
            x.dataType == t.dataType ? .attribute(x) : .alias(TypeCoercion.cast(.attribute(x), to: t.dataType), name: t.name, id: ExprIds.next())
        })
        let out = zip(aOut, rOut).map { Attribute.fresh($0.name, $0.dataType, nullable: $0.nullable || $1.nullable) }
        return .recursiveUnion(anchor: a, recursive: stepPlan, reference: reference, output: out)
    }

    /// The columns a resolved generator call produces: Spark's names (col, pos, key, value,
    /// struct fields) or the given aliases, which must match in number.
    func generatorOutput(_ call: FunctionCall, names: [String], qualifier: String?) throws -> [Attribute] {
        guard case .structure(let fields) = call.dataType else { return [] }
        if !names.isEmpty && names.count != fields.count {
            throw EmberError(errorClass: "UDTF_ALIAS_NUMBER_MISMATCH", sqlState: "42802", message: "The number of aliases supplied in the AS clause does not match the number of columns output by the UDTF. Expected \(fields.count) aliases, but got \(names.joined(separator: ", ")).")
        }
        return fields.enumerated().map { i, f in
            var a = Attribute.fresh(names.isEmpty ? f.name : names[i], f.dataType, nullable: true)
            if let qualifier { a.qualifier = [qualifier] }
            return a
        }
    }

    /// A select list with a generator (`SELECT explode(arr) AS x, …`) becomes a `Generate`
    /// below the projection, whose generated columns take the generator's place.
    func extractGenerator(_ child: LogicalPlan, _ resolved: [Expr], _ items: [Expr]) throws -> LogicalPlan? {
        func generatorCall(_ e: Expr) -> FunctionCall? {
            if case .call(let c) = e, CollectionFunctions.generators.contains(c.name) { return c }
            return nil
        }
        var found: (Int, FunctionCall)? = nil
        for (i, r) in resolved.enumerated() {
            let body: Expr = { if case .alias(let x, _, _) = r { return x }; return r }()
            if let c = generatorCall(body) {
                if found != nil {
                    throw EmberError(errorClass: "UNSUPPORTED_GENERATOR.MULTI_GENERATOR", sqlState: "42K0E", message: "The generator is not supported: only one generator allowed per SELECT clause but found 2: \(resolved.compactMap { generatorCall($0) }.map { ExprPrinter.sql(.call($0)) }.joined(separator: ", ")).")
                }
                found = (i, c)
            } else if body.contains(where: { generatorCall($0) != nil }) {
                throw EmberError(errorClass: "UNSUPPORTED_GENERATOR.NESTED_IN_EXPRESSIONS", sqlState: "42K0E", message: "The generator is not supported: nested in expressions \"\(ExprPrinter.sql(body))\".")
            }
        }
        guard let (i, call) = found else { return nil }
        // Only an alias the query wrote names the column (not the generated column name).
        var names: [String] = []
        if case .alias(_, let n, _) = items[i] { names = [n] }
        let out = try generatorOutput(call, names: names, qualifier: nil)
        let gen = LogicalPlan.generate(child, generator: .call(call), outer: false, qualifier: nil, names: names, output: out)
        return .project(gen, Array(resolved[..<i]) + out.map(Expr.attribute) + Array(resolved[(i + 1)...]))
    }

    /// Re-instantiates a resolved plan with fresh attribute ids, so a view or CTE used
    /// twice (a self-join) has distinct columns on each side.
    func freshCopy(_ plan: LogicalPlan) throws -> LogicalPlan {
        let out = try plan.output()
        return .project(plan, out.map { .alias(.attribute($0), name: $0.name, id: ExprIds.next()) })
    }

    func isNotNull(_ e: Expr) -> Expr {
        .call(FunctionCall(name: "isnotnull", args: [e], dataType: .boolean, nullable: false))
    }

    func resolveValues(_ rows: [[Expr]], names: [String]) throws -> LogicalPlan {
        let resolved = try rows.map { row in try row.map { try resolveExpr($0, input: [], outer: []) } }
        let width = resolved.first?.count ?? 0
        guard resolved.allSatisfy({ $0.count == width }) else {
            throw EmberError(errorClass: "INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", sqlState: "42000", message: "Inline table expected \(width) columns but found a row with a different number of columns.")
        }
        var types: [DataType] = []
        for c in 0..<width {
            guard let t = TypeCoercion.common(resolved.map { $0[c].dataType }) else {
                throw EmberError(errorClass: "INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE", sqlState: "42000", message: "Found incompatible types in the column `\(c < names.count ? names[c] : "col\(c + 1)")` for inline table.")
            }
            types.append(t)
        }
        let cast = resolved.map { row in row.enumerated().map { TypeCoercion.cast($0.element, to: types[$0.offset]) } }
        for row in cast { for e in row where !e.isFoldable {
            throw EmberError(errorClass: "INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE", sqlState: "42000", message: "Cannot evaluate the expression \(ExprPrinter.sql(e)) in inline table definition.")
        } }
        let attrs = (0..<width).map { c in
            Attribute.fresh(c < names.count ? names[c] : "col\(c + 1)", types[c], nullable: cast.contains { $0[c].nullable })
        }
        return .scan(ScanNode(source: .values(cast), fullOutput: attrs))
    }

    // MARK: Project, filter, sort

    func expandStars(_ exprs: [Expr], _ input: [Attribute]) throws -> [Expr] {
        var out: [Expr] = []
        for e in exprs {
            if case .star(let q) = e {
                if q.isEmpty {
                    out += input.map(Expr.attribute)
                } else {
                    let matched = input.filter { a in a.qualifier.last.map { same($0, q.last ?? "") } ?? false }
                    if matched.isEmpty {
                        throw EmberError(errorClass: "CANNOT_RESOLVE_STAR_EXPAND", sqlState: "42704", message: "Cannot resolve `\(q.joined(separator: "."))`.* given input columns \(input.map { "`\($0.name)`" }.joined(separator: ", ")).")
                    }
                    out += matched.map(Expr.attribute)
                }
            } else {
                out.append(e)
            }
        }
        return out
    }

    /// Gives every non-attribute expression an alias with Spark's generated name.
    func named(_ e: Expr, original: Expr) -> Expr {
        switch e {
        case .attribute, .alias: return e
        default: return .alias(e, name: ExprPrinter.sql(original), id: ExprIds.next())
        }
    }

    func resolveProject(_ child: LogicalPlan, _ exprs: [Expr], outer: [[Attribute]]) throws -> LogicalPlan {
        let input = try child.output()
        let items = try expandStars(exprs, input)
        var resolved: [Expr] = []
        for item in items {
            let r: Expr
            do {
                r = try resolveExpr(item, input: input, outer: outer)
            } catch let e as EmberError where e.errorClass.hasPrefix("UNRESOLVED_COLUMN") {
                // Lateral column alias: a name defined earlier in the same SELECT list.
                guard let inlined = inlineLateralAliases(item, resolved, input) else { throw e }
                r = try resolveExpr(inlined, input: input, outer: outer)
            }
            resolved.append(named(r, original: item))
        }
        try checkWindowFunctionsHaveOver(resolved)
        if let g = try extractGenerator(child, resolved, items) { return try extractWindows(g) }
        if resolved.contains(where: { $0.containsAggregate }) {
            try checkAggregates(resolved, groupings: [])
            return try extractWindows(.aggregate(child, .groupBy, groupings: [], aggregates: resolved))
        }
        return try extractWindows(.project(child, resolved))
    }

    /// Replaces names that the input lacks but an earlier select item aliases with that
    /// item's expression (Spark's lateral column alias); nil when nothing was replaced.
    func inlineLateralAliases(_ e: Expr, _ earlier: [Expr], _ input: [Attribute]) -> Expr? {
        var replaced = false
        let out = e.transformDown { node -> Expr? in
            guard case .unresolvedAttribute(let parts) = node, parts.count == 1, (try? lookup(parts, in: input)) == nil else { return nil }
            for item in earlier.reversed() {
                if case .alias(let x, let n, _) = item, same(n, parts[0]) { replaced = true; return x }
            }
            return nil
        }
        return replaced ? out : nil
    }

    func resolveFilter(_ child: LogicalPlan, _ cond: Expr, outer: [[Attribute]]) throws -> LogicalPlan {
        // HAVING: a filter over an aggregate may use aggregate calls and grouping columns.
        if case .aggregate = child, let r = try? resolveExpr(cond, input: child.output(), outer: outer), !r.containsAggregate {
            try checkBoolean(r, "WHERE")
            return .filter(child, r)
        }
        if case .aggregate(let aggChild, let type, let groupings, var aggs) = child {
            let innerInput = try aggChild.output()
            let aggOut = try child.output()
            let r = try resolveExpr(cond, input: innerInput + aggOut.filter { a in !innerInput.contains { same($0.name, a.name) } }, outer: outer)
            try checkBoolean(r, "HAVING")
            let rewritten: Expr
            do {
                rewritten = try pullIntoAggregate(r, groupings: groupings, aggs: &aggs, aggOutput: aggOut)
            } catch let e as EmberError where e.errorClass == "MISSING_AGGREGATION" {
                // HAVING sees the aggregate's output: a column neither grouped nor aggregated
                // does not resolve there (Spark reports it as unresolved, not as missing aggregation).
                if let name = r.firstUngroupedColumn(groupings: groupings, aggOutput: aggOut) {
                    throw EmberError.unresolvedColumn(quoteIdentifierIfNeeded(name), candidates: aggOut.map { quoteIdentifierIfNeeded($0.name) })
                }
                throw e
            }
            let newAgg = LogicalPlan.aggregate(aggChild, type, groupings: groupings, aggregates: aggs)
            return .project(.filter(newAgg, rewritten), aggOut.map(Expr.attribute))
        }
        let input = try child.output()
        let r = try resolveExpr(cond, input: input, outer: outer)
        if r.containsAggregate {
            throw EmberError(errorClass: "INVALID_WHERE_CONDITION", sqlState: "42903", message: "The WHERE condition \(ExprPrinter.sql(r)) contains invalid expressions: aggregate functions are not allowed in WHERE.")
        }
        try checkBoolean(r, "WHERE")
        return .filter(child, r)
    }

    func checkBoolean(_ e: Expr, _ clause: String) throws {
        let t = e.dataType
        if t != .boolean && t != .null {
            throw EmberError.datatypeMismatch("FILTER_NOT_BOOLEAN", "Cannot resolve \"\(ExprPrinter.sql(e))\" due to data type mismatch: Filter expression \"\(ExprPrinter.sql(e))\" of type \"\(t.sql)\" is not a boolean.")
        }
    }

    /// Rewrites `e` (resolved against the aggregate's input) so it reads only aggregate
    /// output, adding hidden aggregate columns for calls and grouping expressions it needs.
    func pullIntoAggregate(_ e: Expr, groupings: [Expr], aggs: inout [Expr], aggOutput: [Attribute]) throws -> Expr {
        var added: [Expr: Attribute] = [:]
        let out = try e.transformDown { node -> Expr? in
            if case .attribute(let a) = node, aggOutput.contains(where: { $0.id == a.id }) { return node }
            let isAgg: Bool = { if case .call(let c) = node, c.kind == .aggregate { return true }; return false }()
            let isGrouping = groupings.contains(node)
            guard isAgg || isGrouping || { if case .attribute = node { return true }; return false }() else { return nil }
            if case .attribute(let a) = node, !isGrouping {
                throw EmberError(errorClass: "MISSING_AGGREGATION", sqlState: "42803", message: "The non-aggregating expression \"\(a.name)\" is based on columns which are not participating in the GROUP BY clause. Add the columns or the expression to the GROUP BY, or wrap it in an aggregate function.")
            }
            // Reuse an existing output column computing the same thing.
            for x in aggs {
                if case .alias(let inner, _, _) = x, inner == node { return .attribute(try x.toAttribute()) }
                if x == node, case .attribute(let a) = x { return .attribute(a) }
            }
            if let a = added[node] { return .attribute(a) }
            let alias = Expr.alias(node, name: ExprPrinter.sql(node), id: ExprIds.next())
            aggs.append(alias)
            let a = try alias.toAttribute()
            added[node] = a
            return .attribute(a)
        }
        return out
    }

    func resolveSort(_ child: LogicalPlan, _ orders: [Expr], global: Bool, outer: [[Attribute]]) throws -> LogicalPlan {
        let input = try child.output()
        // Ordinals: ORDER BY 1.
        let orders = try orders.map { o -> Expr in
            if case .sortOrder(.literal(let v, let t), let asc, let nf) = o, t.isIntegral, let k = v.int64Value {
                guard k >= 1, k <= Int64(input.count) else {
                    throw EmberError(errorClass: "ORDER_BY_POS_OUT_OF_RANGE", sqlState: "42805", message: "ORDER BY position \(k) is not in select list (valid range is [1, \(input.count)]).")
                }
                return .sortOrder(.attribute(input[Int(k) - 1]), ascending: asc, nullsFirst: nf)
            }
            return o
        }
        if let r = try? orders.map({ try resolveExpr($0, input: input, outer: outer) }), !r.contains(where: { $0.containsAggregate }) {
            return .sort(child, r, isGlobal: global)
        }
        switch child {
        case .aggregate(let aggChild, let type, let groupings, var aggs):
            let innerInput = try aggChild.output()
            let extra = input.filter { a in !innerInput.contains { same($0.name, a.name) } }
            var rewritten: [Expr] = []
            for o in orders {
                let r = try resolveExpr(o, input: innerInput + extra, outer: outer)
                rewritten.append(try pullIntoAggregate(r, groupings: groupings, aggs: &aggs, aggOutput: input))
            }
            let newAgg = LogicalPlan.aggregate(aggChild, type, groupings: groupings, aggregates: aggs)
            return .project(.sort(newAgg, rewritten, isGlobal: global), input.map(Expr.attribute))
        case .project(let grand, var items):
            // ORDER BY a column the SELECT list dropped: carry it through, then project it away.
            let grandInput = try grand.output()
            let r = try orders.map { try resolveExpr($0, input: input + grandInput.filter { g in !input.contains { $0.id == g.id } }, outer: outer) }
            for id in r.reduce(into: Set<Int>(), { $0.formUnion($1.references) }) where !input.contains(where: { $0.id == id }) {
                if let a = grandInput.first(where: { $0.id == id }) { items.append(.attribute(a)) }
            }
            return .project(.sort(.project(grand, items), r, isGlobal: global), input.map(Expr.attribute))
        default:
            let r = try orders.map { try resolveExpr($0, input: input, outer: outer) }
            return .sort(child, r, isGlobal: global)
        }
    }

    // MARK: Aggregates

    func resolveAggregate(_ child: LogicalPlan, _ type: GroupType, _ groupings: [Expr], _ aggs: [Expr], outer: [[Attribute]]) throws -> LogicalPlan {
        let input = try child.output()
        let items = try expandStars(aggs, input)
        let resolvedItems = try items.map { named(try resolveExpr($0, input: input, outer: outer), original: $0) }
        try checkWindowFunctionsHaveOver(resolvedItems)
        var groups: [Expr] = []
        if groupings.count == 1, case .unresolvedAttribute(["*ALL*"]) = groupings[0] {
            groups = resolvedItems.filter { !$0.containsAggregate }.map { if case .alias(let e, _, _) = $0 { return e }; return $0 }
        } else {
            for g in groupings {
                if case .literal(let v, let t) = g, t.isIntegral, let k = v.int64Value {
                    guard k >= 1, Int(k) <= resolvedItems.count else {
                        throw EmberError(errorClass: "GROUP_BY_POS_OUT_OF_RANGE", sqlState: "42805", message: "GROUP BY position \(k) is not in select list (valid range is [1, \(resolvedItems.count)]).")
                    }
                    let item = resolvedItems[Int(k) - 1]
                    if item.containsAggregate {
                        throw EmberError(errorClass: "GROUP_BY_POS_AGGREGATE", sqlState: "42903", message: "GROUP BY \(k) refers to an expression \(ExprPrinter.sql(item)) that contains an aggregate function.")
                    }
                    if case .alias(let e, _, _) = item { groups.append(e) } else { groups.append(item) }
                    continue
                }
                if let r = try? resolveExpr(g, input: input, outer: outer) {
                    groups.append(r); continue
                }
                // GROUP BY a select-list alias.
                if case .unresolvedAttribute(let parts) = g, parts.count == 1,
                   let item = resolvedItems.first(where: { if case .alias(_, let n, _) = $0 { return same(n, parts[0]) }; return false }),
                   case .alias(let e, _, _) = item, !e.containsAggregate {
                    groups.append(e); continue
                }
                groups.append(try resolveExpr(g, input: input, outer: outer))
            }
        }
        try checkAggregates(resolvedItems, groupings: groups)
        if type == .groupBy || groups.isEmpty {
            let items = try resolvedItems.map { try replaceGroupingCalls($0, groups: groups, dropped: []) }
            return try extractWindows(.aggregate(child, .groupBy, groupings: groups, aggregates: items))
        }
        // ROLLUP / CUBE / GROUPING SETS: a union of one aggregate per grouping set, absent keys NULL.
        let n = groups.count
        var sets: [[Int]] = []
        switch type {
        case .rollup:
            for k in stride(from: n, through: 0, by: -1) { sets.append(Array(0..<k)) }
        case .cube:
            for mask in stride(from: (1 << n) - 1, through: 0, by: -1) { sets.append((0..<n).filter { mask & (1 << (n - 1 - $0)) != 0 }) }
        case .groupingSets(let given): sets = given.map { $0.filter { $0 < n } }
        case .groupBy: sets = [Array(0..<n)]
        }
        var branches: [LogicalPlan] = []
        let outAttrs = try resolvedItems.map { try $0.toAttribute() }
        for set in sets {
            let kept = set.map { groups[$0] }
            let dropped = (0..<n).filter { !set.contains($0) }.map { groups[$0] }
            let droppedIdx = Set((0..<n).filter { !set.contains($0) })
            let items = try resolvedItems.enumerated().map { (i, item) -> Expr in
                let body0: Expr = { if case .alias(let e, _, _) = item { return e }; return item }()
                let body = try replaceGroupingCalls(body0, groups: groups, dropped: droppedIdx)
                let replaced = body.transformDown { node -> Expr? in
                    if case .call(let c) = node, c.kind == .aggregate { return node }
                    if dropped.contains(node) && !kept.contains(node) { return .literal(.null, node.dataType) }
                    return nil
                }
                return .alias(replaced, name: outAttrs[i].name, id: ExprIds.next())
            }
            branches.append(.aggregate(child, .groupBy, groupings: kept, aggregates: items))
        }
        var plan = branches[0]
        for b in branches.dropFirst() { plan = .setOperation(plan, b, .union, isAll: true, byName: false, allowMissingColumns: false) }
        let unionOut = try plan.output()
        return .project(plan, zip(unionOut, outAttrs).map { u, o in .alias(.attribute(u.asNullable), name: o.name, id: o.id) })
    }

    /// `grouping(x)` / `grouping_id(…)` in one grouping set: 1 bits for the keys the set leaves out.
    func replaceGroupingCalls(_ e: Expr, groups: [Expr], dropped: Set<Int>) throws -> Expr {
        try e.transformDown { node -> Expr? in
            guard case .call(let c) = node, c.name == "grouping" || c.name == "grouping_id" else { return nil }
            let keys = c.name == "grouping_id" && c.args.isEmpty ? groups : c.args
            var id: Int64 = 0
            for k in keys {
                guard let i = groups.firstIndex(of: k) else {
                    throw EmberError(errorClass: "GROUPING_COLUMN_MISMATCH", sqlState: "42803", message: "Column of grouping (\(ExprPrinter.sql(k))) can't be found in grouping columns \(groups.map(ExprPrinter.sql).joined(separator: ",")).")
                }
                id = id << 1 | (dropped.contains(i) ? 1 : 0)
            }
            return c.name == "grouping" ? .literal(.byte(Int8(id)), .byte) : .literal(.long(id), .long)
        }
    }

    /// Every column read outside an aggregate call must be (part of) a grouping expression.
    func checkAggregates(_ items: [Expr], groupings: [Expr]) throws {
        func check(_ e: Expr) throws {
            if groupings.contains(e) { return }
            switch e {
            case .call(let c) where c.kind == .aggregate:
                if c.args.contains(where: { $0.containsAggregate }) {
                    throw EmberError(errorClass: "NESTED_AGGREGATE_FUNCTION", sqlState: "42607", message: "It is not allowed to use an aggregate function in the argument of another aggregate function. Please use the inner aggregate function in a sub-query.")
                }
                return
            case .window(let f, let spec):
                for x in [f] + spec.partitionBy + spec.orderBy { try check(x) }
            case .attribute(let a):
                throw EmberError(errorClass: "MISSING_AGGREGATION", sqlState: "42803", message: "The non-aggregating expression \"\(a.name)\" is based on columns which are not participating in the GROUP BY clause. Add the columns or the expression to the GROUP BY, or wrap it in an aggregate function.")
            default:
                for c in e.children { try check(c) }
            }
        }
        for i in items {
            if case .alias(let e, _, _) = i { try check(e) } else { try check(i) }
        }
    }

    // MARK: Windows

    /// Moves window expressions of a project or aggregate into a `Window` node below a project.
    func extractWindows(_ plan: LogicalPlan) throws -> LogicalPlan {
        let (child, items): (LogicalPlan, [Expr]) = {
            switch plan {
            case .project(let c, let es): return (c, es)
            case .aggregate(let c, _, _, let es): return (c, es)
            default: return (plan, [])
            }
        }()
        guard items.contains(where: { $0.contains { if case .window = $0 { return true }; return false } }) else { return plan }
        if case .aggregate(let c, let t, let g, _) = plan {
            // Aggregate first (window arguments may use aggregates), then window over its output.
            var aggItems: [Expr] = []
            var windowed: [Expr] = []
            for item in items {
                var hidden: [Expr] = []
                let r = item.transformDown { node -> Expr? in
                    if case .window = node { return nil }
                    if case .call(let fc) = node, fc.kind == .aggregate {
                        let a = Expr.alias(node, name: ExprPrinter.sql(node), id: ExprIds.next())
                        hidden.append(a)
                        return .attribute((try? a.toAttribute()) ?? Attribute.fresh("_", node.dataType))
                    }
                    if g.contains(node) {
                        let a = Expr.alias(node, name: ExprPrinter.sql(node), id: ExprIds.next())
                        hidden.append(a)
                        return .attribute((try? a.toAttribute()) ?? Attribute.fresh("_", node.dataType))
                    }
                    return nil
                }
                aggItems += hidden
                windowed.append(r)
            }
            let agg = LogicalPlan.aggregate(c, t, groupings: g, aggregates: aggItems)
            return try extractWindows(.project(agg, windowed))
        }
        var windowExprs: [Expr] = []
        var map: [Expr: Attribute] = [:]
        let replaced = try items.map { item in
            try item.transformDown { node -> Expr? in
                guard case .window = node else { return nil }
                if let a = map[node] { return .attribute(a) }
                let alias = Expr.alias(node, name: ExprPrinter.sql(node), id: ExprIds.next())
                let a = try alias.toAttribute()
                windowExprs.append(alias)
                map[node] = a
                return .attribute(a)
            }
        }
        return .project(.window(child, windowExprs), replaced)
    }

    // MARK: Joins and set operations

    func resolveJoin(_ l: LogicalPlan, _ r0: LogicalPlan, _ type: JoinType, _ cond: Expr?, _ using: [String], outer: [[Attribute]]) throws -> LogicalPlan {
        let lo = try l.output()
        var r = r0
        if Set(lo.map(\.id)).intersection(try r.output().map(\.id)).count > 0 { r = try freshCopy(r) }
        let ro = try r.output()
        var using = using
        if using == JoinType.naturalUsing {
            // NATURAL JOIN: USING every column name both sides have, in the left side's order.
            using = lo.map(\.name).filter { n in ro.contains { same($0.name, n) } }
            if using.isEmpty { return .join(l, r, type == .inner ? .inner : type, condition: nil, using: []) }
        }
        if !using.isEmpty {
            var conds: [Expr] = []
            var lk: [Attribute] = [], rk: [Attribute] = []
            for name in using {
                guard let a = lo.first(where: { same($0.name, name) }) else {
                    throw EmberError(errorClass: "UNRESOLVED_USING_COLUMN_FOR_JOIN", sqlState: "42703", message: "USING column `\(name)` cannot be resolved on the left side of the join. The left-side columns: [\(lo.map { "`\($0.name)`" }.joined(separator: ", "))].")
                }
                guard let b = ro.first(where: { same($0.name, name) }) else {
                    throw EmberError(errorClass: "UNRESOLVED_USING_COLUMN_FOR_JOIN", sqlState: "42703", message: "USING column `\(name)` cannot be resolved on the right side of the join. The right-side columns: [\(ro.map { "`\($0.name)`" }.joined(separator: ", "))].")
                }
                lk.append(a); rk.append(b)
                conds.append(try resolveExpr(.function(name: "==", args: [.attribute(a), .attribute(b)], isDistinct: false), input: [], outer: []))
            }
            let c = conds.dropFirst().reduce(conds[0]) { andExpr($0, $1) }
            let join = LogicalPlan.join(l, r, type, condition: c, using: [])
            let lkIds = Set(lk.map(\.id)), rkIds = Set(rk.map(\.id))
            var items: [Expr] = []
            for (a, b) in zip(lk, rk) {
                switch type {
                case .rightOuter: items.append(.attribute(b))
                case .fullOuter:
                    let co = try resolveExpr(.function(name: "coalesce", args: [.attribute(a), .attribute(b)], isDistinct: false), input: [], outer: [])
                    items.append(.alias(co, name: a.name, id: ExprIds.next()))
                default: items.append(.attribute(a))
                }
            }
            let joinOut = try join.output()
            items += joinOut.filter { x in lo.contains(where: { $0.id == x.id }) && !lkIds.contains(x.id) }.map(Expr.attribute)
            if type != .leftSemi && type != .leftAnti {
                items += joinOut.filter { x in ro.contains(where: { $0.id == x.id }) && !rkIds.contains(x.id) }.map(Expr.attribute)
            }
            return .project(join, items)
        }
        guard let cond else { return .join(l, r, type, condition: nil, using: []) }
        let rc = try resolveExpr(cond, input: lo + ro, outer: outer)
        try checkBoolean(rc, "JOIN")
        return .join(l, r, type, condition: rc, using: [])
    }

    func andExpr(_ a: Expr, _ b: Expr) -> Expr {
        .call(FunctionCall(name: "and", args: [a, b], dataType: .boolean, nullable: a.nullable || b.nullable))
    }

    func resolveSetOperation(_ l: LogicalPlan, _ r0: LogicalPlan, _ type: SetOperationType, _ all: Bool, _ byName: Bool, _ allowMissing: Bool) throws -> LogicalPlan {
        let lo = try l.output()
        var r = r0
        var ro = try r.output()
        if byName {
            var items: [Expr] = []
            for a in lo {
                if let b = ro.first(where: { same($0.name, a.name) }) {
                    items.append(.attribute(b))
                } else if allowMissing {
                    items.append(.alias(.literal(.null, a.dataType), name: a.name, id: ExprIds.next()))
                } else {
                    throw EmberError(errorClass: "UNRESOLVED_COLUMN.WITH_SUGGESTION", sqlState: "42703", message: "A column, variable, or function parameter with name `\(a.name)` cannot be resolved. Did you mean one of the following? [\(ro.map { "`\($0.name)`" }.joined(separator: ", "))].")
                }
            }
            r = .project(r, items)
            ro = try r.output()
        }
        guard lo.count == ro.count else {
            throw EmberError(errorClass: "NUM_COLUMNS_MISMATCH", sqlState: "42826", message: "\(type == .union ? "UNION" : type == .intersect ? "INTERSECT" : "EXCEPT") can only be performed on inputs with the same number of columns, but the first input has \(lo.count) columns and the second input has \(ro.count) columns.")
        }
        var types: [DataType] = []
        for (a, b) in zip(lo, ro) {
            guard let t = TypeCoercion.common([a.dataType, b.dataType]) else {
                throw EmberError(errorClass: "INCOMPATIBLE_COLUMN_TYPE", sqlState: "42825", message: "\(type) can only be performed on tables with compatible column types. The column `\(b.name)` of the second table is \"\(b.dataType.sql)\" type which is not compatible with \"\(a.dataType.sql)\" at the same column of the first table.")
            }
            types.append(t)
        }
        func widen(_ p: LogicalPlan, _ out: [Attribute]) -> LogicalPlan {
            if zip(out, types).allSatisfy({ $0.dataType == $1 }) { return p }
            return .project(p, zip(out, types).map { a, t in a.dataType == t ? .attribute(a) : .alias(TypeCoercion.cast(.attribute(a), to: t), name: a.name, id: ExprIds.next()) })
        }
        let lw = widen(l, lo), rw = try freshIfShared(widen(r, ro), lw)
        switch type {
        case .union:
            let u = LogicalPlan.setOperation(lw, rw, .union, isAll: true, byName: false, allowMissingColumns: false)
            if all { return u }
            let out = try u.output()
            return .aggregate(u, .groupBy, groupings: out.map(Expr.attribute), aggregates: out.map(Expr.attribute))
        case .intersect, .except:
            if all { return try intersectOrExceptAll(lw, rw, intersect: type == .intersect) }
            let lOut = try lw.output(), rOut = try rw.output()
            let conds = zip(lOut, rOut).map { a, b in
                Expr.call(FunctionCall(name: "<=>", args: [.attribute(a), .attribute(b)], dataType: .boolean, nullable: false))
            }
            let cond = conds.dropFirst().reduce(conds[0]) { andExpr($0, $1) }
            let join = LogicalPlan.join(lw, rw, type == .intersect ? .leftSemi : .leftAnti, condition: cond, using: [])
            return .aggregate(join, .groupBy, groupings: lOut.map(Expr.attribute), aggregates: lOut.map(Expr.attribute))
        }
    }

    /// INTERSECT ALL / EXCEPT ALL as Spark rewrites them: tag each side's rows, union them,
    /// count per distinct row how often each side has it, and replicate the row
    /// min(left, right) times (INTERSECT) or left − right times (EXCEPT) with a generator.
    func intersectOrExceptAll(_ l: LogicalPlan, _ r: LogicalPlan, intersect: Bool) throws -> LogicalPlan {
        func fn(_ name: String, _ args: Expr...) throws -> Expr {
            try resolveExpr(.function(name: name, args: args, isDistinct: false), input: [], outer: [])
        }
        func tagged(_ p: LogicalPlan, _ tags: [Expr]) throws -> LogicalPlan {
            try .project(p, p.output().map(Expr.attribute) + tags.enumerated().map { .alias($1, name: "vcol\($0)", id: ExprIds.next()) })
        }
        let t = Expr.literal(.boolean(true), .boolean), f = Expr.literal(.null, .boolean)
        let (lt, rt) = intersect
            ? (try tagged(l, [t, f]), try tagged(r, [f, t]))
            : (try tagged(l, [.literal(.long(1), .long)]), try tagged(r, [.literal(.long(-1), .long)]))
        let union = LogicalPlan.setOperation(lt, rt, .union, isAll: true, byName: false, allowMissingColumns: false)
        let uOut = try union.output()
        let cols = Array(uOut.dropLast(intersect ? 2 : 1))
        let counts: [Expr] = intersect
            ? [try fn("count", .attribute(uOut[cols.count])), try fn("count", .attribute(uOut[cols.count + 1]))]
            : [try fn("sum", .attribute(uOut[cols.count]))]
        let countAliases = counts.enumerated().map { Expr.alias($1, name: "cnt\($0)", id: ExprIds.next()) }
        let agg = LogicalPlan.aggregate(union, .groupBy, groupings: cols.map(Expr.attribute), aggregates: cols.map(Expr.attribute) + countAliases)
        let c = try countAliases.map { Expr.attribute(try $0.toAttribute()) }
        let one = Expr.literal(.long(1), .long)
        let keep = intersect ? try fn("and", try fn(">=", c[0], one), try fn(">=", c[1], one)) : try fn(">=", c[0], one)
        let times = intersect ? try fn("least", c[0], c[1]) : c[0]
        let gen = try fn("explode", try fn("array_repeat", t, TypeCoercion.cast(times, to: .int)))
        guard case .call(let g) = gen else { throw EmberError.internalError("replicate generator") }
        let out = try generatorOutput(g, names: [], qualifier: nil)
        let replicate = LogicalPlan.generate(.filter(agg, keep), generator: gen, outer: false, qualifier: nil, names: [], output: out)
        return .project(replicate, cols.map(Expr.attribute))
    }

    func freshIfShared(_ r: LogicalPlan, _ l: LogicalPlan) throws -> LogicalPlan {
        if Set(try l.output().map(\.id)).intersection(try r.output().map(\.id)).isEmpty { return r }
        return try freshCopy(r)
    }

    func resolveFillNa(_ child: LogicalPlan, _ cols: [String], _ values: [Value]) throws -> LogicalPlan {
        let out = try child.output()
        var items: [Expr] = []
        for a in out {
            var fill: Value? = nil
            if cols.isEmpty {
                // One value for every column of a compatible type (Spark: numeric value → numeric
                // columns, string → string columns, boolean → boolean columns).
                if let v = values.first {
                    switch v {
                    case .string: if a.dataType == .string { fill = v }
                    case .boolean: if a.dataType == .boolean { fill = v }
                    default: if a.dataType.isNumeric { fill = v }
                    }
                }
            } else if let i = cols.firstIndex(where: { same($0, a.name) }) {
                fill = i < values.count ? values[i] : values.last
            }
            if let v = fill {
                let lit = TypeCoercion.cast(.literal(v, v.naturalType), to: a.dataType)
                let co = Expr.call(FunctionCall(name: "coalesce", args: [.attribute(a), lit], dataType: a.dataType, nullable: false))
                items.append(.alias(co, name: a.name, id: ExprIds.next()))
            } else {
                items.append(.attribute(a))
            }
        }
        return .project(child, items)
    }

    // MARK: Attributes

    func findAttribute(_ parts: [String], in input: [Attribute]) throws -> Attribute {
        if let (a, rest) = try lookup(parts, in: input), rest.isEmpty { return a }
        throw EmberError.unresolvedColumn(parts.joined(separator: "."), candidates: input.map(\.name))
    }

    /// Binds a (possibly qualified) name: returns the attribute and the remaining parts
    /// (struct field accesses).
    func lookup(_ parts: [String], in input: [Attribute]) throws -> (Attribute, [String])? {
        guard let first = parts.first else { return nil }
        if parts.count >= 2 {
            let q = input.filter { a in same(a.name, parts[1]) && a.qualifier.last.map { same($0, first) } == true }
            if q.count == 1 { return (q[0], Array(parts.dropFirst(2))) }
            if q.count > 1 { throw ambiguous(parts.prefix(2).joined(separator: "."), q) }
        }
        let m = input.filter { same($0.name, first) }
        var unique: [Attribute] = []
        for a in m where !unique.contains(where: { $0.id == a.id }) { unique.append(a) }
        if unique.count == 1 { return (unique[0], Array(parts.dropFirst())) }
        if unique.count > 1 { throw ambiguous(first, unique) }
        return nil
    }

    func ambiguous(_ name: String, _ matches: [Attribute]) -> EmberError {
        EmberError(errorClass: "AMBIGUOUS_REFERENCE", sqlState: "42704", message: "Reference `\(name)` is ambiguous, could be: [\(matches.map { "`\(($0.qualifier + [$0.name]).joined(separator: "`.`"))`" }.joined(separator: ", "))].")
    }
}

extension String {
    func equalsIgnoringCase(_ other: String) -> Bool {
        self == other || self.lowercased() == other.lowercased()
    }
}

extension Expr {
    /// The first column read outside aggregate calls that is neither a grouping expression
    /// nor an aggregate output column.
    func firstUngroupedColumn(groupings: [Expr], aggOutput: [Attribute]) -> String? {
        if groupings.contains(self) { return nil }
        switch self {
        case .call(let c) where c.kind == .aggregate: return nil
        case .attribute(let a): return aggOutput.contains { $0.id == a.id } ? nil : a.name
        default:
            for c in children { if let n = c.firstUngroupedColumn(groupings: groupings, aggOutput: aggOutput) { return n } }
            return nil
        }
    }
}
