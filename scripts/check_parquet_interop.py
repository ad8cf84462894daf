#!/usr/bin/env python3
"""Reads Parquet files Ember wrote with pyarrow, DuckDB and (with --spark) Spark, and checks
each file's rows against NAME.expected next to it (the canonical form of
scripts/make_parquet_golden.py: first line the schema DDL, then one line per row).
With --spark, a NAME.sparkschema next to it is the schema JSON Spark must read (field
metadata and vector types included; every field nullable, as Spark reads files).

    python3 scripts/check_parquet_interop.py DIR [--spark]

Run by ParquetInteropTests when python3 can import pyarrow. Exit 0 when every reader agrees.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyarrow.parquet as pq  # noqa: E402

from make_parquet_golden import canon  # noqa: E402


def rows_of(table):
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    types = [f.type for f in table.schema]
    return [",".join(canon(cols[i][r], types[i]) for i in range(len(cols))) for r in range(table.num_rows)]


def as_nullable(t):
    """Spark's `DataType.asNullable` on schema JSON (what `spark.read.parquet` reports)."""
    if not isinstance(t, dict) or t.get("type") == "udt":
        return t
    out = dict(t)
    for k in ("nullable", "containsNull", "valueContainsNull"):
        if k in out:
            out[k] = True
    for k in ("type", "elementType", "keyType", "valueType"):
        if k in out:
            out[k] = as_nullable(out[k])
    if "fields" in out:
        out["fields"] = [as_nullable(f) for f in out["fields"]]
    return out


def main():
    d = sys.argv[1]
    failures = 0
    checked = 0
    for exp in sorted(glob.glob(os.path.join(d, "*.expected"))):
        name = exp[:-len(".expected")]
        want = open(exp).read().splitlines()[1:]
        files = sorted(glob.glob(os.path.join(name, "*.parquet"))) if os.path.isdir(name) else [name + ".parquet"]
        got = []
        for f in files:
            got += rows_of(pq.read_table(f))
        if sorted(got) != sorted(want):
            print(f"pyarrow: {name}: rows differ\n  got  {sorted(got)[:3]}\n  want {sorted(want)[:3]}")
            failures += 1
        try:
            import duckdb
            con = duckdb.connect()
            t = con.execute(f"SELECT * FROM read_parquet({files!r})").to_arrow_table()
            dgot = rows_of(t)
            if sorted(dgot) != sorted(want):
                print(f"duckdb: {name}: rows differ\n  got  {sorted(dgot)[:3]}\n  want {sorted(want)[:3]}")
                failures += 1
        except ImportError:
            pass
        checked += 1
    if "--spark" in sys.argv:
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false").getOrCreate())
        for exp in sorted(glob.glob(os.path.join(d, "*.expected"))):
            name = exp[:-len(".expected")]
            path = name if os.path.isdir(name) else name + ".parquet"
            n = spark.read.parquet(path).count()
            want = len(open(exp).read().splitlines()) - 1
            if n != want:
                print(f"spark: {name}: {n} rows, expected {want}")
                failures += 1
            if os.path.exists(name + ".sparkschema"):
                import json
                got_schema = spark.read.parquet(path).schema.jsonValue()
                if got_schema != as_nullable(json.load(open(name + ".sparkschema"))):
                    print(f"spark: {name}: schema differs\n  got  {json.dumps(got_schema)}")
                    failures += 1
        spark.stop()
    print(f"checked {checked} datasets, {failures} failures")
    sys.exit(1 if failures or checked == 0 else 0)


if __name__ == "__main__":
    main()
