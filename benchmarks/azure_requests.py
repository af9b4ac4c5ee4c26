"""Requests per operation and transfer memory of AzureStorageDriver, beside raw adlfs, on Azurite.

Metrics, defined before any number:
- requests: HTTP exchanges the Azure SDK sends (counted in azure-core's sync and async
  transports) for one operation on a small blob (5 bytes, metadata and content type set);
- time: median wall time of that operation over ``--repeat`` runs, and its ratio to raw adlfs;
- peak: tracemalloc peak (MiB) of an upload from a file and a download to a file, at two blob
  sizes: flat memory means the peak does not grow with the size.

    python -m benchmarks.azure_requests [--repeat 20] [--sizes-mib 20,48]

Starts its own in-memory Azurite on 127.0.0.1 (``scripts/install-servers`` installs it).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from azure.core.pipeline.transport import AioHttpTransport, RequestsTransport

from tests.rigs import start_rig

SENT: list[str] = []


def _count_requests() -> None:
    sync_send, async_send = RequestsTransport.send, AioHttpTransport.send

    def send(self, request, **kwargs):
        SENT.append(request.method)
        return sync_send(self, request, **kwargs)

    async def asend(self, request, **kwargs):
        SENT.append(request.method)
        return await async_send(self, request, **kwargs)

    RequestsTransport.send = send
    AioHttpTransport.send = asend


def measure(action: Callable[[], object], repeat: int) -> tuple[int, float]:
    """(requests of one run, median seconds)."""
    SENT.clear()
    action()
    requests = len(SENT)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return requests, statistics.median(times)


def peak_mib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sizes-mib", default="20,48")
    args = parser.parse_args()
    _count_requests()
    with tempfile.TemporaryDirectory() as workdir, start_rig("azure", Path(workdir)) as rig:
        driver = rig.driver
        fs = driver.fs
        container = driver.create_container("bench-requests")
        for index in range(10):
            container.upload_blob(io.BytesIO(b"x"), blob_name=f"list/{index}.txt")
        meta = {"owner-id": "1"}
        small = container.upload_blob(io.BytesIO(b"small"), blob_name="s.txt")
        ours: dict[str, Callable[[], object]] = {
            "put": lambda: container.upload_blob(
                io.BytesIO(b"small"), blob_name="s.txt", meta_data=meta, content_type="text/x"
            ),
            "get_blob": lambda: container.get_blob("s.txt"),
            "download": lambda: small.download(io.BytesIO()),
            "list_10_with_attributes": lambda: [
                (blob.meta_data, blob.content_type, blob.checksum) for blob in iter(container)
            ],
        }
        path = f"{container.name}/raw.txt"
        raw: dict[str, Callable[[], object]] = {
            "put": lambda: _adlfs_put(fs, path),
            "get_blob": lambda: fs.info(path, refresh=True),
            "download": lambda: fs.cat_file(path),
            "list_10_with_attributes": lambda: fs.find(f"{container.name}/list", detail=True),
        }
        ops = {}
        for name, action in ours.items():
            requests, seconds = measure(action, args.repeat)
            raw_requests, raw_seconds = measure(raw[name], args.repeat)
            ops[name] = {
                "requests": requests,
                "adlfs_requests": raw_requests,
                "ms": round(seconds * 1000, 2),
                "ratio_to_adlfs": round(seconds / raw_seconds, 2),
            }
        ops["get_blob"]["ms_note"] = "our get_blob includes building the Blob"
        peaks = {}
        for size in (int(mib) for mib in args.sizes_mib.split(",")):
            local = Path(workdir) / "big.bin"
            with open(local, "wb") as out:
                for _ in range(size):
                    out.write(os.urandom(2**20))
            with open(local, "rb") as source:
                up = peak_mib(lambda source=source: container.upload_blob(source, "big.bin"))
            blob = container.get_blob("big.bin")
            down = peak_mib(lambda blob=blob, local=local: blob.download(str(local)))
            peaks[f"{size}MiB"] = {
                "upload_peak_mib": round(up, 1),
                "download_peak_mib": round(down, 1),
            }
        print(json.dumps({"operations": ops, "transfer_memory": peaks}, indent=2))


def _adlfs_put(fs: object, path: str) -> None:
    with fs.open(
        path, "wb", metadata={"owner__id": "1"}, content_settings={"content_type": "text/x"}
    ) as file:  # type: ignore[attr-defined]
        file.write(b"small")


if __name__ == "__main__":
    main()
