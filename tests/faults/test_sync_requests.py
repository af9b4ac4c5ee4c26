"""`sync_to` against each cloud's real server through the fault proxy: the requests a second
run sends, a source listing that fails midway, a copy that fails."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest

from cloudstorage import Container
from cloudstorage.base.sync import SyncError
from cloudstorage.drivers.local import LocalDriver
from tests.conftest import unique_name
from tests.faults.conftest import Cloud, upload_path
from tests.paging import small_listing_pages


def _listing(container: str) -> str:
    """A regex for a listing request of ``container`` (S3, Azure, Swift ``/C?``; GCS ``/C/o?``)."""
    return rf"/{container}(/o)?(\?|$)"


@pytest.fixture
def local(tmp_path) -> Container:
    return LocalDriver(key=str(tmp_path / "store"), secret="s").create_container("local")


@pytest.fixture
def second(cloud: Cloud) -> Iterator[Container]:
    created = cloud.driver.create_container(unique_name("sync"))
    yield created
    for blob in list(created):
        blob.delete()
    created.delete()


def test_a_second_sync_with_nothing_changed_sends_only_listings(
    cloud: Cloud, bucket: Container, second: Container, local: Container
):
    for index in range(5):
        local.upload_blob(io.BytesIO(b"x" * index), blob_name=f"d/{index}.txt")
    assert len(local.sync_to(bucket).copied) == 5
    assert len(bucket.sync_to(second).copied) == 5  # store to store: compared by MD5
    cloud.proxy.clear()
    assert local.sync_to(bucket).copied == []
    assert bucket.sync_to(second).copied == []
    seen = cloud.proxy.requests
    assert len(seen) == 3, seen  # one page of the bucket, then one of each container
    for request in seen:
        assert request.method == "GET", seen
        assert re.search(_listing(bucket.name) + "|" + _listing(second.name), request.path)


def test_a_source_listing_that_fails_midway_deletes_nothing(
    cloud: Cloud, bucket: Container, local: Container, monkeypatch
):
    assert small_listing_pages(cloud.driver, monkeypatch, 2)
    for index in range(5):
        bucket.upload_blob(io.BytesIO(b"new"), blob_name=f"b{index}")
    local.upload_blob(io.BytesIO(b"old"), blob_name="a-extra")  # merged before the failure
    cloud.proxy.clear()
    cloud.proxy.fail("GET", _listing(bucket.name), times=1000, skip=1, status=500)
    with pytest.raises(SyncError, match="nothing deleted") as caught:
        bucket.sync_to(local, delete=True)
    assert "a-extra" in local
    assert caught.value.report.deleted == []
    assert caught.value.report.copied == ["b0", "b1"]  # the first page's, done before


def test_a_failed_copy_keeps_the_old_blob_and_is_reported(
    cloud: Cloud, bucket: Container, local: Container
):
    bucket.upload_blob(io.BytesIO(b"old"), blob_name="a.txt")
    local.upload_blob(io.BytesIO(b"new contents"), blob_name="a.txt")
    local.upload_blob(io.BytesIO(b"bee"), blob_name="b.txt")
    cloud.proxy.fail("*", upload_path(cloud.name, bucket.name, "a.txt"), times=1000, status=500)
    report = local.sync_to(bucket)
    assert list(report.failures) == ["a.txt"]
    assert report.copied == ["b.txt"]
    assert not report.ok
    direct = cloud.rig.driver.get_container(bucket.name)  # not through the proxy
    kept = io.BytesIO()
    direct.get_blob("a.txt").download(kept)
    assert kept.getvalue() == b"old"
