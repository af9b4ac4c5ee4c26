"""`FileRange`: the span that was hashed is the span that is sent, as often as it is sent."""

from __future__ import annotations

import errno
import hashlib
import io

import pytest

from fs_bridge.file_range import FileRange


def test_a_span_reads_iterates_and_hashes_exactly_its_bytes(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"head" + b"0123456789" * 100 + b"tail")
    with open(path, "rb") as file:
        span = FileRange(file, 4, 1000, chunk_size=64)
        assert len(span) == 1000
        assert span.md5() == hashlib.md5(b"0123456789" * 100).digest()
        assert b"".join(span) == b"0123456789" * 100  # rewound by md5(): whole again
        assert span.read(10) == b"0123456789" * 6 + b"0123"  # at least one chunk
        assert span.tell() == 64
        span.seek(0)  # how a retry starts over
        assert span.read() == b"0123456789" * 100
        assert span.read() == b""


def test_bytes_appended_meanwhile_are_not_sent(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 100)
    with open(path, "rb") as file, open(path, "ab") as writer:
        span = FileRange(file, 0, 100, chunk_size=1000)
        writer.write(b"y" * 100)
        writer.flush()
        assert b"".join(span) == b"x" * 100


def test_a_file_that_shrank_raises_rather_than_sending_less(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 100)
    with open(path, "rb") as file:
        span = FileRange(file, 0, 100, chunk_size=1000)
        with open(path, "r+b") as writer:
            writer.truncate(50)
        with pytest.raises(OSError, match="got shorter") as raised:
            b"".join(span)
        assert raised.value.errno == errno.EIO


def test_only_seeks_from_its_start():
    span = FileRange(io.BytesIO(b"abc"), 0, 3, chunk_size=1)
    with pytest.raises(io.UnsupportedOperation):
        span.seek(0, io.SEEK_END)
