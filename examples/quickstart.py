"""A tour of cloudstorage on the local store: the object API, the fsspec door, and signed URLs
and upload forms served over HTTP by `cloudstorage serve`.

Run: ``python examples/quickstart.py [STORAGE_DIR]`` (default ``./storage``). Swap the driver
for ``get_driver_by_name("S3")(key=..., secret=...)`` and the rest runs unchanged.
"""

from __future__ import annotations

import io
import logging
import sys
import tempfile
import threading
from pathlib import Path

import fsspec
import pandas as pd
import requests
from werkzeug.serving import make_server

from cloudstorage import get_driver_by_name
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.serve import make_app


def main(storage_dir: str) -> None:
    storage = get_driver_by_name("LOCAL")(key=storage_dir, secret="demo-secret", salt="demo")
    container = storage.create_container("demo-container")
    print(f"container  {container.name!r} at {container.uri}")

    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.csv"
        report.write_text("city,population\nOslo,709000\nLima,10000000\n")
        blob = container.upload_blob(
            str(report),
            meta_data={"owner-id": "1", "owner-email": "user.one@startup.com"},
            content_disposition='attachment; filename="report.csv"',
            cache_control="max-age=3600",
        )
    print(f"uploaded   {blob.name} ({blob.size} bytes, {blob.content_type})")
    container.upload_blob(io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)), blob_name="img/logo.png")

    fetched = container.get_blob("report.csv")
    print(f"metadata   {dict(fetched.meta_data)}  md5={fetched.checksum}")
    print(f"listing    {[b.name for b in container]}  ({len(container)} blobs)")

    copy = io.BytesIO()
    fetched.download(copy)
    print(f"downloaded {len(copy.getvalue())} bytes")

    signature = fetched.generate_download_url(expires=120)
    payload = storage.validate_signature(signature)
    where = f"{payload['container']}/{payload['blob_name']}"
    print(f"signed URL for {where} valid until {payload['expires']}")
    form = container.generate_upload_url("avatar.png", expires=120, content_length=(1, 2**20))
    print(f"upload form fields {sorted(form['fields'])}")

    frame = pd.read_csv(fetched.uri, storage_options=storage.storage_options)
    print(f"pandas     read {len(frame)} rows from {fetched.uri}")
    with fsspec.open(fetched.uri, "rb", **storage.storage_options) as file:
        print(f"fsspec     first line {file.readline().strip()!r}")
    print(f"on disk    {fetched.cdn_url}  (getfattr -d shows the metadata)")
    serve_demo(storage_dir)


def serve_demo(storage_dir: str) -> None:
    """`cloudstorage serve` makes the signatures real URLs: download one, upload through a form."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log in a demo
    server = make_server("127.0.0.1", 0, make_app(LocalDriver(storage_dir, "demo-secret", "demo")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}/storage"
    storage = LocalDriver(key=storage_dir, secret="demo-secret", salt="demo", base_url=base_url)
    container = storage.get_container("demo-container")
    try:
        url = container.get_blob("report.csv").generate_download_url(
            expires=60, content_disposition='attachment; filename="cities.csv"'
        )
        response = requests.get(url, headers={"Range": "bytes=0-3"}, timeout=10)
        print(
            f"serve      GET signed URL, Range 0-3 -> {response.status_code} {response.content!r}"
        )
        form = container.generate_upload_url("hello.txt", expires=60, content_length=(1, 100))
        files = {"file": ("hello.txt", b"hello from a form", "text/plain")}
        response = requests.post(form["url"], data=form["fields"], files=files, timeout=10)
        uploaded = container.get_blob("hello.txt")
        print(
            f"serve      POST upload form -> {response.status_code}; stored {uploaded.size} bytes"
        )
        too_big = {"file": ("big.txt", b"x" * 101, "text/plain")}
        response = requests.post(form["url"], data=form["fields"], files=too_big, timeout=10)
        print(f"serve      POST 101 bytes against a 100-byte policy -> {response.status_code}")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "storage")
