import ArgumentParser
import Ember
import EmberDatagen
import EmberML
import Foundation

/// `ember example …`: small end-to-end programs over generated data.
struct ExampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example", abstract: "Run an example program on generated data.",
        subcommands: [TextExample.self, PiExample.self, WordCountExample.self, HumidityExampleCommand.self])
}

/// Text classification: Tokenizer → StopWordsRemover → HashingTF → IDF → LogisticRegression
/// on a generated corpus of labelled reviews.
struct TextExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text", abstract: "Classify generated reviews with a bag-of-words logistic regression.")

    @Option(help: "Documents to generate.") var docs: Int = 20_000
    @Option(help: "Random seed of the corpus and the split.") var seed: Int = 42
    @Option(help: "HashingTF numFeatures.") var numFeatures: Int = 1 << 18
    @Option(help: "Worker threads (default: every core).") var cores: Int?

    /// The pipeline, as `ember ml fit` would read it.
    var spec: String {
        """
        {"stages": [
          {"class": "Tokenizer", "params": {"inputCol": "text", "outputCol": "words"}},
          {"class": "StopWordsRemover", "params": {"inputCol": "words", "outputCol": "filtered"}},
          {"class": "HashingTF", "params": {"inputCol": "filtered", "outputCol": "tf", "numFeatures": \(numFeatures)}},
          {"class": "IDF", "params": {"inputCol": "tf", "outputCol": "features"}},
          {"class": "LogisticRegression", "params": {"maxIter": 50, "regParam": 0.01}}
        ]}
        """
    }

    func run() throws {
        try reportingErrors {
            let spark = try Session.local(cores: cores)
            var t = Date()
            func lap(_ what: String) {
                print("\(what) takes \(String(format: "%.2f", Date().timeIntervalSince(t))) s")
                t = Date()
            }
            let corpus = try TextCorpus.generate(session: spark, documents: docs, seed: UInt64(max(0, seed)))
            let split = try corpus.randomSplit([0.8, 0.2], seed: Int64(seed))
            let train = try split[0].cache(), test = try split[1].cache()
            print("Corpus: \(docs) documents (\(try train.count()) train, \(try test.count()) test)")
            try corpus.limit(3).show(3, truncate: true)
            lap("Generation")
            let model = try MLJobs.pipeline(spec: Data(spec.utf8)).fit(train)
            lap("Training")
            let predictions = try model.transform(test).cache()
            _ = try predictions.count()
            lap("Transformation")
            let auc = try MLJobs.evaluator("binary", metric: "areaUnderROC").evaluate(predictions)
            let accuracy = try MLJobs.evaluator("multiclass", metric: "accuracy").evaluate(predictions)
            lap("Evaluation")
            try predictions.select("id", "label", "probability", "prediction").limit(5).show(5, truncate: true)
            print("Accuracy is \(accuracy)")
            print("AUC is \(auc)")
        }
    }
}
