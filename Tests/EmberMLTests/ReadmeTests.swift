import Ember
import EmberML
import Foundation
import XCTest

/// The README's machine-learning example, as written there, on a small generated table.
final class ReadmeTests: XCTestCase {
    func testReadmeExampleRuns() throws {
        let spark = TestSession.spark
        let dir = try temporaryDirectory("readme")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rows: [[Value]] = []
        for i in 0..<400 {
            let score = 550 + (i * 37) % 300, dti = Double((i * 13) % 50), ltv = Double(60 + (i * 7) % 40)
            let risk = Double(score - 700) / 50 - dti / 20 - (ltv - 80) / 10
            rows.append([.string(["CA", "NY", "TX"][i % 3]), .int(Int32(score)), .double(dti), .double(ltv), .double(risk + Double((i * 31) % 7 - 3) / 2 < 0 ? 1 : 0)])
        }
        let data = try spark.createDataFrame(rows, schema: "state STRING, credit_score INT, dti DOUBLE, ltv DOUBLE, label DOUBLE")
        let split = try data.randomSplit([0.75, 0.25], seed: 1)
        let train = split[0], test = split[1]

        let assembler = VectorAssembler(inputCols: ["credit_score", "dti", "ltv"], outputCol: "features")
        let lr = LogisticRegression(maxIter: 100, regParam: 0.01)
        let pipeline = Pipeline(stages: [StringIndexer(inputCol: "state", outputCol: "state_idx"), assembler, lr])
        let model = try pipeline.fit(train)
        try model.write.overwrite().save(dir + "/models/loans")
        let auc = try BinaryClassificationEvaluator().evaluate(try PipelineModel.load(dir + "/models/loans").transform(test))
        XCTAssertGreaterThan(auc, 0.8)
        XCTAssertEqual(auc, try BinaryClassificationEvaluator().evaluate(try model.transform(test)))

        let grid = ParamGridBuilder().addGrid(lr.regParam, [0.1, 0.01]).build()
        let cv = CrossValidator(estimator: pipeline, estimatorParamMaps: grid, evaluator: BinaryClassificationEvaluator(), numFolds: 3)
        let fitted = try cv.fit(train)
        XCTAssertEqual(fitted.avgMetrics.count, 2)
        let best = try XCTUnwrap(fitted.bestModel as? PipelineModel)
        let bestLR = try XCTUnwrap(best.stages.last as? LogisticRegressionModel)
        let chosen = fitted.avgMetrics[0] >= fitted.avgMetrics[1] ? 0.1 : 0.01
        XCTAssertEqual(bestLR.get(bestLR.regParam), chosen)
    }
}
