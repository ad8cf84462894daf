/// The params many stages share, with Spark's names and docs (Spark's `HasInputCol`…).
public enum SharedParams {
    public static func inputCol() -> Param<String> { Param("inputCol", "input column name") }
    public static func inputCols() -> Param<[String]> { Param("inputCols", "input column names") }
    public static func outputCol() -> Param<String> { Param("outputCol", "output column name") }
    public static func outputCols() -> Param<[String]> { Param("outputCols", "output column names") }
    public static func featuresCol() -> Param<String> { Param("featuresCol", "features column name", default: "features") }
    public static func labelCol() -> Param<String> { Param("labelCol", "label column name", default: "label") }
    public static func predictionCol() -> Param<String> { Param("predictionCol", "prediction column name", default: "prediction") }
    public static func rawPredictionCol() -> Param<String> {
        Param("rawPredictionCol", "raw prediction (a.k.a. confidence) column name", default: "rawPrediction")
    }
    public static func probabilityCol() -> Param<String> {
        Param("probabilityCol", "Column name for predicted class conditional probabilities. Note: Not all models output well-calibrated probability estimates! These probabilities should be treated as confidences, not precise probabilities", default: "probability")
    }
    public static func weightCol() -> Param<String> {
        Param("weightCol", "weight column name. If this is not set or empty, we treat all instance weights as 1.0")
    }
    public static func maxIter(_ d: Int) -> Param<Int> { Param("maxIter", "maximum number of iterations (>= 0)", default: d, .gtEq(0)) }
    public static func regParam(_ d: Double = 0) -> Param<Double> { Param("regParam", "regularization parameter (>= 0)", default: d, .gtEq(0)) }
    public static func elasticNetParam(_ d: Double = 0) -> Param<Double> {
        Param("elasticNetParam", "the ElasticNet mixing parameter, in range [0, 1]. For alpha = 0, the penalty is an L2 penalty. For alpha = 1, it is an L1 penalty", default: d, .inRange(0, 1))
    }
    public static func tol(_ d: Double = 1e-6) -> Param<Double> { Param("tol", "the convergence tolerance for iterative algorithms (>= 0)", default: d, .gtEq(0)) }
    public static func fitIntercept(_ d: Bool = true) -> Param<Bool> { Param("fitIntercept", "whether to fit an intercept term", default: d) }
    public static func standardization(_ d: Bool = true) -> Param<Bool> {
        Param("standardization", "whether to standardize the training features before fitting the model", default: d)
    }
    public static func seed(_ d: Int) -> Param<Int> { Param("seed", "random seed", default: d) }
    public static func handleInvalid(_ doc: String, default d: String, _ options: [String]) -> Param<String> {
        Param("handleInvalid", doc, default: d, .oneOf(options))
    }
    public static func aggregationDepth() -> Param<Int> { Param("aggregationDepth", "suggested depth for treeAggregate (>= 2)", default: 2, .gtEq(2)) }
    public static func threshold(_ d: Double = 0.5) -> Param<Double> {
        Param("threshold", "threshold in binary classification prediction, in range [0, 1]", default: d, .inRange(0, 1))
    }
    public static func thresholds() -> Param<[Double]> {
        Param("thresholds", "Thresholds in multi-class classification to adjust the probability of predicting each class. Array must have length equal to the number of classes, with values > 0 excepting that at most one value may be 0. The class with largest value p/t is predicted, where p is the original probability of that class and t is the class's threshold",
              ParamValidator("must be non-negative with at most one 0") { t in t.allSatisfy { $0 >= 0 } && t.filter { $0 == 0 }.count <= 1 })
    }
}
