import EmberExec
import Foundation

/// Draws a one-line progress bar on stderr for jobs that run longer than half a second,
/// when stderr is a terminal (quiet otherwise, so pipes and logs stay clean).
public final class ProgressBar: RuntimeListener {
    let lock = NSLock()
    var jobStart: Date? = nil
    var stageName = ""
    var tasks = 0
    var done = 0
    var rows = 0
    var drawn = false
    let width = 30

    public init() {}

    /// True when stderr is an interactive terminal and `EMBER_PROGRESS` is not `0`.
    public static var enabledByDefault: Bool {
        isatty(2) != 0 && ProcessInfo.processInfo.environment["EMBER_PROGRESS"] != "0"
    }

    public func onEvent(_ event: RuntimeEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .jobStart:
            jobStart = Date()
            drawn = false
        case .stageStart(_, _, let name, let n):
            stageName = String(name.prefix(40))
            tasks = n
            done = 0
            draw()
        case .taskEnd(_, _, _, let r, _, _, let error):
            if error == nil { done += 1; rows += r }
            draw()
        case .jobEnd:
            if drawn { FileHandle.standardError.write("\r\u{1B}[2K".data(using: .utf8) ?? Data()) }
            drawn = false
            rows = 0
        default:
            break
        }
    }

    func draw() {
        guard let start = jobStart, Date().timeIntervalSince(start) > 0.5, tasks > 0 else { return }
        let filled = min(width, done * width / tasks)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\r\u{1B}[2K[\(bar)] \(done)/\(tasks) tasks · \(stageName) · \(String(format: "%.1f", Date().timeIntervalSince(start))) s"
        FileHandle.standardError.write(line.data(using: .utf8) ?? Data())
        drawn = true
    }
}
