"""Expected values for Tests/EmberMLTests/EvaluatorTests.swift, from Apache Spark 4.1.1 and,
where it defines the same metric, scikit-learn.

Run: python3 scripts/ml/expected_eval.py  (writes Tests/EmberMLTests/expected/eval.json)
The generated input rows are written into the JSON too, so the Swift tests read the same data.
The frames are coalesced to one partition: Spark's BinaryClassificationMetrics bins the
sorted scores per partition, and one partition is the order-independent definition Ember follows.
"""
import json, math, os
import numpy as np
from pyspark.sql import SparkSession
from pyspark.ml.linalg import Vectors
from pyspark.ml.evaluation import (BinaryClassificationEvaluator, MulticlassClassificationEvaluator,
                                   RegressionEvaluator, ClusteringEvaluator)
from sklearn import metrics as skm

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}
rng = np.random.default_rng(7)

# Binary: 400 rows, scores rounded to 2 decimals (many ties), labels drawn from the scores.
n = 400
score = np.round(rng.normal(0, 1.2, n), 2)
label = (rng.random(n) < 1 / (1 + np.exp(-1.5 * score))).astype(float)
weight = np.round(rng.uniform(0.2, 3.0, n), 3)
out["binary_rows"] = [[float(s), float(l), float(w)] for s, l, w in zip(score, label, weight)]
bdf = spark.createDataFrame([(float(s), Vectors.dense([-float(s), float(s)]), float(l), float(w))
                             for s, l, w in zip(score, label, weight)], ["score", "raw", "label", "weight"]).coalesce(1)
b = {}
for metric in ["areaUnderROC", "areaUnderPR"]:
    for bins in [1000, 0, 50, 7]:
        for col in ["score", "raw"]:
            e = BinaryClassificationEvaluator(rawPredictionCol=col, metricName=metric, numBins=bins)
            b[f"{metric}_{bins}_{col}"] = e.evaluate(bdf)
        e = BinaryClassificationEvaluator(rawPredictionCol="score", metricName=metric, numBins=bins, weightCol="weight")
        b[f"{metric}_{bins}_weighted"] = e.evaluate(bdf)
out["binary"] = b
out["binary_sklearn"] = {
    "roc_auc": skm.roc_auc_score(label, score),
    "roc_auc_weighted": skm.roc_auc_score(label, score, sample_weight=weight),
}

# Multiclass: 3 classes, noisy predictions, probabilities from a softmax.
m = 450
y = rng.integers(0, 3, m).astype(float)
logits = rng.normal(0, 1, (m, 3))
logits[np.arange(m), y.astype(int)] += 1.2
prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
pred = prob.argmax(axis=1).astype(float)
mw = np.round(rng.uniform(0.5, 2.0, m), 3)
out["multi_rows"] = [[float(p), float(l), float(w), [float(x) for x in pr]] for p, l, w, pr in zip(pred, y, mw, prob)]
mdf = spark.createDataFrame([(float(p), float(l), float(w), Vectors.dense([float(x) for x in pr]))
                             for p, l, w, pr in zip(pred, y, mw, prob)], ["prediction", "label", "weight", "probability"])
names = ["f1", "accuracy", "weightedPrecision", "weightedRecall", "weightedTruePositiveRate", "weightedFalsePositiveRate",
         "weightedFMeasure", "truePositiveRateByLabel", "falsePositiveRateByLabel", "precisionByLabel", "recallByLabel",
         "fMeasureByLabel", "logLoss", "hammingLoss"]
mc = {}
for name in names:
    mc[name] = MulticlassClassificationEvaluator(metricName=name).evaluate(mdf)
    mc[name + "_weighted"] = MulticlassClassificationEvaluator(metricName=name, weightCol="weight").evaluate(mdf)
    mc[name + "_label2_beta0.5"] = MulticlassClassificationEvaluator(metricName=name, metricLabel=2.0, beta=0.5).evaluate(mdf)
out["multi"] = mc
out["multi_sklearn"] = {
    "accuracy": skm.accuracy_score(y, pred),
    "accuracy_weighted": skm.accuracy_score(y, pred, sample_weight=mw),
    "f1_weighted": skm.f1_score(y, pred, average="weighted"),
    "precision_weighted": skm.precision_score(y, pred, average="weighted"),
    "recall_weighted": skm.recall_score(y, pred, average="weighted"),
    "hamming_loss": skm.hamming_loss(y, pred),
    "log_loss": skm.log_loss(y, prob),
    "log_loss_weighted": skm.log_loss(y, prob, sample_weight=mw),
    "fbeta0.5_label2": skm.fbeta_score(y, pred, beta=0.5, labels=[2.0], average=None)[0],
}

# Regression.
r = 350
yt = rng.normal(3, 2, r)
yp = yt + rng.normal(0, 0.8, r) + 0.3
rw = np.round(rng.uniform(0.1, 4.0, r), 3)
out["reg_rows"] = [[float(p), float(l), float(w)] for p, l, w in zip(yp, yt, rw)]
rdf = spark.createDataFrame([(float(p), float(l), float(w)) for p, l, w in zip(yp, yt, rw)], ["prediction", "label", "weight"])
rg = {}
for name in ["rmse", "mse", "r2", "mae", "var"]:
    rg[name] = RegressionEvaluator(metricName=name).evaluate(rdf)
    rg[name + "_weighted"] = RegressionEvaluator(metricName=name, weightCol="weight").evaluate(rdf)
    rg[name + "_origin"] = RegressionEvaluator(metricName=name, throughOrigin=True).evaluate(rdf)
out["reg"] = rg
out["reg_sklearn"] = {
    "mse": skm.mean_squared_error(yt, yp),
    "mse_weighted": skm.mean_squared_error(yt, yp, sample_weight=rw),
    "rmse": math.sqrt(skm.mean_squared_error(yt, yp)),
    "mae": skm.mean_absolute_error(yt, yp),
    "mae_weighted": skm.mean_absolute_error(yt, yp, sample_weight=rw),
    "r2": skm.r2_score(yt, yp),
}

# Clustering: 4 blobs in 3-D, predictions the true blob with 10% relabelled.
c = 320
centers = np.array([[0, 0, 0], [4, 4, 0], [0, 5, 5], [6, -3, 2]], dtype=float)
k = rng.integers(0, 4, c)
X = centers[k] + rng.normal(0, 1.0, (c, 3)) + np.array([8, 8, 8])
cp = k.copy()
flip = rng.random(c) < 0.1
cp[flip] = rng.integers(0, 4, flip.sum())
cwt = np.round(rng.uniform(0.5, 2.0, c), 3)
out["clu_rows"] = [[float(p), [float(x) for x in row], float(w)] for p, row, w in zip(cp, X, cwt)]
cdf = spark.createDataFrame([(float(p), Vectors.dense([float(x) for x in row]), float(w)) for p, row, w in zip(cp, X, cwt)],
                            ["prediction", "features", "weight"])
out["clu"] = {
    "squaredEuclidean": ClusteringEvaluator().evaluate(cdf),
    "cosine": ClusteringEvaluator(distanceMeasure="cosine").evaluate(cdf),
    "squaredEuclidean_weighted": ClusteringEvaluator(weightCol="weight").evaluate(cdf),
    "cosine_weighted": ClusteringEvaluator(distanceMeasure="cosine", weightCol="weight").evaluate(cdf),
}
out["clu_sklearn"] = {
    "squaredEuclidean": skm.silhouette_score(X, cp, metric="sqeuclidean"),
    "cosine": skm.silhouette_score(X, cp, metric="cosine"),
}

with open(os.path.join(os.path.dirname(__file__), "../../Tests/EmberMLTests/expected/eval.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
for key in ["binary", "binary_sklearn", "multi_sklearn", "reg", "reg_sklearn", "clu", "clu_sklearn"]:
    print(key, out[key])
print({k: v for k, v in out["multi"].items() if "_" not in k})
