"""Streaming listings and `Container.sync_to`: memory, time to the first blob, sync vs boto3.

    python -m benchmarks.sync_bench list-local --count 1000000 [--workdir DIR]
    python -m benchmarks.sync_bench list-s3 --count 100000
    python -m benchmarks.sync_bench sync-s3 --count 10000 [--reps 3]

Metrics (defined before any number):

- ``rss_growth_mib``: growth of the peak resident set (``VmHWM``, reset through
  ``/proc/self/clear_refs``) over the RSS just before ``for blob in container`` starts, in a
  fresh process that has imported cloudstorage and built its driver. Each blob is counted and
  dropped, as a streaming consumer does. Target: <= 50 MiB whatever the count.
- ``first_blob_s``: wall time from ``iter(container)`` to the first blob in hand.
- ``list_s``: wall time of the whole listing.
- ``sync`` rows: wall time of ``source.sync_to(bucket)`` (a local store of N small blobs to an
  empty moto bucket, 8 workers) against a boto3 loop that uploads the same files with
  ``put_object`` in a pool of 8 threads; reps interleaved, medians, fresh buckets each rep.
  ``ratio`` = ours / boto3 (target <= 1.2). ``second_run_requests``: HTTP requests of a second
  ``sync_to`` with nothing changed, counted at a `FaultProxy` in front of moto (all listings).

Stores: the local store in ``--workdir`` (default: the system temp folder), files of 0 bytes
in folders of 1,000 (a folder is read whole, names only: see `XattrLocalFileSystem.iter_files`);
moto from ``tests/servers`` on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.memory_probe import growth_mib

PER_FOLDER = 1000


def measure_listing(container) -> dict:
    """Iterate ``container`` once, dropping each blob; RSS growth, first-blob and total time."""
    result: dict = {}

    def walk() -> None:
        start = time.perf_counter()
        listing = iter(container)
        count = 1 if next(listing, None) is not None else 0
        result["first_blob_s"] = round(time.perf_counter() - start, 4)
        for _ in listing:
            count += 1
        result["list_s"] = round(time.perf_counter() - start, 2)
        result["count"] = count

    result["rss_growth_mib"] = growth_mib(walk)
    return result


def _measure_in_child(spec: dict) -> dict:
    """`measure_listing` in a fresh interpreter (an unbiased peak RSS)."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.sync_bench", "child", json.dumps(spec)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def _child(spec: dict) -> None:
    if spec["kind"] == "local":
        from cloudstorage.drivers.local import LocalDriver  # noqa: PLC0415

        driver = LocalDriver(key=spec["root"], secret="bench")
    else:
        from cloudstorage.drivers.amazon import S3Driver  # noqa: PLC0415

        driver = S3Driver(spec["key"], spec["secret"], endpoint_url=spec["endpoint"])
    container = driver.get_container(spec["container"])
    print(json.dumps({"kind": spec["kind"], **measure_listing(container)}))


def list_local(count: int, workdir: str) -> dict:
    root = Path(workdir) / f"sync-bench-local-{count}"
    folder_count = (count + PER_FOLDER - 1) // PER_FOLDER
    marker = root / f".filled-{count}"
    if not marker.exists():
        from cloudstorage.drivers.local import LocalDriver  # noqa: PLC0415

        LocalDriver(key=str(root), secret="bench").create_container("big")
        made = 0
        for folder in range(folder_count):
            path = root / "big" / f"d{folder:05d}"
            path.mkdir(exist_ok=True)
            for index in range(min(PER_FOLDER, count - made)):
                os.close(os.open(path / f"{index:06d}.bin", os.O_CREAT | os.O_WRONLY, 0o644))
                made += 1
        marker.touch()
    result = _measure_in_child({"kind": "local", "root": str(root), "container": "big"})
    assert result["count"] == count, result
    return result


def _moto(workdir: str):
    from tests.servers import start_moto  # noqa: PLC0415

    return start_moto(Path(tempfile.mkdtemp(dir=workdir)))


def _boto3(server):
    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    return boto3.client(
        "s3", endpoint_url=server.endpoint_url, aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key, region_name="us-east-1",
        config=Config(max_pool_connections=16),
    )  # fmt: skip


def list_s3(count: int, workdir: str) -> dict:
    server = _moto(workdir)
    try:
        client = _boto3(server)
        client.create_bucket(Bucket="big")

        def put(index: int) -> None:
            key = f"d{index // PER_FOLDER:05d}/{index:06d}.bin"
            client.put_object(Bucket="big", Key=key, Body=b"")

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(put, range(count)))
        result = _measure_in_child({
            "kind": "s3", "endpoint": server.endpoint_url, "key": server.access_key,
            "secret": server.secret_key, "container": "big",
        })  # fmt: skip
    finally:
        server.stop()
    assert result["count"] == count, result
    return result


def sync_s3(count: int, reps: int, workdir: str) -> dict:
    from cloudstorage.drivers.amazon import S3Driver  # noqa: PLC0415
    from cloudstorage.drivers.local import LocalDriver  # noqa: PLC0415
    from tests.servers.fault_proxy import FaultProxy  # noqa: PLC0415

    server = _moto(workdir)
    try:
        root = Path(tempfile.mkdtemp(dir=workdir))
        source = LocalDriver(key=str(root / "store"), secret="bench").create_container("src")
        files = []
        for index in range(count):
            name = f"d{index // PER_FOLDER:03d}/{index:06d}.txt"
            path = root / "store" / "src" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(1024))
            files.append((str(path), name))
        driver = S3Driver(server.access_key, server.secret_key, endpoint_url=server.endpoint_url)
        client = _boto3(server)

        def ours(bucket: str, prefix: str = "") -> None:
            report = source.sync_to(driver.create_container(bucket), prefix, max_workers=8)
            assert report.ok, report.summary()

        def raw(bucket: str, prefix: str = "") -> None:
            client.create_bucket(Bucket=bucket)
            chosen = [item for item in files if item[1].startswith(prefix)]

            def put(item: tuple[str, str]) -> None:
                with open(item[0], "rb") as body:
                    client.put_object(Bucket=bucket, Key=item[1], Body=body)

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(put, chosen))

        ours("warm-ours", "d000/")  # connections, imports, caches: the first folder
        raw("warm-raw", "d000/")
        times: dict[str, list[float]] = {"ours": [], "boto3": []}
        for rep in range(reps):
            for label, run in (("ours", ours), ("boto3", raw)):
                start = time.perf_counter()
                run(f"{label}-{rep}")
                times[label].append(time.perf_counter() - start)
        proxy = FaultProxy(server.endpoint_url)
        try:
            proxied = S3Driver(server.access_key, server.secret_key, endpoint_url=proxy.url)
            bucket = proxied.get_container("ours-0")
            proxy.clear()
            again = source.sync_to(bucket)
            requests = proxy.requests
        finally:
            proxy.close()
    finally:
        server.stop()
    ours_s, raw_s = statistics.median(times["ours"]), statistics.median(times["boto3"])
    return {
        "count": count, "blob_bytes": 1024, "reps": reps,
        "ours_s": round(ours_s, 2), "boto3_s": round(raw_s, 2), "ratio": round(ours_s / raw_s, 2),
        "ours_all_s": [round(t, 2) for t in times["ours"]],
        "boto3_all_s": [round(t, 2) for t in times["boto3"]],
        "second_run_copied": len(again.copied), "second_run_requests": len(requests),
        "second_run_methods": sorted({request.method for request in requests}),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["list-local", "list-s3", "sync-s3", "child"])
    parser.add_argument("spec", nargs="?")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()
    if args.what == "child":
        _child(json.loads(args.spec))
        return
    if args.what == "list-local":
        result = list_local(args.count, args.workdir)
    elif args.what == "list-s3":
        result = list_s3(args.count, args.workdir)
    else:
        result = sync_s3(args.count, args.reps, args.workdir)
    print(json.dumps({"benchmark": args.what, **result}))


if __name__ == "__main__":
    main()
