"""Requests per operation: GoogleStorageDriver beside raw gcsfs, on fake-gcs-server.

Metric: HTTP requests the client sends to the storage endpoint for one operation, counted by
a proxy in front of fake-gcs-server (token fetches go elsewhere and are not counted; chunks of
a resumable upload go to the upload session URL and are not counted either). Run with
``.venv/bin/python -m benchmarks.gcs_requests [-v]`` from the repository root (``-v`` lists the
requests). A download is two round trips: gcsfs's file object looks the object up (a GET, with a
folder-probing listing sent in parallel) before its ranged GET of the bytes.
"""

from __future__ import annotations

import io
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fsspec

from cloudstorage.drivers.google import GoogleStorageDriver
from tests.drivers.test_google import Recorder, _proxy_handler, _QuietServer
from tests.rigs.gcs import start_gcs

BLOBS_LISTED = 50


def main() -> None:
    with start_gcs(Path(tempfile.mkdtemp(prefix="gcs-requests-"))) as rig:
        recorder = Recorder()
        proxy = _QuietServer(("127.0.0.1", 0), _proxy_handler(rig.driver.endpoint_url, recorder))
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            endpoint = f"http://127.0.0.1:{proxy.server_address[1]}"
            driver = GoogleStorageDriver(key=rig.driver.key, endpoint_url=endpoint)
            raw = fsspec.filesystem("gs", **driver.storage_options, skip_instance_cache=True)
            container = driver.create_container("bench-requests")
            path = f"{container.name}/small.txt"

            def count(action: Callable[[], Any]) -> int:
                time.sleep(0.2)  # let a cancelled parallel probe of the last step arrive
                recorder.clear()
                action()
                time.sleep(0.2)
                taken = recorder.taken()
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
            proxy.shutdown()
            proxy.server_close()


if __name__ == "__main__":
    main()
