import Ember
import EmberCore

/// Computes a metric from a DataFrame of predictions (Spark's `Evaluator`). Evaluators are
/// pipeline stages only so that they save and load like every other stage (metadata with
/// their params); they are neither transformers nor estimators.
open class Evaluator: PipelineStage {
    open override class var sparkPackage: String { "org.apache.spark.ml.evaluation" }

    /// The metric of the rows of `df`.
    open func evaluate(_ df: DataFrame) throws -> Double {
        throw EmberError.unsupported("\(Self.className) does not implement evaluate")
    }

    /// `evaluate` with `extra` params applied to a copy.
    public func evaluate(_ df: DataFrame, _ extra: ParamMap) throws -> Double {
        try copy(extra: extra).evaluate(df)
    }

    /// Whether a larger metric is better (model selection maximises or minimises it).
    open var isLargerBetter: Bool { true }
}

/// Column reads shared by the evaluators.
enum EvaluatorColumns {
    /// The doubles of `c` (a numeric column cast to double), NULLs as NaN.
    static func doubles(_ batches: [RecordBatch], _ k: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(batches.reduce(0) { $0 + $1.count })
        for b in batches {
            let c = b.columns[k]
            if let xs = c.doubles, !c.hasNulls { out.append(contentsOf: xs); continue }
            for i in 0..<c.count { out.append(c.isNull(i) ? .nan : (c.doubles?[i] ?? .nan)) }
        }
        return out
    }

    /// The weight column (cast to double) or `lit(1.0)`.
    static func weight(_ stage: PipelineStage, _ schema: Schema, _ p: Param<String>) throws -> Ember.Column {
        guard let w = stage.get(p), !w.isEmpty else { return lit(.double(1.0)) }
        try SchemaUtils.checkNumericType(schema, w, stage: stage.uid)
        return col(w).cast(.double)
    }

    /// Checks weights are finite and non-negative, as Spark's `checkNonNegativeWeight`.
    static func checkWeights(_ w: [Double], stage: String) throws {
        for (i, x) in w.enumerated() where !(x >= 0 && x.isFinite) {
            throw MLError.invalidData(stage, "weights must be non-negative and finite, got \(x) at row \(i)")
        }
    }
}
