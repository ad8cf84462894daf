import EmberExec
import EmberPlan

/// A vectorized Swift function usable in `select`, `withColumn` and `filter`: it gets its
/// argument columns (each `count` rows) and returns one column of `returnType`. The call
/// stays lazy: it runs batch by batch wherever the plan evaluates it, on every core.
public struct UserDefinedFunction {
    public let function: UserFunction

    public func callAsFunction(_ args: Column...) -> Column { callAsFunction(args) }

    public func callAsFunction(_ args: [Column]) -> Column {
        Column(.function(name: function.key, args: args.map(\.expr), isDistinct: false))
    }
}

/// Registers `body` as a function returning `returnType`; `name` shows in plans. A column
/// made by a call to it (and named by `withColumn` or `alias`) carries `metadata`.
public func udf(
    _ name: String, returnType: DataType, nullable: Bool = true, metadata: [String: String] = [:],
    _ body: @escaping (_ args: [EmberColumnar.Column], _ count: Int) throws -> EmberColumnar.Column
) -> UserDefinedFunction {
    let kernel = UserKernel { call in try body(call.args, call.count) }
    return UserDefinedFunction(function: UserFunctions.register(name: name, returnType: returnType, nullable: nullable, metadata: metadata, implementation: kernel))
}
