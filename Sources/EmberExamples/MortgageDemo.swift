import Ember
import EmberDatagen
import EmberML
import Foundation

/// `ember demo mortgage`: the Spark-RAPIDS XGBoost mortgage job on generated data —
/// generate loans, ETL to a labelled Parquet feature table, train a gradient-boosted
/// classifier, transform the test loans and evaluate, printing each phase's time.
public struct MortgageDemo {
    public var loans: Int
    public var seed: UInt64
    public var directory: String
    public var rounds: Int
    public var maxDepth: Int
    public var cores: Int?
    /// Where lines go (stdout by default).
    public var log: (String) -> Void = { print($0) }

    public init(loans: Int = 60_000, seed: UInt64 = 42, directory: String, rounds: Int = 100, maxDepth: Int = 6, cores: Int? = nil) {
        self.loans = loans
        self.seed = seed
        self.directory = directory
        self.rounds = rounds
        self.maxDepth = maxDepth
        self.cores = cores
    }

    /// The result of a run.
    public struct Result {
        public var trainRows: Int
        public var testRows: Int
        public var accuracy: Double
        public var areaUnderROC: Double
        public var seconds: [String: Double]
    }

    /// The classifier: XGBoost-style boosting, as the seed job trains.
    func classifier() throws -> Estimator {
        let spec = """
            {"stages": [{"class": "XGBoostClassifier", "params": {"featuresCol": "features", "labelCol": "delinquency_12",
              "num_round": \(rounds), "max_depth": \(maxDepth), "eta": 0.1, "max_bin": 256, "objective": "binary:logistic"}}]}
            """
        let p = try MLJobs.pipeline(spec: Data(spec.utf8))
        guard let e = p.stages.first as? Estimator else { throw EmberError.internalError("XGBoostClassifier is not an estimator") }
        return e
    }

    public func run() throws -> Result {
        let spark = try Session.local(cores: cores)
        var seconds: [String: Double] = [:]
        var t = Date()
        func phase(_ name: String) {
            let s = Date().timeIntervalSince(t)
            seconds[name] = s
            log("\(name) takes \(String(format: "%.2f", s)) s")
            t = Date()
        }
        let raw = directory + "/raw", features = directory + "/features"
        let gen = try LoanGenerator(loans: loans, seed: seed)
        if let s = try LoanDatagen.write(gen, to: raw, options: LoanDatagenOptions(cores: cores, mode: .overwrite)) {
            log("Generated \(s.loans) loans, \(s.performanceRows) monthly rows in \(raw)")
        }
        phase("Data generation")

        try MortgageETL.features(spark, dir: raw).write.mode("overwrite").parquet(features)
        phase("ETL")

        let table = spark.read.parquet(features)
        let assembled = try VectorAssembler(inputCols: MortgageETL.featureColumns, outputCol: "features", handleInvalid: "keep").transform(table)
        // Loans, not months, are split: every month of a loan is on the same side.
        let isTest = callFunction("pmod", callFunction("xxhash64", col("loan_id")), lit(5)) === 0
        let train = try assembled.filter(!isTest).cache(), test = try assembled.filter(isTest).cache()
        let trainRows = try train.count(), testRows = try test.count()
        log("Training on \(trainRows) rows, testing on \(testRows) (\(loans) loans)")
        let model = try classifier().fit(train)
        phase("Training")

        let predictions = try model.transform(test).select("delinquency_12", "rawPrediction", "probability", "prediction").cache()
        _ = try predictions.count()
        phase("Transformation")

        let accuracyEvaluator = try MLJobs.evaluator("multiclass", metric: "accuracy")
        let aucEvaluator = try MLJobs.evaluator("binary", metric: "areaUnderROC")
        for e in [accuracyEvaluator, aucEvaluator] { try e.set(name: "labelCol", json: "delinquency_12") }
        let accuracy = try accuracyEvaluator.evaluate(predictions)
        let auc = try aucEvaluator.evaluate(predictions)
        phase("Evaluation")
        log("Accuracy is \(accuracy)")
        log("AUC is \(auc)")
        return Result(trainRows: trainRows, testRows: testRows, accuracy: accuracy, areaUnderROC: auc, seconds: seconds)
    }
}

