/// Every user-facing failure in Ember: a Spark error class (where Spark has one),
/// its SQLSTATE and a message that says what and where.
public struct EmberError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Spark's error class, e.g. `UNRESOLVED_COLUMN.WITH_SUGGESTION`, `DIVIDE_BY_ZERO`.
    public var errorClass: String
    public var sqlState: String?
    public var message: String

    public init(errorClass: String, sqlState: String? = nil, message: String) {
        self.errorClass = errorClass
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        "[\(errorClass)] \(message)" + (sqlState.map { " SQLSTATE: \($0)" } ?? "")
    }

    // MARK: Constructors for the classes Ember raises.

    public static func parse(_ message: String, line: Int, position: Int) -> EmberError {
        EmberError(
            errorClass: "PARSE_SYNTAX_ERROR", sqlState: "42601",
            message: "\(message) (line \(line), pos \(position))")
    }

    public static func unresolvedColumn(_ name: String, candidates: [String]) -> EmberError {
        let suggestions = suggest(name, from: candidates)
        if suggestions.isEmpty {
            return EmberError(
                errorClass: "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", sqlState: "42703",
                message: "A column, variable, or function parameter with name `\(name)` cannot be resolved.")
        }
        return EmberError(
            errorClass: "UNRESOLVED_COLUMN.WITH_SUGGESTION", sqlState: "42703",
            message: "A column, variable, or function parameter with name `\(name)` cannot be resolved. Did you mean one of the following? [\(suggestions.map { "`\($0)`" }.joined(separator: ", "))].")
    }

    public static func tableNotFound(_ name: String) -> EmberError {
        EmberError(
            errorClass: "TABLE_OR_VIEW_NOT_FOUND", sqlState: "42P01",
            message: "The table or view `\(name)` cannot be found. Verify the spelling and correctness of the schema and catalog.")
    }

    public static func divideByZero() -> EmberError {
        EmberError(
            errorClass: "DIVIDE_BY_ZERO", sqlState: "22012",
            message: "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.")
    }

    public static func castInvalidInput(_ value: String, from: DataType, to: DataType) -> EmberError {
        EmberError(
            errorClass: "CAST_INVALID_INPUT", sqlState: "22018",
            message: "The value '\(value)' of the type \"\(from.sql)\" cannot be cast to \"\(to.sql)\" because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead.")
    }

    public static func castOverflow(_ value: String, from: DataType, to: DataType) -> EmberError {
        EmberError(
            errorClass: "CAST_OVERFLOW", sqlState: "22003",
            message: "The value \(value) of the type \"\(from.sql)\" cannot be cast to \"\(to.sql)\" due to an overflow. Use `try_cast` to tolerate overflow and return NULL instead.")
    }

    public static func arithmeticOverflow(_ what: String) -> EmberError {
        EmberError(
            errorClass: "ARITHMETIC_OVERFLOW", sqlState: "22003",
            message: "\(what) caused overflow. Use 'try_add', 'try_subtract' or 'try_multiply' to tolerate overflow and return NULL instead.")
    }

    public static func datatypeMismatch(_ sub: String, _ message: String) -> EmberError {
        EmberError(errorClass: "DATATYPE_MISMATCH.\(sub)", sqlState: "42K09", message: message)
    }

    public static func unresolvedRoutine(_ name: String) -> EmberError {
        EmberError(
            errorClass: "UNRESOLVED_ROUTINE", sqlState: "42883",
            message: "Cannot resolve routine `\(name)` on search path [`system`.`builtin`, `system`.`session`].")
    }

    public static func invalidArgument(_ message: String) -> EmberError {
        EmberError(errorClass: "INVALID_PARAMETER_VALUE", sqlState: "22023", message: message)
    }

    public static func unsupported(_ message: String) -> EmberError {
        EmberError(errorClass: "UNSUPPORTED_FEATURE", sqlState: "0A000", message: message)
    }

    public static func io(_ message: String) -> EmberError {
        EmberError(errorClass: "IO_ERROR", sqlState: "58030", message: message)
    }

    public static func malformedRecord(_ message: String) -> EmberError {
        EmberError(errorClass: "MALFORMED_RECORD_IN_PARSING", sqlState: "22023", message: message)
    }

    public static func pathNotFound(_ path: String) -> EmberError {
        EmberError(errorClass: "PATH_NOT_FOUND", sqlState: "42K03", message: "Path does not exist: \(path).")
    }

    public static func pathExists(_ path: String) -> EmberError {
        EmberError(errorClass: "PATH_ALREADY_EXISTS", sqlState: "42K04", message: "Path \(path) already exists. Set mode as \"overwrite\" to overwrite the existing path.")
    }

    /// A data file that cannot be decoded (Spark's `FAILED_READ_FILE`); the message names
    /// the file and the byte offset or row.
    public static func corruptFile(_ message: String) -> EmberError {
        EmberError(errorClass: "FAILED_READ_FILE.NO_HINT", sqlState: "KD001", message: message)
    }

    public static func internalError(_ message: String) -> EmberError {
        EmberError(errorClass: "INTERNAL_ERROR", sqlState: "XX000", message: message)
    }

    /// Up to five names closest to `name` by edit distance, as Spark suggests them.
    public static func suggest(_ name: String, from candidates: [String]) -> [String] {
        let target = name.lowercased()
        let scored = candidates.map { ($0, editDistance(target, $0.lowercased())) }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(5).map(\.0)
    }
}

/// Levenshtein distance between two strings.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    var cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        cur[0] = i
        for j in 1...y.count {
            cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}
