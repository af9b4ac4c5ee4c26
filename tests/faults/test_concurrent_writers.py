"""Several processes overwrite one local blob; every read sees one whole version, its own metadata.

Each writer's version is self-describing: every byte is the writer's number, the size is the
writer's own, and the metadata names the writer and the MD5 of its bytes. A torn file (bytes of
two versions), a short file, or metadata of one version on the bytes of another fails.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import NotFoundError
from tests.servers._process import REPO_ROOT

WRITERS = 4
ROUNDS = 15


def version(writer: int) -> bytes:
    return bytes([65 + writer]) * (256 * 1024 + writer * 37_001)


WRITER = textwrap.dedent(
    """
    import hashlib, io, sys
    from cloudstorage.drivers.local import LocalDriver
    from tests.faults.test_concurrent_writers import version

    writer = int(sys.argv[2])
    data = version(writer)
    meta = {"writer": str(writer), "md5": hashlib.md5(data).hexdigest()}
    container = LocalDriver(key=sys.argv[1]).get_container("shared")
    for _ in range(int(sys.argv[3])):
        container.upload_blob(
            io.BytesIO(data), blob_name="blob.bin", meta_data=meta,
            content_type=f"application/x-writer-{writer}",
        )
    """
)


def _check(data: bytes, meta: dict[str, str], content_type: str | None) -> None:
    writer = int(meta["writer"])
    assert data == version(writer), "the bytes are not one whole version"
    assert hashlib.md5(data).hexdigest() == meta["md5"]
    assert content_type == f"application/x-writer-{writer}"


def _read_consistently(path: Path) -> tuple[bytes, dict[str, str], str | None]:
    """Bytes and xattrs of one file, read through one descriptor (one version, by construction
    of what we check: the store never changes a published file in place)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read()
        attrs = {name: os.getxattr(fd, name).decode() for name in os.listxattr(fd)}
    finally:
        os.close(fd)
    meta = {
        name.removeprefix("user.metadata."): value
        for name, value in attrs.items()
        if name.startswith("user.metadata.")
    }
    return data, meta, attrs.get("user.content-type")


@pytest.mark.slow
def test_concurrent_overwrites_never_tear(tmp_path: Path):
    root = tmp_path / "storage"
    driver = LocalDriver(key=str(root))
    container = driver.create_container("shared")
    container.upload_blob(
        io.BytesIO(version(0)),
        blob_name="blob.bin",
        meta_data={"writer": "0", "md5": hashlib.md5(version(0)).hexdigest()},
        content_type="application/x-writer-0",
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(n), str(ROUNDS)], cwd=REPO_ROOT
        )
        for n in range(WRITERS)
    ]
    reads = 0
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    try:
        while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
            # Through the store's file: bytes and metadata of the same inode.
            data, meta, content_type = _read_consistently(root / "shared" / "blob.bin")
            _check(data, meta, content_type)
            # Through the API: a download is one whole version, and a lookup's metadata is
            # one version's (the two calls may see different versions, each consistent).
            blob = container.get_blob("blob.bin")
            out = io.BytesIO()
            try:
                blob.download(out)
            except NotFoundError:  # pragma: no cover - a replace never unlinks the name
                pytest.fail("the blob vanished while being replaced")
            assert out.getvalue() in {version(n) for n in range(WRITERS)}
            writer = int(blob.meta_data["writer"])
            assert blob.meta_data["md5"] == hashlib.md5(version(writer)).hexdigest()
            assert blob.content_type == f"application/x-writer-{writer}"
            seen.add(meta["writer"])
            reads += 1
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
            w.wait(timeout=30)
    assert [w.returncode for w in writers] == [0] * WRITERS
    assert reads > 0
    final = container.get_blob("blob.bin")
    out = io.BytesIO()
    final.download(out)
    _check(out.getvalue(), dict(final.meta_data), final.content_type)
    assert [b.name for b in container] == ["blob.bin"]  # no temporary file lists
    assert [name for name in os.listdir(root / "shared") if name != "blob.bin"] == []
