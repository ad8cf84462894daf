#!/usr/bin/env python3
"""Fill in / verify the expected results of Ember's SQL conformance tests using
real Apache Spark as the oracle.

Usage:
    python3 scripts/spark_expected.py [--check] [files...]

With no files, every Tests/EmberTests/sql/*.test file is processed.

For each file a fresh Spark session is used (spark.newSession(), temporary and
persistent views dropped between files); every record is run in order and the
file is rewritten:
  * `query` records get their type codes (from the result schema) and their
    expected rows (from collect(), printed by the rules below) replaced;
  * `statement error` / `query error` records get their error class (Spark's
    error condition, e.getCondition()) replaced;
  * if a record expected to fail succeeds in Spark, or one expected to succeed
    fails, a `# SPARK DISAGREES: ...` comment is put right before it (and the
    record itself is left alone); such comments are regenerated on every run.
Comments, blank lines and SQL text are kept verbatim.

--check: do not write anything; exit 1 if any file would change or if Spark
disagrees with any record.

Value printing rules (the Swift runner implements the same):
  NULL -> NULL; booleans true/false; integers in decimal;
  float/double -> C printf %.12g, -0 -> 0, NaN -> NaN, +-inf -> Infinity/-Infinity;
  decimals -> plain string keeping the scale (Python format(d, 'f'));
  strings as-is, empty string -> (empty), and newline, tab and '|' escaped as
  \\n, \\t, \\|; dates yyyy-MM-dd; timestamps yyyy-MM-dd HH:mm:ss plus .ffffff
  with trailing zeros trimmed when the fraction is non-zero (UTC);
  arrays [1, 2, NULL]; maps {k -> v, k2 -> v2} (Spark's entry order);
  structs {1, a}; binary X'0AFF' (upper-case hex). Values nested inside
  arrays/maps/structs are printed by the same rules, recursively.
Type codes: I integer types, R float/double, T string, B boolean, D decimal,
A date/timestamp, X anything else.
`__DATA__` in SQL text is replaced by the absolute path of
Tests/EmberTests/sql/data.
"""

import argparse
import datetime
import decimal
import glob
import math
import os
import shutil
import sys
import tempfile
import time

os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SQL_DIR = os.path.join(REPO, "Tests", "EmberTests", "sql")
DATA_DIR = os.path.join(SQL_DIR, "data")

DISAGREE_PREFIX = "# SPARK DISAGREES:"


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------

class Record:
    def __init__(self, lineno, kind, header_tokens):
        self.lineno = lineno          # 1-based line of the header
        self.kind = kind              # 'statement' or 'query'
        self.expect_error = False
        self.error_class = None       # expected error class (may be None)
        self.expect_ok = False        # statement ok
        self.codes = ""
        self.rowsort = False
        self.sql_lines = []
        self.rows = []                # expected row lines (query only)
        self.has_separator = False
        self.extra_tokens = []
        self.disagree = []            # '# SPARK DISAGREES' comment lines
        self._parse_header(header_tokens)

    def _parse_header(self, toks):
        if self.kind == "statement":
            if not toks:
                raise ValueError("statement without ok/error")
            if toks[0] == "ok":
                self.expect_ok = True
                self.extra_tokens = toks[1:]
            elif toks[0] == "error":
                self.expect_error = True
                self.error_class = toks[1] if len(toks) > 1 else None
                self.extra_tokens = toks[2:]
            else:
                raise ValueError("bad statement header: %r" % toks)
        else:
            if toks and toks[0] == "error":
                self.expect_error = True
                self.error_class = toks[1] if len(toks) > 1 else None
                self.extra_tokens = toks[2:]
                return
            for t in toks:
                if t == "rowsort":
                    self.rowsort = True
                elif all(c in "IRTBDAX" for c in t) and not self.codes:
                    self.codes = t
                else:
                    self.extra_tokens.append(t)

    def header(self):
        if self.kind == "statement":
            if self.expect_ok:
                toks = ["statement", "ok"]
            else:
                toks = ["statement", "error"] + ([self.error_class] if self.error_class else [])
        else:
            if self.expect_error:
                toks = ["query", "error"] + ([self.error_class] if self.error_class else [])
            else:
                toks = ["query"] + ([self.codes] if self.codes else [])
                if self.rowsort:
                    toks.append("rowsort")
        return " ".join(toks + self.extra_tokens)

    def render(self):
        out = list(self.disagree)
        out.append(self.header())
        out.extend(self.sql_lines)
        if self.kind == "query" and not self.expect_error:
            out.append("----")
            out.extend(self.rows)
        return out

    def sql(self):
        return "\n".join(self.sql_lines).replace("__DATA__", DATA_DIR)


def parse(text):
    """Return a list of items: ('raw', line) or ('rec', Record)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    items = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        toks = stripped.split()
        if toks and toks[0] in ("statement", "query") and not line.startswith((" ", "\t")):
            rec = Record(i + 1, toks[0], toks[1:])
            # attach preceding SPARK DISAGREES comments to the record
            while items and items[-1][0] == "raw" and items[-1][1].startswith(DISAGREE_PREFIX):
                rec.disagree.insert(0, items.pop()[1])
            i += 1
            while i < n and lines[i].strip() != "" and lines[i] != "----":
                rec.sql_lines.append(lines[i])
                i += 1
            if i < n and lines[i] == "----":
                rec.has_separator = True
                i += 1
                while i < n and lines[i].strip() != "":
                    rec.rows.append(lines[i])
                    i += 1
            items.append(("rec", rec))
        else:
            items.append(("raw", line))
            i += 1
    return items


def render(items):
    out = []
    for kind, x in items:
        if kind == "raw":
            out.append(x)
        else:
            out.extend(x.render())
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Value formatting
# --------------------------------------------------------------------------

def fmt_float(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    s = "%.12g" % x
    if s == "-0":
        s = "0"
    return s


def fmt_str(s):
    if s == "":
        return "(empty)"
    return s.replace("\n", "\\n").replace("\t", "\\t").replace("|", "\\|")


def fmt_ts(dt):
    if dt.tzinfo is not None:
        dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    s = dt.strftime("%Y-%m-%d %H:%M:%S")
    if dt.year < 1000:
        s = "%04d" % dt.year + s[s.index("-"):]
    if dt.microsecond:
        s += ("." + "%06d" % dt.microsecond).rstrip("0")
    return s


def fmt_value(v, dtype=None):
    from pyspark.sql import types as T
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return fmt_float(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, str):
        return fmt_str(v)
    if isinstance(v, datetime.datetime):
        return fmt_ts(v)
    if isinstance(v, datetime.date):
        return "%04d-%02d-%02d" % (v.year, v.month, v.day)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "X'" + bytes(v).hex().upper() + "'"
    if isinstance(dtype, T.MapType) and isinstance(v, list):
        # map_entries form: list of (key, value) structs, Spark's order
        return "{" + ", ".join(
            fmt_value(e[0], dtype.keyType) + " -> " + fmt_value(e[1], dtype.valueType)
            for e in v) + "}"
    if isinstance(v, dict):
        kt = dtype.keyType if isinstance(dtype, T.MapType) else None
        vt = dtype.valueType if isinstance(dtype, T.MapType) else None
        return "{" + ", ".join(fmt_value(k, kt) + " -> " + fmt_value(x, vt)
                               for k, x in v.items()) + "}"
    if isinstance(v, tuple):  # Row (struct)
        fts = None
        if isinstance(dtype, T.StructType):
            fts = [f.dataType for f in dtype.fields]
        return "{" + ", ".join(fmt_value(x, fts[i] if fts else None)
                               for i, x in enumerate(v)) + "}"
    if isinstance(v, list):
        et = dtype.elementType if isinstance(dtype, T.ArrayType) else None
        return "[" + ", ".join(fmt_value(x, et) for x in v) + "]"
    if isinstance(v, datetime.timedelta):
        raise ValueError("interval values are not printable in this format: %r" % (v,))
    return str(v)


def type_code(dt):
    from pyspark.sql import types as T
    if isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return "I"
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        return "R"
    if isinstance(dt, (T.StringType, T.CharType, T.VarcharType)):
        return "T"
    if isinstance(dt, T.BooleanType):
        return "B"
    if isinstance(dt, T.DecimalType):
        return "D"
    if isinstance(dt, (T.DateType, T.TimestampType, T.TimestampNTZType)):
        return "A"
    return "X"


def has_nested_map(dt):
    from pyspark.sql import types as T
    if isinstance(dt, T.MapType):
        return True
    if isinstance(dt, T.ArrayType):
        return has_nested_map(dt.elementType)
    if isinstance(dt, T.StructType):
        return any(has_nested_map(f.dataType) for f in dt.fields)
    return False


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

def error_condition(e):
    """Spark error condition of an exception raised by pyspark."""
    from pyspark.errors import PySparkException
    cond = None
    if isinstance(e, PySparkException):
        try:
            cond = e.getCondition()
        except Exception:
            cond = None
    if cond is None:
        je = getattr(e, "java_exception", None)
        if je is not None:
            try:
                cond = je.getCondition()
            except Exception:
                try:
                    cond = "JAVA:" + je.getClass().getName()
                except Exception:
                    cond = None
    if cond is None:
        cond = "PYTHON:" + type(e).__name__
    return cond


def short_msg(e):
    s = str(e).strip().split("\n")[0]
    return s[:300]


def run_sql(spark, sql):
    """Run sql; return ('ok', df, rows) or ('error', cond, msg)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    try:
        df = spark.sql(sql)
        schema = df.schema
        # Python's collect() turns maps into dicts built from java.util.HashMap,
        # losing Spark's entry order; fetch top-level maps as map_entries.
        if any(isinstance(f.dataType, T.MapType) for f in schema.fields):
            cols = [F.map_entries(F.col("`%s`" % f.name.replace("`", "``"))).alias(f.name)
                    if isinstance(f.dataType, T.MapType) else
                    F.col("`%s`" % f.name.replace("`", "``"))
                    for f in schema.fields]
            names = [f.name for f in schema.fields]
            if len(set(names)) == len(names):
                rows = df.select(*cols).collect()
            else:
                rows = df.collect()
        else:
            rows = df.collect()
        return ("ok", schema, rows)
    except Exception as e:  # noqa: BLE001
        return ("error", error_condition(e), short_msg(e))


def process_file(spark_root, path, check, log):
    from pyspark.sql import types as T
    with open(path, encoding="utf-8") as f:
        text = f.read()
    items = parse(text)
    spark = spark_root.newSession()
    nrec = 0
    ndis = 0
    for kind, rec in items:
        if kind != "rec":
            continue
        nrec += 1
        where = "%s:%d" % (os.path.relpath(path, REPO), rec.lineno)
        res = run_sql(spark, rec.sql())
        rec.disagree = []
        if res[0] == "error":
            cond, msg = res[1], res[2]
            if rec.expect_error:
                if rec.error_class != cond:
                    log("%s: error class %s -> %s (%s)" % (where, rec.error_class, cond, msg))
                rec.error_class = cond
            else:
                ndis += 1
                rec.disagree = ["%s expected success but Spark failed with %s" % (DISAGREE_PREFIX, cond)]
                log("!!! %s: SPARK DISAGREES: expected success, got %s: %s" % (where, cond, msg))
            continue
        schema, rows = res[1], res[2]
        if rec.expect_error:
            ndis += 1
            rec.disagree = ["%s expected error %s but Spark succeeded" % (DISAGREE_PREFIX, rec.error_class)]
            log("!!! %s: SPARK DISAGREES: expected error %s, but it succeeded" % (where, rec.error_class))
            continue
        if rec.kind == "statement":
            continue
        fields = schema.fields
        for f in fields:
            if has_nested_map(f.dataType) and not isinstance(f.dataType, T.MapType):
                log("warning %s: column %s has a nested map; entry order may not be Spark's"
                    % (where, f.name))
        codes = "".join(type_code(f.dataType) for f in fields)
        try:
            lines = [" | ".join(fmt_value(v, fields[i].dataType) for i, v in enumerate(r))
                     for r in rows]
        except ValueError as e:
            ndis += 1
            rec.disagree = ["%s result not printable: %s" % (DISAGREE_PREFIX, e)]
            log("!!! %s: %s" % (where, e))
            continue
        if rec.rowsort:
            lines.sort()
        if codes != rec.codes:
            if rec.codes:
                log("%s: type codes %s -> %s" % (where, rec.codes, codes))
            rec.codes = codes
        if lines != rec.rows and rec.rows:
            log("%s: expected rows changed" % where)
        rec.rows = lines
    # clean up the session's views
    for t in spark.catalog.listTables():
        try:
            if t.isTemporary:
                spark.catalog.dropTempView(t.name)
            elif t.tableType == "VIEW":
                spark.sql("DROP VIEW IF EXISTS `%s`" % t.name)
            else:
                spark.sql("DROP TABLE IF EXISTS `%s`" % t.name)
        except Exception:  # noqa: BLE001
            pass
    new_text = render(items)
    changed = new_text != text
    if changed and not check:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new_text)
    return nrec, ndis, changed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="exit non-zero if any file would change (nothing is written)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(SQL_DIR, "*.test")))
    if not files:
        print("no .test files found", file=sys.stderr)
        return 2

    from pyspark.sql import SparkSession
    warehouse = tempfile.mkdtemp(prefix="ember-spark-warehouse-")
    spark = (SparkSession.builder
             .master("local[2]")
             .appName("ember-spark-expected")
             .config("spark.sql.ansi.enabled", "true")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.warehouse.dir", warehouse)
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("FATAL")
    # pyspark logs every captured SQL error with its full JVM stack trace
    try:
        from pyspark.logger import PySparkLogger
        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            PySparkLogger.getLogger(name).disabled = True
    except Exception:  # noqa: BLE001
        pass

    def log(msg):
        print(msg, flush=True)

    total = 0
    total_dis = 0
    changed_files = []
    for path in files:
        path = os.path.abspath(path)
        nrec, ndis, changed = process_file(spark, path, args.check, log)
        total += nrec
        total_dis += ndis
        if changed:
            changed_files.append(path)
        print("%-40s %4d records%s%s" % (
            os.path.relpath(path, REPO), nrec,
            ", %d SPARK DISAGREES" % ndis if ndis else "",
            (", would change" if args.check else ", rewritten") if changed else ""),
            flush=True)
    print("total: %d records in %d files, %d disagreements, %d files %s"
          % (total, len(files), total_dis, len(changed_files),
             "would change" if args.check else "rewritten"))
    spark.stop()
    shutil.rmtree(warehouse, ignore_errors=True)
    if args.check and (changed_files or total_dis):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
