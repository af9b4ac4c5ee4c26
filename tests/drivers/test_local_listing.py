"""The local store's listing: a lazy walk in name order, one folder's names held per level."""

from __future__ import annotations

import io
import os

import pytest

from cloudstorage import Container, Driver
from cloudstorage.drivers.local import LocalDriver
from fs_bridge._names import TEMP_PREFIX


@pytest.fixture
def container(tmp_path) -> Container:
    return LocalDriver(key=str(tmp_path / "store"), secret="s").create_container("walk")


def test_a_folder_is_read_only_when_the_walk_reaches_it(container: Container):
    for name in ("a/1", "b/1", "c/1"):
        container.upload_blob(io.BytesIO(b"x"), blob_name=name)
    listing = iter(container)
    assert next(listing).name == "a/1"
    container.upload_blob(io.BytesIO(b"x"), blob_name="c/2")  # a folder not yet reached
    assert [blob.name for blob in listing] == ["b/1", "c/1", "c/2"]


def test_temporary_files_and_symlinks_out_of_the_store_never_list(container: Container, tmp_path):
    container.upload_blob(io.BytesIO(b"x"), blob_name="d/kept")
    folder = os.path.join(container.driver.base_path, "walk", "d")
    with open(os.path.join(folder, TEMP_PREFIX + "inflight"), "wb") as file:
        file.write(b"half")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    os.symlink(outside, os.path.join(folder, "leak"))
    os.symlink(os.path.join(folder, "kept"), os.path.join(folder, "link"))
    assert [blob.name for blob in container] == ["d/kept", "d/link"]


def test_a_missing_folder_lists_nothing_and_a_missing_container_raises(container: Container):
    from cloudstorage.exceptions import NotFoundError  # noqa: PLC0415

    assert list(container.list_blobs("nowhere/x")) == []
    with pytest.raises(NotFoundError):
        list(Container("absent", container.driver))


def test_the_base_listing_for_an_unknown_filesystem_gives_the_same_blobs(container: Container):
    class Plain(LocalDriver):
        _list_infos = Driver._list_infos  # the base's default: one find, sorted

    for name in ("a0", "a-b", "a/x", "b/c/d"):
        container.upload_blob(io.BytesIO(b"x"), blob_name=name)
    plain = Container(container.name, Plain(key=container.driver.base_path, secret="s"))
    assert [blob.name for blob in plain] == [blob.name for blob in container]
    assert [blob.name for blob in plain.list_blobs("a/")] == ["a/x"]
    assert list(plain.list_blobs("none/")) == []
