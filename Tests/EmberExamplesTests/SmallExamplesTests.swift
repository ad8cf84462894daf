import Ember
@testable import EmberExamples
import Foundation
import XCTest

final class SmallExamplesTests: XCTestCase {
    /// π from 200,000 points: within 4 standard errors (σ ≈ 4·√(p(1−p)/n) ≈ 0.0037) and the
    /// same for the same seed.
    func testPiIsCloseAndDeterministic() throws {
        let spark = try Session.local(cores: 2)
        let a = try SmallExamples.pi(spark, samples: 200_000, seed: 7)
        XCTAssertEqual(a, .pi, accuracy: 0.015)
        XCTAssertEqual(a, try SmallExamples.pi(spark, samples: 200_000, seed: 7))
    }

    /// Word counts equal a count done here with a dictionary.
    func testWordCountMatchesADictionaryCount() throws {
        let spark = try Session.local(cores: 2)
        let lines = ["The cat and the hat", "  the   CAT sat ", "", "a hat, a bat"]
        let df = try spark.createDataFrame(lines.map { [.string($0)] }, schema: "value STRING")
        var counts: [String: Int] = [:]
        for l in lines {
            for w in l.lowercased().split(whereSeparator: { $0 == " " }) { counts[String(w), default: 0] += 1 }
        }
        let expected = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let got = try SmallExamples.wordCount(df).collect().map { ($0.values[0], $0.values[1]) }
        XCTAssertEqual(got.map { "\($0.0)" }, expected.map { "\(Value.string($0.key))" })
        XCTAssertEqual(got.map { $0.1 }, expected.map { Value.long(Int64($0.value)) })
    }
}
