import Ember
@testable import EmberML
import Foundation
import XCTest

/// LinearRegression against Apache Spark 4.1.1 (`scripts/ml/expected_linear.py` →
/// expected/linear.json): coefficients, intercept, summary metrics and standard errors.
final class LinearRegressionTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("linreg") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func fitCase(_ name: String) throws -> (LinearRegressionModel, [String: Any], DataFrame) {
        guard let c = LinearData.expected["lin_" + name] as? [String: Any] else { throw EmberError.internalError("missing case \(name)") }
        let df = try LinearData.regression(spark)
        let lr = LinearRegression()
        try LinearData.apply(c["params"], to: lr)
        return (try lr.fit(df), c, df)
    }

    func check(_ name: String, rel: Double = 1e-4) throws {
        let (m, c, df) = try fitCase(name)
        assertClose(m.coefficients.toArray(), Expected.doubles(c["coefficients"]) ?? [], rel: rel, "\(name) coefficients")
        assertClose(m.intercept, Expected.double(c["intercept"]) ?? .nan, rel: rel, "\(name) intercept")
        let s = try m.summary
        for (key, got) in [("r2", s.r2), ("rootMeanSquaredError", s.rootMeanSquaredError), ("meanSquaredError", s.meanSquaredError),
                           ("meanAbsoluteError", s.meanAbsoluteError), ("explainedVariance", s.explainedVariance), ("r2adj", s.r2adj)] {
            assertClose(got, Expected.double(c[key]) ?? .nan, rel: rel, "\(name) \(key)")
        }
        let hist = Expected.doubles(c["objectiveHistory"]) ?? []
        assertClose(s.objectiveHistory.first ?? .nan, hist.first ?? .nan, rel: 1e-9, floor: 1e-9, "\(name) initial objective")
        assertClose(s.objectiveHistory.last ?? .nan, hist.last ?? .nan, rel: 1e-6, floor: 1e-9, "\(name) final objective")
        if hist.count == 1 { XCTAssertEqual(s.totalIterations, 0, name) }
        // Same optimizer (L-BFGS m = 10 / OWL-QN, Breeze's stopping rules): iteration counts
        // agree with Spark's within a couple of line-search differences.
        XCTAssertLessThanOrEqual(abs(s.totalIterations - ((c["totalIterations"] as? NSNumber)?.intValue ?? -99)), 2, "\(name) iterations")
        if let se = Expected.doubles(c["coefficientStandardErrors"]) {
            assertClose(try s.coefficientStandardErrors, se, rel: rel, "\(name) std errors")
            assertClose(try s.tValues, Expected.doubles(c["tValues"]) ?? [], rel: rel, "\(name) t values")
            // Spark computes 1 − cdf, which rounds tiny p-values to multiples of 2⁻⁵²; Ember
            // keeps them exact, so compare absolutely.
            let pv = try s.pValues
            for (a, e) in zip(pv, Expected.doubles(c["pValues"]) ?? []) { XCTAssertEqual(a, e, accuracy: 1e-9, "\(name) p-value") }
        } else {
            XCTAssertThrowsError(try s.coefficientStandardErrors) { e in XCTAssertTrue("\(e)".contains("No Std. Error"), "\(e)") }
        }
        let rows = try m.transform(df).orderBy("id").limit(12).select("prediction").collect()
        let preds = Expected.doubles(c["prediction"]) ?? []
        for (i, r) in rows.enumerated() {
            guard case .double(let p) = r[0] else { XCTFail("prediction not a double"); continue }
            assertClose(p, preds[i], rel: rel, "\(name) prediction \(i)")
        }
    }

    func testNormalUnregularized() throws { try check("normal") }
    func testNormalL2() throws { try check("normal_l2") }
    func testNormalL2NoStandardization() throws { try check("normal_nostd") }
    func testNormalWeighted() throws { try check("weighted") }
    func testNormalNoIntercept() throws { try check("nointercept") }
    func testAutoElasticNetUsesQuasiNewton() throws { try check("elastic") }
    func testLBFGSL2() throws { try check("lbfgs_l2") }
    func testLBFGSWeighted() throws { try check("lbfgs_noreg") }
    func testOWLQNNoStandardization() throws { try check("lbfgs_elastic_nostd") }
    func testLBFGSNoIntercept() throws { try check("lbfgs_nointercept") }

    func testSparseFeaturesMatchDense() throws {
        let dense = try LinearData.regression(spark)
        let rows = try dense.orderBy("id").collect()
        let dim = 1 << 18, slots = [3, 4096, 200_000]
        let sparseRows: [[Value]] = try rows.map { r in [r[0], try Vectors.sparse(dim, slots, try Vector(value: r[1]).toArray()).value, r[2]] }
        let sdf = try spark.createDataFrame(sparseRows, schema: Schema([StructField("id", .int), StructField("features", .vector), StructField("label", .double)]))
        let small = try LinearRegression(regParam: 0.1, solver: "l-bfgs").fit(dense)
        let big = try LinearRegression(regParam: 0.1).fit(sdf)   // auto: > 4096 features → l-bfgs
        XCTAssertEqual(big.numFeatures, dim)
        assertClose(slots.map { big.coefficients[$0] }, small.coefficients.toArray(), rel: 1e-6, "sparse")
        assertClose(big.intercept, small.intercept, rel: 1e-6, "sparse intercept")
        XCTAssertThrowsError(try LinearRegression(solver: "normal").fit(sdf)) { e in
            XCTAssertTrue("\(e)".contains("normal supports at most 4096 features"), "\(e)")
        }
    }

    func testSaveLoadRoundTrip() throws {
        let (m, _, df) = try fitCase("normal_l2")
        try m.save(dir + "/m")
        let loaded = try LinearRegressionModel.load(dir + "/m")
        XCTAssertEqual(loaded.coefficients, m.coefficients)
        XCTAssertEqual(loaded.intercept, m.intercept)
        XCTAssertEqual(loaded.get(loaded.regParam), 0.1)
        XCTAssertFalse(loaded.hasSummary)
        let a = try m.transform(df).orderBy("id").select("prediction").collect()
        let b = try loaded.transform(df).orderBy("id").select("prediction").collect()
        XCTAssertEqual(a.map(\.values), b.map(\.values))
        XCTAssertEqual(try loaded.predict(Vectors.dense([1, 2, 3])), try m.predict(Vectors.dense([1, 2, 3])))
    }

    func testBadParamsAndColumns() throws {
        let df = try LinearData.regression(spark)
        XCTAssertThrowsError(try LinearRegression(elasticNetParam: 1.5).fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter elasticNetParam given invalid value 1.5"), "\(e)")
        }
        XCTAssertThrowsError(try LinearRegression(solver: "sgd").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter solver given invalid value sgd"), "\(e)")
        }
        XCTAssertThrowsError(try LinearRegression(labelCol: "nope").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column nope does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try LinearRegression(featuresCol: "label").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column label must be of type vector"), "\(e)")
        }
        let badWeights = df.withColumn("w", lit(-1.0))
        XCTAssertThrowsError(try LinearRegression(weightCol: "w").fit(badWeights)) { e in
            XCTAssertTrue("\(e)".contains("weights must be non-negative"), "\(e)")
        }
        let model = try LinearRegression().fit(df)
        XCTAssertThrowsError(try model.transform(df.drop("features"))) { e in
            XCTAssertTrue("\(e)".contains("column features does not exist"), "\(e)")
        }
    }

    func testConstantLabel() throws {
        let df = try LinearData.regression(spark).withColumn("c", lit(2.5))
        for solver in ["normal", "l-bfgs"] {
            let m = try LinearRegression(labelCol: "c", solver: solver).fit(df)
            XCTAssertEqual(m.coefficients.toArray(), [0, 0, 0])
            XCTAssertEqual(m.intercept, 2.5)
        }
    }

    func testStudentT() {
        // scipy.stats.t.sf(2.0, 10) * 2 = 0.07338803477074037; t.sf(0.5, 3) * 2 = 0.651447964848151
        XCTAssertEqual(StudentT.twoSidedPValue(2.0, 10), 0.07338803477074037, accuracy: 1e-13)
        XCTAssertEqual(StudentT.twoSidedPValue(-2.0, 10), 0.07338803477074037, accuracy: 1e-13)
        XCTAssertEqual(StudentT.twoSidedPValue(0.5, 3), 0.651447964848151, accuracy: 1e-13)
        XCTAssertEqual(StudentT.twoSidedPValue(0, 5), 1, accuracy: 1e-15)
    }
}
