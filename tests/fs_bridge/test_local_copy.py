"""The xlocal filesystem's server-side copy: fsspec's ``copy`` clones in the kernel, atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fs_bridge import _clone
from fs_bridge.local import TEMP_PREFIX, XattrLocalFileSystem


@pytest.fixture
def fs(tmp_path: Path) -> XattrLocalFileSystem:
    (tmp_path / "root" / "box").mkdir(parents=True)
    return XattrLocalFileSystem(root=str(tmp_path / "root"), skip_instance_cache=True)


def _write(fs: XattrLocalFileSystem, path: str, data: bytes) -> None:
    with fs.open(path, "wb", content_type="text/csv", metadata={"k": "v"}) as file:
        file.write(data)


def test_fsspec_copy_keeps_bytes_and_attributes(fs):
    data = os.urandom(3 * 2**20 + 7)
    _write(fs, "box/a.csv", data)
    fs.copy("box/a.csv", "box/sub/b.csv")
    assert fs.cat_file("box/sub/b.csv") == data
    info = fs.info("box/sub/b.csv")
    assert (info["content_type"], info["metadata"]) == ("text/csv", {"k": "v"})


def test_exclusive_copy_refuses_an_existing_file(fs):
    _write(fs, "box/a.csv", b"new")
    _write(fs, "box/b.csv", b"kept")
    with pytest.raises(FileExistsError):
        fs.cp_file("box/a.csv", "box/b.csv", exclusive=True)
    assert fs.cat_file("box/b.csv") == b"kept"
    fs.cp_file("box/a.csv", "box/c.csv", exclusive=True)
    assert fs.cat_file("box/c.csv") == b"new"


def test_copy_without_kernel_help_falls_back(fs, monkeypatch: pytest.MonkeyPatch):
    """No reflink and no copy_file_range (as on some filesystems): a buffered copy."""

    def refuse(*args: object) -> int:
        raise OSError(95, "not supported")  # EOPNOTSUPP

    monkeypatch.setattr(_clone.fcntl, "ioctl", refuse)
    monkeypatch.setattr(_clone.os, "copy_file_range", refuse)
    data = os.urandom(2**20 + 3)
    _write(fs, "box/a.csv", data)
    fs.cp_file("box/a.csv", "box/b.csv")
    assert fs.cat_file("box/b.csv") == data


def test_failed_copy_leaves_nothing(fs, tmp_path, monkeypatch: pytest.MonkeyPatch):
    def broken(*args: object) -> int:
        raise OSError(5, "disk failed")  # EIO: not a "cannot copy here" error

    monkeypatch.setattr(_clone.fcntl, "ioctl", broken)
    _write(fs, "box/a.csv", b"data")
    with pytest.raises(OSError, match="disk failed"):
        fs.cp_file("box/a.csv", "box/b.csv")
    assert sorted(os.listdir(tmp_path / "root" / "box")) == ["a.csv"]
    assert not any(name.startswith(TEMP_PREFIX) for name in os.listdir(tmp_path / "root" / "box"))
