#!/usr/bin/env python3
"""Regenerate the bzip2 golden files of Ember's compressed-text tests (CompressedBzip2Tests).

Usage:
    python3 scripts/make_bzip2_golden.py

Writes, with Python's standard `bz2` module (block size 9), into Tests/EmberIOTests/golden/:
    people.csv.bz2     people.csv (made by make_codec_golden.py) as two bzip2 streams,
                       split mid-line at byte 5001 (as pbzip2 or `cat a.bz2 b.bz2` make)
    people.json.bz2    json_lines() below, one stream
    lines.txt.bz2      text_lines() below as three streams, the middle one empty
and prints what Apache Spark 4.1.1 (pyspark) reads from each, which the Swift tests assert.
"""

import bz2
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IO = os.path.join(ROOT, "Tests", "EmberIOTests", "golden")


def json_lines():
    # Mirrored in CompressedBzip2Tests.jsonLine(_:).
    return "".join('{"id":%d,"name":"n%d","score":%d.5}\n' % (i, i % 3, i) for i in range(40)).encode()


def text_lines():
    # Mirrored in CompressedBzip2Tests.textLines.
    return "alpha\r\nbéta ünïcode\n\nline\twith tab\rlast line\n".encode()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    with open(os.path.join(IO, "people.csv"), "rb") as f:
        people = f.read()
    csv = bz2.compress(people[:5001]) + bz2.compress(people[5001:])
    assert bz2.decompress(csv) == people
    write(os.path.join(IO, "people.csv.bz2"), csv)

    js = json_lines()
    write(os.path.join(IO, "people.json.bz2"), bz2.compress(js))

    text = text_lines()
    txt = bz2.compress(text[:9]) + bz2.compress(b"") + bz2.compress(text[9:])
    assert bz2.decompress(txt) == text
    write(os.path.join(IO, "lines.txt.bz2"), txt)

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[1]")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.option("header", True).option("inferSchema", True).csv(os.path.join(IO, "people.csv.bz2"))
    row = df.selectExpr("count(*)", "round(sum(score), 2)", "count(note)").collect()[0]
    print("people.csv.bz2  %s count=%d sum(score)=%s count(note)=%d" % (df.schema.simpleString(), row[0], row[1], row[2]))
    df = spark.read.json(os.path.join(IO, "people.json.bz2"))
    row = df.selectExpr("count(*)", "sum(id)", "sum(score)", "count(distinct name)").collect()[0]
    print("people.json.bz2 %s count=%d sum(id)=%d sum(score)=%s names=%d" % (df.schema.simpleString(), *row))
    print("lines.txt.bz2  ", [r.value for r in spark.read.text(os.path.join(IO, "lines.txt.bz2")).collect()])
    spark.stop()


if __name__ == "__main__":
    main()
