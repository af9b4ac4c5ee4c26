"""A copy within one store is one request, counted at the proxy, and no blob byte passes it."""

from __future__ import annotations

import io
import os

import pytest

from cloudstorage import Container
from cloudstorage.drivers import _s3_copy
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
