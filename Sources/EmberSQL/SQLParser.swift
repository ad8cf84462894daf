import EmberCore
import EmberPlan

/// Spark SQL (ANSI mode) parsing entry points. Results are unresolved: the analyzer
/// resolves names, functions and types.
public enum SQLParser {
    /// Parses one or more `;`-separated statements; empty statements and comments are ignored.
    public static func parseStatements(_ sql: String) throws -> [Statement] {
        try Parser.run(sql) { p in
            var out: [Statement] = []
            while true {
                while p.acceptSymbol(";") {}
                if p.atEnd { return out }
                out.append(try p.statement())
                guard p.atEnd || p.atSymbol(";") else { throw p.syntaxError() }
            }
        }
    }

    /// Parses exactly one statement (a trailing `;` is allowed).
    public static func parseStatement(_ sql: String) throws -> Statement {
        try Parser.run(sql) { p in
            let s = try p.statement()
            try p.expectEnd()
            return s
        }
    }

    /// Parses a single query (`spark.sql`).
    public static func parseQuery(_ sql: String) throws -> LogicalPlan {
        try Parser.run(sql) { p in
            let q = try p.query()
            try p.expectEnd()
            return q
        }
    }

    /// Parses an expression with an optional alias, as `selectExpr`, `expr()` and
    /// `filter("…")` take it: `a + 1`, `a + 1 AS b`, `*`.
    public static func parseExpression(_ sql: String) throws -> Expr {
        try Parser.run(sql) { p in
            let e = try p.namedExpression()
            guard p.atEnd else { throw p.syntaxError() }
            return e
        }
    }

    /// Parses a type name: `int`, `decimal(10,2)`, `array<string>`, `struct<a: int>`.
    public static func parseDataType(_ sql: String) throws -> DataType {
        try Parser.run(sql) { p in
            let t = try p.dataType()
            guard p.atEnd else { throw p.syntaxError() }
            return t
        }
    }

    /// Splits a script into statement texts at top-level `;` (outside quotes and comments),
    /// trimmed, without the empty ones. It never fails: malformed text is left to the parser.
    public static func splitStatements(_ sql: String) -> [String] {
        let chars = Array(sql)
        var out: [String] = []
        var start = 0
        var hasContent = false
        var i = 0
        func flush(_ end: Int) {
            if hasContent { out.append(String(chars[start..<end]).trimmedSpaces) }
            start = end + 1
            hasContent = false
        }
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "-", next == "-" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/", next == "*" {
                var depth = 0
                repeat {
                    if i + 1 < chars.count, chars[i] == "/", chars[i + 1] == "*" {
                        depth += 1
                        i += 2
                    } else if i + 1 < chars.count, chars[i] == "*", chars[i + 1] == "/" {
                        depth -= 1
                        i += 2
                    } else {
                        i += 1
                    }
                } while depth > 0 && i < chars.count
                continue
            }
            if c == ";" {
                flush(i)
                i += 1
                continue
            }
            if !c.isWhitespace { hasContent = true }
            if c == "'" || c == "\"" || c == "`" {
                i += 1
                while i < chars.count, chars[i] != c {
                    // Backslash escapes apply inside string literals, not in backquoted names.
                    if chars[i] == "\\", c != "`" { i += 1 }
                    i += 1
                }
            }
            i += 1
        }
        flush(chars.count)
        return out
    }
}

extension Parser {
    /// Accepts trailing `;`s, then requires the end of input.
    mutating func expectEnd() throws {
        while acceptSymbol(";") {}
        guard atEnd else { throw syntaxError() }
    }
}
