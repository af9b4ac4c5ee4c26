"""Bad input gets a clear CloudStorageError and loses nothing, on every driver."""

from __future__ import annotations

import io

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError, NotFoundError
from tests.streams import FailingStream


def test_missing_source_path_raises_file_not_found(container: Container, tmp_path):
    with pytest.raises(FileNotFoundError):
        container.upload_blob(str(tmp_path / "nope.txt"))
    assert list(container) == []


def test_directory_as_source_is_refused(container: Container, tmp_path):
    with pytest.raises(IsADirectoryError):
        container.upload_blob(str(tmp_path))


def test_stream_without_name_needs_blob_name(container: Container):
    with pytest.raises(CloudStorageError, match="blob_name"):
        container.upload_blob(io.BytesIO(b"x"))


def test_text_stream_is_refused_and_leaves_nothing(container: Container):
    with pytest.raises(TypeError, match="binary"):
        container.upload_blob(io.StringIO("text"), blob_name="t.txt")
    assert "t.txt" not in container


@pytest.mark.parametrize("name", ["", "a\x00b"])
def test_invalid_blob_names_are_refused(container: Container, name):
    with pytest.raises(CloudStorageError):
        container.upload_blob(io.BytesIO(b"x"), blob_name=name)
    assert list(container) == []


@pytest.mark.parametrize(
    "meta", [{"": "x"}, {"k": 1}, {"k": "line\nbreak"}, {1: "x"}], ids=["empty", "int", "nl", "key"]
)
def test_invalid_metadata_is_refused_before_upload(container: Container, meta):
    with pytest.raises(CloudStorageError):
        container.upload_blob(io.BytesIO(b"x"), blob_name="m.txt", meta_data=meta)
    assert "m.txt" not in container


def test_failed_upload_leaves_no_blob(container: Container):
    with pytest.raises(ConnectionResetError):
        container.upload_blob(FailingStream(7000), blob_name="half.bin")
    assert "half.bin" not in container
    assert list(container) == []


def test_failed_overwrite_keeps_the_old_version(container: Container):
    container.upload_blob(io.BytesIO(b"precious"), blob_name="keep.bin")
    with pytest.raises(ConnectionResetError):
        container.upload_blob(FailingStream(4000), blob_name="keep.bin")
    out = io.BytesIO()
    container.get_blob("keep.bin").download(out)
    assert out.getvalue() == b"precious"


def test_upload_to_missing_container_raises_not_found(driver):
    ghost = Container("no-such-container-xyz", driver)
    with pytest.raises(NotFoundError):
        ghost.upload_blob(io.BytesIO(b"x"), blob_name="x.txt")
    assert "no-such-container-xyz" not in driver
