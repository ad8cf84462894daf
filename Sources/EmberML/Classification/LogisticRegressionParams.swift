/// The params of `LogisticRegression` and `LogisticRegressionModel` beyond the shared ones,
/// with Spark 4.1's names, docs and defaults.
enum LogisticRegressionParams {
    static func family() -> Param<String> {
        Param("family", "The name of family which is a description of the label distribution to be used in the model. Supported options: auto, binomial, multinomial.",
              default: "auto", .oneOf(["auto", "binomial", "multinomial"]))
    }
    static func maxBlockSizeInMB() -> Param<Double> {
        Param("maxBlockSizeInMB", "Maximum memory in MB for stacking input data into blocks. Data is stacked within partitions. If more than remaining data size in a partition then it is adjusted to the data size. Default 0.0 represents choosing optimal value, depends on specific algorithm. Must be >= 0.",
              default: 0.0, .gtEq(0))
    }
}

/// The threshold/thresholds logic both classes share (Spark's `LogisticRegressionParams`).
protocol LogisticThresholds: Params {
    var threshold: Param<Double> { get }
    var thresholds: Param<[Double]> { get }
}

extension LogisticThresholds {
    /// The binary threshold: `threshold`, or 1/(1 + t₀/t₁) from `thresholds` when those are
    /// set; throws when both are set and disagree, or `thresholds` has not 2 entries.
    func binaryThreshold() throws -> Double {
        if isSet(thresholds.name), let ts = get(thresholds) {
            guard ts.count == 2 else {
                throw MLError.invalidParam(uid, "thresholds", "must have length 2 for binary classification, but had length \(ts.count)")
            }
            let t = 1.0 / (1.0 + ts[0] / ts[1])
            if isSet(threshold.name), let t0 = get(threshold), abs(t0 - t) >= 1e-5 {
                throw MLError.invalidParam(uid, "threshold", "is \(t0) but thresholds \(ts) are equivalent to threshold \(t): Logistic Regression found inconsistent values for threshold and thresholds")
            }
            return t
        }
        return try value(threshold)
    }
}
