import Ember
import EmberPlan
import Foundation
import XCTest

/// Optimizer rules, checked on the printed plan (attribute ids removed).
final class OptimizerTests: XCTestCase {
    func plan(_ df: DataFrame) throws -> String {
        let text = PlanPrinter.tree(try df.optimizedPlan())
        return text.replacingOccurrences(of: #"#\d+"#, with: "", options: .regularExpression)
    }

    func testFiltersPushIntoScansThroughProjectsAndJoins() throws {
        let spark = try Session.local(cores: 2)
        let a = spark.range(100).select(col("id").alias("k"), (col("id") * 2).alias("v"))
        let b = spark.range(10).select(col("id").alias("k"), lit("x").alias("name"))
        let q = try a.join(b, on: "k").filter(col("v") > 10 && col("name") === "x")
        XCTAssertEqual(try plan(q), """
            Project [k, v, name]
            +- Join Inner, (k = k)
               :- Project [id AS k, (id * 2L) AS v]
               :  +- Range (0, 100, step=1) [id], PushedFilters: [((id * 2L) > 10L)]
               +- Project [id AS k, x AS name]
                  +- Range (0, 10, step=1) [id], PushedFilters: [(x = x)]

            """)
    }

    func testColumnPruningAndLimitPushdown() throws {
        let spark = try Session.local(cores: 2)
        let df = try spark.createDataFrame([[.int(1), .string("a"), .double(1.5)]], schema: "a INT, b STRING, c DOUBLE")
        let q = df.select(col("c")).limit(5)
        XCTAssertEqual(try plan(q), """
            GlobalLimit 5
            +- Project [c]
               +- LocalTableScan 1 rows [c], Limit: 5

            """)
    }
}
