import Ember
import EmberCore

/// Scores a transformed DataFrame (Spark's `Evaluator`). Evaluators are pipeline stages so
/// that they save and load like any other (`CrossValidator` saves its evaluator).
/// Subclasses override `evaluate` and `isLargerBetter`.
open class Evaluator: PipelineStage {
    open override class var sparkPackage: String { "org.apache.spark.ml.evaluation" }

    /// The metric of `df` (which holds predictions and labels).
    open func evaluate(_ df: DataFrame) throws -> Double {
        throw EmberError.unsupported("\(Self.className) does not implement evaluate")
    }

    /// Whether a larger metric is better (false for errors such as rmse).
    open var isLargerBetter: Bool { true }

    /// The metric with `extra` params applied to a copy.
    public func evaluate(_ df: DataFrame, _ extra: ParamMap) throws -> Double {
        try copy(extra: extra).evaluate(df)
    }
}
