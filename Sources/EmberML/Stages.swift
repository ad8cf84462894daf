/// Every stage class Ember ships, for loading saved stages and `ember ml` specs.
/// Add a class here when you add one.
let builtinStages: [PipelineStage.Type] = [
    Pipeline.self, PipelineModel.self,
    VectorAssembler.self,
    // naive bayes and isotonic
    NaiveBayes.self, NaiveBayesModel.self, IsotonicRegression.self, IsotonicRegressionModel.self,
    // tuning
    CrossValidator.self, CrossValidatorModel.self, TrainValidationSplit.self, TrainValidationSplitModel.self,
    // linear models
    LogisticRegression.self, LogisticRegressionModel.self,
    LinearRegression.self, LinearRegressionModel.self,
    // svc, glm, mlp
    LinearSVC.self, LinearSVCModel.self,
    GeneralizedLinearRegression.self, GeneralizedLinearRegressionModel.self,
    MultilayerPerceptronClassifier.self, MultilayerPerceptronClassificationModel.self,
    // feature transformers
    StringIndexer.self, StringIndexerModel.self, IndexToString.self,
    OneHotEncoder.self, OneHotEncoderModel.self,
    StandardScaler.self, StandardScalerModel.self, MinMaxScaler.self, MinMaxScalerModel.self,
    MaxAbsScaler.self, MaxAbsScalerModel.self, Normalizer.self, Binarizer.self, Bucketizer.self,
    QuantileDiscretizer.self, Imputer.self, ImputerModel.self, SQLTransformer.self,
    PolynomialExpansion.self, ElementwiseProduct.self, VectorSlicer.self, Interaction.self,
    VarianceThresholdSelector.self, VarianceThresholdSelectorModel.self, ChiSqSelector.self, ChiSqSelectorModel.self,
    VectorIndexer.self, VectorIndexerModel.self,
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
    // word2vec
    Word2Vec.self, Word2VecModel.self,
    // trees
    DecisionTreeClassifier.self, DecisionTreeClassificationModel.self, DecisionTreeRegressor.self, DecisionTreeRegressionModel.self,
    RandomForestClassifier.self, RandomForestClassificationModel.self, RandomForestRegressor.self, RandomForestRegressionModel.self,
    GBTClassifier.self, GBTClassificationModel.self, GBTRegressor.self, GBTRegressionModel.self,
    // clustering and pca
    KMeans.self, KMeansModel.self, PCA.self, PCAModel.self, GaussianMixture.self, GaussianMixtureModel.self,
    BisectingKMeans.self, BisectingKMeansModel.self,
    // xgboost
    XGBoostClassifier.self, XGBoostClassificationModel.self, XGBoostRegressor.self, XGBoostRegressionModel.self,
]
