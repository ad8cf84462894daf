"""Expected values for Tests/EmberMLTests/NaiveBayesTests.swift and IsotonicTests.swift,
from Apache Spark 4.1.1 (pyspark). The generated training data is written into the JSON
too, so the Swift tests fit on exactly the same rows.

Run: python3 scripts/ml/expected_nb.py  (writes Tests/EmberMLTests/expected/nb.json)
"""
import json, math, os, random
from pyspark.sql import SparkSession
from pyspark.ml.classification import NaiveBayes
from pyspark.ml.regression import IsotonicRegression
from pyspark.ml.linalg import Vectors

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}


def num(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def vec_json(v):
    if hasattr(v, "indices"):
        return {"size": int(v.size), "indices": [int(i) for i in v.indices], "values": [float(x) for x in v.values]}
    return {"dense": [float(x) for x in v.toArray()]}


def to_vec(j):
    if "dense" in j:
        return Vectors.dense(j["dense"])
    return Vectors.sparse(j["size"], j["indices"], j["values"])


def matrix(m):
    a = m.toArray()
    return [[num(float(x)) for x in row] for row in a]


# ---------------------------------------------------------------- naive Bayes
def nb_rows(kind, rnd, n=48, d=4, classes=3):
    rows = []
    for i in range(n):
        label = i % classes
        if kind == "counts":
            xs = [float(rnd.randint(0, 4) + (3 if j == label else 0)) for j in range(d)]
        elif kind == "binary":
            xs = [1.0 if rnd.random() < (0.7 if j == label else 0.3) else 0.0 for j in range(d)]
        else:
            xs = [round(rnd.gauss(1.5 * label + 0.5 * j, 1.0 + 0.25 * j), 3) for j in range(d)]
        w = round(rnd.uniform(0.25, 2.0), 2)
        # Every fifth row sparse (same values).
        if i % 5 == 0 and kind != "gaussian":
            idx = [j for j in range(d) if xs[j] != 0]
            v = {"size": d, "indices": idx, "values": [xs[j] for j in idx]}
        else:
            v = {"dense": xs}
        rows.append({"id": i, "label": float(label), "weight": w, "features": v})
    return rows


rnd = random.Random(7)
cases = [
    ("multinomial", "multinomial", "counts", {}, True),
    ("multinomial_unweighted_s05", "multinomial", "counts", {"smoothing": 0.5}, False),
    ("complement", "complement", "counts", {}, True),
    ("bernoulli", "bernoulli", "binary", {}, True),
    ("gaussian", "gaussian", "gaussian", {}, True),
    ("multinomial_thresholds", "multinomial", "counts", {"thresholds": [0.5, 0.2, 0.3]}, False),
]
nb = {}
for name, mt, kind, extra, weighted in cases:
    rows = nb_rows(kind, rnd)
    df = spark.createDataFrame([(r["id"], r["label"], r["weight"], to_vec(r["features"])) for r in rows],
                               ["id", "label", "weight", "features"])
    est = NaiveBayes(modelType=mt, **extra)
    if weighted:
        est.setWeightCol("weight")
    m = est.fit(df)
    pred = m.transform(df).orderBy("id").collect()
    nb[name] = {
        "modelType": mt, "params": extra, "weighted": weighted, "rows": rows,
        "numClasses": m.numClasses, "numFeatures": m.numFeatures,
        "pi": [num(float(x)) for x in m.pi.toArray()], "theta": matrix(m.theta),
        "sigma": matrix(m.sigma) if mt == "gaussian" else [],
        "rawPrediction": [[num(float(x)) for x in r.rawPrediction.toArray()] for r in pred],
        "probability": [[num(float(x)) for x in r.probability.toArray()] for r in pred],
        "prediction": [r.prediction for r in pred],
    }

# Labels {0, 2}: Spark's model has one class per distinct label (2 classes).
gap_rows = [{"id": i, "label": float(2 * (i % 2)), "weight": 1.0, "features": {"dense": [float(i % 3), float((i + 1) % 2)]}} for i in range(10)]
gdf = spark.createDataFrame([(r["id"], r["label"], to_vec(r["features"])) for r in gap_rows], ["id", "label", "features"])
gm = NaiveBayes().fit(gdf)
gp = gm.transform(gdf).orderBy("id").collect()
nb["label_gap"] = {
    "modelType": "multinomial", "params": {}, "weighted": False, "rows": gap_rows,
    "numClasses": gm.numClasses, "numFeatures": gm.numFeatures,
    "pi": [float(x) for x in gm.pi.toArray()], "theta": matrix(gm.theta), "sigma": [],
    "rawPrediction": [[float(x) for x in r.rawPrediction.toArray()] for r in gp],
    "probability": [[float(x) for x in r.probability.toArray()] for r in gp],
    "prediction": [r.prediction for r in gp],
}
out["naive_bayes"] = nb
out["nb_explain"] = NaiveBayes().explainParams()

# ---------------------------------------------------------------- isotonic regression
rnd = random.Random(11)
iso_rows = []
for i in range(40):
    x = float(rnd.randint(0, 15))  # many ties
    y = round(0.3 * x + rnd.gauss(0, 1.2), 3)
    w = 0.0 if i % 13 == 0 else round(rnd.uniform(0.5, 3.0), 2)
    iso_rows.append({"id": i, "x": x, "x2": round(rnd.uniform(-5, 5), 2), "label": y, "weight": w})
tests = [-3.0, 0.0, 0.5, 1.0, 2.25, 7.0, 7.5, 14.999, 15.0, 20.0]
idf = spark.createDataFrame([(r["id"], r["x"], r["x2"], r["label"], r["weight"], Vectors.dense([r["x2"], r["x"]])) for r in iso_rows],
                            ["id", "x", "x2", "label", "weight", "v"])
tdf = spark.createDataFrame([(i, t, t, Vectors.dense([0.0, t])) for i, t in enumerate(tests)], ["id", "x", "x2", "v"])
iso = {"rows": iso_rows, "tests": tests}
for name, kw, weighted in [
    ("isotonic_weighted", dict(featuresCol="x"), True),
    ("isotonic", dict(featuresCol="x"), False),
    ("antitonic_weighted", dict(featuresCol="x", isotonic=False), True),
    ("vector_index1", dict(featuresCol="v", featureIndex=1), True),
    ("antitonic_x2", dict(featuresCol="x2", isotonic=False), True),
]:
    est = IsotonicRegression(**kw)
    if weighted:
        est.setWeightCol("weight")
    m = est.fit(idf)
    iso[name] = {
        "params": kw, "weighted": weighted,
        "boundaries": [float(x) for x in m.boundaries.toArray()],
        "predictions": [float(x) for x in m.predictions.toArray()],
        "transform": [r.prediction for r in m.transform(tdf).orderBy("id").collect()],
    }
out["isotonic"] = iso
out["iso_explain"] = IsotonicRegression().explainParams()

with open(os.path.join(os.path.dirname(__file__), "../../Tests/EmberMLTests/expected/nb.json"), "w") as f:
    json.dump(out, f, indent=None, sort_keys=True)
print(out["nb_explain"])
print(out["iso_explain"])
for k, v in nb.items():
    print(k, v["numClasses"], v["pi"], v["prediction"][:10])
for k in ["isotonic_weighted", "isotonic", "antitonic_weighted", "vector_index1", "antitonic_x2"]:
    print(k, iso[k]["boundaries"], iso[k]["predictions"], iso[k]["transform"])
