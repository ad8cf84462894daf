import Ember
@testable import EmberML
import Foundation
import XCTest

/// `ember ml`'s library side: specs, data reading, prediction files.
final class MLJobsTests: XCTestCase {
    var spark: Session { TestSession.spark }
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryDirectory("jobs") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func testSpecErrorsNameTheStage() throws {
        func message(_ spec: String) -> String {
            do { _ = try MLJobs.pipeline(spec: Data(spec.utf8)); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("{").contains("not valid JSON"))
        XCTAssertTrue(message(#"{"stages": [{"class": "Nope"}]}"#).contains("Stage 0: unknown class Nope"))
        XCTAssertTrue(message(#"{"stages": [{"class": "VectorAssembler", "params": {"inputCol": "a"}}]}"#).contains("Stage 0 (VectorAssembler)"))
        XCTAssertTrue(message(#"{"stages": [{"class": "VectorAssembler", "params": {"inputCols": "a"}}]}"#).contains("expects a array<string>"))
        XCTAssertTrue(message(#"{"stages": [{"class": "VectorAssembler", "params": {"handleInvalid": "x"}}]}"#).contains("handleInvalid given invalid value x"))
        let p = try MLJobs.pipeline(spec: Data(#"{"stages": [{"class": "org.apache.spark.ml.feature.VectorAssembler", "params": {"inputCols": ["a", "b"], "outputCol": "f"}}]}"#.utf8))
        XCTAssertEqual((p.stages[0] as? VectorAssembler).flatMap { $0.get($0.inputCols) }, ["a", "b"])
    }

    func testFitTransformWritesEveryFormat() throws {
        let csv = dir + "/in.csv"
        try "a,b,name\n1,2.5,x\n0,0,y\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let spec = Data(#"{"stages": [{"class": "VectorAssembler", "params": {"inputCols": ["a", "b"], "outputCol": "features"}}]}"#.utf8)
        let model = try MLJobs.fit(spec: spec, data: try MLJobs.read(spark, csv), out: dir + "/model")
        XCTAssertEqual(model.stages.count, 1)
        let loaded = try PipelineModel.load(dir + "/model")
        let out = try loaded.transform(try MLJobs.read(spark, csv))
        try MLJobs.write(out, to: dir + "/p.jsonl")
        XCTAssertEqual(try String(contentsOfFile: dir + "/p.jsonl", encoding: .utf8), """
            {"a":1,"b":2.5,"name":"x","features":[1.0,2.5]}
            {"a":0,"b":0.0,"name":"y","features":[0.0,0.0]}

            """)
        try MLJobs.write(out, to: dir + "/p.csv")
        XCTAssertEqual(try String(contentsOfFile: dir + "/p.csv", encoding: .utf8), "a,b,name,features\n1,2.5,x,\"[1.0,2.5]\"\n0,0.0,y,\"[0.0,0.0]\"\n")
        try MLJobs.write(out, to: dir + "/p.parquet")
        let back = try MLJobs.read(spark, dir + "/p.parquet")
        XCTAssertEqual(try back.schema().fields.last?.dataType, .vector)
        XCTAssertEqual(try back.count(), 2)
        XCTAssertThrowsError(try MLJobs.write(out, to: dir + "/p.txt"))
        XCTAssertThrowsError(try MLJobs.read(spark, dir + "/missing.csv")) { e in XCTAssertTrue("\(e)".contains("does not exist"), "\(e)") }
    }
}
