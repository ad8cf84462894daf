#!/usr/bin/env python3
"""The ML benchmark: the same fits on Ember, scikit-learn and Spark MLlib (local[2]), one
process after another, on bench/ml_data.py's files. Prints a table (also bench/out/ml.md).

  bench/ml.sh [lr linreg text]     # builds ember (release), makes the data, runs this

Tasks (maxIter 100, regParam 0.01, standardization on, as Spark's defaults):
- lr: LogisticRegression on 1M × 30 dense rows; metric: test areaUnderROC.
- linreg: LinearRegression on 1M × 30; metric: test RMSE.
- text: Tokenizer → StopWordsRemover → HashingTF (2^18) → IDF → LogisticRegression on
  200k documents; metric: test areaUnderROC.
Time is the fit alone (input already in memory); Spark's JVM start is reported apart.
Peak MB is the process's max RSS (Spark: the Python driver plus the JVM's VmHWM).
scikit-learn gets the equivalent objective: StandardScaler + LogisticRegression(C = 1 / (n·regParam))
or Ridge(alpha = n·regParam); for text, HashingVectorizer + TfidfTransformer + the same LR.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = ["lr", "linreg", "text", "xgb", "rf", "kmeans", "pca"]
# Columns of the mortgage feature table that are not features.
MORTGAGE_NON_FEATURES = ("loan_id", "period", "delinquency_12")
# The numeric columns KMeans and PCA use (NULLs as 0).
CLUSTER_COLUMNS = ["orig_interest_rate", "orig_upb", "orig_loan_term", "orig_ltv", "orig_cltv", "dti", "borrower_credit_score",
                   "interest_rate", "current_actual_upb", "loan_age"]
ENGINES = ["ember", "sklearn", "spark"]
REG = 0.01


def data_dir():
    return os.environ.get("BENCH_ML_DATA", os.path.join(HERE, "data", "ml"))


def read_xy(name, part):
    import pyarrow.parquet as pq
    import numpy as np
    t = pq.read_table(os.path.join(data_dir(), f"{name}-{part}.parquet"))
    cols = [c for c in t.column_names if c.startswith("x")]
    x = np.column_stack([t.column(c).to_numpy() for c in cols])
    return x, t.column("label").to_numpy()


def read_mortgage(part, columns=None):
    import numpy as np
    import pyarrow.parquet as pq
    t = pq.read_table(os.path.join(data_dir(), f"mortgage-{part}.parquet"))
    cols = columns or [c for c in t.column_names if c not in MORTGAGE_NON_FEATURES]
    x = np.column_stack([t.column(c).to_numpy(zero_copy_only=False).astype(np.float64) for c in cols])
    return x, t.column("delinquency_12").to_numpy(zero_copy_only=False).astype(np.float64), cols


def run_tree_peer(engine, task):
    """xgboost (hist) for xgb; scikit-learn for rf, kmeans, pca."""
    import numpy as np
    t0 = time.time()
    if task in ("kmeans", "pca"):
        x, _, _ = read_mortgage("train", CLUSTER_COLUMNS)
        x = np.nan_to_num(x, nan=0.0)
        load = time.time() - t0
        t1 = time.time()
        if task == "kmeans":
            from sklearn.cluster import KMeans
            m = KMeans(n_clusters=8, n_init=1, max_iter=20, tol=1e-4, random_state=1).fit(x)
            return load, time.time() - t1, "trainingCost", float(m.inertia_)
        from sklearn.decomposition import PCA
        m = PCA(n_components=5, svd_solver="full").fit(x)
        return load, time.time() - t1, "explainedVarianceRatio", float(sum(m.explained_variance_ratio_))
    x, y, _ = read_mortgage("train")
    xt, yt, _ = read_mortgage("test")
    load = time.time() - t0
    from sklearn.metrics import accuracy_score, roc_auc_score
    if task == "xgb":
        import xgboost as xgb
        dtrain = xgb.DMatrix(x, label=y, missing=np.nan, nthread=2)
        t1 = time.time()
        booster = xgb.train({"tree_method": "hist", "max_depth": 6, "eta": 0.1, "max_bin": 256, "objective": "binary:logistic",
                             "nthread": 2}, dtrain, num_boost_round=100)
        fit = time.time() - t1
        p = booster.predict(xgb.DMatrix(xt, missing=np.nan, nthread=2))
        return load, fit, "areaUnderROC", float(roc_auc_score(yt, p))
    from sklearn.ensemble import RandomForestClassifier
    t1 = time.time()
    m = RandomForestClassifier(n_estimators=100, max_depth=10, n_jobs=2, random_state=1).fit(x, y)
    fit = time.time() - t1
    return load, fit, "accuracy", float(accuracy_score(yt, m.predict(xt)))


def run_sklearn(task):
    import numpy as np
    from sklearn.metrics import mean_squared_error, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import LogisticRegression, Ridge
    if task in ("xgb", "rf", "kmeans", "pca"):
        return run_tree_peer("sklearn", task)
    t0 = time.time()
    if task in ("lr", "linreg"):
        name = "classification" if task == "lr" else "regression"
        x, y = read_xy(name, "train")
        xt, yt = read_xy(name, "test")
        load = time.time() - t0
        n = len(y)
        model = (make_pipeline(StandardScaler(), LogisticRegression(C=1 / (n * REG), max_iter=100)) if task == "lr"
                 else make_pipeline(StandardScaler(), Ridge(alpha=n * REG)))
        t1 = time.time()
        model.fit(x, y)
        fit = time.time() - t1
        if task == "lr":
            return load, fit, "areaUnderROC", roc_auc_score(yt, model.predict_proba(xt)[:, 1])
        return load, fit, "rmse", float(np.sqrt(mean_squared_error(yt, model.predict(xt))))
    import pyarrow.parquet as pq
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer, TfidfTransformer
    tr = pq.read_table(os.path.join(data_dir(), "text-train.parquet")).to_pandas()
    te = pq.read_table(os.path.join(data_dir(), "text-test.parquet")).to_pandas()
    load = time.time() - t0
    n = len(tr)
    model = make_pipeline(
        HashingVectorizer(n_features=1 << 18, alternate_sign=False, norm=None, stop_words=list(ENGLISH_STOP_WORDS), token_pattern=r"\S+"),
        TfidfTransformer(norm=None), LogisticRegression(C=1 / (n * REG), max_iter=100))
    t1 = time.time()
    model.fit(tr["text"], tr["label"])
    fit = time.time() - t1
    return load, fit, "areaUnderROC", roc_auc_score(te["label"], model.predict_proba(te["text"])[:, 1])


def jvm_peak_mb(spark):
    """The Spark driver JVM's high-water RSS in MB (None when it cannot be read)."""
    try:
        pid = spark._jvm.java.lang.ProcessHandle.current().pid()
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except Exception:  # noqa: BLE001 - peak memory is informative only
        return None
    return None


def run_spark(task):
    t0 = time.time()
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "8g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    jvm = time.time() - t0
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.evaluation import BinaryClassificationEvaluator, RegressionEvaluator
    from pyspark.ml.feature import HashingTF, IDF, StopWordsRemover, Tokenizer, VectorAssembler
    from pyspark.ml.regression import LinearRegression
    t1 = time.time()
    if task in ("xgb", "rf", "kmeans", "pca"):
        from pyspark.ml.classification import GBTClassifier, RandomForestClassifier
        from pyspark.ml.clustering import KMeans
        from pyspark.ml.evaluation import MulticlassClassificationEvaluator
        from pyspark.ml.feature import PCA
        train = spark.read.parquet(os.path.join(data_dir(), "mortgage-train.parquet"))
        test = spark.read.parquet(os.path.join(data_dir(), "mortgage-test.parquet"))
        if task in ("kmeans", "pca"):
            train = train.select(CLUSTER_COLUMNS).na.fill(0.0)
            va = VectorAssembler(inputCols=CLUSTER_COLUMNS, outputCol="features")
        else:
            feats = [c for c in train.columns if c not in MORTGAGE_NON_FEATURES]
            train, test = train.na.fill(-1.0), test.na.fill(-1.0)
            va = VectorAssembler(inputCols=feats, outputCol="features")
        train = va.transform(train).cache()
        train.count()
        load = time.time() - t1
        t2 = time.time()
        if task == "kmeans":
            m = KMeans(k=8, maxIter=20, seed=1).fit(train)
            fit = time.time() - t2
            value, metric = m.summary.trainingCost, "trainingCost"
        elif task == "pca":
            m = PCA(k=5, inputCol="features", outputCol="pca").fit(train)
            fit = time.time() - t2
            value, metric = float(sum(m.explainedVariance)), "explainedVarianceRatio"
        else:
            est = (GBTClassifier(labelCol="delinquency_12", maxIter=100, maxDepth=6, maxBins=256, stepSize=0.1) if task == "xgb"
                   else RandomForestClassifier(labelCol="delinquency_12", numTrees=100, maxDepth=10, seed=1))
            m = est.fit(train)
            fit = time.time() - t2
            pred = m.transform(va.transform(test))
            if task == "xgb":
                value, metric = BinaryClassificationEvaluator(labelCol="delinquency_12").evaluate(pred), "areaUnderROC"
            else:
                value, metric = MulticlassClassificationEvaluator(labelCol="delinquency_12", metricName="accuracy").evaluate(pred), "accuracy"
        jvm_mb = jvm_peak_mb(spark)
        spark.stop()
        return load, fit, metric, value, jvm, jvm_mb
    if task in ("lr", "linreg"):
        name = "classification" if task == "lr" else "regression"
        train = spark.read.parquet(os.path.join(data_dir(), f"{name}-train.parquet"))
        test = spark.read.parquet(os.path.join(data_dir(), f"{name}-test.parquet"))
        va = VectorAssembler(inputCols=[c for c in train.columns if c.startswith("x")], outputCol="features")
        est = (LogisticRegression(maxIter=100, regParam=REG) if task == "lr" else LinearRegression(maxIter=100, regParam=REG))
        pipe = Pipeline(stages=[va, est])
        ev = (BinaryClassificationEvaluator(metricName="areaUnderROC") if task == "lr" else RegressionEvaluator(metricName="rmse"))
    else:
        train = spark.read.parquet(os.path.join(data_dir(), "text-train.parquet"))
        test = spark.read.parquet(os.path.join(data_dir(), "text-test.parquet"))
        pipe = Pipeline(stages=[Tokenizer(inputCol="text", outputCol="words"), StopWordsRemover(inputCol="words", outputCol="filtered"),
                                HashingTF(inputCol="filtered", outputCol="tf"), IDF(inputCol="tf", outputCol="features"),
                                LogisticRegression(maxIter=100, regParam=REG)])
        ev = BinaryClassificationEvaluator(metricName="areaUnderROC")
    train = train.cache()
    test = test.cache()
    train.count()
    test.count()
    load = time.time() - t1
    t2 = time.time()
    model = pipe.fit(train)
    fit = time.time() - t2
    value = ev.evaluate(model.transform(test))
    jvm_mb = jvm_peak_mb(spark)
    spark.stop()
    return load, fit, ev.getMetricName(), value, jvm, jvm_mb


def child(engine, task):
    if engine == "sklearn":
        load, fit, metric, value = run_sklearn(task)
        rec = {"engine": engine, "task": task, "fit_seconds": fit, "load_seconds": load, "metric": metric, "value": value}
    else:
        load, fit, metric, value, jvm, jvm_mb = run_spark(task)
        rec = {"engine": engine, "task": task, "fit_seconds": fit, "load_seconds": load, "metric": metric, "value": value, "jvm_seconds": jvm,
               "jvm_peak_mb": jvm_mb}
    print(json.dumps(rec))


def run(engine, task):
    threads = os.environ.get("BENCH_THREADS", "2")
    if engine == "ember":
        cmd = [os.environ.get("BENCH_EMBER", os.path.join(HERE, "out", "bin", "ember")), "bench-ml", task, "--data", data_dir(), "--cores", threads]
    else:
        cmd = [sys.executable, os.path.abspath(__file__), "--child", engine, task]
    env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name] + cmd, capture_output=True, text=True, env=env, timeout=3600)
        tf.seek(0)
        rss = tf.read().strip().splitlines()
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"engine": engine, "task": task, "error": (p.stderr or p.stdout)[-400:]}
    rec = json.loads(lines[-1])
    try:
        # Spark: the Python driver plus the JVM's own high-water mark.
        rec["peak_mb"] = int(rss[-1]) // 1024 + (rec.get("jvm_peak_mb") or 0)
    except (ValueError, IndexError):
        pass
    return rec


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    tasks = [a for a in sys.argv[1:] if a in TASKS] or TASKS
    engines = os.environ.get("BENCH_ML_ENGINES", ",".join(ENGINES)).split(",")
    # xgb's peer is the xgboost package (hist); it runs in the "sklearn" column.
    info = ""
    try:
        with open(os.path.join(HERE, "out", "bin", "ember.info")) as f:
            info = f.read().strip()
    except OSError:
        pass
    rows = []
    for t in tasks:
        recs = {e: run(e, t) for e in engines}
        for r in recs.values():
            print(json.dumps(r), file=sys.stderr)
        rows.append((t, recs))
    out = ["", f"Ember binary {info}; {os.environ.get('BENCH_THREADS', '2')} threads per engine; fit seconds (input in memory), test metric, peak MB.", "",
           "| task | Ember fit s | peer fit s (scikit-learn; xgboost hist for xgb) | Spark fit s (+ JVM start) | peer / Ember | Spark / Ember | metric: Ember / peer / Spark | peak MB Ember / peer / Spark |",
           "|---|---|---|---|---|---|---|---|"]
    for t, recs in rows:
        def g(e, k):
            return recs.get(e, {}).get(k)
        ef, sf, pf = g("ember", "fit_seconds"), g("sklearn", "fit_seconds"), g("spark", "fit_seconds")
        fmt = lambda x: f"{x:.3f}" if isinstance(x, (int, float)) else "error"
        ratio = lambda a, b: f"{a / b:.1f}×" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0 else "-"
        jvm = g("spark", "jvm_seconds")
        metric = g("ember", "metric") or g("sklearn", "metric") or ""
        vals = " / ".join(f"{g(e, 'value'):.4f}" if isinstance(g(e, "value"), float) else "error" for e in ENGINES)
        mem = " / ".join(str(g(e, "peak_mb") or "-") for e in ENGINES)
        out.append(f"| {t} | {fmt(ef)} | {fmt(sf)} | {fmt(pf)}{f' (+{jvm:.1f})' if jvm else ''} | {ratio(sf, ef)} | {ratio(pf, ef)} | {metric}: {vals} | {mem} |")
    text = "\n".join(out) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    with open(os.path.join(HERE, "out", "ml.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
