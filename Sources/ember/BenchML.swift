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

    @Argument(help: "lr (logistic regression, 1M × 30), linreg (linear regression, 1M × 30) or text (HashingTF + IDF + LR).")
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
            default:
                throw ValidationError("unknown task \(task): lr, linreg or text")
            }
            _ = try train.count()
            _ = try test.count()
            let load = Date().timeIntervalSince(t0)
            let t1 = Date()
            let model = try MLJobs.pipeline(spec: Data(spec.utf8)).fit(train)
            let fit = Date().timeIntervalSince(t1)
            let value = try evaluator.evaluate(try model.transform(test))
            let metric = evaluator.paramMap["metricName"]?.display ?? ""
            var iterations = -1
            if let lr = model.stages.last as? LogisticRegressionModel, lr.hasSummary { iterations = try lr.summary.totalIterations }
            print(#"{"engine":"ember","task":"\#(task)","fit_seconds":\#(fit),"load_seconds":\#(load),"metric":"\#(metric)","value":\#(value),"iterations":\#(iterations)}"#)
        }
    }
}
