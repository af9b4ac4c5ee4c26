"""Streaming copies between local files and fsspec files, written once for every driver.

Nothing here holds more than one chunk of a blob in memory, and nothing half-written is
published: uploads abort the remote file on error, downloads to a path go through a temporary
file beside the destination.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, Protocol, cast

from cloudstorage.exceptions import BINARY_STREAM_NEEDED, CloudStorageError
from cloudstorage.helpers import SNIFF_BYTES, guess_content_type
from fs_bridge.atomic import AtomicWriteFile

CHUNK_SIZE = 8 * 1024 * 1024
"""Bytes per read/write when streaming; the 0.10 ``chunk_size=1024`` is only a lower bound."""


class _Writer(Protocol):
    def write(self, data: bytes, /) -> object: ...


@dataclass
class Source:
    """What an upload reads from: the stream, the name it came with, its leading bytes."""

    stream: IO[bytes]
    name: str | None
    path: str | None

    def guess_content_type(self, blob_name: str) -> str | None:
        """Guess from the leading bytes and the file's (else the blob's) name.

        The stream is left where it was.

        A stream that cannot seek is wrapped so the sniffed bytes are still uploaded.
        """
        if self.stream.seekable():
            start = self.stream.tell()
            head = self.stream.read(SNIFF_BYTES)
            self.stream.seek(start)
        else:
            head = self.stream.read(SNIFF_BYTES)
            self.stream = cast(IO[bytes], _Replayed(head, self.stream))
        return guess_content_type(self.name or blob_name, head)


class _Replayed(io.BufferedIOBase):
    """A non-seekable stream whose first bytes were read for sniffing: they come back first.

    Reads after those bytes go straight to the stream, so a large upload is not copied
    through a second buffer.
    """

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._stream.read(), b""
            else:
                data, self._head = self._head[:size], self._head[size:]
            return data
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1, /) -> bytes:
        return self.read(size)


@contextmanager
def open_source(filename: str | os.PathLike[str] | IO[bytes]) -> Iterator[Source]:
    """Open what `upload_blob` was given: a path (``FileNotFoundError`` if missing) or a stream."""
    if isinstance(filename, (str, os.PathLike)):
        path = os.fspath(filename)
        if os.path.isdir(path):
            raise IsADirectoryError(f"{path!r} is a directory, not a file")
        with open(path, "rb") as stream:
            yield Source(stream, os.path.basename(path), path)
        return
    if not hasattr(filename, "read"):
        raise TypeError(f"expected a path or a binary file object, not {type(filename).__name__}")
    name = getattr(filename, "name", None)
    yield Source(filename, os.path.basename(name) if isinstance(name, str) else None, None)


def copy_stream(reader: IO[bytes], writer: _Writer, chunk_size: int = CHUNK_SIZE) -> int:
    """Copy ``reader`` to ``writer`` chunk by chunk; returns the byte count.

    Raises ``TypeError`` if the reader yields text: uploads take binary streams only.
    """
    copied = 0
    while chunk := reader.read(chunk_size):
        if isinstance(chunk, str):
            raise TypeError(BINARY_STREAM_NEEDED)
        writer.write(chunk)
        copied += len(chunk)
    return copied


_MD5_HEX = re.compile(r"[0-9a-fA-F]{32}")
HASH_BESIDE_BYTES = 1024 * 1024
"""A download chunk this large is hashed in a thread while it is written (a 512 MiB download
spends as long hashing as writing)."""
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _hashing_pool() -> ThreadPoolExecutor:
    """The threads that hash download chunks beside their writes (one per core, made once)."""
    global _pool  # noqa: PLW0603  # one pool per process, made on the first large download
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="cloudstorage-md5")
        return _pool


class CheckedWriter:
    """Passes writes through to ``writer`` and hashes them, to check a download's MD5.

    `verify` raises `CloudStorageError` if the bytes do not match the service's MD5; inside
    `local_target`, that discards the temporary file, so nothing appears at the destination.
    """

    def __init__(self, writer: _Writer, expected_md5: str | None) -> None:
        self._writer = writer
        valid = isinstance(expected_md5, str) and _MD5_HEX.fullmatch(expected_md5)
        self.expected = expected_md5.lower() if valid and expected_md5 else None
        self._md5: Any = hashlib.md5(usedforsecurity=False)

    def write(self, data: bytes) -> object:
        if self._md5 is None:
            return self._writer.write(data)
        if len(data) < HASH_BESIDE_BYTES:
            self._md5.update(data)
            return self._writer.write(data)
        # hashlib and file writes both release the GIL: hash in a thread while this one
        # writes the same bytes, and wait for both before the caller may reuse the buffer
        hashing = _hashing_pool().submit(self._md5.update, data)
        try:
            return self._writer.write(data)
        finally:
            hashing.result()

    def leave_check_to_reader(self) -> None:
        """Check nothing here: the driver's reader checks the bytes with the service's hash."""
        self._md5 = None
        self.expected = None

    def verify(self, target: str) -> None:
        """Raise `CloudStorageError` if an MD5 was expected and the bytes have another."""
        if self._md5 is None:
            return
        got = self._md5.hexdigest()
        if self.expected is not None and got != self.expected:
            raise CloudStorageError(
                f"{target}: the downloaded bytes have MD5 {got}, the service's checksum is "
                f"{self.expected} (corrupted in transit, or the blob changed meanwhile)"
            )


def write_remote(
    fs: Any, path: str, reader: IO[bytes], options: dict[str, Any], mode: str = "wb"
) -> int:
    """Stream ``reader`` into ``fs`` at ``path``; on any error the remote write is aborted.

    ``mode="xb"`` (where the filesystem has it) creates only: ``FileExistsError`` otherwise.

    fsspec's buffered files commit on ``close()`` even when leaving a ``with`` block by an
    exception, so the file is closed only after a complete copy.
    """
    remote = fs.open(path, mode, **options)
    try:
        size = copy_stream(reader, remote)
        remote.close()  # uploads the last part and commits: a failure here aborts too
    except BaseException:
        abort_remote(remote)
        raise
    return size


def abort_remote(remote: Any) -> None:
    """Throw away an unfinished remote write (abort a multipart upload, drop a temp file)."""
    try:
        discard = getattr(remote, "discard", None)
        if discard is not None:
            discard()
    finally:
        # Marking it closed stops fsspec's __del__ from committing the partial upload.
        with contextlib.suppress(AttributeError):  # read-only on io classes: discard() closed it
            remote.closed = True


def local_target(destination: str) -> AtomicWriteFile:
    """A file that appears at ``destination`` only when closed after a complete download.

    Used as a context manager, an exception discards it and leaves ``destination`` untouched.
    """
    if os.path.isdir(destination):
        raise IsADirectoryError(f"download destination {destination!r} is a directory")
    folder = os.path.dirname(os.path.abspath(destination))
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, "the download's folder does not exist", destination)
    return AtomicWriteFile(os.path.abspath(destination), {})
