import Ember
@testable import EmberML
import Foundation
import XCTest

/// Vectors, params, pipelines, persistence and VectorAssembler. Expected values come from
/// Apache Spark 4.1.1 (`scripts/ml/expected_core.py` → expected/core.json).
final class CoreTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("core") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// The rows of expected_core.py.
    func sampleFrame() throws -> DataFrame {
        let rows: [[Value]] = [
            [.int(1), .double(2.0), .boolean(true), Vectors.dense([0.0, 3.0]).value, .double(0)],
            [.int(2), .double(0.0), .boolean(false), try Vectors.sparse(5, [1, 4], [0.5, 2.0]).value, .double(1.5)],
            [.int(3), .null, .boolean(true), Vectors.dense([1.0, 1.0]).value, .double(2.0)],
            [.int(4), .double(4.0), .boolean(false), Vectors.dense([0.0, 0.0]).value, .double(.nan)],
            [.int(5), .double(0.0), .boolean(false), try Vectors.sparse(40, [3], [7.0]).value, .double(0)],
        ]
        let schema = Schema([StructField("id", .int), StructField("x", .double), StructField("b", .boolean),
                             StructField("v", .vector), StructField("y", .double)])
        return try spark.createDataFrame(rows, schema: schema)
    }

    func vectors(_ df: DataFrame, _ column: String) throws -> [(Int32, Vector?)] {
        try df.orderBy("id").select("id", column).collect().map { r in
            guard case .int(let id) = r.values[0] else { throw EmberError.internalError("id") }
            return (id, r.values[1].isNull ? nil : try Vector(value: r.values[1]))
        }
    }

    func checkAgainst(_ key: String, _ got: [(Int32, Vector?)]) throws {
        let exp = try Expected.load("core")
        guard let rows = exp[key] as? [[Any]] else { return XCTFail("missing \(key)") }
        XCTAssertEqual(got.map(\.0), rows.map { Int32(($0[0] as? NSNumber)?.intValue ?? -1) }, key)
        for (g, e) in zip(got, rows) { assertVectorsEqual(g.1, try Expected.vector(e[1]), "\(key) id \(g.0)") }
    }

    func testVectorAssemblerMatchesSpark() throws {
        let df = try sampleFrame()
        try checkAgainst("assembler_skip", try vectors(VectorAssembler(inputCols: ["id", "x", "b", "v"], outputCol: "features", handleInvalid: "skip").transform(df), "features"))
        try checkAgainst("assembler_keep", try vectors(VectorAssembler(inputCols: ["id", "x", "y"], outputCol: "features", handleInvalid: "keep").transform(df), "features"))
        try checkAgainst("assembler_error_ok", try vectors(VectorAssembler(inputCols: ["id", "b", "v"], outputCol: "features").transform(df), "features"))
    }

    func testVectorAssemblerErrors() throws {
        let df = try sampleFrame()
        let nullRow = VectorAssembler(inputCols: ["id", "x"], outputCol: "f")
        XCTAssertThrowsError(try nullRow.transform(df).collect()) { e in
            XCTAssertTrue("\(e)".contains("Encountered null while assembling a row"), "\(e)")
        }
        XCTAssertThrowsError(try VectorAssembler(inputCols: ["id", "nope"], outputCol: "f").transform(df)) { e in
            XCTAssertTrue("\(e)".contains("column nope does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try VectorAssembler(inputCols: ["id"], outputCol: "x").transform(df)) { e in
            XCTAssertTrue("\(e)".contains("output column x already exists"), "\(e)")
        }
        XCTAssertThrowsError(try VectorAssembler(inputCols: ["id"], outputCol: "f", handleInvalid: "drop").transform(df)) { e in
            XCTAssertTrue("\(e)".contains("handleInvalid given invalid value drop"), "\(e)")
        }
        let strings = try spark.createDataFrame([[.string("a")]], schema: "s STRING")
        XCTAssertThrowsError(try VectorAssembler(inputCols: ["s"], outputCol: "f").transform(strings)) { e in
            XCTAssertTrue("\(e)".contains("Data type STRING of column s is not supported"), "\(e)")
        }
    }

    func testVectorFormatting() throws {
        XCTAssertEqual(Vectors.dense([1.0, 2.0]).description, "[1.0,2.0]")
        XCTAssertEqual(try Vectors.sparse(5, [1, 3], [0.5, 2.0]).description, "(5,[1,3],[0.5,2.0])")
        XCTAssertThrowsError(try Vectors.sparse(3, [2, 1], [1, 1]))
        XCTAssertThrowsError(try Vectors.sparse(3, [3], [1]))
        // Row 2 (size 6, 3 nonzeros) is dense in Spark's compressed form.
        let df = try VectorAssembler(inputCols: ["id", "v"], outputCol: "features").transform(try sampleFrame()).select("id", "features")
        let shown = try df.orderBy("id").showString(2)
        XCTAssertEqual(shown, """
            +---+--------------------+
            | id|            features|
            +---+--------------------+
            |  1|       [1.0,0.0,3.0]|
            |  2|[2.0,0.0,0.5,0.0,...|
            +---+--------------------+
            only showing top 2 rows

            """)
        XCTAssertTrue(try df.schema().treeString.contains("|-- features: vector (nullable = false)"))
    }

    func testParamsExplainCopyAndValidation() throws {
        let va = VectorAssembler(inputCols: ["a", "b"], outputCol: "f")
        XCTAssertEqual(va.explainParams(), """
            handleInvalid: \(va.handleInvalid.doc) (default: error)
            inputCols: input column names (current: [a, b])
            outputCol: output column name (default: \(va.uid)__output, current: f)
            """)
        let c = va.copy(extra: ParamMap().put(va.handleInvalid, "skip"))
        XCTAssertEqual(c.uid, va.uid)
        XCTAssertEqual(c.get(c.handleInvalid), "skip")
        XCTAssertEqual(va.get(va.handleInvalid), "error")
        XCTAssertThrowsError(try va.set(name: "nope", json: 1)) { e in XCTAssertTrue("\(e)".contains("parameter nope does not exist"), "\(e)") }
        XCTAssertThrowsError(try va.set(name: "inputCols", json: 3)) { e in XCTAssertTrue("\(e)".contains("expects a array<string>"), "\(e)") }
        XCTAssertTrue(va.uid.hasPrefix("VectorAssembler_"))
    }

    func testPipelineSaveLoadRoundTrip() throws {
        let df = try sampleFrame()
        let pipeline = Pipeline(stages: [VectorAssembler(inputCols: ["id", "b", "v"], outputCol: "features")])
        let model = try pipeline.fit(df)
        let before = try vectors(model.transform(df), "features")
        try model.write.save(dir + "/model")
        XCTAssertThrowsError(try model.write.save(dir + "/model")) { e in XCTAssertTrue("\(e)".contains("already exists"), "\(e)") }
        try model.write.overwrite().save(dir + "/model")
        let loaded = try PipelineModel.load(dir + "/model")
        XCTAssertEqual(loaded.uid, model.uid)
        XCTAssertEqual(loaded.stages.map(\.uid), model.stages.map(\.uid))
        let after = try vectors(loaded.transform(df), "features")
        XCTAssertEqual(after.map(\.0), before.map(\.0))
        for (a, b) in zip(after, before) { assertVectorsEqual(a.1, b.1) }
        try pipeline.write.save(dir + "/pipeline")
        let p2 = try Pipeline.load(dir + "/pipeline")
        XCTAssertEqual(p2.stages.count, 1)
        XCTAssertEqual((p2.stages[0] as? VectorAssembler)?.get((p2.stages[0] as? VectorAssembler)!.inputCols), ["id", "b", "v"])
    }

    func testLoadingBadDirectoriesThrows() throws {
        XCTAssertThrowsError(try PipelineModel.load(dir + "/missing")) { e in XCTAssertTrue("\(e)".contains("does not exist"), "\(e)") }
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        XCTAssertThrowsError(try PipelineModel.load(dir + "/empty")) { e in XCTAssertTrue("\(e)".contains("metadata.json is missing"), "\(e)") }
        try FileManager.default.createDirectory(atPath: dir + "/bad", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/bad/metadata.json", contents: Data("{not json".utf8))
        XCTAssertThrowsError(try PipelineModel.load(dir + "/bad")) { e in XCTAssertTrue("\(e)".contains("not valid JSON"), "\(e)") }
        try VectorAssembler(inputCols: ["a"], outputCol: "b").save(dir + "/va")
        XCTAssertThrowsError(try PipelineModel.load(dir + "/va")) { e in XCTAssertTrue("\(e)".contains("holds a VectorAssembler, not a PipelineModel"), "\(e)") }
    }

    func testUserDefinedFunctionRunsInPlans() throws {
        let twice = udf("twice", returnType: .long) { cols, n in
            guard let xs = cols[0].int64s else { throw EmberError.internalError("expected longs") }
            return ColumnData(type: .long, count: n, validity: cols[0].validity, storage: .i64(xs.map { $0 * 2 }))
        }
        let rows = try spark.range(10).select(twice(col("id")).alias("t")).filter(col("t") > 10).collect()
        XCTAssertEqual(rows.map { $0.values[0] }, [12, 14, 16, 18].map { Value.long($0) })
    }
}
