/// Session settings. Names follow Spark's configuration keys where Spark has one.
public struct Configuration: Sendable {
    /// Worker threads (Spark's `local[N]`). Defaults to every core.
    public var cores: Int
    /// Bytes that hash aggregation, hash join, sort and shuffle may hold before spilling.
    public var memoryLimit: Int
    /// `spark.sql.session.timeZone`.
    public var timeZone: SessionTimeZone
    /// `spark.sql.shuffle.partitions` (Spark's default is 200; Ember defaults to the core
    /// count because its tasks are threads, not JVM executors).
    public var shufflePartitions: Int
    /// `spark.task.maxFailures`.
    public var taskMaxAttempts: Int
    /// `spark.sql.autoBroadcastJoinThreshold` in bytes. Ember's default (256 MiB) is far
    /// above Spark's 10 MiB: in one process a "broadcast" is a single shared hash table,
    /// so building it is cheaper than shuffling the other side.
    public var broadcastThreshold: Int
    /// `spark.sql.adaptive.enabled` (on, as in Spark): a shuffled equi-join whose build side
    /// turns out, once its exchange has run, to fit `broadcastThreshold` is broadcast
    /// instead, and its probe side is not shuffled.
    public var adaptive: Bool
    /// `spark.sql.ansi.enabled` (on, as in Spark 4).
    public var ansi: Bool
    /// `spark.sql.caseSensitive`.
    public var caseSensitive: Bool
    /// Rows per columnar batch.
    public var batchSize: Int
    /// Where spill files go.
    public var spillDirectory: String
    /// Bytes of input one CSV task reads (`spark.sql.files.maxPartitionBytes`).
    public var maxPartitionBytes: Int

    public init(
        cores: Int? = nil, memoryLimit: Int? = nil, timeZone: SessionTimeZone = .utc,
        shufflePartitions: Int? = nil, taskMaxAttempts: Int = 4, broadcastThreshold: Int = 256 * 1024 * 1024,
        adaptive: Bool = true, ansi: Bool = true, caseSensitive: Bool = false, batchSize: Int = 8192, spillDirectory: String? = nil,
        maxPartitionBytes: Int = 32 * 1024 * 1024
    ) {
        let n = max(1, cores ?? ProcessInfoCores.active)
        self.cores = n
        self.memoryLimit = memoryLimit ?? ProcessInfoCores.defaultMemoryLimit
        self.timeZone = timeZone
        self.shufflePartitions = max(1, shufflePartitions ?? n)
        self.taskMaxAttempts = max(1, taskMaxAttempts)
        self.broadcastThreshold = broadcastThreshold
        self.adaptive = adaptive
        self.ansi = ansi
        self.caseSensitive = caseSensitive
        self.batchSize = max(1, batchSize)
        self.spillDirectory = spillDirectory ?? ProcessInfoCores.tempDirectory
        self.maxPartitionBytes = max(1024, maxPartitionBytes)
    }
}

import Foundation

enum ProcessInfoCores {
    static var active: Int { ProcessInfo.processInfo.activeProcessorCount }
    /// Half the machine's memory.
    static var defaultMemoryLimit: Int { Int(ProcessInfo.processInfo.physicalMemory / 2) }
    static var tempDirectory: String { NSTemporaryDirectory() }
}
