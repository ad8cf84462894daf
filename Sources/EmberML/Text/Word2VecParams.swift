import Ember
import EmberCore

/// The params `Word2Vec` and `Word2VecModel` share (Spark's `Word2VecBase`), with Spark's
/// names, docs, validators and defaults.
enum Word2VecShared {
    /// Scala's default seed: `"org.apache.spark.ml.feature.Word2Vec".hashCode`.
    static let defaultSeed = -1_961_189_076

    static func vectorSize() -> Param<Int> {
        Param("vectorSize", "the dimension of codes after transforming from words (> 0)", default: 100, .gt(0))
    }
    static func windowSize() -> Param<Int> {
        Param("windowSize", "the window size (context words from [-window, window]) (> 0)", default: 5, .gt(0))
    }
    static func numPartitions() -> Param<Int> {
        Param("numPartitions", "number of partitions for sentences of words (> 0)", default: 1, .gt(0))
    }
    static func minCount() -> Param<Int> {
        Param("minCount", "the minimum number of times a token must appear to be included in the word2vec model's vocabulary (>= 0)", default: 5, .gtEq(0))
    }
    static func maxSentenceLength() -> Param<Int> {
        Param("maxSentenceLength", "Maximum length (in words) of each sentence in the input data. Any sentence longer than this threshold will be divided into chunks up to the size (> 0)", default: 1000, .gt(0))
    }
    static func stepSize() -> Param<Double> {
        Param("stepSize", "Step size to be used for each iteration of optimization (> 0)", default: 0.025, .gt(0))
    }

    /// Checks params, that `inputCol` is an `array<string>`, and appends the vector `outputCol`.
    static func transformSchema(_ stage: PipelineStage, _ schema: Schema, inputCol: String, outputCol: String) throws -> Schema {
        try stage.validateParams()
        let f = try SchemaUtils.checkStringArray(schema, inputCol, stage: stage.uid)
        return try SchemaUtils.appendColumn(schema, outputCol, .vector, nullable: f.nullable, stage: stage.uid)
    }
}
