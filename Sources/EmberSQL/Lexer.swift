//! EmberSQL: the Spark SQL parser. It turns SQL text into EmberPlan's unresolved
//! `Statement`, `LogicalPlan` and `Expr` shapes; names and types are left for the analyzer.
import EmberCore

/// One lexical token. `start`/`end` index the source characters so that error
/// messages and `SET` can quote the original text.
struct Token {
    enum Kind: Equatable {
        /// An unquoted word: keyword or identifier (`text` as written, `upper` for keyword tests).
        case word
        /// A `backquoted` identifier (`text` is the name, unescaped).
        case quotedIdent
        /// A string literal (`text` is the unescaped value).
        case string
        /// A numeric literal without sign (`text` as written, suffix included: `10L`, `1.5BD`).
        case number
        /// `X'0AFF'` (`text` is the hex digits).
        case hexString
        /// Punctuation and operators (`text` is the symbol).
        case symbol
        /// A character no token starts with; the parser reports it as a syntax error.
        case unknown
        case eof
    }

    var kind: Kind
    var text: String
    var line: Int
    /// 0-based position in the line, as Spark's error messages print it.
    var column: Int
    var start: Int
    var end: Int

    /// The word in upper case for keyword tests (empty for other kinds); computed once here
    /// because the parser probes keywords many times per token.
    let upper: String

    init(kind: Kind, text: String, line: Int, column: Int, start: Int, end: Int) {
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
        self.start = start
        self.end = end
        upper = kind == .word ? text.uppercased() : ""
    }

    func isWord(_ w: String) -> Bool { upper == w && kind == .word }
    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
}

/// Splits SQL text into tokens. Comments (`--`, nested `/* */`, and so hints) are skipped.
struct Lexer {
    let chars: [Character]
    var i = 0
    var line = 1
    var lineStart = 0

    init(_ text: String) { chars = Array(text) }

    static func tokenize(_ text: String) throws -> (tokens: [Token], source: [Character]) {
        var lx = Lexer(text)
        var out: [Token] = []
        while true {
            let t = try lx.next()
            out.append(t)
            if t.kind == .eof { break }
        }
        return (out, lx.chars)
    }

    private func peek(_ k: Int = 0) -> Character? { i + k < chars.count ? chars[i + k] : nil }

    private mutating func advance() {
        if chars[i] == "\n" { line += 1; lineStart = i + 1 }
        i += 1
    }

    static func isIdentChar(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c == "_" || c.isLetter || c.isNumber
    }

    private func error(_ what: String, line: Int, column: Int) -> EmberError {
        EmberError.parse(what, line: line, position: column)
    }

    /// Skips whitespace and comments.
    private mutating func skipTrivia() throws {
        while let c = peek() {
            if c.isWhitespace {
                advance()
            } else if c == "-", peek(1) == "-" {
                while let d = peek(), d != "\n" { advance() }
            } else if c == "/", peek(1) == "*" {
                let (l, col) = (line, i - lineStart)
                advance(); advance()
                var depth = 1
                while depth > 0 {
                    guard let d = peek() else {
                        throw EmberError(
                            errorClass: "UNCLOSED_BRACKETED_COMMENT", sqlState: "42601",
                            message: "Found an unclosed bracketed comment. Please, append */ at the end of the comment. (line \(l), pos \(col))")
                    }
                    if d == "/", peek(1) == "*" { depth += 1; advance() } else if d == "*", peek(1) == "/" { depth -= 1; advance() }
                    advance()
                }
            } else {
                return
            }
        }
    }

    mutating func next() throws -> Token {
        try skipTrivia()
        let start = i, tline = line, col = i - lineStart
        func make(_ kind: Token.Kind, _ text: String) -> Token {
            Token(kind: kind, text: text, line: tline, column: col, start: start, end: i)
        }
        guard let c = peek() else { return make(.eof, "") }

        if c == "'" || c == "\"" { return make(.string, try quoted(raw: false)) }
        if c == "`" {
            advance()
            var s = ""
            while true {
                guard let d = peek() else { throw error("Syntax error at or near '`\(s)': unclosed quoted identifier.", line: tline, column: col) }
                advance()
                if d == "`" {
                    if peek() == "`" { s.append("`"); advance() } else { break }
                } else {
                    s.append(d)
                }
            }
            return make(.quotedIdent, s)
        }
        if (c == "x" || c == "X"), peek(1) == "'" {
            advance()
            return make(.hexString, try quoted(raw: true))
        }
        if (c == "r" || c == "R"), peek(1) == "'" || peek(1) == "\"" {
            advance()
            return make(.string, try quoted(raw: true))
        }
        if c.isASCII && c.isNumber || (c == "." && (peek(1).map { $0.isASCII && $0.isNumber } ?? false)) {
            let (kind, text) = lexNumber()
            return make(kind, text)
        }
        if Lexer.isIdentChar(c) {
            while Lexer.isIdentChar(peek()) { advance() }
            return make(.word, String(chars[start..<i]))
        }
        // Longest symbols first.
        for sym in ["<=>", "<=", ">=", "<>", "!=", "==", "||", "::"] where matches(sym) {
            for _ in sym { advance() }
            return make(.symbol, sym)
        }
        advance()
        if "(),.;+-*/%=<>|&^~![]:{}".contains(c) { return make(.symbol, String(c)) }
        return make(.unknown, String(c))
    }

    private func matches(_ s: String) -> Bool {
        var k = 0
        for ch in s {
            guard peek(k) == ch else { return false }
            k += 1
        }
        return true
    }

    /// Reads a '…' or "…" literal at the current quote. Spark's escapes apply unless `raw`.
    private mutating func quoted(raw: Bool) throws -> String {
        let (tline, col) = (line, i - lineStart)
        let q = chars[i]
        advance()
        var s = ""
        while true {
            guard let d = peek() else {
                throw error("Syntax error at or near '\(q)\(s.prefix(20))': unclosed string literal.", line: tline, column: col)
            }
            advance()
            if d == q {
                // A doubled quote inside the literal is one quote character (Spark 4: 'it''s').
                if !raw, peek() == q { s.append(q); advance(); continue }
                return s
            }
            if d == "\\", let e = peek() {
                if raw {
                    // Raw strings keep the backslash but still cannot end at an escaped quote.
                    s.append(d); s.append(e); advance()
                    continue
                }
                advance()
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "r": s.append("\r")
                case "b": s.append("\u{8}")
                case "0": s.append("\u{0}")
                case "Z": s.append("\u{1A}")
                // Spark keeps these escaped so that LIKE patterns still see them.
                case "%": s.append("\\%")
                case "_": s.append("\\_")
                case "u":
                    if let v = hexScalar(4) { s.unicodeScalars.append(v) } else { s.append("u") }
                case "U":
                    if let v = hexScalar(8) { s.unicodeScalars.append(v) } else { s.append("U") }
                default: s.append(e)
                }
            } else {
                s.append(d)
            }
        }
    }

    private mutating func hexScalar(_ n: Int) -> Unicode.Scalar? {
        guard i + n <= chars.count, let v = UInt32(String(chars[i..<(i + n)]), radix: 16),
            let sc = Unicode.Scalar(v)
        else { return nil }
        for _ in 0..<n { advance() }
        return sc
    }

    /// Numbers as Spark lexes them: `12`, `1.5`, `.5`, `1.`, `1e3`, `1.5E-2`, with optional
    /// `L`/`S`/`Y` (integers), `D`/`F`/`BD` suffixes. Digits followed by letters that are no
    /// suffix form an identifier (Spark allows `1a` as a name).
    private mutating func lexNumber() -> (Token.Kind, String) {
        let start = i
        func isDigit(_ c: Character?) -> Bool { c.map { $0.isASCII && $0.isNumber } ?? false }
        while isDigit(peek()) { advance() }
        var isInt = true
        if peek() == "." {
            isInt = false
            advance()
            while isDigit(peek()) { advance() }
        }
        if let e = peek(), e == "e" || e == "E",
            isDigit(peek(1)) || ((peek(1) == "+" || peek(1) == "-") && isDigit(peek(2)))
        {
            isInt = false
            advance(); advance()
            while isDigit(peek()) { advance() }
        }
        let s0 = peek().map { String($0).uppercased() }, s1 = peek(1).map { String($0).uppercased() }
        if s0 == "B", s1 == "D", !Lexer.isIdentChar(peek(2)) {
            advance(); advance()
        } else if let s = s0, ["D", "F"].contains(s) || (isInt && ["L", "S", "Y"].contains(s)), !Lexer.isIdentChar(peek(1)) {
            advance()
        } else if isInt, Lexer.isIdentChar(peek()) {
            while Lexer.isIdentChar(peek()) { advance() }
            return (.word, String(chars[start..<i]))
        }
        return (.number, String(chars[start..<i]))
    }
}
