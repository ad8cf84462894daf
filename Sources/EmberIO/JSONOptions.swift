import EmberCodecs
import EmberCore

/// Spark's JSON reader/writer options, parsed from the string map given to
/// `spark.read.options(...)` / `df.write.options(...)`. Keys are case-insensitive.
public struct JSONOptions: Sendable {
    // Inference.
    public var samplingRatio = 1.0
    public var primitivesAsString = false
    public var prefersDecimal = false
    public var dropFieldIfAllNull = false
    public var inferTimestamp = false
    // Syntax accepted (Jackson's parser features as Spark sets them).
    public var allowComments = false
    public var allowUnquotedFieldNames = false
    public var allowSingleQuotes = true
    public var allowNumericLeadingZeros = false
    public var allowNonNumericNumbers = true
    public var allowBackslashEscapingAnyCharacter = false
    public var allowUnquotedControlChars = false
    // Records.
    public var mode: CSVParseMode = .permissive
    public var columnNameOfCorruptRecord = "_corrupt_record"
    public var multiLine = false
    /// nil: `\n`, `\r` and `\r\n` end a record when reading; `\n` is written.
    public var lineSep: [UInt8]?
    /// nil: Spark's CAST rules (with the legacy fallbacks) when reading; the default
    /// pattern when writing.
    public var dateFormat: DateTimePattern?
    public var timestampFormat: DateTimePattern?
    /// The `timeZone` option (overrides the session time zone).
    public var timeZone: SessionTimeZone?
    // Writing.
    public var ignoreNullFields = true
    /// The writer's `compression` (or `codec`) option; nil: plain JSON lines.
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
            default: throw EmberError.invalidArgument("\(key) flag can be true or false, got '\(v)'.")
            }
        }

        if let v = o["samplingratio"] {
            guard let r = Double(v), r > 0 else {
                throw EmberError.invalidArgument("samplingRatio (\(v)) should be greater than 0")
            }
            samplingRatio = min(r, 1)
        }
        if let v = try bool("primitivesAsString") { primitivesAsString = v }
        if let v = try bool("prefersDecimal") { prefersDecimal = v }
        if let v = try bool("dropFieldIfAllNull") { dropFieldIfAllNull = v }
        if let v = try bool("inferTimestamp") { inferTimestamp = v }
        if let v = try bool("allowComments") { allowComments = v }
        if let v = try bool("allowUnquotedFieldNames") { allowUnquotedFieldNames = v }
        if let v = try bool("allowSingleQuotes") { allowSingleQuotes = v }
        if let v = try bool("allowNumericLeadingZeros") { allowNumericLeadingZeros = v }
        if let v = try bool("allowNonNumericNumbers") { allowNonNumericNumbers = v }
        if let v = try bool("allowBackslashEscapingAnyCharacter") { allowBackslashEscapingAnyCharacter = v }
        if let v = try bool("allowUnquotedControlChars") { allowUnquotedControlChars = v }
        // Spark falls back to PERMISSIVE (with a warning) for an unknown mode.
        if let v = o["mode"] { mode = CSVParseMode(rawValue: v.uppercased()) ?? .permissive }
        if let v = o["columnnameofcorruptrecord"] { columnNameOfCorruptRecord = v }
        if let v = try bool("multiLine") { multiLine = v }
        if let v = o["linesep"] {
            guard !v.isEmpty else { throw EmberError.invalidArgument("'lineSep' cannot be an empty string.") }
            lineSep = Array(v.utf8)
        }
        if let v = o["dateformat"] { dateFormat = try DateTimePattern(v) }
        if let v = o["timestampformat"] { timestampFormat = try DateTimePattern(v) }
        if let v = o["timezone"] {
            guard let z = SessionTimeZone(id: v) else { throw EmberError.invalidArgument("Unknown time zone '\(v)'.") }
            timeZone = z
        }
        if let v = try bool("ignoreNullFields") { ignoreNullFields = v }
        if let enc = o["encoding"] ?? o["charset"] {
            try Self.checkEncoding(enc, source: "JSONOptions")
        }
        compression = try FileCodec.forWriterOptions(o)
    }

    /// Ember reads and writes UTF-8 only.
    static func checkEncoding(_ enc: String, source: String) throws {
        let e = enc.lowercased().replacingOccurrences(of: "_", with: "-")
        guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(e) else {
            throw EmberError(
                errorClass: "INVALID_PARAMETER_VALUE.CHARSET", sqlState: "22023",
                message: "The value of parameter(s) `encoding` in `\(source)` is invalid: Ember reads and writes utf-8 only, but got \(enc).")
        }
    }
}
