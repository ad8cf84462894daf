#!/usr/bin/env python3
"""Checks that pyarrow reads the Arrow IPC files Ember wrote, with equal values.

    python3 scripts/check_arrow_interop.py DIR

Run by Tests/EmberIOTests/ArrowIPCRoundTripTests.swift (testPyarrowReadsEmberFiles)
when pyarrow is importable. For every `*.arrow` (file format) and `*.arrows` (stream
format) file in DIR:

- pyarrow reads it and validates it fully;
- a file whose name starts with "alltypes" must equal the table `alltypes()` builds
  here (schema with types, field names and nullability, and every value) — the same
  rows the Swift test writes;
- pyarrow writes what it read to NAME.pyarrow.arrows, which the Swift test reads back
  and compares with the batches it wrote.

Exit status 0 when every file passed; the failures are printed otherwise.
"""
import datetime as dt
import decimal
import os
import sys

import pyarrow as pa
import pyarrow.ipc as ipc

UTC = dt.timezone.utc


def alltypes():
    schema = pa.schema([
        pa.field("b", pa.bool_()), pa.field("y", pa.int8()), pa.field("sh", pa.int16()),
        pa.field("i", pa.int32(), nullable=False), pa.field("l", pa.int64()), pa.field("f", pa.float32()),
        pa.field("d", pa.float64()), pa.field("dec", pa.decimal128(12, 3)), pa.field("s", pa.string()),
        pa.field("bin", pa.binary()), pa.field("dt", pa.date32()), pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("arr", pa.list_(pa.field("element", pa.int32()))),
        pa.field("m", pa.map_(pa.string(), pa.float64())),
        pa.field("st", pa.struct([pa.field("p", pa.string()), pa.field("q", pa.list_(pa.field("element", pa.int64())))])),
        pa.field("n", pa.null()),
    ])
    cols = [
        [True, None, False],
        [1, None, -128],
        [2, None, 32767],
        [3, -7, 2147483647],
        [4, None, -9223372036854775808],
        [1.5, None, -0.25],
        [2.5, None, -1e300],
        [decimal.Decimal("1.234"), None, decimal.Decimal("-999999999.999")],
        ["a", None, "héllo"],
        [b"\x01", None, b""],
        [dt.date(1970, 1, 1), None, dt.date(2024, 2, 29)],
        [dt.datetime(1970, 1, 1, tzinfo=UTC), None, dt.datetime(2024, 2, 29, 12, 34, 56, 789012, tzinfo=UTC)],
        [[1, None], None, []],
        [[("x", 1.0), ("y", None)], None, []],
        [{"p": "p", "q": [1, 2]}, None, {"p": None, "q": None}],
        [None, None, None],
    ]
    arrays = [pa.array(c, type=f.type) for c, f in zip(cols, schema)]
    return pa.Table.from_arrays(arrays, schema=schema)


def read(path):
    if path.endswith(".arrows"):
        with ipc.open_stream(path) as r:
            return r.read_all()
    with ipc.open_file(path) as r:
        return r.read_all()


def main(directory):
    failures = []
    names = sorted(n for n in os.listdir(directory)
                   if (n.endswith(".arrow") or n.endswith(".arrows")) and not n.endswith(".pyarrow.arrows"))
    if not names:
        failures.append("no Arrow files in %s" % directory)
    for name in names:
        path = os.path.join(directory, name)
        try:
            table = read(path)
            table.validate(full=True)
            if name.startswith("alltypes"):
                expected = alltypes()
                if not table.schema.equals(expected.schema):
                    failures.append("%s: schema\n%s\nexpected\n%s" % (name, table.schema, expected.schema))
                elif not table.equals(expected):
                    failures.append("%s: values\n%s\nexpected\n%s" % (name, table.to_pylist(), expected.to_pylist()))
            with pa.OSFile(path + ".pyarrow.arrows", "wb") as sink:
                with ipc.new_stream(sink, table.schema) as w:
                    w.write_table(table)
        except Exception as e:  # report every file, not just the first failure
            failures.append("%s: %s: %s" % (name, type(e).__name__, e))
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
