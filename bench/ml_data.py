#!/usr/bin/env python3
"""Data of the ML benchmark (bench/ml.py), written once under bench/data/ml/:

- classification-{train,test}.parquet: x0..x29 (float64) and label (0/1): logistic model
  over correlated Gaussian features; 1,000,000 train and 200,000 test rows at scale 1.
- regression-{train,test}.parquet: x0..x29 and label = x·w + b + noise.
- text-{train,test}.parquet: id, label, text: `ember datagen text` (200,000 + 50,000 documents).
- mortgage-{train,test}.parquet: the mortgage demo's feature table (`ember datagen mortgage`,
  45,000 loans, about 1.3M loan-months; label delinquency_12), split by loan_id % 5.

Deterministic (numpy seed 7; Ember's corpus seed 42). Existing files are kept.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))


def table(x, y):
    cols = {f"x{j}": x[:, j] for j in range(x.shape[1])}
    cols["label"] = y
    return pa.table(cols)


def write_pair(out, name, x, y, n_train):
    pq.write_table(table(x[:n_train], y[:n_train]), os.path.join(out, f"{name}-train.parquet"), compression="snappy")
    pq.write_table(table(x[n_train:], y[n_train:]), os.path.join(out, f"{name}-test.parquet"), compression="snappy")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--ember", default=os.path.join(HERE, "out", "bin", "ember"))
    args = ap.parse_args()
    out = os.path.join(HERE, "data", "ml" if args.scale == 1 else f"ml-scale-{args.scale}")
    os.makedirs(out, exist_ok=True)
    n_train, n_test, d = int(1_000_000 * args.scale), int(200_000 * args.scale), 30
    rng = np.random.default_rng(7)
    if not os.path.exists(os.path.join(out, "classification-test.parquet")):
        print("ml_data: classification", file=sys.stderr)
        n = n_train + n_test
        mix = rng.normal(size=(d, d)) * 0.3 + np.eye(d)
        x = rng.normal(size=(n, d)) @ mix + rng.normal(size=d)
        w = rng.normal(size=d) * 0.4
        p = 1 / (1 + np.exp(-(x @ w - 0.3)))
        y = (rng.random(n) < p).astype(np.float64)
        write_pair(out, "classification", x, y, n_train)
    if not os.path.exists(os.path.join(out, "regression-test.parquet")):
        print("ml_data: regression", file=sys.stderr)
        n = n_train + n_test
        x = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d)
        w = rng.normal(size=d)
        y = x @ w + 2.0 + rng.normal(size=n) * 1.5
        write_pair(out, "regression", x, y, n_train)
    for part, docs, seed in (("train", int(200_000 * args.scale), 42), ("test", int(50_000 * args.scale), 43)):
        path = os.path.join(out, f"text-{part}.parquet")
        if not os.path.exists(path):
            print(f"ml_data: text {part}", file=sys.stderr)
            subprocess.run([args.ember, "datagen", "text", "--docs", str(docs), "--seed", str(seed), "--out", path], check=True,
                           stdout=subprocess.DEVNULL)
    mort = os.path.join(out, "mortgage-train.parquet")
    if not os.path.exists(mort):
        # The mortgage demo's feature table (one row per loan-month, label delinquency_12),
        # split by loan: loan_id % 5 == 0 is the test set.
        print("ml_data: mortgage features", file=sys.stderr)
        loans = max(1000, int(45_000 * args.scale))
        subprocess.run([args.ember, "datagen", "mortgage", "--loans", str(loans), "--out", os.path.join(out, "mortgage")], check=True,
                       stdout=subprocess.DEVNULL)
        t = pq.read_table(os.path.join(out, "mortgage", "features"))
        t = t.drop([c for c in ("period",) if c in t.column_names])
        cols = {c: t.column(c) for c in t.column_names}
        test = np.asarray(cols["loan_id"].to_numpy() % 5 == 0)
        pq.write_table(t.filter(pa.array(~test)), mort, compression="snappy")
        pq.write_table(t.filter(pa.array(test)), os.path.join(out, "mortgage-test.parquet"), compression="snappy")
    print(out)


if __name__ == "__main__":
    main()
