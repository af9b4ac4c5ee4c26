"""Copies seen at the proxy: one request within a store, no blob byte through the client;
an interrupted copy between stores leaves no blob."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from cloudstorage import Container
from cloudstorage.drivers.amazon import _copy as _s3_copy
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import CloudStorageError
from tests.faults.conftest import S3_FAMILY, Cloud

SIZE = 1024 * 1024


def test_copy_within_a_store_is_one_request_without_the_bytes(cloud: Cloud, bucket: Container):
    data = os.urandom(SIZE)
    source = bucket.upload_blob(io.BytesIO(data), blob_name="src.bin", meta_data={"k": "v"})
    cloud.proxy.clear()
    copied = bucket.copy_blob(source, "dst.bin")
    requests = cloud.proxy.requests
    assert len(requests) == 1, requests
    assert sum(cloud.proxy.body_bytes) < SIZE // 100  # the request and answer: no blob in them
    assert copied.size == SIZE
    out = io.BytesIO()
    bucket.get_blob("dst.bin").download(out)
    assert out.getvalue() == data
    assert dict(bucket.get_blob("dst.bin").meta_data) == {"k": "v"}


def test_multipart_copy_keeps_bytes_and_attributes(
    cloud: Cloud, bucket: Container, monkeypatch: pytest.MonkeyPatch
):
    """Above CopyObject's 5 GiB (here lowered): UploadPartCopy ranges, nothing through us."""
    if cloud.name not in S3_FAMILY:
        pytest.skip("S3's multipart copy")
    monkeypatch.setattr(_s3_copy, "COPY_OBJECT_MAX", 1)
    monkeypatch.setattr(_s3_copy, "COPY_PART", 5 * 2**20)  # S3's smallest part
    data = os.urandom(12 * 2**20)
    source = bucket.upload_blob(
        io.BytesIO(data), blob_name="big.bin", content_type="text/csv", meta_data={"k": "v"}
    )
    cloud.proxy.clear()
    bucket.copy_blob(source, "copy.bin")
    assert sum(cloud.proxy.body_bytes) < 2**20
    assert cloud.proxy.count() == 6  # HEAD, create, three part copies, complete
    copied = bucket.get_blob("copy.bin")
    out = io.BytesIO()
    copied.download(out)
    assert out.getvalue() == data
    assert (copied.content_type, dict(copied.meta_data)) == ("text/csv", {"k": "v"})


def test_interrupted_copy_out_of_the_store_leaves_no_blob(
    cloud: Cloud, bucket: Container, tmp_path: Path
):
    """Every read of the source breaks off mid-answer: the copy raises, nothing appears."""
    bucket.upload_blob(io.BytesIO(os.urandom(3 * SIZE)), blob_name="src.bin")
    source = bucket.get_blob("src.bin")
    target = LocalDriver(str(tmp_path / "store")).create_container("target")
    cloud.proxy.drop_response("GET", r"src\.bin", times=1000)
    with pytest.raises((CloudStorageError, OSError)):
        target.copy_blob(source)
    assert list(target) == []
    assert os.listdir(tmp_path / "store" / "target") == []  # no temporary file either


def test_interrupted_copy_into_the_store_leaves_no_blob(
    cloud: Cloud, bucket: Container, tmp_path: Path
):
    """Every write the copy sends fails: the copy raises, no blob (nor old one) changes."""
    local = LocalDriver(str(tmp_path / "store")).create_container("source")
    source = local.upload_blob(io.BytesIO(os.urandom(10 * SIZE)), blob_name="big.bin")
    cloud.proxy.fail("PUT", r"big\.bin", times=1000)
    cloud.proxy.fail("POST", r"big\.bin", times=1000)
    with pytest.raises(CloudStorageError):
        bucket.copy_blob(source)
    cloud.proxy.clear()
    assert "big.bin" not in bucket
