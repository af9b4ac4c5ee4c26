"""``container.get_blob(name).download(dest)`` on every driver: the bytes and attributes of the
lookup, whether the lookup's answer held the whole blob (small) or not (large).

Request counts are asserted where a proxy sees them: tests/faults/test_one_request_download.py.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle

import pytest

from cloudstorage import Blob, Container
from cloudstorage.base import prefetch
from cloudstorage.base.blob import UNSET


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


ATTRIBUTES = (
    "size", "checksum", "etag", "acl", "content_type", "content_disposition", "cache_control",
    "created_at", "modified_at", "expires_at",
)  # fmt: skip


def _attributes(blob: Blob) -> dict[str, object]:
    # the metadata's keys as given (the dict compares them case-insensitively)
    return {"meta_data": sorted(blob.meta_data.items())} | {
        name: getattr(blob, name) for name in ATTRIBUTES
    }


@pytest.mark.parametrize("size", [0, 4096, 3 * prefetch.HEAD_BYTES + 17])
def test_looked_up_blob_has_the_attributes_of_the_listed_one(container: Container, size: int):
    # GCS looks up with a media GET whose headers lose the metadata keys' case, have no
    # creation time and give times to the second: those must load as a listing has them
    container.upload_blob(
        io.BytesIO(os.urandom(size)), blob_name="same.csv", content_type="text/csv",
        meta_data={"Owner-Id": "Ana", "k": "v", "MixedCase": "Value"},
        content_disposition="attachment; filename=same.csv", cache_control="no-cache",
    )  # fmt: skip
    looked_up = container.get_blob("same.csv")
    (listed,) = container.list_blobs("same")
    assert _attributes(looked_up) == _attributes(listed)


def test_looked_up_blob_pickles_with_attributes_still_to_load(container: Container):
    container.upload_blob(io.BytesIO(b"p"), blob_name="p.bin", meta_data={"Key": "V"})
    blob = container.get_blob("p.bin")
    copy = pickle.loads(pickle.dumps(blob))
    assert copy == blob
    assert repr(copy) == repr(blob)
    unset = {key for key, value in blob.__dict__.items() if value is UNSET}
    assert {key for key, value in copy.__dict__.items() if value is UNSET} == unset
    assert dict(copy.meta_data) == dict(blob.meta_data)
    assert copy.meta_data == {"Key": "V"}  # S3 and Swift store keys lowercased
    assert (copy.modified_at, copy.etag) == (blob.modified_at, blob.etag)
    out = io.BytesIO()
    copy.download(out)
    assert out.getvalue() == b"p"
