"""Peak memory of `upload_blobs` / `download_blobs` as ``max_workers`` grows (S3 on moto).

Issue #19's target: bulk memory independent of ``max_workers`` beyond the part buffers. Each
(verb, workers) pair runs in a process of its own (threads and allocator arenas of an earlier
run would hide a later one's growth) and reports `benchmarks.memory_probe.growth_mib` over a
warmed-up, connected driver. Starts and stops its own moto server.

    python -m benchmarks.bulk_memory [--blobs 2000] [--workers 1,4,8,16,32]

Prints one JSON line per run: verb, workers, growth of the peak RSS in MiB.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.memory_probe import growth_mib
from cloudstorage.drivers.amazon import S3Driver

BLOB_BYTES = 4096
CONTAINER = "bulk-memory"


def measure(endpoint: str, verb: str, workers: int, blobs: int) -> dict[str, object]:
    """One run, in this process: the peak RSS growth of one bulk call of ``blobs`` blobs."""
    container = S3Driver("testing", "testing", endpoint_url=endpoint).get_container(CONTAINER)
    data = os.urandom(BLOB_BYTES)
    container.upload_blob(io.BytesIO(data), "warm.bin")  # connected, clients built
    container.get_blob("warm.bin").download(io.BytesIO())
    names = [f"{verb}-{workers}/{index:05d}.bin" for index in range(blobs)]
    with tempfile.TemporaryDirectory() as folder:
        if verb == "upload_blobs":
            items = [(io.BytesIO(data), name) for name in names]
            grown = growth_mib(lambda: container.upload_blobs(items, max_workers=workers))
        else:
            sources = [f"upload_blobs-1/{index:05d}.bin" for index in range(blobs)]
            grown = growth_mib(
                lambda: container.download_blobs(sources, folder, max_workers=workers)
            )
    return {"verb": verb, "workers": workers, "blobs": blobs, "peak_growth_mib": grown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blobs", type=int, default=2000)
    parser.add_argument("--workers", default="1,4,8,16,32")
    parser.add_argument("--child", nargs=3, metavar=("ENDPOINT", "VERB", "WORKERS"))
    args = parser.parse_args()
    if args.child:
        endpoint, verb, workers = args.child
        print(json.dumps(measure(endpoint, verb, int(workers), args.blobs)))
        return
    from tests.rigs.s3 import s3_driver  # noqa: PLC0415  # only the parent starts moto
    from tests.servers import start_moto  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as workdir, start_moto(Path(workdir)) as server:
        s3_driver(server).create_container(CONTAINER)
        counts = [int(count) for count in args.workers.split(",")]
        for verb in ("upload_blobs", "download_blobs"):  # downloads read upload_blobs-1/
            for workers in sorted(set(counts) | {1}) if verb == "upload_blobs" else counts:
                child = [sys.executable, "-m", "benchmarks.bulk_memory", "--blobs"]
                child += [str(args.blobs), "--child", server.endpoint_url, verb, str(workers)]
                subprocess.run(child, check=True)


if __name__ == "__main__":
    main()
