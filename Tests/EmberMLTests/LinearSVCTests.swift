import Ember
@testable import EmberML
import Foundation
import XCTest

/// The training data and Spark results of `scripts/ml/expected_glm.py` (Apache Spark 4.1.1)
/// → expected/glm.json, shared by the LinearSVC, GLR and MLP tests.
enum GLMData {
    nonisolated(unsafe) static let expected: [String: Any] = {
        do { return try Expected.load("glm") } catch { fatalError("cannot load expected/glm.json: \(error)") }
    }()

    static func matrix(_ j: Any?) -> [[Double]] { LinearData.matrix(j) }

    /// Rows (id, features, weight, offset, svc, gaussian, poisson, binomial, gamma, multi).
    static func frame(_ spark: Session) throws -> DataFrame {
        let data = expected["data"] as? [String: Any] ?? [:]
        let x = matrix(data["features"])
        let names = ["weight", "offset", "svc", "gaussian", "poisson", "binomial", "gamma", "multi"]
        let cols = names.map { Expected.doubles(data[$0]) ?? [] }
        let rows: [[Value]] = x.indices.map { i in [.int(Int32(i)), Vectors.dense(x[i]).value] + cols.map { .double($0[i]) } }
        return try spark.createDataFrame(rows, schema: Schema([StructField("id", .int), StructField("features", .vector)]
                                                              + names.map { StructField($0, .double) }))
    }

    static func testCase(_ name: String) throws -> [String: Any] {
        guard let c = expected[name] as? [String: Any] else { throw EmberError.internalError("missing case \(name)") }
        return c
    }
}

/// LinearSVC against Apache Spark 4.1.1 (`scripts/ml/expected_glm.py` → expected/glm.json).
final class LinearSVCTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("svc") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func fitCase(_ name: String) throws -> (LinearSVCModel, [String: Any], DataFrame) {
        let c = try GLMData.testCase("svc_" + name)
        let df = try GLMData.frame(spark)
        let svc = LinearSVC(labelCol: "svc")
        try LinearData.apply(c["params"], to: svc)
        return (try svc.fit(df), c, df)
    }

    /// The hinge loss is not differentiable where a margin is exactly 1: OWL-QN (Spark's and
    /// Ember's, both Breeze's algorithm with zero L1 weights) stops on a kink near the minimum,
    /// and where it stops depends on the path (Ember's L-BFGS drops curvature pairs with
    /// sᵀy ≤ 0, Breeze keeps them; sums are ordered differently). The objective is flat there,
    /// so the test asserts what is stable: the same initial objective (1e-12), the same final
    /// objective within 5e-4 relative (Ember's is often the lower one), the same predictions,
    /// and coefficients, intercept and raw predictions within 2e-2 relative of max(|x|, 1)
    /// (8e-2 for regParam 0.01, where the objective is flattest). Measured: ≤ 2.6e-4
    /// objective, ≤ 1.2e-2 coefficients (λ ≥ 0.05), 6.1e-2 (λ = 0.01).
    func check(_ name: String, rel: Double = 2e-2) throws {
        let (m, c, df) = try fitCase(name)
        XCTAssertEqual(m.numFeatures, 3)
        assertClose(m.coefficients.toArray(), Expected.doubles(c["coefficients"]) ?? [], rel: rel, floor: 1, "\(name) coefficients")
        assertClose(m.intercept, Expected.double(c["intercept"]) ?? .nan, rel: rel, floor: 1, "\(name) intercept")
        let s = try m.summary
        let hist = Expected.doubles(c["objectiveHistory"]) ?? []
        assertClose(s.objectiveHistory.first ?? .nan, hist.first ?? .nan, rel: 1e-12, "\(name) initial objective")
        assertClose(s.objectiveHistory.last ?? .nan, hist.last ?? .nan, rel: 5e-4, "\(name) final objective")
        XCTAssertLessThanOrEqual(s.totalIterations, 100)
        let rows = try m.transform(df).orderBy("id").limit(10).select("rawPrediction", "prediction").collect()
        let raws = GLMData.matrix(c["rawPrediction"]), preds = Expected.doubles(c["prediction"]) ?? []
        XCTAssertEqual(rows.count, 10)
        for (i, r) in rows.enumerated() {
            assertClose(try Vector(value: r[0]).toArray(), raws[i], rel: rel, floor: 1, "\(name) raw \(i)")
            XCTAssertEqual(r[1], .double(preds[i]), "\(name) prediction \(i)")
        }
    }

    func testL2() throws { try check("l2") }
    func testSmallL2() throws { try check("l2small", rel: 8e-2) }
    func testNoIntercept() throws { try check("nointercept") }
    func testWeighted() throws { try check("weighted") }
    func testNoStandardization() throws { try check("nostd") }
    func testThreshold() throws {
        try check("threshold")
        let (m, _, _) = try fitCase("threshold")
        let x = Vectors.dense([0.5, -1.0, 2.0])
        let margin = x.dot(m.coefficients) + m.intercept
        let (raw, p) = try m.predict(x)
        XCTAssertEqual(raw.toArray(), [-margin, margin])
        XCTAssertEqual(p, margin > 0.5 ? 1 : 0)
        m.set(m.threshold, -Double.infinity)
        XCTAssertEqual(try m.predict(x).prediction, 1)
        m.set(m.threshold, Double.infinity)
        XCTAssertEqual(try m.predict(x).prediction, 0)
    }

    func testSparseFeaturesMatchDense() throws {
        let dense = try GLMData.frame(spark)
        let rows = try dense.orderBy("id").select("id", "features", "svc").collect()
        let slots = [3, 500, 9_999]
        let sparseRows: [[Value]] = try rows.map { r in [r[0], try Vectors.sparse(10_000, slots, try Vector(value: r[1]).toArray()).value, r[2]] }
        let sdf = try spark.createDataFrame(sparseRows, schema: Schema([StructField("id", .int), StructField("features", .vector), StructField("svc", .double)]))
        let a = try LinearSVC(labelCol: "svc", regParam: 0.1).fit(dense)
        let b = try LinearSVC(labelCol: "svc", regParam: 0.1).fit(sdf)
        XCTAssertEqual(b.numFeatures, 10_000)
        assertClose(slots.map { b.coefficients[$0] }, a.coefficients.toArray(), rel: 1e-6, "sparse")
        assertClose(b.intercept, a.intercept, rel: 1e-6, "sparse intercept")
    }

    func testSaveLoadRoundTrip() throws {
        let (m, _, df) = try fitCase("weighted")
        try m.save(dir + "/m")
        let loaded = try LinearSVCModel.load(dir + "/m")
        XCTAssertEqual(loaded.uid, m.uid)
        XCTAssertEqual(loaded.coefficients.toArray(), m.coefficients.toArray())
        XCTAssertEqual(loaded.intercept, m.intercept)
        XCTAssertEqual(loaded.get(loaded.weightCol), "weight")
        XCTAssertFalse(loaded.hasSummary)
        let a = try m.transform(df).orderBy("id").select("rawPrediction", "prediction").collect()
        let b = try loaded.transform(df).orderBy("id").select("rawPrediction", "prediction").collect()
        XCTAssertEqual(a.map(\.values), b.map(\.values))
        let est = LinearSVC(labelCol: "svc", regParam: 0.3, threshold: 0.25)
        try est.save(dir + "/e")
        let e2 = try LinearSVC.load(dir + "/e")
        XCTAssertEqual(e2.get(e2.regParam), 0.3)
        XCTAssertEqual(e2.get(e2.threshold), 0.25)
    }

    func testBadParamsAndColumns() throws {
        let df = try GLMData.frame(spark)
        XCTAssertThrowsError(try LinearSVC(labelCol: "svc", regParam: -1).fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter regParam given invalid value -1.0"), "\(e)")
        }
        XCTAssertThrowsError(try LinearSVC(labelCol: "svc", maxIter: -2).fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter maxIter given invalid value -2"), "\(e)")
        }
        XCTAssertThrowsError(try LinearSVC(labelCol: "multi").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("LinearSVC only supports binary classification. 3 classes detected in multi"), "\(e)")
        }
        XCTAssertThrowsError(try LinearSVC(labelCol: "gaussian").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("Classification labels should be in [0, numClasses)"), "\(e)")
        }
        XCTAssertThrowsError(try LinearSVC(labelCol: "nope").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column nope does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try LinearSVC(featuresCol: "svc", labelCol: "svc").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column svc must be of type vector"), "\(e)")
        }
        let model = try LinearSVC(labelCol: "svc", regParam: 0.1).fit(df)
        XCTAssertThrowsError(try model.transform(df.drop("features"))) { e in
            XCTAssertTrue("\(e)".contains("column features does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try model.transform(df.withColumn("prediction", lit(1.0)))) { e in
            XCTAssertTrue("\(e)".contains("output column prediction already exists"), "\(e)")
        }
        let wrongSize = try spark.createDataFrame([[Vectors.dense([1.0, 2.0]).value]], schema: Schema([StructField("features", .vector)]))
        XCTAssertThrowsError(try model.transform(wrongSize).collect()) { e in
            XCTAssertTrue("\(e)".contains("has size 2 but the model expects 3 features"), "\(e)")
        }
    }

    func testParamsAndDefaults() throws {
        let svc = LinearSVC()
        XCTAssertEqual(svc.get(svc.maxIter), 100)
        XCTAssertEqual(svc.get(svc.regParam), 0)
        XCTAssertEqual(svc.get(svc.tol), 1e-6)
        XCTAssertEqual(svc.get(svc.threshold), 0)
        XCTAssertEqual(svc.get(svc.fitIntercept), true)
        XCTAssertEqual(svc.get(svc.standardization), true)
        XCTAssertEqual(svc.get(svc.aggregationDepth), 2)
        XCTAssertEqual(LinearSVC.sparkClassName, "org.apache.spark.ml.classification.LinearSVC")
        XCTAssertTrue(MLRegistry.stageType("org.apache.spark.ml.classification.LinearSVCModel") == LinearSVCModel.self)
    }
}
