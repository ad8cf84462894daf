import Ember
import EmberPlan
import EmberCore
import Foundation

/// Pipelines without Swift code (what `ember ml` runs): a pipeline described in JSON is
/// fitted and saved; a saved model transforms or evaluates a data file.
public enum MLJobs {
    /// A pipeline from a spec: `{"stages": [{"class": "VectorAssembler", "params": {...}}, …]}`.
    /// Classes are Spark's short or full names; params are Spark's names and JSON values.
    public static func pipeline(spec data: Data) throws -> Pipeline {
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch {
            throw EmberError.invalidArgument("The pipeline spec is not valid JSON: \(error.localizedDescription)")
        }
        guard let root = obj as? [String: Any], let stages = root["stages"] as? [Any] else {
            throw EmberError.invalidArgument("The pipeline spec must be an object with a \"stages\" array.")
        }
        var built: [PipelineStage] = []
        for (i, raw) in stages.enumerated() {
            guard let s = raw as? [String: Any], let cls = s["class"] as? String else {
                throw EmberError.invalidArgument("Stage \(i) of the spec must be an object with a \"class\" string.")
            }
            guard let type = MLRegistry.stageType(cls) else {
                throw EmberError.invalidArgument("Stage \(i): unknown class \(cls). Known classes: \(MLRegistry.classNames.joined(separator: ", ")).")
            }
            let stage = type.init(uid: Params.randomUID(type.className))
            guard stage is Estimator || stage is Transformer else {
                throw EmberError.invalidArgument("Stage \(i) (\(cls)) is neither an Estimator nor a Transformer.")
            }
            let params = s["params"] as? [String: Any] ?? [:]
            for (name, value) in params.sorted(by: { $0.key < $1.key }) {
                do { try stage.set(name: name, json: value) } catch let e as EmberError {
                    throw EmberError(errorClass: e.errorClass, sqlState: e.sqlState, message: "Stage \(i) (\(type.className)): \(e.message)")
                }
            }
            built.append(stage)
        }
        return Pipeline(stages: built)
    }

    /// Reads a data file or directory: Parquet, JSON lines, or CSV (with a header and an
    /// inferred schema), by extension or by the files inside a directory.
    public static func read(_ session: Session, _ path: String) throws -> DataFrame {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw EmberError(errorClass: "PATH_NOT_FOUND", sqlState: "42K03", message: "Path does not exist: \(path).")
        }
        var probe = path
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            probe = names.filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") }.sorted().first ?? path
        }
        let ext = probe.lowercased()
        if ext.hasSuffix(".parquet") { return session.read.parquet(path) }
        if ext.hasSuffix(".json") || ext.hasSuffix(".jsonl") || ext.hasSuffix(".ndjson") { return session.read.json(path) }
        return session.read.option("header", true).option("inferSchema", true).csv(path)
    }

    /// Fits the spec's pipeline on the data and saves the model to `out` (replacing it).
    public static func fit(spec: Data, data: DataFrame, out: String) throws -> PipelineModel {
        let model = try pipeline(spec: spec).fit(data)
        try model.write.overwrite().save(out)
        return model
    }

    /// Writes `df` to `out`: `.jsonl` (vectors as JSON arrays), `.csv` (with a header;
    /// vectors in Spark's text form) or `.parquet` (a directory, as Spark writes).
    public static func write(_ df: DataFrame, to out: String) throws {
        let lower = out.lowercased()
        if lower.hasSuffix(".parquet") {
            try df.write.mode("overwrite").parquet(out)
            return
        }
        let jsonl = lower.hasSuffix(".jsonl") || lower.hasSuffix(".json")
        guard jsonl || lower.hasSuffix(".csv") else {
            throw EmberError.invalidArgument("Output \(out) must end in .jsonl, .csv or .parquet.")
        }
        let schema = try df.schema()
        let tmp = out + ".tmp-\(UUID().uuidString.lowercased())"
        guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else {
            throw EmberError.io("Cannot create \(tmp)")
        }
        do {
            var buffer = ""
            func flush(_ force: Bool) throws {
                if force || buffer.utf8.count > 1 << 20 {
                    try h.write(contentsOf: Data(buffer.utf8))
                    buffer = ""
                }
            }
            if !jsonl { buffer += schema.names.map(TextRows.csvField).joined(separator: ",") + "\n" }
            for row in try df.toLocalIterator() {
                if jsonl {
                    buffer += TextRows.jsonLine(row.values, schema) + "\n"
                } else {
                    buffer += zip(row.values, schema.fields).map { TextRows.csvValue($0, $1.dataType) }.joined(separator: ",") + "\n"
                }
                try flush(false)
            }
            try flush(true)
            try h.close()
            if FileManager.default.fileExists(atPath: out) { _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: out), withItemAt: URL(fileURLWithPath: tmp)) } else {
                try FileManager.default.moveItem(atPath: tmp, toPath: out)
            }
        } catch {
            try? h.close()
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// The evaluator class for `kind` (binary, multiclass, regression, clustering).
    public static func evaluator(_ kind: String, metric: String?) throws -> Evaluator {
        let names = ["binary": "BinaryClassificationEvaluator", "multiclass": "MulticlassClassificationEvaluator",
                     "regression": "RegressionEvaluator", "clustering": "ClusteringEvaluator"]
        guard let name = names[kind.lowercased()] else {
            throw EmberError.invalidArgument("Unknown evaluator \(kind): use binary, multiclass, regression or clustering.")
        }
        guard let type = MLRegistry.stageType(name), let ev = type.init(uid: Params.randomUID(name)) as? Evaluator else {
            throw EmberError.unsupported("\(name) is not available in this build.")
        }
        if let m = metric { try ev.set(name: "metricName", json: m) }
        return ev
    }

    /// Loads the model in `modelDir`, transforms the data and scores it; returns the metric's
    /// name and value.
    public static func evaluate(modelDir: String, data: DataFrame, evaluator kind: String, metric: String?) throws -> (String, Double) {
        let stage = try MLReader.load(modelDir)
        guard let model = stage as? Transformer else { throw MLError.invalidModelDirectory(modelDir, "it holds a \(type(of: stage).className), which cannot transform") }
        let ev = try evaluator(kind, metric: metric)
        let value = try ev.evaluate(try model.transform(data))
        let name = ev.paramMap["metricName"]?.display ?? ev.defaultValue("metricName")?.display ?? kind
        return (name, value)
    }
}
