"""
The official Python client's side of `npm run bench:python` (bench/python.ts): on the server at ENDPOINT, creates a
stream, inserts N points at 120 Hz through `stream.insert` (a list of (time, value) pairs, the client's input
form, made before the clock starts), then reads them back with `stream.values` READS times; prints one JSON line
with the insert's time and the fastest read's.

    python3 bench/python/client.py ENDPOINT N UUID READS

The client is not part of this repository: put the directory holding its `btrdb` package on PYTHONPATH.
"""
import json
import math
import sys
import time
import uuid as uuidlib

import btrdb

T0 = 1_600_000_000_000_000_000
STEP = 8_333_333


def main():
    endpoint, n, stream_uuid, reads = sys.argv[1], int(sys.argv[2]), uuidlib.UUID(sys.argv[3]), int(sys.argv[4])
    conn = btrdb.connect(endpoint)
    stream = conn.create(stream_uuid, "bench/python", tags={"name": str(stream_uuid)[:8]})
    points = [(T0 + i * STEP, math.sin(i / 1000)) for i in range(n)]

    started = time.perf_counter()
    stream.insert(points)
    inserted = time.perf_counter() - started

    read = float("inf")
    for _ in range(reads):
        started = time.perf_counter()
        values = stream.values(T0, T0 + n * STEP)
        read = min(read, time.perf_counter() - started)
        if len(values) != n:
            raise SystemExit(f"read {len(values)} points of {n}")
    print(json.dumps({"client": btrdb.__version__, "points": n, "insertSeconds": inserted, "valuesSeconds": read}))


if __name__ == "__main__":
    main()
