#!/usr/bin/env python3
"""The peers' side of the benchmark: `python3 bench/peers.py ENGINE QUERY [--data DIR]`.

ENGINE: duckdb, polars, spark. QUERY: groupby, join, sort, csv, etl (see bench/README.md).
Loads the input into memory first (not timed as the query), then times only the query,
best of --reps, with the result fully materialized, and prints one JSON line:
{"engine","query","seconds","rows","load_seconds","startup_seconds","times","checksum",...}.
The checksum formulas match `ember bench` (Sources/ember/Bench.swift).
"""
import argparse
import json
import os
import resource
import sys
import time

from gen_data import PERF_LOANS, SCHEMAS  # noqa: E402  (bench/ is on sys.path when run as a script)

HERE = os.path.dirname(os.path.abspath(__file__))

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SORT_PREFIX = 100_000


def now():
    return time.perf_counter()


def sort_checksum(k_prefix, v_first, v_last, rows):
    pos = sum(int(k) * (i % 7919 + 1) for i, k in enumerate(k_prefix[:SORT_PREFIX]))
    return {"rows": rows, "pos_k": pos, "v_first": float(v_first), "v_last": float(v_last)}


def path(args, name):
    return os.path.join(args.data, name + ".csv")


def loans_text(args):
    return os.path.join(args.data, "loans", "performance")


def loans_parquet(args):
    return os.path.join(args.data, "loans", "performance.parquet")


def dir_bytes(d):
    if os.path.isfile(d):
        return os.path.getsize(d)
    total = 0
    for root, _, files in os.walk(d):
        for f in files:
            if not f.startswith(("_", ".")):
                total += os.path.getsize(os.path.join(root, f))
    return total


SCAN_SQL = ("SELECT servicer, count(*) AS n, sum(current_actual_upb) AS upb, max(loan_age) AS age "
            "FROM perf WHERE interest_rate >= 5.0 GROUP BY servicer")


# ---------------------------------------------------------------- DuckDB

def run_duckdb(args):
    import duckdb
    t0 = now()
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET preserve_insertion_order = true")
    startup = now() - t0

    def read(name):
        cols = ", ".join(f"'{c}': '{t if t != 'STRING' else 'VARCHAR'}'" for c, t in SCHEMAS[name])
        return f"read_csv('{path(args, name)}', header = true, columns = {{{cols}}})"

    def load(*names):
        l0 = now()
        for n in names:
            con.execute(f"CREATE OR REPLACE TABLE {n} AS SELECT * FROM {read(n)}")
        return now() - l0

    q = args.query
    load_s = 0.0
    if q == "groupby":
        load_s = load("groupby")
        sql = "SELECT k, count(*) AS n, sum(v) AS sv, avg(v) AS av FROM groupby GROUP BY k"
    elif q == "join":
        load_s = load("fact", "dim")
        sql = "SELECT d.name, count(*) AS n, sum(f.x) AS sx FROM fact f JOIN dim d ON f.key = d.key GROUP BY d.name"
    elif q == "sort":
        load_s = load("groupby")
        sql = "SELECT * FROM groupby ORDER BY v DESC, k ASC"
    elif q in ("csv", "etl", "pq_write"):
        sql = None
    elif q == "pq_scan":
        con.execute(f"CREATE VIEW perf AS SELECT * FROM read_parquet('{loans_parquet(args)}')")
        sql = SCAN_SQL
    else:
        raise SystemExit(f"unknown query {q}")
    pq_out = os.path.join(args.out, "pq-duckdb.parquet")

    def once():
        if q == "pq_write":
            cols = ", ".join(f"'{c}': '{t if t != 'STRING' else 'VARCHAR'}'" for c, t in PERF_LOANS)
            con.execute(f"COPY (SELECT * FROM read_csv('{loans_text(args)}/part-*', delim = '|', header = false, "
                        f"columns = {{{cols}}})) TO '{pq_out}' (FORMAT parquet, COMPRESSION snappy)")
            return None
        if q == "csv":
            con.execute(f"CREATE OR REPLACE TABLE big AS SELECT * FROM {read('big')}")
            r = con.execute("SELECT count(*), sum(rate), sum(upb) FROM big").fetchone()
            con.execute("DROP TABLE big")
            return r
        if q == "etl":
            etl_sql = duckdb_etl(con, read)
            out = os.path.join(args.out, "etl-duckdb.csv")
            con.execute(f"COPY ({etl_sql}) TO '{out}' (HEADER, DELIMITER ',')")
            return None
        con.execute(f"CREATE OR REPLACE TEMP TABLE r AS {sql}")
        return None

    times = []
    for _ in range(args.reps):
        t = now()
        res = once()
        times.append(now() - t)

    if q == "groupby":
        n, c = con.execute("SELECT count(*), sum(n), sum(sv), sum(k * n), sum(av) FROM r").fetchone(), None
        ck = {"rows": n[0], "sum_n": n[1], "sum_sv": n[2], "sum_k_n": n[3], "sum_av": n[4]}
    elif q == "join":
        n = con.execute("SELECT count(*), sum(n), sum(sx) FROM r").fetchone()
        ck = {"rows": n[0], "sum_n": n[1], "sum_sx": n[2]}
    elif q == "sort":
        rows = con.execute("SELECT count(*) FROM r").fetchone()[0]
        ks = [x[0] for x in con.execute(f"SELECT k FROM r LIMIT {SORT_PREFIX}").fetchall()]
        vf = con.execute("SELECT v FROM r LIMIT 1").fetchone()[0]
        vl = con.execute(f"SELECT v FROM r LIMIT 1 OFFSET {rows - 1}").fetchone()[0]
        ck = sort_checksum(ks, vf, vl, rows)
    elif q == "csv":
        ck = {"rows": res[0], "sum_rate": res[1], "sum_upb": res[2]}
    elif q == "pq_write":
        n = con.execute(f"SELECT count(*), sum(current_actual_upb), sum(loan_age) FROM read_parquet('{pq_out}')").fetchone()
        ck = {"rows": n[0], "sum_upb": n[1], "sum_age": n[2], "out_bytes": dir_bytes(pq_out)}
    elif q == "pq_scan":
        n = con.execute("SELECT count(*), sum(n), sum(upb), sum(age) FROM r").fetchone()
        ck = {"rows": n[0], "sum_n": n[1], "sum_upb": n[2], "sum_age": n[3]}
    else:
        out = os.path.join(args.out, "etl-duckdb.csv")
        n = con.execute(f"SELECT count(*), sum(worst_status), sum(state_idx), sum(n_periods), sum(delinquent) FROM read_csv('{out}', header = true)").fetchone()
        ck = {"rows": n[0], "sum_worst": n[1], "sum_state_idx": n[2], "sum_n_periods": n[3], "sum_delinquent": n[4]}
    return startup, load_s, times, ck, {}


def duckdb_etl(con, read):
    states = [r[0] for r in con.execute(f"SELECT DISTINCT state FROM {read('acq')} ORDER BY state").fetchall()]
    values = ", ".join(f"('{s}', {i})" for i, s in enumerate(states))
    return f"""
        WITH worst AS (
            SELECT loan_id, max(CAST(status AS INTEGER)) AS worst_status, count(*) AS n_periods,
                   max(period) AS last_period, min(upb) AS min_upb
            FROM {read('perf')} GROUP BY loan_id),
        idx(state, state_idx) AS (VALUES {values})
        SELECT a.loan_id, year(a.orig_date) AS orig_year, i.state_idx, a.credit_score, a.dti, a.ltv, a.orig_upb,
               w.worst_status, w.n_periods, w.last_period, w.min_upb,
               CASE WHEN w.worst_status >= 3 THEN 1 ELSE 0 END AS delinquent
        FROM {read('acq')} a JOIN worst w ON a.loan_id = w.loan_id JOIN idx i ON a.state = i.state"""


# ---------------------------------------------------------------- Polars

def run_polars(args):
    t0 = now()
    import polars as pl
    startup = now() - t0
    types = {"BIGINT": pl.Int64, "INT": pl.Int32, "DOUBLE": pl.Float64, "STRING": pl.Utf8, "DATE": pl.Date}

    def read(name):
        return pl.read_csv(path(args, name), schema={c: types[t] for c, t in SCHEMAS[name]})

    def scan(name):
        return pl.scan_csv(path(args, name), schema={c: types[t] for c, t in SCHEMAS[name]})

    q = args.query
    load_s = 0.0
    l0 = now()
    if q == "groupby" or q == "sort":
        t = read("groupby")
    elif q == "join":
        f, d = read("fact"), read("dim")
    load_s = now() - l0 if q in ("groupby", "sort", "join") else 0.0

    def once():
        if q == "groupby":
            return t.lazy().group_by("k").agg(pl.len().alias("n"), pl.col("v").sum().alias("sv"), pl.col("v").mean().alias("av")).collect()
        if q == "join":
            return f.lazy().join(d.lazy(), on="key", how="inner").group_by("name").agg(pl.len().alias("n"), pl.col("x").sum().alias("sx")).collect()
        if q == "sort":
            return t.lazy().sort(["v", "k"], descending=[True, False]).collect()
        if q == "pq_write":
            pl.scan_csv(f"{loans_text(args)}/part-*", separator="|", has_header=False,
                        schema={c: types[t] for c, t in PERF_LOANS}).sink_parquet(
                os.path.join(args.out, "pq-polars.parquet"), compression="snappy")
            return None
        if q == "pq_scan":
            return (pl.scan_parquet(loans_parquet(args)).filter(pl.col("interest_rate") >= 5.0).group_by("servicer")
                    .agg(pl.len().alias("n"), pl.col("current_actual_upb").sum().alias("upb"), pl.col("loan_age").max().alias("age"))
                    .collect())
        if q == "csv":
            big = read("big")  # eager: every column parsed
            return big.select(pl.len().alias("n"), pl.col("rate").sum(), pl.col("upb").sum())
        if q == "etl":
            acq, perf = scan("acq"), scan("perf")
            states = acq.select("state").unique().sort("state").collect()["state"].to_list()
            idx = pl.DataFrame({"state": states, "state_idx": list(range(len(states)))}, schema={"state": pl.Utf8, "state_idx": pl.Int32})
            worst = perf.group_by("loan_id").agg(
                pl.col("status").cast(pl.Int32).max().alias("worst_status"), pl.len().alias("n_periods"),
                pl.col("period").max().alias("last_period"), pl.col("upb").min().alias("min_upb"))
            out = (acq.join(worst, on="loan_id").join(idx.lazy(), on="state").select(
                "loan_id", pl.col("orig_date").dt.year().alias("orig_year"), "state_idx", "credit_score", "dti", "ltv",
                "orig_upb", "worst_status", "n_periods", "last_period", "min_upb",
                pl.when(pl.col("worst_status") >= 3).then(1).otherwise(0).alias("delinquent"))).collect()
            out.write_csv(os.path.join(args.out, "etl-polars.csv"))
            return out
        raise SystemExit(f"unknown query {q}")

    times = []
    for _ in range(args.reps):
        t1 = now()
        r = once()
        times.append(now() - t1)
    if q == "groupby":
        ck = {"rows": r.height, "sum_n": int(r["n"].sum()), "sum_sv": float(r["sv"].sum()),
              "sum_k_n": int((r["k"] * r["n"]).sum()), "sum_av": float(r["av"].sum())}
    elif q == "join":
        ck = {"rows": r.height, "sum_n": int(r["n"].sum()), "sum_sx": float(r["sx"].sum())}
    elif q == "sort":
        ck = sort_checksum(r["k"].head(SORT_PREFIX).to_list(), r["v"][0], r["v"][-1], r.height)
    elif q == "csv":
        ck = {"rows": int(r["n"][0]), "sum_rate": float(r["rate"][0]), "sum_upb": float(r["upb"][0])}
    elif q == "pq_write":
        p = os.path.join(args.out, "pq-polars.parquet")
        t = pl.read_parquet(p)
        ck = {"rows": t.height, "sum_upb": float(t["current_actual_upb"].sum()), "sum_age": int(t["loan_age"].sum()),
              "out_bytes": dir_bytes(p)}
    elif q == "pq_scan":
        ck = {"rows": r.height, "sum_n": int(r["n"].sum()), "sum_upb": float(r["upb"].sum()), "sum_age": int(r["age"].sum())}
    else:
        ck = {"rows": r.height, "sum_worst": int(r["worst_status"].sum()), "sum_state_idx": int(r["state_idx"].sum()),
              "sum_n_periods": int(r["n_periods"].sum()), "sum_delinquent": int(r["delinquent"].sum())}
    return startup, load_s, times, ck, {}


# ---------------------------------------------------------------- Spark

def run_spark(args):
    t0 = now()
    from pyspark.sql import SparkSession, functions as F, types as T
    spark = (SparkSession.builder.master(f"local[{THREADS}]").appName("ember-bench")
             .config("spark.driver.memory", os.environ.get("BENCH_SPARK_MEMORY", "12g"))
             .config("spark.sql.shuffle.partitions", os.environ.get("BENCH_SPARK_SHUFFLE", "8"))
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    startup = now() - t0
    types = {"BIGINT": T.LongType(), "INT": T.IntegerType(), "DOUBLE": T.DoubleType(), "STRING": T.StringType(), "DATE": T.DateType()}

    def read(name):
        schema = T.StructType([T.StructField(c, types[t]) for c, t in SCHEMAS[name]])
        return spark.read.option("header", True).schema(schema).csv(path(args, name))

    def cached(name):
        df = read(name).cache()
        df.count()
        return df

    def noop(df):
        df.write.format("noop").mode("overwrite").save()

    q = args.query
    l0 = now()
    if q in ("groupby", "sort"):
        t = cached("groupby")
    elif q == "join":
        f, d = cached("fact"), cached("dim")
    load_s = now() - l0 if q in ("groupby", "sort", "join") else 0.0

    def etl_df():
        acq, perf = read("acq"), read("perf")
        states = [r[0] for r in acq.select("state").distinct().orderBy("state").collect()]
        idx = spark.createDataFrame([(s, i) for i, s in enumerate(states)], "state STRING, state_idx INT")
        worst = perf.groupBy("loan_id").agg(
            F.max(F.col("status").cast("int")).alias("worst_status"), F.count(F.lit(1)).alias("n_periods"),
            F.max("period").alias("last_period"), F.min("upb").alias("min_upb"))
        return acq.join(worst, "loan_id").join(idx, "state").select(
            "loan_id", F.year("orig_date").alias("orig_year"), "state_idx", "credit_score", "dti", "ltv", "orig_upb",
            "worst_status", "n_periods", "last_period", "min_upb",
            F.when(F.col("worst_status") >= 3, 1).otherwise(0).alias("delinquent"))

    if q == "groupby":
        result = t.groupBy("k").agg(F.count(F.lit(1)).alias("n"), F.sum("v").alias("sv"), F.avg("v").alias("av"))
    elif q == "join":
        result = f.join(d, "key").groupBy("name").agg(F.count(F.lit(1)).alias("n"), F.sum("x").alias("sx"))
    elif q == "sort":
        result = t.orderBy(F.col("v").desc(), F.col("k").asc())

    def once():
        if q in ("groupby", "join", "sort"):
            noop(result)
            return None
        if q == "csv":
            big = read("big").cache()  # cache() forces every column to be parsed
            big.count()
            r = big.agg(F.count(F.lit(1)), F.sum("rate"), F.sum("upb")).collect()[0]
            big.unpersist(blocking=True)
            return r
        if q == "etl":
            etl_df().write.mode("overwrite").option("header", True).csv(os.path.join(args.out, "etl-spark"))
            return None
        if q == "pq_write":
            schema = T.StructType([T.StructField(c, types[t]) for c, t in PERF_LOANS])
            spark.read.option("delimiter", "|").schema(schema).csv(loans_text(args)).write.mode("overwrite") \
                .option("compression", "snappy").parquet(os.path.join(args.out, "pq-spark"))
            return None
        if q == "pq_scan":
            spark.read.parquet(loans_parquet(args)).createOrReplaceTempView("perf")
            return spark.sql(SCAN_SQL).collect()
        raise SystemExit(f"unknown query {q}")

    times = []
    res = None
    for _ in range(args.reps):
        t1 = now()
        res = once()
        times.append(now() - t1)

    if q == "groupby":
        r = result.agg(F.count(F.lit(1)), F.sum("n"), F.sum("sv"), F.sum(F.col("k") * F.col("n")), F.sum("av")).collect()[0]
        ck = {"rows": r[0], "sum_n": r[1], "sum_sv": r[2], "sum_k_n": r[3], "sum_av": r[4]}
    elif q == "join":
        r = result.agg(F.count(F.lit(1)), F.sum("n"), F.sum("sx")).collect()[0]
        ck = {"rows": r[0], "sum_n": r[1], "sum_sx": r[2]}
    elif q == "sort":
        rows = t.count()
        head = result.select("k", "v").limit(SORT_PREFIX).collect()
        vl = result.select("v").tail(1)[0][0] if rows <= 2_000_000 else t.agg(F.min("v")).collect()[0][0]
        ck = sort_checksum([x[0] for x in head], head[0][1], vl, rows)
    elif q == "csv":
        ck = {"rows": res[0], "sum_rate": res[1], "sum_upb": res[2]}
    elif q == "pq_write":
        p = os.path.join(args.out, "pq-spark")
        r = spark.read.parquet(p).agg(F.count(F.lit(1)), F.sum("current_actual_upb"), F.sum("loan_age")).collect()[0]
        ck = {"rows": r[0], "sum_upb": r[1], "sum_age": r[2], "out_bytes": dir_bytes(p)}
    elif q == "pq_scan":
        ck = {"rows": len(res), "sum_n": sum(x[1] for x in res), "sum_upb": sum(x[2] or 0 for x in res), "sum_age": sum(x[3] or 0 for x in res)}
    else:
        r = spark.read.option("header", True).option("inferSchema", True).csv(os.path.join(args.out, "etl-spark")).agg(
            F.count(F.lit(1)), F.sum("worst_status"), F.sum("state_idx"), F.sum("n_periods"), F.sum("delinquent")).collect()[0]
        ck = {"rows": r[0], "sum_worst": r[1], "sum_state_idx": r[2], "sum_n_periods": r[3], "sum_delinquent": r[4]}
    extra = {"jvm_peak_mb": jvm_peak_mb(spark), "jvm_cpu_seconds": jvm_cpu_seconds()}
    spark.stop()
    return startup, load_s, times, ck, extra


def jvm_peak_mb(spark):
    """VmHWM (peak RSS) of the driver JVM, read before it stops."""
    try:
        from pyspark import SparkContext
        pid = SparkContext._gateway.proc.pid
        # spark-submit may run the JVM as a child of a shell; take the largest VmHWM in the tree.
        pids = [pid] + child_pids(pid)
        best = 0
        for p in pids:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        best = max(best, int(line.split()[1]))
        return best / 1024
    except Exception as e:  # noqa: BLE001
        print(f"peers.py: cannot read the JVM's peak RSS: {e}", file=sys.stderr)
        return None


def jvm_cpu_seconds():
    """CPU seconds (user + system) of the driver JVM so far, for run.py's load check."""
    try:
        from pyspark import SparkContext
        pid = SparkContext._gateway.proc.pid
        total = 0.0
        for p in [pid] + child_pids(pid):
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total
    except Exception:  # noqa: BLE001
        return None


def child_pids(pid):
    out = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return out
    for k in kids:
        out.append(k)
        out.extend(child_pids(k))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["duckdb", "polars", "spark"])
    ap.add_argument("query", choices=["groupby", "join", "sort", "csv", "etl", "pq_write", "pq_scan"])
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "3")))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    fn = {"duckdb": run_duckdb, "polars": run_polars, "spark": run_spark}[args.engine]
    startup, load_s, times, ck, extra = fn(args)
    ck = {k: (float(v) if v is not None and not isinstance(v, int) else v) for k, v in ck.items()}
    rec = {"engine": args.engine, "query": args.query, "seconds": min(times), "rows": ck.get("rows"),
           "load_seconds": load_s, "startup_seconds": startup, "times": times, "cores": THREADS,
           "self_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "checksum": ck}
    rec.update(extra)
    print(json.dumps(rec, default=str))


if __name__ == "__main__":
    main()
