#!/usr/bin/env python3
"""Write the JSON / text data source golden files from real Apache Spark.

Usage:
    python3 scripts/make_json_golden.py

Writes small input files to Tests/EmberIOTests/golden/json/inputs/ and, for every
case below, what Apache Spark 4.1.1 (pyspark==4.1.1, local[1], session time zone UTC
unless the case says otherwise) does with them, to Tests/EmberIOTests/golden/json/
cases.json. JSONGoldenTests (Tests/EmberIOTests) reads the same inputs with Ember and
asserts the same result.

Reader cases record Spark's schema (`df.schema.simpleString()`) and rows, each row
written canonically (the Swift test formats its values by the same rules):
  NULL -> null; booleans true/false; integers in decimal; float/double -> Python
  repr (nan, inf, -inf, -0.0); decimals -> plain text with their scale; strings ->
  json.dumps(s, ensure_ascii=False); binary -> x:<lower-case hex>; dates ->
  d:yyyy-mm-dd; timestamps -> t:<microseconds since the epoch>; arrays [a,b];
  structs {a,b}; maps {k->v,...}; a row (a,b).
A case that fails in Spark records the error conditions of the exception chain.

Writer cases run a SQL query (the Swift test runs the same query in Ember), write it
with the case's options from one partition, and record the exact text of the part
file, or the error condition.
"""

import datetime
import decimal
import glob
import json
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
GOLDEN = os.path.join(REPO, "Tests", "EmberIOTests", "golden", "json")
INPUTS = os.path.join(GOLDEN, "inputs")

# --------------------------------------------------------------------------
# Input files (name -> bytes)
# --------------------------------------------------------------------------

DEEP_OK = '{"b":1,"a":' + "[" * 999 + "]" * 999 + "}"
DEEP_BAD = '{"b":2,"z":' + "[" * 1000 + "]" * 1000 + "}"

FILES = {
    "basic.json": '{"id":1,"name":"alice","score":88.5,"active":true,"tags":null}\n'
                  '{"id":2,"name":"bob","score":72,"active":false}\r\n'
                  '\n'
                  '   \n'
                  '{"name":"carol","id":3,"extra":"x","score":-0.5e1}\n'
                  '{"id":4,"name":null,"score":1E2}',
    "nested.json": '{"user":{"name":"a","age":30,"addr":{"zip":"123","city":"x"}},"items":[{"sku":"p1","qty":2},{"qty":1,"sku":"p2"}],"m":{"k1":1,"k2":2},"grid":[[1,2],[3]],"e":[],"o":{}}\n'
                   '{"user":{"age":null,"name":"b"},"items":[],"m":{},"grid":[[],null,[4]],"e":[null]}\n'
                   '{"items":[null,{"sku":"p3"}],"user":null,"m":{"z":null}}\n',
    "conflicts.json": '{"a":1,"b":1,"c":[1],"d":{"x":1},"e":1,"f":"2020-01-01","g":1,"h":[1,"a"],"i":[{"p":1},{"q":2}],"j":12345678901234567890}\n'
                      '{"a":2.5,"b":"s","c":[2.5],"d":{"y":"z"},"e":true,"f":"2020-01-01T10:00:00","g":{"k":1},"i":[{"p":"x"}],"j":1}\n'
                      '{"e":null,"j":1.5,"k":123456789012345678901234567890123456789012}\n',
    "corrupt.json": '{"a":1,"b":"x"}\n{"a":2.5,"c":[1,2]}\n\n{"a":"s"}\n  \nnot json\n1\n"str"\nnull\n'
                    '[{"a":5},{"b":true}]\n[]\n{"a":1} trailing\n{"a":1}{"a":2}\n{"d":{"z":1,"y":null}}\n',
    "partial.json": '{"a":[1,"x",3],"b":5}\n{"s":{"a":[1,"x"],"c":2},"d":3}\n{"s":{"a":"q","c":4},"d":"bad"}\n'
                    '{"m":{"k1":1,"k2":"z"},"d":6}\n{"arr":[{"i":1},{"i":"bad"}],"d":7}\n{"a":[1,2,x], "b":1}\n{"b":9, "a": tru}\n'
                    '{"m":{"k1":1,"k2":null},"arr":[{"i":2,"j":1}],"b":10}\n',
    "numbers.json": '{"v":007}\n{"v":-0}\n{"v":NaN}\n{"v":Infinity}\n{"v":-Infinity}\n{"v":+Infinity}\n{"v":-INF}\n'
                    '{"v":+INF}\n{"v":INF}\n{"v":+1}\n{"v":.5}\n{"v":1.}\n{"v":1e5}\n{"v":1E+2}\n{"v":200}\n{"v":-129}\n'
                    '{"v":40000}\n{"v":3000000000}\n{"v":99999999999999999999}\n{"v":"NaN"}\n{"v":"12"}\n{"v":""}\n'
                    '{"v":"1,234.5"}\n{"v":1.25}\n{"v":true}\n{"v":0.1}\n{"v":-9223372036854775808}\n{"v":9223372036854775808}\n'
                    '{"v":123456789.123456789}\n{"v":5e-324}\n{"v":1.7976931348623157e308}\n{"v":"-Infinity"}\n{"v":"+INF"}\n{"v":"Inf"}\n',
    "syntax.json": "{/*c*/\"a\":1} // tail\n{a:2}\n{'a':3}\n{\"a\":'it\\'s'}\n{\"a\":\"t\tab\"}\n{\"a\":\"\\q\"}\n"
                   "{\"a\":\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"}\n{\"$x-y\":1, a@b:2}\n{\"a\":\"\\'\"}\n# hash\n",
    "utf8.json": b'{"a":"ok\xc3\xa9"}\n{"a":"bad\xff"}\n{"a":"trunc\xc3"}\n{"a":"over\xc0\x80"}\n{"a":"sur\xed\xa0\x80"}\n'
                 b'{"\xff":1}\n{"a":"pair\xed\xa0\xbd\xed\xb8\x80"}\n{"a":"four\xf0\x9f\x98\x80"}\n',
    "deep.json": DEEP_OK + "\n" + DEEP_BAD + "\n{\"b\":3,\"a\":[[\"s\"]]}\n",
    "dup.json": '{"a":1,"a":2}\n{"a":3}\n',
    "dupnested.json": '{"s":{"x":1,"x":2}}\n',
    "casemerge.json": '{"A":1}\n{"a":2}\n',
    "casedup.json": '{"a":1,"A":2}\n',
    "empty_strings.json": '{"i":"","d":"","s":"","b":"","ts":"","dt":"","dec":"","bin":"","arr":""}\n',
    "ml.json": '[\n {"a": 1, "b": {"c": "x"}},\n {"a": 2}\n]\n',
    "ml_lines.json": '{"a": 1}\n{"a": 2}\n',
    "ml_bad.json": '{"a": \n 1\n',
    "allnull.json": '{"a":null,"b":[],"c":{},"d":[null],"e":{"x":null},"f":1,"g":[{}],"":5}\n',
    "prim.json": '{"a":1,"b":1.5,"c":true,"d":"x","e":[1,2],"f":{"g":false},"h":"1.25","i":12345678901234567890}\n',
    "prefdec.json": '{"d":0.05,"e":1.50,"g":-0.0,"h":123.456e2,"s1":"0.05","s2":"1e5","s3":"1,234","s4":"1e-5","s5":"abc",'
                    '"s6":"12345678901234567890123456789012345678901","n":NaN}\n{"d":1.5,"e":22}\n',
    "prefdec_neg.json": '{"a":1e5}\n',
    "ts.json": '{"t":"2024-01-02 03:04:05","d":"2024-01-02","t2":"02/01/2024 03:04","d2":"02.01.2024",'
               '"t3":"2024-01-02T03:04:05.123+01:00","d3":"2024-1-2","t4":1700000000}\n'
               '{"t":"2024-01-02T03:04:05Z","d":"2024-01-02T10:00:00","t4":-1,"d3":"-5"}\n'
               '{"t":"1700000000","d":"99999999999","t4":1.5}\n'
               '{"t":" 2024-01-02 03:04:05 ","d":" 2024-01-02 ","t4":"2024"}\n',
    "linesep.json": '{"a":1}||{"a":2}\n||{"a":3}||',
    "crlf.json": '{"a":1}\r\n{"a":2}\r{"a":3}\n\n',
    "binary.json": '{"b":"YWJj"}\n{"b":"YWI"}\n{"b":"YWI="}\n{"b":"!!"}\n{"b":"YW Jj"}\n{"b":"YW\\nJj"}\n{"b":"YQ=="}\n'
                   '{"b":"YQ"}\n{"b":"YWJjZA=="}\n{"b":1}\n{"b":""}\n{"b":"/+8="}\n',
    "rootarr.json": '[{"a":1},2]\n[{"a":"x"},{"a":2}]\n[{"a":3},null]\n[[{"a":4}]]\n[{"a":5}] [{"a":6}]\n[ ]\n',
    "spaces.json": '  {"a" : 1 , "b" : [ 1 , 2 ] }  \n\t{"a":2}\t\n{ "b" : { "x" : [ true , null ] } }\n',
    "literals.json": '{"a":truex}\n{"a":nul}\n{"a":true }\n{"a":True}\n{"a":1,}\n{"a":1,,"b":2}\n{,"a":1}\n'
                     '{"a" 1}\n{"a":[1,]}\n{"a":"x"\n{}\n{"a":false,"b":null}\n',
    "escapes.json": '{"\\u0061":1,"b\\"c":2}\n{"s":"\\u00e9\\u20ac\\ud83d\\ude00"}\n{"s":"\\uD83D"}\n{"s":"\\ude00x"}\n'
                    '{"s":"\\u12"}\n{"s":"\\u0000"}\n{"s":"\\uD83Dx\\uDE00"}\n',
    "scalars.json": '1\n2\n',
    "nulldocs.json": 'null\n\n',
    "decstr.json": '{"a":"1e400"}\n{"a":"1e2"}\n{"a":" 1"}\n{"a":"1.005"}\n{"a":1.005}\n{"a":-1.005}\n{"a":"+5"}\n'
                   '{"a":"5."}\n{"a":".5"}\n{"a":"1,2,3"}\n{"a":12345678.995}\n{"a":NaN}\n',
    "mismatch.json": '{"a":"1","b":"2","s":1,"arr":{"x":1},"m":[1]}\n{"a":1.0,"b":2e0,"s":[],"arr":1,"m":"x"}\n'
                     '{"a":1,"b":2,"s":{"a":1},"arr":[1],"m":{"k":null}}\n{"s":{"a":"x","b":true},"arr":[1,null],"m":{"a":1,"b":2.5}}\n',
    "longnum.json": '{"a":1' + "0" * 999 + '}\n{"a":1' + "0" * 1000 + '}\n{"a":1e999999999,"b":1e-999999999}\n'
                    '{"a":0.' + "0" * 1200 + '1}\n',
    "bom.json": b'\xef\xbb\xbf{"a":1}\n{"a":2}\n',
    "tsfmt.json": '{"a":"02/01/2024 03:04","b":"2024-01-02 03:04:05"}\n',
    "sample.json": "".join('{"a":%d,"b":"s%d"}\n' % (i, i) for i in range(200)),
    # text
    "lines.txt": 'a\n\nb\r\nc\rd',
    "empty.txt": '',
    "trailing.txt": 'x\n',
    "bom.txt": b'\xef\xbb\xbfhello\nworld\n',
    "unicode.txt": 'caf\u00e9\n\u20ac\t tab\n',
}

# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------

NUM_TYPES = ["STRING", "BIGINT", "INT", "TINYINT", "SMALLINT", "DOUBLE", "FLOAT", "DECIMAL(10,2)", "BOOLEAN",
             "TIMESTAMP", "DATE"]

READ = [
    ("basic_infer", "json", ["basic.json"], {}, None),
    ("basic_typed", "json", ["basic.json"], {}, "id INT, name STRING, score DOUBLE, active BOOLEAN, missing BIGINT"),
    ("nested_infer", "json", ["nested.json"], {}, None),
    ("nested_typed", "json", ["nested.json"], {},
     "user STRUCT<name: STRING, addr: STRUCT<city: STRING>>, items ARRAY<STRUCT<sku: STRING, qty: INT>>, "
     "m MAP<STRING, INT>, grid ARRAY<ARRAY<BIGINT>>, e ARRAY<STRING>, o STRUCT<z: INT>"),
    ("conflicts_infer", "json", ["conflicts.json"], {}, None),
    ("conflicts_infer_timestamp", "json", ["conflicts.json"], {"inferTimestamp": "true"}, None),
    ("corrupt_infer", "json", ["corrupt.json"], {}, None),
    ("corrupt_typed", "json", ["corrupt.json"], {},
     "a INT, b STRING, c ARRAY<INT>, d STRUCT<y: INT, z: INT>, _corrupt_record STRING"),
    ("corrupt_typed_no_column", "json", ["corrupt.json"], {}, "a INT, b STRING"),
    ("corrupt_custom_name", "json", ["corrupt.json"], {"columnNameOfCorruptRecord": "bad"}, None),
    ("corrupt_dropmalformed_infer", "json", ["corrupt.json"], {"mode": "DROPMALFORMED"}, None),
    ("corrupt_dropmalformed_typed", "json", ["corrupt.json"], {"mode": "DROPMALFORMED"}, "a INT, b STRING"),
    ("corrupt_failfast_infer", "json", ["corrupt.json"], {"mode": "FAILFAST"}, None),
    ("corrupt_failfast_typed", "json", ["corrupt.json"], {"mode": "FAILFAST"}, "a INT, b STRING"),
    ("partial_typed", "json", ["partial.json"], {},
     "a ARRAY<INT>, b INT, s STRUCT<a: ARRAY<INT>, c: INT>, d INT, m MAP<STRING, INT>, arr ARRAY<STRUCT<i: INT>>, "
     "_corrupt_record STRING"),
    ("partial_dropmalformed", "json", ["partial.json"], {"mode": "DROPMALFORMED"},
     "a ARRAY<INT>, b INT, s STRUCT<a: ARRAY<INT>, c: INT>, d INT, m MAP<STRING, INT>, arr ARRAY<STRUCT<i: INT>>"),
    ("partial_infer", "json", ["partial.json"], {}, None),
] + [
    ("numbers_" + t.split("(")[0].lower(), "json", ["numbers.json"], {}, "v %s, _corrupt_record STRING" % t)
    for t in NUM_TYPES
] + [
    ("numbers_infer", "json", ["numbers.json"], {}, None),
    ("numbers_leading_zeros", "json", ["numbers.json"], {"allowNumericLeadingZeros": "true"}, "v STRING, _corrupt_record STRING"),
    ("numbers_no_nonnumeric", "json", ["numbers.json"], {"allowNonNumericNumbers": "false"}, "v DOUBLE, _corrupt_record STRING"),
    ("syntax_default", "json", ["syntax.json"], {}, "a STRING, _corrupt_record STRING"),
    ("syntax_lenient", "json", ["syntax.json"],
     {"allowComments": "true", "allowUnquotedFieldNames": "true", "allowBackslashEscapingAnyCharacter": "true"}, None),
    ("syntax_no_single_quotes", "json", ["syntax.json"], {"allowSingleQuotes": "false"}, "a STRING, _corrupt_record STRING"),
    ("syntax_control_chars", "json", ["syntax.json"], {"allowUnquotedControlChars": "true"}, "a STRING, _corrupt_record STRING"),
    ("utf8_typed", "json", ["utf8.json"], {}, "a STRING, _corrupt_record STRING"),
    ("utf8_infer", "json", ["utf8.json"], {}, None),
    ("deep_typed", "json", ["deep.json"], {}, "b INT, _corrupt_record STRING"),
    ("deep_infer", "json", ["deep.json"], {}, None),
    ("dup_typed", "json", ["dup.json"], {}, "a INT"),
    ("dup_infer", "json", ["dup.json"], {}, None),
    ("dup_nested_infer", "json", ["dupnested.json"], {}, None),
    ("case_merge_infer", "json", ["casemerge.json"], {}, None),
    ("case_dup_infer", "json", ["casedup.json"], {}, None),
    ("empty_strings", "json", ["empty_strings.json"], {},
     "i INT, d DOUBLE, s STRING, b BOOLEAN, ts TIMESTAMP, dt DATE, dec DECIMAL(5,1), bin BINARY, arr ARRAY<INT>, "
     "_corrupt_record STRING"),
    ("multiline_array", "json", ["ml.json"], {"multiLine": "true"}, None),
    ("multiline_lines", "json", ["ml_lines.json"], {"multiLine": "true"}, None),
    ("multiline_bad_infer", "json", ["ml_bad.json", "ml_lines.json"], {"multiLine": "true"}, None),
    ("multiline_bad_typed", "json", ["ml_bad.json", "ml_lines.json"], {"multiLine": "true"}, "a INT, _corrupt_record STRING"),
    ("multiline_failfast", "json", ["ml_bad.json"], {"multiLine": "true", "mode": "FAILFAST"}, "a INT"),
    ("multiline_typed_nested", "json", ["ml.json"], {"multiLine": "true"}, "b STRUCT<c: STRING>, a DOUBLE"),
    ("allnull_infer", "json", ["allnull.json"], {}, None),
    ("allnull_drop", "json", ["allnull.json"], {"dropFieldIfAllNull": "true"}, None),
    ("primitives_as_string", "json", ["prim.json"], {"primitivesAsString": "true"}, None),
    ("prefers_decimal_prim", "json", ["prim.json"], {"prefersDecimal": "true"}, None),
    ("prefers_decimal", "json", ["prefdec.json"], {"prefersDecimal": "true"}, None),
    ("prefers_decimal_negative_scale", "json", ["prefdec_neg.json"], {"prefersDecimal": "true"}, None),
    ("timestamps_default", "json", ["ts.json"], {},
     "t TIMESTAMP, d DATE, t2 TIMESTAMP, d2 DATE, t3 TIMESTAMP, d3 DATE, t4 TIMESTAMP, _corrupt_record STRING"),
    ("timestamps_formats", "json", ["ts.json"], {"timestampFormat": "dd/MM/yyyy HH:mm", "dateFormat": "dd.MM.yyyy"},
     "t TIMESTAMP, d DATE, t2 TIMESTAMP, d2 DATE, t3 TIMESTAMP, t4 TIMESTAMP, _corrupt_record STRING"),
    ("timestamps_infer_format", "json", ["tsfmt.json"], {"inferTimestamp": "true", "timestampFormat": "dd/MM/yyyy HH:mm"}, None),
    ("line_sep", "json", ["linesep.json"], {"lineSep": "||"}, "a INT, _corrupt_record STRING"),
    ("line_sep_infer", "json", ["linesep.json"], {"lineSep": "||"}, None),
    ("crlf", "json", ["crlf.json"], {}, None),
    ("binary", "json", ["binary.json"], {}, "b BINARY, _corrupt_record STRING"),
    ("root_arrays_typed", "json", ["rootarr.json"], {}, "a INT, _corrupt_record STRING"),
    ("root_arrays_infer", "json", ["rootarr.json"], {}, None),
    ("root_arrays_drop", "json", ["rootarr.json"], {"mode": "DROPMALFORMED"}, "a INT"),
    ("spaces", "json", ["spaces.json"], {}, "a INT, b STRING, _corrupt_record STRING"),
    ("spaces_infer", "json", ["spaces.json"], {}, None),
    ("literals", "json", ["literals.json"], {}, "a STRING, b STRING, _corrupt_record STRING"),
    ("escapes_infer", "json", ["escapes.json"], {}, None),
    ("scalars_infer_schema_only", "json", ["scalars.json"], {}, None),
    ("null_documents", "json", ["nulldocs.json"], {}, None),
    ("decimal_strings", "json", ["decstr.json"], {}, "a DECIMAL(10,2), _corrupt_record STRING"),
    ("mismatch", "json", ["mismatch.json"], {},
     "a INT, b BIGINT, s STRUCT<a: INT, b: BOOLEAN>, arr ARRAY<INT>, m MAP<STRING, DOUBLE>, _corrupt_record STRING"),
    ("long_numbers", "json", ["longnum.json"], {}, "a DOUBLE, b STRING, _corrupt_record STRING"),
    ("long_numbers_infer", "json", ["longnum.json"], {}, None),
    ("bom", "json", ["bom.json"], {}, None),
    ("sampling_full", "json", ["sample.json"], {"samplingRatio": "1.0"}, None),
    ("two_files", "json", ["basic.json", "crlf.json"], {}, None),
    ("text_lines", "text", ["lines.txt"], {}, None),
    ("text_line_sep", "text", ["lines.txt"], {"lineSep": "b"}, None),
    ("text_wholetext", "text", ["lines.txt", "empty.txt", "trailing.txt"], {"wholetext": "true"}, None),
    ("text_empty", "text", ["empty.txt"], {}, None),
    ("text_trailing", "text", ["trailing.txt", "lines.txt"], {}, None),
    ("text_bom", "text", ["bom.txt"], {}, None),
    ("text_unicode", "text", ["unicode.txt"], {}, None),
]

ALL_TYPES_SQL = """SELECT 1 AS i, CAST(2 AS BIGINT) AS l, CAST(3 AS TINYINT) AS b, CAST(-4 AS SMALLINT) AS sh,
  CAST(1.5 AS DOUBLE) AS d, CAST(0.1 AS FLOAT) AS f, CAST(1e20 AS DOUBLE) AS big, CAST(1e-5 AS DOUBLE) AS small,
  CAST('NaN' AS DOUBLE) AS nan, CAST('-Infinity' AS DOUBLE) AS ninf, CAST('Infinity' AS FLOAT) AS finf,
  CAST(1.50 AS DECIMAL(5,2)) AS dec, CAST(0 AS DECIMAL(38,10)) AS dz, CAST(0.00000001 AS DECIMAL(20,10)) AS dtiny,
  CAST(-1234567.5 AS DECIMAL(12,3)) AS dbig, CAST(0.000001 AS DECIMAL(10,6)) AS dsix,
  'he said "hi" \\\\ / <tag> é 😀' AS s, '' AS es, true AS t, false AS fa,
  TIMESTAMP'2024-01-02 03:04:05.123456' AS ts, TIMESTAMP'2024-01-02 03:04:05' AS ts0, TIMESTAMP'1969-12-31 23:59:59.5' AS tsneg,
  DATE'2024-01-02' AS dt, CAST('abc' AS BINARY) AS bin, CAST('ab' AS BINARY) AS bin2, CAST('' AS BINARY) AS bin0,
  array(1, NULL, 3) AS arr, map('k', 1, 'n', NULL) AS m, named_struct('x', 1, 'y', CAST(NULL AS STRING), 'z', array(named_struct('q', 2))) AS st,
  CAST(NULL AS INT) AS n, map(1, 'a', 2, 'b') AS mi, array(array(CAST(1.0 AS DOUBLE))) AS aa, CAST('-0.0' AS DOUBLE) AS negz,
  CAST(123456789.125 AS DOUBLE) AS dd, CAST(1e7 AS DOUBLE) AS e7, CAST(0.001 AS DOUBLE) AS milli,
  array(CAST(NULL AS STRING)) AS an, array() AS ae, map() AS me"""

CONTROL_SQL = """SELECT concat('a', char(1), 'b', char(31), 'c', char(127), 'd', char(8), char(12), char(10), char(13), char(9)) AS s,
  'x' AS `q"uote`, 'y' AS `back\\\\slash`, 'z' AS `é`"""

WRITE = [
    ("all_types", "json", ALL_TYPES_SQL, {}, "UTC"),
    ("all_types_keep_nulls", "json", ALL_TYPES_SQL, {"ignoreNullFields": "false"}, "UTC"),
    ("formats", "json", "SELECT TIMESTAMP'2024-01-02 03:04:05.123' AS ts, DATE'2024-01-02' AS dt",
     {"timestampFormat": "dd/MM/yyyy HH:mm", "dateFormat": "dd.MM.yyyy", "lineSep": "\r\n"}, "UTC"),
    ("zone", "json", "SELECT TIMESTAMP'2024-01-02 03:04:05.123' AS ts, TIMESTAMP'2024-07-02 03:04:05' AS summer, DATE'2024-01-02' AS dt",
     {}, "America/Los_Angeles"),
    ("control_chars", "json", CONTROL_SQL, {}, "UTC"),
    ("empty", "json", "SELECT 1 AS a WHERE false", {}, "UTC"),
    ("rows", "json", "SELECT * FROM VALUES (1, 'a', CAST(NULL AS DOUBLE)), (2, NULL, 2.5), (NULL, 'c', -1.0) AS t(k, v, d)", {}, "UTC"),
    ("text", "text", "SELECT * FROM VALUES ('a'), (NULL), (''), ('x\ny'), ('é') AS t(s)", {}, "UTC"),
    ("text_line_sep", "text", "SELECT * FROM VALUES ('a'), (NULL), ('b') AS t(s)", {"lineSep": "|"}, "UTC"),
    ("text_two_columns", "text", "SELECT 'a' AS s, 'b' AS t", {}, "UTC"),
    ("text_int_column", "text", "SELECT 'a' AS s, 1 AS i", {}, "UTC"),
]

# --------------------------------------------------------------------------
# Canonical values
# --------------------------------------------------------------------------

EPOCH = datetime.datetime(1970, 1, 1)


def canon(v):
    from pyspark.sql import Row
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (bytes, bytearray)):
        return "x:" + bytes(v).hex()
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return "t:%d" % ((v - EPOCH) // datetime.timedelta(microseconds=1))
    if isinstance(v, datetime.date):
        return "d:" + v.isoformat()
    if isinstance(v, Row):
        return "{" + ",".join(canon(x) for x in v) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(canon(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(canon(k) + "->" + canon(x) for k, x in v.items()) + "}"
    raise TypeError("no canonical form for %r" % (v,))


def conditions(e):
    out = []
    j = getattr(e, "java_exception", None)
    while j is not None:
        try:
            c = j.getCondition()
            if c:
                out.append(str(c))
        except Exception:
            pass
        j = j.getCause()
    c = getattr(e, "getCondition", lambda: None)()
    if c and c not in out:
        out.append(c)
    return out or [type(e).__name__]


def main():
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[1]")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.ansi.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")

    if os.path.isdir(INPUTS):
        shutil.rmtree(INPUTS)
    os.makedirs(INPUTS)
    for name, content in FILES.items():
        with open(os.path.join(INPUTS, name), "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)

    cases = []
    for name, fmt, inputs, options, schema in READ:
        case = {"name": name, "kind": "read", "format": fmt, "inputs": inputs, "options": options, "schema": schema}
        reader = spark.read.format(fmt).options(**options)
        if schema:
            reader = reader.schema(schema)
        try:
            df = reader.load([os.path.join(INPUTS, p) for p in inputs])
            expected = {"schema": df.schema.simpleString()}
            try:
                expected["rows"] = ["(" + ",".join(canon(x) for x in r) + ")" for r in df.collect()]
            except Exception as e:
                if not any("QUERY_ONLY_CORRUPT_RECORD_COLUMN" in c for c in conditions(e)):
                    raise
                expected["rows"] = None
        except Exception as e:
            expected = {"error": conditions(e)}
        case["expected"] = expected
        cases.append(case)
        print(name, json.dumps(expected)[:150])

    out_dir = tempfile.mkdtemp(prefix="json-golden-")
    for name, fmt, sql, options, zone in WRITE:
        spark.conf.set("spark.sql.session.timeZone", zone)
        case = {"name": name, "kind": "write", "format": fmt, "sql": sql, "options": options, "timeZone": zone}
        target = os.path.join(out_dir, name)
        try:
            spark.sql(sql).coalesce(1).write.format(fmt).options(**options).mode("overwrite").save(target)
            text = b""
            for p in sorted(glob.glob(os.path.join(target, "part-*"))):
                with open(p, "rb") as f:
                    text += f.read()
            expected = {"text": text.decode("utf-8")}
        except Exception as e:
            expected = {"error": conditions(e)}
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        case["expected"] = expected
        cases.append(case)
        print(name, json.dumps(expected)[:150])
    shutil.rmtree(out_dir, ignore_errors=True)

    with open(os.path.join(GOLDEN, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": "scripts/make_json_golden.py", "spark": spark.version, "cases": cases}, f,
                  indent=1, ensure_ascii=False)
        f.write("\n")
    spark.stop()


if __name__ == "__main__":
    main()
