"""S3Driver against raw boto3 on one moto server: small objects, a listing, and memory.

What it measures (defined before any number):
- wall time of N small puts, N gets and one listing of the N keys, through
  ``container.upload_blob`` / ``blob.download`` / ``list(container)`` and through a raw boto3
  client (``put_object`` / ``get_object`` / a ``list_objects_v2`` paginator); printed as
  our time / boto3's time (1.00 = as fast);
- HTTP requests per operation on our side, counted by a botocore ``before-send`` hook on
  s3fs's client;
- peak RSS growth of a fresh subprocess that uploads, then downloads, a large file through
  the driver (``ru_maxrss`` after minus RSS before each step).

Run: ``.venv/bin/python benchmarks/s3_small_and_large.py [--count 2000] [--large-mib 512]``
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from botocore.config import Config

from tests.rigs.s3 import s3_driver
from tests.servers import start_moto

PAYLOAD = b"b" * 4096


def small_ops(endpoint: str, driver, count: int) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
        config=Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
    client.create_bucket(Bucket="raw-bench")
    ours = driver.create_container("ours-bench")
    driver.fs.connect()
    counts: Counter[str] = Counter()
    driver.fs.s3.meta.events.register(
        "before-send.s3", lambda event_name, **_: counts.update([event_name.rsplit(".", 1)[1]])
    )
    names = [f"k/{i:05d}.bin" for i in range(count)]
    rows = []

    start = time.perf_counter()
    for name in names:
        client.put_object(Bucket="raw-bench", Key=name, Body=PAYLOAD)
    raw_put = time.perf_counter() - start
    start = time.perf_counter()
    blobs = [ours.upload_blob(io.BytesIO(PAYLOAD), blob_name=name) for name in names]
    our_put = time.perf_counter() - start
    rows.append(("put 4 KiB", our_put, raw_put, dict(counts)))
    counts.clear()

    start = time.perf_counter()
    for name in names:
        client.get_object(Bucket="raw-bench", Key=name)["Body"].read()
    raw_get = time.perf_counter() - start
    start = time.perf_counter()
    for blob in blobs:
        blob.download(io.BytesIO())
    our_get = time.perf_counter() - start
    rows.append(("get 4 KiB", our_get, raw_get, dict(counts)))
    counts.clear()

    start = time.perf_counter()
    raw_listed = sum(
        len(page.get("Contents", []))
        for page in client.get_paginator("list_objects_v2").paginate(Bucket="raw-bench")
    )
    raw_list = time.perf_counter() - start
    start = time.perf_counter()
    our_listed = sum(1 for _ in iter(ours))
    our_list = time.perf_counter() - start
    assert raw_listed == our_listed == count
    rows.append((f"list {count}", our_list, raw_list, dict(counts)))

    print(f"{'operation':<12} {'ours s':>8} {'boto3 s':>8} {'ratio':>6}  requests (ours)")
    for label, ours_s, raw_s, sent in rows:
        per_op = {op: n / (1 if label.startswith("list") else count) for op, n in sent.items()}
        print(f"{label:<12} {ours_s:8.2f} {raw_s:8.2f} {ours_s / raw_s:6.2f}  {per_op}")


PROBE = """
import io, os, resource, sys
sys.path.insert(0, sys.argv[1])
from cloudstorage.drivers.amazon import S3Driver
def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
mode, endpoint, path = sys.argv[2], sys.argv[3], sys.argv[4]
driver = S3Driver("testing", "testing", endpoint_url=endpoint)
box = driver.create_container("memory-probe")
box.upload_blob(io.BytesIO(b"warm-up"), blob_name="warm")  # import and connect first
box.get_blob("warm").download(io.BytesIO())
base = rss_mib()
if mode == "up":
    box.upload_blob(path, blob_name="large.bin")
else:
    box.get_blob("large.bin").download(path)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base)
"""


def memory_probe(endpoint: str, size_mib: int) -> None:
    """Each direction in a fresh process, so one peak cannot hide in the other."""
    root = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "large.bin", Path(tmp) / "large.down"
        with source.open("wb") as f:
            for _ in range(size_mib):
                f.write(b"\x5a" * 2**20)
        for mode, path in (("up", source), ("down", target)):
            result = subprocess.run(
                [sys.executable, "-c", PROBE, root, mode, endpoint, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            growth = float(result.stdout)
            print(f"{size_mib} MiB {mode}load: peak RSS growth {growth:.1f} MiB (limit 64)")
        assert target.stat().st_size == size_mib * 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--large-mib", type=int, default=512)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, start_moto(Path(workdir)) as server:
        small_ops(server.endpoint_url, s3_driver(server), args.count)
        if args.large_mib:
            memory_probe(server.endpoint_url, args.large_mib)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"benchmark process peak RSS {peak} MiB")


if __name__ == "__main__":
    main()
