"""Expected values for Tests/EmberMLTests/Tree*Tests.swift, from Apache Spark 4.1.1 (pyspark).

Run: python3 scripts/ml/expected_trees.py  (writes Tests/EmberMLTests/expected/trees.json)
Data sets are generated here (numpy, fixed seeds) and stored in the JSON with the results, so the
Swift tests fit on exactly the same rows. Categorical features are declared through VectorIndexer
(values 0..k-1, which it maps to themselves); the tests pass the same map as `categoricalFeatures`.
"""
import json, os
import numpy as np
from pyspark.sql import SparkSession
from pyspark.ml.linalg import Vectors
from pyspark.ml.feature import VectorIndexer
from pyspark.ml.classification import DecisionTreeClassifier, RandomForestClassifier, GBTClassifier
from pyspark.ml.regression import DecisionTreeRegressor, RandomForestRegressor, GBTRegressor

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
out = {}


def dataset(seed, n, kind, categorical=None):
    """Rows of 5 features: two smooth, one rounded (ties), one sparse-ish (many zeros), and
    feature 4 either continuous or categorical with `categorical` levels."""
    r = np.random.RandomState(seed)
    x0 = r.normal(size=n)
    x1 = r.uniform(-2, 2, size=n)
    x2 = np.round(r.normal(size=n) * 2) / 2
    x3 = np.where(r.uniform(size=n) < 0.5, 0.0, r.exponential(size=n))
    x4 = r.randint(0, categorical, size=n).astype(float) if categorical else r.normal(size=n)
    X = np.stack([x0, x1, x2, x3, x4], axis=1)
    s = x0 + 0.8 * x1 * x1 - x2 + 1.5 * x3 + (0.7 * (x4 == 1) - 0.5 * (x4 == 2) if categorical else 0.3 * x4)
    if kind == "binary":
        y = (s + r.normal(scale=0.5, size=n) > 1.0).astype(float)
    elif kind == "multi":
        y = np.digitize(s + r.normal(scale=0.5, size=n), [0.3, 1.8]).astype(float)
    else:
        y = s + r.normal(scale=0.3, size=n)
    w = r.uniform(0.5, 2.0, size=n)
    return X, y, w


def frame(X, y, w, categorical=None):
    df = spark.createDataFrame([(Vectors.dense([float(v) for v in row]), float(l), float(ww)) for row, l, ww in zip(X, y, w)],
                               ["features", "label", "weight"])
    if categorical:
        vi = VectorIndexer(inputCol="features", outputCol="f2", maxCategories=categorical).fit(df)
        assert list(vi.categoryMaps.keys()) == [4], vi.categoryMaps
        df = vi.transform(df).drop("features").withColumnRenamed("f2", "features")
    return df


def vec(v):
    if hasattr(v, "indices"):
        return {"size": int(v.size), "indices": [int(i) for i in v.indices], "values": [float(x) for x in v.values]}
    return {"dense": [float(x) for x in v.toArray()]}


def tree_case(name, est, X, y, w, categorical=None, classifier=True, extra=None):
    df = frame(X, y, w, categorical)
    model = est.fit(df)
    pred = model.transform(df).collect()
    case = {
        "features": X.tolist(), "labels": y.tolist(), "weights": w.tolist(),
        "categorical": {"4": categorical} if categorical else {},
        "params": {k.name: v for k, v in est.extractParamMap().items() if est.isSet(k)},
        "uid": model.uid, "debug": model.toDebugString,
        "featureImportances": vec(model.featureImportances),
        "prediction": [r["prediction"] for r in pred],
    }
    if hasattr(model, "numNodes"):
        case["numNodes"] = model.numNodes
        case["depth"] = model.depth
    if hasattr(model, "getNumTrees"):
        case["numTrees"] = model.getNumTrees
        case["totalNumNodes"] = model.totalNumNodes
        case["treeWeights"] = list(model.treeWeights)
    if classifier:
        case["rawPrediction"] = [[float(x) for x in r["rawPrediction"]] for r in pred]
        case["probability"] = [[float(x) for x in r["probability"]] for r in pred]
    if extra:
        case.update(extra(model, df))
    out[name] = case


# Decision trees.
X, y, w = dataset(1, 300, "multi")
tree_case("dtc_gini_multi", DecisionTreeClassifier(maxDepth=5), X, y, w)
tree_case("dtc_entropy_weighted", DecisionTreeClassifier(maxDepth=4, impurity="entropy", weightCol="weight", maxBins=16), X, y, w)
tree_case("dtc_min_instances", DecisionTreeClassifier(maxDepth=6, minInstancesPerNode=7, minInfoGain=0.01), X, y, w)
Xb, yb, wb = dataset(2, 250, "binary", categorical=4)
tree_case("dtc_binary_categorical", DecisionTreeClassifier(maxDepth=4), Xb, yb, wb, categorical=4)
Xm, ym, wm = dataset(3, 250, "multi", categorical=3)
tree_case("dtc_multi_unordered", DecisionTreeClassifier(maxDepth=4), Xm, ym, wm, categorical=3)
Xr, yr, wr = dataset(4, 300, "regression")
tree_case("dtr_variance", DecisionTreeRegressor(maxDepth=5), Xr, yr, wr, classifier=False)
tree_case("dtr_weighted_minweight", DecisionTreeRegressor(maxDepth=4, weightCol="weight", minWeightFractionPerNode=0.05, maxBins=10), Xr, yr, wr, classifier=False)
Xrc, yrc, wrc = dataset(5, 250, "regression", categorical=4)
tree_case("dtr_categorical", DecisionTreeRegressor(maxDepth=4), Xrc, yrc, wrc, categorical=4, classifier=False)

# Random forests: one tree without bootstrap equals the decision tree; 20 trees: quality on a test set.
tree_case("rfc_one_tree", RandomForestClassifier(numTrees=1, bootstrap=False, featureSubsetStrategy="all", maxDepth=5), X, y, w)
tree_case("rfr_one_tree", RandomForestRegressor(numTrees=1, bootstrap=False, featureSubsetStrategy="all", maxDepth=5), Xr, yr, wr, classifier=False)


def quality(seed, kind, est, metric):
    Xtr, ytr, wtr = dataset(seed, 600, kind)
    Xte, yte, wte = dataset(seed + 100, 400, kind)
    model = est.fit(frame(Xtr, ytr, wtr))
    p = np.array([r["prediction"] for r in model.transform(frame(Xte, yte, wte)).collect()])
    value = float(np.mean(p == yte)) if metric == "accuracy" else float(np.sqrt(np.mean((p - yte) ** 2)))
    out[f"quality_{kind}"] = {"train": [Xtr.tolist(), ytr.tolist()], "test": [Xte.tolist(), yte.tolist()], "metric": metric, "spark": value}


quality(10, "multi", RandomForestClassifier(numTrees=20, maxDepth=5, seed=7), "accuracy")
quality(11, "regression", RandomForestRegressor(numTrees=20, maxDepth=5, seed=7), "rmse")

# Gradient-boosted trees (deterministic with subsamplingRate 1 and all features).
Xg, yg, wg = dataset(6, 300, "binary")
tree_case("gbtc", GBTClassifier(maxIter=5, maxDepth=3), Xg, yg, wg)
tree_case("gbtr_squared", GBTRegressor(maxIter=5, maxDepth=3), Xr, yr, wr, classifier=False)
tree_case("gbtr_absolute", GBTRegressor(maxIter=4, maxDepth=2, lossType="absolute", stepSize=0.3), Xr, yr, wr, classifier=False)

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EmberMLTests", "expected", "trees.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
