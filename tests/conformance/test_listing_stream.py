"""Listings stream on every driver: in one global name order, page by page, lazily."""

from __future__ import annotations

import io

import pytest

from cloudstorage import Container
from tests.paging import small_listing_pages

NAMES = ["a0", "a-b", "a/x", "a/b/c", "a.txt", "b", "B", "caf\u00e9", "cafe/x", "z/\u00e9t\u00e9"]


def test_blobs_list_in_the_order_of_their_names_utf8_bytes(container: Container):
    for name in NAMES:
        container.upload_blob(io.BytesIO(name.encode()), blob_name=name)
    expected = sorted(NAMES, key=lambda name: name.encode())
    assert expected[:5] == ["B", "a-b", "a.txt", "a/b/c", "a/x"]  # a folder "a" sorts as "a/"
    assert [blob.name for blob in container] == expected
    assert [blob.name for blob in container.list_blobs("a")] == [
        name for name in expected if name.startswith("a")
    ]
    assert [blob.name for blob in container.list_blobs("cafe/")] == ["cafe/x"]


def test_a_blob_added_after_the_first_page_was_read_still_appears(
    container: Container, monkeypatch
):
    if not small_listing_pages(container.driver, monkeypatch, 2):
        pytest.skip("this store lists a folder at a time: there are no pages")
    names = [f"p{index}" for index in range(5)]
    for name in names:
        container.upload_blob(io.BytesIO(b"x"), blob_name=name)
    listing = iter(container)
    assert next(listing).name == "p0"  # after the first page, not after all of them
    container.upload_blob(io.BytesIO(b"x"), blob_name="p9")  # on a page not yet asked for
    assert [blob.name for blob in listing] == [*names[1:], "p9"]
    prefixed = container.list_blobs("p")
    assert next(prefixed).name == "p0"
    container.upload_blob(io.BytesIO(b"x"), blob_name="pz")
    assert [blob.name for blob in prefixed][-2:] == ["p9", "pz"]
