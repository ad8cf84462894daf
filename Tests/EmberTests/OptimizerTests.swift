import Ember
import EmberExec
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

/// `fact JOIN dim GROUP BY dim.attr` runs as one fused operator (JoinAggregateExec);
/// its results must equal a direct computation over the rows.
final class JoinAggregateTests: XCTestCase {
    func testStarJoinAggregateMatchesDirectComputation() throws {
        let spark = try Session.local(cores: 2, shufflePartitions: 3)
        // 3000 facts over keys 0…110 (some NULL); dims for keys 0…99 with key 7 twice.
        var facts: [[Value]] = []
        for i in 0..<3000 {
            let key: Value = i % 17 == 0 ? .null : .long(Int64(i % 111))
            facts.append([key, .double(Double(i) * 0.25), i % 13 == 0 ? .null : .long(Int64(i))])
        }
        let fact = try spark.createDataFrame(facts, schema: "key BIGINT, x DOUBLE, y BIGINT")
        var dims: [[Value]] = (0..<100).map { [.long(Int64($0)), .string("n\($0 % 7)")] }
        dims.append([.long(7), .string("extra")])
        let dim = try spark.createDataFrame(dims, schema: "key BIGINT, name STRING")
        let q = try fact.join(dim, on: "key").groupBy("name")
            .agg(count(lit(1)).alias("n"), count(col("y")).alias("ny"), sum(col("x")).alias("sx"), max(col("y")).alias("my"), min(col("x")).alias("mx"))
        XCTAssertTrue(try q.explainString().contains("JoinAggregate"))
        var expect: [String: (Int64, Int64, Double, Int64?, Double?)] = [:]
        for i in 0..<3000 where i % 17 != 0 && i % 111 < 100 {
            let k = i % 111
            for name in ["n\(k % 7)"] + (k == 7 ? ["extra"] : []) {
                var e = expect[name] ?? (0, 0, 0, nil, nil)
                e.0 += 1
                if i % 13 != 0 { e.1 += 1; e.3 = Swift.max(e.3 ?? Int64.min, Int64(i)) }
                e.2 += Double(i) * 0.25
                e.4 = Swift.min(e.4 ?? .infinity, Double(i) * 0.25)
                expect[name] = e
            }
        }
        let rows = try q.collect()
        XCTAssertEqual(rows.count, expect.count)
        for r in rows {
            guard case .string(let name) = r[0], let e = expect[name] else { return XCTFail("unexpected row \(r)") }
            XCTAssertEqual(r[1], .long(e.0), name)
            XCTAssertEqual(r[2], .long(e.1), name)
            XCTAssertEqual(r[3].doubleValue ?? 0, e.2, accuracy: 1e-6, name)
            XCTAssertEqual(r[4], e.3.map { .long($0) } ?? .null, name)
            XCTAssertEqual(r[5], e.4.map { .double($0) } ?? .null, name)
        }
    }
}

/// Adaptive joins (`spark.sql.adaptive.enabled`, on by default as in Spark): a shuffled join
/// whose build side turns out small once its exchange has run is broadcast, and its probe
/// side is not shuffled. The results are the same either way.
final class AdaptiveJoinTests: XCTestCase {
    /// Names of the stages a query runs.
    final class StageNames: RuntimeListener {
        var names: [String] = []
        let lock = NSLock()
        func onEvent(_ event: RuntimeEvent) {
            if case .stageStart(_, _, let name, _) = event { lock.lock(); names.append(name); lock.unlock() }
        }
    }

    func testSmallAggregateBuildSideIsBroadcastAtRunTime() throws {
        for adaptive in [true, false] {
            let spark = try Session.local(cores: 2, shufflePartitions: 2)
            // The dims come from a 1M-row range (an 8 MB estimate, over the 1 MiB threshold),
            // but aggregate to 1000 rows.
            try spark.set("spark.sql.autoBroadcastJoinThreshold", "1048576")
            try spark.set("spark.sql.adaptive.enabled", adaptive ? "true" : "false")
            let facts = spark.range(100_000).select(pmod(col("id"), 1000).alias("fk"), col("id").alias("x"))
            let dims = spark.range(1_000_000).groupBy(pmod(col("id"), 1000).alias("dk")).agg(count(lit(1)).alias("n"))
            let stages = StageNames()
            spark.addListener(stages)
            // Every fact matches one dim of n = 1000; x sums to 0 + … + 99999.
            let inner = try facts.join(dims, on: col("fk") === col("dk")).agg(count(lit(1)), sum(col("n")), sum(col("x"))).collect()
            XCTAssertEqual(inner.first?.values, [.long(100_000), .long(100_000_000), .long(4_999_950_000)], "adaptive \(adaptive)")
            // Left outer against the dims below 500: half the facts match.
            let half = dims.filter(col("dk") < 500)
            let outer = try facts.join(half, on: col("fk") === col("dk"), how: "left").agg(count(lit(1)), count(col("n")), sum(col("n"))).collect()
            XCTAssertEqual(outer.first?.values, [.long(100_000), .long(50_000), .long(50_000_000)], "adaptive \(adaptive)")
            spark.removeListener(stages)
            let factShuffles = stages.names.filter { $0.contains("hashpartitioning(fk") }
            XCTAssertEqual(factShuffles.count, adaptive ? 0 : 2, "\(stages.names)")
            XCTAssertEqual(stages.names.filter { $0.contains("hashpartitioning(dk") }.count, 2, "\(stages.names)")
        }
    }
}
