import ArgumentParser
import Ember
import EmberML
import Foundation

/// `ember bench-ml TASK --data DIR`: Ember's side of bench/ml.py. Reads the task's Parquet
/// input, fits the model once (the timed part) and scores a held-out file; prints one JSON
/// line {"engine","task","fit_seconds","load_seconds","metric","value"}.
struct BenchMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-ml", abstract: "Benchmark one ML task (lr, linreg, text) over the data of bench/ml_data.py.")

    @Argument(help: "lr (logistic regression, 1M × 30), linreg (linear regression, 1M × 30), text (HashingTF + IDF + LR), xgb (boosting), rf (random forest), kmeans or pca (mortgage features).")
    var task: String
    @Option(help: "Directory of bench/ml_data.py's files.") var data: String = "bench/data/ml"
    @Option(help: "Worker threads (default: every core).") var cores: Int?

    func run() throws {
        try reportingErrors {
            let spark = try Session.local(cores: cores)
            let t0 = Date()
            let spec: String
            let train: DataFrame, test: DataFrame
            let evaluator: Evaluator
            switch task {
            case "lr", "linreg":
                let name = task == "lr" ? "classification" : "regression"
                train = try spark.read.parquet(data + "/\(name)-train.parquet").cache()
                test = try spark.read.parquet(data + "/\(name)-test.parquet").cache()
                let cols = try train.columns.filter { $0.hasPrefix("x") }
                let inputs = "[" + cols.map { "\"\($0)\"" }.joined(separator: ",") + "]"
                let model = task == "lr"
                    ? #"{"class": "LogisticRegression", "params": {"maxIter": 100, "regParam": 0.01}}"#
                    : #"{"class": "LinearRegression", "params": {"maxIter": 100, "regParam": 0.01}}"#
                spec = #"{"stages": [{"class": "VectorAssembler", "params": {"inputCols": \#(inputs), "outputCol": "features"}}, \#(model)]}"#
                evaluator = try MLJobs.evaluator(task == "lr" ? "binary" : "regression", metric: task == "lr" ? "areaUnderROC" : "rmse")
            case "text":
                train = try spark.read.parquet(data + "/text-train.parquet").cache()
                test = try spark.read.parquet(data + "/text-test.parquet").cache()
                spec = """
                    {"stages": [{"class": "Tokenizer", "params": {"inputCol": "text", "outputCol": "words"}},
                      {"class": "StopWordsRemover", "params": {"inputCol": "words", "outputCol": "filtered"}},
                      {"class": "HashingTF", "params": {"inputCol": "filtered", "outputCol": "tf"}},
                      {"class": "IDF", "params": {"inputCol": "tf", "outputCol": "features"}},
                      {"class": "LogisticRegression", "params": {"maxIter": 100, "regParam": 0.01}}]}
                    """
                evaluator = try MLJobs.evaluator("binary", metric: "areaUnderROC")
            case "xgb", "rf":
                train = try (task == "rf" ? spark.read.parquet(data + "/mortgage-train.parquet").na.fill(.double(-1)) : spark.read.parquet(data + "/mortgage-train.parquet")).cache()
                test = try (task == "rf" ? spark.read.parquet(data + "/mortgage-test.parquet").na.fill(.double(-1)) : spark.read.parquet(data + "/mortgage-test.parquet")).cache()
                let cols = try train.columns.filter { !["loan_id", "period", "delinquency_12"].contains($0) }
                let inputs = "[" + cols.map { "\"\($0)\"" }.joined(separator: ",") + "]"
                // Missing values stay NaN for the booster; the forest gets -1 as Spark's does.
                let model = task == "xgb"
                    ? #"{"class": "XGBoostClassifier", "params": {"labelCol": "delinquency_12", "num_round": 100, "max_depth": 6, "eta": 0.1, "max_bin": 256, "objective": "binary:logistic"}}"#
                    : #"{"class": "RandomForestClassifier", "params": {"labelCol": "delinquency_12", "numTrees": 100, "maxDepth": 10, "seed": 1}}"#
                spec = #"{"stages": [{"class": "VectorAssembler", "params": {"inputCols": \#(inputs), "outputCol": "features", "handleInvalid": "keep"}}, \#(model)]}"#
                evaluator = try MLJobs.evaluator(task == "xgb" ? "binary" : "multiclass", metric: task == "xgb" ? "areaUnderROC" : "accuracy")
                try evaluator.set(name: "labelCol", json: "delinquency_12")
            case "kmeans", "pca":
                let cols = ["orig_interest_rate", "orig_upb", "orig_loan_term", "orig_ltv", "orig_cltv", "dti", "borrower_credit_score",
                            "interest_rate", "current_actual_upb", "loan_age"]
                train = try spark.read.parquet(data + "/mortgage-train.parquet").select(cols.map { callFunction("nanvl", col($0), lit(0.0)).alias($0) })
                    .na.fill(.double(0)).cache()
                test = train
                let inputs = "[" + cols.map { "\"\($0)\"" }.joined(separator: ",") + "]"
                let model = task == "kmeans"
                    ? #"{"class": "KMeans", "params": {"k": 8, "maxIter": 20, "seed": 1}}"#
                    : #"{"class": "PCA", "params": {"k": 5, "inputCol": "features", "outputCol": "pca"}}"#
                spec = #"{"stages": [{"class": "VectorAssembler", "params": {"inputCols": \#(inputs), "outputCol": "features"}}, \#(model)]}"#
                evaluator = try MLJobs.evaluator("clustering", metric: nil)
            default:
                throw ValidationError("unknown task \(task): lr, linreg, text, xgb, rf, kmeans or pca")
            }
            _ = try train.count()
            _ = try test.count()
            let load = Date().timeIntervalSince(t0)
            let t1 = Date()
            let model = try MLJobs.pipeline(spec: Data(spec.utf8)).fit(train)
            let fit = Date().timeIntervalSince(t1)
            var value: Double
            var metric: String
            switch model.stages.last {
            case let m as KMeansModel:
                (metric, value) = ("trainingCost", m.summary?.trainingCost ?? .nan)
            case let m as PCAModel:
                (metric, value) = ("explainedVarianceRatio", m.explainedVariance.toArray().reduce(0, +))
            default:
                value = try evaluator.evaluate(try model.transform(test))
                metric = evaluator.paramMap["metricName"]?.display ?? ""
            }
            var predictRate = -1.0
            if task == "xgb" {
                // Inference throughput: score the test rows (features assembled first).
                let assembled = try model.stages[0].transform(test).select("features").cache()
                let n = try assembled.count()
                let t2 = Date()
                _ = try model.stages[1].transform(assembled).select("probability").collectBatches()
                predictRate = Double(n) / Date().timeIntervalSince(t2)
            }
            var iterations = -1
            if let lr = model.stages.last as? LogisticRegressionModel, lr.hasSummary { iterations = try lr.summary.totalIterations }
            print(#"{"engine":"ember","task":"\#(task)","fit_seconds":\#(fit),"load_seconds":\#(load),"metric":"\#(metric)","value":\#(value),"iterations":\#(iterations),"predict_rows_per_s":\#(predictRate)}"#)
        }
    }
}
