import Ember
@testable import EmberML
import Foundation
import XCTest

/// GeneralizedLinearRegression against Apache Spark 4.1.1 (`scripts/ml/expected_glm.py` →
/// expected/glm.json): coefficients, intercept, deviances, AIC, dispersion, standard errors,
/// t- and p-values, iteration counts and predictions, for every family.
final class GLRTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("glr") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func fitCase(_ name: String) throws -> (GeneralizedLinearRegressionModel, [String: Any], DataFrame) {
        let c = try GLMData.testCase("glr_" + name)
        let df = try GLMData.frame(spark)
        let glr = GeneralizedLinearRegression(labelCol: c["label"] as? String, linkPredictionCol: "eta")
        try LinearData.apply(c["params"], to: glr)
        return (try glr.fit(df), c, df)
    }

    func check(_ name: String, rel: Double = 1e-4) throws {
        let (m, c, df) = try fitCase(name)
        assertClose(m.coefficients.toArray(), Expected.doubles(c["coefficients"]) ?? [], rel: rel, "\(name) coefficients")
        assertClose(m.intercept, Expected.double(c["intercept"]) ?? .nan, rel: rel, "\(name) intercept")
        let s = try m.summary
        assertClose(s.deviance, Expected.double(c["deviance"]) ?? .nan, rel: rel, "\(name) deviance")
        let nullDev = Expected.double(c["nullDeviance"]) ?? 0
        if nullDev.isNaN { XCTAssertTrue(s.nullDeviance.isNaN, "\(name) null deviance \(s.nullDeviance)") } else {
            assertClose(s.nullDeviance, nullDev, rel: rel, "\(name) null deviance")
        }
        assertClose(s.dispersion, Expected.double(c["dispersion"]) ?? .nan, rel: rel, "\(name) dispersion")
        assertClose(s.aic ?? .nan, Expected.double(c["aic"]) ?? .nan, rel: rel, "\(name) aic")
        XCTAssertEqual(s.numIterations, (c["numIterations"] as? NSNumber)?.intValue, "\(name) iterations")
        XCTAssertEqual(s.degreesOfFreedom, (c["degreesOfFreedom"] as? NSNumber)?.intValue)
        XCTAssertEqual(s.residualDegreeOfFreedom, (c["residualDegreeOfFreedom"] as? NSNumber)?.intValue)
        XCTAssertEqual(s.residualDegreeOfFreedomNull, (c["residualDegreeOfFreedomNull"] as? NSNumber)?.intValue)
        XCTAssertEqual(s.rank, (c["rank"] as? NSNumber)?.intValue)
        XCTAssertEqual(s.numInstances, (c["numInstances"] as? NSNumber)?.intValue)
        assertClose(try s.coefficientStandardErrors, Expected.doubles(c["coefficientStandardErrors"]) ?? [], rel: rel, "\(name) std errors")
        assertClose(try s.tValues, Expected.doubles(c["tValues"]) ?? [], rel: rel, "\(name) t values")
        // p-values: relative 1e-4, absolute 1e-12 (Spark's 2·(1 − F) cancels below ~1e-16).
        let ps = try s.pValues, eps = Expected.doubles(c["pValues"]) ?? []
        XCTAssertEqual(ps.count, eps.count)
        for (p, e) in zip(ps, eps) { XCTAssertEqual(p, e, accuracy: max(1e-12, 1e-4 * abs(e)), "\(name) p value") }
        let rows = try m.transform(df).orderBy("id").limit(8).select("prediction", "eta").collect()
        let preds = Expected.doubles(c["prediction"]) ?? [], etas = Expected.doubles(c["linkPrediction"]) ?? []
        XCTAssertEqual(rows.count, 8)
        for (i, r) in rows.enumerated() {
            guard case .double(let p) = r[0], case .double(let e) = r[1] else { XCTFail("\(name) row \(i): \(r)"); continue }
            assertClose(p, preds[i], rel: rel, "\(name) prediction \(i)")
            assertClose(e, etas[i], rel: rel, "\(name) link prediction \(i)")
        }
    }

    func testGaussian() throws { try check("gaussian") }
    func testGaussianRegularizedWeighted() throws { try check("gaussian_reg_weighted") }
    func testGaussianOffsetNoIntercept() throws { try check("gaussian_offset_nointercept") }
    func testGaussianLogLink() throws { try check("gaussian_log") }
    func testPoisson() throws { try check("poisson") }
    func testPoissonOffsetWeighted() throws { try check("poisson_offset_weighted") }
    func testPoissonRegularized() throws { try check("poisson_reg") }
    func testPoissonSqrtLink() throws { try check("poisson_sqrt") }
    func testBinomial() throws { try check("binomial") }
    func testBinomialProbit() throws { try check("binomial_probit") }
    func testBinomialCLogLogWeighted() throws { try check("binomial_cloglog_weighted") }
    func testGamma() throws { try check("gamma") }
    func testGammaLogOffset() throws { try check("gamma_log_offset") }
    func testGammaIdentityNoIntercept() throws { try check("gamma_identity_nointercept") }

    func testDistributions() throws {
        // Values from scipy.stats: norm.ppf, t.cdf.
        XCTAssertEqual(Normal.inverseCdf(0.975), 1.959963984540054, accuracy: 1e-14)
        XCTAssertEqual(Normal.inverseCdf(1e-10), -6.361340902404056, accuracy: 1e-12)
        XCTAssertEqual(Distributions.studentTCdf(2.0, df: 5), 0.9490302605850708, accuracy: 1e-14)
        XCTAssertEqual(Distributions.studentTCdf(-1.3, df: 117), 0.09807810920964136, accuracy: 1e-12)
    }

    func testSaveLoadRoundTrip() throws {
        let (m, _, df) = try fitCase("poisson_offset_weighted")
        try m.save(dir + "/m")
        let loaded = try GeneralizedLinearRegressionModel.load(dir + "/m")
        XCTAssertEqual(loaded.uid, m.uid)
        XCTAssertEqual(loaded.coefficients.toArray(), m.coefficients.toArray())
        XCTAssertEqual(loaded.intercept, m.intercept)
        XCTAssertEqual(loaded.get(loaded.family), "poisson")
        XCTAssertEqual(loaded.get(loaded.offsetCol), "offset")
        XCTAssertFalse(loaded.hasSummary)
        let a = try m.transform(df).orderBy("id").select("prediction", "eta").collect()
        let b = try loaded.transform(df).orderBy("id").select("prediction", "eta").collect()
        XCTAssertEqual(a.map(\.values), b.map(\.values))
        let est = GeneralizedLinearRegression(family: "gamma", link: "log", regParam: 0.2)
        try est.save(dir + "/e")
        let e2 = try GeneralizedLinearRegression.load(dir + "/e")
        XCTAssertEqual(e2.get(e2.link), "log")
        XCTAssertEqual(e2.get(e2.regParam), 0.2)
    }

    func testBadParamsAndColumns() throws {
        let df = try GLMData.frame(spark)
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "gaussian", family: "weibull").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter family given invalid value weibull"), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "gaussian", link: "tanh").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter link given invalid value tanh"), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "poisson", family: "poisson", link: "logit").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("GeneralizedLinearRegression with poisson family does not support logit link function."), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "gaussian", maxIter: -1).fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter maxIter given invalid value -1"), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "gaussian", family: "poisson").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("The response variable of Poisson family should be non-negative, but got"), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "binomial", family: "gamma").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("The response variable of Gamma family should be positive, but got 0.0"), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "nope").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column nope does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "gaussian", offsetCol: "missing").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column missing does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try GeneralizedLinearRegression(labelCol: "gaussian", featuresCol: "gaussian").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column gaussian must be of type vector"), "\(e)")
        }
        let model = try GeneralizedLinearRegression(labelCol: "gaussian").fit(df)
        XCTAssertThrowsError(try model.transform(df.drop("features"))) { e in
            XCTAssertTrue("\(e)".contains("column features does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try model.transform(df.withColumn("prediction", lit(1.0)))) { e in
            XCTAssertTrue("\(e)".contains("output column prediction already exists"), "\(e)")
        }
    }

    func testParamsAndDefaults() throws {
        let glr = GeneralizedLinearRegression()
        XCTAssertEqual(glr.get(glr.family), "gaussian")
        XCTAssertEqual(glr.get(glr.maxIter), 25)
        XCTAssertEqual(glr.get(glr.tol), 1e-6)
        XCTAssertEqual(glr.get(glr.regParam), 0)
        XCTAssertEqual(glr.get(glr.solver), "irls")
        XCTAssertEqual(glr.get(glr.variancePower), 0)
        XCTAssertNil(glr.get(glr.link))
        XCTAssertTrue(try glr.familyAndLink() == (.gaussian, .identity))
        XCTAssertTrue(try GeneralizedLinearRegression(family: "gamma").familyAndLink() == (.gamma, .inverse))
        XCTAssertTrue(try GeneralizedLinearRegression(family: "binomial").familyAndLink() == (.binomial, .logit))
        XCTAssertTrue(try GeneralizedLinearRegression(family: "poisson").familyAndLink() == (.poisson, .log))
        XCTAssertTrue(try GeneralizedLinearRegression(family: "tweedie", variancePower: 1.5).familyAndLink() == (.tweedie(1.5), .power(-0.5)))
        XCTAssertEqual(GeneralizedLinearRegression.sparkClassName, "org.apache.spark.ml.regression.GeneralizedLinearRegression")
        XCTAssertTrue(MLRegistry.stageType("org.apache.spark.ml.regression.GeneralizedLinearRegressionModel") == GeneralizedLinearRegressionModel.self)
    }
}
