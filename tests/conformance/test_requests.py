"""Requests per operation: what each call costs, counted where the server sees it.

The rig's driver is rebuilt on a `FaultProxy` in front of its server (`tests.rigs.proxied`);
the proxy records every request, whatever the transport (botocore, aiohttp, azure-core,
requests), so one counter serves every driver. What differs between services is one row of
`COSTS`, not a copy of the test. The local rigs send no HTTP requests and are skipped.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cloudstorage import Container, Driver
from cloudstorage.exceptions import CloudStorageError
from tests.conftest import unique_name
from tests.rigs import Rig, ServerPool
from tests.rigs.proxied import CLOUD_FAMILY, S3_FAMILY, SWIFT_FAMILY, proxied_driver, upstream
from tests.servers.fault_proxy import FaultProxy


@dataclass(frozen=True)
class Costs:
    """HTTP requests one operation on a small blob sends to a service's server."""

    upload: int = 1
    """``upload_blob`` of a few bytes with metadata and a content type."""
    get_blob: int = 1
    """``get_blob``: every attribute (and, where the answer carries them, a small blob's bytes)."""
    download_after_get_blob: int = 0
    """The first ``download`` of a blob just looked up (0: the lookup's bytes)."""
    inexact_after_get_blob: int = 0
    """Reading a looked-up blob's metadata, times and etag (0: the lookup's answer carried them;
    else they load together, once, on first read)."""
    download: int = 1
    """A ``download`` of a listed blob, or a second one of a looked-up blob (its size known)."""
    listing: int = 1
    """Listing a container of a few blobs (one page), reading names, sizes and ETags."""
    lookup_per_listed_blob: int = 0
    """Per listed blob, to read its content type, checksum and metadata (one lookup at most)."""
    copy: int = 1
    """``copy_blob`` of a looked-up blob to another container of the store (server side)."""
    delete: int = 1
    """``Blob.delete``."""
    contains: int = 1
    """``name in container`` of a blob that is there."""
    contains_missing: int = 1
    """``name in container`` of a blob that is not."""


COSTS: dict[str, Costs] = {
    # the listing carries no content type or metadata: one HEAD per blob loads them all;
    # a delete first HEADs (s3fs's rm_file), then DELETEs
    **dict.fromkeys(S3_FAMILY, Costs(lookup_per_listed_blob=1, delete=2)),
    "azure": Costs(),
    # the lookup is a ranged media GET: its headers lack timeCreated and the JSON etag, give
    # Last-Modified to the second and metadata keys without their case; those load on first
    # read, with the JSON GET
    "gcs": Costs(inexact_after_get_blob=1),
    # the listing carries the content type and MD5, not the metadata (one HEAD); a delete
    # first asks to delete a large object's manifest, then deletes the object; a 404 for a
    # blob is followed by a one-entry listing (is the name a folder?)
    **dict.fromkeys(SWIFT_FAMILY, Costs(lookup_per_listed_blob=1, delete=2, contains_missing=2)),
}


@dataclass
class Counted:
    """The rig's driver behind a proxy that counts what reaches the server."""

    proxy: FaultProxy
    driver: Driver
    costs: Costs

    def sent(self) -> int:
        """Requests to the store since the last call (Swift's TempAuth logins left out)."""
        return sum(1 for seen in self.proxy.take() if not seen.route.startswith("/auth/"))


@pytest.fixture(scope="session")
def counted_session(rig: Rig, servers: ServerPool) -> Iterator[Counted]:
    if rig.name not in CLOUD_FAMILY:
        pytest.skip(f"{rig.name} sends no HTTP requests")
    proxy = FaultProxy(upstream(rig, servers))
    stops: list[Any] = []
    try:
        yield Counted(proxy, proxied_driver(rig, proxy.url, servers, stops), COSTS[rig.name])
    finally:
        for stop in stops:
            stop()
        proxy.close()


@pytest.fixture
def counted(counted_session: Counted) -> Iterator[Counted]:
    counted_session.proxy.clear()
    yield counted_session
    counted_session.proxy.clear()


def _fresh(counted: Counted, prefix: str) -> Iterator[Container]:
    """A fresh container made through the proxy (so the driver knows it as it would its own),
    removed with its blobs; nothing counted yet."""
    created = counted.driver.create_container(unique_name(prefix))
    counted.proxy.clear()
    yield created
    for blob in list(created):
        blob.delete()
    created.delete()


@pytest.fixture
def box(counted: Counted) -> Iterator[Container]:
    yield from _fresh(counted, "counted")


@pytest.fixture
def into(counted: Counted) -> Iterator[Container]:
    yield from _fresh(counted, "into")


MD5_SMALL = "eb5c1399a871211c7e7ed732d15e3a8b"  # of b"small"


def _upload(box: Container, name: str = "a.txt") -> None:
    box.upload_blob(
        io.BytesIO(b"small"), blob_name=name, meta_data={"owner-id": "1"}, content_type="text/x"
    )


def test_small_upload_lookup_and_download_cost(counted: Counted, box: Container):
    costs = counted.costs
    _upload(box)
    assert counted.sent() == costs.upload  # metadata and headers ride along
    blob = box.get_blob("a.txt")
    assert counted.sent() == costs.get_blob
    assert (blob.size, blob.content_type, blob.checksum) == (5, "text/x", MD5_SMALL)
    assert counted.sent() == 0  # what the download needs came with the lookup
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == b"small"
    assert counted.sent() == costs.download_after_get_blob
    assert blob.meta_data == {"owner-id": "1"}
    assert None not in (blob.etag, blob.modified_at)
    assert counted.sent() == costs.inexact_after_get_blob  # once, on first read, all together
    assert (blob.meta_data["owner-id"], blob.cache_control, blob.acl) == ("1", None, None)
    assert blob.created_at is None or blob.created_at <= blob.modified_at
    assert counted.sent() == 0
    again = io.BytesIO()
    blob.download(again)
    assert again.getvalue() == b"small"
    assert counted.sent() == costs.download  # the size is known: no lookup first


def test_listing_costs_one_page_and_lookups_only_where_the_listing_lacks_them(
    counted: Counted, box: Container
):
    costs = counted.costs
    for index in range(4):
        box.upload_blob(
            io.BytesIO(b"x"), blob_name=f"d/{index}.txt", meta_data={"n": str(index)},
            content_type="a/b",
        )  # fmt: skip
    counted.sent()
    listed = list(box)  # one listing: list() asks len() of that same listing
    assert counted.sent() == costs.listing
    assert [(blob.name, blob.size) for blob in listed] == [(f"d/{i}.txt", 1) for i in range(4)]
    assert all(blob.etag for blob in listed)
    assert counted.sent() == 0
    assert [blob.content_type for blob in listed] == ["a/b"] * 4
    assert {blob.checksum for blob in listed} == {"9dd4e461268c8034f5c8564e155c67a6"}
    assert [blob.meta_data["n"] for blob in listed] == ["0", "1", "2", "3"]
    assert counted.sent() == costs.lookup_per_listed_blob * len(listed)
    out = io.BytesIO()
    listed[0].download(out)
    assert out.getvalue() == b"x"
    assert counted.sent() == costs.download


def test_copy_delete_and_membership_cost(counted: Counted, box: Container, into: Container):
    costs = counted.costs
    _upload(box)
    blob = box.get_blob("a.txt")
    counted.sent()
    copied = into.copy_blob(blob, "c.txt")
    assert counted.sent() == costs.copy  # server side: no byte comes through the client
    assert copied.size == 5
    assert "a.txt" in box
    assert counted.sent() == costs.contains
    blob.delete()
    assert counted.sent() == costs.delete
    assert "a.txt" not in box
    assert counted.sent() == costs.contains_missing
    with pytest.raises(CloudStorageError):
        box.get_blob("a.txt")


def test_a_refused_name_costs_no_request(counted: Counted, box: Container):
    with pytest.raises(CloudStorageError):
        box.upload_blob(io.BytesIO(b"x"), blob_name="")
    with pytest.raises(TypeError, match="binary"):
        box.upload_blob(io.StringIO("text, not bytes"), blob_name="a.txt")  # type: ignore[arg-type]
    assert counted.sent() == 0
