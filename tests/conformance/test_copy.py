"""Copy and move, within a store (server-side) and between stores (streamed), on every driver."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cloudstorage import Container
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import AlreadyExistsError, CloudStorageError, NotFoundError

ATTRIBUTES = {
    "meta_data": {"owner": "ada", "step": "2"},
    "content_type": "text/csv",
    "content_disposition": "attachment; filename=report.csv",
    "cache_control": "max-age=60",
}


def _read(container: Container, name: str) -> bytes:
    out = io.BytesIO()
    container.get_blob(name).download(out)
    return out.getvalue()


def _assert_attributes(container: Container, name: str) -> None:
    blob = container.get_blob(name)
    assert dict(blob.meta_data) == ATTRIBUTES["meta_data"]
    assert blob.content_type == ATTRIBUTES["content_type"]
    assert blob.content_disposition == ATTRIBUTES["content_disposition"]
    assert blob.cache_control == ATTRIBUTES["cache_control"]


@pytest.fixture
def other(target: Container) -> Container:
    """A second container on the same store (the conformance suite's ``target``)."""
    return target


@pytest.fixture
def local_container(tmp_path: Path) -> Container:
    """A container on another store (a local one): copies to and from it are streamed."""
    return LocalDriver(str(tmp_path / "store"), secret="s").create_container("elsewhere")


def test_copy_between_containers_keeps_bytes_and_attributes(container, other):
    source = container.upload_blob(io.BytesIO(b"a,b\n1,2\n"), blob_name="r.csv", **ATTRIBUTES)
    copied = other.copy_blob(source)
    assert (copied.name, copied.size, copied.container) == ("r.csv", 8, other)
    assert _read(other, "r.csv") == b"a,b\n1,2\n"
    _assert_attributes(other, "r.csv")
    assert _read(container, "r.csv") == b"a,b\n1,2\n"  # the source stays


def test_copy_within_a_container_under_another_name(container):
    source = container.upload_blob(io.BytesIO(b"a,b\n"), blob_name="r.csv", **ATTRIBUTES)
    container.copy_blob(source, "backup/r.csv")
    assert _read(container, "backup/r.csv") == b"a,b\n"
    _assert_attributes(container, "backup/r.csv")


def test_copy_replaces_an_existing_blob(container, other):
    source = container.upload_blob(io.BytesIO(b"new"), blob_name="doc.txt")
    other.upload_blob(io.BytesIO(b"old contents"), blob_name="doc.txt")
    other.copy_blob(source)
    assert _read(other, "doc.txt") == b"new"


def _copy_between_stores(source_side: Container, target: Container) -> None:
    data = bytes(range(256)) * 40_000  # 10 MB: several parts or blocks on every service
    source = source_side.upload_blob(io.BytesIO(data), blob_name="big.csv", **ATTRIBUTES)
    copied = target.copy_blob(source, "copied.csv")
    assert copied.size == len(data)
    assert _read(target, "copied.csv") == data
    _assert_attributes(target, "copied.csv")


def test_copy_into_this_store_keeps_bytes_and_attributes(container, local_container):
    _copy_between_stores(local_container, container)


def test_copy_from_this_store_keeps_bytes_and_attributes(container, local_container):
    _copy_between_stores(container, local_container)


def _refuses_an_existing_blob(container: Container, source_side: Container) -> None:
    source = source_side.upload_blob(io.BytesIO(b"new"), blob_name="src.txt")
    container.upload_blob(io.BytesIO(b"kept"), blob_name="dst.txt")
    with pytest.raises(AlreadyExistsError):
        container.copy_blob(source, "dst.txt", overwrite=False)
    assert _read(container, "dst.txt") == b"kept"


def test_create_only_copy_within_a_store_refuses_an_existing_blob(container, other):
    """Decided by the service (S3 CopyObject If-None-Match, GCS rewrite ifGenerationMatch=0,
    Azure Copy Blob If-None-Match, Swift PUT If-None-Match, local link())."""
    _refuses_an_existing_blob(container, other)


def test_create_only_copy_between_stores_refuses_an_existing_blob(container, local_container):
    _refuses_an_existing_blob(container, local_container)


def test_create_only_copy_creates_a_new_blob(container, other):
    source = container.upload_blob(io.BytesIO(b"once"), blob_name="a.txt")
    other.copy_blob(source, overwrite=False)
    assert _read(other, "a.txt") == b"once"


def test_copy_of_a_deleted_blob_is_not_found_and_creates_nothing(container, other):
    source = container.upload_blob(io.BytesIO(b"gone soon"), blob_name="gone.txt")
    source.delete()
    with pytest.raises(NotFoundError):
        other.copy_blob(source)
    assert "gone.txt" not in other
    assert len(other) == 0


def test_copy_onto_itself_is_refused_and_changes_nothing(container):
    source = container.upload_blob(io.BytesIO(b"self"), blob_name="self.txt")
    with pytest.raises(CloudStorageError, match="onto itself"):
        container.copy_blob(source)
    with pytest.raises(CloudStorageError, match="onto itself"):
        container.move_blob(source, "self.txt")
    assert _read(container, "self.txt") == b"self"


@pytest.mark.parametrize("name", ["", "bad\x00name"])
def test_copy_to_an_invalid_name_is_refused(container, other, name):
    source = container.upload_blob(io.BytesIO(b"x"), blob_name="x.txt")
    with pytest.raises(CloudStorageError):
        other.copy_blob(source, name)
    assert len(other) == 0


def test_move_deletes_the_source(container, other):
    source = container.upload_blob(io.BytesIO(b"moving"), blob_name="m.csv", **ATTRIBUTES)
    moved = other.move_blob(source, "arrived.csv")
    assert moved.name == "arrived.csv"
    assert _read(other, "arrived.csv") == b"moving"
    _assert_attributes(other, "arrived.csv")
    assert "m.csv" not in container


def test_move_between_stores_deletes_the_source(container, local_container):
    source = local_container.upload_blob(io.BytesIO(b"moving"), blob_name="m.txt")
    container.move_blob(source)
    assert _read(container, "m.txt") == b"moving"
    assert "m.txt" not in local_container


def test_create_only_move_onto_an_existing_blob_keeps_both(container, other):
    source = container.upload_blob(io.BytesIO(b"new"), blob_name="m.txt")
    other.upload_blob(io.BytesIO(b"kept"), blob_name="m.txt")
    with pytest.raises(AlreadyExistsError):
        other.move_blob(source, overwrite=False)
    assert _read(other, "m.txt") == b"kept"
    assert _read(container, "m.txt") == b"new"
