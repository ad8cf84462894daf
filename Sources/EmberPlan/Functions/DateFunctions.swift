import EmberCore

/// Signatures of Spark's date functions (kernels: EmberExec/Kernels/DateKernels.swift).
/// String arguments are implicitly cast (to DATE for date parts, TIMESTAMP for time parts),
/// as Spark does; field functions return INT, extract(SECOND …) DECIMAL(8,6).
public enum DateFunctions {
    public static let all: [FunctionSignature] = [
        datePart("year"), datePart("month"), datePart("dayofmonth"), datePart("dayofyear"), datePart("dayofweek"),
        datePart("weekday"), datePart("weekofyear"), datePart("quarter"),
        timePart("hour"), timePart("minute"), timePart("second"),
        Functions.fixed("dayname", [.date], .string), Functions.fixed("monthname", [.date], .string),
        dateArg("date_add", [.date, .int], .date), dateArg("date_sub", [.date, .int], .date),
        dateArg("datediff", [.date, .date], .int), dateArg("add_months", [.date, .int], .date),
        Functions.fixed("months_between", [.timestamp, .timestamp, .boolean], .double, optional: 1),
        dateArg("last_day", [.date], .date), dateArg("next_day", [.date, .string], .date, nulls: .always),
        dateArg("trunc", [.date, .string], .date, nulls: .always),
        Functions.fixed("date_trunc", [.string, .timestamp], .timestamp, nulls: .always),
        Functions.fixed("make_date", [.int, .int, .int], .date, nulls: .always),
        Functions.fixed(
            "make_timestamp", [.int, .int, .int, .int, .int, .decimal(precision: 16, scale: 6), .string], .timestamp,
            optional: 1, nulls: .always),
        parsing("to_date", .date), parsing("try_to_date", .date),
        parsing("to_timestamp", .timestamp), parsing("try_to_timestamp", .timestamp),
        Functions.fixed("date_format", [.timestamp, .string], .string),
        unixTimestamp("unix_timestamp", arity: 0...2), unixTimestamp("to_unix_timestamp", arity: 1...2),
        Functions.fixed("from_unixtime", [.long, .string], .string, optional: 1),
        FunctionSignature("current_date", arity: 0...0, nulls: .never) { _ in .date },
        FunctionSignature("current_timestamp", arity: 0...0, nulls: .never) { _ in .timestamp },
        FunctionSignature("now", arity: 0...0, nulls: .never) { _ in .timestamp },
        extract,
        addInterval,
        FunctionSignature("timestamp_seconds", arity: 1...1) { args in
            let t = try Functions.numericArg(&args, 0, fn: "timestamp_seconds")
            if t.isIntegral { args[0] = TypeCoercion.cast(args[0], to: .long) }
            if t.isFractional { args[0] = TypeCoercion.cast(args[0], to: .double) }
            return .timestamp
        },
        Functions.fixed("timestamp_millis", [.long], .timestamp), Functions.fixed("timestamp_micros", [.long], .timestamp),
        Functions.fixed("unix_seconds", [.timestamp], .long), Functions.fixed("unix_millis", [.timestamp], .long),
        Functions.fixed("unix_micros", [.timestamp], .long), Functions.fixed("unix_date", [.date], .int),
        Functions.fixed("date_from_unix_date", [.int], .date),
    ]

    /// One DATE argument (strings and timestamps convert), INT result.
    static func datePart(_ name: String) -> FunctionSignature { dateArg(name, [.date], .int) }

    /// One TIMESTAMP argument (strings and dates convert), INT result.
    static func timePart(_ name: String) -> FunctionSignature { Functions.fixed(name, [.timestamp], .int) }

    /// Like `Functions.fixed`, but a TIMESTAMP where a DATE is expected passes through (the
    /// kernel takes its local date) and date strings cast straight to DATE.
    static func dateArg(_ name: String, _ types: [DataType], _ result: DataType, nulls: FunctionSignature.Nulls = .propagate) -> FunctionSignature {
        FunctionSignature(name, arity: types.count...types.count, nulls: nulls) { args in
            for i in args.indices where !(types[i] == .date && args[i].dataType == .timestamp) {
                try Functions.coerce(&args, i, to: types[i], fn: name)
            }
            return result
        }
    }

    /// to_date / to_timestamp (and try_ forms): `(x[, fmt])`; x is a string, date, timestamp
    /// (or, for to_timestamp, seconds as a number).
    static func parsing(_ name: String, _ result: DataType) -> FunctionSignature {
        FunctionSignature(name, arity: 1...2, nulls: .always) { args in
            let t = args[0].dataType
            if !(t == .string || t.isDatetime || (result == .timestamp && t.isNumeric)) {
                try Functions.coerce(&args, 0, to: .string, fn: name)
            }
            if args.count > 1 { try Functions.coerce(&args, 1, to: .string, fn: name) }
            return result
        }
    }

    static func unixTimestamp(_ name: String, arity: ClosedRange<Int>) -> FunctionSignature {
        FunctionSignature(name, arity: arity, nulls: .always) { args in
            if let t = args.first?.dataType, !(t == .string || t.isDatetime) {
                try Functions.coerce(&args, 0, to: .string, fn: name)
            }
            if args.count > 1 { try Functions.coerce(&args, 1, to: .string, fn: name) }
            return .long
        }
    }

    /// Spark's EXTRACT / date_part field names, their canonical field and result type.
    public static func extractField(_ name: String) -> DataType? {
        switch name.uppercased() {
        case "YEAR", "Y", "YEARS", "YR", "YRS", "YEAROFWEEK", "QUARTER", "QTR", "MONTH", "MON", "MONS", "MONTHS",
            "WEEK", "W", "WEEKS", "DAY", "D", "DAYS", "DAYOFWEEK", "DOW", "DAYOFWEEK_ISO", "DOW_ISO", "DOY",
            "HOUR", "H", "HOURS", "HR", "HRS", "MINUTE", "M", "MIN", "MINS", "MINUTES":
            return .int
        case "SECOND", "S", "SEC", "SECONDS", "SECS": return .decimal(precision: 8, scale: 6)
        default: return nil
        }
    }

    /// extract(field, source): the parser passes the field as a string literal.
    static let extract = FunctionSignature("extract", arity: 2...2) { args in
        guard case .literal(let v, _) = args[0], let name = v.stringValue else {
            throw EmberError.datatypeMismatch("NON_FOLDABLE_INPUT", "The field of extract must be a literal string.")
        }
        guard let result = extractField(name) else {
            throw EmberError(
                errorClass: "INVALID_EXTRACT_FIELD", sqlState: "42601",
                message: "Cannot extract `\(name)` from \"\(ExprPrinter.sql(args[1]))\".")
        }
        if !args[1].dataType.isDatetime { try Functions.coerce(&args, 1, to: .timestamp, fn: "extract") }
        return result
    }

    /// add_interval(x, months, days, micros): DATE + interval without a time part stays a DATE
    /// (Spark: date'2024-01-31' + interval 1 day is DATE), anything else is a TIMESTAMP.
    static let addInterval = FunctionSignature("add_interval", arity: 4...4) { args in
        try Functions.coerce(&args, 1, to: .int, fn: "add_interval")
        try Functions.coerce(&args, 2, to: .int, fn: "add_interval")
        try Functions.coerce(&args, 3, to: .long, fn: "add_interval")
        let noTime: Bool
        if case .literal(let v, _) = args[3], let m = v.int64Value { noTime = m == 0 } else { noTime = false }
        if args[0].dataType == .date && noTime { return .date }
        try Functions.coerce(&args, 0, to: .timestamp, fn: "add_interval")
        return .timestamp
    }
}
