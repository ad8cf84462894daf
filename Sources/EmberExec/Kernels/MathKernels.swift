import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Kernels of the arithmetic, comparison and bitwise operators and Spark's math functions.
/// Arguments arrive already coerced by the signatures (both operands of one type, or two
/// decimals); the result type is the call's.
enum MathKernels {
    static let all: [(String, ScalarKernel)] = operators + functions

    typealias Failures = CastKernels.Failures

    // MARK: Errors, with Spark's classes and texts

    static func overflow(_ what: String, hint: String? = nil) -> EmberError {
        EmberError(
            errorClass: "ARITHMETIC_OVERFLOW", sqlState: "22003",
            message: "\(what).\(hint.map { " Use '\($0)' to tolerate overflow and return NULL instead." } ?? "") If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.")
    }

    static func divideByZero() -> EmberError {
        EmberError(
            errorClass: "DIVIDE_BY_ZERO", sqlState: "22012",
            message: "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.")
    }

    static func remainderByZero() -> EmberError {
        EmberError(
            errorClass: "REMAINDER_BY_ZERO", sqlState: "22012",
            message: "Remainder by zero. Use `try_mod` to tolerate divisor being 0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.")
    }

    /// Spark names int and long overflow by the JVM type; tinyint and smallint get
    /// BINARY_ARITHMETIC_OVERFLOW with the operands (printed with an `S` suffix, as Spark does).
    static func integerOverflow(_ t: DataType, _ op: Op, _ x: Int64, _ y: Int64) -> EmberError {
        switch t {
        case .byte, .short:
            return EmberError(
                errorClass: "BINARY_ARITHMETIC_OVERFLOW", sqlState: "22003",
                message: "\(x)S \(op.symbol) \(y)S caused overflow. Use `\(op.tryName)` to ignore overflow problem and return NULL.")
        default:
            if op == .intDiv { return overflow("Overflow in integral divide", hint: "try_divide") }
            return overflow(t == .long ? "long overflow" : "integer overflow", hint: op.tryName)
        }
    }

    static func unaryOverflow(_ t: DataType) -> EmberError {
        overflow(["tinyint": "byte overflow", "smallint": "short overflow", "int": "integer overflow"][t.simpleString] ?? "long overflow")
    }

    // MARK: Operators

    enum Op: Equatable {
        case add, sub, mul, div, rem, intDiv, pmod
        var symbol: String { ["+", "-", "*", "/", "%", "div", "pmod"][index] }
        var tryName: String { ["try_add", "try_subtract", "try_multiply", "try_divide", "try_mod", "try_divide", "try_mod"][index] }
        var index: Int {
            switch self {
            case .add: return 0
            case .sub: return 1
            case .mul: return 2
            case .div: return 3
            case .rem: return 4
            case .intDiv: return 5
            case .pmod: return 6
            }
        }
    }

    static let operators: [(String, ScalarKernel)] = [
        ("+", { try arith($0, .add, nil) }), ("-", { try arith($0, .sub, nil) }), ("*", { try arith($0, .mul, nil) }),
        ("/", { try arith($0, .div, nil) }), ("%", { try arith($0, .rem, nil) }), ("div", { try arith($0, .intDiv, nil) }),
        ("pmod", { try arith($0, .pmod, nil) }),
        ("try_add", { try arith($0, .add, .try) }), ("try_subtract", { try arith($0, .sub, .try) }),
        ("try_multiply", { try arith($0, .mul, .try) }), ("try_divide", { try arith($0, .div, .try) }),
        ("try_mod", { try arith($0, .rem, .try) }),
        ("negative", { try negate($0) }), ("positive", { $0.args[0] }),
        ("==", { try compare($0, 0b010) }), ("!=", { try compare($0, 0b101) }), ("<", { try compare($0, 0b001) }),
        ("<=", { try compare($0, 0b011) }), (">", { try compare($0, 0b100) }), (">=", { try compare($0, 0b110) }),
        ("<=>", { try nullSafeEqual($0) }),
        ("&", { try bitwise($0, &) }), ("|", { try bitwise($0, |) }), ("^", { try bitwise($0, ^) }),
        ("~", { try bitNot($0) }),
        ("greatest", { try extreme($0, wantGreater: true) }), ("least", { try extreme($0, wantGreater: false) }),
    ]

    /// Brings an argument to the storage of `t` (a no-op after the analyzer's coercion).
    static func arg(_ k: KernelCall, _ i: Int, _ t: DataType) throws -> Column {
        let c = k.args[i]
        return c.type == t ? c : try CastKernels.cast(c, to: t, mode: .legacy, ctx: k.ctx)
    }

    /// Binary arithmetic. `mode` nil = the session's (ANSI errors, else NULL/wrap); `.try` = NULL.
    static func arith(_ k: KernelCall, _ op: Op, _ tryMode: CastMode?) throws -> Column {
        let mode: CastMode = tryMode ?? (k.ctx.ansi ? .ansi : .legacy)
        let t = k.resultType
        let a = k.args[0], b = k.args[1]
        let valid = combinedValidity([a, b], count: k.count)
        var fails = Failures(validity: valid, count: k.count, mode: mode)
        // `div` yields BIGINT from integral, decimal or double operands.
        if op == .intDiv {
            if case .decimal = a.type { return try decimalArith(k, a, b, op, &fails) }
            if a.type.isFractional || b.type.isFractional {
                let x = try arg(k, 0, .double), y = try arg(k, 1, .double)
                let out = try loop2(x.asDoubles(), y.asDoubles(), &fails, Int64(0)) { p, q -> Int64? in
                    q == 0 ? nil : CastKernels.legacyDoubleToInt(p / q)
                } orFail: { _, _ in divideByZero() }
                return .int64s(out, validity: fails.validity)
            }
            let x = try arg(k, 0, .long), y = try arg(k, 1, .long)
            return .int64s(try integerLoop(x.asInt64s(), y.asInt64s(), .long, op, &fails), validity: fails.validity)
        }
        // try_add(date, n) / try_subtract(date, n): the analyzer rewrites only the operators.
        if t == .date, case .i32(let days) = a.storage {
            let n = try arg(k, 1, .int).asInt64s()
            let out = try loop2(days.map(Int64.init), n, &fails, Int32(0), { d, x in Int32(exactly: op == .sub ? d - x : d + x) }) { _, _ in
                integerOverflow(.int, op, 0, 0)
            }
            return .int32s(out, validity: fails.validity, type: .date)
        }
        switch t {
        case .byte:
            return Column(type: t, count: k.count, validity: nil, storage: .i8(try integers(k, Int8.self, t, op, &fails)))
                .withValidity(fails.validity)
        case .short:
            return Column(type: t, count: k.count, validity: nil, storage: .i16(try integers(k, Int16.self, t, op, &fails)))
                .withValidity(fails.validity)
        case .int:
            return Column(type: t, count: k.count, validity: nil, storage: .i32(try integers(k, Int32.self, t, op, &fails)))
                .withValidity(fails.validity)
        case .long:
            return .int64s(try integers(k, Int64.self, t, op, &fails), validity: fails.validity)
        case .float:
            let x = try arg(k, 0, .float), y = try arg(k, 1, .float)
            guard case .f32(let xs) = x.storage, case .f32(let ys) = y.storage else { throw CastKernels.unsupported(x.type, t) }
            let out = try floatingLoop(xs, ys, op, &fails)
            return Column(type: .float, count: k.count, validity: fails.validity, storage: .f32(out))
        case .double:
            let x = try arg(k, 0, .double), y = try arg(k, 1, .double)
            return .doubles(try floatingLoop(x.asDoubles(), y.asDoubles(), op, &fails), validity: fails.validity)
        case .decimal:
            return try decimalArith(k, a, b, op, &fails)
        default:
            throw EmberError.internalError("no arithmetic kernel for \(op.symbol) on \(t.sql)")
        }
    }

    static func integers<T: FixedWidthInteger & SignedInteger>(
        _ k: KernelCall, _: T.Type, _ t: DataType, _ op: Op, _ fails: inout Failures
    ) throws -> [T] {
        let x = try arg(k, 0, t), y = try arg(k, 1, t)
        guard let xs: [T] = x.typedArray(), let ys: [T] = y.typedArray() else { throw CastKernels.unsupported(x.type, t) }
        return try integerLoop(xs, ys, t, op, &fails)
    }

    /// One loop per operator; ANSI and TRY detect overflow, legacy wraps as the JVM.
    static func integerLoop<T: FixedWidthInteger & SignedInteger>(
        _ xs: [T], _ ys: [T], _ t: DataType, _ op: Op, _ fails: inout Failures
    ) throws -> [T] {
        let wrap = fails.mode == .legacy
        let err: (T, T) -> EmberError = { x, y in
            if y == 0 && (op == .div || op == .intDiv) { return divideByZero() }
            if y == 0 && (op == .rem || op == .pmod) { return remainderByZero() }
            return integerOverflow(t, op, Int64(x), Int64(y))
        }
        switch op {
        case .add:
            if wrap { return try loop2(xs, ys, &fails, 0) { $0 &+ $1 } orFail: { _, _ in overflow("") } }
            return try loop2(xs, ys, &fails, 0, { let r = $0.addingReportingOverflow($1); return r.overflow ? nil : r.partialValue }, orFail: err)
        case .sub:
            if wrap { return try loop2(xs, ys, &fails, 0) { $0 &- $1 } orFail: { _, _ in overflow("") } }
            return try loop2(xs, ys, &fails, 0, { let r = $0.subtractingReportingOverflow($1); return r.overflow ? nil : r.partialValue }, orFail: err)
        case .mul:
            if wrap { return try loop2(xs, ys, &fails, 0) { $0 &* $1 } orFail: { _, _ in overflow("") } }
            return try loop2(xs, ys, &fails, 0, { let r = $0.multipliedReportingOverflow(by: $1); return r.overflow ? nil : r.partialValue }, orFail: err)
        case .rem:
            // Java: MIN % -1 == 0 (Swift would trap).
            return try loop2(xs, ys, &fails, 0, { $1 == 0 ? nil : $0.remainderReportingOverflow(dividingBy: $1).partialValue }, orFail: err)
        case .pmod:
            return try loop2(xs, ys, &fails, 0, { x, n -> T? in
                if n == 0 { return nil }
                let r = x.remainderReportingOverflow(dividingBy: n).partialValue
                return r < 0 ? (r &+ n).remainderReportingOverflow(dividingBy: n).partialValue : r
            }, orFail: err)
        case .intDiv, .div:
            return try loop2(xs, ys, &fails, 0, { x, y -> T? in
                if y == 0 { return nil }
                let r = x.dividedReportingOverflow(by: y)
                return r.overflow && !wrap ? nil : r.partialValue
            }, orFail: err)
        }
    }

    /// Java floating-point semantics, except that a zero divisor of `/`, `%`, `pmod` fails
    /// (DIVIDE_BY_ZERO / REMAINDER_BY_ZERO under ANSI, NULL otherwise), as Spark.
    static func floatingLoop<T: BinaryFloatingPoint>(_ xs: [T], _ ys: [T], _ op: Op, _ fails: inout Failures) throws -> [T] {
        switch op {
        case .add: return try loop2(xs, ys, &fails, 0) { $0 + $1 } orFail: { _, _ in overflow("") }
        case .sub: return try loop2(xs, ys, &fails, 0) { $0 - $1 } orFail: { _, _ in overflow("") }
        case .mul: return try loop2(xs, ys, &fails, 0) { $0 * $1 } orFail: { _, _ in overflow("") }
        case .div, .intDiv: return try loop2(xs, ys, &fails, 0) { $1 == 0 ? nil : $0 / $1 } orFail: { _, _ in divideByZero() }
        case .rem: return try loop2(xs, ys, &fails, 0) { $1 == 0 ? nil : $0.truncatingRemainder(dividingBy: $1) } orFail: { _, _ in remainderByZero() }
        case .pmod:
            return try loop2(xs, ys, &fails, 0) { x, n -> T? in
                if n == 0 { return nil }
                let r = x.truncatingRemainder(dividingBy: n)
                return r < 0 ? (r + n).truncatingRemainder(dividingBy: n) : r
            } orFail: { _, _ in remainderByZero() }
        }
    }

    /// The shared binary loop: `f` returns nil for a failed row (error or NULL by mode).
    @inline(__always)
    static func loop2<T, R>(
        _ xs: [T], _ ys: [T], _ fails: inout Failures, _ zero: R, _ f: (T, T) -> R?, orFail err: (T, T) -> EmberError
    ) throws -> [R] {
        let n = min(xs.count, ys.count)
        var out = [R](repeating: zero, count: n)
        try out.withUnsafeMutableBufferPointer { o in
            try xs.withUnsafeBufferPointer { a in
                try ys.withUnsafeBufferPointer { b in
                    for i in 0..<n {
                        if let r = f(a[i], b[i]) { o[i] = r } else { try fails.fail(i) { err(a[i], b[i]) } }
                    }
                }
            }
        }
        return out
    }

    // MARK: Decimal arithmetic

    static func decimalArith(_ k: KernelCall, _ a: Column, _ b: Column, _ op: Op, _ fails: inout Failures) throws -> Column {
        guard case .decimal(_, let s1) = a.type, case .decimal(_, let s2) = b.type,
            case .i128(let xs) = a.storage, case .i128(let ys) = b.storage
        else { throw EmberError.internalError("decimal arithmetic on \(a.type.sql), \(b.type.sql)") }
        if op == .intDiv {
            let cs = max(s1, s2)
            let out = try loop2(xs, ys, &fails, Int64(0)) { x, y -> Int64? in
                guard y != 0, let p = Decimal128.rescale(x, from: s1, to: cs), let q = Decimal128.rescale(y, from: s2, to: cs) else { return nil }
                return Int64(exactly: p / q)
            } orFail: { _, y in y == 0 ? divideByZero() : overflow("Overflow in integral divide", hint: "try_divide") }
            return .int64s(out, validity: fails.validity)
        }
        guard case .decimal(let p, let s) = k.resultType else { throw EmberError.internalError("decimal result expected") }
        let limit = pow10UInt128(p)
        // Exact result as (magnitude, negative) at scale `s`, rounded HALF_UP; nil = out of range.
        let f: (Int128, Int128) -> Int128?
        switch op {
        case .add, .sub, .rem, .pmod:
            let cs = max(s1, s2)
            f = { x, y in
                guard let p1 = Decimal128.rescale(x, from: s1, to: cs), let p2 = Decimal128.rescale(y, from: s2, to: cs) else { return nil }
                let r: Int128
                switch op {
                case .add:
                    let (v, o) = p1.addingReportingOverflow(p2)
                    if o { return nil }
                    r = v
                case .sub:
                    let (v, o) = p1.subtractingReportingOverflow(p2)
                    if o { return nil }
                    r = v
                default:
                    if p2 == 0 { return nil }
                    let m = p1 % p2
                    r = op == .pmod && m < 0 ? (m + p2) % p2 : m
                }
                guard let v = Decimal128.rescale(r, from: cs, to: s), v.magnitude < limit else { return nil }
                return v
            }
        case .mul:
            f = { x, y in
                let prod = U256.product(x.magnitude, y.magnitude)
                guard let m = prod.scaled(by: s - s1 - s2), m.hi == 0, m.lo < limit else { return nil }
                return (x < 0) != (y < 0) ? -Int128(m.lo) : Int128(m.lo)
            }
        case .div, .intDiv:
            f = { x, y in
                if y == 0 { return nil }
                // q = x * 10^(s - s1 + s2) / y, HALF_UP.
                let k = s - s1 + s2
                guard let num = U256(x.magnitude).timesPow10(max(k, 0)) else { return nil }
                guard let den = U256(y.magnitude).timesPow10(max(-k, 0)) else { return 0 }
                guard den.hi == 0 else { return 0 }
                var (q, r) = num.divided(by: den.lo)
                if r >= den.lo - r { q = q.plusOne }
                guard q.hi == 0, q.lo < limit else { return nil }
                return (x < 0) != (y < 0) ? -Int128(q.lo) : Int128(q.lo)
            }
        }
        let out = try loop2(xs, ys, &fails, Int128(0), f) { x, y in
            if y == 0 && op == .div { return divideByZero() }
            if y == 0 { return remainderByZero() }
            // Spark prints the unrounded result; ours is the operands' exact combination when it fits.
            let dx = Decimal128(unscaled: x, scale: s1), dy = Decimal128(unscaled: y, scale: s2)
            let text: String
            switch op {
            case .add, .sub:
                let cs = max(s1, s2)
                if let p1 = Decimal128.rescale(x, from: s1, to: cs), let p2 = Decimal128.rescale(y, from: s2, to: cs) {
                    let r = op == .add ? p1.addingReportingOverflow(p2) : p1.subtractingReportingOverflow(p2)
                    text = r.overflow ? "\(dx) \(op.symbol) \(dy)" : Decimal128.format(r.partialValue, scale: cs)
                } else {
                    text = "\(dx) \(op.symbol) \(dy)"
                }
            case .mul:
                let (v, o) = x.multipliedReportingOverflow(by: y)
                text = o ? "\(dx) * \(dy)" : Decimal128.format(v, scale: s1 + s2)
            default:
                text = "\(dx) \(op.symbol) \(dy)"
            }
            return CastKernels.outOfRange(text, p, s)
        }
        return Column(type: k.resultType, count: k.count, validity: fails.validity, storage: .i128(out))
    }

    // MARK: Unary

    static func negate(_ k: KernelCall) throws -> Column {
        let c = k.args[0]
        var fails = Failures(validity: c.validity, count: k.count, mode: k.ctx.ansi ? .ansi : .legacy)
        let legacy = !k.ctx.ansi
        func ints<T: FixedWidthInteger & SignedInteger>(_ a: [T]) throws -> [T] {
            try loop2(a, a, &fails, 0) { x, _ in legacy ? 0 &- x : (x == .min ? nil : -x) } orFail: { _, _ in unaryOverflow(c.type) }
        }
        switch c.storage {
        case .i8(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i8(try ints(a))).withValidity(fails.validity)
        case .i16(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i16(try ints(a))).withValidity(fails.validity)
        case .i32(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i32(try ints(a))).withValidity(fails.validity)
        case .i64(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i64(try ints(a))).withValidity(fails.validity)
        case .f32(let a): return Column(type: c.type, count: k.count, validity: c.validity, storage: .f32(a.map { -$0 }))
        case .f64(let a): return Column(type: c.type, count: k.count, validity: c.validity, storage: .f64(a.map { -$0 }))
        case .i128(let a): return Column(type: c.type, count: k.count, validity: c.validity, storage: .i128(a.map { 0 - $0 }))
        default: throw EmberError.internalError("negative of \(c.type.sql)")
        }
    }

    static func abs(_ k: KernelCall) throws -> Column {
        let c = k.args[0]
        var fails = Failures(validity: c.validity, count: k.count, mode: k.ctx.ansi ? .ansi : .legacy)
        let legacy = !k.ctx.ansi
        func ints<T: FixedWidthInteger & SignedInteger>(_ a: [T]) throws -> [T] {
            try loop2(a, a, &fails, 0) { x, _ in x >= 0 ? x : (legacy ? 0 &- x : (x == .min ? nil : -x)) } orFail: { _, _ in unaryOverflow(c.type) }
        }
        switch c.storage {
        case .i8(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i8(try ints(a))).withValidity(fails.validity)
        case .i16(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i16(try ints(a))).withValidity(fails.validity)
        case .i32(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i32(try ints(a))).withValidity(fails.validity)
        case .i64(let a): return Column(type: c.type, count: k.count, validity: nil, storage: .i64(try ints(a))).withValidity(fails.validity)
        case .f32(let a): return Column(type: c.type, count: k.count, validity: c.validity, storage: .f32(a.map { Swift.abs($0) }))
        case .f64(let a): return Column(type: c.type, count: k.count, validity: c.validity, storage: .f64(a.map { Swift.abs($0) }))
        case .i128(let a): return Column(type: c.type, count: k.count, validity: c.validity, storage: .i128(a.map { $0 < 0 ? 0 - $0 : $0 }))
        default: throw EmberError.internalError("abs of \(c.type.sql)")
        }
    }

    // MARK: Comparison

    /// `mask` selects the outcomes that are true: bit 0 = less, bit 1 = equal, bit 2 = greater.
    static func compare(_ k: KernelCall, _ mask: Int) throws -> Column {
        let out = try compareRows(k.args[0], k.args[1], mask, k.count)
        return .booleans(out, validity: combinedValidity(k.args, count: k.count))
    }

    static func nullSafeEqual(_ k: KernelCall) throws -> Column {
        let a = k.args[0], b = k.args[1]
        var out = try compareRows(a, b, 0b010, k.count)
        if a.validity != nil || b.validity != nil || a.nullCount > 0 || b.nullCount > 0 {
            for i in 0..<k.count {
                let na = a.isNull(i), nb = b.isNull(i)
                if na || nb { out[i] = na && nb }
            }
        }
        return .booleans(out, validity: nil)
    }

    /// Spark's ordering of doubles: -0.0 == 0.0, NaN == NaN and NaN above everything.
    @inline(__always)
    static func cmpDouble<T: BinaryFloatingPoint>(_ x: T, _ y: T) -> Int {
        if x < y { return -1 }
        if x > y { return 1 }
        if x == y { return 0 }
        return x.isNaN ? (y.isNaN ? 0 : 1) : -1
    }

    @inline(__always)
    static func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }

    @inline(__always)
    static func cmpLoop<T>(_ xs: [T], _ ys: [T], _ mask: Int, _ n: Int, _ c: (T, T) -> Int) -> [Bool] {
        var out = [Bool](repeating: false, count: n)
        out.withUnsafeMutableBufferPointer { o in
            xs.withUnsafeBufferPointer { a in
                ys.withUnsafeBufferPointer { b in
                    for i in 0..<min(n, a.count, b.count) { o[i] = mask & (1 << (c(a[i], b[i]) + 1)) != 0 }
                }
            }
        }
        return out
    }

    static func compareRows(_ a: Column, _ b: Column, _ mask: Int, _ n: Int) throws -> [Bool] {
        switch (a.storage, b.storage) {
        case (.bool(let x), .bool(let y)): return cmpLoop(x, y, mask, n) { cmp($0 ? 1 : 0, $1 ? 1 : 0) }
        case (.i8(let x), .i8(let y)): return cmpLoop(x, y, mask, n, cmp)
        case (.i16(let x), .i16(let y)): return cmpLoop(x, y, mask, n, cmp)
        case (.i32(let x), .i32(let y)): return cmpLoop(x, y, mask, n, cmp)
        case (.i64(let x), .i64(let y)): return cmpLoop(x, y, mask, n, cmp)
        case (.f32(let x), .f32(let y)): return cmpLoop(x, y, mask, n, cmpDouble)
        case (.f64(let x), .f64(let y)): return cmpLoop(x, y, mask, n, cmpDouble)
        case (.i128(let x), .i128(let y)):
            if case .decimal(_, let s1) = a.type, case .decimal(_, let s2) = b.type, s1 != s2 {
                let cs = max(s1, s2)
                return cmpLoop(x, y, mask, n) { p, q in
                    guard let u = Decimal128.rescale(p, from: s1, to: cs), let v = Decimal128.rescale(q, from: s2, to: cs) else {
                        return cmpDouble(CastKernels.decimalToDouble(p, s1), CastKernels.decimalToDouble(q, s2))
                    }
                    return cmp(u, v)
                }
            }
            return cmpLoop(x, y, mask, n, cmp)
        case (.bytes(let o1, let d1), .bytes(let o2, let d2)):
            // Strings and binary compare by unsigned bytes (UTF-8 order = code point order).
            var out = [Bool](repeating: false, count: n)
            d1.withUnsafeBufferPointer { p in
                d2.withUnsafeBufferPointer { q in
                    for i in 0..<n {
                        let c = compareBytes(p, Int(o1[i]), Int(o1[i + 1]), q, Int(o2[i]), Int(o2[i + 1]))
                        out[i] = mask & (1 << (c + 1)) != 0
                    }
                }
            }
            return out
        default:
            // Nested or mismatched storage: row by row through values.
            return (0..<n).map { i in mask & (1 << (compareValues(a.value(at: i), b.value(at: i)) + 1)) != 0 }
        }
    }

    @inline(__always)
    static func compareBytes(_ p: UnsafeBufferPointer<UInt8>, _ ps: Int, _ pe: Int, _ q: UnsafeBufferPointer<UInt8>, _ qs: Int, _ qe: Int) -> Int {
        let l1 = pe - ps, l2 = qe - qs
        let m = min(l1, l2)
        if m > 0, let pb = p.baseAddress, let qb = q.baseAddress {
            let r = memcmp(pb + ps, qb + qs, m)
            if r != 0 { return r < 0 ? -1 : 1 }
        }
        return cmp(l1, l2)
    }

    /// Total order over values of one type (NULLs first), for nested types and fallbacks.
    static func compareValues(_ x: Value, _ y: Value) -> Int {
        switch (x, y) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case (.boolean(let a), .boolean(let b)): return cmp(a ? 1 : 0, b ? 1 : 0)
        case (.float(let a), .float(let b)): return cmpDouble(a, b)
        case (.double(let a), .double(let b)): return cmpDouble(a, b)
        case (.decimal(let a), .decimal(let b)):
            let cs = max(a.scale, b.scale)
            if let u = Decimal128.rescale(a.unscaled, from: a.scale, to: cs), let v = Decimal128.rescale(b.unscaled, from: b.scale, to: cs) {
                return cmp(u, v)
            }
            return cmpDouble(a.doubleValue, b.doubleValue)
        case (.string(let a), .string(let b)): return lexicographic(Array(a.utf8), Array(b.utf8))
        case (.binary(let a), .binary(let b)): return lexicographic(a, b)
        case (.array(let a), .array(let b)), (.structure(let a), .structure(let b)):
            for (p, q) in zip(a, b) {
                let c = compareValues(p, q)
                if c != 0 { return c }
            }
            return cmp(a.count, b.count)
        default:
            if let a = x.int64Value, let b = y.int64Value { return cmp(a, b) }
            if let a = x.doubleValue, let b = y.doubleValue { return cmpDouble(a, b) }
            return 0
        }
    }

    static func lexicographic(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for (p, q) in zip(a, b) where p != q { return p < q ? -1 : 1 }
        return cmp(a.count, b.count)
    }

    /// greatest/least: NULLs are skipped; the result is NULL only when every argument is.
    static func extreme(_ k: KernelCall, wantGreater: Bool) throws -> Column {
        let t = k.resultType
        let cols = try k.args.indices.map { try arg(k, $0, t) }
        guard var best = cols.first else { return Column.nulls(t, count: k.count) }
        for c in cols.dropFirst() {
            // Take `c` where best is NULL, or c is non-NULL and beats best.
            let beats = try compareRows(c, best, wantGreater ? 0b100 : 0b001, k.count)
            var pick = [Int32](repeating: 0, count: k.count)
            var anyFromC = false
            for i in 0..<k.count {
                let takeC = !c.isNull(i) && (best.isNull(i) || beats[i])
                pick[i] = Int32(i)
                if takeC { anyFromC = true; pick[i] = Int32(i + k.count) }
            }
            if anyFromC { best = Column.concat([best, c], type: t).take(pick) }
        }
        return best
    }

    // MARK: Bitwise

    static func bitwise(_ k: KernelCall, _ f: @escaping (Int64, Int64) -> Int64) throws -> Column {
        let t = k.resultType
        let x = try arg(k, 0, t).asInt64s(), y = try arg(k, 1, t).asInt64s()
        let r = zip(x, y).map { f($0, $1) }
        return try integralColumn(r, t, combinedValidity(k.args, count: k.count))
    }

    static func bitNot(_ k: KernelCall) throws -> Column {
        let c = k.args[0]
        return try integralColumn(c.asInt64s().map { ~$0 }, c.type, c.validity)
    }

    /// Int64 results narrowed (by truncation, exact for bitwise ops on narrower inputs) to `t`.
    static func integralColumn(_ v: [Int64], _ t: DataType, _ validity: Bitmap?) throws -> Column {
        let storage: Column.Storage
        switch t {
        case .byte: storage = .i8(v.map { Int8(truncatingIfNeeded: $0) })
        case .short: storage = .i16(v.map { Int16(truncatingIfNeeded: $0) })
        case .int: storage = .i32(v.map { Int32(truncatingIfNeeded: $0) })
        case .long: storage = .i64(v)
        default: throw EmberError.internalError("integral result expected, got \(t.sql)")
        }
        return Column(type: t, count: v.count, validity: validity, storage: storage)
    }

    // MARK: Functions

    static let functions: [(String, ScalarKernel)] = [
        ("abs", { try abs($0) }),
        ("sqrt", unary { sqrt($0) }), ("cbrt", unary { x in
            // libm is 1 ulp off on some perfect cubes (cbrt(27) = 3.0000000000000004); Java returns 3.0.
            let r = cbrt(x), n = r.rounded()
            return n * n * n == x ? n : r
        }),
        ("exp", unary { exp($0) }), ("expm1", unary { expm1($0) }),
        // Spark's logarithms are NULL outside their domain (not NaN / -Infinity).
        ("ln", unaryOrNull { $0 > 0 ? log($0) : nil }),
        ("log10", unaryOrNull { $0 > 0 ? log10($0) : nil }),
        ("log2", unaryOrNull { $0 > 0 ? log2($0) : nil }),
        ("log1p", unaryOrNull { $0 > -1 ? log1p($0) : nil }),
        ("log", { k in
            if k.args.count == 1 { return try unaryOrNull { $0 > 0 ? log($0) : nil }(k) }
            return binaryOrNull(k) { b, x in b > 0 && x > 0 ? log(x) / log(b) : nil }
        }),
        ("sin", unary { sin($0) }), ("cos", unary { cos($0) }), ("tan", unary { tan($0) }),
        ("asin", unary { asin($0) }), ("acos", unary { acos($0) }), ("atan", unary { atan($0) }),
        ("sinh", unary { sinh($0) }), ("cosh", unary { cosh($0) }), ("tanh", unary { tanh($0) }),
        // Spark's own formulas (not libm's asinh/acosh/atanh), to match its last digits.
        ("asinh", unary { $0 == -.infinity ? $0 : log($0 + ($0 * $0 + 1).squareRoot()) }),
        ("acosh", unary { log($0 + ($0 * $0 - 1).squareRoot()) }),
        ("atanh", unary { 0.5 * (log1p($0) - log1p(-$0)) }),
        ("cot", unary { 1 / tan($0) }), ("sec", unary { 1 / cos($0) }), ("csc", unary { 1 / sin($0) }),
        // Java's Math.toDegrees / toRadians constants.
        ("degrees", unary { $0 * 57.29577951308232 }), ("radians", unary { $0 * 0.017453292519943295 }),
        ("rint", unary { $0.rounded(.toNearestOrEven) }),
        ("sign", unary { $0.isNaN ? $0 : ($0 > 0 ? 1 : ($0 < 0 ? -1 : $0)) }),
        ("pow", binary { pow($0, $1) }), ("atan2", binary { atan2($0, $1) }),
        ("hypot", binary { hypot($0, $1) }),
        ("e", { k in .doubles([Double](repeating: M_E, count: k.count), validity: nil) }),
        ("pi", { k in .doubles([Double](repeating: Double.pi, count: k.count), validity: nil) }),
        ("round", { try round($0, .halfUp) }), ("bround", { try round($0, .halfEven) }),
        ("floor", { try floorCeil($0, .floor) }), ("ceil", { try floorCeil($0, .ceiling) }),
        ("factorial", { k in
            let c = k.args[0]
            let x = c.asInt64s()
            var valid = c.validity ?? Bitmap(count: k.count, value: true)
            let out = x.indices.map { i -> Int64 in
                guard (0...20).contains(x[i]) else { valid[i] = false; return 0 }
                return (1...max(1, x[i])).reduce(1, *)
            }
            return .int64s(out, validity: valid)
        }),
        ("bin", { k in
            let c = k.args[0]
            var t = CastKernels.TextOut(count: k.count, bytesPerRow: 8)
            for v in c.asInt64s() { t.append(String(UInt64(bitPattern: v), radix: 2)) }
            return t.column(k.count, c.validity)
        }),
        ("conv", { try conv($0) }),
        ("shiftleft", { try shift($0) { x, n, w in w == 32 ? Int64(Int32(truncatingIfNeeded: x) << (n & 31)) : x << (n & 63) } }),
        ("shiftright", { try shift($0) { x, n, w in w == 32 ? Int64(Int32(truncatingIfNeeded: x) >> (n & 31)) : x >> (n & 63) } }),
        ("shiftrightunsigned", { try shift($0) { x, n, w in
            w == 32 ? Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: x) >> UInt32(n & 31))) : Int64(bitPattern: UInt64(bitPattern: x) >> UInt64(n & 63))
        } }),
        ("width_bucket", { try widthBucket($0) }),
    ]

    static func unary(_ f: @escaping (Double) -> Double) -> ScalarKernel {
        { k in mapDoubles(k.args[0], f) }
    }

    static func unaryOrNull(_ f: @escaping (Double) -> Double?) -> ScalarKernel {
        { k in
            let c = k.args[0]
            let x = c.asDoubles()
            var valid = c.validity ?? Bitmap(count: k.count, value: true)
            var out = [Double](repeating: 0, count: x.count)
            for i in x.indices {
                if let r = f(x[i]) { out[i] = r } else { valid[i] = false }
            }
            return .doubles(out, validity: valid)
        }
    }

    static func binary(_ f: @escaping (Double, Double) -> Double) -> ScalarKernel {
        { k in
            let x = k.args[0].asDoubles(), y = k.args[1].asDoubles()
            return .doubles(zip(x, y).map(f), validity: combinedValidity(k.args, count: k.count))
        }
    }

    static func binaryOrNull(_ k: KernelCall, _ f: (Double, Double) -> Double?) -> Column {
        let x = k.args[0].asDoubles(), y = k.args[1].asDoubles()
        var valid = combinedValidity(k.args, count: k.count) ?? Bitmap(count: k.count, value: true)
        var out = [Double](repeating: 0, count: k.count)
        for i in 0..<min(x.count, y.count) {
            if let r = f(x[i], y[i]) { out[i] = r } else { valid[i] = false }
        }
        return .doubles(out, validity: valid)
    }

    // MARK: round / bround / floor / ceil

    enum Rounding { case halfUp, halfEven, floor, ceiling }

    /// `v / 10^k` rounded by `mode` (k ≥ 0).
    static func divPow10(_ v: Int128, _ k: Int, _ mode: Rounding) -> Int128 {
        if k == 0 { return v }
        if k > 38 {
            switch mode {
            case .floor: return v < 0 ? -1 : 0
            case .ceiling: return v > 0 ? 1 : 0
            default: return 0
            }
        }
        let d = Int128(pow10UInt128(k))
        let q = v / d, r = v % d
        if r == 0 { return q }
        let away = v < 0 ? q - 1 : q + 1
        switch mode {
        case .floor: return v < 0 ? q - 1 : q
        case .ceiling: return v > 0 ? q + 1 : q
        case .halfUp: return r.magnitude >= d.magnitude - r.magnitude ? away : q
        case .halfEven:
            let twice = r.magnitude, rest = d.magnitude - r.magnitude
            return twice > rest || (twice == rest && q & 1 != 0) ? away : q
        }
    }

    /// The scale argument (a literal; Spark requires it foldable).
    static func scaleArg(_ k: KernelCall) -> Int {
        guard k.args.count > 1 else { return 0 }
        if let v = k.literal(1)?.int64Value { return Int(v) }
        let c = k.args[1]
        return c.count > 0 && !c.isNull(0) ? Int(c.asInt64s()[0]) : 0
    }

    static func round(_ k: KernelCall, _ mode: Rounding) throws -> Column {
        let c = k.args[0]
        let scale = scaleArg(k)
        var fails = Failures(validity: c.validity, count: k.count, mode: k.ctx.ansi ? .ansi : .legacy)
        let t = k.resultType
        switch c.storage {
        case .f64(let a):
            return .doubles(a.map { roundDouble($0, scale, mode) }, validity: c.validity)
        case .f32(let a):
            return Column(type: .float, count: k.count, validity: c.validity, storage: .f32(a.map { Float(roundDouble(Double($0), scale, mode)) }))
        case .i128(let a):
            guard case .decimal(_, let s) = c.type, case .decimal(let rp, let rs) = t else { break }
            let out = try loop2(a, a, &fails, Int128(0)) { u, _ in roundDecimal(u, s, scale, rs, rp, mode) } orFail: { u, _ in
                CastKernels.outOfRange(Decimal128.format(u, scale: s), rp, rs)
            }
            return Column(type: t, count: k.count, validity: fails.validity, storage: .i128(out))
        case .i8, .i16, .i32, .i64:
            // Integers: unchanged for scale ≥ 0; otherwise rounded to 10^-scale, overflow is an error.
            if scale >= 0 { return c }
            let lo: Int64, hi: Int64
            switch c.type {
            case .byte: (lo, hi) = (Int64(Int8.min), Int64(Int8.max))
            case .short: (lo, hi) = (Int64(Int16.min), Int64(Int16.max))
            case .int: (lo, hi) = (Int64(Int32.min), Int64(Int32.max))
            default: (lo, hi) = (.min, .max)
            }
            let x = c.asInt64s()
            let out = try loop2(x, x, &fails, Int64(0)) { v, _ -> Int64? in
                let q = divPow10(Int128(v), -scale, mode)
                let (r, o) = q.multipliedReportingOverflow(by: Int128(pow10UInt128(min(-scale, 38))))
                guard !o, r >= Int128(lo), r <= Int128(hi) else { return nil }
                return Int64(r)
            } orFail: { _, _ in overflow("Overflow") }
            return try integralColumn(out, c.type, fails.validity)
        default: break
        }
        throw EmberError.internalError("round of \(c.type.sql)")
    }

    /// A decimal rounded to `scale` digits, expressed at the result scale `rs` (≤ 38 digits `rp`).
    static func roundDecimal(_ u: Int128, _ s: Int, _ scale: Int, _ rs: Int, _ rp: Int, _ mode: Rounding) -> Int128? {
        let q = scale >= s ? u : divPow10(u, s - scale, mode)
        let qs = min(scale, s)  // scale of q
        guard let v = Decimal128.rescale(q, from: qs, to: rs), v.magnitude < pow10UInt128(rp) else { return nil }
        return v
    }

    /// Spark rounds doubles through `BigDecimal(x)` — the shortest decimal text of x — so
    /// round(1.005, 2) = 1.01 and round(2.675, 2) = 2.68. Non-finite values pass through.
    static func roundDouble(_ x: Double, _ scale: Int, _ mode: Rounding) -> Double {
        guard x.isFinite else { return x }
        if scale >= 0 && x == x.rounded() { return x }
        if scale == 0 {
            // A .5 tie is exact for |x| < 2^52, so binary rounding equals the decimal rule here.
            return x.rounded(mode == .halfUp ? .toNearestOrAwayFromZero : .toNearestOrEven)
        }
        var text = x.description
        let r: Int128? = text.withUTF8 { b in
            if case .value(let v) = CastKernels.parseDecimal(b, precision: 38, scale: scale, halfEven: mode == .halfEven) { return v }
            return nil
        }
        guard let v = r else { return x }
        if scale > 0 { return CastKernels.decimalToDouble(v, scale) }
        return Double("\(v)e\(-scale)") ?? x
    }

    static func floorCeil(_ k: KernelCall, _ mode: Rounding) throws -> Column {
        let c = k.args[0]
        let t = k.resultType
        switch c.storage {
        case .f64, .f32:
            // Java's Math.floor(x).toLong: saturating, NaN → 0.
            let out = c.asDoubles().map { x -> Int64 in
                let r = mode == .floor ? x.rounded(.down) : x.rounded(.up)
                return r.isNaN ? 0 : (r >= 0x1p63 ? .max : (r <= -0x1p63 ? .min : Int64(r)))
            }
            return .int64s(out, validity: c.validity)
        case .i8, .i16, .i32, .i64:
            return .int64s(c.asInt64s(), validity: c.validity)
        case .i128(let a):
            guard case .decimal(_, let s) = c.type, case .decimal(let rp, let rs) = t else { break }
            let scale = k.args.count > 1 ? scaleArg(k) : 0
            var fails = Failures(validity: c.validity, count: k.count, mode: k.ctx.ansi ? .ansi : .legacy)
            let out = try loop2(a, a, &fails, Int128(0)) { u, _ in roundDecimal(u, s, scale, rs, rp, mode) } orFail: { u, _ in
                CastKernels.outOfRange(Decimal128.format(u, scale: s), rp, rs)
            }
            return Column(type: t, count: k.count, validity: fails.validity, storage: .i128(out))
        default: break
        }
        throw EmberError.internalError("\(mode == .floor ? "floor" : "ceil") of \(c.type.sql)")
    }

    // MARK: conv, shifts, width_bucket

    /// Spark's `conv(num, fromBase, toBase)`: digits up to the first invalid character, 64-bit
    /// unsigned arithmetic (a negative input wraps unless toBase is negative), upper-case output.
    static func conv(_ k: KernelCall) throws -> Column {
        let s = k.args[0], fb = k.args[1].asInt64s(), tb = k.args[2].asInt64s()
        var out = CastKernels.TextOut(count: k.count, bytesPerRow: 8)
        var valid = combinedValidity(k.args, count: k.count) ?? Bitmap(count: k.count, value: true)
        for i in 0..<k.count {
            guard valid[i] else { out.endRow(); continue }
            let from = Int(fb[i]), to = Int(tb[i])
            let text = Array(s.bytesAt(i))
            guard (2...36).contains(from), (2...36).contains(Swift.abs(to)), !text.isEmpty else { valid[i] = false; out.endRow(); continue }
            var j = 0
            let neg = text[0] == UInt8(ascii: "-")
            if neg { j = 1 }
            var v: UInt64 = 0
            var overflowed = false
            while j < text.count {
                let c = text[j] | 0x20
                let d: Int = c >= 48 && c <= 57 ? Int(c - 48) : (c >= 97 && c <= 122 ? Int(c - 87) : 99)
                if d >= from { break }
                let (m, o1) = v.multipliedReportingOverflow(by: UInt64(from))
                let (a, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 { overflowed = true; break }
                v = a
                j += 1
            }
            if overflowed {
                if k.ctx.ansi { throw overflow("Overflow in function conv()") }
                v = .max
            }
            var negOut = false
            if neg {
                if to > 0 { v = 0 &- v } else { negOut = true }
            } else if to < 0 && Int64(bitPattern: v) < 0 {
                v = 0 &- v
                negOut = true
            }
            out.append((negOut ? "-" : "") + String(v, radix: Swift.abs(to), uppercase: true))
        }
        return out.column(k.count, valid)
    }

    /// Shifts use Java's masking of the distance (n & 31 for INT, n & 63 for BIGINT).
    static func shift(_ k: KernelCall, _ f: (Int64, Int64, Int) -> Int64) throws -> Column {
        let t = k.resultType
        let x = try arg(k, 0, t).asInt64s(), n = k.args[1].asInt64s()
        let w = t == .long ? 64 : 32
        return try integralColumn(zip(x, n).map { f($0, $1, w) }, t, combinedValidity(k.args, count: k.count))
    }

    static func widthBucket(_ k: KernelCall) throws -> Column {
        let v = k.args[0].asDoubles(), lo = k.args[1].asDoubles(), hi = k.args[2].asDoubles(), nb = k.args[3].asInt64s()
        var valid = combinedValidity(k.args, count: k.count) ?? Bitmap(count: k.count, value: true)
        var out = [Int64](repeating: 0, count: k.count)
        for i in 0..<k.count {
            let x = v[i], mn = lo[i], mx = hi[i], n = nb[i]
            guard n > 0, n != .max, mn != mx, x.isFinite, mn.isFinite, mx.isFinite else { valid[i] = false; continue }
            let lower = Swift.min(mn, mx), upper = Swift.max(mn, mx)
            let nd = Double(n)
            if mn < mx {
                out[i] = x < lower ? 0 : (x >= upper ? n + 1 : Int64(nd * (x - lower) / (mx - mn)) + 1)
            } else {
                out[i] = x > upper ? 0 : (x <= lower ? n + 1 : Int64(nd * (upper - x) / (mn - mx)) + 1)
            }
        }
        return .int64s(out, validity: valid)
    }
}

// MARK: - 256-bit helpers for exact decimal multiply/divide

/// An unsigned 256-bit integer, just enough for Spark's exact decimal products and quotients.
struct U256 {
    var hi: UInt128
    var lo: UInt128

    init(hi: UInt128 = 0, lo: UInt128) {
        self.hi = hi
        self.lo = lo
    }

    init(_ v: UInt128) { self.init(hi: 0, lo: v) }

    static func product(_ a: UInt128, _ b: UInt128) -> U256 {
        let r = a.multipliedFullWidth(by: b)
        return U256(hi: r.high, lo: r.low)
    }

    /// self * m, nil on overflow of 256 bits.
    func times(_ m: UInt128) -> U256? {
        let l = lo.multipliedFullWidth(by: m)
        let h = hi.multipliedFullWidth(by: m)
        guard h.high == 0 else { return nil }
        let (s, o) = h.low.addingReportingOverflow(l.high)
        return o ? nil : U256(hi: s, lo: l.low)
    }

    func timesPow10(_ k: Int) -> U256? {
        var r = self
        var left = k
        while left > 0 {
            let step = Swift.min(left, 38)
            guard let n = r.times(pow10UInt128(step)) else { return nil }
            r = n
            left -= step
        }
        return r
    }

    /// Quotient and remainder by a 128-bit divisor.
    func divided(by d: UInt128) -> (U256, UInt128) {
        let (qh, rh) = hi.quotientAndRemainder(dividingBy: d)
        let (ql, r) = d.dividingFullWidth((high: rh, low: lo))
        return (U256(hi: qh, lo: ql), r)
    }

    var plusOne: U256 {
        let (l, o) = lo.addingReportingOverflow(1)
        return U256(hi: o ? hi &+ 1 : hi, lo: l)
    }

    /// self × 10^k (k ≥ 0) or self / 10^-k rounded HALF_UP (k < 0); nil on overflow.
    func scaled(by k: Int) -> U256? {
        if k >= 0 { return timesPow10(k) }
        var r = self
        var left = -k
        while left > 38 {
            // Truncating early steps is exact for HALF_UP: only the last dropped digit decides.
            r = r.divided(by: pow10UInt128(38)).0
            left -= 38
        }
        let d = pow10UInt128(left)
        let (q, rem) = r.divided(by: d)
        return rem >= d - rem ? q.plusOne : q
    }
}

extension CastKernels.Failures {
    init(validity: Bitmap?, count: Int, mode: CastMode) {
        self.mode = mode
        self.count = count
        self.validity = validity
    }
}

extension Column {
    /// The typed values array when the storage holds `T`.
    func typedArray<T>() -> [T]? {
        switch storage {
        case .i8(let a): return T.self == Int8.self ? unsafeBitCast(a, to: [T].self) : nil
        case .i16(let a): return T.self == Int16.self ? unsafeBitCast(a, to: [T].self) : nil
        case .i32(let a): return T.self == Int32.self ? unsafeBitCast(a, to: [T].self) : nil
        case .i64(let a): return T.self == Int64.self ? unsafeBitCast(a, to: [T].self) : nil
        default: return nil
        }
    }

    /// This column with a (possibly narrower) validity.
    func withValidity(_ v: Bitmap?) -> Column {
        Column(type: type, count: count, validity: v, storage: storage)
    }
}
