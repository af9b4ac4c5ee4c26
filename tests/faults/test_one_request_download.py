"""``container.get_blob(name).download(dest)``, the way 0.10 code downloads: one request for a
small blob, counted at the fault proxy in front of the real server.

The lookup is a ranged GET whose answer carries every attribute; a blob that fits in it is
kept on the `Blob` and written by the download that follows, checked like any download.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from cloudstorage import Container
from cloudstorage.base import prefetch
from cloudstorage.exceptions import CloudStorageError, NotFoundError
from tests.faults.conftest import Cloud, blob_path

INEXACT_ATTRIBUTES = {"gcs": 1}
"""Requests to read, after the download, attributes the lookup's answer could not give
exactly (loaded together on first read): GCS's media GET has no creation time, no JSON etag,
``Last-Modified`` only to the second, and header names that lost the case of metadata keys."""

SMALL = os.urandom(4096)

# The SDKs leave the connections the proxy cut for the garbage collector to close.
pytestmark = pytest.mark.filterwarnings(
    "ignore:unclosed <socket:ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)


def _upload_small(bucket: Container, cloud: Cloud, name: str) -> None:
    bucket.upload_blob(
        io.BytesIO(SMALL), blob_name=name, meta_data={"owner": "ana"}, content_type="text/csv"
    )
    cloud.proxy.clear()


def test_small_blob_by_name_is_one_request(cloud: Cloud, bucket: Container, tmp_path):
    _upload_small(bucket, cloud, "small.bin")
    blob = bucket.get_blob("small.bin")
    blob.download(str(tmp_path / "small.bin"))
    assert cloud.proxy.count() == 1
    assert (tmp_path / "small.bin").read_bytes() == SMALL
    # the one answer carried the size, type and MD5 ...
    assert blob.size == len(SMALL)
    assert blob.content_type == "text/csv"
    assert blob.checksum == hashlib.md5(SMALL).hexdigest()
    assert cloud.proxy.count() == 1
    # ... and every other attribute, or they are loaded on first read, all in one request
    assert blob.meta_data == {"owner": "ana"}
    assert blob.modified_at is not None
    assert blob.created_at is not None or cloud.name != "gcs"
    assert blob.etag
    assert cloud.proxy.count() == 1 + INEXACT_ATTRIBUTES.get(cloud.name, 0)


def test_kept_bytes_serve_one_download_only(cloud: Cloud, bucket: Container):
    _upload_small(bucket, cloud, "again.bin")
    blob = bucket.get_blob("again.bin")
    first, second = io.BytesIO(), io.BytesIO()
    blob.download(first)
    blob.download(second)  # dropped once used: the service is asked again
    assert first.getvalue() == second.getvalue() == SMALL
    assert cloud.proxy.count() >= 2


def test_large_blob_by_name_downloads_every_byte(cloud: Cloud, bucket: Container, tmp_path):
    data = os.urandom(3 * prefetch.HEAD_BYTES + 17)
    bucket.upload_blob(io.BytesIO(data), blob_name="large.bin")
    blob = bucket.get_blob("large.bin")
    assert blob.size == len(data)
    blob.download(str(tmp_path / "large.bin"))
    assert (tmp_path / "large.bin").read_bytes() == data


def test_empty_blob_by_name(cloud: Cloud, bucket: Container):
    bucket.upload_blob(io.BytesIO(b""), blob_name="empty.bin")
    blob = bucket.get_blob("empty.bin")
    out = io.BytesIO()
    blob.download(out)
    assert (blob.size, out.getvalue()) == (0, b"")


def test_missing_blob_raises_from_get_blob(cloud: Cloud, bucket: Container):
    with pytest.raises(NotFoundError):
        bucket.get_blob("missing.bin")


def test_corrupted_lookup_answer_fails_the_download(cloud: Cloud, bucket: Container, tmp_path):
    _upload_small(bucket, cloud, "c.bin")
    media = rf"/b/{bucket.name}/o/c\.bin\?.*alt=media" if cloud.name == "gcs" else None
    cloud.proxy.corrupt("GET", media or blob_path(bucket.name, "c.bin"), times=100)
    blob = bucket.get_blob("c.bin")  # the lookup's body is checked when it is written
    with pytest.raises(CloudStorageError, match=r"MD5|CRC32C"):
        blob.download(str(tmp_path / "c.bin"))
    assert cloud.proxy.count("corrupt") >= 1
    assert os.listdir(tmp_path) == []


def test_corrupted_large_download_raises(cloud: Cloud, bucket: Container, tmp_path):
    # chunks of a megabyte and more are hashed in a thread beside their write: still checked
    bucket.upload_blob(io.BytesIO(os.urandom(3 * 2**20)), blob_name="big.bin")
    blob = bucket.get_blob("big.bin")
    media = rf"/b/{bucket.name}/o/big\.bin\?.*alt=media" if cloud.name == "gcs" else None
    cloud.proxy.corrupt("GET", media or blob_path(bucket.name, "big.bin"), times=100)
    with pytest.raises(CloudStorageError, match=r"MD5|CRC32C"):
        blob.download(str(tmp_path / "big.bin"))
    assert os.listdir(tmp_path) == []


def test_download_blobs_by_name_is_one_request_per_small_blob(
    cloud: Cloud, bucket: Container, tmp_path
):
    for index in range(3):
        bucket.upload_blob(io.BytesIO(SMALL), blob_name=f"many/{index}.bin")
    cloud.proxy.clear()
    paths = bucket.download_blobs([f"many/{index}.bin" for index in range(3)], str(tmp_path))
    assert cloud.proxy.count() == 3
    assert all(Path(path).read_bytes() == SMALL for path in paths)
