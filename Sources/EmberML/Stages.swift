/// Every stage class Ember ships, for loading saved stages and `ember ml` specs.
/// Add a class here when you add one.
let builtinStages: [PipelineStage.Type] = [
    Pipeline.self, PipelineModel.self,
    VectorAssembler.self,
    // naive bayes and isotonic
    NaiveBayes.self, NaiveBayesModel.self, IsotonicRegression.self, IsotonicRegressionModel.self,
    // tuning
    CrossValidator.self, CrossValidatorModel.self, TrainValidationSplit.self, TrainValidationSplitModel.self,
]
