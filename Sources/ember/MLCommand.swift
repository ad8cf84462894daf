import ArgumentParser
import Ember
import EmberML
import Foundation

/// `ember ml fit|transform|evaluate`: pipelines described in JSON, no Swift code.
struct MLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml", abstract: "Fit, apply and evaluate ML pipelines described in JSON.",
        subcommands: [MLFit.self, MLTransform.self, MLEvaluate.self])
}

/// Runs `body`, printing Ember errors as `[CLASS] message` on stderr with exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as EmberError {
        FileHandle.standardError.write("[\(e.errorClass)] \(e.message)\n".data(using: .utf8) ?? Data())
        throw ExitCode(1)
    }
}

struct MLFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a pipeline spec ({\"stages\": [{\"class\": …, \"params\": {…}}]}) on data and save the model.")

    @Option(help: "Pipeline spec (JSON file).") var spec: String
    @Option(help: "Training data: a CSV (header, inferred schema), Parquet or JSON lines file or directory.") var data: String
    @Option(help: "Directory to save the fitted PipelineModel to (replaced if it exists).") var out: String
    @Option(help: "Worker threads (default: every core).") var cores: Int?

    func run() throws {
        try reportingErrors {
            guard let specData = FileManager.default.contents(atPath: spec) else {
                throw EmberError.invalidArgument("Cannot read the spec file \(spec).")
            }
            let session = try Session.local(cores: cores)
            let start = Date()
            let model = try MLJobs.fit(spec: specData, data: try MLJobs.read(session, data), out: out)
            print("Fitted \(model.stages.count) stages in \(String(format: "%.2f", Date().timeIntervalSince(start))) s; saved to \(out)")
        }
    }
}

struct MLTransform: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transform", abstract: "Apply a saved model to data and write the predictions (.jsonl, .csv or .parquet).")

    @Option(help: "Saved model directory.") var model: String
    @Option(help: "Input data file or directory.") var data: String
    @Option(help: "Output file: .jsonl, .csv or .parquet.") var out: String
    @Option(help: "Worker threads (default: every core).") var cores: Int?

    func run() throws {
        try reportingErrors {
            let session = try Session.local(cores: cores)
            let stage = try MLReader.load(model)
            guard let t = stage as? Transformer else {
                throw MLError.invalidModelDirectory(model, "it holds a \(type(of: stage).className), which cannot transform")
            }
            try MLJobs.write(try t.transform(try MLJobs.read(session, data)), to: out)
        }
    }
}

struct MLEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Apply a saved model to data and print a metric (its value last on the line).")

    @Option(help: "Saved model directory.") var model: String
    @Option(help: "Data file or directory with labels.") var data: String
    @Option(help: "binary, multiclass, regression or clustering.") var evaluator: String
    @Option(help: "Metric name (default: the evaluator's).") var metric: String?
    @Option(help: "Worker threads (default: every core).") var cores: Int?

    func run() throws {
        try reportingErrors {
            let session = try Session.local(cores: cores)
            let (name, value) = try MLJobs.evaluate(modelDir: model, data: try MLJobs.read(session, data), evaluator: evaluator, metric: metric)
            print("\(name) \(value)")
        }
    }
}
