"""`Sink`'s check of a download, both ways a large chunk is hashed (in a thread, the last one
while the caller reads on; or in the caller's thread, slice by slice): the checksum sees every
byte once, in order, and the file gets them all (no server needed)."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from cloudstorage.base import sink as sink_module
from cloudstorage.base.sink import HASH_BESIDE_BYTES, HASH_SLICE, Digest, Sink
from cloudstorage.exceptions import CloudStorageError
from fs_bridge.atomic import AtomicWriteFile

BIG = HASH_BESIDE_BYTES


@pytest.fixture(autouse=True, params=["thread", "caller"])
def hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with a core to spare (hash in a thread) and without (in the caller's)."""
    monkeypatch.setattr(sink_module, "_spare_core", lambda: request.param == "thread")
    return str(request.param)


def _chunks() -> list[bytes]:
    """Large and small chunks mixed: some hashed behind, some in the caller's thread."""
    sizes = (BIG, 10, BIG * 2 + 3, 4096, BIG, BIG + 1, HASH_SLICE * 5 + 1, 7)
    return [os.urandom(n) for n in sizes]


def test_mixed_chunks_to_a_stream_pass_the_check():
    chunks = _chunks()
    data = b"".join(chunks)
    out = io.BytesIO()
    with Sink.open(out, "c/b", hashlib.md5(data).hexdigest()) as sink:
        for chunk in chunks:
            sink.write(chunk)
        sink.verify()
    assert out.getvalue() == data


def test_a_reused_buffer_is_hashed_as_it_was_written():
    # a caller may refill a bytearray once write() returns: its hash cannot be left running
    pieces = [os.urandom(BIG) for _ in range(3)]
    buffer = bytearray(BIG)
    out = io.BytesIO()
    with Sink.open(out, "c/b", hashlib.md5(b"".join(pieces)).hexdigest()) as sink:
        for piece in pieces:
            buffer[:] = piece
            sink.write(buffer)
        buffer[:] = bytes(BIG)
        sink.verify()
    assert out.getvalue() == b"".join(pieces)


def _download(target: str, chunks: list[bytes], md5: str | None, learnt: str | None) -> Sink:
    """What `download_blob` does with a sink: write, maybe learn the MD5 last, verify."""
    with Sink.open(target, "c/b", md5) as sink:
        for chunk in chunks:
            sink.write(chunk)
        sink.expect_md5(learnt)  # as a GET's ETag comes, after the last write
        sink.verify()
    return sink


def test_mixed_chunks_to_a_path_pass_the_check(tmp_path):
    chunks = _chunks()
    chunks[2] = bytearray(chunks[2])  # a large mutable chunk among them
    data = b"".join(chunks)
    _download(str(tmp_path / "out.bin"), chunks, hashlib.md5(data).hexdigest(), None)
    assert (tmp_path / "out.bin").read_bytes() == data


def test_the_md5_learnt_after_the_last_write_is_checked(tmp_path):
    chunks, other = _chunks(), hashlib.md5(b"other").hexdigest()
    with pytest.raises(CloudStorageError, match="MD5"):
        _download(str(tmp_path / "out.bin"), chunks, None, other)
    assert list(tmp_path.iterdir()) == []  # no file, no temporary file
    _download(str(tmp_path / "out.bin"), chunks, None, hashlib.md5(b"".join(chunks)).hexdigest())
    assert (tmp_path / "out.bin").read_bytes() == b"".join(chunks)


class _Cut(io.BytesIO):
    """A stream whose second large write fails, as a full disk would."""

    def write(self, data: object) -> int:
        if self.tell():
            raise OSError(28, "No space left on device")
        return super().write(data)  # type: ignore[arg-type]


def test_a_failed_write_leaves_no_hash_running():
    sink = Sink(_Cut(), "c/b", hashlib.md5(b"x").hexdigest())
    sink.write(os.urandom(BIG))
    with pytest.raises(OSError, match="No space"):
        sink.write(os.urandom(BIG * 4))
    sink._settle()
    assert sink._hashing is None


def test_a_failed_download_leaves_no_file(tmp_path):
    with pytest.raises(CloudStorageError):
        _download(
            str(tmp_path / "out.bin"), [os.urandom(BIG * 4)], hashlib.md5(b"x").hexdigest(), None
        )
    assert list(tmp_path.iterdir()) == []


def test_writes_through_and_buffered_keep_their_order(tmp_path):
    target = tmp_path / "out.bin"
    with AtomicWriteFile(str(target), {}) as file:
        file.write(b"a" * 10)  # buffered
        assert file.write_through(memoryview(b"b" * HASH_SLICE)) == HASH_SLICE
        file.write(b"c" * 5)
        assert file.tell() == 10 + HASH_SLICE + 5
    assert target.read_bytes() == b"a" * 10 + b"b" * HASH_SLICE + b"c" * 5


class _BytesOnly:
    """A checksum that refuses memoryviews, as google_crc32c's does."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5()

    def update(self, data: object) -> None:
        if isinstance(data, memoryview):
            raise TypeError("argument 2 must be read-only bytes-like object, not memoryview")
        self._md5.update(data)  # type: ignore[arg-type]

    def digest(self) -> bytes:
        return self._md5.digest()


def test_a_checksum_that_wants_bytes_gets_whole_chunks(tmp_path):
    chunks = _chunks()
    data = b"".join(chunks)
    target = tmp_path / "out.bin"
    with Sink.open(str(target), "c/b", None) as sink:
        sink.expect(Digest("CRC32C", _BytesOnly(), hashlib.md5(data).digest()))
        for chunk in chunks:
            sink.write(chunk)
        sink.verify()
    assert target.read_bytes() == data
