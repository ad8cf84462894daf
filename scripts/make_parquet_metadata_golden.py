#!/usr/bin/env python3
"""Golden files for Spark's schema JSON in Parquet footers (ParquetMetadataTests.swift).

Writes under Tests/EmberIOTests/golden/parquet/:
  spark_metadata/part-*.parquet  a file Spark 4.1.1 wrote: columns with field metadata
                                 (ml_attr objects, a key of every JSON kind) and a vector column
  spark_metadata.footer.json     its `org.apache.spark.sql.parquet.row.metadata` footer value,
                                 exactly as Spark wrote it (no newline): the text Ember must write
                                 for the same schema
  pa_bad_spark_schema.parquet    a pyarrow file whose value for that key is not JSON
Run: python3 scripts/make_parquet_metadata_golden.py   (pip install pyspark==4.1.1 pyarrow)
"""
import datetime as dt
import decimal
import glob
import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql import SparkSession
from pyspark.sql.types import (ArrayType, BinaryType, BooleanType, ByteType, DateType, DecimalType, DoubleType,
                               FloatType, IntegerType, LongType, MapType, ShortType, StringType, StructField,
                               StructType, TimestampType)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "EmberIOTests", "golden", "parquet")
KEY = "org.apache.spark.sql.parquet.row.metadata"

LABEL_MD = {"ml_attr": {"type": "nominal", "name": "label", "vals": ["a", "b", "c"]}}
FEATURES_MD = {"ml_attr": {"attrs": {"numeric": [{"idx": 0, "name": "f_0"}],
                                     "nominal": [{"idx": 1, "name": "f_1", "num_vals": 3}]}, "num_attrs": 2}}
INFO_MD = {"comment": "note \"q\"\n\u00e9", "a": 1, "b": 2.5, "c": True, "d": None, "e": [1, 2], "f": ["x"],
           "g": 1e10, "h": {"z": 1, "y": 2}}
SCHEMA = StructType([
    StructField("label", DoubleType(), False, LABEL_MD),
    StructField("features", VectorUDT(), True, FEATURES_MD),
    StructField("info", StringType(), True, INFO_MD),
    StructField("s", StructType([StructField("x", IntegerType(), True, {"inner": "yes"}),
                                 StructField("y", DecimalType(10, 2))])),
    StructField("tags", ArrayType(StringType())),
    StructField("m", MapType(StringType(), LongType(), False)),
    StructField("d", DateType()), StructField("ts", TimestampType()), StructField("bin", BinaryType()),
    StructField("i8", ByteType()), StructField("i16", ShortType()), StructField("f", FloatType()),
    StructField("flag", BooleanType()),
])
ROWS = [
    (1.0, Vectors.dense([1.0, 2.0]), "x", (1, decimal.Decimal("3.25")), ["a", None], {"k": 7},
     dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), b"\x01\x02", 1, 2, 0.5, True),
    (0.0, Vectors.sparse(3, [1], [4.0]), None, None, None, None, None, None, None, None, None, None, None),
]


def main():
    spark = (SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false").getOrCreate())
    out = os.path.join(ROOT, "spark_metadata")
    shutil.rmtree(out, ignore_errors=True)
    spark.createDataFrame(ROWS, SCHEMA).coalesce(1).write.parquet(out)
    for f in glob.glob(os.path.join(out, ".*.crc")):
        os.remove(f)
    part = glob.glob(os.path.join(out, "*.parquet"))[0]
    footer = pq.read_metadata(part).metadata[KEY.encode()]
    with open(os.path.join(ROOT, "spark_metadata.footer.json"), "wb") as fh:
        fh.write(footer)
    spark.stop()
    table = pa.table({"a": pa.array([1, 2], pa.int32())})
    table = table.replace_schema_metadata({KEY: '{"type":"struct","fields":[{"name":"a","type":'})
    pq.write_table(table, os.path.join(ROOT, "pa_bad_spark_schema.parquet"))


if __name__ == "__main__":
    main()
