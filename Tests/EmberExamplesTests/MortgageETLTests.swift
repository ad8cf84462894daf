import Ember
import EmberDatagen
@testable import EmberExamples
import Foundation
import XCTest

/// The mortgage ETL: its label and window features recomputed here by hand from the raw
/// rows of a small generated dataset.
final class MortgageETLTests: XCTestCase {
    func testLabelsAndFeaturesMatchAHandComputation() throws {
        let spark = try Session.local(cores: 2)
        let dir = NSTemporaryDirectory() + "ember-mortgage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gen = try LoanGenerator(loans: 400, seed: 11)
        _ = try LoanDatagen.write(gen, to: dir, options: LoanDatagenOptions(cores: 2, progress: false))
        let out = try MortgageETL.features(spark, dir: dir).collect()
        let schema = try MortgageETL.features(spark, dir: dir).schema()
        func idx(_ n: String) throws -> Int { try XCTUnwrap(schema.names.firstIndex(of: n)) }
        let (iLoan, iPeriod, iLabel, iStatus, iPrior, iMonths) = (try idx("loan_id"), try idx("period"), try idx("delinquency_12"), try idx("status"), try idx("prior_status"), try idx("months_reported"))

        // By hand: per loan, its months in order with their status.
        var months: [Int64: [(Int32, Int?)]] = [:]
        let fmt = DateFormatter()
        fmt.dateFormat = "MM/dd/yyyy"
        fmt.timeZone = TimeZone(identifier: "UTC")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/performance").filter { $0.hasPrefix("part-") }.sorted()
        for f in files {
            for line in try String(contentsOfFile: dir + "/performance/" + f, encoding: .utf8).split(separator: "\n") {
                let p = line.split(separator: "|", omittingEmptySubsequences: false)
                guard let loan = Int64(p[0]), let date = fmt.date(from: String(p[1])) else { continue }
                let day = Int32((date.timeIntervalSince1970 / 86400).rounded())
                months[loan, default: []].append((day, Int(p[10])))
            }
        }
        var expected: [String: (Double, Int?, Int)] = [:]
        for (loan, ms) in months {
            let sorted = ms.sorted { $0.0 < $1.0 }
            let first90 = sorted.first { ($0.1 ?? 0) >= 3 }?.0
            for (k, m) in sorted.enumerated() where (m.1 ?? 0) < 3 {
                // 12 months later: the same day of the month (periods are first days of months).
                var c = Calendar(identifier: .gregorian)
                c.timeZone = TimeZone(identifier: "UTC") ?? c.timeZone
                let start = Date(timeIntervalSince1970: Double(m.0) * 86400)
                let end = Int32(((c.date(byAdding: .month, value: 12, to: start) ?? start).timeIntervalSince1970 / 86400).rounded())
                let label = first90.map { $0 > m.0 && $0 <= end } ?? false
                expected["\(loan)/\(m.0)"] = (label ? 1 : 0, k > 0 ? sorted[k - 1].1 : nil, k + 1)
            }
        }
        XCTAssertEqual(out.count, expected.count)
        var positives = 0
        for r in out {
            guard case .long(let loan) = r.values[iLoan], case .date(let day) = r.values[iPeriod] else { return XCTFail("bad row \(r)") }
            let e = try XCTUnwrap(expected["\(loan)/\(day)"], "row \(loan) \(day)")
            XCTAssertEqual(r.values[iLabel].doubleValue, e.0)
            XCTAssertEqual(r.values[iPrior].doubleValue, e.1.map(Double.init))
            XCTAssertEqual(r.values[iMonths].doubleValue, Double(e.2))
            XCTAssertLessThan(r.values[iStatus].doubleValue ?? 0, 3)
            if e.0 == 1 { positives += 1 }
        }
        XCTAssertGreaterThan(positives, 0, "the generated loans include some that become delinquent")
        XCTAssertEqual(Set(schema.names).isSuperset(of: MortgageETL.featureColumns), true)
    }
}
