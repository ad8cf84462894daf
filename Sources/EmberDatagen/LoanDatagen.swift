import Ember
import EmberCore
import EmberExec
import EmberIO
import Foundation

/// How `LoanDatagen.write` lays out and runs a generation.
public struct LoanDatagenOptions {
    /// Worker threads (default: every core). The output does not depend on it.
    public var cores: Int?
    /// Loans per part file (a part never spans two acquisition quarters). The bytes of
    /// each table, concatenated in part order, do not depend on it.
    public var loansPerPart: Int
    public var format: LoanOutputFormat
    /// `.errorIfExists` (default), `.overwrite` or `.ignore`; `.append` is refused.
    public var mode: SaveMode
    /// Draw a progress bar on stderr when it is a terminal.
    public var progress: Bool

    public init(
        cores: Int? = nil, loansPerPart: Int = 10_000, format: LoanOutputFormat = .csv, mode: SaveMode = .errorIfExists,
        progress: Bool = true
    ) {
        self.cores = cores
        self.loansPerPart = loansPerPart
        self.format = format
        self.mode = mode
        self.progress = progress
    }
}

/// What a generation wrote.
public struct LoanDatagenSummary: Sendable {
    public var loans: Int
    public var performanceRows: Int
    public var parts: Int
    public var acquisitionBytes: Int
    public var performanceBytes: Int
    public var seconds: Double
}

/// One part file pair: loans of one quarter.
public struct LoanPart: Sendable, Equatable {
    public var index: Int
    public var quarter: Int
    public var loans: Range<Int>
}

/// `ember datagen loans`: writes `DIR/acquisition/` and `DIR/performance/`, each a dataset
/// of part files plus `_SUCCESS`, through one atomic commit of `DIR`.
public enum LoanDatagen {
    /// Loans generated and handed to the sink at a time.
    static let batchLoans = 512

    /// Part files: each quarter's loans cut into runs of `loansPerPart`.
    public static func parts(_ g: LoanGenerator, loansPerPart: Int) -> [LoanPart] {
        var out: [LoanPart] = []
        let step = max(1, loansPerPart)
        for q in 0..<g.quarters {
            let r = g.loans(inQuarter: q)
            var lo = r.lowerBound
            while lo < r.upperBound {
                let hi = min(lo + step, r.upperBound)
                out.append(LoanPart(index: out.count, quarter: q, loans: lo..<hi))
                lo = hi
            }
        }
        return out
    }

    /// `part-00003_2000Q1.csv`: the quarter after the last `_` of the name (before the
    /// extension) is what the Spark-RAPIDS mortgage ETL reads as the `quarter` column.
    public static func partName(_ part: LoanPart, _ g: LoanGenerator, ext: String) -> String {
        let n = String(part.index)
        let padded = n.count >= 5 ? n : String(repeating: "0", count: 5 - n.count) + n
        return "part-\(padded)_\(g.quarterLabel(part.quarter)).\(ext)"
    }

    /// Generates every loan of `generator` into `dir`. Returns nil when `mode` is
    /// `.ignore` and `dir` exists. On any failure nothing is left at `dir` (or its old
    /// contents stay, for `.overwrite`).
    @discardableResult
    public static func write(_ generator: LoanGenerator, to dir: String, options: LoanDatagenOptions = LoanDatagenOptions()) throws
        -> LoanDatagenSummary?
    {
        guard options.mode != .append else {
            throw EmberError.invalidArgument("datagen cannot append to an existing dataset; use overwrite or a new directory.")
        }
        guard options.loansPerPart >= 1 else {
            throw EmberError.invalidArgument("loansPerPart must be at least 1 (got \(options.loansPerPart)).")
        }
        let start = Date()
        let parts = parts(generator, loansPerPart: options.loansPerPart)
        guard let job = try FileCommit.begin(target: dir, mode: options.mode) else { return nil }
        do {
            let ext = options.format.fileExtension
            let acquisitionDir = job.staging + "/acquisition"
            let performanceDir = job.staging + "/performance"
            for d in [acquisitionDir, performanceDir] {
                do { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) } catch {
                    throw EmberError.io("Cannot create \(d): \(error.localizedDescription)")
                }
            }
            let scheduler = Scheduler(cores: options.cores ?? ProcessInfo.processInfo.activeProcessorCount, maxAttempts: 1)
            if options.progress && ProgressBar.enabledByDefault { scheduler.addListener(ProgressBar()) }
            let jobID = scheduler.newJob("datagen loans \(dir)")
            let results: [(rows: Int, acquisitionBytes: Int, performanceBytes: Int)]
            do {
                results = try scheduler.runStage(name: "datagen loans", job: jobID, partitions: parts.count) { p in
                    let part = parts[p]
                    let name = partName(part, generator, ext: ext)
                    let sink = try makeSink(
                        options.format, acquisition: acquisitionDir + "/" + name, performance: performanceDir + "/" + name)
                    return try run(part, generator, sink)
                }
            } catch {
                scheduler.endJob(jobID, succeeded: false, millis: Date().timeIntervalSince(start) * 1000)
                throw error
            }
            scheduler.endJob(jobID, succeeded: true, millis: Date().timeIntervalSince(start) * 1000)
            for d in [acquisitionDir, performanceDir] {
                guard FileManager.default.createFile(atPath: d + "/_SUCCESS", contents: Data()) else {
                    throw EmberError.io("Cannot create \(d)/_SUCCESS.")
                }
            }
            try job.commit()
            return LoanDatagenSummary(
                loans: generator.loans, performanceRows: results.reduce(0) { $0 + $1.rows }, parts: parts.count,
                acquisitionBytes: results.reduce(0) { $0 + $1.acquisitionBytes },
                performanceBytes: results.reduce(0) { $0 + $1.performanceBytes },
                seconds: Date().timeIntervalSince(start))
        } catch {
            job.abort()
            throw error
        }
    }

    static func makeSink(_ format: LoanOutputFormat, acquisition: String, performance: String) throws -> LoanPartSink {
        switch format {
        case .csv:
            return try CSVPartSink(acquisitionPath: acquisition, performancePath: performance)
        case .batches(_, let open):
            let a = try open(acquisition, try LoanSchemas.acquisition(typed: true))
            let p = try open(performance, try LoanSchemas.performance(typed: true))
            return BatchPartSink(acquisition: a, performance: p)
        }
    }

    /// Generates one part's loans in batches into `sink`.
    static func run(_ part: LoanPart, _ g: LoanGenerator, _ sink: LoanPartSink) throws
        -> (rows: Int, acquisitionBytes: Int, performanceBytes: Int)
    {
        var acquisition = AcquisitionColumns()
        var performance = PerformanceColumns()
        var buffer = PerformanceBuffer()
        defer { buffer.deallocate() }
        acquisition.reserve(batchLoans)
        performance.reserve(batchLoans * 64)
        var rows = 0
        var lo = part.loans.lowerBound
        while lo < part.loans.upperBound {
            let hi = min(lo + batchLoans, part.loans.upperBound)
            g.generate(lo..<hi, acquisition: &acquisition, buffer: &buffer)
            buffer.drain(into: &performance)
            try sink.write(acquisition, performance)
            rows += performance.count
            acquisition.removeAll()
            performance.removeAll()
            lo = hi
        }
        try sink.close()
        let b = sink.bytes
        return (rows, b.acquisition, b.performance)
    }
}
