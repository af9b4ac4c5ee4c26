"""Bulk operations: upload, download and delete many blobs in one call, on every driver."""

from __future__ import annotations

import io

import pytest

from cloudstorage import Container
from cloudstorage.base.bulk import BulkError
from cloudstorage.exceptions import CloudStorageError, NotFoundError

COUNT = 25


def _names(prefix: str = "bulk") -> list[str]:
    return [f"{prefix}/{index:03d}.txt" for index in range(COUNT)]


def test_upload_blobs_from_paths_and_streams(container: Container, tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"<html><body>hi</body></html>")
    items = [(io.BytesIO(name.encode()), name) for name in _names()]
    items.append((str(path), "site/page.html"))
    blobs = container.upload_blobs(items, max_workers=4, meta_data={"owner-id": "7"})
    assert [blob.name for blob in blobs] == [name for _, name in items]
    assert sorted(blob.name for blob in container) == sorted(name for _, name in items)
    page = container.get_blob("site/page.html")
    assert page.content_type == "text/html"
    assert page.meta_data["owner-id"] == "7"
    assert page.size == path.stat().st_size


def test_download_blobs_into_folder(container: Container, tmp_path):
    names = _names()
    container.upload_blobs([(io.BytesIO(name.encode()), name) for name in names])
    listed = list(container)
    paths = container.download_blobs([*listed[:-1], listed[-1].name], str(tmp_path / "out"))
    assert len(paths) == COUNT
    for blob, path in zip(listed, paths, strict=True):
        assert path == str(tmp_path / "out" / blob.name)
        with open(path, "rb") as file:
            assert file.read() == blob.name.encode()


def test_delete_blobs_batched(container: Container):
    names = _names()
    container.upload_blobs([(io.BytesIO(b"x"), name) for name in names])
    container.upload_blob(io.BytesIO(b"keep"), blob_name="keep.txt")
    blobs = [blob for blob in container if blob.name.startswith("bulk/")]
    container.delete_blobs(blobs[:10] + [blob.name for blob in blobs[10:]])
    assert [blob.name for blob in container] == ["keep.txt"]


def test_delete_blobs_missing_names_are_not_errors(container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="here.txt")
    container.delete_blobs(["here.txt", "never-there.txt"])
    assert "here.txt" not in container
    container.delete_blobs([])


def test_invalid_name_fails_before_any_request(container: Container, tmp_path):
    with pytest.raises(CloudStorageError):
        container.upload_blobs([(io.BytesIO(b"a"), "ok.txt"), (io.BytesIO(b"b"), "")])
    assert "ok.txt" not in container
    with pytest.raises(CloudStorageError):
        container.download_blobs(["../escape.txt"], str(tmp_path / "out"))
    assert not (tmp_path / "escape.txt").exists()


def test_fewer_than_one_worker_is_refused_before_anything_is_done(container: Container):
    with pytest.raises(ValueError, match="at least 1"):
        container.upload_blobs([(io.BytesIO(b"a"), "ok.txt")], max_workers=0)
    assert "ok.txt" not in container


def test_failures_are_collected_into_one_error(container: Container, tmp_path):
    missing = str(tmp_path / "no-such-file.bin")
    items = [(io.BytesIO(b"good"), "good.txt"), (missing, "bad.txt")]
    with pytest.raises(BulkError) as caught:
        container.upload_blobs(items)
    assert set(caught.value.failures) == {"bad.txt"}
    assert caught.value.succeeded == ["good.txt"]
    assert "bad.txt" in str(caught.value)
    assert "good.txt" in container
    assert "bad.txt" not in container

    out = tmp_path / "out"
    with pytest.raises(BulkError) as caught:
        container.download_blobs(["good.txt", "absent.txt"], str(out))
    assert isinstance(caught.value.failures["absent.txt"], NotFoundError)
    assert (out / "good.txt").read_bytes() == b"good"
    assert not (out / "absent.txt").exists()
    assert [entry.name for entry in out.iterdir()] == ["good.txt"]  # no temporary left over
