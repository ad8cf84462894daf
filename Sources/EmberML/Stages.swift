/// Every stage class Ember ships, for loading saved stages and `ember ml` specs.
/// Add a class here when you add one.
let builtinStages: [PipelineStage.Type] = [
    Pipeline.self, PipelineModel.self,
    VectorAssembler.self,
    // tuning
    CrossValidator.self, CrossValidatorModel.self, TrainValidationSplit.self, TrainValidationSplitModel.self,
    // linear models
    LogisticRegression.self, LogisticRegressionModel.self,
    LinearRegression.self, LinearRegressionModel.self,
]
