import Ember
@testable import EmberML
import Foundation
import XCTest

/// XGBoost stages: param aliases, persistence, bad params and columns.
final class XGBoostModelTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryDirectory("xgb") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func frame(_ kind: String = "binary") throws -> DataFrame {
        let (xs, ys) = XGBTestData.make(21, 300, 4, 0.3, kind)
        return try XGBTestData.frame(xs, ys)
    }

    func testAliasesGiveIdenticalModels() throws {
        let df = try frame()
        let native = XGBoostClassifier(), alias = XGBoostClassifier()
        for (k, v) in ["eta": 0.2, "num_round": 7, "gamma": 0.5, "lambda": 2.0, "alpha": 0.3] as [String: Any] { try native.set(name: k, json: v) }
        for (k, v) in ["learning_rate": 0.2, "n_estimators": 7, "min_split_loss": 0.5, "reg_lambda": 2.0, "reg_alpha": 0.3] as [String: Any] {
            try alias.set(name: k, json: v)
        }
        let a = try native.fit(df), b = try alias.fit(df)
        XCTAssertEqual(a.booster.trees.count, 7)
        XCTAssertEqual(a.booster, b.booster)
        XCTAssertNotEqual(a.booster, try XGBoostClassifier().fit(df).booster)
        // Both names set: the native one wins.
        let both = XGBoostClassifier()
        try both.set(name: "eta", json: 0.2)
        try both.set(name: "learning_rate", json: 0.9)
        try both.set(name: "n_estimators", json: 7)
        try both.set(name: "gamma", json: 0.5)
        try both.set(name: "reg_lambda", json: 2.0)
        try both.set(name: "reg_alpha", json: 0.3)
        XCTAssertEqual(try both.fit(df).booster, a.booster)
    }

    /// Trees grown with the row passes on one core, on all cores, with one histogram per
    /// pass (several passes a level), and with 16-bit bins (no per-row fix-ups for the
    /// 256-bin features' missing values) are the same trees: the data has 3000 rows, so its
    /// continuous features fill all 256 bins, and 30% missing values, so default directions
    /// count. Lossguide growth runs on the same data both ways.
    func testRowPassVariantsBuildTheSameTrees() throws {
        let (xs, ys) = XGBTestData.make(5, 3000, 6, 0.3, "binary")
        let df = try XGBTestData.frame(xs, ys)
        // The 8-bit columns here need the bit sets for 256-bin features' missing values.
        let m = XGBoostMatrix(count: xs.count, numFeatures: 6, x: xs.flatMap { $0.map { Float($0) } }, labels: [], weights: [Float](repeating: 1, count: xs.count))
        let cuts = XGBoostCuts.build(m, maxBin: 256)
        XCTAssertEqual((0..<6).map { cuts.numBins($0) }.max(), 256)
        XCTAssertTrue(XGBoostBinned<UInt8, UInt16>.fits(cuts, features: 6))
        let saved = (XGBoostTuning.parallelMinimum, XGBoostTuning.passHistogramBytes, XGBoostTuning.wideBins)
        defer { (XGBoostTuning.parallelMinimum, XGBoostTuning.passHistogramBytes, XGBoostTuning.wideBins) = saved }
        for policy in ["depthwise", "lossguide"] {
            let est = XGBoostClassifier()
            try est.set(name: "num_round", json: 5)
            try est.set(name: "max_depth", json: 5)
            try est.set(name: "grow_policy", json: policy)
            XGBoostTuning.parallelMinimum = Int.max
            let serial = try est.fit(df).booster
            XCTAssertEqual(serial.trees.count, 5)
            XCTAssertGreaterThan(serial.trees[0].count, 15, policy)
            XGBoostTuning.parallelMinimum = 3
            XCTAssertEqual(try est.fit(df).booster, serial, "\(policy): parallel")
            XGBoostTuning.passHistogramBytes = 1
            XCTAssertEqual(try est.fit(df).booster, serial, "\(policy): one histogram a pass")
            XGBoostTuning.wideBins = true
            XCTAssertEqual(try est.fit(df).booster, serial, "\(policy): 16-bit bins")
            (XGBoostTuning.parallelMinimum, XGBoostTuning.passHistogramBytes, XGBoostTuning.wideBins) = saved
        }
    }

    /// Both layouts of the bins: a row holds each stored feature's histogram slot (a missing
    /// value in the feature's spare slot, past its bins), a column its local bins (a missing
    /// value as the bin count, or as bin 0 and a bit for a 256-bin feature). A feature that
    /// can never be split (one bin and no missing value, or every value missing) is not
    /// stored, and changes no tree: a model trained with a constant and an all-missing column
    /// appended grows the same trees.
    func testBinnedLayouts() throws {
        let (xs, ys) = XGBTestData.make(7, 2000, 4, 0.2, "binary")
        // Feature 3 is made coarse (few bins, no missing); the others keep 256 bins with missing values.
        let base = xs.map { r in [r[0], r[1], r[2], r[3].isNaN ? 0 : (r[3] * 2).rounded()] }
        let wide = base.map { $0 + [7.5, .nan] }
        let m = XGBoostMatrix(count: wide.count, numFeatures: 6, x: wide.flatMap { $0.map { Float($0) } }, labels: [], weights: [Float](repeating: 1, count: wide.count))
        let cuts = XGBoostCuts.build(m, maxBin: 256)
        XCTAssertEqual((0..<6).map { cuts.numBins($0) }, [256, 256, 256, 9, 1, 1])
        let binned = XGBoostBinned<UInt8, UInt16>(m, cuts: cuts)
        XCTAssertEqual(binned.stored, 4)
        XCTAssertEqual((0..<4).map { binned.feature[$0] }, [0, 1, 2, 3])
        XCTAssertEqual(binned.splittable, [true, true, true, true, false, false])
        XCTAssertEqual((0...6).map { binned.offsets[$0] }, [0, 257, 514, 771, 781, 783, 785])
        for r in 0..<wide.count {
            for f in 0..<4 {
                let v = Float(wide[r][f]), local = v.isNaN ? cuts.numBins(f) : cuts.bin(v, f)
                XCTAssertEqual(Int(binned.rowSlots[r * 4 + f]), binned.offsets[f] + local, "row \(r) feature \(f)")
                let bit = binned.missingBits[f][r >> 6] >> UInt64(r & 63) & 1
                XCTAssertEqual(Int(binned.columns[f * wide.count + r]), v.isNaN && f < 3 ? 0 : local, "row \(r) feature \(f)")
                XCTAssertEqual(bit, v.isNaN && f < 3 ? 1 : 0, "row \(r) feature \(f)")
            }
        }
        let saved = XGBoostTuning.parallelMinimum
        defer { XGBoostTuning.parallelMinimum = saved }
        for parallel in [false, true] {
            XGBoostTuning.parallelMinimum = parallel ? 3 : Int.max
            let est = XGBoostClassifier()
            try est.set(name: "num_round", json: 4)
            try est.set(name: "max_depth", json: 4)
            let plainTrees = try est.fit(try XGBTestData.frame(base, ys)).booster.trees
            let wideTrees = try est.fit(try XGBTestData.frame(wide, ys)).booster.trees
            XCTAssertGreaterThan(plainTrees[0].count, 7)
            XCTAssertEqual(wideTrees, plainTrees, "parallel: \(parallel)")
        }
    }

    /// The radix sort behind the quantile sketch orders values as `sort()` does (negative,
    /// zero of either sign, subnormal, infinite) and carries the weights along stably.
    func testFloatRadixSortMatchesSort() throws {
        var values: [Float] = [-.infinity, .infinity, -0.0, 0.0, Float.leastNonzeroMagnitude, -Float.leastNonzeroMagnitude, 1, -1, 3.5, -3.5]
        var state: UInt64 = 42
        for _ in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(Float(Int64(bitPattern: state >> 20) % 2_000_001 - 1_000_000) / 1024)
        }
        var keys = values.map(FloatRadixSort.key)
        var weights = (0..<values.count).map { Float($0) }
        var sorter = FloatRadixSort(capacity: values.count, weighted: true)
        sorter.sort(&keys, weights: &weights)
        let want = values.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }
        XCTAssertEqual(keys.map(FloatRadixSort.value), want.map { $0.element == 0 ? 0 : $0.element })
        XCTAssertEqual(weights, want.map { Float($0.offset) })
        var plain = values.map(FloatRadixSort.key)
        var none: [Float] = []
        sorter.sort(&plain, weights: &none)
        XCTAssertEqual(plain, keys)
    }

    func testSaveLoadRoundTrip() throws {
        let df = try frame()
        let clf = XGBoostClassifier()
        try clf.set(name: "num_round", json: 5)
        let model = try clf.fit(df)
        try model.save(dir + "/clf")
        let loaded = try XGBoostClassificationModel.load(dir + "/clf")
        XCTAssertEqual(loaded.uid, model.uid)
        XCTAssertEqual(loaded.booster, model.booster)
        XCTAssertEqual(try loaded.value(loaded.numRound), 5)
        let cols = ["rawPrediction", "probability", "prediction"].map { col($0) }
        XCTAssertEqual(try model.transform(df).orderBy("id").select(cols).collect().map(\.values),
                       try loaded.transform(df).orderBy("id").select(cols).collect().map(\.values))
        XCTAssertEqual(loaded.dumpModel(withStats: true), model.dumpModel(withStats: true))

        let rdf = try frame("reg")
        let reg = XGBoostRegressor()
        try reg.set(name: "n_estimators", json: 4)
        let rm = try reg.fit(rdf)
        try rm.save(dir + "/reg")
        let rl = try XGBoostRegressionModel.load(dir + "/reg")
        XCTAssertEqual(rl.booster, rm.booster)
        XCTAssertEqual(try rm.transform(rdf).orderBy("id").select("prediction").collect().map(\.values),
                       try rl.transform(rdf).orderBy("id").select("prediction").collect().map(\.values))
        let est = XGBoostRegressor()
        try est.set(name: "learning_rate", json: 0.1)
        try est.save(dir + "/est")
        let e2 = try XGBoostRegressor.load(dir + "/est")
        XCTAssertEqual(try e2.config().eta, 0.1)
    }

    func testClassifierOutputs() throws {
        let df = try frame()
        let clf = XGBoostClassifier()
        try clf.set(name: "num_round", json: 3)
        let model = try clf.fit(df)
        let rows = try model.transform(df).orderBy("id").select("rawPrediction", "probability", "prediction").collect()
        XCTAssertEqual(rows.count, 300)
        for r in rows {
            let raw = try Vector(value: r.values[0]).toArray(), p = try Vector(value: r.values[1]).toArray()
            XCTAssertEqual(raw[0], -raw[1])
            XCTAssertEqual(Float(p[1]), XGBoostObjective.sigmoid(Float(raw[1])))
            XCTAssertEqual(p[0] + p[1], 1, accuracy: 1e-7)
            XCTAssertEqual(r.values[2], .double(p[1] > p[0] ? 1 : 0))
        }
        // Only the prediction column: the same predictions.
        model.set(model.rawPredictionCol, "")
        model.set(model.probabilityCol, "")
        let preds = try model.transform(df).orderBy("id").select("prediction").collect().map { $0.values[0] }
        XCTAssertEqual(preds, rows.map { $0.values[2] })
    }

    func testImportanceTypesAndErrors() throws {
        let model = try XGBoostClassifier().fit(try frame())
        let w = try model.getFeatureScore("weight"), g = try model.getFeatureScore("gain"), tg = try model.getFeatureScore("total_gain")
        XCTAssertFalse(w.isEmpty)
        for (f, n) in w { XCTAssertEqual(Float(g[f] ?? 0), Float((tg[f] ?? 0) / n), accuracy: 1e-3 * Float(g[f] ?? 1)) }
        XCTAssertThrowsError(try model.getFeatureScore("nope")) { e in XCTAssertTrue("\(e)".contains("importance_type given invalid value nope"), "\(e)") }
    }

    func testBadParams() throws {
        let df = try frame()
        let clf = XGBoostClassifier()
        XCTAssertThrowsError(try clf.set(name: "eta", json: 1.5)) { e in XCTAssertTrue("\(e)".contains("\(clf.uid) parameter eta given invalid value 1.5"), "\(e)") }
        XCTAssertThrowsError(try clf.set(name: "grow_policy", json: "bestfirst")) { e in XCTAssertTrue("\(e)".contains("parameter grow_policy given invalid value"), "\(e)") }
        XCTAssertThrowsError(try clf.set(name: "nope", json: 1)) { e in XCTAssertTrue("\(e)".contains("parameter nope does not exist"), "\(e)") }
        clf.set(clf.maxDepth, 0)
        XCTAssertThrowsError(try clf.fit(df)) { e in XCTAssertTrue("\(e)".contains("parameter max_depth given invalid value 0"), "\(e)") }
        let reg = XGBoostRegressor()
        reg.set(reg.objective, "binary:logistic")
        XCTAssertThrowsError(try reg.fit(df)) { e in XCTAssertTrue("\(e)".contains("parameter objective given invalid value binary:logistic"), "\(e)") }
        let es = XGBoostClassifier()
        es.set(es.earlyStoppingRounds, 3)
        XCTAssertThrowsError(try es.fit(df)) { e in XCTAssertTrue("\(e)".contains("early_stopping_rounds needs a validation set"), "\(e)") }
        let bs = XGBoostClassifier()
        bs.set(bs.baseScore, 1.5)
        XCTAssertThrowsError(try bs.fit(df)) { e in XCTAssertTrue("\(e)".contains("parameter base_score given invalid value 1.5"), "\(e)") }
        let nc = XGBoostClassifier()
        nc.set(nc.objective, "binary:logistic")
        let multi = try XGBTestData.frame([[1, 2], [2, 3], [3, 1]], [0, 1, 2])
        XCTAssertThrowsError(try nc.fit(multi)) { e in XCTAssertTrue("\(e)".contains("binary:logistic needs labels 0 and 1"), "\(e)") }
        XCTAssertThrowsError(try XGBoostClassifier().fit(try XGBTestData.frame([[1, 2], [2, 3]], [0, 1.5]))) { e in
            XCTAssertTrue("\(e)".contains("labels must be non-negative integers, got 1.5"), "\(e)")
        }
    }

    func testBadColumns() throws {
        let df = try frame()
        let clf = XGBoostClassifier()
        clf.set(clf.featuresCol, "nope")
        XCTAssertThrowsError(try clf.fit(df)) { e in XCTAssertTrue("\(e)".contains("column nope does not exist"), "\(e)") }
        let v = XGBoostClassifier()
        v.set(v.validationIndicatorCol, "label")
        XCTAssertThrowsError(try v.fit(df)) { e in XCTAssertTrue("\(e)".contains("label"), "\(e)") }
        XCTAssertThrowsError(try XGBoostRegressor().fit(df.withColumnRenamed("features", "f").withColumn("features", col("label")))) { e in
            XCTAssertTrue("\(e)".contains("column features must be of type vector"), "\(e)")
        }
        let model = try XGBoostRegressor().fit(try frame("reg"))
        XCTAssertThrowsError(try model.transform(df.withColumnRenamed("id", "prediction"))) { e in
            XCTAssertTrue("\(e)".contains("output column prediction already exists"), "\(e)")
        }
        let wrongSize = try XGBTestData.frame([[1, 2]], [0])
        XCTAssertThrowsError(try model.transform(wrongSize).collect()) { e in
            XCTAssertTrue("\(e)".contains("does not match 4 features"), "\(e)")
        }
    }

    /// Explicit 0 is a value with missing = NaN and missing with missing = 0; a NULL vector is all missing.
    func testMissingParamAndSparseZeros() throws {
        let rows: [[Value]] = (0..<40).map { i in
            let x = Double(i % 10)
            let v: Vector = i % 3 == 0 ? .sparse(SparseVector(unchecked: 2, indices: [1], values: [x])) : Vectors.dense([x / 2, x])
            return [.int(Int32(i)), .double(i % 2 == 0 ? 1 : 0), v.value]
        }
        let df = try TestSession.spark.createDataFrame(rows, schema: Schema([StructField("id", .int), StructField("label", .double), StructField("features", .vector)]))
        let a = XGBoostRegressor()
        a.set(a.numRound, 2)
        let b = XGBoostRegressor()
        b.set(b.numRound, 2)
        b.set(b.missing, 0)
        let ma = try a.fit(df), mb = try b.fit(df)
        XCTAssertNotEqual(ma.booster, mb.booster)
        let m0 = XGBoostMatrix(count: 1, numFeatures: 2, x: [.nan, .nan], labels: [], weights: [])
        let nullRow = try TestSession.spark.createDataFrame([[.int(0), .double(0), .null]],
                                                            schema: Schema([StructField("id", .int), StructField("label", .double), StructField("features", .vector)]))
        let got = try ma.transform(nullRow).select("prediction").collect()
        XCTAssertEqual(got.first?.values[0], .double(Double(ma.booster.margins(m0)[0])))
    }
}
