"""Requests per operation and transfer memory of AzureStorageDriver, beside raw adlfs, on Azurite.

Metrics, defined before any number:
- requests: HTTP requests that reach Azurite for one operation on a small blob (5 bytes,
  metadata and content type set), counted by the test suite's fault proxy in front of it
  (a second driver on the proxy's URL; the timed runs go straight to Azurite);
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
from urllib.parse import urlsplit

from cloudstorage.drivers.microsoft import AzureStorageDriver
from tests.rigs import start_rig
from tests.servers.fault_proxy import FaultProxy, start_fault_proxy


def upstream_of(endpoint_url: str) -> str:
    parts = urlsplit(endpoint_url)
    return f"{parts.scheme}://{parts.netloc}"


Actions = tuple[dict[str, Callable[[], object]], dict[str, Callable[[], object]]]


def actions(driver: AzureStorageDriver, container_name: str) -> Actions:
    """(ours, raw adlfs) actions of each operation, on this driver's client."""
    container = driver.get_container(container_name)
    fs = driver.fs
    meta = {"owner-id": "1"}
    small = next(blob for blob in container if blob.name == "s.txt")  # no bytes kept
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
    return ours, raw


def requests_of(action: Callable[[], object], proxy: FaultProxy) -> int:
    """Requests one run sends, counted by the proxy in front of Azurite."""
    proxy.clear()
    action()
    return len(proxy.take())


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    action()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    with (
        tempfile.TemporaryDirectory() as workdir,
        start_rig("azure", Path(workdir)) as rig,
        start_fault_proxy(upstream_of(rig.driver.endpoint_url)) as proxy,
    ):
        driver = rig.driver
        container = driver.create_container("bench-requests")
        for index in range(10):
            container.upload_blob(io.BytesIO(b"x"), blob_name=f"list/{index}.txt")
        container.upload_blob(io.BytesIO(b"small"), blob_name="s.txt")
        container.upload_blob(io.BytesIO(b"small"), blob_name="raw.txt")
        counted = AzureStorageDriver(
            driver.account_name,
            driver.key,
            endpoint_url=proxy.url + urlsplit(driver.endpoint_url).path,
        )
        ours, raw = actions(driver, container.name)  # timed: straight to Azurite
        ours_counted, raw_counted = actions(counted, container.name)  # through the proxy
        ops = {}
        for name, action in ours.items():
            seconds = median_seconds(action, args.repeat)
            raw_seconds = median_seconds(raw[name], args.repeat)
            ops[name] = {
                "requests": requests_of(ours_counted[name], proxy),
                "adlfs_requests": requests_of(raw_counted[name], proxy),
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
