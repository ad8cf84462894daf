import Ember
@testable import EmberML
import Foundation
import XCTest

/// SplitMix64 as `scripts/ml/expected_xgb.py`'s `Gen`, and its data sets, bit for bit.
struct XGBTestData {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / 9007199254740992.0 }

    static func make(_ seed: UInt64, _ n: Int, _ d: Int, _ missingRate: Double, _ kind: String, coarse: Bool = false) -> ([[Double]], [Double]) {
        var g = XGBTestData(seed)
        var xs: [[Double]] = [], ys: [Double] = []
        for _ in 0..<n {
            var row: [Double] = []
            for _ in 0..<d {
                let u = g.uniform(), m = g.uniform()
                let v = coarse ? (u * 10.0).rounded(.down) / 2.0 : u * 4.0 - 2.0
                row.append(m < missingRate ? .nan : v)
            }
            xs.append(row)
            let noise = g.uniform() - 0.5
            let z = row.map { $0.isNaN ? 0 : $0 } + [0, 0, 0, 0, 0]
            if kind == "binary" && coarse {
                ys.append(z[0] - z[1] + 2.0 * noise > 0.0 ? 1 : 0)
            } else if kind == "binary" {
                let s = z[0] + 0.5 * z[1] - z[2] * z[3] + noise
                ys.append(s > 0.2 ? 1 : 0)
            } else if kind == "multi" {
                let s = z[0] + z[1] + noise
                ys.append(s < -0.5 ? 0 : (s < 0.8 ? 1 : 2))
            } else {
                ys.append(2.0 * z[0] - z[1] * z[1] + 0.5 * z[4] + noise)
            }
        }
        return (xs, ys)
    }

    /// (id, label, features[, isVal]) rows.
    static func frame(_ xs: [[Double]], _ ys: [Double], valid: [Bool]? = nil) throws -> DataFrame {
        var fields = [StructField("id", .int), StructField("label", .double), StructField("features", .vector)]
        if valid != nil { fields.append(StructField("isVal", .boolean)) }
        let rows: [[Value]] = xs.indices.map { i in
            var r: [Value] = [.int(Int32(i)), .double(ys[i]), Vectors.dense(xs[i]).value]
            if let v = valid { r.append(.boolean(v[i])) }
            return r
        }
        return try TestSession.spark.createDataFrame(rows, schema: Schema(fields))
    }
}

/// XGBoostClassifier / XGBoostRegressor against xgboost 3.2.0 (tree_method hist, nthread 1):
/// expected dumps, predictions and metrics come from `scripts/ml/expected_xgb.py`
/// (expected/xgb.json).
final class XGBoostTests: XCTestCase {
    var spark: Session { TestSession.spark }

    /// The model's dumps against xgboost's: without stats (splits, thresholds, default
    /// directions, leaf values) text for text; with stats, the same nodes and gain / cover
    /// within 1e-5 / 1e-6 relative (XGBoost's float loss changes can differ in the last bits).
    /// With `tolerance`, every number (leaf values included) is compared within it instead.
    func assertDump(_ model: XGBoostModelBase, _ c: [String: Any], _ name: String, tolerance: Double? = nil,
                    file: StaticString = #filePath, line: UInt = #line) {
        guard let plain = c["dump_plain"] as? [String], let stats = c["dump"] as? [String] else {
            return XCTFail("\(name): no expected dump", file: file, line: line)
        }
        let got = model.dumpModel()
        XCTAssertEqual(got.count, plain.count, "\(name): trees", file: file, line: line)
        for (t, (a, b)) in zip(got, plain).enumerated() where a != b && tolerance == nil {
            let la = a.split(separator: "\n"), lb = b.split(separator: "\n")
            let i = (0..<min(la.count, lb.count)).first { la[$0] != lb[$0] } ?? min(la.count, lb.count)
            XCTFail("\(name) tree \(t) line \(i):\n got  \(i < la.count ? String(la[i]) : "-")\n want \(i < lb.count ? String(lb[i]) : "-")", file: file, line: line)
            return
        }
        func compare(_ a: Any?, _ b: Any?, _ path: String) {
            if let x = a as? [String: Any], let y = b as? [String: Any] {
                XCTAssertEqual(Set(x.keys), Set(y.keys), path, file: file, line: line)
                for k in x.keys { compare(x[k], y[k], path + "." + k) }
            } else if let x = a as? [Any], let y = b as? [Any] {
                XCTAssertEqual(x.count, y.count, path, file: file, line: line)
                for (i, (p, q)) in zip(x, y).enumerated() { compare(p, q, path + "[\(i)]") }
            } else if let x = Expected.double(a), let y = Expected.double(b) {
                let rel = tolerance ?? (path.hasSuffix(".gain") ? 1e-5 : path.hasSuffix(".cover") ? 1e-6 : 0)
                XCTAssertEqual(x, y, accuracy: rel * max(1, abs(y)), path, file: file, line: line)
            } else {
                XCTAssertEqual("\(String(describing: a))", "\(String(describing: b))", path, file: file, line: line)
            }
        }
        for (t, (a, b)) in zip(model.dumpModel(withStats: true), stats).enumerated() {
            let x = try? JSONSerialization.jsonObject(with: Data(a.utf8)), y = try? JSONSerialization.jsonObject(with: Data(b.utf8))
            XCTAssertNotNil(x, "\(name) tree \(t) is not JSON", file: file, line: line)
            compare(x, y, "\(name) tree \(t)")
        }
    }

    func expected(_ name: String) throws -> [String: Any] {
        guard let c = try Expected.load("xgb")[name] as? [String: Any] else { throw EmberError.internalError("\(name) missing") }
        return c
    }

    /// An estimator with the case's params set by name (as an `ember ml` spec would).
    func estimator(_ c: [String: Any], classifier: Bool) throws -> XGBoostEstimatorBase {
        let e: XGBoostEstimatorBase = classifier ? XGBoostClassifier() : XGBoostRegressor()
        for (k, v) in c["params"] as? [String: Any] ?? [:] { try e.set(name: k, json: v) }
        if let r = c["rounds"] { try e.set(name: "num_round", json: r) }
        return e
    }

    func fit(_ e: XGBoostEstimatorBase, _ df: DataFrame) throws -> XGBoostModelBase {
        if let c = e as? XGBoostClassifier { return try c.fit(df) }
        guard let r = e as? XGBoostRegressor else { throw EmberError.internalError("estimator") }
        return try r.fit(df)
    }

    /// Predictions (probability of class 1 or regression value) ordered by id.
    func predictions(_ m: XGBoostModelBase, _ df: DataFrame) throws -> [Double] {
        if m is XGBoostClassificationModel {
            return try m.transform(df).orderBy("id").select("probability").collect().map { try Vector(value: $0.values[0]).toArray()[1] }
        }
        return try m.transform(df).orderBy("id").select("prediction").collect().map {
            guard case .double(let p) = $0.values[0] else { throw EmberError.internalError("prediction") }
            return p
        }
    }

    func testTinyCasesDumpExactly() throws {
        for (name, cls) in [("tiny_binary", true), ("tiny_reg", false)] {
            let c = try expected(name)
            let (xs, ys) = XGBTestData.make(11, 20, 2, 0.15, cls ? "binary" : "reg", coarse: true)
            let model = try fit(try estimator(c, classifier: cls), try XGBTestData.frame(xs, ys))
            assertDump(model, c, name)
            // Margins on the training rows, exactly (float sums as XGBoost).
            let m = model.booster.margins(XGBoostMatrix(count: xs.count, numFeatures: 2, x: xs.flatMap { $0.map { Float($0) } }, labels: [], weights: []))
            XCTAssertEqual(m.map(Double.init), Expected.doubles(c["margins"]), name)
            let scores = c["scores"] as? [String: [String: Any]] ?? [:]
            for (type, s) in scores {
                let got = try model.getFeatureScore(type)
                XCTAssertEqual(got.count, s.count, "\(name) \(type)")
                for (f, v) in s { XCTAssertEqual(got[f] ?? .nan, Expected.double(v) ?? 0, accuracy: 1e-6 * max(1, abs(Expected.double(v) ?? 0)), "\(name) \(type) \(f)") }
            }
        }
    }

    func testMissingValuesMatchXGBoost() throws {
        for (name, cls) in [("missing_binary", true), ("missing_reg", false)] {
            let c = try expected(name)
            let kind = cls ? "binary" : "reg"
            let (xs, ys) = XGBTestData.make(21, 300, 4, 0.3, kind)
            let (xt, yt) = XGBTestData.make(22, 50, 4, 0.4, kind)
            let model = try fit(try estimator(c, classifier: cls), try XGBTestData.frame(xs, ys))
            let base = (c["base_score"] as? String ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let bs = Float(base) ?? .nan
            let margin = cls ? -Foundation.logf(1 / bs - 1) : bs
            XCTAssertEqual(model.booster.baseMargins, [margin], name)
            assertDump(model, c, name)
            let got = try predictions(model, try XGBTestData.frame(xt, yt))
            let want = Expected.doubles(c["predictions"]) ?? []
            XCTAssertEqual(got.count, want.count, name)
            for (i, (a, b)) in zip(got, want).enumerated() { XCTAssertEqual(a, b, accuracy: 1e-6, "\(name) row \(i)") }
        }
    }

    func testSharedDataMetricsMatchXGBoost() throws {
        let c = try expected("shared")
        let (xb, yb) = XGBTestData.make(31, 3000, 10, 0.05, "binary")
        let (xbt, ybt) = XGBTestData.make(32, 1000, 10, 0.05, "binary")
        let clf = XGBoostClassifier()
        try clf.set(name: "max_depth", json: 4)
        try clf.set(name: "n_estimators", json: 50)
        let cm = try clf.fit(try XGBTestData.frame(xb, yb))
        let pb = try predictions(cm, try XGBTestData.frame(xbt, ybt))
        let auc = XGBoostObjective.auc(pb.map { Float($0) }, ybt.map { Float($0) }, [Float](repeating: 1, count: ybt.count))
        XCTAssertEqual(auc, Expected.double(c["auc"]) ?? 0, accuracy: 0.002)
        let (xr, yr) = XGBTestData.make(33, 3000, 10, 0.05, "reg")
        let (xrt, yrt) = XGBTestData.make(34, 1000, 10, 0.05, "reg")
        let reg = XGBoostRegressor()
        try reg.set(name: "max_depth", json: 4)
        try reg.set(name: "num_round", json: 50)
        let rm = try reg.fit(try XGBTestData.frame(xr, yr))
        let pr = try predictions(rm, try XGBTestData.frame(xrt, yrt))
        var se = 0.0
        for (p, y) in zip(pr, yrt) { se += (p - y) * (p - y) }
        XCTAssertEqual((se / Double(yrt.count)).squareRoot(), Expected.double(c["rmse"]) ?? 0, accuracy: 0.002)
    }

    func testEarlyStoppingPicksXGBoostBestIteration() throws {
        let c = try expected("early")
        let (xe, ye) = XGBTestData.make(41, 400, 6, 0, "binary")
        let (xv, yv) = XGBTestData.make(42, 200, 6, 0, "binary")
        let clf = XGBoostClassifier()
        for (k, v) in ["max_depth": 6, "eta": 1.0, "eval_metric": "logloss", "num_round": 60, "early_stopping_rounds": 5,
                       "validationIndicatorCol": "isVal"] as [String: Any] { try clf.set(name: k, json: v) }
        let model = try clf.fit(try XGBTestData.frame(xe + xv, ye + yv, valid: [Bool](repeating: false, count: xe.count) + [Bool](repeating: true, count: xv.count)))
        XCTAssertEqual(model.bestIteration, (c["best_iteration"] as? NSNumber)?.intValue)
        XCTAssertEqual(model.booster.trees.count, (c["num_trees"] as? NSNumber)?.intValue)
    }

    func testMultiSoftprobMatchesXGBoost() throws {
        let c = try expected("multi")
        let (xm, ym) = XGBTestData.make(51, 300, 3, 0.1, "multi")
        let (xt, yt) = XGBTestData.make(52, 40, 3, 0.1, "multi")
        let clf = XGBoostClassifier()
        for (k, v) in ["max_depth": 3, "num_round": 5] as [String: Any] { try clf.set(name: k, json: v) }
        let model = try clf.fit(try XGBTestData.frame(xm, ym))
        XCTAssertEqual(model.numClasses, 3)
        // XGBoost 3.2 fits the multi-class intercept iteratively (its margins differ from the
        // centered log class proportions used here by ~3e-7), so leaves agree to 1e-5.
        assertDump(model, c, "dump", tolerance: 1e-5)
        let rows = try model.transform(try XGBTestData.frame(xt, yt)).orderBy("id").select("probability", "prediction").collect()
        let want = Expected.doubles(c["probabilities"]) ?? []
        XCTAssertEqual(rows.count * 3, want.count)
        for (i, r) in rows.enumerated() {
            let p = try Vector(value: r.values[0]).toArray()
            for k in 0..<3 { XCTAssertEqual(p[k], want[i * 3 + k], accuracy: 1e-6, "row \(i) class \(k)") }
            let best = (0..<3).max { p[$0] < p[$1] } ?? 0
            XCTAssertEqual(r.values[1], .double(Double(best)), "row \(i)")
        }
    }

    func testLossguideMatchesXGBoost() throws {
        let c = try expected("lossguide")
        let (xs, ys) = XGBTestData.make(21, 300, 4, 0.3, "reg")
        let reg = XGBoostRegressor()
        for (k, v) in ["grow_policy": "lossguide", "max_leaves": 5, "max_depth": 0, "n_estimators": 3] as [String: Any] { try reg.set(name: k, json: v) }
        let model = try reg.fit(try XGBTestData.frame(xs, ys))
        assertDump(model, c, "dump")
    }
}
