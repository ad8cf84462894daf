import Ember
import EmberCore
import Foundation

/// A stage of a pipeline (Spark's `PipelineStage`): params, a uid, schema validation and
/// persistence.
open class PipelineStage: Params {
    /// The Spark package of the class, for metadata and `ember ml` specs.
    open class var sparkPackage: String { "org.apache.spark.ml" }

    /// The short class name (`VectorAssembler`).
    open class var className: String { String(describing: self) }

    /// `org.apache.spark.ml.feature.VectorAssembler`.
    public class var sparkClassName: String { sparkPackage + "." + className }

    /// The schema `transform` (or the fitted model's `transform`) produces from `schema`;
    /// throws when a column is missing or of the wrong type, before any data is read.
    open func transformSchema(_ schema: Schema) throws -> Schema { schema }

    /// Saves the stage: `write.save(path)`, `write.overwrite().save(path)`.
    public var write: MLWriter { MLWriter(self) }

    public func save(_ path: String) throws { try write.save(path) }

    /// Writes what a fitted model learned into `dir` (inside the stage's directory).
    open func saveData(to dir: String, session: Session) throws {}

    /// Reads what `saveData` wrote.
    open func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {}

    /// Extra top-level metadata fields (kept next to the params).
    open func extraMetadata() -> [String: Any] { [:] }

    /// Loads a stage of this class saved by `save`.
    public class func load(_ path: String) throws -> Self {
        let stage = try MLReader.load(path)
        guard let s = stage as? Self else {
            throw MLError.invalidModelDirectory(path, "it holds a \(type(of: stage).className), not a \(className)")
        }
        return s
    }
}

/// A stage that maps a DataFrame to another (Spark's `Transformer`).
open class Transformer: PipelineStage {
    open func transform(_ df: DataFrame) throws -> DataFrame {
        throw EmberError.unsupported("\(Self.className) does not implement transform")
    }

    public func transform(_ df: DataFrame, _ extra: ParamMap) throws -> DataFrame {
        try copy(extra: extra).transform(df)
    }
}

/// A fitted model (Spark's `Model`).
open class Model: Transformer {
    /// The uid of the estimator that produced it.
    public var parentUID: String? = nil
}

/// A stage that learns a `Model` from data (Spark's `Estimator`).
open class Estimator: PipelineStage {
    open func fit(_ df: DataFrame) throws -> Model {
        throw EmberError.unsupported("\(Self.className) does not implement fit")
    }

    public func fit(_ df: DataFrame, _ extra: ParamMap) throws -> Model {
        try copy(extra: extra).fit(df)
    }

    /// Fits one model per param map (Spark's `fit(dataset, paramMaps)`).
    public func fit(_ df: DataFrame, _ maps: [ParamMap]) throws -> [Model] {
        try maps.map { try fit(df, $0) }
    }
}

/// A sequence of stages fitted in order (Spark's `Pipeline`).
public final class Pipeline: Estimator {
    public var stages: [PipelineStage] = []

    public convenience init(stages: [PipelineStage]) {
        self.init()
        self.stages = stages
    }

    @discardableResult
    public func setStages(_ s: [PipelineStage]) -> Self { stages = s; return self }

    public override func copyState(from other: Params) {
        if let o = other as? Pipeline { stages = o.stages.map { $0.copy() } }
    }

    public override func applyToChildren(_ extra: ParamMap) {
        stages = stages.map { $0.copy(extra: extra) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        var s = schema
        for stage in stages { s = try stage.transformSchema(s) }
        return s
    }

    /// Fits the estimators in order; each stage's output feeds the next. Stages after the
    /// last estimator are kept as they are.
    public override func fit(_ df: DataFrame) throws -> PipelineModel {
        _ = try transformSchema(try df.schema())
        let lastEstimator = stages.lastIndex { $0 is Estimator } ?? -1
        var current = df
        var fitted: [Transformer] = []
        for (i, stage) in stages.enumerated() {
            let t: Transformer
            if let e = stage as? Estimator {
                t = try e.fit(current)
            } else if let tr = stage as? Transformer {
                t = tr
            } else {
                throw MLError.invalidParam(uid, "stages", "stage \(stage.uid) is neither an Estimator nor a Transformer")
            }
            if i < lastEstimator { current = try t.transform(current) }
            fitted.append(t)
        }
        let m = PipelineModel(uid: uid)
        m.stages = fitted
        m.parentUID = uid
        return m
    }

    public override func saveData(to dir: String, session: Session) throws {
        try MLWriter.saveStages(stages, in: dir)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        stages = try MLReader.loadStages(in: dir, metadata: metadata)
    }

    public override func extraMetadata() -> [String: Any] { ["stageUids": stages.map(\.uid)] }
}

/// A fitted pipeline: its transformers applied in order (Spark's `PipelineModel`).
public final class PipelineModel: Model {
    public var stages: [Transformer] = []

    public convenience init(stages: [Transformer]) {
        self.init()
        self.stages = stages
    }

    public override func copyState(from other: Params) {
        if let o = other as? PipelineModel { stages = o.stages.map { $0.copy() }; parentUID = o.parentUID }
    }

    public override func applyToChildren(_ extra: ParamMap) {
        stages = stages.map { $0.copy(extra: extra) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        var s = schema
        for stage in stages { s = try stage.transformSchema(s) }
        return s
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        var current = df
        for stage in stages { current = try stage.transform(current) }
        return current
    }

    public override func saveData(to dir: String, session: Session) throws {
        try MLWriter.saveStages(stages, in: dir)
    }

    public override func loadData(from dir: String, metadata: MLMetadata, session: Session) throws {
        let loaded = try MLReader.loadStages(in: dir, metadata: metadata)
        stages = try loaded.map { s in
            guard let t = s as? Transformer else { throw MLError.invalidModelDirectory(dir, "stage \(s.uid) of a PipelineModel is not a Transformer") }
            return t
        }
    }

    public override func extraMetadata() -> [String: Any] { ["stageUids": stages.map(\.uid)] }
}
