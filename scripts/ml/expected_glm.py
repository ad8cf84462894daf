"""Expected values for Tests/EmberMLTests/LinearSVCTests.swift, GLRTests.swift and MLPTests.swift,
from Apache Spark 4.1.1 (LinearSVC, GeneralizedLinearRegression, MultilayerPerceptronClassifier).

Run: python3 scripts/ml/expected_glm.py  (writes Tests/EmberMLTests/expected/glm.json)
The training data are generated here with a fixed seed and stored in the JSON, so the Swift tests
train on exactly the rows Spark saw. One partition (local[1], coalesce(1)) so that the
MultilayerPerceptron's stacked blocks are the rows in order.
"""
import json, os
import numpy as np
from pyspark.sql import SparkSession
from pyspark.ml.classification import LinearSVC, MultilayerPerceptronClassifier
from pyspark.ml.regression import GeneralizedLinearRegression
from pyspark.ml.linalg import Vectors

spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
rng = np.random.default_rng(20240715)
out = {}

n, d = 120, 3
X = np.round(rng.normal(size=(n, d)) * np.array([1.0, 2.0, 0.5]) + np.array([0.5, -1.0, 2.0]), 4)
Z = X - np.array([0.5, -1.0, 2.0])
w = np.round(rng.uniform(0.5, 2.0, size=n), 3)
off = np.round(rng.uniform(-0.3, 0.3, size=n), 3)
ysvc = (Z @ np.array([1.0, -0.6, 1.5]) + 0.2 + rng.normal(size=n) * 0.8 > 0).astype(float)
ygauss = np.round(Z @ np.array([1.2, -0.4, 2.0]) + 3.0 + rng.normal(size=n), 4)
ypois = rng.poisson(np.exp(Z @ np.array([0.3, -0.2, 0.4]) + 0.5)).astype(float)
ybin = (rng.uniform(size=n) < 1 / (1 + np.exp(-(Z @ np.array([0.8, -0.5, 1.0]) + 0.1)))).astype(float)
mu_g = np.exp(Z @ np.array([0.2, -0.1, 0.3]) + 1.0)
ygamma = np.round(rng.gamma(3.0, mu_g / 3.0), 4)
ymulti = np.argmax(Z @ np.array([[1.0, -1.0, 0.0], [0.0, 0.5, -0.5], [0.5, 0.0, -0.5]]).T + rng.normal(size=(n, 3)) * 0.3, axis=1).astype(float)
out["data"] = {"features": X.tolist(), "weight": w.tolist(), "offset": off.tolist(), "svc": ysvc.tolist(), "gaussian": ygauss.tolist(),
               "poisson": ypois.tolist(), "binomial": ybin.tolist(), "gamma": ygamma.tolist(), "multi": ymulti.tolist()}
cols = ["features", "weight", "offset", "svc", "gaussian", "poisson", "binomial", "gamma", "multi"]
rows = [(Vectors.dense(X[i].tolist()), float(w[i]), float(off[i]), float(ysvc[i]), float(ygauss[i]), float(ypois[i]),
         float(ybin[i]), float(ygamma[i]), float(ymulti[i])) for i in range(n)]
df = spark.createDataFrame(rows, cols).coalesce(1)


def svc_case(name, **kw):
    m = LinearSVC(labelCol="svc", **kw).fit(df)
    s = m.summary() if callable(m.summary) else m.summary
    pred = m.transform(df).limit(10).collect()
    out["svc_" + name] = {"params": kw, "coefficients": m.coefficients.toArray().tolist(), "intercept": m.intercept,
                          "objectiveHistory": list(s.objectiveHistory), "totalIterations": s.totalIterations,
                          "rawPrediction": [r.rawPrediction.toArray().tolist() for r in pred],
                          "prediction": [r.prediction for r in pred]}


svc_case("l2", regParam=0.1)
svc_case("l2small", regParam=0.01)
svc_case("nointercept", regParam=0.05, fitIntercept=False)
svc_case("weighted", regParam=0.05, weightCol="weight")
svc_case("nostd", regParam=0.1, standardization=False)
svc_case("threshold", regParam=0.1, threshold=0.5)


def glr_case(name, label, **kw):
    m = GeneralizedLinearRegression(labelCol=label, linkPredictionCol="eta", **kw).fit(df)
    s = m.summary
    c = {"params": kw, "label": label, "coefficients": m.coefficients.toArray().tolist(), "intercept": m.intercept,
         "deviance": s.deviance, "nullDeviance": s.nullDeviance, "dispersion": s.dispersion,
         "numIterations": s.numIterations, "degreesOfFreedom": s.degreesOfFreedom,
         "residualDegreeOfFreedom": s.residualDegreeOfFreedom, "residualDegreeOfFreedomNull": s.residualDegreeOfFreedomNull,
         "rank": s.rank, "numInstances": s.numInstances,
         "coefficientStandardErrors": list(s.coefficientStandardErrors), "tValues": list(s.tValues), "pValues": list(s.pValues)}
    try:
        c["aic"] = s.aic
    except Exception:
        pass
    pred = m.transform(df).limit(8).collect()
    c["prediction"] = [r.prediction for r in pred]
    c["linkPrediction"] = [r.eta for r in pred]
    out["glr_" + name] = c


glr_case("gaussian", "gaussian")
glr_case("gaussian_reg_weighted", "gaussian", regParam=0.1, weightCol="weight")
glr_case("gaussian_offset_nointercept", "gaussian", offsetCol="offset", fitIntercept=False)
glr_case("gaussian_log", "gamma", family="gaussian", link="log")
glr_case("poisson", "poisson", family="poisson")
glr_case("poisson_offset_weighted", "poisson", family="poisson", offsetCol="offset", weightCol="weight")
glr_case("poisson_reg", "poisson", family="poisson", regParam=0.05)
glr_case("poisson_sqrt", "poisson", family="poisson", link="sqrt")
glr_case("binomial", "binomial", family="binomial")
glr_case("binomial_probit", "binomial", family="binomial", link="probit")
glr_case("binomial_cloglog_weighted", "binomial", family="binomial", link="cloglog", weightCol="weight")
glr_case("gamma", "gamma", family="gamma")
glr_case("gamma_log_offset", "gamma", family="gamma", link="log", offsetCol="offset")
glr_case("gamma_identity_nointercept", "gamma", family="gamma", link="identity", fitIntercept=False)


def mlp_case(name, layers, init, **kw):
    m = MultilayerPerceptronClassifier(labelCol="multi", layers=layers, initialWeights=Vectors.dense(init), **kw).fit(df)
    pred = m.transform(df).limit(10).collect()
    out["mlp_" + name] = {"params": kw, "layers": layers, "initialWeights": init, "weights": m.weights.toArray().tolist(),
                          "objectiveHistory": list((m.summary() if callable(m.summary) else m.summary).objectiveHistory),
                          "rawPrediction": [r.rawPrediction.toArray().tolist() for r in pred],
                          "probability": [r.probability.toArray().tolist() for r in pred],
                          "prediction": [r.prediction for r in pred]}


layers = [3, 4, 3]
size = sum(layers[i] * layers[i + 1] + layers[i + 1] for i in range(len(layers) - 1))
init = np.round(np.random.default_rng(7).uniform(-0.5, 0.5, size=size), 4).tolist()
mlp_case("lbfgs", layers, init, maxIter=10)
mlp_case("lbfgs_long", layers, init, maxIter=100)
mlp_case("gd", layers, init, solver="gd", maxIter=20, stepSize=0.5)
layers2 = [3, 5, 4, 3]
size2 = sum(layers2[i] * layers2[i + 1] + layers2[i + 1] for i in range(len(layers2) - 1))
init2 = np.round(np.random.default_rng(8).uniform(-0.5, 0.5, size=size2), 4).tolist()
mlp_case("deep", layers2, init2, maxIter=15, blockSize=50)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "EmberMLTests", "expected", "glm.json")


def clean(v):
    """Non-finite doubles as the strings the Swift tests read ("NaN", "Infinity")."""
    if isinstance(v, float) and not np.isfinite(v):
        return "NaN" if np.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


with open(path, "w") as f:
    json.dump(clean(out), f, indent=1, allow_nan=False)
print("wrote", path)
