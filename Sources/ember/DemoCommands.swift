import ArgumentParser
import Ember
import EmberDatagen
import EmberExamples
import Foundation

/// `ember demo mortgage`: the README's main job.
struct MortgageDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mortgage",
        abstract: "Generate mortgage loans, run the delinquency ETL, train a gradient-boosted classifier, evaluate it.")

    @Option(help: "Loans to generate.") var loans: Int = 60_000
    @Option(help: "Random seed of the data.") var seed: UInt64 = 42
    @Option(help: "Boosting rounds.") var rounds: Int = 100
    @Option(help: "Tree depth.") var maxDepth: Int = 6
    @Option(help: "Working directory (raw data and the Parquet feature table).") var dir: String = NSTemporaryDirectory() + "ember-mortgage"
    @Option(help: "Worker threads (default: every core).") var cores: Int?

    func run() throws {
        try reportingErrors {
            _ = try MortgageDemo(loans: loans, seed: seed, directory: dir, rounds: rounds, maxDepth: maxDepth, cores: cores).run()
        }
    }
}

/// `ember example pi`.
struct PiExample: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pi", abstract: "Estimate π by Monte Carlo sampling (Spark's SparkPi).")

    @Option(help: "Random points.") var samples: Int64 = 10_000_000
    @Option(help: "Random seed.") var seed: Int64 = 42

    func run() throws {
        try reportingErrors {
            print("Pi is roughly \(try SmallExamples.pi(try Session.local(), samples: samples, seed: seed))")
        }
    }
}

/// `ember example wordcount`.
struct WordCountExample: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wordcount", abstract: "Count words of text files (or of a generated corpus).")

    @Argument(help: "Text files or directories (default: 20,000 generated reviews).") var paths: [String] = []
    @Option(help: "Words to show.") var top: Int = 20

    func run() throws {
        try reportingErrors {
            let spark = try Session.local()
            let lines = paths.isEmpty
                ? try TextCorpus.generate(session: spark, documents: 20_000)
                : spark.read.format("text").load(paths)
            try SmallExamples.wordCount(lines, column: paths.isEmpty ? "text" : "value").show(top)
        }
    }
}


/// `ember example humidity`.
struct HumidityExampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "humidity", abstract: "Random-forest regression of daily humidity on a generated 30-year weather series.")

    @Option(help: "Years of daily weather.") var years: Int = 30
    @Option(help: "Trees in the forest.") var numTrees: Int = 50
    @Option(help: "Tree depth.") var maxDepth: Int = 8

    func run() throws {
        try reportingErrors {
            _ = try HumidityExample.run(try Session.local(), years: years, numTrees: numTrees, maxDepth: maxDepth)
        }
    }
}
