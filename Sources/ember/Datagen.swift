import ArgumentParser
import Ember
import EmberDatagen
import EmberExamples
import enum EmberIO.SaveMode
import Foundation

/// `ember datagen …`: synthetic datasets.
struct DatagenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datagen", abstract: "Generate synthetic datasets.", subcommands: [DatagenLoansCommand.self, DatagenTextCommand.self, DatagenMortgageCommand.self])
}

enum DatagenFormat: String, ExpressibleByArgument {
    case csv, parquet
}

/// `ember datagen loans --loans N --seed S --out DIR`: mortgage acquisition and monthly
/// performance tables shaped like Fannie Mae's loan performance data (docs/datagen-loans.md).
struct DatagenLoansCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loans",
        abstract: "Synthetic mortgage loans: DIR/acquisition and DIR/performance, pipe-delimited like Fannie Mae's files.")

    @Option(help: "Number of loans.") var loans: Int
    @Option(help: "Random seed; the same seed gives the same bytes on any number of cores.") var seed: UInt64 = 42
    @Option(help: "Output directory (written atomically).") var out: String
    @Option(help: "csv (pipe-delimited text, no header) or parquet.") var format: DatagenFormat = .csv
    @Option(help: "Year of the first acquisition quarter.") var startYear: Int = 2000
    @Option(help: "Number of acquisition quarters.") var quarters: Int = 4
    @Option(help: "Last year of performance observed (default: 10 years after the last acquisition year).")
    var endYear: Int?
    @Option(help: "Loans per part file.") var loansPerPart: Int = 10_000
    @Option(help: "Worker threads (default: every core).") var cores: Int?
    @Flag(help: "Replace DIR if it exists.") var overwrite = false

    func run() throws {
        do {
            let generator = try LoanGenerator(loans: loans, seed: seed, startYear: startYear, quarters: quarters, endYear: endYear)
            let fileFormat: LoanOutputFormat
            switch format {
            case .csv: fileFormat = .csv
            case .parquet: fileFormat = try LoanOutputFormat.parquet()
            }
            let options = LoanDatagenOptions(
                cores: cores, loansPerPart: loansPerPart, format: fileFormat, mode: overwrite ? .overwrite : .errorIfExists)
            guard let s = try LoanDatagen.write(generator, to: out, options: options) else { return }
            let rate = s.seconds > 0 ? Double(s.performanceRows) / s.seconds : 0
            let last = generator.quarterLabel(generator.quarters - 1)
            print(
                "wrote \(s.loans) loans (\(generator.quarterLabel(0))–\(last)) and \(s.performanceRows) performance rows "
                    + "(through 12/\(generator.endYear)) in \(s.parts) parts to \(out) in "
                    + "\(String(format: "%.2f", s.seconds)) s: \(String(format: "%.2f", rate / 1e6))M performance rows/s, "
                    + "\(String(format: "%.1f", Double(s.acquisitionBytes + s.performanceBytes) / 1_048_576)) MiB")
        } catch let e as EmberError {
            FileHandle.standardError.write("[\(e.errorClass)] \(e.message)\n".data(using: .utf8) ?? Data())
            throw ExitCode(1)
        }
    }
}

/// `ember datagen text --docs N --out DIR`: labelled reviews (id, label, text) as Parquet.
struct DatagenTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text", abstract: "Synthetic labelled reviews (id BIGINT, label DOUBLE, text STRING) as Parquet.")

    @Option(help: "Number of documents.") var docs: Int
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Output directory (replaced if it exists).") var out: String

    func run() throws {
        let spark = try Session.local()
        try TextCorpus.generate(session: spark, documents: docs, seed: seed).write.mode("overwrite").parquet(out)
        print("wrote \(docs) documents to \(out)")
    }
}

/// `ember datagen mortgage --loans N --out DIR`: raw loans (DIR/raw) and the demo's labelled
/// feature table (DIR/features, Parquet), the input of the boosting and forest benchmarks.
struct DatagenMortgageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mortgage", abstract: "Generated loans and the mortgage demo's labelled feature table (Parquet).")

    @Option(help: "Number of loans.") var loans: Int
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Output directory: raw/ and features/.") var out: String

    func run() throws {
        try reportingErrors {
            let spark = try Session.local()
            _ = try LoanDatagen.write(try LoanGenerator(loans: loans, seed: seed), to: out + "/raw", options: LoanDatagenOptions(mode: .overwrite))
            try MortgageETL.features(spark, dir: out + "/raw").write.mode("overwrite").parquet(out + "/features")
            print("wrote \(try spark.read.parquet(out + "/features").count()) feature rows to \(out)/features")
        }
    }
}
