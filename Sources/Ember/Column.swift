import EmberPlan
import EmberSQL

/// A column expression, as PySpark's `Column`: built with `col`, `lit`, operators and
/// the functions below, evaluated only when a DataFrame action runs.
public struct Column: CustomStringConvertible {
    public let expr: Expr
    public init(_ expr: Expr) { self.expr = expr }

    static func named(_ name: String) -> Column {
        if name == "*" { return Column(.star(qualifier: [])) }
        if name.hasSuffix(".*") { return Column(.star(qualifier: Expr.splitName(String(name.dropLast(2))))) }
        return Column(.col(name))
    }

    public var description: String { "Column<'\(ExprPrinter.sql(expr))'>" }

    func call(_ name: String, _ others: Column...) -> Column {
        Column(.function(name: name, args: [expr] + others.map(\.expr), isDistinct: false))
    }

    public func alias(_ name: String) -> Column { Column(.alias(expr, name: name, id: nil)) }
    public func `as`(_ name: String) -> Column { alias(name) }
    public func cast(_ type: DataType) -> Column { Column(.cast(expr, to: type, mode: .ansi)) }
    public func cast(_ ddl: String) throws -> Column { cast(try DataType(ddl: ddl)) }
    public func tryCast(_ type: DataType) -> Column { Column(.cast(expr, to: type, mode: .try)) }

    public func isNull() -> Column { call("isnull") }
    public func isNotNull() -> Column { call("isnotnull") }
    public func isin(_ values: Value...) -> Column { isin(values) }
    public func isin(_ values: [Value]) -> Column { Column(.function(name: "in", args: [expr] + values.map { Expr.lit($0) }, isDistinct: false)) }
    public func between(_ lower: Column, _ upper: Column) -> Column { (self >= lower) && (self <= upper) }
    public func like(_ pattern: String) -> Column { call("like", lit(pattern)) }
    public func rlike(_ pattern: String) -> Column { call("rlike", lit(pattern)) }
    public func eqNullSafe(_ other: Column) -> Column { call("<=>", other) }
    public func substr(_ pos: Int, _ len: Int) -> Column { call("substring", lit(pos), lit(len)) }
    public func getField(_ name: String) -> Column { Column(.extractValue(expr, key: .lit(.string(name)))) }
    public func getItem(_ key: Value) -> Column { Column(.extractValue(expr, key: .lit(key))) }

    public func asc() -> Column { Column(.sortOrder(expr, ascending: true, nullsFirst: true)) }
    public func desc() -> Column { Column(.sortOrder(expr, ascending: false, nullsFirst: false)) }
    public func ascNullsLast() -> Column { Column(.sortOrder(expr, ascending: true, nullsFirst: false)) }
    public func descNullsFirst() -> Column { Column(.sortOrder(expr, ascending: false, nullsFirst: true)) }

    /// `when(...).when(...)` chains.
    public func when(_ condition: Column, _ value: Column) -> Column {
        guard case .function("when", let args, _) = expr else { return self }
        return Column(.function(name: "when", args: args + [condition.expr, value.expr], isDistinct: false))
    }
    public func otherwise(_ value: Column) -> Column {
        guard case .function("when", let args, _) = expr else { return self }
        return Column(.function(name: "when", args: args + [value.expr], isDistinct: false))
    }

    public func over(_ w: WindowSpecBuilder) -> Column { Column(.window(expr, w.spec)) }

    var sortExpr: Expr {
        if case .sortOrder = expr { return expr }
        return .sortOrder(expr, ascending: true, nullsFirst: true)
    }
}

/// Literal conversion so `col("x") + 1` and `lit("a")` read naturally.
public protocol ColumnConvertible { var column: Column { get } }
extension Column: ColumnConvertible { public var column: Column { self } }
extension Int: ColumnConvertible { public var column: Column { Int32(exactly: self).map { lit(.int($0)) } ?? lit(.long(Int64(self))) } }
extension Int64: ColumnConvertible { public var column: Column { lit(.long(self)) } }
extension Int32: ColumnConvertible { public var column: Column { lit(.int(self)) } }
extension Double: ColumnConvertible { public var column: Column { lit(.double(self)) } }
extension String: ColumnConvertible { public var column: Column { lit(.string(self)) } }
extension Bool: ColumnConvertible { public var column: Column { lit(.boolean(self)) } }

func binary(_ op: String, _ a: ColumnConvertible, _ b: ColumnConvertible) -> Column {
    Column(.function(name: op, args: [a.column.expr, b.column.expr], isDistinct: false))
}

public func + (a: Column, b: ColumnConvertible) -> Column { binary("+", a, b) }
public func - (a: Column, b: ColumnConvertible) -> Column { binary("-", a, b) }
public func * (a: Column, b: ColumnConvertible) -> Column { binary("*", a, b) }
public func / (a: Column, b: ColumnConvertible) -> Column { binary("/", a, b) }
public func % (a: Column, b: ColumnConvertible) -> Column { binary("%", a, b) }
public func + (a: ColumnConvertible, b: Column) -> Column { binary("+", a, b) }
public func - (a: ColumnConvertible, b: Column) -> Column { binary("-", a, b) }
public func * (a: ColumnConvertible, b: Column) -> Column { binary("*", a, b) }
public func / (a: ColumnConvertible, b: Column) -> Column { binary("/", a, b) }
public func + (a: Column, b: Column) -> Column { binary("+", a, b) }
public func - (a: Column, b: Column) -> Column { binary("-", a, b) }
public func * (a: Column, b: Column) -> Column { binary("*", a, b) }
public func / (a: Column, b: Column) -> Column { binary("/", a, b) }
public prefix func - (a: Column) -> Column { Column(.function(name: "negative", args: [a.expr], isDistinct: false)) }

infix operator === : ComparisonPrecedence
infix operator =!= : ComparisonPrecedence
/// SQL equality (`==` stays Swift's; PySpark's `==` is `===` here, as in Scala Spark).
public func === (a: Column, b: ColumnConvertible) -> Column { binary("==", a, b) }
public func =!= (a: Column, b: ColumnConvertible) -> Column { binary("!=", a, b) }
public func < (a: Column, b: ColumnConvertible) -> Column { binary("<", a, b) }
public func <= (a: Column, b: ColumnConvertible) -> Column { binary("<=", a, b) }
public func > (a: Column, b: ColumnConvertible) -> Column { binary(">", a, b) }
public func >= (a: Column, b: ColumnConvertible) -> Column { binary(">=", a, b) }
public func && (a: Column, b: Column) -> Column { binary("and", a, b) }
public func || (a: Column, b: Column) -> Column { binary("or", a, b) }
public prefix func ! (a: Column) -> Column { Column(.function(name: "not", args: [a.expr], isDistinct: false)) }

// MARK: - Functions (PySpark's pyspark.sql.functions)

public func col(_ name: String) -> Column { Column.named(name) }
public func column(_ name: String) -> Column { Column.named(name) }
public func lit(_ v: Value) -> Column { Column(.lit(v)) }
public func lit(_ v: ColumnConvertible) -> Column { v.column }
public func expr(_ sql: String) throws -> Column { Column(try SQLParser.parseExpression(sql)) }

/// Any Spark function by name: `callFunction("date_add", col("d"), lit(1))`.
public func callFunction(_ name: String, _ args: Column...) -> Column {
    Column(.function(name: name, args: args.map(\.expr), isDistinct: false))
}

func fn(_ name: String, _ args: [ColumnConvertible]) -> Column {
    Column(.function(name: name, args: args.map { $0.column.expr }, isDistinct: false))
}

public func when(_ condition: Column, _ value: ColumnConvertible) -> Column { fn("when", [condition, value]) }
public func coalesce(_ cols: Column...) -> Column { fn("coalesce", cols) }
public func count(_ c: Column) -> Column { fn("count", [c]) }
public func countDistinct(_ cols: Column...) -> Column { Column(.function(name: "count", args: cols.map(\.expr), isDistinct: true)) }
public func sum(_ c: Column) -> Column { fn("sum", [c]) }
public func sumDistinct(_ c: Column) -> Column { Column(.function(name: "sum", args: [c.expr], isDistinct: true)) }
public func avg(_ c: Column) -> Column { fn("avg", [c]) }
public func mean(_ c: Column) -> Column { fn("avg", [c]) }
public func min(_ c: Column) -> Column { fn("min", [c]) }
public func max(_ c: Column) -> Column { fn("max", [c]) }
public func first(_ c: Column, ignoreNulls: Bool = false) -> Column { fn("first", [c, lit(.boolean(ignoreNulls))]) }
public func last(_ c: Column, ignoreNulls: Bool = false) -> Column { fn("last", [c, lit(.boolean(ignoreNulls))]) }
public func stddev(_ c: Column) -> Column { fn("stddev", [c]) }
public func stddev_pop(_ c: Column) -> Column { fn("stddev_pop", [c]) }
public func variance(_ c: Column) -> Column { fn("variance", [c]) }
public func var_pop(_ c: Column) -> Column { fn("var_pop", [c]) }
public func collect_list(_ c: Column) -> Column { fn("collect_list", [c]) }
public func collect_set(_ c: Column) -> Column { fn("collect_set", [c]) }
public func approx_count_distinct(_ c: Column) -> Column { fn("approx_count_distinct", [c]) }
public func percentile_approx(_ c: Column, _ p: Double) -> Column { fn("percentile_approx", [c, p]) }
public func abs(_ c: Column) -> Column { fn("abs", [c]) }
public func round(_ c: Column, _ scale: Int = 0) -> Column { fn("round", [c, scale]) }
public func bround(_ c: Column, _ scale: Int = 0) -> Column { fn("bround", [c, scale]) }
public func floor(_ c: Column) -> Column { fn("floor", [c]) }
public func ceil(_ c: Column) -> Column { fn("ceil", [c]) }
public func sqrt(_ c: Column) -> Column { fn("sqrt", [c]) }
public func exp(_ c: Column) -> Column { fn("exp", [c]) }
public func log(_ c: Column) -> Column { fn("ln", [c]) }
public func pow(_ a: Column, _ b: ColumnConvertible) -> Column { fn("pow", [a, b]) }
public func pmod(_ a: Column, _ b: ColumnConvertible) -> Column { fn("pmod", [a, b]) }
public func greatest(_ cols: Column...) -> Column { fn("greatest", cols) }
public func least(_ cols: Column...) -> Column { fn("least", cols) }
public func lower(_ c: Column) -> Column { fn("lower", [c]) }
public func upper(_ c: Column) -> Column { fn("upper", [c]) }
public func trim(_ c: Column) -> Column { fn("trim", [c]) }
public func length(_ c: Column) -> Column { fn("length", [c]) }
public func substring(_ c: Column, _ pos: Int, _ len: Int) -> Column { fn("substring", [c, pos, len]) }
public func concat(_ cols: Column...) -> Column { fn("concat", cols) }
public func concat_ws(_ sep: String, _ cols: Column...) -> Column { fn("concat_ws", [lit(sep)] + cols) }
public func split(_ c: Column, _ pattern: String) -> Column { fn("split", [c, pattern]) }
public func regexp_replace(_ c: Column, _ pattern: String, _ replacement: String) -> Column { fn("regexp_replace", [c, pattern, replacement]) }
public func regexp_extract(_ c: Column, _ pattern: String, _ idx: Int) -> Column { fn("regexp_extract", [c, pattern, idx]) }
public func to_date(_ c: Column, _ format: String? = nil) -> Column { format.map { fn("to_date", [c, $0]) } ?? fn("to_date", [c]) }
public func to_timestamp(_ c: Column, _ format: String? = nil) -> Column { format.map { fn("to_timestamp", [c, $0]) } ?? fn("to_timestamp", [c]) }
public func date_format(_ c: Column, _ format: String) -> Column { fn("date_format", [c, format]) }
public func year(_ c: Column) -> Column { fn("year", [c]) }
public func month(_ c: Column) -> Column { fn("month", [c]) }
public func dayofmonth(_ c: Column) -> Column { fn("dayofmonth", [c]) }
public func date_add(_ c: Column, _ days: Int) -> Column { fn("date_add", [c, days]) }
public func datediff(_ end: Column, _ start: Column) -> Column { fn("datediff", [end, start]) }
public func hash(_ cols: Column...) -> Column { fn("hash", cols) }
public func xxhash64(_ cols: Column...) -> Column { fn("xxhash64", cols) }
public func rand(_ seed: Int64) -> Column { fn("rand", [lit(.long(seed))]) }
public func randn(_ seed: Int64) -> Column { fn("randn", [lit(.long(seed))]) }
public func monotonically_increasing_id() -> Column { fn("monotonically_increasing_id", []) }
public func row_number() -> Column { fn("row_number", []) }
public func rank() -> Column { fn("rank", []) }
public func dense_rank() -> Column { fn("dense_rank", []) }
public func lag(_ c: Column, _ offset: Int = 1) -> Column { fn("lag", [c, offset]) }
public func lead(_ c: Column, _ offset: Int = 1) -> Column { fn("lead", [c, offset]) }

/// `Window.partitionBy(...).orderBy(...)`.
public struct WindowSpecBuilder {
    var spec = WindowSpec()
    public func partitionBy(_ cols: Column...) -> WindowSpecBuilder { var w = self; w.spec.partitionBy = cols.map(\.expr); return w }
    public func orderBy(_ cols: Column...) -> WindowSpecBuilder { var w = self; w.spec.orderBy = cols.map(\.sortExpr); return w }
    public func rowsBetween(_ start: Int, _ end: Int) -> WindowSpecBuilder { frame(.rows, start, end) }
    public func rangeBetween(_ start: Int, _ end: Int) -> WindowSpecBuilder { frame(.range, start, end) }
    func frame(_ kind: WindowFrame.Kind, _ s: Int, _ e: Int) -> WindowSpecBuilder {
        func bound(_ x: Int) -> FrameBoundary {
            if x == Int.min { return .unboundedPreceding }
            if x == Int.max { return .unboundedFollowing }
            if x == 0 { return .currentRow }
            return .offset(.lit(.long(Int64(x))))
        }
        var w = self
        w.spec.frame = WindowFrame(kind: kind, lower: bound(s), upper: bound(e))
        return w
    }
}

public enum Window {
    public static let unboundedPreceding = Int.min
    public static let unboundedFollowing = Int.max
    public static let currentRow = 0
    public static func partitionBy(_ cols: Column...) -> WindowSpecBuilder { var w = WindowSpecBuilder(); w.spec.partitionBy = cols.map(\.expr); return w }
    public static func orderBy(_ cols: Column...) -> WindowSpecBuilder { var w = WindowSpecBuilder(); w.spec.orderBy = cols.map(\.sortExpr); return w }
}
