"""``get_blob(name).download(dest)`` on the local store: one open serves the lookup and the read.

`get_blob` reads a small blob's bytes (at most `prefetch.HEAD_BYTES`) from the descriptor its
stat and attributes came from; the download that follows writes them while the file at the
blob's path is still that version (its etag: inode, size, modification time), found by one
stat. A blob replaced, rewritten or removed in between is read from the disk again, as a
download of a listed blob is: the new bytes, or `NotFoundError`.
"""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from cloudstorage.base import prefetch
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import CloudStorageError, NotFoundError


@pytest.fixture
def root(tmp_path):
    return tmp_path / "storage"


@pytest.fixture
def box(root):
    return LocalDriver(key=str(root), secret="secret", salt="salt").create_container("box")


@pytest.fixture
def opens(box, monkeypatch):
    """The store paths the filesystem opens, in order."""
    fs = box.driver.fs
    seen: list[str] = []
    real = fs._open_checked

    def counted(path, flags, named=False):
        seen.append(path)
        return real(path, flags, named)

    monkeypatch.setattr(fs, "_open_checked", counted)
    return seen


@pytest.mark.parametrize("to_path", [False, True])
def test_small_blob_is_looked_up_and_read_through_one_open(box, opens, tmp_path, to_path):
    data = os.urandom(4096)
    box.upload_blob(io.BytesIO(data), blob_name="d/a.bin", meta_data={"k": "v"})
    opens.clear()
    blob = box.get_blob("d/a.bin")
    assert (blob.size, blob.meta_data) == (4096, {"k": "v"})
    assert blob.content_type == "application/octet-stream"
    target = tmp_path / "a.bin"
    blob.download(str(target) if to_path else (sink := io.BytesIO()))
    assert (target.read_bytes() if to_path else sink.getvalue()) == data
    assert opens == ["box/d/a.bin"]
    again = io.BytesIO()
    blob.download(again)  # the kept bytes served one download: this one reads the disk
    assert again.getvalue() == data
    assert opens == ["box/d/a.bin", "box/d/a.bin"]


def test_large_blob_keeps_nothing(box, opens):
    data = os.urandom(prefetch.HEAD_BYTES + 1)
    box.upload_blob(io.BytesIO(data), blob_name="big.bin")
    opens.clear()
    blob = box.get_blob("big.bin")
    assert "_kept_body" not in blob.__dict__
    sink = io.BytesIO()
    blob.download(sink)
    assert sink.getvalue() == data
    assert opens == ["box/big.bin", "box/big.bin"]  # the lookup, then the read


@pytest.mark.parametrize("how", ["replaced", "rewritten in place", "same size, touched"])
def test_blob_changed_after_get_blob_downloads_the_new_bytes(box, root, how):
    box.upload_blob(io.BytesIO(b"old bytes"), blob_name="c.txt")
    blob = box.get_blob("c.txt")
    path = root / "box" / "c.txt"
    if how == "replaced":
        box.upload_blob(io.BytesIO(b"new"), blob_name="c.txt")
        new = b"new"
    elif how == "rewritten in place":
        with open(path, "r+b") as file:
            file.write(b"NEW BYTES, longer")
        new = b"NEW BYTES, longer"
    else:  # the same size; the modification time tells the versions apart
        stamp = path.stat().st_mtime_ns
        with open(path, "r+b") as file:
            file.write(b"OLD")
        os.utime(path, ns=(stamp, stamp + 1000))
        new = b"OLD bytes"
    sink = io.BytesIO()
    blob.download(sink)
    assert sink.getvalue() == new


def test_blob_removed_after_get_blob_is_not_found_and_creates_nothing(box, tmp_path):
    box.upload_blob(io.BytesIO(b"x"), blob_name="gone.bin")
    blob = box.get_blob("gone.bin")
    box.get_blob("gone.bin").delete()
    target = tmp_path / "kept.bin"
    target.write_bytes(b"previous")
    with pytest.raises(NotFoundError):
        blob.download(str(target))
    assert target.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["kept.bin", "storage"]


@pytest.mark.parametrize("size", [7, prefetch.HEAD_BYTES + 1], ids=["kept", "read again"])
def test_downloads_are_not_hashed_against_the_md5_cached_beside_them(box, root, tmp_path, size):
    # Nothing crosses a network: the local store checks no download, whether get_blob kept
    # the bytes or the download reads them again (hashing would cost more than the copy).
    data = os.urandom(size)
    box.upload_blob(io.BytesIO(data), blob_name="m.bin")
    assert box.get_blob("m.bin").checksum == hashlib.md5(data).hexdigest()  # now cached
    path = root / "box" / "m.bin"
    os.setxattr(path, "user.md5", f"{path.stat().st_mtime_ns}:{'0' * 32}".encode())
    blob = box.get_blob("m.bin")
    assert blob.checksum == "0" * 32  # the cached hash, not a hash of the bytes
    target = tmp_path / "m.bin"
    blob.download(str(target))
    assert target.read_bytes() == data
    sink = io.BytesIO()
    box.get_blob("m.bin").download(sink)
    assert sink.getvalue() == data


def test_blob_turned_into_a_symlink_out_of_the_root_is_refused(box, root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret!")  # as long as the blob
    box.upload_blob(io.BytesIO(b"public!"), blob_name="s.txt")
    blob = box.get_blob("s.txt")
    path = root / "box" / "s.txt"
    path.unlink()
    os.symlink(outside / "secret.txt", path)
    target = tmp_path / "stolen.txt"
    with pytest.raises(CloudStorageError, match="outside the store root"):
        blob.download(str(target))
    assert not target.exists()
    with pytest.raises(CloudStorageError, match="outside the store root"):
        box.get_blob("s.txt")


def test_kept_blob_renamed_through_a_symlinked_folder_reads_nothing_outside(box, root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    os.symlink(outside, root / "box" / "link")
    box.upload_blob(io.BytesIO(b"k"), blob_name="kept.txt")
    blob = box.get_blob("kept.txt")
    blob.name = "link/secret.txt"  # a Blob forged after its lookup
    sink = io.BytesIO()
    with pytest.raises(CloudStorageError, match="outside the store root"):
        blob.download(sink)
    assert sink.getvalue() == b""
