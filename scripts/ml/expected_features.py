"""Expected values for Tests/EmberMLTests/Feature*Tests.swift, from Apache Spark 4.1.1.

Run: python3 scripts/ml/expected_features.py  (writes Tests/EmberMLTests/expected/features.json)
Every frame here is rebuilt row for row by the Swift tests (FeatureTestData.swift).
"""
import json, math, os
from pyspark.sql import SparkSession
from pyspark.ml import feature as F
from pyspark.ml.linalg import Vectors

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}


def num(x):
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def vec(v):
    if v is None:
        return None
    if hasattr(v, "indices"):
        return {"size": int(v.size), "indices": [int(i) for i in v.indices], "values": [num(x) for x in v.values]}
    return {"dense": [num(x) for x in v.toArray()]}


def cell(x):
    if x is None:
        return None
    if hasattr(x, "toArray"):
        return vec(x)
    if isinstance(x, float):
        return num(x)
    return x


def rows(df, cols):
    return [[cell(r[c]) for c in cols] for r in df.orderBy("id").collect()]


def error(f):
    try:
        f()
        return None
    except Exception as e:
        return str(e).split("\n")[0][:300]


# ---- categorical frame
cat_rows = [
    (0, "a", 1.0, 3), (1, "b", 2.0, 1), (2, "c", 1.0, 2), (3, "a", 10.0, 3), (4, "a", 2.0, 1),
    (5, "c", 1.0, 2), (6, "b", -0.5, 3), (7, "d", 10.0, 1), (8, None, 1.0, 3),
]
cat = spark.createDataFrame(cat_rows, "id INT, cat STRING, num DOUBLE, n INT")
cat_test = spark.createDataFrame([(0, "a"), (1, "e"), (2, None), (3, "d")], "id INT, cat STRING")
for order in ["frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"]:
    m = F.StringIndexer(inputCol="cat", outputCol="idx", stringOrderType=order, handleInvalid="keep").fit(cat)
    out["si_" + order] = {"labels": m.labels, "train": rows(m.transform(cat), ["id", "idx"]),
                          "test": rows(m.transform(cat_test), ["id", "idx"])}
m = F.StringIndexer(inputCol="cat", outputCol="idx", handleInvalid="skip").fit(cat)
out["si_skip"] = rows(m.transform(cat_test), ["id", "idx"])
m = F.StringIndexer(inputCols=["cat", "num", "n"], outputCols=["i1", "i2", "i3"], handleInvalid="keep").fit(cat)
out["si_multi"] = {"labelsArray": m.labelsArray, "train": rows(m.transform(cat), ["id", "i1", "i2", "i3"])}
out["si_error_unseen"] = error(lambda: F.StringIndexer(inputCol="cat", outputCol="idx").fit(cat).transform(cat_test.filter("id = 1")).collect())
out["si_error_null"] = error(lambda: F.StringIndexer(inputCol="cat", outputCol="idx").fit(cat).transform(cat_test.filter("id = 2")).collect())

# ---- IndexToString
its = F.IndexToString(inputCol="idx", outputCol="s", labels=["x", "y", "z"])
idx_df = spark.createDataFrame([(0, 0.0), (1, 2.0), (2, 1.0)], "id INT, idx DOUBLE")
out["its"] = rows(its.transform(idx_df), ["id", "s"])
out["its_error"] = error(lambda: its.transform(spark.createDataFrame([(0, 3.0)], "id INT, idx DOUBLE")).collect())

# ---- OneHotEncoder
ohe_rows = [(0, 0.0, 2.0), (1, 1.0, 0.0), (2, 2.0, 1.0), (3, 1.0, 0.0), (4, 0.0, 3.0)]
ohe = spark.createDataFrame(ohe_rows, "id INT, a DOUBLE, b DOUBLE")
ohe_test = spark.createDataFrame([(0, 0.0, 1.0), (1, 3.0, 0.0), (2, 2.0, 4.0), (3, 1.5, 3.0)], "id INT, a DOUBLE, b DOUBLE")
for name, drop, hi in [("default", True, "error"), ("nodrop", False, "error"), ("keep", True, "keep"), ("keep_nodrop", False, "keep")]:
    m = F.OneHotEncoder(inputCols=["a", "b"], outputCols=["va", "vb"], dropLast=drop, handleInvalid=hi).fit(ohe)
    out["ohe_" + name] = {"categorySizes": list(m.categorySizes), "train": rows(m.transform(ohe), ["id", "va", "vb"])}
    if hi == "keep":
        out["ohe_" + name]["test"] = rows(m.transform(ohe_test), ["id", "va", "vb"])
m = F.OneHotEncoder(inputCol="a", outputCol="va").fit(ohe)
out["ohe_single"] = rows(m.transform(ohe), ["id", "va"])
out["ohe_error_unseen"] = error(lambda: F.OneHotEncoder(inputCols=["a"], outputCols=["va"]).fit(ohe).transform(ohe_test.filter("id = 1")).collect())
out["ohe_error_fit"] = error(lambda: F.OneHotEncoder(inputCols=["a"], outputCols=["va"]).fit(spark.createDataFrame([(0, -1.0)], "id INT, a DOUBLE")))

# ---- vector frame (scalers)
vec_rows = [
    (1, Vectors.dense([1.0, -2.0, 0.0, 3.0])),
    (2, Vectors.sparse(4, [0, 3], [2.0, -1.0])),
    (3, Vectors.dense([0.0, 4.0, 0.0, 5.0])),
    (4, Vectors.dense([-3.0, 0.5, 0.0, 1.0])),
    (5, Vectors.sparse(4, [1], [6.0])),
]
vdf = spark.createDataFrame(vec_rows, ["id", "v"])
m = F.StandardScaler(inputCol="v", outputCol="o").fit(vdf)
out["std_default"] = {"std": vec(m.std), "mean": vec(m.mean), "rows": rows(m.transform(vdf), ["id", "o"])}
m = F.StandardScaler(inputCol="v", outputCol="o", withMean=True, withStd=True).fit(vdf)
out["std_mean"] = rows(m.transform(vdf), ["id", "o"])
m = F.StandardScaler(inputCol="v", outputCol="o", withMean=True, withStd=False).fit(vdf)
out["std_mean_only"] = rows(m.transform(vdf), ["id", "o"])
m = F.MinMaxScaler(inputCol="v", outputCol="o").fit(vdf)
out["minmax_default"] = {"originalMin": vec(m.originalMin), "originalMax": vec(m.originalMax), "rows": rows(m.transform(vdf), ["id", "o"])}
m = F.MinMaxScaler(inputCol="v", outputCol="o", min=-1.0, max=1.0).fit(vdf)
out["minmax_pm1"] = rows(m.transform(vdf), ["id", "o"])
m = F.MaxAbsScaler(inputCol="v", outputCol="o").fit(vdf)
out["maxabs"] = {"maxAbs": vec(m.maxAbs), "rows": rows(m.transform(vdf), ["id", "o"])}
for p in [2.0, 1.0, float("inf")]:
    out["normalizer_%s" % p] = rows(F.Normalizer(inputCol="v", outputCol="o", p=p).transform(vdf), ["id", "o"])
out["binarizer_vec"] = rows(F.Binarizer(inputCol="v", outputCol="o", threshold=0.5).transform(vdf), ["id", "o"])
out["binarizer_vec_neg"] = rows(F.Binarizer(inputCol="v", outputCol="o", threshold=-1.0).transform(vdf), ["id", "o"])
out["poly2"] = rows(F.PolynomialExpansion(inputCol="v", outputCol="o", degree=2).transform(vdf), ["id", "o"])
out["poly3"] = rows(F.PolynomialExpansion(inputCol="v", outputCol="o", degree=3).transform(vdf), ["id", "o"])
out["ewp"] = rows(F.ElementwiseProduct(inputCol="v", outputCol="o", scalingVec=Vectors.dense([2.0, 0.0, -1.0, 0.5])).transform(vdf), ["id", "o"])
out["slicer"] = rows(F.VectorSlicer(inputCol="v", outputCol="o", indices=[3, 0]).transform(vdf), ["id", "o"])
m = F.VarianceThresholdSelector(featuresCol="v", outputCol="o", varianceThreshold=5.0).fit(vdf)
out["vts"] = {"selected": list(m.selectedFeatures), "rows": rows(m.transform(vdf), ["id", "o"])}

# ---- numeric frame
num_rows = [
    (1, -1.0, 4.0, 7), (2, 0.0, float("nan"), 3), (3, 0.5, 1.0, None), (4, 1.0, 4.0, 3), (5, 1.5, 2.0, 5),
    (6, 2.0, None, 7), (7, 3.5, 0.0, 3), (8, float("nan"), 4.0, 1), (9, None, 2.0, 2), (10, 10.0, 0.0, 5),
]
ndf = spark.createDataFrame(num_rows, "id INT, x DOUBLE, y DOUBLE, k INT")
splits = [-float("inf"), 0.0, 1.0, 2.0, float("inf")]
out["bucket_keep"] = rows(F.Bucketizer(inputCol="x", outputCol="b", splits=splits, handleInvalid="keep").transform(ndf), ["id", "b"])
out["bucket_skip"] = rows(F.Bucketizer(inputCol="x", outputCol="b", splits=splits, handleInvalid="skip").transform(ndf), ["id", "b"])
out["bucket_multi"] = rows(F.Bucketizer(inputCols=["x", "y"], outputCols=["bx", "by"], splitsArray=[splits, [0.0, 2.0, 4.0]], handleInvalid="keep").transform(ndf), ["id", "bx", "by"])
out["bucket_error_nan"] = error(lambda: F.Bucketizer(inputCol="x", outputCol="b", splits=splits).transform(ndf).collect())
out["bucket_error_bounds"] = error(lambda: F.Bucketizer(inputCol="x", outputCol="b", splits=[0.0, 1.0, 2.0], handleInvalid="keep").transform(ndf.filter("id = 1")).collect())
for nb in [2, 3, 4]:
    qd = F.QuantileDiscretizer(inputCol="x", outputCol="q", numBuckets=nb, handleInvalid="keep").fit(ndf)
    out["qd_%d" % nb] = {"splits": [num(s) for s in qd.getSplits()], "rows": rows(qd.transform(ndf), ["id", "q"])}
qd = F.QuantileDiscretizer(inputCols=["x", "k"], outputCols=["qx", "qk"], numBucketsArray=[3, 2], handleInvalid="skip").fit(ndf)
out["qd_multi"] = {"splitsArray": [[num(s) for s in a] for a in qd.getSplitsArray()], "rows": rows(qd.transform(ndf), ["id", "qx", "qk"])}
big = spark.range(1000).selectExpr("cast(id AS INT) AS id", "cast((id * 37) % 1000 AS DOUBLE) AS x")
qd = F.QuantileDiscretizer(inputCol="x", outputCol="q", numBuckets=4).fit(big)
out["qd_big_splits"] = [num(s) for s in qd.getSplits()]
for strat in ["mean", "median", "mode"]:
    m = F.Imputer(inputCols=["x", "y", "k"], outputCols=["ox", "oy", "ok"], strategy=strat).fit(ndf)
    sur = m.surrogateDF.collect()[0]
    out["imp_" + strat] = {"surrogates": [num(sur["x"]), num(sur["y"]), num(sur["k"])], "rows": rows(m.transform(ndf), ["id", "ox", "oy", "ok"])}
m = F.Imputer(inputCol="y", outputCol="oy", missingValue=4.0, strategy="mean").fit(ndf)
out["imp_missing4"] = {"surrogate": num(m.surrogateDF.collect()[0]["y"]), "rows": rows(m.transform(ndf), ["id", "oy"])}
out["imp_error_empty"] = error(lambda: F.Imputer(inputCols=["x"], outputCols=["o"]).fit(ndf.filter("id = 8 OR id = 9")))
out["binarizer_double"] = rows(F.Binarizer(inputCol="x", outputCol="o", threshold=1.0).transform(ndf), ["id", "o"])
out["binarizer_multi"] = rows(F.Binarizer(inputCols=["x", "y"], outputCols=["ox", "oy"], thresholds=[0.5, 2.0]).transform(ndf), ["id", "ox", "oy"])
out["sql"] = rows(F.SQLTransformer(statement="SELECT id, x + y AS s, k * 2 AS k2 FROM __THIS__ WHERE id > 3").transform(ndf), ["id", "s", "k2"])

# ---- interaction
# Spark needs vector attributes here: VectorAssembler attaches them (Ember reads sizes from the data).
inter = spark.createDataFrame([(1, 2.0, 1.0, 0.0, 3.0, 4.0, 5.0), (2, 0.0, 1.0, 2.0, 3.0, 1.0, 1.0), (3, -1.0, 0.0, 2.0, 0.0, 0.0, 2.0)],
                              "id INT, s DOUBLE, a1 DOUBLE, a2 DOUBLE, a3 DOUBLE, b1 DOUBLE, b2 DOUBLE")
inter = F.VectorAssembler(inputCols=["a1", "a2", "a3"], outputCol="v1").transform(inter)
inter = F.VectorAssembler(inputCols=["b1", "b2"], outputCol="v2").transform(inter)
out["interaction"] = rows(F.Interaction(inputCols=["s", "v1", "v2"], outputCol="o").transform(inter), ["id", "o"])

# ---- chi-squared selector and vector indexer
chi = spark.createDataFrame([
    (1, Vectors.dense([0.0, 0.0, 18.0, 1.0]), 1.0), (2, Vectors.dense([0.0, 1.0, 12.0, 0.0]), 0.0),
    (3, Vectors.dense([1.0, 0.0, 15.0, 0.1]), 0.0), (4, Vectors.dense([1.0, 1.0, 18.0, 0.0]), 1.0),
    (5, Vectors.dense([0.0, 1.0, 12.0, 1.0]), 1.0), (6, Vectors.dense([1.0, 0.0, 15.0, 0.1]), 0.0)], ["id", "features", "label"])
for k in [1, 2]:
    m = F.ChiSqSelector(numTopFeatures=k, outputCol="o").fit(chi)
    out["chisq_%d" % k] = {"selected": list(m.selectedFeatures), "rows": rows(m.transform(chi), ["id", "o"])}
# Every selector type on a wider table, so the rules pick different sets.
import random as _random
_r = _random.Random(5)
chi_wide = spark.createDataFrame([
    (i, Vectors.dense([float(_r.randint(0, 2)) if j % 3 else float((i + j) % 2 if i % 4 else _r.randint(0, 1)) for j in range(8)]), float(i % 2))
    for i in range(60)], ["id", "features", "label"])
out["chi_wide_rows"] = [[r.id, list(r.features.toArray()), r.label] for r in chi_wide.orderBy("id").collect()]
for st, kw in [("numTopFeatures", {"numTopFeatures": 3}), ("percentile", {"percentile": 0.5}), ("fpr", {"fpr": 0.2}),
               ("fdr", {"fdr": 0.3}), ("fwe", {"fwe": 0.3})]:
    m = F.ChiSqSelector(selectorType=st, outputCol="o", **kw).fit(chi_wide)
    out["chisq_type_" + st] = list(m.selectedFeatures)
m = F.VectorIndexer(inputCol="features", outputCol="o", maxCategories=2, handleInvalid="keep").fit(chi)
out["vindexer"] = {"categoryMaps": {str(k): {str(kk): vv for kk, vv in v.items()} for k, v in m.categoryMaps.items()},
                   "rows": rows(m.transform(chi), ["id", "o"])}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../Tests/EmberMLTests/expected/features.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print(json.dumps(out)[:3000])
