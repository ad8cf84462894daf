import Ember
import XCTest

/// The progress line's text (the bar itself is drawn only on a terminal).
final class ProgressTests: XCTestCase {
    func testLineText() {
        XCTAssertEqual(ProgressBar.line(done: 37, total: 100, unit: "rounds", label: "XGBoostClassifier_1", elapsed: 2.04, width: 10),
                       "[███░░░░░░░] 37/100 rounds · XGBoostClassifier_1 · 2.0 s")
        XCTAssertEqual(ProgressBar.line(done: 5, total: 4, unit: "tasks", label: "scan", elapsed: 0.55, width: 4), "[████] 5/4 tasks · scan · 0.6 s")
        XCTAssertEqual(ProgressBar.line(done: 0, total: 0, unit: "trees", label: "forest", elapsed: 0, width: 3), "[░░░] 0/0 trees · forest · 0.0 s")
    }

    /// Disabled progress (not a terminal) counts nothing and never draws.
    func testDisabledProgressStaysQuiet() {
        let p = WorkProgress("x", total: 3, unit: "rounds", enabled: false)
        p.advance(); p.advance(by: 2); p.finish()
        XCTAssertEqual(p.done, 0)
    }
}
