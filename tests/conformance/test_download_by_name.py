"""``container.get_blob(name).download(dest)`` on every driver: the bytes and attributes of the
lookup, whether the lookup's answer held the whole blob (small) or not (large).

Request counts are asserted where a proxy sees them: tests/faults/test_one_request_download.py.
"""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from cloudstorage import Container
from cloudstorage.base import prefetch


@pytest.mark.parametrize("size", [0, 4096, 3 * prefetch.HEAD_BYTES + 17])
def test_get_blob_then_download_twice(container: Container, tmp_path, size: int):
    data = os.urandom(size)
    container.upload_blob(io.BytesIO(data), blob_name="d/b.csv", meta_data={"k": "v"})
    blob = container.get_blob("d/b.csv")
    assert (blob.size, blob.content_type, blob.meta_data) == (size, "text/csv", {"k": "v"})
    assert blob.checksum in (None, hashlib.md5(data).hexdigest())
    blob.download(str(tmp_path / "first.csv"))
    again = io.BytesIO()
    blob.download(again)
    assert (tmp_path / "first.csv").read_bytes() == again.getvalue() == data
