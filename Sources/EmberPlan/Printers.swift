import EmberCore

/// Spark-style text for expressions: the names of unaliased output columns and the
/// lines of `explain()`.
public enum ExprPrinter {
    static let infix: Set<String> = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "<=>", "and", "or", "div", "||", "&", "|", "^"]

    public static func sql(_ e: Expr) -> String {
        switch e {
        case .literal(let v, let t): return literal(v, t)
        case .unresolvedAttribute(let parts): return parts.joined(separator: ".")
        case .star(let q): return q.isEmpty ? "*" : q.joined(separator: ".") + ".*"
        case .function(let name, let args, let distinct):
            return call(name, args.map(sql), distinct: distinct)
        case .alias(_, let name, _): return name
        case .cast(let x, let t, let m):
            return (m == .try ? "TRY_CAST(" : "CAST(") + sql(x) + " AS " + t.sql + ")"
        case .sortOrder(let x, let asc, let nf):
            return sql(x) + (asc ? " ASC" : " DESC") + (nf ? " NULLS FIRST" : " NULLS LAST")
        case .window(let f, let spec):
            var parts: [String] = []
            if !spec.partitionBy.isEmpty { parts.append("PARTITION BY " + spec.partitionBy.map(sql).joined(separator: ", ")) }
            if !spec.orderBy.isEmpty { parts.append("ORDER BY " + spec.orderBy.map(sql).joined(separator: ", ")) }
            if let fr = spec.frame {
                parts.append("\(fr.kind == .rows ? "ROWS" : "RANGE") BETWEEN \(bound(fr.lower)) AND \(bound(fr.upper))")
            }
            return sql(f) + " OVER (" + parts.joined(separator: " ") + ")"
        case .scalarSubquery: return "scalarsubquery()"
        case .exists: return "exists()"
        case .inSubquery(let vs, _): return "(" + vs.map(sql).joined(separator: ", ") + " IN (listquery()))"
        case .lambda(let ps, let body): return "lambdafunction(\(sql(body)), \(ps.joined(separator: ", ")))"
        case .extractValue(let x, let k):
            if case .literal(.string(let s), _) = k { return sql(x) + "." + s }
            return sql(x) + "[" + sql(k) + "]"
        case .attribute(let a), .outerReference(let a): return a.name
        case .call(let c):
            if !c.lambdas.isEmpty {
                // The data arguments, then each lambda (the captured columns stay hidden).
                let data = c.args.prefix(c.args.count - c.options.count).map(sql)
                let ls = c.lambdas.map { "lambdafunction(\(sql($0.body)), \($0.params.map(\.name).joined(separator: ", ")))" }
                return call(c.name, Array(data) + ls, distinct: false)
            }
            return call(c.name, c.args.map(sql), distinct: c.isDistinct)
        }
    }

    static func bound(_ b: FrameBoundary) -> String {
        switch b {
        case .unboundedPreceding: return "UNBOUNDED PRECEDING"
        case .unboundedFollowing: return "UNBOUNDED FOLLOWING"
        case .currentRow: return "CURRENT ROW"
        case .offset(let e):
            let s = sql(e)
            return s.hasPrefix("-") ? String(s.dropFirst()) + " PRECEDING" : s + " FOLLOWING"
        }
    }

    static func call(_ name: String, _ args: [String], distinct: Bool) -> String {
        switch name {
        case "==" where args.count == 2: return "(\(args[0]) = \(args[1]))"
        case "and", "or":
            if args.count == 2 { return "(\(args[0]) \(name.uppercased()) \(args[1]))" }
        case "not" where args.count == 1: return "(NOT \(args[0]))"
        case "negative" where args.count == 1: return "(- \(args[0]))"
        case "isnull" where args.count == 1: return "(\(args[0]) IS NULL)"
        case "isnotnull" where args.count == 1: return "(\(args[0]) IS NOT NULL)"
        case "in" where !args.isEmpty: return "(\(args[0]) IN (\(args.dropFirst().joined(separator: ", "))))"
        case "when":
            var s = "CASE"
            var i = 0
            while i + 1 < args.count { s += " WHEN \(args[i]) THEN \(args[i + 1])"; i += 2 }
            if i < args.count { s += " ELSE \(args[i])" }
            return s + " END"
        case "count" where args == ["*"]: return "count(1)"
        case "like", "rlike":
            if args.count >= 2 { return "\(args[0]) \(name.uppercased()) \(args[1])" }
        default:
            if infix.contains(name), args.count == 2 {
                let op = name == "div" ? "div" : name
                return "(\(args[0]) \(op) \(args[1]))"
            }
        }
        return name + "(" + (distinct ? "DISTINCT " : "") + args.joined(separator: ", ") + ")"
    }

    /// A literal as Spark names its column: `1`, `a` (strings unquoted), `NULL`, `DATE '2024-01-01'`.
    public static func literal(_ v: Value, _ t: DataType) -> String {
        switch v {
        case .null: return "NULL"
        case .boolean(let b): return b ? "true" : "false"
        case .long(let x): return "\(x)L"
        case .short(let x): return "\(x)S"
        case .byte(let x): return "\(x)Y"
        case .double(let x): return NumberFormat.javaDouble(x)
        case .float(let x): return NumberFormat.javaFloat(x)
        case .string(let s): return s
        case .date(let d): return "DATE '\(DateTime.formatDate(d))'"
        case .timestamp(let t): return "TIMESTAMP '\(DateTime.formatTimestamp(t, zone: .utc))'"
        default: return ValueFormat.sparkString(v, zone: .utc)
        }
    }
}

/// Renders values as Spark's `CAST(x AS STRING)` does.
public enum ValueFormat {
    public static func sparkString(_ v: Value, zone: SessionTimeZone) -> String {
        switch v {
        case .null: return "NULL"
        case .boolean(let b): return b ? "true" : "false"
        case .byte(let x): return String(x)
        case .short(let x): return String(x)
        case .int(let x): return String(x)
        case .long(let x): return String(x)
        case .float(let x): return NumberFormat.javaFloat(x)
        case .double(let x): return NumberFormat.javaDouble(x)
        case .decimal(let d): return d.description
        case .string(let s): return s
        case .binary(let b): return "[" + b.map { String(format: "%02X", $0) }.joined(separator: " ") + "]"
        case .date(let d): return DateTime.formatDate(d)
        case .timestamp(let t): return DateTime.formatTimestamp(t, zone: zone)
        case .array(let xs): return "[" + xs.map { sparkString($0, zone: zone) }.joined(separator: ", ") + "]"
        case .map(let ks, let vs):
            return "{" + zip(ks, vs).map { sparkString($0, zone: zone) + " -> " + sparkString($1, zone: zone) }.joined(separator: ", ") + "}"
        case .structure(let xs): return "{" + xs.map { sparkString($0, zone: zone) }.joined(separator: ", ") + "}"
        }
    }
}

/// The indented tree `explain()` prints.
public enum PlanPrinter {
    public static func tree(_ plan: LogicalPlan, verbose: Bool = false) -> String {
        var out = ""
        write(plan, prefix: "", childPrefix: "", verbose: verbose, into: &out)
        return out
    }

    public static func exprs(_ es: [Expr]) -> String { "[" + es.map { describe($0) }.joined(separator: ", ") + "]" }

    /// An expression with `#id` on resolved attributes, as Spark's plans show them.
    public static func describe(_ e: Expr) -> String {
        switch e {
        case .attribute(let a): return "\(a.name)#\(a.id)"
        case .outerReference(let a): return "outer(\(a.name)#\(a.id))"
        case .unresolvedAttribute(let p): return "'" + p.joined(separator: ".")
        case .alias(let x, let n, let id): return describe(x) + " AS \(n)" + (id.map { "#\($0)" } ?? "")
        case .literal, .star: return ExprPrinter.sql(e)
        default:
            let kids = e.children
            if kids.isEmpty { return ExprPrinter.sql(e) }
            // Print with resolved ids inside.
            let marked = e.withChildren(kids.map { k -> Expr in .unresolvedAttribute([describe(k)]) })
            let s = ExprPrinter.sql(marked)
            if case .function = e { return "'" + s }
            return s
        }
    }

    public static func label(_ p: LogicalPlan, verbose: Bool) -> String {
        switch p {
        case .read(let ds): return "Relation [\(ds.format)] \(ds.paths)" + (ds.schema.map { " \($0.ddl)" } ?? "")
        case .unresolvedRelation(let n): return "'UnresolvedRelation [\(n.joined(separator: ", "))]"
        case .localRelation(let l): return "LocalRelation [\(l.schema.names.joined(separator: ", "))], \(l.rowCount) rows" + (verbose ? " @\(ObjectIdentifier(l.data).hashValue)" : "")
        case .range(let s, let e, let st, let n): return "Range (\(s), \(e), step=\(st), splits=\(n.map(String.init) ?? "None"))"
        case .project(_, let es): return "Project " + exprs(es)
        case .filter(_, let c): return "Filter " + describe(c)
        case .join(_, _, let t, let c, let u):
            return "Join \(t.sqlName)" + (c.map { ", " + describe($0) } ?? "") + (u.isEmpty ? "" : ", USING \(u)")
        case .aggregate(_, let g, let gs, let aggs):
            return "Aggregate\(g == .groupBy ? "" : " \(g)") " + exprs(gs) + ", " + exprs(aggs)
        case .sort(_, let os, let global): return "Sort " + exprs(os) + ", \(global)"
        case .limit(_, let n): return "GlobalLimit \(n)"
        case .offset(_, let n): return "Offset \(n)"
        case .setOperation(_, _, let t, let all, let byName, _):
            return "\(t)".capitalized + (all ? " All" : "") + (byName ? " ByName" : "")
        case .deduplicate(_, let cs): return cs.isEmpty ? "Distinct" : "Deduplicate \(cs)"
        case .withColumns(_, let es): return "WithColumns " + exprs(es)
        case .withColumnsRenamed(_, let rs): return "WithColumnsRenamed " + rs.map { "\($0) -> \($1)" }.joined(separator: ", ")
        case .drop(_, let cs): return "Drop \(cs)"
        case .subqueryAlias(_, let a): return "SubqueryAlias \(a)"
        case .sample(_, let f, let r, let s): return "Sample \(f), \(r), \(s)"
        case .sampleRange(_, let l, let u, let s): return "Sample [\(l), \(u)), seed=\(s)"
        case .fillNa(_, let cs, let vs): return "FillNa \(cs) \(vs)"
        case .dropNa(_, let cs, let n): return "DropNa \(cs) \(n.map(String.init) ?? "any")"
        case .sql(let s): return "SQL \(s)"
        case .with(_, let ctes): return "WithCTE [\(ctes.map(\.0).joined(separator: ", "))]"
        case .values(let rows, let names): return "Values [\(names.joined(separator: ", "))], \(rows.count) rows" + (verbose ? " \(rows)" : "")
        case .scan(let s):
            var text: String
            switch s.source {
            case .files(let ds): text = "Scan \(ds.format) \(ds.paths)"
            case .local(let l): text = "LocalTableScan \(l.rowCount) rows" + (verbose ? " @\(ObjectIdentifier(l.data).hashValue)" : "")
            case .range(let a, let b, let st, _): text = "Range (\(a), \(b), step=\(st))"
            case .values(let rows): text = "LocalTableScan \(rows.count) rows" + (verbose ? " \(rows)" : "")
            }
            text += " " + exprs(s.output.map(Expr.attribute))
            if !s.filters.isEmpty { text += ", PushedFilters: " + exprs(s.filters) }
            if let l = s.limit { text += ", Limit: \(l)" }
            return text
        case .window(_, let ws): return "Window " + exprs(ws)
        case .cached(let c): return "InMemoryRelation " + exprs(c.output.map(Expr.attribute))
        case .generate(_, let g, let o, _, let n, let out):
            return "Generate \(describe(g)), outer=\(o), " + (out.isEmpty ? "\(n)" : exprs(out.map(Expr.attribute)))
        case .existenceJoin(_, _, let c, let e): return "Join ExistenceJoin(\(e.name)#\(e.id)), " + describe(c)
        case .recursiveUnion(_, _, _, let out): return "UnionLoop " + exprs(out.map(Expr.attribute))
        case .recursiveCTE: return "RecursiveCTE"
        }
    }

    static func write(_ p: LogicalPlan, prefix: String, childPrefix: String, verbose: Bool, into out: inout String) {
        out += prefix + label(p, verbose: verbose) + "\n"
        var kids = p.children
        if case .with(let body, _) = p { kids = [body] }
        for (i, k) in kids.enumerated() {
            let last = i == kids.count - 1
            write(k, prefix: childPrefix + (last ? "+- " : ":- "), childPrefix: childPrefix + (last ? "   " : ":  "), verbose: verbose, into: &out)
        }
    }
}
