"""Expected values for Tests/EmberMLTests/ClusteringTests.swift and PCATests.swift, from
Apache Spark 4.1.1 (pyspark) and scikit-learn 1.9.1. The generated data is written into the
JSON too, so the Swift tests fit on exactly the same rows.

Run: python3 scripts/ml/expected_clustering.py  (writes Tests/EmberMLTests/expected/clustering.json)
"""
import json, os
import numpy as np
from pyspark.sql import SparkSession
from pyspark.ml.clustering import KMeans, BisectingKMeans, GaussianMixture
from pyspark.ml.evaluation import ClusteringEvaluator
from pyspark.ml.feature import PCA
from pyspark.ml.linalg import Vectors
from pyspark.mllib.clustering import KMeans as OldKMeans, KMeansModel as OldKMeansModel
from pyspark.mllib.linalg import Vectors as OldVectors
import sklearn.cluster
import sklearn.decomposition

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}


def r6(x):
    return [round(float(v), 6) for v in x]


def blobs(rng, centers, n_each, scale):
    rows = []
    for c in centers:
        for _ in range(n_each):
            rows.append(r6(np.asarray(c) + rng.normal(0, scale, len(c))))
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def frame(rows, weights=None):
    if weights is None:
        return spark.createDataFrame([(i, Vectors.dense(r)) for i, r in enumerate(rows)], ["id", "features"])
    return spark.createDataFrame([(i, float(w), Vectors.dense(r)) for i, (r, w) in enumerate(zip(rows, weights))],
                                 ["id", "weight", "features"])


def sorted_centers(cs):
    return sorted([[float(v) for v in c] for c in cs])


rng = np.random.default_rng(11)
# Well-separated blobs: 4 clusters in 3-d.
sep = blobs(rng, [[0, 0, 0], [10, 10, 0], [-10, 8, 5], [5, -10, -5]], 60, 1.0)
w_sep = [round(float(w), 2) for w in rng.uniform(0.5, 2.0, len(sep))]
df = frame(sep, w_sep)
km = KMeans(k=4, seed=1, maxIter=50).fit(df)
skm = sklearn.cluster.KMeans(n_clusters=4, n_init=10, random_state=0, tol=1e-12, max_iter=300).fit(np.array(sep))
kmw = KMeans(k=4, seed=1, maxIter=50, weightCol="weight").fit(df)
skw = sklearn.cluster.KMeans(n_clusters=4, n_init=10, random_state=0, tol=1e-12, max_iter=300).fit(np.array(sep), sample_weight=np.array(w_sep))
pred = km.transform(df)
sil = ClusteringEvaluator().evaluate(pred)
sil_cos = ClusteringEvaluator(distanceMeasure="cosine").evaluate(pred)
out["separated"] = {
    "rows": sep, "weights": w_sep,
    "spark_centers": sorted_centers(km.clusterCenters()), "spark_cost": km.summary.trainingCost,
    "spark_sizes": sorted(km.summary.clusterSizes),
    "sklearn_centers": sorted_centers(skm.cluster_centers_), "sklearn_inertia": float(skm.inertia_),
    "spark_weighted_centers": sorted_centers(kmw.clusterCenters()), "spark_weighted_cost": kmw.summary.trainingCost,
    "sklearn_weighted_centers": sorted_centers(skw.cluster_centers_), "sklearn_weighted_inertia": float(skw.inertia_),
    "silhouette": sil, "silhouette_cosine": sil_cos,
}

# Overlapping blobs with fixed initial centers: Lloyd steps.
ov = blobs(rng, [[0, 0, 0], [2, 2, 0], [0, 3, 1]], 50, 1.2)
init = [ov[0], ov[1], ov[2]]
steps = {}
for iters in [1, 3, 6]:
    sk = sklearn.cluster.KMeans(n_clusters=3, init=np.array(init), n_init=1, max_iter=iters, tol=0, algorithm="lloyd").fit(np.array(ov))
    rdd = spark.sparkContext.parallelize([OldVectors.dense(r) for r in ov], 2)
    old = OldKMeans.train(rdd, 3, maxIterations=iters, initialModel=OldKMeansModel([OldVectors.dense(c) for c in init]), epsilon=0.0)
    steps[str(iters)] = {
        "sklearn_centers": [[float(v) for v in c] for c in sk.cluster_centers_], "sklearn_n_iter": int(sk.n_iter_),
        "spark_centers": [[float(v) for v in c] for c in old.clusterCenters], "spark_final_cost": float(old.computeCost(rdd)),
    }
# Cosine with fixed initial centers (Spark mllib) and with k-means|| on separated directions.
cos_steps = {}
for iters in [1, 4]:
    rdd = spark.sparkContext.parallelize([OldVectors.dense(r) for r in ov], 2)
    old = OldKMeans.train(rdd, 3, maxIterations=iters, initialModel=OldKMeansModel([OldVectors.dense(c) for c in init]),
                          epsilon=0.0, distanceMeasure="cosine")
    cos_steps[str(iters)] = {"spark_centers": [[float(v) for v in c] for c in old.clusterCenters], "spark_final_cost": float(old.computeCost(rdd))}
out["lloyd"] = {"rows": ov, "init": init, "euclidean": steps, "cosine": cos_steps}

dirs = blobs(rng, [[10, 0, 0], [0, 10, 0], [0, 0, 10]], 40, 0.8)
kc = KMeans(k=3, seed=1, maxIter=50, distanceMeasure="cosine").fit(frame(dirs))
out["cosine_separated"] = {"rows": dirs, "spark_centers": sorted_centers(kc.clusterCenters()), "spark_cost": kc.summary.trainingCost}

# Bisecting k-means on separated blobs.
bk = BisectingKMeans(k=4, seed=1).fit(frame(sep))
out["bisecting"] = {"spark_centers": sorted_centers(bk.clusterCenters()), "spark_cost": bk.summary.trainingCost,
                    "spark_sizes": sorted(bk.summary.clusterSizes)}

# Gaussian mixture on separated 2-d blobs with different covariances.
g = []
for c, cov, n in [([0, 0], [[1.0, 0.3], [0.3, 0.5]], 80), ([8, 8], [[0.6, -0.2], [-0.2, 1.2]], 60), ([-6, 7], [[0.8, 0.0], [0.0, 0.8]], 40)]:
    for v in rng.multivariate_normal(c, cov, n):
        g.append(r6(v))
g = [g[i] for i in rng.permutation(len(g))]
gm = GaussianMixture(k=3, seed=3, tol=1e-10, maxIter=500).fit(frame(g))
comps = sorted([(float(w), [float(x) for x in row.mean], [[float(x) for x in r] for r in row.cov.toArray()])
                for w, row in zip(gm.weights, gm.gaussians)], key=lambda t: t[1])
probs = gm.transform(frame(g)).orderBy("id").select("probability").collect()
out["gmm"] = {"rows": g, "weights": [c[0] for c in comps], "means": [c[1] for c in comps], "covs": [c[2] for c in comps],
              "logLikelihood": gm.summary.logLikelihood, "sizes": sorted(gm.summary.clusterSizes),
              "max_probability": [float(max(r[0])) for r in probs[:20]]}

# PCA: correlated 5-d data.
base = rng.normal(0, 1, (200, 5)) @ np.array([[3, 1, 0, 0, 0.5], [0, 2, 1, 0, 0], [0, 0, 1, 0.5, 0], [0, 0, 0, 0.5, 0.2], [0, 0, 0, 0, 0.1]]) + 4
prow = [r6(r) for r in base]
pdf = frame(prow)
pm = PCA(k=3, inputCol="features", outputCol="pca").fit(pdf)
sk = sklearn.decomposition.PCA(n_components=3).fit(np.array(prow))
tr = pm.transform(pdf).orderBy("id").select("pca").collect()
out["pca"] = {"rows": prow, "spark_pc": pm.pc.toArray().tolist(), "spark_explained": [float(x) for x in pm.explainedVariance],
              "sklearn_components": sk.components_.tolist(), "sklearn_ratio": [float(x) for x in sk.explained_variance_ratio_],
              "spark_transform": [[float(x) for x in r[0]] for r in tr[:10]]}

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EmberMLTests", "expected", "clustering.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
