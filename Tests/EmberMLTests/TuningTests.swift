import Ember
@testable import EmberML
import Foundation
import XCTest

/// Predicts the training labels' mean plus `shift`.
final class ShiftRegressor: Estimator {
    let shift = Param<Double>("shift", "added to the mean", default: 0)
    override func fit(_ df: DataFrame) throws -> Model {
        let ys = try df.select("label").collect().compactMap { $0.values[0].doubleValue }
        let m = ShiftModel(uid: uid)
        m.prediction = ys.reduce(0, +) / Double(ys.count) + (get(shift) ?? 0)
        return m
    }
}

final class ShiftModel: Model {
    var prediction = 0.0
    override func copyState(from other: Params) { prediction = (other as? ShiftModel)?.prediction ?? 0 }
    override func transform(_ df: DataFrame) throws -> DataFrame { df.withColumn("prediction", lit(prediction)) }
    override func saveData(to dir: String, session: Session) throws {
        try session.createDataFrame([[.double(prediction)]], schema: "p DOUBLE").write.parquet(dir + "/data")
    }
    override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        prediction = try session.read.parquet(dir + "/data").collect().first?.values[0].doubleValue ?? .nan
    }
}

/// Mean squared error (smaller is better).
final class MSE: Evaluator {
    override var isLargerBetter: Bool { false }
    override func evaluate(_ df: DataFrame) throws -> Double {
        let rows = try df.select("prediction", "label").collect()
        let se = rows.reduce(0.0) { s, r in
            let d = (r.values[0].doubleValue ?? 0) - (r.values[1].doubleValue ?? 0)
            return s + d * d
        }
        return se / Double(rows.count)
    }
}

/// CrossValidator and TrainValidationSplit: the fold logic, choice of the best map, metrics
/// (checked against the same arithmetic done here by hand), persistence and errors.
final class TuningTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory("tuning")
        MLRegistry.register(ShiftRegressor.self)
        MLRegistry.register(ShiftModel.self)
        MLRegistry.register(MSE.self)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func data() throws -> (DataFrame, [(Int, Double)]) {
        var rows: [(Int, Double)] = []
        for i in 0..<30 {
            let bump: Double = i % 3 == 1 ? 4 : 0
            rows.append((i % 3, Double((i * 7) % 11) + bump))
        }
        return (try spark.createDataFrame(rows.map { [.int(Int32($0.0)), .double($0.1)] }, schema: "fold INT, label DOUBLE"), rows)
    }

    func testParamGridOrder() {
        let e = ShiftRegressor()
        let maps = ParamGridBuilder().addGrid(e.shift, [0, 1, 2]).build()
        XCTAssertEqual(maps.map { $0.get(e.shift) }, [0, 1, 2])
        let a = Param<Int>("a", "a"), b = Param<Bool>("b", "b")
        let grid = ParamGridBuilder().addGrid(a, [1, 2]).addGrid(b).build()
        XCTAssertEqual(grid.map { "\($0.get(a) ?? 0)\($0.get(b) ?? false)" }, ["1true", "2true", "1false", "2false"])
    }

    func testCrossValidatorWithFoldColumn() throws {
        let (df, rows) = try data()
        let est = ShiftRegressor()
        let shifts = [-2.0, 0.0, 1.5]
        let cv = CrossValidator(estimator: est, estimatorParamMaps: ParamGridBuilder().addGrid(est.shift, shifts).build(), evaluator: MSE(), parallelism: 2)
        cv.set(cv.foldCol, "fold")
        let model = try cv.fit(df)
        // By hand: train on the other two folds, score on this one, average over folds.
        var expected: [Double] = []
        for s in shifts {
            var total = 0.0
            for f in 0..<3 {
                let train = rows.filter { $0.0 != f }.map(\.1), test = rows.filter { $0.0 == f }.map(\.1)
                let p = train.reduce(0, +) / Double(train.count) + s
                total += test.reduce(0.0) { $0 + (p - $1) * (p - $1) } / Double(test.count)
            }
            expected.append(total / 3)
        }
        XCTAssertEqual(model.avgMetrics.count, 3)
        for (a, b) in zip(model.avgMetrics, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let best = expected.indices.min { expected[$0] < expected[$1] } ?? -1
        let all = rows.map(\.1)
        XCTAssertEqual((model.bestModel as? ShiftModel)?.prediction ?? .nan, all.reduce(0, +) / 30 + shifts[best], accuracy: 1e-12)

        try model.write.save(dir + "/cv")
        let loaded = try CrossValidatorModel.load(dir + "/cv")
        XCTAssertEqual(loaded.avgMetrics, model.avgMetrics)
        XCTAssertEqual(loaded.estimatorParamMaps.map { $0.get(est.shift) }, shifts)
        XCTAssertEqual((loaded.bestModel as? ShiftModel)?.prediction, (model.bestModel as? ShiftModel)?.prediction)
        XCTAssertEqual(try loaded.transform(df).select("prediction").first()?.values[0].doubleValue, (model.bestModel as? ShiftModel)?.prediction)
    }

    func testRandomFoldsAndTrainValidationSplit() throws {
        let (df, _) = try data()
        let est = ShiftRegressor()
        let maps = ParamGridBuilder().addGrid(est.shift, [0, 10]).build()
        let cv = CrossValidator(estimator: est, estimatorParamMaps: maps, evaluator: MSE(), numFolds: 4, seed: 7)
        let m1 = try cv.fit(df), m2 = try cv.fit(df)
        XCTAssertEqual(m1.avgMetrics, m2.avgMetrics, "same seed, same folds")
        XCTAssertLessThan(m1.avgMetrics[0], m1.avgMetrics[1])
        let tvs = TrainValidationSplit(estimator: est, estimatorParamMaps: maps, evaluator: MSE(), trainRatio: 0.6, seed: 3)
        let t = try tvs.fit(df)
        XCTAssertEqual(t.validationMetrics.count, 2)
        XCTAssertLessThan(t.validationMetrics[0], t.validationMetrics[1])
        try tvs.write.save(dir + "/tvs")
        let back = try TrainValidationSplit.load(dir + "/tvs")
        XCTAssertEqual(back.get(back.trainRatio), 0.6)
        XCTAssertEqual(back.estimatorParamMaps.count, 2)
    }

    func testTuningErrors() throws {
        let (df, _) = try data()
        let est = ShiftRegressor()
        let cv = CrossValidator(estimator: est, estimatorParamMaps: [], evaluator: MSE())
        XCTAssertThrowsError(try cv.fit(df)) { e in XCTAssertTrue("\(e)".contains("estimatorParamMaps is empty"), "\(e)") }
        let cv2 = CrossValidator(estimator: est, estimatorParamMaps: ParamGridBuilder().addGrid(est.shift, [0]).build(), evaluator: MSE(), numFolds: 1)
        XCTAssertThrowsError(try cv2.fit(df)) { e in XCTAssertTrue("\(e)".contains("numFolds given invalid value 1"), "\(e)") }
        let cv3 = CrossValidator(estimator: est, estimatorParamMaps: ParamGridBuilder().addGrid(est.shift, [0]).build(), evaluator: MSE(), numFolds: 2)
        cv3.set(cv3.foldCol, "fold")
        XCTAssertThrowsError(try cv3.fit(df)) { e in XCTAssertTrue("\(e)".contains("must hold values in [0, 2)"), "\(e)") }
    }
}
