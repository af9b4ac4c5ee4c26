"""``Blob.size``: 0 is an empty blob, None a size not known yet (never 0 standing for it)."""

from __future__ import annotations

import io

import pytest

from cloudstorage import Blob, Container
from cloudstorage.base.bulk import _as_blob


def test_an_empty_blob_has_size_zero_when_uploaded_looked_up_and_listed(container: Container):
    uploaded = container.upload_blob(io.BytesIO(b""), blob_name="empty.txt")
    looked_up = container.get_blob("empty.txt")
    (listed,) = list(container)
    assert [uploaded.size, looked_up.size, listed.size] == [0, 0, 0]
    assert len(listed) == 0


def test_a_blob_named_for_a_bulk_call_has_an_unknown_size(container: Container, tmp_path):
    container.upload_blob(io.BytesIO(b""), blob_name="empty.txt")
    container.upload_blob(io.BytesIO(b"12345"), blob_name="five.txt")
    named = _as_blob(container, "five.txt")
    assert isinstance(named, Blob)
    assert named.size is None  # not 0: nothing was asked of the service yet
    with pytest.raises(TypeError, match="not known"):
        len(named)
    paths = container.download_blobs(["empty.txt", "five.txt"], str(tmp_path))
    assert paths == [str(tmp_path / "empty.txt"), str(tmp_path / "five.txt")]
    assert [(tmp_path / name).read_bytes() for name in ("empty.txt", "five.txt")] == [b"", b"12345"]
