import EmberColumnar
import EmberCore
import EmberPlan
import Foundation

/// Everything a running query shares: configuration, the scheduler, memory and the
/// readers for file sources.
public final class ExecContext {
    public let config: Configuration
    public let scheduler: Scheduler
    public let memory: MemoryManager
    public let sources: SourceRegistry
    public let queryStartMicros: Int64
    public var job: Int = 0

    public init(config: Configuration, scheduler: Scheduler, memory: MemoryManager, sources: SourceRegistry) {
        self.config = config
        self.scheduler = scheduler
        self.memory = memory
        self.sources = sources
        self.queryStartMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
    }

    public func evalContext(partition: Int, rowOffset: Int64 = 0) -> EvalContext {
        EvalContext(zone: config.timeZone, ansi: config.ansi, partitionIndex: partition, rowOffset: rowOffset, queryStartMicros: queryStartMicros)
    }
}

/// A physical operator: produces the batches of one partition at a time. Operators
/// that need all of their input first (exchanges, broadcasts, global sorts) do that
/// work in `prepare`, which the driver calls bottom-up before running the final stage,
/// so tasks never wait on other tasks.
public protocol PhysicalOperator: AnyObject {
    var output: [Attribute] { get }
    var children: [PhysicalOperator] { get }
    var partitionCount: Int { get }
    /// One line for `explain()`.
    var label: String { get }
    /// Runs whatever must happen before partitions can be read (a shuffle stage).
    func prepare(_ ctx: ExecContext) throws
    /// The batches of one partition, pulled one at a time: pipelines (scan → filter →
    /// project → probe → partial aggregate) hold one batch, not a partition.
    func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream
    /// Every batch of one partition (operators that need all of their input implement this).
    func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch]
}

/// A pull-based sequence of batches.
public struct BatchStream {
    public let next: () throws -> RecordBatch?

    public init(_ next: @escaping () throws -> RecordBatch?) { self.next = next }

    public init(_ batches: [RecordBatch]) {
        var i = 0
        self.next = {
            guard i < batches.count else { return nil }
            defer { i += 1 }
            return batches[i]
        }
    }

    public func drain() throws -> [RecordBatch] {
        var out: [RecordBatch] = []
        while let b = try next() { out.append(b) }
        return out
    }

    /// Applies `f` to each batch, dropping empty results.
    public func map(_ f: @escaping (RecordBatch) throws -> RecordBatch) -> BatchStream {
        BatchStream {
            while let b = try self.next() {
                let r = try f(b)
                if r.count > 0 { return r }
            }
            return nil
        }
    }

    /// Calls `body` for each batch.
    public func forEach(_ body: (RecordBatch) throws -> Void) throws {
        while let b = try next() { try body(b) }
    }
}

extension PhysicalOperator {
    public func prepare(_ ctx: ExecContext) throws {}
    // Each operator implements at least one of these two.
    public func stream(_ partition: Int, _ ctx: ExecContext) throws -> BatchStream {
        BatchStream(try execute(partition, ctx))
    }
    public func execute(_ partition: Int, _ ctx: ExecContext) throws -> [RecordBatch] {
        try stream(partition, ctx).drain()
    }
    public var schema: Schema { Schema(output.map(\.field)) }

    /// The indented physical plan.
    public func treeString() -> String {
        var out = ""
        func walk(_ op: PhysicalOperator, _ prefix: String, _ childPrefix: String) {
            out += prefix + op.label + "\n"
            for (i, c) in op.children.enumerated() {
                let last = i == op.children.count - 1
                walk(c, childPrefix + (last ? "+- " : ":- "), childPrefix + (last ? "   " : ":  "))
            }
        }
        walk(self, "", "")
        return out
    }
}

func attrList(_ attrs: [Attribute]) -> String { "[" + attrs.map { "\($0.name)#\($0.id)" }.joined(separator: ", ") + "]" }

/// Runs a physical plan: prepares its stages bottom-up, then runs the final stage.
public enum Driver {
    public static func run(_ root: PhysicalOperator, _ ctx: ExecContext, description: String = "query") throws -> [[RecordBatch]] {
        let job = ctx.scheduler.newJob(description)
        ctx.job = job
        let t0 = DispatchTime.now()
        do {
            try prepareTree(root, ctx)
            let out = try ctx.scheduler.runStage(name: root.label, job: job, partitions: root.partitionCount) { p in
                try root.stream(p, ctx).drain()
            }
            ctx.scheduler.endJob(job, succeeded: true, millis: Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6)
            return out
        } catch {
            ctx.scheduler.endJob(job, succeeded: false, millis: Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6)
            throw error
        }
    }

    /// Runs a plan with a custom final stage: `task` receives each partition's stream
    /// (writers use this to write one part file per partition in parallel).
    public static func run<T>(_ root: PhysicalOperator, _ ctx: ExecContext, description: String, task: @escaping (Int, BatchStream) throws -> T) throws -> [T] {
        let job = ctx.scheduler.newJob(description)
        ctx.job = job
        let t0 = DispatchTime.now()
        do {
            try prepareTree(root, ctx)
            let out = try ctx.scheduler.runStage(name: description, job: job, partitions: root.partitionCount) { p in
                try task(p, try root.stream(p, ctx))
            }
            ctx.scheduler.endJob(job, succeeded: true, millis: Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6)
            return out
        } catch {
            ctx.scheduler.endJob(job, succeeded: false, millis: Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6)
            throw error
        }
    }

    static func prepareTree(_ op: PhysicalOperator, _ ctx: ExecContext) throws {
        if let join = op as? HashJoinExec, join.adaptive { return try join.prepareAdaptively(ctx) }
        for c in op.children { try prepareTree(c, ctx) }
        try op.prepare(ctx)
    }

    /// Runs every partition of `op` as one stage (used by exchanges and broadcasts).
    static func materialize(_ op: PhysicalOperator, _ ctx: ExecContext, name: String) throws -> [[RecordBatch]] {
        try ctx.scheduler.runStage(name: name, job: ctx.job, partitions: op.partitionCount) { p in try op.stream(p, ctx).drain() }
    }
}

/// Readers for file formats, registered by the session (the IO layer sits above Exec).
public protocol FileSourceReader: AnyObject {
    /// Units of parallel work for a scan. `filters` are the conjuncts pushed into the scan
    /// (over `output`, the source's full output): a reader may use them to skip files or
    /// row groups that cannot match; the scan still applies them to every row it reads.
    func planPartitions(_ source: DataSource, schema: Schema, filters: [Expr], output: [Attribute], ctx: ExecContext) throws -> [AnyHashableBox]
    /// Reads one unit, producing the `required` columns of `schema`.
    func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch]
    /// Reads one unit like `read`, and says whether the rows returned already satisfy every
    /// filter given to `planPartitions` (then the scan does not evaluate them again).
    func readFiltered(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> (batches: [RecordBatch], filtered: Bool)
}

extension FileSourceReader {
    public func readFiltered(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> (batches: [RecordBatch], filtered: Bool) {
        (try read(unit, source: source, schema: schema, required: required, ctx: ctx), false)
    }
}

public final class SourceRegistry {
    var readers: [String: FileSourceReader] = [:]
    let lock = NSLock()
    public init() {}
    public func register(_ format: String, _ reader: FileSourceReader) {
        lock.lock(); readers[format.lowercased()] = reader; lock.unlock()
    }
    public func reader(_ format: String) throws -> FileSourceReader {
        lock.lock(); defer { lock.unlock() }
        guard let r = readers[format.lowercased()] else {
            throw EmberError(errorClass: "DATA_SOURCE_NOT_FOUND", sqlState: "42K02", message: "Failed to find the data source: \(format).")
        }
        return r
    }
}
