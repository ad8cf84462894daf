//! EmberExec: physical operators, function kernels, the physical planner and the
//! runtime (scheduler, memory accounting, spill, shuffle, events).
import EmberColumnar
import EmberCore
import EmberPlan

/// What a kernel knows besides its inputs.
public struct EvalContext {
    public var zone: SessionTimeZone
    public var ansi: Bool
    /// Index of the partition the batch belongs to (`spark_partition_id`, id generation).
    public var partitionIndex: Int
    /// Rows of this partition before the current batch (`monotonically_increasing_id`, rand streams).
    public var rowOffset: Int64
    /// Session start time, for `current_date`/`current_timestamp` (one value per query).
    public var queryStartMicros: Int64

    public init(zone: SessionTimeZone = .utc, ansi: Bool = true, partitionIndex: Int = 0, rowOffset: Int64 = 0, queryStartMicros: Int64 = 0) {
        self.zone = zone
        self.ansi = ansi
        self.partitionIndex = partitionIndex
        self.rowOffset = rowOffset
        self.queryStartMicros = queryStartMicros
    }
}

/// One kernel invocation: the resolved call (its argument expressions tell which
/// arguments are literals, so a pattern can be compiled once per batch), the argument
/// columns already evaluated (each of `count` rows), and the context.
public struct KernelCall {
    public let call: FunctionCall
    public let args: [Column]
    public let count: Int
    public let ctx: EvalContext

    public init(call: FunctionCall, args: [Column], count: Int, ctx: EvalContext) {
        self.call = call
        self.args = args
        self.count = count
        self.ctx = ctx
    }

    public var resultType: DataType { call.dataType }

    /// The constant value of argument `i` when it is a literal.
    public func literal(_ i: Int) -> Value? {
        guard i < call.args.count else { return nil }
        if case .literal(let v, _) = call.args[i] { return v }
        return nil
    }
}

/// A vectorized scalar function: whole columns in, one column out.
public typealias ScalarKernel = (KernelCall) throws -> Column

/// The implementation of a `UserFunction`: a kernel over whole columns.
public final class UserKernel {
    public let kernel: ScalarKernel
    public init(_ kernel: @escaping ScalarKernel) { self.kernel = kernel }
}

/// The kernel table, by canonical function name; each family file contributes a list.
public enum ScalarKernels {
    public static let table: [String: ScalarKernel] = {
        var d: [String: ScalarKernel] = [:]
        for family in [CoreKernels.all, MathKernels.all, StringKernels.all, DateKernels.all, MiscKernels.all, CastKernels.all, CollectionKernels.all] {
            for (name, k) in family { d[name] = k }
        }
        return d
    }()
}
