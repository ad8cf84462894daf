#!/usr/bin/env python3
"""Runs each query on Ember, DuckDB, Polars and Spark, one process after another, and
prints the comparison table (also written to bench/out/results.md; raw records to
bench/out/results.jsonl). Normally started by bench/run.sh, which builds and generates
the data first. Environment: BENCH_SCALE, BENCH_REPS, BENCH_THREADS, BENCH_ENGINES,
BENCH_EMBER_LOAD, BENCH_EMBER (binary), BENCH_TIMEOUT (seconds per process).
"""
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from gen_data import scale_dir  # noqa: E402

ALL_QUERIES = ["groupby", "join", "sort", "csv", "etl", "pq_write", "pq_scan"]
ENGINES = ["ember", "duckdb", "polars", "spark"]
NAMES = {"ember": "Ember", "duckdb": "DuckDB", "polars": "Polars", "spark": "Spark"}


def env(name, default):
    return os.environ.get(name, default)


def busy_seconds():
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            parts = f.readline().split()[1:]
        v = [int(x) for x in parts]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def run_one(engine, query, data, out, reps, threads, timeout):
    if engine == "ember":
        cmd = [env("BENCH_EMBER", os.path.join(HERE, "out", "bin", "ember")), "bench", query, "--data", data,
               "--cores", str(threads), "--reps", str(reps), "--load", env("BENCH_EMBER_LOAD", "cache"),
               "--out", os.path.join(out, "etl-ember") if query == "etl" else out]
    else:
        cmd = [sys.executable, os.path.join(HERE, "peers.py"), engine, query, "--data", data, "--out", out,
               "--reps", str(reps)]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%M %e", "-o", tf.name] + cmd
        e = dict(os.environ, BENCH_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
        b0, r0 = busy_seconds(), os.times()
        try:
            p = subprocess.run(full, capture_output=True, text=True, timeout=timeout, env=e)
        except subprocess.TimeoutExpired:
            return {"engine": engine, "query": query, "error": f"timeout after {timeout} s", "cmd": " ".join(cmd)}
        b1, r1 = busy_seconds(), os.times()
        tf.seek(0)
        tline = tf.read().strip().splitlines()
        own = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    rec = None
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                pass
    if p.returncode != 0 or rec is None:
        err = (p.stderr or "").strip().splitlines()[-15:]
        return {"engine": engine, "query": query, "error": f"exit {p.returncode}: " + " | ".join(err), "cmd": " ".join(cmd)}
    try:
        maxrss_kb, wall = tline[-1].split()
        rec["peak_mb"] = int(maxrss_kb) / 1024
        rec["wall_seconds"] = float(wall)
    except (IndexError, ValueError):
        rec["peak_mb"] = None
    if engine == "spark" and rec.get("jvm_peak_mb") is not None:
        # The driver JVM is not waited for by python, so time(1) misses it: add its VmHWM.
        rec["peak_mb"] = (rec.get("self_peak_mb") or 0) + rec["jvm_peak_mb"]
    if b0 is not None and b1 is not None:
        # CPU time other processes used while this engine ran (a concurrent build skews timings).
        own += rec.get("jvm_cpu_seconds") or 0
        rec["foreign_cpu_seconds"] = round(max(0.0, (b1 - b0) - own), 2)
        rec["process_wall_seconds"] = rec.get("wall_seconds")
    rec["cmd"] = " ".join(cmd)
    return rec


def same(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    a, b = float(a), float(b)
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))  # float sums differ by summation order


def check(results):
    """Mismatch messages: every engine's checksum against the first successful one."""
    ok = [r for r in results if "error" not in r]
    if len(ok) < 2:
        return []
    ref = ok[0]
    msgs = []
    for r in ok[1:]:
        for k in sorted((set(ref["checksum"]) | set(r["checksum"])) - {"out_bytes"}):
            if not same(ref["checksum"].get(k), r["checksum"].get(k)):
                msgs.append(f"{r['query']}: {r['engine']} {k}={r['checksum'].get(k)} but {ref['engine']} {k}={ref['checksum'].get(k)}")
    return msgs


def fmt(x, digits=2):
    return "–" if x is None else f"{x:.{digits}f}"


def table(rows_by_query):
    hdr = ("| query | Ember s | DuckDB s | Polars s | Spark s (+ JVM start) | Ember / best(DuckDB, Polars) | Spark / Ember "
           "| peak MB Ember | DuckDB | Polars | Spark | result check | other CPU s |")
    lines = [hdr, "|" + "---|" * 13]
    for q, res in rows_by_query.items():
        by = {r["engine"]: r for r in res}

        def sec(e):
            r = by.get(e)
            return None if r is None or "error" in r else r["seconds"]

        def cell(e):
            r = by.get(e)
            if r is None:
                return "–"
            if "error" in r:
                return "FAILED"
            s = fmt(r["seconds"], 3)
            if e == "spark":
                s += f" (+{r['startup_seconds']:.1f})"
            return s

        def peak(e):
            r = by.get(e)
            return "–" if r is None or "error" in r or r.get("peak_mb") is None else f"{r['peak_mb']:.0f}"

        em = sec("ember")
        peers = [x for x in (sec("duckdb"), sec("polars")) if x is not None]
        ratio = fmt(em / min(peers)) + "×" if em and peers else "–"
        sp = sec("spark")
        spr = fmt(sp / em, 1) + "×" if em and sp else "–"
        mism = check(res)
        ck = "ok" if not mism and len([r for r in res if "error" not in r]) > 1 else ("MISMATCH" if mism else "–")
        other = "/".join("–" if by.get(e) is None or by[e].get("foreign_cpu_seconds") is None else f"{by[e]['foreign_cpu_seconds']:.0f}"
                         for e in ENGINES)
        lines.append(f"| {q} | {cell('ember')} | {cell('duckdb')} | {cell('polars')} | {cell('spark')} | {ratio} | {spr} "
                     f"| {peak('ember')} | {peak('duckdb')} | {peak('polars')} | {peak('spark')} | {ck} | {other} |")
    return "\n".join(lines)


def load_table(rows_by_query):
    lines = ["| query | " + " | ".join(f"{NAMES[e]} load s" for e in ENGINES) + " | result rows |", "|" + "---|" * (len(ENGINES) + 2)]
    for q, res in rows_by_query.items():
        by = {r["engine"]: r for r in res}
        cells = [fmt(by[e].get("load_seconds"), 2) if e in by and "error" not in by[e] else "–" for e in ENGINES]
        rows = next((r.get("rows") for r in res if "error" not in r), None)
        lines.append(f"| {q} | " + " | ".join(cells) + f" | {rows} |")
    return "\n".join(lines)


def main():
    queries = sys.argv[1:] or ALL_QUERIES
    for q in queries:
        if q not in ALL_QUERIES:
            raise SystemExit(f"unknown query {q}; choose from {ALL_QUERIES}")
    scale = float(env("BENCH_SCALE", "1"))
    data = scale_dir(scale)
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)
    reps = int(env("BENCH_REPS", "3"))
    threads = int(env("BENCH_THREADS", "2"))
    timeout = int(env("BENCH_TIMEOUT", "3600"))
    engines = env("BENCH_ENGINES", ",".join(ENGINES)).split(",")
    rows_by_query = {}
    mismatches = []
    with open(os.path.join(out, "results.jsonl"), "a") as raw:
        for q in queries:
            res = []
            for e in engines:
                print(f"bench: {q} on {e} …", file=sys.stderr, flush=True)
                r = run_one(e, q, data, out, reps, threads, timeout)
                r["scale"] = scale
                r["at"] = datetime.datetime.now().isoformat(timespec="seconds")
                raw.write(json.dumps(r) + "\n")
                raw.flush()
                if "error" in r:
                    print(f"bench: {q} on {e} FAILED: {r['error']}", file=sys.stderr, flush=True)
                else:
                    print(f"bench: {q} on {e}: {r['seconds']:.3f} s (load {r.get('load_seconds', 0):.2f} s, "
                          f"peak {r.get('peak_mb') or 0:.0f} MB) {json.dumps(r['checksum'])}", file=sys.stderr, flush=True)
                res.append(r)
            rows_by_query[q] = res
            m = check(res)
            for line in m:
                print(f"bench: !!! RESULT MISMATCH !!! {line}", file=sys.stderr, flush=True)
            mismatches += m
    info_path = os.path.join(HERE, "out", "bin", "ember.info")
    ember_info = open(info_path).read().strip() if os.path.exists(info_path) and "BENCH_EMBER" not in os.environ else "unknown build"
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    md = [f"# Ember benchmark ({datetime.datetime.now().isoformat(timespec='seconds')})", "",
          f"scale {scale:g} (data in `{os.path.relpath(data, ROOT)}`), best of {reps}, {threads} threads per engine, "
          f"Ember load mode `{env('BENCH_EMBER_LOAD', 'cache')}`, Ember binary {ember_info} (checkout now at {commit}{' + uncommitted changes' if dirty else ''}), "
          f"{platform.machine()} {os.cpu_count()} cores.", "",
          "Seconds are the best query time after the input is in memory (csv and etl: end to end from the file). "
          "Spark's JVM start is in parentheses and not counted in ratios. Peak MB is the process's max RSS "
          "(Spark: python + driver JVM VmHWM). `other CPU s` (Ember/DuckDB/Polars/Spark): CPU seconds used by "
          "*other* processes on the machine while each engine ran — well above 0 means a concurrent job skewed that run.", "",
          table(rows_by_query), "", "Load (CSV → memory, not in the query time):", "", load_table(rows_by_query), ""]
    if "pq_write" in rows_by_query:
        by = {r["engine"]: r for r in rows_by_query["pq_write"] if "error" not in r}
        sizes = {e: by[e]["checksum"].get("out_bytes") for e in by}
        spark = sizes.get("spark")
        md += ["Parquet written by pq_write (snappy), MB" + (" and size / Spark's" if spark else "") + ":", "",
               "| " + " | ".join(NAMES[e] for e in sizes) + " |", "|" + "---|" * len(sizes),
               "| " + " | ".join(f"{v / 1e6:.1f}" + (f" ({v / spark:.2f}×)" if spark else "") for v in sizes.values()) + " |", ""]
    if mismatches:
        md += ["**RESULT MISMATCHES:**", ""] + [f"- {m}" for m in mismatches] + [""]
    errors = [r for res in rows_by_query.values() for r in res if "error" in r]
    if errors:
        md += ["Failures:", ""] + [f"- {r['query']} on {r['engine']}: {r['error']}" for r in errors] + [""]
    text = "\n".join(md)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(text)
    print(text)
    if mismatches:
        print("\n!!! RESULT MISMATCH — see above !!!", file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
