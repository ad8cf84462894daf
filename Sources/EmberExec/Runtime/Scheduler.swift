import Dispatch
import EmberColumnar
import EmberCore
import Foundation

/// Events the runtime reports (Spark's listener bus): they feed the progress bar,
/// metrics and, later, a UI.
public enum RuntimeEvent {
    case jobStart(job: Int, description: String)
    case jobEnd(job: Int, succeeded: Bool, millis: Double)
    case stageStart(job: Int, stage: Int, name: String, tasks: Int)
    case stageEnd(job: Int, stage: Int, millis: Double)
    case taskStart(stage: Int, partition: Int, attempt: Int)
    case taskEnd(stage: Int, partition: Int, attempt: Int, rows: Int, bytes: Int, millis: Double, error: String?)
}

public protocol RuntimeListener: AnyObject {
    func onEvent(_ event: RuntimeEvent)
}

/// Runs stages of tasks on a fixed set of worker threads. Idle workers block on
/// Dispatch; they never spin.
public final class Scheduler {
    public let cores: Int
    public let maxAttempts: Int
    let lock = NSLock()
    var listeners: [RuntimeListener] = []
    var nextStage = 0
    var nextJob = 0

    public init(cores: Int, maxAttempts: Int) {
        self.cores = max(1, cores)
        self.maxAttempts = max(1, maxAttempts)
        _ = MallocTuning.applied
    }

    public func addListener(_ l: RuntimeListener) {
        lock.lock(); listeners.append(l); lock.unlock()
    }

    public func removeListener(_ l: RuntimeListener) {
        lock.lock(); listeners.removeAll { $0 === l }; lock.unlock()
    }

    func emit(_ e: RuntimeEvent) {
        lock.lock()
        let ls = listeners
        lock.unlock()
        for l in ls { l.onEvent(e) }
    }

    public func newJob(_ description: String) -> Int {
        lock.lock(); nextJob += 1; let j = nextJob; lock.unlock()
        emit(.jobStart(job: j, description: description))
        return j
    }

    public func endJob(_ job: Int, succeeded: Bool, millis: Double) {
        emit(.jobEnd(job: job, succeeded: succeeded, millis: millis))
    }

    /// Runs `task(partition)` for every partition, at most `cores` at once, retrying a
    /// failed attempt up to `maxAttempts` times unless the error is a user error (an
    /// `EmberError` other than I/O), which fails the stage at once.
    public func runStage<T>(name: String, job: Int = 0, partitions: Int, _ task: @escaping (Int) throws -> T) throws -> [T] {
        lock.lock(); nextStage += 1; let stage = nextStage; lock.unlock()
        emit(.stageStart(job: job, stage: stage, name: name, tasks: partitions))
        let start = DispatchTime.now()
        var results = [T?](repeating: nil, count: partitions)
        var firstError: Error? = nil
        let resultLock = NSLock()
        var next = 0
        let workers = min(cores, partitions)
        let body: (Int) -> Void = { _ in
            while true {
                resultLock.lock()
                if firstError != nil || next >= partitions { resultLock.unlock(); return }
                let p = next
                next += 1
                resultLock.unlock()
                var attempt = 0
                while true {
                    attempt += 1
                    self.emit(.taskStart(stage: stage, partition: p, attempt: attempt))
                    let t0 = DispatchTime.now()
                    do {
                        let r = try task(p)
                        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6
                        let (rows, bytes) = Scheduler.measure(r)
                        self.emit(.taskEnd(stage: stage, partition: p, attempt: attempt, rows: rows, bytes: bytes, millis: ms, error: nil))
                        resultLock.lock(); results[p] = r; resultLock.unlock()
                        break
                    } catch {
                        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6
                        self.emit(.taskEnd(stage: stage, partition: p, attempt: attempt, rows: 0, bytes: 0, millis: ms, error: "\(error)"))
                        let retryable: Bool = {
                            if let e = error as? EmberError { return e.errorClass == "IO_ERROR" || e.errorClass == "INTERNAL_RETRYABLE" }
                            return true
                        }()
                        if !retryable || attempt >= self.maxAttempts {
                            resultLock.lock()
                            if firstError == nil { firstError = error }
                            resultLock.unlock()
                            return
                        }
                    }
                }
            }
        }
        if workers <= 1 {
            body(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: body)
        }
        emit(.stageEnd(job: job, stage: stage, millis: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6))
        if let e = firstError { throw e }
        return results.map { $0! }
    }

    static func measure<T>(_ r: T) -> (Int, Int) {
        if let bs = r as? [RecordBatch] { return (bs.reduce(0) { $0 + $1.count }, bs.reduce(0) { $0 + $1.byteSize }) }
        return (0, 0)
    }
}

#if canImport(Glibc)
import Glibc

/// glibc hands large arrays straight to mmap and back, so every batch-sized buffer
/// arrives as fresh pages the kernel must zero (a quarter of a group-by's time). Raising
/// the mmap and trim thresholds keeps freed buffers in the heap for reuse.
enum MallocTuning {
    static let applied: Bool = {
        // mallopt is not in the Glibc module map; find it at run time.
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        _ = mallopt(-3 /* M_MMAP_THRESHOLD */, 512 << 20)
        _ = mallopt(-1 /* M_TRIM_THRESHOLD */, 1 << 30)
        return true
    }()
}
#else
enum MallocTuning { static let applied = true }
#endif
