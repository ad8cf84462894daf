import EmberCore

/// Spark's implicit type rules (ANSI mode): numeric widening, decimal precision,
/// string/date/timestamp promotion. Used by the function signatures and set operations.
public enum TypeCoercion {
    /// Numeric precedence: byte < short < int < long < decimal < float < double.
    static func rank(_ t: DataType) -> Int? {
        switch t {
        case .byte: return 1
        case .short: return 2
        case .int: return 3
        case .long: return 4
        case .decimal: return 5
        case .float: return 6
        case .double: return 7
        default: return nil
        }
    }

    /// The decimal an integral type fits in: int → decimal(10,0), long → decimal(20,0).
    public static func decimalFor(_ t: DataType) -> DataType? {
        switch t {
        case .byte: return .decimal(precision: 3, scale: 0)
        case .short: return .decimal(precision: 5, scale: 0)
        case .int: return .decimal(precision: 10, scale: 0)
        case .long: return .decimal(precision: 20, scale: 0)
        case .decimal: return t
        default: return nil
        }
    }

    /// Decimal type bounded to 38 digits, keeping at least 6 fraction digits (Spark's
    /// `allowPrecisionLoss` adjustment).
    public static func boundedDecimal(_ p: Int, _ s: Int) -> DataType {
        if p <= 38 { return .decimal(precision: p, scale: s) }
        let intDigits = p - s
        let minScale = min(s, 6)
        return .decimal(precision: 38, scale: max(38 - intDigits, minScale))
    }

    /// The wider of two types for comparison, union, coalesce and CASE branches.
    public static func wider(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if case .decimal(let p1, let s1) = a, case .decimal(let p2, let s2) = b {
            let s = max(s1, s2)
            return boundedDecimal(max(p1 - s1, p2 - s2) + s, s)
        }
        if let ra = rank(a), let rb = rank(b) {
            // FLOAT cannot hold every integer or decimal exactly: mixed with one, Spark widens to DOUBLE.
            if (a == .float && (b.isIntegral || b.isDecimal)) || (b == .float && (a.isIntegral || a.isDecimal)) { return .double }
            if a.isDecimal || b.isDecimal {
                if a.isFractional || b.isFractional { return .double }
                let da = decimalFor(a)!, db = decimalFor(b)!
                return wider(da, db)
            }
            return ra >= rb ? a : b
        }
        switch (a, b) {
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        case (.array(let x, let nx), .array(let y, let ny)):
            return wider(x, y).map { .array(element: $0, containsNull: nx || ny) }
        default: return nil
        }
    }

    /// Common type where strings may be promoted (comparisons, IN lists): string vs number →
    /// the number's type (ANSI: a bad string is CAST_INVALID_INPUT), string vs date → date.
    public static func comparable(_ a: DataType, _ b: DataType) -> DataType? {
        if let w = wider(a, b) { return w }
        switch (a, b) {
        case (.string, let t) where t.isNumeric || t.isDatetime || t == .boolean: return t.isDecimal ? .double : (t.isIntegral ? .long : t)
        case (let t, .string) where t.isNumeric || t.isDatetime || t == .boolean: return t.isDecimal ? .double : (t.isIntegral ? .long : t)
        default: return nil
        }
    }

    /// Common type for CASE/COALESCE/UNION/VALUES. As Spark's ANSI coercion, a STRING meets
    /// another atomic type as that type: integral as BIGINT, decimal and float as DOUBLE
    /// (so a malformed string is CAST_INVALID_INPUT at run time).
    public static func common(_ types: [DataType]) -> DataType? {
        let others = types.filter { $0 != .string && $0 != .null }
        if types.contains(.string), !others.isEmpty, others.allSatisfy({ !$0.isNested }) {
            guard var t = common(others) else { return nil }
            if t.isIntegral { t = .long } else if t.isDecimal || t == .float { t = .double }
            return t
        }
        var t: DataType = .null
        for x in types {
            if let w = wider(t, x) { t = w; continue }
            if (t == .string && !x.isNested) || (x == .string && !t.isNested) { t = .string; continue }
            return nil
        }
        return t
    }

    public static func cast(_ e: Expr, to t: DataType) -> Expr {
        if e.dataType == t { return e }
        if case .literal(.null, _) = e { return .literal(.null, t) }
        return .cast(e, to: t, mode: .ansi)
    }

    /// Whether an explicit CAST from `a` to `b` is allowed (Spark's `Cast.canAnsiCast`, simplified).
    public static func canCast(_ a: DataType, _ b: DataType) -> Bool {
        if a == b || a == .null { return true }
        switch (a, b) {
        case (_, .string): return true
        case (.string, _): return !b.isNested || true
        case (let x, let y) where x.isNumeric && y.isNumeric: return true
        case (.boolean, let y) where y.isNumeric: return true
        case (let x, .boolean) where x.isNumeric: return true
        case (.date, .timestamp), (.timestamp, .date): return true
        case (.timestamp, let y) where y.isNumeric: return true
        case (let x, .timestamp) where x.isNumeric: return true
        case (.binary, .string), (.string, .binary): return true
        case (.array(let x, _), .array(let y, _)): return canCast(x, y)
        case (.map(let k1, let v1, _), .map(let k2, let v2, _)): return canCast(k1, k2) && canCast(v1, v2)
        case (.structure(let f1), .structure(let f2)):
            return f1.count == f2.count && zip(f1, f2).allSatisfy { canCast($0.dataType, $1.dataType) }
        default: return false
        }
    }
}
