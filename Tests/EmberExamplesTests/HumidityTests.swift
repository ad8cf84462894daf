import Ember
@testable import EmberExamples
import Foundation
import XCTest

final class HumidityTests: XCTestCase {
    /// The generated humidity has noise of standard deviation 4: a forest gets close to that
    /// floor, far below the spread of humidity itself, and the same run gives the same RMSE.
    func testForestLearnsHumidity() throws {
        let spark = try Session.local(cores: 2)
        let data = try HumidityExample.weather(spark, years: 12)
        XCTAssertEqual(try data.count(), 12 * 365 + 3)
        let spread = try XCTUnwrap(try data.agg(callFunction("stddev", col("humidity"))).first()?.values[0].doubleValue)
        var lines: [String] = []
        let rmse = try HumidityExample.run(spark, years: 12, numTrees: 10, maxDepth: 6) { lines.append($0) }
        XCTAssertLessThan(rmse, 5.0)
        XCTAssertLessThan(rmse, spread / 2)
        XCTAssertEqual(rmse, try HumidityExample.run(spark, years: 12, numTrees: 10, maxDepth: 6) { _ in })
        XCTAssertTrue(lines.contains { $0.hasPrefix("RMSE is ") })
    }
}
