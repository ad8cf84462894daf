#!/usr/bin/env python3
"""Arrow C++ (pyarrow) on the pages bench/codecs/main.swift wrote, for comparison, and a
check that Arrow decodes every page Ember compressed. Usage: reference.py DIR"""
import struct
import sys
import time

import pyarrow as pa

d = sys.argv[1]
PAGE = 1 << 20
print("input   codec      ratio   compress MB/s   decompress MB/s   (Arrow C++ via pyarrow)")
for name in ["text", "int64", "random"]:
    data = open(f"{d}/{name}.bin", "rb").read()
    pages = [data[i:i + PAGE] for i in range(0, len(data), PAGE)]
    for codec, ours in [("snappy", "snappy"), ("lz4_raw", "lz4Raw"), ("lz4", "lz4Frame"), ("zstd", "zstd"), ("gzip", "gzip")]:
        reps = 1 if codec == "gzip" else 3
        tc = td = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            comp = [pa.compress(p, codec=codec, asbytes=True) for p in pages]
            tc = min(tc, time.perf_counter() - t)
            t = time.perf_counter()
            for c, p in zip(comp, pages):
                pa.decompress(c, len(p), codec=codec, asbytes=True)
            td = min(td, time.perf_counter() - t)
        blob = open(f"{d}/{name}.{ours}", "rb").read()
        pos, out = 0, []
        for p in pages:
            (n,) = struct.unpack_from("<I", blob, pos)
            out.append(pa.decompress(blob[pos + 4:pos + 4 + n], len(p), codec=codec, asbytes=True))
            pos += 4 + n
        assert b"".join(out) == data, f"Arrow cannot decode Ember's {ours} pages of {name}"
        mb = len(data) / 1e6
        print(f"{name:8}{codec:10}{sum(map(len, comp)) / len(data):6.3f}   {mb / tc:13.0f}   {mb / td:15.0f}")
print("Arrow decoded every page Ember wrote.")
