import Ember
@testable import EmberML
import Foundation
import XCTest

/// LogisticRegression against Apache Spark 4.1.1 (`scripts/ml/expected_linear.py` →
/// expected/linear.json): coefficients, intercepts, objective, predictions and summaries.
final class LinearLogisticTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("logistic") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func fitCase(_ name: String) throws -> (LogisticRegressionModel, [String: Any], DataFrame) {
        guard let c = LinearData.expected["lr_" + name] as? [String: Any] else { throw EmberError.internalError("missing case \(name)") }
        let df = try LinearData.classification(spark)
        let lr = LogisticRegression(labelCol: c["label"] as? String)
        try LinearData.apply(c["params"], to: lr)
        return (try lr.fit(df), c, df)
    }

    func check(_ name: String, rel: Double = 1e-4) throws {
        let (m, c, df) = try fitCase(name)
        XCTAssertEqual(m.numClasses, (c["numClasses"] as? NSNumber)?.intValue, name)
        XCTAssertEqual(m.numFeatures, 4, name)
        let expM = LinearData.matrix(c["coefficientMatrix"])
        XCTAssertEqual(m.coefficientMatrix.numRows, expM.count, name)
        for (k, row) in expM.enumerated() { assertClose(m.coefficientMatrix.row(k), row, rel: rel, floor: 1e-1, "\(name) coefficients \(k)") }
        assertClose(m.interceptVector, Expected.doubles(c["interceptVector"]) ?? [], rel: rel, "\(name) intercepts")
        if let coef = Expected.doubles(c["coefficients"]) {
            assertClose(try m.coefficients.toArray(), coef, rel: rel, "\(name) coefficients")
            assertClose(try m.intercept, Expected.double(c["intercept"]) ?? .nan, rel: rel, "\(name) intercept")
        }
        // Objective: the same start (same initial point) and the same minimum.
        let s = try m.summary
        let hist = Expected.doubles(c["objectiveHistory"]) ?? []
        assertClose(s.objectiveHistory.first ?? .nan, hist.first ?? .nan, rel: 1e-9, "\(name) initial objective")
        assertClose(s.objectiveHistory.last ?? .nan, hist.last ?? .nan, rel: 1e-6, "\(name) final objective")
        XCTAssertEqual(s.totalIterations, s.objectiveHistory.count - 1)
        // Same optimizer (L-BFGS m = 10 / OWL-QN, Breeze's stopping rules): iteration counts
        // agree with Spark's within a couple of line-search differences.
        XCTAssertLessThanOrEqual(abs(s.totalIterations - ((c["totalIterations"] as? NSNumber)?.intValue ?? -99)), 2, "\(name) iterations")
        XCTAssertLessThanOrEqual(s.totalIterations, 100)
        assertClose(try s.accuracy, Expected.double(c["accuracy"]) ?? .nan, rel: 1e-12, "\(name) accuracy")
        if let auc = Expected.double(c["areaUnderROC"]) {
            assertClose(try s.areaUnderROC ?? .nan, auc, rel: 1e-9, "\(name) AUC")
            let roc = LinearData.matrix(c["roc"])
            XCTAssertEqual(try s.roc?.count, roc.count, "\(name) ROC points")
            for (i, p) in (try s.roc ?? []).enumerated() where i < roc.count {
                assertClose([p.fpr, p.tpr], roc[i], rel: 1e-12, "\(name) ROC \(i)")
            }
        }
        // Predictions of the first 12 rows (Spark's limit(12) keeps row order).
        let rows = try m.transform(df).orderBy("id").limit(12).select("rawPrediction", "probability", "prediction").collect()
        let raws = LinearData.matrix(c["rawPrediction"]), probs = LinearData.matrix(c["probability"])
        let preds = Expected.doubles(c["prediction"]) ?? []
        XCTAssertEqual(rows.count, 12)
        for (i, r) in rows.enumerated() {
            assertClose(try Vector(value: r[0]).toArray(), raws[i], rel: rel, floor: 1e-1, "\(name) raw \(i)")
            assertClose(try Vector(value: r[1]).toArray(), probs[i], rel: rel, floor: 1e-1, "\(name) probability \(i)")
            XCTAssertEqual(r[2], .double(preds[i]), "\(name) prediction \(i)")
        }
    }

    func testBinomialUnregularized() throws { try check("default") }
    func testBinomialL2() throws { try check("l2") }
    func testBinomialElasticNet() throws { try check("elastic") }
    func testBinomialNoIntercept() throws { try check("nointercept") }
    func testBinomialNoStandardization() throws { try check("nostd") }
    func testBinomialL1NoStandardization() throws { try check("nostd_l1") }
    func testBinomialWeighted() throws { try check("weighted") }
    func testBinomialThreshold() throws { try check("threshold") }
    func testMultinomialUnregularizedIsCentered() throws {
        try check("multi_noreg")
        let (m, _, _) = try fitCase("multi_noreg")
        for j in 0..<4 { XCTAssertEqual(m.coefficientMatrix.column(j).reduce(0, +), 0, accuracy: 1e-12) }
        XCTAssertEqual(m.interceptVector.reduce(0, +), 0, accuracy: 1e-12)
        XCTAssertThrowsError(try m.coefficients) { e in XCTAssertTrue("\(e)".contains("coefficientMatrix"), "\(e)") }
    }
    func testMultinomialL2() throws { try check("multi_l2") }
    func testMultinomialElasticNetWeighted() throws { try check("multi_elastic") }
    func testBinaryLabelsWithMultinomialFamily() throws { try check("binary_as_multi") }

    func testSparseFeaturesMatchDense() throws {
        // The same rows as sparse vectors (2^18 dimensions, as HashingTF makes them) train
        // the same model as dense ones.
        let dense = try LinearData.classification(spark)
        let rows = try dense.orderBy("id").collect()
        let dim = 1 << 18
        let slots = [7, 1000, 65_536, 262_000]
        let sparseRows: [[Value]] = try rows.map { r in
            let x = try Vector(value: r[1]).toArray()
            return [r[0], try Vectors.sparse(dim, slots, x).value, r[2]]
        }
        let sdf = try spark.createDataFrame(sparseRows, schema: Schema([StructField("id", .int), StructField("features", .vector), StructField("binary", .double)]))
        let small = try LogisticRegression(labelCol: "binary", regParam: 0.1).fit(dense)
        let big = try LogisticRegression(labelCol: "binary", regParam: 0.1).fit(sdf)
        XCTAssertEqual(big.numFeatures, dim)
        let coef = try big.coefficients
        assertClose(slots.map { coef[$0] }, try small.coefficients.toArray(), rel: 1e-6, "sparse")
        assertClose(try big.intercept, try small.intercept, rel: 1e-6, "sparse intercept")
        XCTAssertEqual(try coef.toArray().enumerated().filter { $0.element != 0 }.map(\.offset), slots)
        let p1 = try big.transform(sdf).orderBy("id").select("probability").collect().map { try Vector(value: $0[0]).toArray() }
        let p2 = try small.transform(dense).orderBy("id").select("probability").collect().map { try Vector(value: $0[0]).toArray() }
        for (a, b) in zip(p1, p2) { assertClose(a, b, rel: 1e-6, "sparse probability") }
    }

    func testSaveLoadRoundTrip() throws {
        for name in ["l2", "multi_l2"] {
            let (m, _, df) = try fitCase(name)
            try m.save(dir + "/" + name)
            let loaded = try LogisticRegressionModel.load(dir + "/" + name)
            XCTAssertEqual(loaded.uid, m.uid)
            XCTAssertEqual(loaded.coefficientMatrix.rowArrays, m.coefficientMatrix.rowArrays)
            XCTAssertEqual(loaded.interceptVector, m.interceptVector)
            XCTAssertEqual(loaded.isMultinomial, m.isMultinomial)
            XCTAssertEqual(loaded.get(loaded.regParam), m.get(m.regParam))
            XCTAssertFalse(loaded.hasSummary)
            let a = try m.transform(df).orderBy("id").select("rawPrediction", "probability", "prediction").collect()
            let b = try loaded.transform(df).orderBy("id").select("rawPrediction", "probability", "prediction").collect()
            XCTAssertEqual(a.map(\.values), b.map(\.values), name)
            let p = try LogisticRegression(labelCol: "binary", regParam: 0.3)
            try p.save(dir + "/est_" + name)
            XCTAssertEqual(try LogisticRegression.load(dir + "/est_" + name).get(p.regParam), 0.3)
        }
    }

    func testBadParamsAndColumns() throws {
        let df = try LinearData.classification(spark)
        XCTAssertThrowsError(try LogisticRegression(labelCol: "binary", regParam: -1).fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter regParam given invalid value -1.0"), "\(e)")
        }
        XCTAssertThrowsError(try LogisticRegression(labelCol: "binary", family: "poisson").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("parameter family given invalid value poisson"), "\(e)")
        }
        XCTAssertThrowsError(try LogisticRegression(labelCol: "multi", family: "binomial").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("only supports 1 or 2 outcome classes but found 3"), "\(e)")
        }
        XCTAssertThrowsError(try LogisticRegression(labelCol: "nope").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column nope does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try LogisticRegression(featuresCol: "binary", labelCol: "binary").fit(df)) { e in
            XCTAssertTrue("\(e)".contains("column binary must be of type vector"), "\(e)")
        }
        XCTAssertThrowsError(try LogisticRegression(labelCol: "binary", threshold: 0.3, thresholds: [0.5, 0.5]).fit(df)) { e in
            XCTAssertTrue("\(e)".contains("inconsistent values for threshold and thresholds"), "\(e)")
        }
        let negative = df.withColumn("neg", col("binary") - lit(1.0))
        XCTAssertThrowsError(try LogisticRegression(labelCol: "neg").fit(negative)) { e in
            XCTAssertTrue("\(e)".contains("Classification labels should be in [0, numClasses), got -1.0"), "\(e)")
        }
        let model = try LogisticRegression(labelCol: "binary").fit(df)
        XCTAssertThrowsError(try model.transform(df.drop("features"))) { e in
            XCTAssertTrue("\(e)".contains("column features does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try model.transform(df.withColumn("prediction", lit(1.0)))) { e in
            XCTAssertTrue("\(e)".contains("output column prediction already exists"), "\(e)")
        }
        let wrongSize = try spark.createDataFrame([[Vectors.dense([1.0, 2.0]).value]], schema: Schema([StructField("features", .vector)]))
        XCTAssertThrowsError(try model.transform(wrongSize).collect()) { e in
            XCTAssertTrue("\(e)".contains("has size 2 but the model expects 4 features"), "\(e)")
        }
    }

    func testConstantLabelGivesInfiniteIntercept() throws {
        let df = try LinearData.classification(spark).withColumn("one", lit(1.0))
        let m = try LogisticRegression(labelCol: "one").fit(df)
        XCTAssertEqual(try m.intercept, .infinity)
        XCTAssertEqual(try m.coefficients.toArray(), [0, 0, 0, 0])
        XCTAssertEqual(try m.summary.totalIterations, 0)
    }

    func testParamsAndDefaults() throws {
        let lr = LogisticRegression()
        XCTAssertEqual(lr.get(lr.maxIter), 100)
        XCTAssertEqual(lr.get(lr.tol), 1e-6)
        XCTAssertEqual(lr.get(lr.threshold), 0.5)
        XCTAssertEqual(lr.get(lr.family), "auto")
        XCTAssertEqual(lr.get(lr.aggregationDepth), 2)
        XCTAssertEqual(LogisticRegression.sparkClassName, "org.apache.spark.ml.classification.LogisticRegression")
        XCTAssertTrue(MLRegistry.stageType("org.apache.spark.ml.classification.LogisticRegressionModel") == LogisticRegressionModel.self)
        XCTAssertTrue(lr.explainParams().contains("family: The name of family which is a description of the label distribution to be used in the model. Supported options: auto, binomial, multinomial. (default: auto)"))
    }
}
