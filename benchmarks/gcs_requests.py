"""Requests per operation: GoogleStorageDriver beside raw gcsfs, on fake-gcs-server.

Metric: HTTP requests the client sends to the storage endpoint for one operation, counted by
a proxy in front of fake-gcs-server (token fetches go elsewhere and are not counted; the proxy
rewrites a resumable session's URL to itself, so chunks are counted). Run with
``.venv/bin/python -m benchmarks.gcs_requests [-v]`` from the repository root (``-v`` lists the
requests). The driver puts up to 8 MiB in one multipart POST; more goes in a resumable upload,
as one streamed request from a seekable source (the 40 MiB row) or in 32 MiB chunks from a
stream that cannot seek. It downloads with one streamed GET. gcsfs's file objects (the
right-hand column of the 40 MiB rows, as the driver used them before) initiate a resumable
session even for a small write, write 8 MiB chunks, and look the object up (an object GET and a
folder-probing listing) before reading 8 MiB ranges.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fsspec

from cloudstorage.drivers.google import GoogleStorageDriver
from tests.rigs import start_rig
from tests.servers.fault_proxy import FaultProxy

BLOBS_LISTED = 50
LARGE = 40 * 1024 * 1024


def main() -> None:
    with start_rig("gcs", Path(tempfile.mkdtemp(prefix="gcs-requests-"))) as rig:
        proxy = FaultProxy(rig.driver.endpoint_url)  # the test suite's counter
        try:
            endpoint = proxy.url
            driver = GoogleStorageDriver(key=rig.driver.key, endpoint_url=endpoint)
            raw = fsspec.filesystem("gs", **driver.storage_options, skip_instance_cache=True)
            container = driver.create_container("bench-requests")
            path = f"{container.name}/small.txt"

            def count(action: Callable[[], Any]) -> int:
                time.sleep(0.2)  # let a cancelled parallel probe of the last step arrive
                proxy.clear()
                action()
                time.sleep(0.2)
                taken = [(seen.method, seen.path) for seen in proxy.take()]
                if "-v" in sys.argv:  # show what was sent
                    print(taken)
                return len(taken)

            container.upload_blob(io.BytesIO(b"small"), blob_name="small.txt")
            blob = container.get_blob("small.txt")
            rows = [
                (
                    "small put (5 B + metadata, disposition, cache control)",
                    count(lambda: container.upload_blob(
                        io.BytesIO(b"small"), blob_name="small.txt", meta_data={"a": "1"},
                        content_disposition="inline", cache_control="no-cache",
                    )),
                    count(lambda: raw.pipe_file(path, b"small", metadata={"a": "1"})),
                ),
                (
                    "get (lookup: get_blob / fs.info)",
                    count(lambda: container.get_blob("small.txt")),
                    count(lambda: raw.info(path)),
                ),
                (
                    "download small blob (download / fs.cat_file)",
                    count(lambda: blob.download(io.BytesIO())),
                    count(lambda: raw.cat_file(path)),
                ),
            ]  # fmt: skip
            large = bytes(LARGE)

            def gcsfs_write() -> None:
                with raw.open(f"{container.name}/large.bin", "wb", block_size=8 * 2**20) as f:
                    for start in range(0, LARGE, 8 * 2**20):  # as the driver used to copy
                        f.write(large[start : start + 8 * 2**20])

            def gcsfs_read() -> None:
                with raw.open(f"{container.name}/large.bin", "rb") as f:
                    while f.read(8 * 2**20):
                        pass

            container.upload_blob(io.BytesIO(large), blob_name="large.bin")
            big = container.get_blob("large.bin")
            rows += [
                (
                    "put 40 MiB (upload_blob / gcsfs open('wb'), 8 MiB blocks)",
                    count(lambda: container.upload_blob(io.BytesIO(large), blob_name="large.bin")),
                    count(gcsfs_write),
                ),
                (
                    "download 40 MiB of a listed blob (download / gcsfs open('rb'))",
                    count(lambda: big.download(io.BytesIO())),
                    count(gcsfs_read),
                ),
            ]
            for index in range(BLOBS_LISTED - 1):
                container.upload_blob(io.BytesIO(b"x"), blob_name=f"l/{index}.txt")
            rows.append(
                (
                    f"listing {BLOBS_LISTED} blobs, reading content type + metadata of each",
                    count(lambda: [(b.content_type, b.meta_data) for b in iter(container)]),
                    count(lambda: raw.find(container.name, detail=True)),
                )
            )
            print(f"{'operation':<72} {'driver':>6} {'gcsfs':>6}")
            for name, ours, theirs in rows:
                print(f"{name:<72} {ours:>6} {theirs:>6}")
        finally:
            proxy.close()


if __name__ == "__main__":
    main()
