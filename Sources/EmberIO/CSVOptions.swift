import EmberCodecs
import EmberCore

/// How malformed records are handled (Spark's `mode` option).
public enum CSVParseMode: String, Sendable {
    case permissive = "PERMISSIVE"
    case dropMalformed = "DROPMALFORMED"
    case failFast = "FAILFAST"
}

/// Spark's CSV reader/writer options, parsed from the string map given to
/// `spark.read.options(...)`. Keys are case-insensitive; single-character options are
/// single bytes (ASCII), as the fast byte scanner needs.
public struct CSVOptions: Sendable {
    public var header = false
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// nil: quoting disabled (Spark's `quote` set to the empty string).
    public var quote: UInt8? = UInt8(ascii: "\"")
    public var escape: UInt8? = UInt8(ascii: "\\")
    public var comment: UInt8?
    public var nullValue = ""
    /// Value a quoted empty field reads as; nil means Spark's default (read "", write `""`).
    public var emptyValue: String?
    public var nanValue = "NaN"
    public var positiveInf = "Inf"
    public var negativeInf = "-Inf"
    public var inferSchema = false
    public var prefersDate = true
    public var prefersDecimal = false
    public var dateFormat: DateTimePattern?
    public var timestampFormat: DateTimePattern?
    public var mode: CSVParseMode = .permissive
    public var multiLine = false
    /// nil: the reader default (false) or the writer default (true).
    public var ignoreLeadingWhiteSpace: Bool?
    public var ignoreTrailingWhiteSpace: Bool?
    public var columnNameOfCorruptRecord = "_corrupt_record"
    /// nil: `\n`, `\r\n` and `\r` all end a line (writing uses `\n`).
    public var lineSep: [UInt8]?
    public var samplingRatio = 1.0
    public var enforceSchema = true
    public var quoteAll = false
    public var escapeQuotes = true
    public var maxColumns = 20480
    /// The writer's codec (`compression`, or its alias `codec`); nil writes plain text.
    public var compression: FileCodec.Kind?

    public init() {}

    public init(_ options: [String: String]) throws {
        var o: [String: String] = [:]
        for (k, v) in options { o[k.lowercased()] = v }

        func bool(_ key: String) throws -> Bool? {
            guard let v = o[key.lowercased()] else { return nil }
            switch v.lowercased() {
            case "true": return true
            case "false": return false
            default: throw EmberError.invalidArgument("\(key) flag can be true or false.")
            }
        }
        func char(_ key: String, allowEmpty: Bool) throws -> UInt8?? {
            guard let raw = o[key.lowercased()] else { return .none }
            let v = raw == "\\t" ? "\t" : raw == "\\u0000" ? "" : raw
            if v.isEmpty {
                if allowEmpty { return .some(nil) }
                throw EmberError.invalidArgument("Delimiter cannot be empty (option '\(key)').")
            }
            let u = Array(v.utf8)
            guard u.count == 1, u[0] < 128 else {
                throw EmberError.unsupported("CSV option '\(key)' must be a single ASCII character, got '\(raw)'.")
            }
            return .some(u[0])
        }

        if let v = try bool("header") { header = v }
        if let v = try char("sep", allowEmpty: false) ?? char("delimiter", allowEmpty: false), let c = v { delimiter = c }
        if let v = try char("quote", allowEmpty: true) { quote = v }
        if let v = try char("escape", allowEmpty: true) { escape = v }
        if let v = try char("comment", allowEmpty: true) { comment = v }
        if let v = o["nullvalue"] { nullValue = v }
        if let v = o["emptyvalue"] { emptyValue = v }
        if let v = o["nanvalue"] { nanValue = v }
        if let v = o["positiveinf"] { positiveInf = v }
        if let v = o["negativeinf"] { negativeInf = v }
        if let v = try bool("inferSchema") { inferSchema = v }
        if let v = try bool("prefersDate") { prefersDate = v }
        if let v = try bool("prefersDecimal") { prefersDecimal = v }
        if let v = o["dateformat"] { dateFormat = try DateTimePattern(v) }
        if let v = o["timestampformat"] { timestampFormat = try DateTimePattern(v) }
        // Spark falls back to PERMISSIVE (with a warning) for an unknown mode.
        if let v = o["mode"] { mode = CSVParseMode(rawValue: v.uppercased()) ?? .permissive }
        if let v = try bool("multiLine") { multiLine = v }
        if let v = try bool("ignoreLeadingWhiteSpace") { ignoreLeadingWhiteSpace = v }
        if let v = try bool("ignoreTrailingWhiteSpace") { ignoreTrailingWhiteSpace = v }
        if let v = o["columnnameofcorruptrecord"] { columnNameOfCorruptRecord = v }
        if let enc = o["encoding"] ?? o["charset"] {
            let e = enc.lowercased().replacingOccurrences(of: "_", with: "-")
            guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(e) else {
                throw EmberError(
                    errorClass: "INVALID_PARAMETER_VALUE.CHARSET", sqlState: "22023",
                    message: "The value of parameter(s) `encoding` in `CSVOptions` is invalid: Ember reads utf-8 only, but got \(enc).")
            }
        }
        if let v = o["linesep"] {
            let u = Array(v.utf8)
            guard !u.isEmpty, u.count <= 2 else {
                throw EmberError.invalidArgument("'lineSep' must be one or two characters (\\r\\n), got '\(v)'.")
            }
            lineSep = u
        }
        if let v = o["samplingratio"] {
            guard let r = Double(v), r > 0, r <= 1 else {
                throw EmberError.invalidArgument("samplingRatio (\(v)) should be greater than 0 and at most 1.")
            }
            samplingRatio = r
        }
        if let v = try bool("enforceSchema") { enforceSchema = v }
        if let v = try bool("quoteAll") { quoteAll = v }
        if let v = try bool("escapeQuotes") { escapeQuotes = v }
        if let v = o["maxcolumns"] {
            guard let n = Int(v), n > 0 else { throw EmberError.invalidArgument("maxColumns must be a positive integer, got '\(v)'.") }
            maxColumns = n
        }
        compression = try FileCodec.forWriterOptions(o)
    }
}
