"""Expected values for Tests/EmberMLTests/Linear*Tests.swift and Linalg*Tests.swift, from
Apache Spark 4.1.1 (LogisticRegression, LinearRegression) and numpy (linear algebra).

Run: python3 scripts/ml/expected_linear.py  (writes Tests/EmberMLTests/expected/linear.json)
The training data are generated here with a fixed seed and stored in the JSON too, so the
Swift tests train on exactly the rows Spark saw.
"""
import json, os
import numpy as np
from pyspark.sql import SparkSession
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.regression import LinearRegression
from pyspark.ml.linalg import Vectors

spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
rng = np.random.default_rng(20240611)
out = {}

# --- data -------------------------------------------------------------------------------
n, d = 150, 4
scale = np.array([1.0, 3.0, 0.5, 10.0])
mean = np.array([0.0, 2.0, -1.0, 5.0])
X = rng.normal(size=(n, d)) * scale + mean
w = np.round(rng.uniform(0.5, 2.0, size=n), 3)
beta = np.array([1.0, -0.5, 2.0, 0.1])
logits = (X - mean) @ beta + 0.3
yb = (rng.uniform(size=n) < 1 / (1 + np.exp(-logits))).astype(float)
B = np.array([[1.0, -0.5, 0.0, 0.1], [-1.0, 0.5, 1.5, 0.0], [0.0, 0.0, -1.5, -0.1]])
z = (X - mean) @ B.T + np.array([0.2, 0.0, -0.2])
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
ym = np.array([rng.choice(3, p=pi) for pi in p]).astype(float)
Xr = X[:, :3]
yr = Xr @ np.array([1.5, -0.7, 3.0]) + 4.0 + rng.normal(size=n) * 2.0
X = np.round(X, 4); yr = np.round(yr, 4)
Xr = X[:, :3]
out["data"] = {"features": X.tolist(), "weight": w.tolist(), "binary": yb.tolist(), "multi": ym.tolist(), "reg": yr.tolist()}

rows = [(Vectors.dense(X[i].tolist()), float(yb[i]), float(ym[i]), float(w[i])) for i in range(n)]
df = spark.createDataFrame(rows, ["features", "binary", "multi", "weight"])
rrows = [(Vectors.dense(Xr[i].tolist()), float(yr[i]), float(w[i])) for i in range(n)]
rdf = spark.createDataFrame(rrows, ["features", "label", "weight"])


def lr_case(name, label, **kw):
    lr = LogisticRegression(labelCol=label, **kw)
    m = lr.fit(df)
    s = m.summary
    c = {"params": kw, "label": label, "numClasses": m.numClasses,
         "objectiveHistory": list(s.objectiveHistory), "totalIterations": s.totalIterations,
         "accuracy": s.accuracy}
    if m.numClasses == 2 and kw.get("family") != "multinomial":
        c["coefficients"] = m.coefficients.toArray().tolist()
        c["intercept"] = m.intercept
        c["areaUnderROC"] = s.areaUnderROC
        c["roc"] = [[r.FPR, r.TPR] for r in s.roc.collect()]
    c["coefficientMatrix"] = m.coefficientMatrix.toArray().tolist()
    c["interceptVector"] = m.interceptVector.toArray().tolist()
    pred = m.transform(df).limit(12).collect()
    c["rawPrediction"] = [r.rawPrediction.toArray().tolist() for r in pred]
    c["probability"] = [r.probability.toArray().tolist() for r in pred]
    c["prediction"] = [r.prediction for r in pred]
    out["lr_" + name] = c


lr_case("default", "binary")
lr_case("l2", "binary", regParam=0.1)
lr_case("elastic", "binary", regParam=0.05, elasticNetParam=0.5)
lr_case("nointercept", "binary", regParam=0.01, fitIntercept=False)
lr_case("nostd", "binary", regParam=0.1, standardization=False)
lr_case("nostd_l1", "binary", regParam=0.02, elasticNetParam=1.0, standardization=False)
lr_case("weighted", "binary", regParam=0.01, weightCol="weight")
lr_case("threshold", "binary", threshold=0.7)
lr_case("multi_noreg", "multi")
lr_case("multi_l2", "multi", regParam=0.05)
lr_case("multi_elastic", "multi", regParam=0.02, elasticNetParam=0.4, weightCol="weight")
lr_case("binary_as_multi", "binary", regParam=0.1, family="multinomial")


def lin_case(name, **kw):
    m = LinearRegression(**kw).fit(rdf)
    s = m.summary
    c = {"params": kw, "coefficients": m.coefficients.toArray().tolist(), "intercept": m.intercept,
         "r2": s.r2, "rootMeanSquaredError": s.rootMeanSquaredError, "meanSquaredError": s.meanSquaredError,
         "meanAbsoluteError": s.meanAbsoluteError, "explainedVariance": s.explainedVariance,
         "r2adj": s.r2adj, "objectiveHistory": list(s.objectiveHistory), "totalIterations": s.totalIterations,
         "prediction": [r.prediction for r in m.transform(rdf).limit(12).collect()]}
    try:
        c["coefficientStandardErrors"] = list(s.coefficientStandardErrors)
        c["tValues"] = list(s.tValues)
        c["pValues"] = list(s.pValues)
    except Exception:
        pass
    out["lin_" + name] = c


lin_case("normal")
lin_case("normal_l2", regParam=0.1)
lin_case("normal_nostd", regParam=0.1, standardization=False)
lin_case("weighted", weightCol="weight")
lin_case("nointercept", fitIntercept=False)
lin_case("elastic", regParam=0.1, elasticNetParam=0.5)
lin_case("lbfgs_l2", solver="l-bfgs", regParam=0.1)
lin_case("lbfgs_noreg", solver="l-bfgs", weightCol="weight")
lin_case("lbfgs_elastic_nostd", solver="l-bfgs", regParam=0.1, elasticNetParam=0.5, standardization=False)
lin_case("lbfgs_nointercept", solver="l-bfgs", regParam=0.05, fitIntercept=False)

# --- linear algebra (numpy) --------------------------------------------------------------
A = np.round(rng.normal(size=(5, 5)), 3)
S = A @ A.T + 0.5 * np.eye(5)
bvec = np.round(rng.normal(size=5), 3)
ev, V = np.linalg.eigh(S)
order = np.argsort(-ev)
ev, V = ev[order], V[:, order]
V = V * np.sign(V[np.abs(V).argmax(axis=0), range(5)])  # largest-magnitude entry positive
M = np.round(rng.normal(size=(4, 3)), 3)
N = np.round(rng.normal(size=(3, 6)), 3)
out["linalg"] = {"A": A.tolist(), "S": S.tolist(), "b": bvec.tolist(), "solve": np.linalg.solve(S, bvec).tolist(),
                 "cholL": np.linalg.cholesky(S).tolist(), "inverse": np.linalg.inv(S).tolist(),
                 "eigenvalues": ev.tolist(), "eigenvectors": V.tolist(), "M": M.tolist(), "N": N.tolist(),
                 "MN": (M @ N).tolist(), "Mx": (M @ np.array([1.0, -2.0, 0.5])).tolist()}

with open(os.path.join(os.path.dirname(__file__), "../../Tests/EmberMLTests/expected/linear.json"), "w") as f:
    json.dump(out, f, indent=0, sort_keys=True)
print({k: (v.get("coefficients"), v.get("intercept"), v.get("totalIterations")) for k, v in out.items() if k.startswith("l")})
