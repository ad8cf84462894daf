#!/usr/bin/env python3
"""Regenerate the golden compressed files of Ember's codec tests.

Usage:
    python3 scripts/make_codec_golden.py

Writes
  Tests/EmberCodecsTests/golden/   plain.txt compressed by real tools:
      plain.txt.gz            python gzip module (mtime 0)
      plain.txt.2members.gz   two gzip members, split mid-line
      plain.txt.zlib          python zlib.compress (zlib format, Hadoop's .deflate)
      plain.txt.zst           zstd CLI -19 (one frame with its content size)
      plain.txt.frames.zst    two zstd frames, the second from stdin (no content size)
      plain.txt.lz4           lz4 CLI defaults (4 MiB independent blocks, content checksum)
      plain.txt.B4D.lz4       lz4 CLI -B4 -BD -BX --content-size (64 KiB linked blocks,
                              block checksums, content size)
      plain.txt.arrow.<codec> pyarrow.compress (Arrow C++): snappy (raw), lz4_raw,
                              lz4 (frame), zstd, gzip
      spark_text.snappy       Apache Spark 4.1.1 (pyspark) df.write.text(compression=...):
      spark_text.lz4          Hadoop's block framing around snappy / LZ4 (several blocks);
                              the lines are spark_line(i) below, i in 0..<SPARK_LINES
  Tests/EmberIOTests/golden/       people.csv and compressed copies:
      people.csv.gz           python gzip, two members split mid-line
      people.csv.zst          zstd CLI, two frames split mid-line
      people.csv.snappy       Spark text writer, compression=snappy (Hadoop framing)
      people.csv.lz4          Spark text writer, compression=lz4 (Hadoop framing)
      people.csv.deflate      Spark text writer, compression=deflate (zlib stream)
      people_frame.csv.lz4    lz4 CLI (LZ4 frame format)
and prints what Spark reads from each compressed people.csv (header, inferSchema):
the schema, the row count and sum(score), which the Swift tests assert.
"""

import glob
import gzip
import os
import random
import shutil
import subprocess
import tempfile
import zlib

import pyarrow as pa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODECS = os.path.join(ROOT, "Tests", "EmberCodecsTests", "golden")
IO = os.path.join(ROOT, "Tests", "EmberIOTests", "golden")
SPARK_LINES = 4500


def spark_line(i):
    # Mirrored in CodecGoldenTests.sparkLine(_:).
    return "%06d lorem ipsum dolor sit amet, consectetur adipiscing elit %d" % (i, i % 7)


def plain_text():
    rng = random.Random(42)
    words = ["alpha", "beta", "gamma", "delta"]
    return "".join("%06d,%s,%s\n" % (i, rng.choice(words), rng.choice(words)) for i in range(3600)).encode()


def people_csv():
    rng = random.Random(7)
    names = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Ken", "Dennis", "Frances", "John"]
    notes = ["", "plain", "has, comma", 'say "hi"', "trailing space ", "x"]
    out = ["id,name,score,day,note\n"]
    for i in range(400):
        note = rng.choice(notes)
        if "," in note or '"' in note:
            note = '"' + note.replace('"', '""') + '"'
        out.append("%d,%s,%.2f,2024-%02d-%02d,%s\n" % (
            i, rng.choice(names), rng.uniform(0, 100), rng.randint(1, 12), rng.randint(1, 28), note))
    return "".join(out).encode()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def run(args, data):
    return subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True).stdout


def gzip_members(data, split):
    return gzip.compress(data[:split], mtime=0) + gzip.compress(data[split:], mtime=0)


def zstd_frames(data, split, tmp):
    part = os.path.join(tmp, "part1")
    write(part, data[:split])
    first = subprocess.run(["zstd", "-q", "-19", "-c", part], stdout=subprocess.PIPE, check=True).stdout
    return first + run(["zstd", "-q", "-c"], data[split:])


def lz4_file(data, args, tmp):
    src = os.path.join(tmp, "lz4in")
    write(src, data)
    return subprocess.run(["lz4", "-q", "-c"] + args + [src], stdout=subprocess.PIPE, check=True).stdout


def spark_write(spark, lines_path, codec, tmp):
    out = os.path.join(tmp, "spark-%s-%s" % (os.path.basename(lines_path), codec))
    spark.read.text(lines_path).coalesce(1).write.option("compression", codec).text(out)
    parts = [p for p in glob.glob(os.path.join(out, "part-*")) if not p.endswith(".crc")]
    assert len(parts) == 1, parts
    with open(parts[0], "rb") as f:
        return f.read()


def main():
    os.makedirs(CODECS, exist_ok=True)
    os.makedirs(IO, exist_ok=True)
    tmp = tempfile.mkdtemp()
    try:
        plain = plain_text()
        write(os.path.join(CODECS, "plain.txt"), plain)
        write(os.path.join(CODECS, "plain.txt.gz"), gzip.compress(plain, mtime=0))
        write(os.path.join(CODECS, "plain.txt.2members.gz"), gzip_members(plain, 30001))
        write(os.path.join(CODECS, "plain.txt.zlib"), zlib.compress(plain))
        write(os.path.join(CODECS, "plain.txt.zst"), lz4_or_zstd_file(["zstd", "-q", "-19", "-c"], plain, tmp))
        write(os.path.join(CODECS, "plain.txt.frames.zst"), zstd_frames(plain, 40003, tmp))
        write(os.path.join(CODECS, "plain.txt.lz4"), lz4_file(plain, [], tmp))
        write(os.path.join(CODECS, "plain.txt.B4D.lz4"), lz4_file(plain, ["-B4", "-BD", "-BX", "--content-size"], tmp))
        for codec in ["snappy", "lz4_raw", "lz4", "zstd", "gzip"]:
            data = pa.compress(plain, codec=codec, asbytes=True)
            assert pa.decompress(data, len(plain), codec=codec, asbytes=True) == plain
            write(os.path.join(CODECS, "plain.txt.arrow." + codec), data)

        people = people_csv()
        write(os.path.join(IO, "people.csv"), people)
        write(os.path.join(IO, "people.csv.gz"), gzip_members(people, 5001))
        write(os.path.join(IO, "people.csv.zst"), zstd_frames(people, 7001, tmp))
        write(os.path.join(IO, "people_frame.csv.lz4"), lz4_file(people, [], tmp))

        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.master("local[1]")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.session.timeZone", "UTC")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        lines = os.path.join(tmp, "spark_lines.txt")
        write(lines, "".join(spark_line(i) + "\n" for i in range(SPARK_LINES)).encode())
        for codec in ["snappy", "lz4"]:
            write(os.path.join(CODECS, "spark_text." + codec), spark_write(spark, lines, codec, tmp))
        people_path = os.path.join(IO, "people.csv")
        for codec in ["snappy", "lz4", "deflate"]:
            ext = {"snappy": "snappy", "lz4": "lz4", "deflate": "deflate"}[codec]
            write(os.path.join(IO, "people.csv." + ext), spark_write(spark, people_path, codec, tmp))

        # What Spark reads back from each compressed copy (asserted by the Swift tests).
        for name in sorted(os.listdir(IO)):
            if not name.startswith("people"):
                continue
            try:
                df = spark.read.option("header", True).option("inferSchema", True).csv(os.path.join(IO, name))
                row = df.selectExpr("count(*)", "round(sum(score), 2)", "count(note)").collect()[0]
                print("%-22s %s count=%d sum(score)=%s count(note)=%d" % (
                    name, df.schema.simpleString(), row[0], row[1], row[2]))
            except Exception as e:  # noqa: BLE001 (Spark cannot read LZ4 frame files, nor .zst without native Hadoop)
                print("%-22s Spark cannot read it: %s" % (name, str(e).splitlines()[0][:150]))
        # Spark's error for an unknown codec name (the writer mirrors it).
        try:
            spark.range(1).write.option("compression", "foo").csv(os.path.join(tmp, "bad"))
        except Exception as e:  # noqa: BLE001
            print("unknown codec:", str(e).splitlines()[0])
        spark.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def lz4_or_zstd_file(cmd, data, tmp):
    src = os.path.join(tmp, "in")
    write(src, data)
    return subprocess.run(cmd + [src], stdout=subprocess.PIPE, check=True).stdout


if __name__ == "__main__":
    main()
