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
            if drawn { Self.show("") }
            drawn = false
            rows = 0
        default:
            break
        }
    }

    func draw() {
        guard let start = jobStart, Date().timeIntervalSince(start) > 0.5, tasks > 0 else { return }
        Self.show(Self.line(done: done, total: tasks, unit: "tasks", label: stageName, elapsed: Date().timeIntervalSince(start)))
        drawn = true
    }

    /// Replaces the terminal's current line on stderr with `line` (empty: clears it).
    static func show(_ line: String) {
        FileHandle.standardError.write(("\r\u{1B}[2K" + line).data(using: .utf8) ?? Data())
    }

    /// The text of one progress line: a 30-cell bar, the count, the label and the time so far.
    public static func line(done: Int, total: Int, unit: String, label: String, elapsed: Double, width: Int = 30) -> String {
        let filled = total > 0 ? max(0, min(width, done * width / total)) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return "[\(bar)] \(done)/\(total) \(unit) · \(label) · \(String(format: "%.1f", elapsed)) s"
    }
}

/// Progress of long work that runs outside the scheduler's jobs (a booster's rounds, a
/// forest's trees): drawn on stderr once it has run half a second, when stderr is a terminal
/// (see `ProgressBar.enabledByDefault`), and cleared by `finish`.
public final class WorkProgress: @unchecked Sendable {
    let label: String
    let unit: String
    let total: Int
    let enabled: Bool
    let start = Date()
    let lock = NSLock()
    /// Units counted so far (0 when disabled).
    public private(set) var done = 0
    var drawn = false

    public init(_ label: String, total: Int, unit: String, enabled: Bool = ProgressBar.enabledByDefault) {
        self.label = label
        self.total = total
        self.unit = unit
        self.enabled = enabled
    }

    /// Counts `n` more units done (callable from any thread).
    public func advance(by n: Int = 1) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += n
        let elapsed = Date().timeIntervalSince(start)
        guard elapsed > 0.5 else { return }
        ProgressBar.show(ProgressBar.line(done: done, total: total, unit: unit, label: label, elapsed: elapsed))
        drawn = true
    }

    /// Clears the line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { ProgressBar.show("") }
        drawn = false
    }
}
