"""Blobs: upload from paths and streams, list, get, download, delete, on every driver."""

from __future__ import annotations

import hashlib
import io

import pytest

from cloudstorage import Blob, Container
from cloudstorage.exceptions import CloudStorageError, NotFoundError
from tests.conftest import unique_name
from tests.streams import OneWayStream

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def test_upload_from_path_names_blob_after_file(container: Container, tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n1,2\n")
    blob = container.upload_blob(str(path))
    assert blob.name == "report.csv"
    assert blob.size == 8
    assert blob.content_type == "text/csv"
    assert container.get_blob("report.csv").size == 8


def test_upload_from_stream_needs_and_uses_blob_name(container: Container):
    blob = container.upload_blob(io.BytesIO(PNG), blob_name="pixel.png")
    assert blob.content_type == "image/png"
    assert container.get_blob("pixel.png").content_type == "image/png"


def test_upload_from_non_seekable_stream_keeps_every_byte(container: Container):
    data = PNG + bytes(range(256)) * 4000
    # no extension: the leading bytes are sniffed, then sent first
    container.upload_blob(OneWayStream(data), blob_name="stream-of-a-png")
    out = io.BytesIO()
    container.get_blob("stream-of-a-png").download(out)
    assert out.getvalue() == data
    assert container.get_blob("stream-of-a-png").content_type == "image/png"


def test_content_type_is_sniffed_only_where_the_name_names_none(container: Container):
    container.upload_blob(io.BytesIO(PNG), blob_name="pixel")
    container.upload_blob(io.BytesIO(PNG), blob_name="pixel.bin")  # .bin: opaque bytes
    assert container.get_blob("pixel").content_type == "image/png"
    assert container.get_blob("pixel.bin").content_type == "application/octet-stream"


def test_explicit_content_type_wins_over_guess(container: Container):
    blob = container.upload_blob(
        io.BytesIO(PNG), blob_name="pixel.png", content_type="application/octet-stream"
    )
    assert blob.content_type == "application/octet-stream"
    assert container.get_blob("pixel.png").content_type == "application/octet-stream"


def test_upload_overwrites(container: Container):
    container.upload_blob(io.BytesIO(b"first version"), blob_name="doc.txt")
    container.upload_blob(io.BytesIO(b"second"), blob_name="doc.txt")
    out = io.BytesIO()
    container.get_blob("doc.txt").download(out)
    assert out.getvalue() == b"second"
    assert len(container) == 1


def test_get_blob_carries_size_checksum_and_times(container: Container):
    data = b"hello checksum"
    container.upload_blob(io.BytesIO(data), blob_name="h.txt")
    blob = container.get_blob("h.txt")
    assert len(blob) == len(data)
    assert blob.checksum == hashlib.md5(data).hexdigest()
    assert blob.etag
    assert blob.modified_at is not None
    assert blob.path == f"{container.name}/h.txt"


def test_get_missing_blob_raises_not_found(container: Container):
    with pytest.raises(NotFoundError) as raised:
        container.get_blob("absent.txt")
    assert "absent.txt" in str(raised.value)


def test_listing_returns_nested_names_whole(container: Container):
    names = ["a.txt", "dir/b.txt", "dir/sub/c.txt"]
    for name in names:
        container.upload_blob(io.BytesIO(name.encode()), blob_name=name)
    assert sorted(blob.name for blob in container) == names
    assert len(container) == 3
    assert "dir/sub/c.txt" in container
    assert "dir" not in container


def test_list_of_a_container_lists_it_once(container: Container, monkeypatch):
    for name in ("a.txt", "b.txt"):
        container.upload_blob(io.BytesIO(b"x"), blob_name=name)
    listings = []
    get_blobs = container.driver.get_blobs
    monkeypatch.setattr(container.driver, "get_blobs", lambda c: listings.append(c) or get_blobs(c))
    assert sorted(blob.name for blob in list(container)) == ["a.txt", "b.txt"]
    assert len(listings) == 1  # list() asked len() after iter(): answered by the same listing
    container.upload_blob(io.BytesIO(b"x"), blob_name="c.txt")
    assert len(container) == 3  # a later len() lists afresh
    assert len(listings) == 2


def test_list_blobs_by_name_prefix(container: Container):
    names = ["a.txt", "dir/b.txt", "dir/bc.txt", "dir/sub/c.txt", "dirt.txt"]
    for name in names:
        container.upload_blob(io.BytesIO(name.encode()), blob_name=name)

    def listed(prefix: str | None) -> list[str]:
        return sorted(blob.name for blob in container.list_blobs(prefix))

    assert listed(None) == names
    assert listed("dir/") == ["dir/b.txt", "dir/bc.txt", "dir/sub/c.txt"]
    assert listed("dir/b") == ["dir/b.txt", "dir/bc.txt"]
    assert listed("di") == ["dir/b.txt", "dir/bc.txt", "dir/sub/c.txt", "dirt.txt"]
    assert listed("dir/sub/c.txt") == ["dir/sub/c.txt"]
    assert listed("none/") == []
    assert listed("dir/none/x") == []


def test_a_prefix_with_url_special_characters_lists_exactly_its_blobs(container: Container):
    names = ["a b/%41.txt", "a&b/x.txt", "a&b/y.txt", "a+b/z.txt", "a=b#c?d/e.txt", "ab/f.txt"]
    for name in names:
        container.upload_blob(io.BytesIO(name.encode()), blob_name=name)

    def listed(prefix: str) -> list[str]:
        return sorted(blob.name for blob in container.list_blobs(prefix))

    assert listed("a&b/") == ["a&b/x.txt", "a&b/y.txt"]
    assert listed("a+b/") == ["a+b/z.txt"]
    assert listed("a b/%") == ["a b/%41.txt"]
    assert listed("a=b#c?d/") == ["a=b#c?d/e.txt"]


def test_list_blobs_of_a_missing_container_or_with_a_bad_prefix_raises(container: Container):
    with pytest.raises(NotFoundError):
        list(Container(unique_name("absent"), container.driver).list_blobs("a/"))
    with pytest.raises(CloudStorageError, match="prefix"):
        list(container.list_blobs(b"a/"))  # type: ignore[arg-type]


def test_listed_blob_loads_its_attributes_on_first_access(container: Container):
    container.upload_blob(
        io.BytesIO(b"x"), blob_name="m.txt", meta_data={"owner-id": "7"}, content_type="text/x-m"
    )
    (listed,) = list(container)
    assert listed.size == 1
    assert listed.content_type == "text/x-m"
    assert listed.meta_data == {"owner-id": "7"}
    assert listed.checksum == hashlib.md5(b"x").hexdigest()


def test_blob_membership_and_equality(container: Container):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="eq.txt")
    assert blob in container
    assert "eq.txt" in container
    assert container.get_blob("eq.txt") == blob
    assert hash(container.get_blob("eq.txt")) == hash(blob)


def test_download_to_path_and_stream(container: Container, tmp_path):
    data = bytes(range(256)) * 1000
    blob = container.upload_blob(io.BytesIO(data), blob_name="bin.dat")
    target = tmp_path / "copy.dat"
    blob.download(str(target))
    assert target.read_bytes() == data
    stream = io.BytesIO()
    blob.download(stream)
    assert stream.getvalue() == data
    assert [p.name for p in tmp_path.iterdir()] == ["copy.dat"]  # no temporary file left


def test_download_missing_blob_raises_and_writes_nothing(container: Container, tmp_path):
    ghost = Blob("ghost.txt", None, None, 0, container, container.driver)
    with pytest.raises(NotFoundError):
        ghost.download(str(tmp_path / "ghost.txt"))
    assert list(tmp_path.iterdir()) == []


def test_delete_blob(container: Container):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="gone.txt")
    blob.delete()
    assert "gone.txt" not in container
    with pytest.raises(NotFoundError):
        container.get_blob("gone.txt")


def test_delete_missing_blob_raises_not_found(container: Container):
    ghost = Blob("ghost.txt", None, None, 0, container, container.driver)
    with pytest.raises(NotFoundError):
        ghost.delete()


def test_delete_nested_blob_then_container(driver):
    created = driver.create_container(unique_name())
    created.upload_blob(io.BytesIO(b"x"), blob_name="deep/er/file.txt")
    created.get_blob("deep/er/file.txt").delete()
    created.delete()
    assert created.name not in driver


def test_blob_open_reads_and_seeks(container: Container):
    container.upload_blob(io.BytesIO(b"0123456789"), blob_name="digits.txt")
    with container.get_blob("digits.txt").open("rb") as file:
        file.seek(5)
        assert file.read(3) == b"567"


def test_blob_open_writes(container: Container):
    blob = container.upload_blob(io.BytesIO(b"old"), blob_name="w.txt")
    with blob.open("wb") as file:
        file.write(b"new contents")
    assert container.get_blob("w.txt").size == len(b"new contents")


def test_download_to_missing_folder_is_a_local_error(container: Container, tmp_path):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="x.txt")
    with pytest.raises(FileNotFoundError) as raised:
        blob.download(str(tmp_path / "no" / "such" / "dir" / "x.txt"))
    assert not isinstance(raised.value, NotFoundError)  # not "blob not found"


def test_failed_download_keeps_the_existing_destination(container: Container, tmp_path):
    target = tmp_path / "keep.txt"
    target.write_bytes(b"old contents")
    ghost = Blob("ghost.txt", None, None, 0, container, container.driver)
    with pytest.raises(NotFoundError):
        ghost.download(str(target))
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_membership_of_an_impossible_name_is_false(driver, container: Container):
    assert "" not in container
    assert "" not in driver
