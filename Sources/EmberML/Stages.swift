/// Every stage class Ember ships, for loading saved stages and `ember ml` specs.
/// Add a class here when you add one.
let builtinStages: [PipelineStage.Type] = [
    Pipeline.self, PipelineModel.self,
    VectorAssembler.self,
    // text and evaluation
    Tokenizer.self,
    RegexTokenizer.self,
    StopWordsRemover.self,
    NGram.self,
    HashingTF.self,
    CountVectorizer.self,
    CountVectorizerModel.self,
    IDF.self,
    IDFModel.self,
    FeatureHasher.self,
    BinaryClassificationEvaluator.self,
    MulticlassClassificationEvaluator.self,
    RegressionEvaluator.self,
    ClusteringEvaluator.self,
]
