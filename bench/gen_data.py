#!/usr/bin/env python3
"""Deterministic benchmark data for Ember and its peers.

    python3 bench/gen_data.py [--scale S] [--out DIR]

Writes CSV files with a header row (numpy, fixed seeds, pyarrow's C++ CSV writer).
Files that already exist are kept, so re-running is cheap; delete a file to rebuild it.
`--scale` (or BENCH_SCALE) multiplies every row count; the default directory is
bench/data for scale 1 and bench/data/scale-S otherwise.

  groupby.csv  id BIGINT, k BIGINT (~100k distinct), v DOUBLE, s STRING (100 values)
               10M rows; also the input of the `sort` query
  fact.csv     key BIGINT in [0, 1M), x DOUBLE                              10M rows
  dim.csv      key BIGINT unique in [0, 1M), name STRING (10k distinct)      1M rows
  big.csv      mortgage-style performance file, 12 columns, ~1 GB          10M rows
  acq.csv      loan_id, orig_date, state, credit_score, dti, ltv, orig_upb  1M loans
  perf.csv     loan_id, period, status ('0'..'5'), upb                      ~10M rows
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

HERE = os.path.dirname(os.path.abspath(__file__))

# Explicit schemas shared with bench/peers.py and `ember bench` (Spark DDL types).
SCHEMAS = {
    "groupby": [("id", "BIGINT"), ("k", "BIGINT"), ("v", "DOUBLE"), ("s", "STRING")],
    "fact": [("key", "BIGINT"), ("x", "DOUBLE")],
    "dim": [("key", "BIGINT"), ("name", "STRING")],
    "big": [("loan_id", "BIGINT"), ("period", "DATE"), ("servicer", "STRING"), ("rate", "DOUBLE"),
            ("upb", "DOUBLE"), ("age", "INT"), ("months", "INT"), ("maturity", "DATE"), ("msa", "INT"),
            ("delinquency", "STRING"), ("modified", "STRING"), ("zero_balance", "STRING")],
    "acq": [("loan_id", "BIGINT"), ("orig_date", "DATE"), ("state", "STRING"), ("credit_score", "INT"),
            ("dti", "DOUBLE"), ("ltv", "DOUBLE"), ("orig_upb", "DOUBLE")],
    "perf": [("loan_id", "BIGINT"), ("period", "DATE"), ("status", "STRING"), ("upb", "DOUBLE")],
}

# The performance table of `ember datagen loans` (LoanSchemas.performanceCSV), read as text.
PERF_LOANS_DDL = (
    "loan_id BIGINT, monthly_reporting_period STRING, servicer STRING, interest_rate DOUBLE, "
    "current_actual_upb DOUBLE, loan_age INT, remaining_months_to_legal_maturity INT, "
    "adj_remaining_months_to_maturity INT, maturity_date STRING, msa INT, current_loan_delinquency_status STRING, "
    "mod_flag STRING, zero_balance_code STRING, zero_balance_effective_date STRING, last_paid_installment_date STRING, "
    "foreclosed_after STRING, disposition_date STRING, foreclosure_costs DOUBLE, "
    "prop_preservation_and_repair_costs DOUBLE, asset_recovery_costs DOUBLE, misc_holding_expenses DOUBLE, "
    "holding_taxes DOUBLE, net_sale_proceeds DOUBLE, credit_enhancement_proceeds DOUBLE, "
    "repurchase_make_whole_proceeds DOUBLE, other_foreclosure_proceeds DOUBLE, non_interest_bearing_upb DOUBLE, "
    "principal_forgiveness_upb DOUBLE, repurchase_make_whole_proceeds_flag STRING, "
    "foreclosure_principal_write_off_amount DOUBLE, servicing_activity_indicator STRING")
PERF_LOANS = [tuple(c.strip().split(" ")) for c in PERF_LOANS_DDL.split(",")]

# Loans for the Parquet queries: about 5.2M performance rows at scale 1.
LOANS = 180_000


def gen_loans(ember, out, nloans):
    """`ember datagen loans` (text) plus a shared Parquet copy of the performance table
    written by pyarrow (the input every engine scans in `pq_scan`)."""
    import subprocess
    import pyarrow.parquet as pq
    d = os.path.join(out, "loans")
    if not os.path.exists(os.path.join(d, "performance", "_SUCCESS")):
        t0 = time.time()
        subprocess.run([ember, "datagen", "loans", "--loans", str(nloans), "--seed", "42", "--out", d], check=True)
        print(f"gen_data: {d} in {time.time() - t0:.1f} s", file=sys.stderr)
    pqpath = os.path.join(d, "performance.parquet")
    if not os.path.exists(pqpath):
        types = {"BIGINT": pa.int64(), "INT": pa.int32(), "DOUBLE": pa.float64(), "STRING": pa.string()}
        schema = pa.schema([(c, types[t]) for c, t in PERF_LOANS])
        files = sorted(os.path.join(d, "performance", f) for f in os.listdir(os.path.join(d, "performance")) if f.startswith("part-"))
        writer = pq.ParquetWriter(pqpath + ".tmp", schema, compression="snappy")
        for f in files:
            t = pacsv.read_csv(f, read_options=pacsv.ReadOptions(column_names=[c for c, _ in PERF_LOANS]),
                               parse_options=pacsv.ParseOptions(delimiter="|"),
                               convert_options=pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True))
            writer.write_table(t)
        writer.close()
        os.rename(pqpath + ".tmp", pqpath)


STATES = ["AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN",
          "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ",
          "NM", "NV", "NY", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT",
          "WA", "WI", "WV", "WY"]
SERVICERS = ["WELLS FARGO BANK, N.A.", "JPMORGAN CHASE BANK, NA", "QUICKEN LOANS INC.", "OTHER",
             "BANK OF AMERICA, N.A.", "PENNYMAC CORP.", "NATIONSTAR MORTGAGE, LLC", "U.S. BANK N.A.",
             "CITIMORTGAGE, INC.", "SUNTRUST MORTGAGE INC.", "FLAGSTAR BANK, FSB", "MATRIX FINANCIAL SERVICES"]


def scale_dir(scale):
    return os.path.join(HERE, "data") if scale == 1 else os.path.join(HERE, "data", f"scale-{scale:g}")


def strings(values, codes):
    """A string array from category codes (dictionary decoded in C++)."""
    d = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(values, pa.string()))
    return d.cast(pa.string())


def dates(days):
    return pa.array(days.astype(np.int32), pa.date32())


def write(path, columns, names):
    t = pa.table(columns, names=names)
    tmp = path + ".tmp"
    pacsv.write_csv(t, tmp, write_options=pacsv.WriteOptions(include_header=True, batch_size=1 << 16,
                                                               quoting_style="needed"))
    os.replace(tmp, path)


def gen_groupby(n, path):
    rng = np.random.default_rng(1)
    ids = np.arange(n, dtype=np.int64)
    k = rng.integers(0, max(1, n // 100), n, dtype=np.int64)
    v = np.round(rng.random(n) * 1000.0, 2)
    s = rng.integers(0, 100, n)
    write(path, [ids, k, v, strings([f"cat_{i:03d}" for i in range(100)], s)], ["id", "k", "v", "s"])


def gen_fact(n, nkeys, path):
    rng = np.random.default_rng(2)
    key = rng.integers(0, nkeys, n, dtype=np.int64)
    x = np.round(rng.random(n) * 100.0, 2)
    write(path, [key, x], ["key", "x"])


def gen_dim(nkeys, path):
    rng = np.random.default_rng(3)
    key = rng.permutation(nkeys).astype(np.int64)
    nn = max(1, nkeys // 100)
    name = rng.integers(0, nn, nkeys)
    write(path, [key, strings([f"name_{i:05d}" for i in range(nn)], name)], ["key", "name"])


def gen_big(n, path):
    rng = np.random.default_rng(4)
    loans = max(1, n // 40)
    loan_id = 100000000000 + np.sort(rng.integers(0, loans, n)).astype(np.int64)
    base = np.datetime64("2000-01-01", "D").astype(np.int64)
    period = base + rng.integers(0, 20 * 12, n) * 30 + 1
    servicer = rng.integers(0, len(SERVICERS), n)
    rate = np.round(2.5 + rng.random(n) * 5.0, 3)
    upb = np.round(rng.random(n) * 800000.0, 2)
    age = rng.integers(0, 360, n).astype(np.int32)
    months = (360 - age).astype(np.int32)
    maturity = period + months.astype(np.int64) * 30
    msa = rng.integers(10000, 50000, n).astype(np.int32)
    dq = rng.choice(7, n, p=[0.9, 0.04, 0.02, 0.015, 0.01, 0.01, 0.005])
    modified = rng.integers(0, 2, n)
    zb = rng.choice(4, n, p=[0.97, 0.01, 0.01, 0.01])
    write(path, [loan_id, dates(period), strings(SERVICERS, servicer), rate, upb, age, months, dates(maturity), msa,
                 strings([str(i) for i in range(7)], dq), strings(["N", "Y"], modified),
                 strings(["", "01", "06", "09"], zb)],
          [c for c, _ in SCHEMAS["big"]])


def gen_acq(nloans, path):
    rng = np.random.default_rng(5)
    loan_id = np.arange(nloans, dtype=np.int64) + 1000000
    base = np.datetime64("2000-01-01", "D").astype(np.int64)
    orig = base + rng.integers(0, 15 * 365, nloans)
    state = rng.integers(0, len(STATES), nloans)
    cs = rng.integers(550, 851, nloans).astype(np.int32)
    dti = np.round(rng.random(nloans) * 50.0, 1)
    ltv = np.round(30.0 + rng.random(nloans) * 70.0, 1)
    upb = np.round(50000.0 + rng.random(nloans) * 750000.0, 2)
    write(path, [loan_id, dates(orig), strings(STATES, state), cs, dti, ltv, upb],
          [c for c, _ in SCHEMAS["acq"]])


def gen_perf(nloans, path):
    rng = np.random.default_rng(6)
    # Every loan has 1..19 monthly records (mean ~10); a few loan ids do not exist in acq.
    per = rng.integers(1, 20, nloans)
    loan_id = np.repeat(np.arange(nloans, dtype=np.int64) + 1000000, per)
    n = len(loan_id)
    loan_id[rng.random(n) < 0.001] += 10 ** 9
    starts = np.cumsum(per) - per
    month = np.arange(n) - np.repeat(starts, per)
    base = np.datetime64("2005-01-01", "D").astype(np.int64)
    period = base + month * 30 + rng.integers(0, 3000, nloans).repeat(per)
    status = rng.choice(6, n, p=[0.85, 0.07, 0.03, 0.02, 0.02, 0.01])
    upb = np.round(rng.random(n) * 700000.0, 2)
    write(path, [loan_id, dates(period), strings([str(i) for i in range(6)], status), upb],
          [c for c, _ in SCHEMAS["perf"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    ap.add_argument("--out", default=None)
    ap.add_argument("--ember", default=None, help="ember binary for `ember datagen loans` (the Parquet queries' data)")
    ap.add_argument("files", nargs="*", help="subset of: groupby fact dim big acq perf loans")
    a = ap.parse_args()
    s = a.scale
    out = a.out or scale_dir(s)
    os.makedirs(out, exist_ok=True)
    nkeys = max(10, int(1_000_000 * s))
    nloans = max(10, int(1_000_000 * s))
    jobs = {
        "groupby": lambda p: gen_groupby(int(10_000_000 * s), p),
        "fact": lambda p: gen_fact(int(10_000_000 * s), nkeys, p),
        "dim": lambda p: gen_dim(nkeys, p),
        "big": lambda p: gen_big(int(10_000_000 * s), p),
        "acq": lambda p: gen_acq(nloans, p),
        "perf": lambda p: gen_perf(nloans, p),
    }
    if a.ember and (not a.files or "loans" in a.files):
        gen_loans(a.ember, out, max(100, int(LOANS * s)))
    for name in (a.files or list(jobs)):
        if name == "loans":
            continue
        path = os.path.join(out, name + ".csv")
        if os.path.exists(path):
            continue
        t0 = time.time()
        jobs[name](path)
        print(f"gen_data: {path} {os.path.getsize(path) / 1e6:.0f} MB in {time.time() - t0:.1f} s", file=sys.stderr)
    with open(os.path.join(out, "schemas.json"), "w") as f:
        json.dump(SCHEMAS, f, indent=1)
    print(out)


if __name__ == "__main__":
    main()
