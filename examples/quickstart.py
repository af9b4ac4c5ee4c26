"""A tour of cloudstorage on the local store: the object API, signed URLs, and the fsspec door.

Run: ``python examples/quickstart.py [STORAGE_DIR]`` (default ``./storage``). Swap the driver
for ``get_driver_by_name("S3")(key=..., secret=...)`` and the rest runs unchanged.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import fsspec
import pandas as pd

from cloudstorage import get_driver_by_name


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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "storage")
