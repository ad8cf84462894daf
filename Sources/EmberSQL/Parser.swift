import EmberCore
import EmberPlan

/// A recursive-descent parser over the token list. Statements and queries live here;
/// expressions, literals and types are in the `Parser+…` extensions.
struct Parser {
    let tokens: [Token]
    let source: [Character]
    var pos = 0
    /// The named windows (`WINDOW w AS (…)`) of the query specification parsed last;
    /// its `ORDER BY` may refer to them too.
    var lastWindowDefs: [String: WindowSpec] = [:]
    /// Set by `joinType()` when the join it consumed was NATURAL.
    var natural = false
    /// Current nesting of expressions and queries; bounded so that hostile input gets an
    /// error instead of exhausting the stack (parsing may run on a small-stack thread).
    var depth = 0
    static let maxDepth = 100

    init(_ sql: String) throws {
        (tokens, source) = try Lexer.tokenize(sql)
    }

    // MARK: Keywords

    /// Words that never name a column or table without backquotes: they start or
    /// separate clauses, so accepting them as names would make the grammar ambiguous.
    static let reserved: Set<String> = [
        "SELECT", "FROM", "WHERE", "GROUP", "ORDER", "BY", "HAVING", "LIMIT", "OFFSET", "JOIN", "ON", "USING",
        "UNION", "INTERSECT", "EXCEPT", "MINUS", "AND", "OR", "NOT", "AS", "CASE", "WHEN", "THEN", "ELSE", "END",
        "IN", "IS", "NULL", "LIKE", "BETWEEN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "SEMI", "ANTI",
        "WINDOW", "WITH", "DISTINCT", "ALL", "EXISTS", "TRUE", "FALSE", "INTERVAL", "FILTER", "OVER", "PARTITION",
        "ROWS", "RANGE", "LATERAL", "NATURAL", "RLIKE", "REGEXP", "ILIKE", "ESCAPE", "ASC", "DESC", "NULLS",
    ]

    /// Words that may be names but not an alias written without `AS`, because they can
    /// follow a select item or table in a clause (`FROM t SORT BY a`, `a DIV b`).
    static let noImplicitAlias: Set<String> = reserved.union([
        "SORT", "CLUSTER", "DISTRIBUTE", "DIV", "TABLESAMPLE", "PIVOT", "UNPIVOT", "QUALIFY",
    ])

    /// Reserved words that are still function names when a `(` follows (`left(s, 2)`).
    static let reservedFunctions: Set<String> = ["LEFT", "RIGHT", "EXISTS"]

    /// Reserved words that only have a meaning after an expression or inside a window or
    /// FROM clause, so where an expression starts they can name a column (`SELECT desc, range`).
    static let columnNameKeywords: Set<String> = [
        "FILTER", "OVER", "PARTITION", "ROWS", "RANGE", "NULLS", "ASC", "DESC", "ESCAPE", "SEMI", "ANTI", "WINDOW",
        "LATERAL", "NATURAL", "RLIKE", "REGEXP", "ILIKE",
    ]

    // MARK: Token helpers

    /// The token at the cursor; the list always ends with `.eof`, which is never passed.
    var current: Token { tokens[min(pos, tokens.count - 1)] }
    func peek(_ k: Int = 1) -> Token { tokens[min(pos + k, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = current
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func at(_ word: String) -> Bool { current.isWord(word) }
    func atSymbol(_ s: String) -> Bool { current.isSymbol(s) }
    var atEnd: Bool { current.kind == .eof }

    mutating func accept(_ word: String) -> Bool {
        guard at(word) else { return false }
        advance()
        return true
    }

    mutating func acceptSymbol(_ s: String) -> Bool {
        guard atSymbol(s) else { return false }
        advance()
        return true
    }

    mutating func expect(_ word: String) throws {
        guard accept(word) else { throw syntaxError() }
    }

    mutating func expectSymbol(_ s: String) throws {
        guard acceptSymbol(s) else { throw syntaxError() }
    }

    /// The source text of a token, as Spark quotes it in error messages.
    func rawText(_ t: Token) -> String {
        t.start < t.end && t.end <= source.count ? String(source[t.start..<t.end]) : t.text
    }

    /// `[PARSE_SYNTAX_ERROR] Syntax error at or near 'x'.` at the given (default: current) token.
    func syntaxError(_ token: Token? = nil) -> EmberError {
        let t = token ?? current
        let near = t.kind == .eof ? "end of input" : "'\(rawText(t))'"
        return EmberError.parse("Syntax error at or near \(near).", line: t.line, position: t.column)
    }

    func unsupported(_ what: String, _ t: Token? = nil) -> EmberError {
        let t = t ?? current
        return EmberError.unsupported("\(what) is not supported. (line \(t.line), pos \(t.column))")
    }

    /// Tries `first`; if it fails, tries `second` from the same place. When both fail, the
    /// error of the attempt that got further is the more telling one.
    mutating func either<T>(_ first: (inout Parser) throws -> T, _ second: (inout Parser) throws -> T) throws -> T {
        var a = self
        do {
            let v = try first(&a)
            self = a
            return v
        } catch let e1 {
            if e1 is TooDeep { throw e1 }
            var b = self
            do {
                let v = try second(&b)
                self = b
                return v
            } catch let e2 {
                throw a.pos > b.pos && !(e2 is TooDeep) ? e1 : e2
            }
        }
    }

    /// Thrown past `maxDepth`; unlike syntax errors it is final (`either` tries no alternative).
    struct TooDeep: Error { var error: EmberError }

    /// Counts one level of nesting; pair with `defer { depth -= 1 }`.
    mutating func enter() throws {
        depth += 1
        if depth > Parser.maxDepth {
            let t = current
            throw TooDeep(
                error: EmberError.parse(
                    "The statement is nested too deeply (more than \(Parser.maxDepth) levels) near '\(rawText(t))'.",
                    line: t.line, position: t.column))
        }
    }

    /// Runs a parse over `sql`, unwrapping internal errors.
    static func run<T>(_ sql: String, _ body: (inout Parser) throws -> T) throws -> T {
        do {
            var p = try Parser(sql)
            return try body(&p)
        } catch let e as TooDeep {
            throw e.error
        }
    }

    // MARK: Names

    func isIdentifier(_ t: Token) -> Bool {
        t.kind == .quotedIdent || (t.kind == .word && !Parser.reserved.contains(t.upper))
    }

    /// Where a name must stand (a table, a column at the start of an expression), the
    /// clause-internal keywords are names too: `FROM semi`, `SELECT desc`.
    func isName(_ t: Token) -> Bool { isIdentifier(t) || (t.kind == .word && Parser.columnNameKeywords.contains(t.upper)) }

    /// A word that can be an alias without `AS` at the cursor.
    var atImplicitAlias: Bool {
        current.kind == .quotedIdent || (current.kind == .word && !Parser.noImplicitAlias.contains(current.upper))
    }

    /// A non-reserved or backquoted name.
    mutating func identifier() throws -> String {
        guard isName(current) else { throw syntaxError() }
        return advance().text
    }

    /// Any word or backquoted name: used where no keyword can appear (after `AS`, `.`).
    mutating func anyName() throws -> String {
        guard current.kind == .word || current.kind == .quotedIdent else { throw syntaxError() }
        return advance().text
    }

    /// `a.b.c`.
    mutating func multipartName() throws -> [String] {
        var parts = [try identifier()]
        while atSymbol("."), peek().kind == .word || peek().kind == .quotedIdent {
            advance()
            parts.append(advance().text)
        }
        return parts
    }

    /// `(a, b, …)`.
    mutating func identifierList() throws -> [String] {
        try expectSymbol("(")
        var names: [String] = []
        repeat { names.append(try identifier()) } while acceptSymbol(",")
        try expectSymbol(")")
        return names
    }

    /// Renames columns by position, with the `#ordinal` convention the analyzer understands.
    static func positionalRename(_ plan: LogicalPlan, _ names: [String]) -> LogicalPlan {
        .withColumnsRenamed(plan, names.enumerated().map { ("#\($0.offset)", $0.element) })
    }

    // MARK: Statements

    mutating func statement() throws -> Statement {
        switch current.upper {
        case "CREATE": return try createView()
        case "INSERT": return try insertOverwriteDirectory()
        case "DROP":
            advance()
            guard accept("VIEW") || accept("TABLE") else { throw syntaxError() }
            var ifExists = false
            if accept("IF") { try expect("EXISTS"); ifExists = true }
            return .dropView(name: try multipartName().joined(separator: "."), ifExists: ifExists)
        case "SHOW":
            advance()
            if accept("COLUMNS") {
                guard accept("IN") || accept("FROM") else { throw syntaxError() }
                var name = try multipartName()
                if accept("IN") || accept("FROM") { name = try multipartName() + name }
                return .showColumns(name: name.joined(separator: "."))
            }
            guard accept("TABLES") || accept("VIEWS") else { throw syntaxError() }
            if accept("FROM") || accept("IN") { _ = try multipartName() }
            _ = accept("LIKE")
            let pattern = current.kind == .string ? try stringValue() : nil
            return .showTables(pattern: pattern)
        case "DESCRIBE", "DESC":
            advance()
            if accept("QUERY") || at("SELECT") || at("WITH") || at("VALUES") { return .describe(try query()) }
            _ = accept("TABLE")
            _ = accept("EXTENDED") || accept("FORMATTED")
            return .describe(.unresolvedRelation(try multipartName()))
        case "EXPLAIN":
            advance()
            var mode = ExplainMode.simple
            if current.kind == .word, let m = ExplainMode(rawValue: current.text.lowercased()), m != .simple {
                mode = m
                advance()
            }
            return .explain(try query(), mode: mode)
        case "SET": return try setStatement()
        case "CACHE":
            advance()
            _ = accept("LAZY")
            try expect("TABLE")
            let name = try multipartName().joined(separator: ".")
            if at("AS") || at("OPTIONS") { throw unsupported("CACHE TABLE … AS/OPTIONS") }
            return .cacheTable(name: name)
        case "UNCACHE":
            advance()
            try expect("TABLE")
            if accept("IF") { try expect("EXISTS") }
            return .uncacheTable(name: try multipartName().joined(separator: "."))
        default:
            return .query(try query())
        }
    }

    /// `CREATE [OR REPLACE] [GLOBAL] [TEMP|TEMPORARY] VIEW|TABLE [IF NOT EXISTS] name [(cols)]
    /// (USING fmt [OPTIONS (…)] | [AS] query)`. Ember has only temporary views, so permanent
    /// views and `CREATE TABLE … USING` create one too.
    mutating func createView() throws -> Statement {
        try expect("CREATE")
        var replace = false
        if accept("OR") { try expect("REPLACE"); replace = true }
        let start = current
        _ = accept("GLOBAL")
        let temporary = accept("TEMP") || accept("TEMPORARY")
        guard accept("VIEW") || accept("TABLE") else { throw syntaxError() }
        var ifNotExists = false
        if accept("IF") {
            try expect("NOT")
            try expect("EXISTS")
            ifNotExists = true
        }
        let name = try multipartName().joined(separator: ".")
        var columns: [StructField]?
        if acceptSymbol("(") {
            var cols: [StructField] = []
            repeat {
                let col = try identifier()
                var type = DataType.null
                var nullable = true
                if !atSymbol(","), !atSymbol(")"), !at("COMMENT") {
                    type = try dataType()
                    if accept("NOT") { try expect("NULL"); nullable = false }
                }
                if accept("COMMENT") { _ = try stringValue() }
                cols.append(StructField(col, type, nullable: nullable))
            } while acceptSymbol(",")
            try expectSymbol(")")
            columns = cols
        }
        if accept("USING") {
            let format = try multipartName().joined(separator: ".").lowercased()
            let options = try optionsClause()
            // File tables are session-scoped in Ember: always temporary.
            return .createView(
                name: name, replace: replace, ifNotExists: ifNotExists, columns: columns,
                source: .files(format: format, options: options), temporary: true)
        }
        _ = accept("AS")
        if temporary && ifNotExists {
            throw EmberError(
                errorClass: "_LEGACY_ERROR_TEMP_0053", sqlState: nil,
                message: "It is not allowed to define a TEMPORARY view with IF NOT EXISTS.(line \(start.line), pos \(start.column))")
        }
        return .createView(
            name: name, replace: replace, ifNotExists: ifNotExists, columns: columns, source: .query(try query()),
            temporary: temporary)
    }

    /// `INSERT OVERWRITE [LOCAL] DIRECTORY ['path'] USING fmt [OPTIONS (…)] query`.
    mutating func insertOverwriteDirectory() throws -> Statement {
        try expect("INSERT")
        try expect("OVERWRITE")
        _ = accept("LOCAL")
        try expect("DIRECTORY")
        let pathToken = current
        var path: String?
        if current.kind == .string { path = try stringValue() }
        try expect("USING")
        let format = try multipartName().joined(separator: ".").lowercased()
        let options = try optionsClause()
        guard let p = path ?? options.first(where: { $0.key.lowercased() == "path" })?.value else {
            throw EmberError(
                errorClass: "INVALID_SQL_SYNTAX", sqlState: "42000",
                message: "INSERT OVERWRITE DIRECTORY needs a path. (line \(pathToken.line), pos \(pathToken.column))")
        }
        return .insertOverwriteDirectory(path: p, format: format, options: options, query: try query())
    }

    /// `[OPTIONS (key [=] value, …)]`: keys are dotted names or strings, values literals kept as text.
    mutating func optionsClause() throws -> [String: String] {
        guard accept("OPTIONS") else { return [:] }
        try expectSymbol("(")
        var options: [String: String] = [:]
        if acceptSymbol(")") { return options }
        repeat {
            let key: String
            if current.kind == .string {
                key = try stringValue()
            } else {
                var parts = [try anyName()]
                while acceptSymbol(".") { parts.append(try anyName()) }
                key = parts.joined(separator: ".")
            }
            _ = acceptSymbol("=")
            let t = current
            switch t.kind {
            case .string: options[key] = try stringValue()
            case .number: advance(); options[key] = t.text
            case .symbol where t.text == "-" && peek().kind == .number:
                advance()
                options[key] = "-" + advance().text
            case .word where t.upper == "TRUE" || t.upper == "FALSE":
                advance()
                options[key] = t.text.lowercased()
            default: throw syntaxError()
            }
        } while acceptSymbol(",")
        try expectSymbol(")")
        return options
    }

    /// `SET`, `SET key`, `SET key = value`, `SET TIME ZONE 'zone'`. As in Spark, key and value
    /// are raw text (values may be words like `America/Los_Angeles`); a quoted value is unquoted.
    mutating func setStatement() throws -> Statement {
        try expect("SET")
        if at("TIME"), peek().isWord("ZONE") {
            advance()
            advance()
            guard current.kind == .string else { throw syntaxError() }
            return .set(key: "spark.sql.session.timeZone", value: try stringValue())
        }
        let first = pos
        while !atEnd, !atSymbol(";") { advance() }
        let toks = tokens[first..<pos]
        guard let head = toks.first, let last = toks.last else { return .set(key: nil, value: nil) }
        func text(_ from: Int, _ to: Int) -> String {
            String(source[from..<to]).trimmedSpaces
        }
        guard let eq = toks.firstIndex(where: { $0.isSymbol("=") }) else {
            let key = text(head.start, last.end)
            return .set(key: key == "-v" ? nil : unquoteKey(key), value: nil)
        }
        let key = text(head.start, tokens[eq].start)
        guard !key.isEmpty else { throw syntaxError(tokens[eq]) }
        let valueToks = tokens[(eq + 1)..<pos]
        var value = ""
        if let v0 = valueToks.first, let v1 = valueToks.last {
            value = valueToks.allSatisfy { $0.kind == .string } ? valueToks.map(\.text).joined() : text(v0.start, v1.end)
        }
        return .set(key: unquoteKey(key), value: value)
    }

    private func unquoteKey(_ key: String) -> String {
        key.count >= 2 && key.hasPrefix("`") && key.hasSuffix("`") ? String(key.dropFirst().dropLast()) : key
    }

    // MARK: Queries

    /// `[WITH cte, …] setExpression [ORDER BY …] [LIMIT n] [OFFSET m]`.
    mutating func query() throws -> LogicalPlan {
        try enter()
        defer { depth -= 1 }
        var ctes: [(String, LogicalPlan)] = []
        if accept("WITH") {
            let recursive = accept("RECURSIVE")
            repeat {
                let name = try identifier()
                let cols = atSymbol("(") ? try identifierList() : nil
                _ = accept("AS")
                try expectSymbol("(")
                var plan = try query()
                try expectSymbol(")")
                if let cols { plan = Parser.positionalRename(plan, cols) }
                ctes.append((name, recursive ? .recursiveCTE(plan) : plan))
            } while acceptSymbol(",")
        }
        let body = try queryOrganization(try setExpression())
        return ctes.isEmpty ? body : .with(body, ctes)
    }

    /// True when the token starts a query (used after `(` to tell subqueries from expressions).
    func startsQuery(_ t: Token) -> Bool {
        t.isWord("SELECT") || t.isWord("WITH") || t.isWord("VALUES") || t.isWord("TABLE")
    }

    /// UNION/EXCEPT over INTERSECT terms, left-associative; INTERSECT binds tighter.
    mutating func setExpression() throws -> LogicalPlan {
        var left = try intersectTerm()
        while true {
            let type: SetOperationType
            if at("UNION") {
                type = .union
            } else if at("EXCEPT") || at("MINUS") {
                type = .except
            } else {
                return left
            }
            advance()
            let isAll = setQuantifier()
            let right = try intersectTerm()
            left = .setOperation(left, right, type, isAll: isAll, byName: false, allowMissingColumns: false)
        }
    }

    mutating func intersectTerm() throws -> LogicalPlan {
        var left = try queryPrimary()
        while accept("INTERSECT") {
            let isAll = setQuantifier()
            let right = try queryPrimary()
            left = .setOperation(left, right, .intersect, isAll: isAll, byName: false, allowMissingColumns: false)
        }
        return left
    }

    mutating func setQuantifier() -> Bool {
        if accept("ALL") { return true }
        _ = accept("DISTINCT")
        return false
    }

    mutating func queryPrimary() throws -> LogicalPlan {
        if at("SELECT") { return try querySpecification() }
        if at("VALUES") { return try tableAlias(try inlineTable()) }
        if accept("TABLE") { return .unresolvedRelation(try multipartName()) }
        if acceptSymbol("(") {
            let q = try query()
            try expectSymbol(")")
            return q
        }
        throw syntaxError()
    }

    /// ORDER BY / SORT BY / CLUSTER BY, LIMIT and OFFSET over a whole (set-operation) query.
    mutating func queryOrganization(_ input: LogicalPlan) throws -> LogicalPlan {
        var plan = input
        let windows = lastWindowDefs
        if at("ORDER") || at("SORT"), peek().isWord("BY") {
            advance()
            advance()
            let orders = try sortItems().map { try resolveWindows($0, windows) }
            plan = .sort(plan, orders, isGlobal: true)
        } else if at("CLUSTER"), peek().isWord("BY") {
            advance()
            advance()
            var keys: [Expr] = []
            repeat { keys.append(try expression()) } while acceptSymbol(",")
            plan = .sort(plan, keys.map { .sortOrder($0, ascending: true, nullsFirst: true) }, isGlobal: true)
        } else if at("DISTRIBUTE"), peek().isWord("BY") {
            // Repartitioning has no meaning for a single-process engine; the keys are checked for syntax only.
            advance()
            advance()
            repeat { _ = try expression() } while acceptSymbol(",")
            if at("SORT"), peek().isWord("BY") {
                advance()
                advance()
                plan = .sort(plan, try sortItems(), isGlobal: true)
            }
        }
        var limit: Int?
        if accept("LIMIT") {
            if !accept("ALL") { limit = try limitValue("limit") }
        }
        if accept("OFFSET") { plan = .offset(plan, try limitValue("offset")) }
        if let limit { plan = .limit(plan, limit) }
        return plan
    }

    /// The integer of LIMIT/OFFSET, with Spark's error for a negative one.
    mutating func limitValue(_ what: String) throws -> Int {
        guard acceptSymbol("-") else { return try nonNegativeInt() }
        let t = current
        let v = try nonNegativeInt()
        throw EmberError(
            errorClass: "INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE", sqlState: "42K0E",
            message: "The \(what) like expression \"-\(v)\" is invalid. The \(what) expression must be equal to or greater than 0, but got -\(v). (line \(t.line), pos \(t.column))")
    }

    mutating func nonNegativeInt() throws -> Int {
        let t = current
        guard t.kind == .number, let v = Int(t.text) else { throw syntaxError() }
        advance()
        return v
    }

    /// `expr [ASC|DESC] [NULLS FIRST|LAST]`, …; Spark puts NULLs first ascending, last descending.
    mutating func sortItems() throws -> [Expr] {
        var out: [Expr] = []
        repeat {
            let e = try expression()
            var ascending = true
            if accept("DESC") { ascending = false } else { _ = accept("ASC") }
            var nullsFirst = ascending
            if accept("NULLS") {
                if accept("FIRST") {
                    nullsFirst = true
                } else {
                    try expect("LAST")
                    nullsFirst = false
                }
            }
            out.append(.sortOrder(e, ascending: ascending, nullsFirst: nullsFirst))
        } while acceptSymbol(",")
        return out
    }

    /// `SELECT … [FROM …] [WHERE …] [GROUP BY …] [HAVING …] [WINDOW …]`.
    mutating func querySpecification() throws -> LogicalPlan {
        try expect("SELECT")
        var distinct = false
        if accept("DISTINCT") { distinct = true } else { _ = accept("ALL") }
        var items: [Expr] = []
        repeat { items.append(try namedExpression()) } while acceptSymbol(",")

        // No FROM: one row with no columns.
        var plan: LogicalPlan = accept("FROM") ? try fromClause() : .values([[]], names: [])
        var condition: Expr?
        if accept("WHERE") { condition = try expression() }
        var grouping: (GroupType, [Expr])?
        if at("GROUP") {
            advance()
            try expect("BY")
            grouping = try groupBy()
        }
        var having: Expr?
        if accept("HAVING") { having = try expression() }
        var windows: [String: WindowSpec] = [:]
        if accept("WINDOW") {
            repeat {
                let name = try identifier()
                try expect("AS")
                let spec = try windowSpec()
                windows[name.lowercased()] = try resolveWindowSpec(spec, windows)
            } while acceptSymbol(",")
        }
        items = try items.map { try resolveWindows($0, windows) }
        having = try having.map { try resolveWindows($0, windows) }
        if let condition { plan = .filter(plan, condition) }
        if grouping != nil || having != nil {
            let (type, keys) = grouping ?? (.groupBy, [])
            plan = .aggregate(plan, type, groupings: keys, aggregates: items)
        } else {
            plan = .project(plan, items)
        }
        if let having { plan = .filter(plan, having) }
        if distinct { plan = .deduplicate(plan, columns: []) }
        lastWindowDefs = windows
        return plan
    }

    /// `ALL`, `ROLLUP(…)`, `CUBE(…)`, or `e, … [WITH ROLLUP|CUBE]`.
    mutating func groupBy() throws -> (GroupType, [Expr]) {
        if accept("ALL") { return (.groupBy, [.unresolvedAttribute(["*ALL*"])]) }
        if at("GROUPING"), peek().isWord("SETS") {
            advance()
            advance()
            // Every distinct expression of the sets is a grouping key; sets refer to them by index.
            var keys: [Expr] = []
            var sets: [[Int]] = []
            try expectSymbol("(")
            repeat {
                var set: [Expr] = []
                if acceptSymbol("(") {
                    if !atSymbol(")") { repeat { set.append(try expression()) } while acceptSymbol(",") }
                    try expectSymbol(")")
                } else {
                    set.append(try expression())
                }
                sets.append(set.map { e in
                    if let i = keys.firstIndex(of: e) { return i }
                    keys.append(e)
                    return keys.count - 1
                })
            } while acceptSymbol(",")
            try expectSymbol(")")
            return (.groupingSets(sets), keys)
        }
        if at("ROLLUP") || at("CUBE"), peek().isSymbol("(") {
            let type: GroupType = advance().upper == "ROLLUP" ? .rollup : .cube
            try expectSymbol("(")
            var keys: [Expr] = []
            repeat { keys.append(try expression()) } while acceptSymbol(",")
            try expectSymbol(")")
            return (type, keys)
        }
        var keys: [Expr] = []
        repeat {
            let t = current
            let e = try expression()
            // ROLLUP/CUBE mixed with plain keys has no representation in the plan.
            if case .function(let n, _, _) = e, n == "rollup" || n == "cube" { throw unsupported("Mixed ROLLUP/CUBE grouping", t) }
            keys.append(e)
        } while acceptSymbol(",")
        if at("WITH"), peek().isWord("ROLLUP") || peek().isWord("CUBE") {
            advance()
            return (advance().upper == "ROLLUP" ? .rollup : .cube, keys)
        }
        return (.groupBy, keys)
    }

    /// A select item: `*`, `t.*`, or `expr [[AS] alias]`.
    mutating func namedExpression() throws -> Expr {
        let e = try expression()
        // `*` takes no alias, so `SELECT * FORM t` fails at the misspelt word.
        if case .star = e { return e }
        if accept("AS") {
            if atSymbol("(") { throw unsupported("Multi-alias `AS (a, b)`") }
            return .alias(e, name: try anyName(), id: nil)
        }
        if atImplicitAlias { return .alias(e, name: advance().text, id: nil) }
        return e
    }

    // MARK: FROM

    mutating func fromClause() throws -> LogicalPlan {
        var plan = try relation()
        while acceptSymbol(",") {
            plan = .join(plan, try relation(), .cross, condition: nil, using: [])
        }
        while at("LATERAL"), peek().isWord("VIEW") {
            plan = try lateralView(plan)
        }
        if at("LATERAL") { throw unsupported("LATERAL") }
        return plan
    }

    /// `LATERAL VIEW [OUTER] generator(args) table [AS] col, …` (Hive's syntax, kept by Spark).
    mutating func lateralView(_ child: LogicalPlan) throws -> LogicalPlan {
        advance()
        advance()
        let outer = accept("OUTER")
        guard current.kind == .word || current.kind == .quotedIdent, peek().isSymbol("(") else { throw syntaxError() }
        let generator = try functionCall()
        var qualifier: String?
        if !at("AS"), isIdentifier(current) { qualifier = advance().text }
        var names: [String] = []
        if accept("AS") || isIdentifier(current) {
            repeat { names.append(try identifier()) } while acceptSymbol(",")
        }
        return .generate(child, generator: generator, outer: outer, qualifier: qualifier, names: names, output: [])
    }

    mutating func relation() throws -> LogicalPlan {
        var left = try relationPrimary()
        while let type = try joinType() {
            let right = try relationPrimary()
            var condition: Expr?
            var using: [String] = []
            if natural {
                natural = false
                left = .join(left, right, type, condition: nil, using: JoinType.naturalUsing)
                continue
            }
            if accept("ON") {
                condition = try expression()
            } else if accept("USING") {
                using = try identifierList()
            }
            left = .join(left, right, type, condition: condition, using: using)
        }
        return left
    }

    /// Consumes a join operator (through `JOIN`) and returns its type, or nil when none follows.
    mutating func joinType() throws -> JoinType? {
        if accept("NATURAL") {
            // The analyzer turns the marker into USING over the shared column names.
            let kind = current
            guard let type = try joinType(), type != .cross, type != .leftSemi, type != .leftAnti else { throw syntaxError(kind) }
            natural = true
            return type
        }
        let t = current
        var type: JoinType
        switch t.upper {
        case "JOIN":
            advance()
            return .inner
        case "INNER": type = .inner
        case "CROSS": type = .cross
        case "LEFT":
            advance()
            if accept("SEMI") {
                type = .leftSemi
            } else if accept("ANTI") {
                type = .leftAnti
            } else {
                _ = accept("OUTER")
                type = .leftOuter
            }
            try expect("JOIN")
            return type
        case "RIGHT": type = .rightOuter
        case "FULL": type = .fullOuter
        case "SEMI": type = .leftSemi
        case "ANTI": type = .leftAnti
        default: return nil
        }
        advance()
        if type == .rightOuter || type == .fullOuter { _ = accept("OUTER") }
        try expect("JOIN")
        return type
    }

    mutating func relationPrimary() throws -> LogicalPlan {
        try enter()
        defer { depth -= 1 }
        if atSymbol("(") {
            let next = peek()
            if startsQuery(next) {
                advance()
                let q = try query()
                try expectSymbol(")")
                return try tableAlias(q)
            }
            // `((SELECT …) UNION …)` is a query, `(a JOIN b)` a relation: try both.
            let inner = try either(
                { p -> LogicalPlan in
                    try p.expectSymbol("(")
                    let q = try p.query()
                    try p.expectSymbol(")")
                    return q
                },
                { p -> LogicalPlan in
                    try p.expectSymbol("(")
                    let r = try p.relation()
                    try p.expectSymbol(")")
                    return r
                })
            return try tableAlias(inner)
        }
        if at("VALUES") { return try tableAlias(try inlineTable()) }
        if at("LATERAL") { throw unsupported("LATERAL") }
        // `range` is reserved (window frames) but is also the common table-valued function.
        if current.kind == .word, isName(current), peek().isSymbol("(") {
            return try tableAlias(try tableFunction())
        }
        return try tableAlias(.unresolvedRelation(try multipartName()))
    }

    /// `[AS] alias [(col, …)]` after a relation. Column names rename by position, inside the
    /// alias so that `alias.col` qualifies the new names; on VALUES they become its names.
    mutating func tableAlias(_ plan: LogicalPlan) throws -> LogicalPlan {
        let name: String
        if accept("AS") {
            name = try identifier()
        } else if atImplicitAlias {
            name = advance().text
        } else {
            return plan
        }
        var p = plan
        if atSymbol("(") {
            let cols = try identifierList()
            if case .values(let rows, _) = plan {
                p = .values(rows, names: cols)
            } else {
                p = Parser.positionalRename(plan, cols)
            }
        }
        return .subqueryAlias(p, name)
    }

    /// `VALUES row, …` where a row is `(e, …)` or a single expression.
    mutating func inlineTable() throws -> LogicalPlan {
        try expect("VALUES")
        var rows: [[Expr]] = []
        repeat {
            if atSymbol("("), !startsQuery(peek()) {
                advance()
                var row: [Expr] = []
                repeat { row.append(try expression()) } while acceptSymbol(",")
                try expectSymbol(")")
                rows.append(row)
            } else {
                rows.append([try expression()])
            }
        } while acceptSymbol(",")
        let width = rows.first?.count ?? 0
        return .values(rows, names: (0..<width).map { "col\($0 + 1)" })
    }

    /// Table-valued functions; only `range([start,] end [, step [, numPartitions]])`.
    mutating func tableFunction() throws -> LogicalPlan {
        let nameTok = advance()
        guard nameTok.upper == "RANGE" else { throw unsupported("Table-valued function `\(nameTok.text)`", nameTok) }
        try expectSymbol("(")
        var args: [Int64] = []
        repeat {
            let neg = acceptSymbol("-")
            let t = current
            guard t.kind == .number, let v = Int64(t.text) else { throw syntaxError() }
            advance()
            args.append(neg ? -v : v)
        } while acceptSymbol(",")
        try expectSymbol(")")
        switch args.count {
        case 1: return .range(start: 0, end: args[0], step: 1, numPartitions: nil)
        case 2: return .range(start: args[0], end: args[1], step: 1, numPartitions: nil)
        case 3: return .range(start: args[0], end: args[1], step: args[2], numPartitions: nil)
        case 4: return .range(start: args[0], end: args[1], step: args[2], numPartitions: Int(args[3]))
        default:
            throw EmberError(
                errorClass: "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", sqlState: "42605",
                message: "The `range` requires [1, 2, 3, 4] parameters but the actual number is \(args.count).")
        }
    }
}

extension String {
    var trimmedSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
