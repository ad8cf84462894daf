#!/usr/bin/env python3
"""Writes the Arrow IPC golden files read by Tests/EmberIOTests/ArrowIPCTests.swift.

Run from the repository root (pyarrow 26 wrote the committed files):

    python3 scripts/make_arrow_golden.py

The Swift tests assert the exact values written here; change both together.
"""
import datetime as dt
import decimal
import os

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "EmberIOTests", "golden", "arrow")
UTC = dt.timezone.utc


def write_stream(name, schema, batches, **options):
    with pa.OSFile(os.path.join(OUT, name), "wb") as sink:
        with ipc.new_stream(sink, schema, options=ipc.IpcWriteOptions(**options)) as w:
            for b in batches:
                w.write_batch(b)


def primitives():
    schema = pa.schema([
        pa.field("b", pa.bool_()),
        pa.field("i8", pa.int8()),
        pa.field("i16", pa.int16()),
        pa.field("i32", pa.int32(), nullable=False),
        pa.field("i64", pa.int64()),
        pa.field("f32", pa.float32()),
        pa.field("f64", pa.float64()),
        pa.field("dec", pa.decimal128(10, 2)),
        pa.field("s", pa.string()),
        pa.field("bin", pa.binary()),
        pa.field("d", pa.date32()),
        pa.field("ts", pa.timestamp("us", tz="UTC")),
    ])
    cols = [
        [True, False, None, True, False, True, True, False, True],
        [-128, 127, None, 0, 1, -1, 2, 3, 4],
        [-32768, 32767, None, 0, 1, -1, 2, 3, 4],
        [-2147483648, 2147483647, 0, 1, -1, 2, 3, 4, 5],
        [-9223372036854775808, 9223372036854775807, None, 0, 1, -1, 2, 3, 4],
        [1.5, -2.25, None, 0.0, 3.0e38, -1.0e-3, 7.0, 8.0, 9.0],
        [1.5, float("-inf"), None, -0.0, 1e300, 2.5e-308, float("inf"), 0.1, 42.0],
        [decimal.Decimal("12345678.91"), decimal.Decimal("-0.05"), None, decimal.Decimal("0.00"),
         decimal.Decimal("99999999.99"), decimal.Decimal("-99999999.99"), decimal.Decimal("1.00"),
         decimal.Decimal("2.50"), decimal.Decimal("3.75")],
        ["hello", "", None, "héllo wörld ✓", "a", "bb", "ccc", "dddd", "a much longer string value"],
        [b"\x00\x01\xff", b"", None, b"abc", b"\x80", b"x", b"yy", b"zzz", b"0123456789"],
        [dt.date(1970, 1, 1), dt.date(1969, 12, 31), None, dt.date(2024, 2, 29), dt.date(1, 1, 1),
         dt.date(9999, 12, 31), dt.date(2000, 1, 1), dt.date(2001, 1, 1), dt.date(2002, 1, 1)],
        [dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), None,
         dt.datetime(2024, 2, 29, 12, 34, 56, 789012, tzinfo=UTC), dt.datetime(2000, 1, 1, tzinfo=UTC),
         dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=UTC), dt.datetime(2000, 1, 1, 0, 1, tzinfo=UTC),
         dt.datetime(2000, 1, 1, 1, tzinfo=UTC), dt.datetime(2000, 1, 2, tzinfo=UTC)],
    ]
    batch = pa.record_batch([pa.array(c, type=f.type) for c, f in zip(cols, schema)], schema=schema)
    write_stream("primitives.arrows", schema, [batch])


def nested():
    item = pa.struct([pa.field("a", pa.int32()), pa.field("b", pa.string())])
    schema = pa.schema([
        pa.field("ls", pa.list_(item)),
        pa.field("m", pa.map_(pa.string(), pa.int64())),
        pa.field("st", pa.struct([pa.field("x", pa.float64()), pa.field("y", pa.list_(pa.int32()))])),
    ])
    ls = [[{"a": 1, "b": "x"}, None, {"a": None, "b": "z"}], None, [], [{"a": 4, "b": None}]]
    m = [[("k1", 1), ("k2", None)], None, [], [("k3", 3)]]
    st = [{"x": 1.0, "y": [1, None, 3]}, None, {"x": None, "y": None}, {"x": 4.5, "y": []}]
    batch = pa.record_batch([pa.array(ls, type=schema[0].type), pa.array(m, type=schema[1].type),
                             pa.array(st, type=schema[2].type)], schema=schema)
    write_stream("nested.arrows", schema, [batch])


def dictionaries():
    """Three batches: `color` grows its dictionary (deltas), `tag` replaces it."""
    color_t = pa.dictionary(pa.int8(), pa.string())
    tag_t = pa.dictionary(pa.int32(), pa.string())
    schema = pa.schema([pa.field("color", color_t), pa.field("tag", tag_t), pa.field("n", pa.int32())])

    def batch(color_dict, color_idx, tag_dict, tag_idx, n):
        return pa.record_batch([
            pa.DictionaryArray.from_arrays(pa.array(color_idx, pa.int8()), pa.array(color_dict)),
            pa.DictionaryArray.from_arrays(pa.array(tag_idx, pa.int32()), pa.array(tag_dict)),
            pa.array(n, pa.int32()),
        ], schema=schema)

    batches = [
        batch(["red", "green"], [0, 1, None, 0], ["x", "y"], [1, 0, 1, None], [1, 2, 3, 4]),
        batch(["red", "green", "blue"], [2, 2, 1], ["x", "y"], [0, 0, 1], [5, 6, 7]),
        batch(["red", "green", "blue", "violet"], [3, None], ["z"], [0, 0], [8, 9]),
    ]
    write_stream("dictionary.arrows", schema, batches, emit_dictionary_deltas=True)


def file_format():
    schema = pa.schema([pa.field("id", pa.int64()), pa.field("name", pa.dictionary(pa.int16(), pa.string())),
                        pa.field("score", pa.float64())])
    names = pa.array(["ann", "bob", "cy"])
    b1 = pa.record_batch([pa.array([1, 2, 3]), pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int16()), names),
                          pa.array([0.5, None, 2.5])], schema=schema)
    b2 = pa.record_batch([pa.array([4, None]), pa.DictionaryArray.from_arrays(pa.array([2, None], pa.int16()), names),
                          pa.array([4.0, 5.0])], schema=schema)
    with pa.OSFile(os.path.join(OUT, "file.arrow"), "wb") as sink:
        with ipc.new_file(sink, schema) as w:
            w.write_batch(b1)
            w.write_batch(b2)
    table = pa.table({"k": pa.array([1, 2, 3], pa.int32()), "v": pa.array(["a", None, "c"])})
    feather.write_feather(table, os.path.join(OUT, "table.feather"), compression="uncompressed")


def empties():
    schema = pa.schema([pa.field("s", pa.string()), pa.field("l", pa.list_(pa.int64()))])
    write_stream("empty.arrows", schema, [])
    empty = pa.record_batch([pa.array([], pa.string()), pa.array([], pa.list_(pa.int64()))], schema=schema)
    one = pa.record_batch([pa.array(["q"]), pa.array([[7]], pa.list_(pa.int64()))], schema=schema)
    write_stream("empty_batch.arrows", schema, [empty, one, empty])


def other_types():
    """Types Ember reads by conversion: large/view strings, unsigned ints, units, …"""
    ny = "America/New_York"
    cols = {
        "ls": pa.array(["large", None, ""], pa.large_string()),
        "lb": pa.array([b"\x01\x02", b"", None], pa.large_binary()),
        "ll": pa.array([[1, 2], None, []], pa.large_list(pa.int64())),
        "sv": pa.array(["short", "a string longer than twelve bytes", None], pa.string_view()),
        "bv": pa.array([None, b"tiny", b"binary view longer than twelve"], pa.binary_view()),
        "u8": pa.array([0, 255, None], pa.uint8()),
        "u16": pa.array([0, 65535, None], pa.uint16()),
        "u32": pa.array([0, 4294967295, None], pa.uint32()),
        "u64": pa.array([0, 18446744073709551615, None], pa.uint64()),
        "f16": pa.array([1.5, -0.0009765625, None], pa.float16()),
        "fsb": pa.array([b"abc", None, b"xyz"], pa.binary(3)),
        "nul": pa.array([None, None, None], pa.null()),
        "d64": pa.array([0, -86400000, None], pa.date64()),
        "ts_s": pa.array([0, -1, None], pa.timestamp("s")),
        "ts_ms": pa.array([1, -1, None], pa.timestamp("ms", tz=ny)),
        "ts_ns": pa.array([1999, -1, None], pa.timestamp("ns")),
        "dec256": pa.array([decimal.Decimal("-1234567890.123"), None, decimal.Decimal("0.001")], pa.decimal256(20, 3)),
        "dec32": pa.array([decimal.Decimal("-123.45"), None, decimal.Decimal("0.01")], pa.decimal32(7, 2)),
        "dec64": pa.array([decimal.Decimal("123456789.123"), None, decimal.Decimal("-0.001")], pa.decimal64(15, 3)),
        "fsl": pa.array([[1, 2], None, [5, None]], pa.list_(pa.int32(), 2)),
        "du16": pa.DictionaryArray.from_arrays(pa.array([1, None, 0], pa.uint16()), pa.array([10, 20], pa.int64())),
        "dls": pa.DictionaryArray.from_arrays(pa.array([1, None, 0], pa.int8()),
                                              pa.array([["a", "b"], ["c", None]], pa.list_(pa.string()))),
    }
    batch = pa.record_batch(list(cols.values()), names=list(cols.keys()))
    write_stream("other_types.arrows", batch.schema, [batch])


def unsupported():
    for name, arr in [("time32.arrows", pa.array([1], pa.time32("ms"))),
                      ("interval.arrows", pa.array([pa.MonthDayNano([1, 2, 3])], pa.month_day_nano_interval())),
                      ("duration.arrows", pa.array([1], pa.duration("s")))]:
        batch = pa.record_batch([pa.array([1], pa.int32()), arr], names=["ok", "bad"])
        write_stream(name, batch.schema, [batch])


def legacy_and_compressed():
    batch = pa.record_batch([pa.array([1, None, 3], pa.int64()), pa.array(["a", "b", None])], names=["x", "y"])
    write_stream("legacy.arrows", batch.schema, [batch], use_legacy_format=True)
    big = pa.record_batch([pa.array(list(range(1000)), pa.int64()), pa.array(["v%d" % (i % 7) for i in range(1000)])],
                          names=["x", "y"])
    write_stream("lz4.arrows", big.schema, [big, batch], compression="lz4")
    write_stream("zstd.arrows", big.schema, [big, batch], compression="zstd")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    primitives()
    nested()
    dictionaries()
    file_format()
    empties()
    other_types()
    unsupported()
    legacy_and_compressed()
