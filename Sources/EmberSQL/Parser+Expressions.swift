import EmberCore
import EmberPlan

/// An operator or function call node (unresolved).
func call(_ name: String, _ args: Expr...) -> Expr { .function(name: name, args: args, isDistinct: false) }
func call(_ name: String, _ args: [Expr]) -> Expr { .function(name: name, args: args, isDistinct: false) }

/// Marks a window that names a `WINDOW` clause entry (`OVER w`, `OVER (w ORDER BY x)`) until
/// the clause, which follows the select list, is parsed; a control character keeps it
/// apart from any real function name.
private let windowRefMarker = "\u{1}window_ref"

extension Parser {
    // MARK: Boolean levels

    /// A full expression (Spark's `booleanExpression`).
    mutating func expression() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        var e = try andExpression()
        while accept("OR") { e = call("or", e, try andExpression()) }
        return e
    }

    mutating func andExpression() throws -> Expr {
        var e = try notExpression()
        while accept("AND") { e = call("and", e, try notExpression()) }
        return e
    }

    mutating func notExpression() throws -> Expr {
        if accept("NOT") || acceptSymbol("!") {
            try enter()
            defer { depth -= 1 }
            return call("not", try notExpression())
        }
        return try predicate()
    }

    /// A value expression followed by predicates: BETWEEN, IN, LIKE, IS ….
    mutating func predicate() throws -> Expr {
        var e = try valueExpression()
        while true {
            let save = pos
            let negated = accept("NOT")
            let p: Expr
            if accept("BETWEEN") {
                let lower = try valueExpression()
                try expect("AND")
                p = call("between", e, lower, try valueExpression())
            } else if accept("IN") {
                p = try inPredicate(e)
            } else if let name = ["LIKE": "like", "ILIKE": "ilike", "RLIKE": "rlike", "REGEXP": "rlike"][current.upper] {
                advance()
                if name != "rlike", at("ANY") || at("SOME") || at("ALL") { throw unsupported("LIKE ANY/SOME/ALL") }
                var args = [e, try valueExpression()]
                if name != "rlike", accept("ESCAPE") {
                    guard current.kind == .string else { throw syntaxError() }
                    args.append(.literal(.string(try stringValue()), .string))
                }
                p = call(name, args)
            } else if !negated, accept("IS") {
                e = try isPredicate(e)
                continue
            } else {
                pos = save
                return e
            }
            e = negated ? call("not", p) : p
        }
    }

    /// After `IS`: `[NOT] NULL | TRUE | FALSE | UNKNOWN | DISTINCT FROM x`.
    mutating func isPredicate(_ e: Expr) throws -> Expr {
        let not = accept("NOT")
        let t = current
        switch t.upper {
        case "NULL", "UNKNOWN":
            advance()
            return call(not ? "isnotnull" : "isnull", e)
        case "TRUE", "FALSE":
            advance()
            let p = call("<=>", e, .literal(.boolean(t.upper == "TRUE"), .boolean))
            return not ? call("not", p) : p
        case "DISTINCT":
            advance()
            try expect("FROM")
            let p = call("<=>", e, try valueExpression())
            return not ? p : call("not", p)
        default:
            throw syntaxError()
        }
    }

    /// After `IN`: `(subquery)` or `(e, …)`. A row `(a, b)` on the left of a subquery
    /// compares column by column.
    mutating func inPredicate(_ e: Expr) throws -> Expr {
        guard atSymbol("(") else { throw syntaxError() }
        let values: [Expr]
        if case .function("struct", let items, false) = e { values = items } else { values = [e] }
        let next = peek()
        if startsQuery(next) {
            advance()
            let q = try query()
            try expectSymbol(")")
            return .inSubquery(values, q)
        }
        let list = { (p: inout Parser) -> Expr in
            try p.expectSymbol("(")
            var items = [e]
            repeat { items.append(try p.expression()) } while p.acceptSymbol(",")
            try p.expectSymbol(")")
            return call("in", items)
        }
        guard next.isSymbol("(") else { return try list(&self) }
        return try either(
            { p -> Expr in
                try p.expectSymbol("(")
                let q = try p.query()
                try p.expectSymbol(")")
                return .inSubquery(values, q)
            }, list)
    }

    // MARK: Value levels

    /// Binary operators by precedence (higher binds tighter), as in Spark's `valueExpression`.
    static func binaryOperator(_ t: Token) -> (name: String, precedence: Int)? {
        switch t.kind {
        case .symbol:
            switch t.text {
            case "=", "==": return ("==", 1)
            case "<>", "!=": return ("!=", 1)
            case "<", "<=", ">", ">=", "<=>": return (t.text, 1)
            case "|": return ("|", 2)
            case "^": return ("^", 3)
            case "&": return ("&", 4)
            case "+", "-": return (t.text, 5)
            case "||": return ("concat", 5)
            case "*", "/", "%": return (t.text, 6)
            default: return nil
            }
        case .word where t.upper == "DIV": return ("div", 6)
        default: return nil
        }
    }

    /// Precedence climbing over left-associative binary operators.
    mutating func valueExpression(_ minPrecedence: Int = 1) throws -> Expr {
        var left = try unaryExpression()
        while let op = Parser.binaryOperator(current), op.precedence >= minPrecedence {
            advance()
            left = call(op.name, left, try valueExpression(op.precedence + 1))
        }
        return left
    }

    mutating func unaryExpression() throws -> Expr {
        let op = current
        guard op.isSymbol("-") || op.isSymbol("+") || op.isSymbol("~") else { return try postfix(try primary()) }
        try enter()
        defer { depth -= 1 }
        advance()
        switch op.text {
        case "-":
            // `-5` is one literal (so `-2147483648` stays an INT), not negative(5).
            if current.kind == .number { return try postfix(try numberLiteral(advance(), negative: true)) }
            return call("negative", try unaryExpression())
        case "~": return call("~", try unaryExpression())
        default: return try unaryExpression()
        }
    }

    /// `e[key]`, `e.field`, `e::type`.
    mutating func postfix(_ base: Expr) throws -> Expr {
        var e = base
        while true {
            if acceptSymbol("[") {
                let key = try expression()
                try expectSymbol("]")
                e = .extractValue(e, key: key)
            } else if atSymbol("."), peek().kind == .word || peek().kind == .quotedIdent {
                advance()
                e = .extractValue(e, key: .literal(.string(advance().text), .string))
            } else if acceptSymbol("::") {
                e = .cast(e, to: try dataType(), mode: .ansi)
            } else {
                return e
            }
        }
    }

    // MARK: Primary

    mutating func primary() throws -> Expr {
        let t = current
        switch t.kind {
        case .number:
            advance()
            return try numberLiteral(t, negative: false)
        case .string:
            return .literal(.string(try stringValue()), .string)
        case .hexString:
            advance()
            return try binaryLiteral(t)
        case .symbol:
            if t.text == "(" { return try parenthesized() }
            if t.text == "*" {
                advance()
                return .star(qualifier: [])
            }
            throw syntaxError()
        case .quotedIdent:
            if peek().isSymbol("(") { return try functionCall() }
            return try columnReference()
        case .word:
            if let e = try keywordExpression(t) { return e }
            let nameLike = isName(t)
            if peek().isSymbol("("), nameLike || Parser.reservedFunctions.contains(t.upper) {
                return try functionCall()
            }
            if nameLike { return try columnReference() }
            throw syntaxError()
        case .unknown, .eof:
            throw syntaxError()
        }
    }

    /// Literals and special forms introduced by a keyword; nil when the word is a plain name.
    mutating func keywordExpression(_ t: Token) throws -> Expr? {
        let paren = peek().isSymbol("(")
        switch t.upper {
        case "NULL":
            advance()
            return .literal(.null, .null)
        case "TRUE", "FALSE":
            advance()
            return .literal(.boolean(t.upper == "TRUE"), .boolean)
        case "CASE": return try caseExpression()
        case "INTERVAL": return try intervalLiteral()
        case "DATE", "TIMESTAMP", "TIMESTAMP_LTZ":
            return peek().kind == .string ? try typedLiteral() : nil
        case "CURRENT_DATE", "CURRENT_TIMESTAMP":
            guard !paren else { return nil }
            advance()
            return call(t.text.lowercased())
        case "CAST", "TRY_CAST":
            guard paren else { return nil }
            advance()
            advance()
            let e = try expression()
            try expect("AS")
            let type = try dataType()
            try expectSymbol(")")
            return .cast(e, to: type, mode: t.upper == "CAST" ? .ansi : .try)
        case "EXISTS":
            // `exists(array, x -> …)` is the higher-order function, not a subquery.
            guard paren, startsQuery(peek(2)) || peek(2).isSymbol("(") else { return nil }
            advance()
            advance()
            let q = try query()
            try expectSymbol(")")
            return .exists(q)
        case "EXTRACT":
            guard paren, peek(2).kind == .word || peek(2).kind == .quotedIdent, peek(3).isWord("FROM") else { return nil }
            advance()
            advance()
            let field = advance().text
            advance()
            let e = try valueExpression()
            try expectSymbol(")")
            return call("extract", .literal(.string(field), .string), e)
        case "POSITION":
            guard paren else { return nil }
            // `POSITION(a IN b)`; otherwise an ordinary call `position(a, b[, start])`.
            return try either(
                { p -> Expr in
                    p.advance()
                    p.advance()
                    let sub = try p.valueExpression()
                    try p.expect("IN")
                    let str = try p.valueExpression()
                    try p.expectSymbol(")")
                    return call("position", sub, str)
                }, { p in try p.functionCall() })
        case "SUBSTRING", "SUBSTR":
            guard paren else { return nil }
            advance()
            advance()
            let s = try expression()
            var args = [s]
            if accept("FROM") {
                args.append(try valueExpression())
                if accept("FOR") { args.append(try valueExpression()) }
            } else {
                while acceptSymbol(",") { args.append(try expression()) }
            }
            try expectSymbol(")")
            return call(t.text.lowercased(), args)
        case "TRIM":
            guard paren else { return nil }
            return try trimExpression()
        default:
            return nil
        }
    }

    /// `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` → trim/ltrim/rtrim([chars, ]s), or `trim(s)`.
    mutating func trimExpression() throws -> Expr {
        advance()
        advance()
        var name = "trim"
        var sawSide = true
        switch current.upper {
        case "BOTH": name = "trim"
        case "LEADING": name = "ltrim"
        case "TRAILING": name = "rtrim"
        default: sawSide = false
        }
        if sawSide {
            advance()
            if accept("FROM") {
                let s = try expression()
                try expectSymbol(")")
                return call(name, s)
            }
        }
        let first = try expression()
        if accept("FROM") {
            // Spark's two-argument trim/ltrim/rtrim take the trim characters first.
            let s = try expression()
            try expectSymbol(")")
            return call(name, first, s)
        }
        guard !sawSide else { throw syntaxError() }
        var args = [first]
        while acceptSymbol(",") { args.append(try expression()) }
        try expectSymbol(")")
        return call("trim", args)
    }

    /// `(e)`, `(a, b)` (a row, built as `struct`), or `(subquery)` (scalar).
    mutating func parenthesized() throws -> Expr {
        let next = peek()
        let subquery = { (p: inout Parser) -> Expr in
            try p.expectSymbol("(")
            let q = try p.query()
            try p.expectSymbol(")")
            return .scalarSubquery(q)
        }
        let expr = { (p: inout Parser) -> Expr in
            try p.expectSymbol("(")
            let first = try p.expression()
            if p.acceptSymbol(",") {
                var items = [first]
                repeat { items.append(try p.expression()) } while p.acceptSymbol(",")
                try p.expectSymbol(")")
                return call("struct", items)
            }
            try p.expectSymbol(")")
            return first
        }
        if startsQuery(next) { return try subquery(&self) }
        // `((SELECT 1) UNION (SELECT 2))` against `((a + b) * c)`.
        if next.isSymbol("(") { return try either(subquery, expr) }
        return try expr(&self)
    }

    /// `a`, `t.a`, `s.f.g` (all one multi-part name) or `t.*`.
    mutating func columnReference() throws -> Expr {
        var parts = [advance().text]
        while atSymbol(".") {
            let n = peek()
            if n.isSymbol("*") {
                advance()
                advance()
                return .star(qualifier: parts)
            }
            guard n.kind == .word || n.kind == .quotedIdent else { break }
            advance()
            parts.append(advance().text)
        }
        return .unresolvedAttribute(parts)
    }

    /// `CASE [x] WHEN c THEN v … [ELSE e] END` → `when(c1, v1, …, [e])`; a simple CASE
    /// compares `x == v` in each branch.
    mutating func caseExpression() throws -> Expr {
        try expect("CASE")
        let operand = at("WHEN") ? nil : try expression()
        var args: [Expr] = []
        while accept("WHEN") {
            let c = try expression()
            try expect("THEN")
            args.append(operand.map { call("==", $0, c) } ?? c)
            args.append(try expression())
        }
        guard !args.isEmpty else { throw syntaxError() }
        if accept("ELSE") { args.append(try expression()) }
        try expect("END")
        return call("when", args)
    }

    // MARK: Function calls and windows

    /// Aggregates whose `IGNORE NULLS` becomes a trailing `true` argument, as Spark's signatures take it.
    static let ignoreNullsAsArgument: Set<String> = ["first", "last", "first_value", "last_value", "any_value"]

    /// `name([DISTINCT|ALL] args [IGNORE|RESPECT NULLS]) [IGNORE|RESPECT NULLS] [FILTER (WHERE c)] [OVER w]`.
    mutating func functionCall() throws -> Expr {
        let name = advance().text.lowercased()
        try expectSymbol("(")
        var distinct = false
        if accept("DISTINCT") { distinct = true } else { _ = accept("ALL") }
        var args: [Expr] = []
        if !atSymbol(")") {
            repeat { args.append(try lambdaOrExpression()) } while acceptSymbol(",")
        }
        var ignoreNulls = nullTreatment()
        try expectSymbol(")")
        ignoreNulls = nullTreatment() ?? ignoreNulls
        if ignoreNulls == true, Parser.ignoreNullsAsArgument.contains(name), args.count == 1 {
            args.append(.literal(.boolean(true), .boolean))
        }
        if at("FILTER"), peek().isSymbol("(") {
            // `agg(x) FILTER (WHERE c)` is `agg(CASE WHEN c THEN x END)`: aggregates skip NULL
            // inputs, and count(*) counts the non-NULL 1s.
            advance()
            advance()
            try expect("WHERE")
            let condition = try expression()
            try expectSymbol(")")
            if let first = args.first {
                if case .star = first { args[0] = call("when", condition, .literal(.int(1), .int)) } else { args[0] = call("when", condition, first) }
            }
        }
        let fn = Expr.function(name: name, args: args, isDistinct: distinct)
        if accept("OVER") { return .window(fn, try windowReferenceOrSpec()) }
        return fn
    }

    /// A function argument: `x -> body`, `(x, y) -> body`, or an expression.
    mutating func lambdaOrExpression() throws -> Expr {
        func arrow(at k: Int) -> Bool { peek(k).isSymbol("-") && peek(k + 1).isSymbol(">") }
        if isIdentifier(current), arrow(at: 1) {
            let name = advance().text
            advance()
            advance()
            return .lambda(params: [name], body: try expression())
        }
        if atSymbol("(") {
            // `(a, b) ->`: names separated by commas, then the arrow.
            var k = 1
            var names: [String] = []
            while isIdentifier(peek(k)) {
                names.append(peek(k).text)
                if peek(k + 1).isSymbol(",") { k += 2; continue }
                if peek(k + 1).isSymbol(")"), arrow(at: k + 2) {
                    for _ in 0..<(k + 4) { advance() }
                    return .lambda(params: names, body: try expression())
                }
                break
            }
        }
        return try expression()
    }

    /// `IGNORE NULLS` → true, `RESPECT NULLS` → false, nothing → nil.
    mutating func nullTreatment() -> Bool? {
        guard at("IGNORE") || at("RESPECT"), peek().isWord("NULLS") else { return nil }
        let ignore = advance().upper == "IGNORE"
        advance()
        return ignore
    }

    /// After OVER: a window name or a parenthesized spec.
    mutating func windowReferenceOrSpec() throws -> WindowSpec {
        if atSymbol("(") { return try windowSpec() }
        return WindowSpec(partitionBy: [windowRef(try identifier())])
    }

    private func windowRef(_ name: String) -> Expr {
        call(windowRefMarker, .literal(.string(name.lowercased()), .string))
    }

    /// `( [base] [PARTITION|DISTRIBUTE|CLUSTER BY …] [ORDER|SORT BY …] [frame] )`.
    mutating func windowSpec() throws -> WindowSpec {
        try expectSymbol("(")
        var spec = WindowSpec()
        let clauseWords: Set<String> = ["PARTITION", "DISTRIBUTE", "CLUSTER", "ORDER", "SORT", "ROWS", "RANGE"]
        if isIdentifier(current), !(clauseWords.contains(current.upper) && peek().kind == .word) {
            spec.partitionBy = [windowRef(try identifier())]
        }
        if at("PARTITION") || at("DISTRIBUTE") || at("CLUSTER"), peek().isWord("BY") {
            advance()
            advance()
            repeat { spec.partitionBy.append(try expression()) } while acceptSymbol(",")
        }
        if at("ORDER") || at("SORT"), peek().isWord("BY") {
            advance()
            advance()
            spec.orderBy = try sortItems()
        }
        if at("ROWS") || at("RANGE") {
            let kind: WindowFrame.Kind = advance().upper == "ROWS" ? .rows : .range
            if accept("BETWEEN") {
                let lower = try frameBound()
                try expect("AND")
                spec.frame = WindowFrame(kind: kind, lower: lower, upper: try frameBound())
            } else {
                spec.frame = WindowFrame(kind: kind, lower: try frameBound(), upper: .currentRow)
            }
        }
        try expectSymbol(")")
        return spec
    }

    /// `UNBOUNDED PRECEDING|FOLLOWING`, `CURRENT ROW`, `n PRECEDING|FOLLOWING` (preceding offsets are negative).
    mutating func frameBound() throws -> FrameBoundary {
        if accept("UNBOUNDED") {
            if accept("PRECEDING") { return .unboundedPreceding }
            try expect("FOLLOWING")
            return .unboundedFollowing
        }
        if at("CURRENT"), peek().isWord("ROW") {
            advance()
            advance()
            return .currentRow
        }
        let e = try valueExpression()
        if accept("PRECEDING") { return .offset(Parser.negated(e)) }
        try expect("FOLLOWING")
        return .offset(e)
    }

    /// Negates a literal in place (keeping its type); anything else becomes `negative(e)`.
    static func negated(_ e: Expr) -> Expr {
        guard case .literal(let v, let t) = e else {
            if case .function("make_interval_literal", let parts, false) = e { return call("make_interval_literal", parts.map(negated)) }
            return call("negative", e)
        }
        switch v {
        case .byte(let x) where x != .min: return .literal(.byte(-x), t)
        case .short(let x) where x != .min: return .literal(.short(-x), t)
        case .int(let x) where x != .min: return .literal(.int(-x), t)
        case .long(let x) where x != .min: return .literal(.long(-x), t)
        case .float(let x): return .literal(.float(-x), t)
        case .double(let x): return .literal(.double(-x), t)
        case .decimal(let d): return .literal(.decimal(Decimal128(unscaled: -d.unscaled, scale: d.scale)), t)
        default: return call("negative", e)
        }
    }

    /// Replaces named-window references in `e` with the `WINDOW` clause's specs.
    func resolveWindows(_ e: Expr, _ defs: [String: WindowSpec]) throws -> Expr {
        try e.transformDown { node in
            guard case .window(let fn, let spec) = node, spec.partitionBy.first.flatMap(Parser.windowRefName) != nil else {
                return nil
            }
            return .window(try resolveWindows(fn, defs), try resolveWindowSpec(spec, defs))
        }
    }

    /// A spec built on a named window: the base's partitioning, plus the spec's own order
    /// and frame where it gives them.
    func resolveWindowSpec(_ spec: WindowSpec, _ defs: [String: WindowSpec]) throws -> WindowSpec {
        guard let first = spec.partitionBy.first, let name = Parser.windowRefName(first) else { return spec }
        guard let base = defs[name] else {
            throw EmberError(
                errorClass: "MISSING_WINDOW_SPECIFICATION", sqlState: "42P20",
                message: "Window specification is not defined in the WINDOW clause for \(name).")
        }
        return WindowSpec(
            partitionBy: base.partitionBy + spec.partitionBy.dropFirst(),
            orderBy: spec.orderBy.isEmpty ? base.orderBy : spec.orderBy,
            frame: spec.frame ?? base.frame)
    }

    static func windowRefName(_ e: Expr) -> String? {
        if case .function(windowRefMarker, let args, false) = e, case .literal(.string(let n), _)? = args.first { return n }
        return nil
    }
}
