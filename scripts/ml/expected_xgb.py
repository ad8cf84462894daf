"""Expected values for Tests/EmberMLTests/XGBoost*Tests.swift from xgboost 3.2.0 (Python),
tree_method hist, nthread 1. Data come from a SplitMix64 generator the Swift tests
reimplement bit for bit (integer arithmetic, then + - * only), so no data file is needed.

Run: python3 scripts/ml/expected_xgb.py  (writes Tests/EmberMLTests/expected/xgb.json)
"""
import json
import math
import os

import numpy as np
import xgboost as xgb

assert xgb.__version__ == "3.2.0", xgb.__version__
M64 = (1 << 64) - 1


class Gen:
    """SplitMix64; uniform() = top 53 bits / 2^53."""

    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) / 9007199254740992.0


def dataset(seed, n, d, missing_rate, kind, coarse=False):
    """Rows x (NaN missing), label y. Two draws per cell (value, missing)."""
    g = Gen(seed)
    X, y = [], []
    for _ in range(n):
        row = []
        for _ in range(d):
            u = g.uniform()
            m = g.uniform()
            v = math.floor(u * 10.0) / 2.0 if coarse else u * 4.0 - 2.0
            row.append(float("nan") if m < missing_rate else v)
        X.append(row)
        noise = g.uniform() - 0.5
        z = [0.0 if math.isnan(v) else v for v in row] + [0.0] * 5
        if kind == "binary" and coarse:
            y.append(1.0 if z[0] - z[1] + 2.0 * noise > 0.0 else 0.0)
        elif kind == "binary":
            s = z[0] + 0.5 * z[1] - z[2] * z[3] + noise
            y.append(1.0 if s > 0.2 else 0.0)
        elif kind == "multi":
            s = z[0] + z[1] + noise
            y.append(0.0 if s < -0.5 else (1.0 if s < 0.8 else 2.0))
        else:
            y.append(2.0 * z[0] - z[1] * z[1] + 0.5 * z[4] + noise)
    return np.array(X, dtype=np.float64), np.array(y, dtype=np.float64)


data = dataset


def train(params, X, y, rounds, evals=None, esr=None):
    p = {"tree_method": "hist", "nthread": 1, "seed": 0}
    p.update(params)
    d = xgb.DMatrix(X, label=y, missing=np.nan)
    ev = []
    if evals is not None:
        ev = [(xgb.DMatrix(evals[0], label=evals[1], missing=np.nan), "valid")]
    return xgb.train(p, d, rounds, evals=ev, early_stopping_rounds=esr, verbose_eval=False)


def f64(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


out = {}

# (1) tiny exact cases: 20 rows, 2 coarse features with NaN, depth 2, 2 rounds.
for name, kind, obj in [("tiny_binary", "binary", "binary:logistic"), ("tiny_reg", "reg", "reg:squarederror")]:
    X, y = data(11, 20, 2, 0.15, kind, coarse=True)
    params = {"objective": obj, "max_depth": 2, "eta": 0.3, "lambda": 1.0, "base_score": 0.5,
              "min_child_weight": 0.5 if kind == "binary" else 1.0}
    b = train(params, X, y, 2)
    out[name] = {
        "params": params, "rounds": 2,
        "dump": b.get_dump(dump_format="json", with_stats=True),
        "dump_plain": b.get_dump(dump_format="json"),
        "margins": f64(b.predict(xgb.DMatrix(X, missing=np.nan), output_margin=True)),
        "scores": {t: b.get_score(importance_type=t) for t in ["weight", "gain", "cover", "total_gain", "total_cover"]},
    }

# (2) missing values: 300 rows, 4 features, 30% NaN, depth 3, 10 rounds, auto base_score.
for name, kind, obj in [("missing_binary", "binary", "binary:logistic"), ("missing_reg", "reg", "reg:squarederror")]:
    X, y = data(21, 300, 4, 0.3, kind)
    Xt, _ = data(22, 50, 4, 0.4, kind)
    params = {"objective": obj, "max_depth": 3}
    b = train(params, X, y, 10)
    cfg = json.loads(b.save_config())
    out[name] = {
        "params": params, "rounds": 10,
        "base_score": cfg["learner"]["learner_model_param"]["base_score"],
        "dump": b.get_dump(dump_format="json", with_stats=True),
        "dump_plain": b.get_dump(dump_format="json"),
        "predictions": f64(b.predict(xgb.DMatrix(Xt, missing=np.nan))),
    }

# (3) shared generated data: 3000 train / 1000 test rows, 10 features, 50 rounds, depth 4.
from sklearn.metrics import roc_auc_score  # noqa: E402

Xb, yb = data(31, 3000, 10, 0.05, "binary")
Xbt, ybt = data(32, 1000, 10, 0.05, "binary")
bb = train({"objective": "binary:logistic", "max_depth": 4}, Xb, yb, 50)
pb = bb.predict(xgb.DMatrix(Xbt, missing=np.nan))
Xr, yr = data(33, 3000, 10, 0.05, "reg")
Xrt, yrt = data(34, 1000, 10, 0.05, "reg")
br = train({"objective": "reg:squarederror", "max_depth": 4}, Xr, yr, 50)
pr = br.predict(xgb.DMatrix(Xrt, missing=np.nan))
out["shared"] = {"auc": float(roc_auc_score(ybt, pb)), "rmse": float(np.sqrt(np.mean((pr - yrt) ** 2)))}

# (4) early stopping: noisy labels, deep trees, eta 1 overfit quickly.
Xe, ye = data(41, 400, 6, 0.0, "binary")
Xv, yv = data(42, 200, 6, 0.0, "binary")
be = train({"objective": "binary:logistic", "max_depth": 6, "eta": 1.0, "eval_metric": "logloss"}, Xe, ye, 60, evals=(Xv, yv), esr=5)
out["early"] = {"best_iteration": int(be.best_iteration), "num_trees": len(be.get_dump())}

# (5) multi:softprob: 300 rows, 3 features, 3 classes, depth 3, 5 rounds.
Xm, ym = data(51, 300, 3, 0.1, "multi")
Xmt, _ = data(52, 40, 3, 0.1, "multi")
bm = train({"objective": "multi:softprob", "num_class": 3, "max_depth": 3}, Xm, ym, 5)
out["multi"] = {"dump": bm.get_dump(dump_format="json", with_stats=True), "dump_plain": bm.get_dump(dump_format="json"),
                "probabilities": f64(bm.predict(xgb.DMatrix(Xmt, missing=np.nan)))}

# (6) lossguide with max_leaves on the missing-value regression data.
X, y = data(21, 300, 4, 0.3, "reg")
bl = train({"objective": "reg:squarederror", "grow_policy": "lossguide", "max_leaves": 5, "max_depth": 0}, X, y, 3)
out["lossguide"] = {"dump": bl.get_dump(dump_format="json", with_stats=True), "dump_plain": bl.get_dump(dump_format="json")}

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EmberMLTests", "expected", "xgb.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote", path, "early", out["early"], "shared", out["shared"])
