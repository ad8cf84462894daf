#!/usr/bin/env python3
"""Writes the Parquet golden files under Tests/EmberIOTests/golden/parquet/.

Each NAME.parquet (or NAME/ directory of part files) comes with NAME.expected: the first
line is the schema Ember must infer (Spark's DDL), then one canonical line per row, in
file order. The canonical form (shared with ParquetGoldenTests.swift):
  null | true/false | integers in decimal | f:<hex bits of the value as a double>
  d:<unscaled>e<scale> | s:<utf-8 hex> | b:<hex> | D:<days since epoch> | T:<micros since epoch UTC>
  [a,b] for arrays, {k:v,...} for maps, (a,b) for structs.
Files come from pyarrow 26 and from Apache Spark 4.1.1 (pip install pyspark==4.1.1 pyarrow).
Run: python3 scripts/make_parquet_golden.py
"""
import datetime as dt
import decimal
import os
import shutil
import struct
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "EmberIOTests", "golden", "parquet")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def canon(v, t):
    if v is None:
        return "null"
    if pa.types.is_boolean(t):
        return "true" if v else "false"
    if pa.types.is_uint64(t):
        return "d:%de0" % int(v)  # Spark reads UINT64 as DECIMAL(20,0)
    if pa.types.is_integer(t):
        return str(int(v))
    if pa.types.is_floating(t):
        return "f:%016x" % struct.unpack("<Q", struct.pack("<d", float(v)))[0]
    if pa.types.is_decimal(t):
        sign, digits, exp = v.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        # normalise to the type's scale
        unscaled *= 10 ** (t.scale + exp)
        return "d:%de%d" % (unscaled, t.scale)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "s:" + v.encode("utf-8").hex()
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_large_binary(t):
        return "b:" + bytes(v).hex()
    if pa.types.is_date(t):
        return "D:%d" % (v - dt.date(1970, 1, 1)).days
    if pa.types.is_timestamp(t):
        if isinstance(v, dt.datetime):
            if v.tzinfo is None:
                v = v.replace(tzinfo=dt.timezone.utc)
            d = v - EPOCH
            return "T:%d" % (d.days * 86400_000_000 + d.seconds * 1_000_000 + d.microseconds)
        # pandas Timestamp (ns): floor to micros
        return "T:%d" % (v.value // 1000)
    if pa.types.is_map(t):
        return "{" + ",".join(canon(k, t.key_type) + ":" + canon(x, t.item_type) for k, x in v) + "}"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return "[" + ",".join(canon(x, t.value_type) for x in v) + "]"
    if pa.types.is_struct(t):
        return "(" + ",".join(canon(v[t.field(i).name], t.field(i).type) for i in range(t.num_fields)) + ")"
    raise ValueError("no canonical form for %s" % t)


def rows_of(table):
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    types = [f.type for f in table.schema]
    out = []
    for r in range(table.num_rows):
        out.append(",".join(canon(cols[i][r], types[i]) for i in range(len(cols))))
    return out


def write_expected(name, ddl, table):
    with open(os.path.join(ROOT, name + ".expected"), "w") as f:
        f.write(ddl + "\n")
        for line in rows_of(table):
            f.write(line + "\n")


def ts(y, mo, d, h=0, mi=0, s=0, us=0):
    return dt.datetime(y, mo, d, h, mi, s, us, tzinfo=dt.timezone.utc)


def flat_table():
    n = 12
    strs = ["alpha", "beta", None, "", "gamma", "delta", "épsilon", "zeta", None, "theta", "iota", "kappa"]
    return pa.table({
        "b": pa.array([True, False, None, True, True, False, None, False, True, True, False, True], pa.bool_()),
        "i8": pa.array([1, -2, None, 127, -128, 0, 5, 6, 7, None, 9, 10], pa.int8()),
        "i16": pa.array([300, -300, None, 32767, -32768, 0, 1, 2, 3, 4, None, 6], pa.int16()),
        "i32": pa.array([1, 2, 3, None, 2147483647, -2147483648, 7, 7, 7, 7, 11, 12], pa.int32()),
        "i64": pa.array([10, None, -3, 9223372036854775807, -9223372036854775808, 0, 1, 1, 2, 3, 5, 8], pa.int64()),
        "f32": pa.array([1.5, -0.25, None, 3.4028234663852886e38, 1e-45, 0.0, -0.0, 2.5, 2.5, None, 7.125, 8.0], pa.float32()),
        "f64": pa.array([1.0, None, -2.5, 1e308, 5e-324, 0.1, 0.2, 0.30000000000000004, float("inf"), float("-inf"), 3.14159, None], pa.float64()),
        "s": pa.array(strs, pa.string()),
        "bin": pa.array([b"\x00\x01", None, b"", b"\xff", b"abc", b"abc", b"abc", None, b"z", b"zz", b"zzz", b"\x80"], pa.binary()),
        "d": pa.array([dt.date(2024, 1, 1), dt.date(1970, 1, 1), None, dt.date(1969, 12, 31), dt.date(2000, 2, 29),
                       dt.date(1, 1, 1), dt.date(9999, 12, 31), None, dt.date(2024, 1, 1), dt.date(2024, 1, 2),
                       dt.date(2024, 1, 3), dt.date(2024, 1, 4)], pa.date32()),
        "ts": pa.array([ts(2024, 1, 1, 12, 30, 45, 123456), None, ts(1970, 1, 1), ts(1969, 12, 31, 23, 59, 59, 999999),
                        ts(2000, 2, 29, 1, 2, 3), ts(2038, 1, 19, 3, 14, 8), None, ts(1900, 1, 1), ts(2024, 6, 1),
                        ts(2024, 6, 2), ts(2024, 6, 3), ts(2024, 6, 4)], pa.timestamp("us", tz="UTC")),
        "dec_small": pa.array([decimal.Decimal("1.23"), decimal.Decimal("-999.99"), None] + [decimal.Decimal("0.01")] * 9, pa.decimal128(5, 2)),
        "dec_mid": pa.array([decimal.Decimal("123456789012.345"), None, decimal.Decimal("-0.001")] + [decimal.Decimal("42.000")] * 9, pa.decimal128(15, 3)),
        "dec_big": pa.array([decimal.Decimal("12345678901234567890.1234567890"), decimal.Decimal("-1E-10"), None] + [decimal.Decimal("7")] * 9, pa.decimal128(38, 10)),
    })


FLAT_DDL = ("b BOOLEAN,i8 TINYINT,i16 SMALLINT,i32 INT,i64 BIGINT,f32 FLOAT,f64 DOUBLE,s STRING,bin BINARY,"
            "d DATE,ts TIMESTAMP,dec_small DECIMAL(5,2),dec_mid DECIMAL(15,3),dec_big DECIMAL(38,10)")


def nested_table():
    st = pa.struct([("x", pa.int32()), ("y", pa.string())])
    return pa.table({
        "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
        "st": pa.array([{"x": 1, "y": "a"}, None, {"x": None, "y": "c"}, {"x": 4, "y": None}, {"x": 5, "y": "e"}, None], st),
        "li": pa.array([[1, 2, 3], [], None, [None, 5], [6], [7, None, None]], pa.list_(pa.int32())),
        "ls": pa.array([[{"x": 1, "y": "p"}], None, [], [{"x": 2, "y": None}, None, {"x": 3, "y": "q"}], [None], [{"x": None, "y": None}]], pa.list_(st)),
        "m": pa.array([[("a", 1), ("b", 2)], None, [], [("c", None)], [("d", 4)], [("e", 5), ("f", 6), ("g", 7)]], pa.map_(pa.string(), pa.int32())),
        "ll": pa.array([[["a", "b"], []], [None, ["c"]], None, [], [[None]], [["d"], ["e", "f"]]], pa.list_(pa.list_(pa.string()))),
        "sn": pa.array([{"inner": {"v": 1.5}, "arr": [1]}, {"inner": None, "arr": None}, None, {"inner": {"v": None}, "arr": []},
                        {"inner": {"v": 2.5}, "arr": [2, 3]}, {"inner": {"v": 3.5}, "arr": [None]}],
                       pa.struct([("inner", pa.struct([("v", pa.float64())])), ("arr", pa.list_(pa.int64()))])),
    })


NESTED_DDL = ("id BIGINT,st STRUCT<x: INT, y: STRING>,li ARRAY<INT>,ls ARRAY<STRUCT<x: INT, y: STRING>>,"
              "m MAP<STRING, INT>,ll ARRAY<ARRAY<STRING>>,sn STRUCT<inner: STRUCT<v: DOUBLE>, arr: ARRAY<BIGINT>>")


def pyarrow_files():
    flat = flat_table()
    cases = [
        ("pa_plain_none_v1", dict(compression="NONE", use_dictionary=False, data_page_version="1.0")),
        ("pa_dict_snappy_v1", dict(compression="SNAPPY", use_dictionary=True, data_page_version="1.0")),
        ("pa_dict_gzip_v2", dict(compression="GZIP", use_dictionary=True, data_page_version="2.0")),
        ("pa_plain_zstd_v2", dict(compression="ZSTD", use_dictionary=False, data_page_version="2.0")),
        ("pa_dict_lz4raw_v1", dict(compression="LZ4", use_dictionary=True, data_page_version="1.0")),
        ("pa_plain_snappy_v2", dict(compression="SNAPPY", use_dictionary=False, data_page_version="2.0")),
    ]
    for name, opts in cases:
        pq.write_table(flat, os.path.join(ROOT, name + ".parquet"), **opts)
        write_expected(name, FLAT_DDL, flat)

    # Delta and byte-stream-split encodings (dictionary off so the encodings apply).
    n = 300
    t = pa.table({
        "i32": pa.array([(i * 7919) % 1000 - 500 if i % 13 else None for i in range(n)], pa.int32()),
        "i64": pa.array([i * 1_000_000_007 - 3 if i % 11 else None for i in range(n)], pa.int64()),
        "s_dlba": pa.array(["v%d" % (i * 37 % 101) if i % 7 else None for i in range(n)], pa.string()),
        "s_dba": pa.array(["prefix_common_%05d" % i if i % 5 else None for i in range(n)], pa.string()),
        "f32": pa.array([i / 8.0 if i % 3 else None for i in range(n)], pa.float32()),
        "f64": pa.array([i * 0.1 if i % 4 else None for i in range(n)], pa.float64()),
    })
    enc = {"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "s_dlba": "DELTA_LENGTH_BYTE_ARRAY",
           "s_dba": "DELTA_BYTE_ARRAY", "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT"}
    for name, ver in [("pa_delta_v1", "1.0"), ("pa_delta_v2", "2.0")]:
        pq.write_table(t, os.path.join(ROOT, name + ".parquet"), compression="NONE", use_dictionary=False,
                       column_encoding=enc, data_page_version=ver, data_page_size=512)
        write_expected(name, "i32 INT,i64 BIGINT,s_dlba STRING,s_dba STRING,f32 FLOAT,f64 DOUBLE", t)

    nested = nested_table()
    for name, opts in [("pa_nested_v1", dict(compression="NONE", data_page_version="1.0")),
                       ("pa_nested_v2_snappy", dict(compression="SNAPPY", data_page_version="2.0"))]:
        pq.write_table(nested, os.path.join(ROOT, name + ".parquet"), **opts)
        write_expected(name, NESTED_DDL, nested)

    # Timestamps: INT96, millis, nanos; unsigned integers.
    tsv = [ts(2024, 1, 1, 12, 30, 45, 123000), None, ts(1969, 12, 31, 23, 59, 59, 999000), ts(1970, 1, 1)]
    t = pa.table({
        "t": pa.array(tsv, pa.timestamp("us", tz="UTC")),
        "u8": pa.array([0, 255, None, 7], pa.uint8()),
        "u16": pa.array([0, 65535, None, 7], pa.uint16()),
        "u32": pa.array([0, 4294967295, None, 7], pa.uint32()),
        "u64": pa.array([0, 18446744073709551615, None, 7], pa.uint64()),
    })
    pq.write_table(t, os.path.join(ROOT, "pa_int96.parquet"), use_deprecated_int96_timestamps=True, compression="NONE")
    pq.write_table(t, os.path.join(ROOT, "pa_ts_millis.parquet"), coerce_timestamps="ms", compression="NONE")
    tn = t.set_column(0, "t", pa.array(tsv, pa.timestamp("ns", tz="UTC")))
    pq.write_table(tn, os.path.join(ROOT, "pa_ts_nanos.parquet"), version="2.6", compression="NONE")
    ddl = "t TIMESTAMP,u8 SMALLINT,u16 INT,u32 BIGINT,u64 DECIMAL(20,0)"
    for name in ["pa_int96", "pa_ts_millis", "pa_ts_nanos"]:
        write_expected(name, ddl, t)

    # Several row groups and many small pages, with statistics, for pruning tests.
    n = 1000
    t = pa.table({
        "k": pa.array(list(range(n)), pa.int64()),
        "g": pa.array(["g%d" % (i // 250) for i in range(n)], pa.string()),
        "v": pa.array([None if i % 10 == 0 else i * 0.5 for i in range(n)], pa.float64()),
    })
    pq.write_table(t, os.path.join(ROOT, "pa_rowgroups.parquet"), row_group_size=250, data_page_size=256,
                   compression="SNAPPY", write_statistics=True)
    write_expected("pa_rowgroups", "k BIGINT,g STRING,v DOUBLE", t)


def spark_files():
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T
    os.environ.setdefault("TZ", "UTC")
    spark = (SparkSession.builder.master("local[1]").appName("ember-golden")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false").getOrCreate())
    schema = T.StructType([
        T.StructField("b", T.BooleanType()), T.StructField("i8", T.ByteType()), T.StructField("i16", T.ShortType()),
        T.StructField("i32", T.IntegerType()), T.StructField("i64", T.LongType()), T.StructField("f32", T.FloatType()),
        T.StructField("f64", T.DoubleType()), T.StructField("s", T.StringType()), T.StructField("bin", T.BinaryType()),
        T.StructField("d", T.DateType()), T.StructField("ts", T.TimestampType()),
        T.StructField("dec_small", T.DecimalType(5, 2)), T.StructField("dec_mid", T.DecimalType(15, 3)),
        T.StructField("dec_big", T.DecimalType(38, 10)),
        T.StructField("arr", T.ArrayType(T.IntegerType())),
        T.StructField("st", T.StructType([T.StructField("x", T.IntegerType()), T.StructField("y", T.StringType())])),
        T.StructField("m", T.MapType(T.StringType(), T.DoubleType())),
    ])
    rows = [
        (True, 1, 300, 1, 10, 1.5, 1.0, "alpha", b"\x00\x01", dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12, 30, 45, 123456),
         decimal.Decimal("1.23"), decimal.Decimal("123456789012.345"), decimal.Decimal("12345678901234567890.1234567890"),
         [1, 2, None], (1, "a"), {"k": 1.5}),
        (None, None, None, None, None, None, None, None, None, None, None, None, None, None, None, None, None),
        (False, -128, -32768, -2147483648, -9223372036854775808, -0.25, -2.5, "", b"", dt.date(1969, 12, 31),
         dt.datetime(1969, 12, 31, 23, 59, 59, 999999), decimal.Decimal("-999.99"), decimal.Decimal("-0.001"),
         decimal.Decimal("-1E-10"), [], (None, None), {}),
        (True, 127, 32767, 2147483647, 9223372036854775807, 3.4028234663852886e38, 1e308, "épsilon", b"\xff",
         dt.date(2000, 2, 29), dt.datetime(2000, 2, 29, 1, 2, 3), decimal.Decimal("0.01"), decimal.Decimal("42.000"),
         decimal.Decimal("7"), [None], None, {"a": None, "b": 2.0}),
    ]
    df = spark.createDataFrame(rows, schema).coalesce(1)
    ddl = ("b BOOLEAN,i8 TINYINT,i16 SMALLINT,i32 INT,i64 BIGINT,f32 FLOAT,f64 DOUBLE,s STRING,bin BINARY,d DATE,"
           "ts TIMESTAMP,dec_small DECIMAL(5,2),dec_mid DECIMAL(15,3),dec_big DECIMAL(38,10),arr ARRAY<INT>,"
           "st STRUCT<x: INT, y: STRING>,m MAP<STRING, DOUBLE>")
    for codec in ["snappy", "gzip", "zstd", "lz4_raw", "none"]:
        name = "spark_%s" % codec
        out = os.path.join(ROOT, name)
        shutil.rmtree(out, ignore_errors=True)
        df.write.option("compression", codec).parquet(out)
        for f in os.listdir(out):
            if f.startswith(".") or f.endswith(".crc"):
                os.remove(os.path.join(out, f))
        write_expected(name, ddl, pq.read_table(out))
    # Hive-style partitions.
    people = spark.createDataFrame([(1, "ann", "CA"), (2, "bob", "NY"), (3, "cid", "CA"), (4, "dee", "TX")],
                                   "id INT, name STRING, state STRING")
    out = os.path.join(ROOT, "spark_partitioned")
    shutil.rmtree(out, ignore_errors=True)
    people.coalesce(1).write.partitionBy("state").parquet(out)
    for dirpath, _, files in os.walk(out):
        for f in files:
            if f.startswith(".") or f.endswith(".crc"):
                os.remove(os.path.join(dirpath, f))
    spark.stop()


if __name__ == "__main__":
    os.makedirs(ROOT, exist_ok=True)
    pyarrow_files()
    if "--no-spark" not in sys.argv:
        spark_files()
