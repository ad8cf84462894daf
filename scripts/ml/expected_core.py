"""Expected values for Tests/EmberMLTests/CoreTests.swift, from Apache Spark 4.1.1.

Run: python3 scripts/ml/expected_core.py  (writes Tests/EmberMLTests/expected/core.json)
"""
import json, math, os
from pyspark.sql import SparkSession
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.linalg import Vectors

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}

rows = [
    (1, 2.0, True, Vectors.dense([0.0, 3.0]), 0.0),
    (2, 0.0, False, Vectors.sparse(5, [1, 4], [0.5, 2.0]), 1.5),
    (3, None, True, Vectors.dense([1.0, 1.0]), 2.0),
    (4, 4.0, False, Vectors.dense([0.0, 0.0]), float("nan")),
    (5, 0.0, False, Vectors.sparse(40, [3], [7.0]), 0.0),
]
df = spark.createDataFrame(rows, ["id", "x", "b", "v", "y"])


def num(x):
    return "NaN" if math.isnan(x) else x


def vec(v):
    """A vector as JSON: {"dense": [...]} or {"size": n, "indices": [...], "values": [...]}."""
    if v is None:
        return None
    if hasattr(v, "indices"):
        return {"size": int(v.size), "indices": [int(i) for i in v.indices], "values": [num(float(x)) for x in v.values]}
    return {"dense": [num(float(x)) for x in v.toArray()]}


va = VectorAssembler(inputCols=["id", "x", "b", "v"], outputCol="features", handleInvalid="skip")
out["assembler_skip"] = [[r.id, vec(r.features)] for r in va.transform(df).orderBy("id").collect()]
va2 = VectorAssembler(inputCols=["id", "x", "y"], outputCol="features", handleInvalid="keep")
out["assembler_keep"] = [[r.id, vec(r.features)] for r in va2.transform(df).orderBy("id").collect()]
va3 = VectorAssembler(inputCols=["id", "b", "v"], outputCol="features")
out["assembler_error_ok"] = [[r.id, vec(r.features)] for r in va3.transform(df).orderBy("id").collect()]

with open(os.path.join(os.path.dirname(__file__), "../../Tests/EmberMLTests/expected/core.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print(json.dumps(out, indent=1))
