"""What moves bytes, written once for every driver: `Source` (an upload's bytes) and `Sink`
(where a download goes).

A driver's ``_put(source, ...)`` reads a `Source` and its ``_get(blob, sink)`` writes a `Sink`;
the base (`Driver.upload_blob`, `Driver.download_blob`, copies between stores, bulk transfers,
``cloudstorage.serve``) does the rest. Nothing here holds more than one chunk of a blob in
memory, and nothing half-written is published: uploads abort the remote file on error,
downloads to a path go through a temporary file beside the destination.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import stat
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import IO, Any, Protocol, cast

from cloudstorage.exceptions import BINARY_STREAM_NEEDED, CloudStorageError
from cloudstorage.helpers import SNIFF_BYTES, guess_content_type
from fs_bridge.atomic import AtomicWriteFile

CHUNK_SIZE = 8 * 1024 * 1024
"""Bytes per read/write when streaming; the 0.10 ``chunk_size=1024`` is only a lower bound."""
FILL_READ = 1024 * 1024
"""Bytes per read when `Source.fill` fills a buffer: a stream may copy what it reads once or
twice (``RawIOBase.read``, `_Replayed`), and that stays small beside the buffer."""
"""The one message for an upload handed text."""


class _Writer(Protocol):
    def write(self, data: bytes, /) -> object: ...


# -- uploads ------------------------------------------------------------------------------


class Source:
    """What an upload reads: a local file opened from a path, or a caller's binary stream.

    Read it forward with `read`, `read_exactly` or `fill` (each refuses text);
    `remaining` and `fileno` say what is known of it without reading. ``stream`` is the
    underlying file object, for an SDK that seeks it itself (to resend on a retry).
    """

    def __init__(self, stream: IO[bytes], name: str | None, path: str | None) -> None:
        if isinstance(stream, io.TextIOBase):  # refused before any request
            raise TypeError(BINARY_STREAM_NEEDED)
        self.stream = stream
        """The file object (the sniffed bytes replayed first if it cannot seek)."""
        self.name = name
        """The file's base name, if it has one (the default blob name)."""
        self.path = path
        """The local path the file was opened from (None for a caller's stream)."""
        self._checked = False

    @classmethod
    @contextmanager
    def open(cls, filename: str | os.PathLike[str] | IO[bytes]) -> Iterator[Source]:
        """What `upload_blob` was given: a path (``FileNotFoundError`` if missing) or a stream."""
        if isinstance(filename, (str, os.PathLike)):
            path = os.fspath(filename)
            if os.path.isdir(path):
                raise IsADirectoryError(f"{path!r} is a directory, not a file")
            with open(path, "rb") as stream:
                yield cls(stream, os.path.basename(path), path)
            return
        if not hasattr(filename, "read"):
            raise TypeError(
                f"expected a path or a binary file object, not {type(filename).__name__}"
            )
        name = getattr(filename, "name", None)
        yield cls(filename, os.path.basename(name) if isinstance(name, str) else None, None)

    def _binary(self, data: Any) -> bytes:
        """``data`` as read; the first read is checked to be bytes (text: `TypeError`)."""
        if not self._checked:
            if isinstance(data, str):
                raise TypeError(BINARY_STREAM_NEEDED)
            self._checked = True
        return cast(bytes, data)

    def guess_content_type(self, blob_name: str) -> str | None:
        """Guess from the leading bytes and the file's (else the blob's) name.

        The stream is left where it was. A stream that cannot seek is wrapped so the
        sniffed bytes are still uploaded.
        """
        if self.stream.seekable():
            start = self.stream.tell()
            head = self._binary(self.stream.read(SNIFF_BYTES))
            self.stream.seek(start)
        else:
            head = self._binary(self.stream.read(SNIFF_BYTES))
            self.stream = cast(IO[bytes], _Replayed(head, self.stream))
        return guess_content_type(self.name or blob_name, head)

    @property
    def seekable(self) -> bool:
        """Whether the stream can seek (be read again from a position, e.g. for a retry)."""
        try:
            return bool(self.stream.seekable())
        except (AttributeError, OSError, ValueError):  # a bare ``read()`` object, a closed file
            return False

    def remaining(self) -> int | None:
        """How many bytes are left to read, if the stream can seek (None: unknown)."""
        try:
            if not self.stream.seekable():
                return None
            here = self.stream.tell()
            end = self.stream.seek(0, os.SEEK_END)
            self.stream.seek(here)
        except (OSError, AttributeError, ValueError):
            return None
        return max(0, int(end) - int(here))

    def fileno(self) -> int | None:
        """The descriptor of a seekable regular local file opened in binary mode, else None.

        Only `io` file objects qualify: asking others for a ``fileno()`` can have side effects
        (a ``SpooledTemporaryFile`` rolls over to disk).
        """
        stream = self.stream
        if not isinstance(stream, (io.BufferedReader, io.BufferedRandom, io.FileIO)):
            return None
        try:
            descriptor = stream.fileno()
            if not stat.S_ISREG(os.fstat(descriptor).st_mode) or not stream.seekable():
                return None
        except (OSError, ValueError):  # closed, or no descriptor after all
            return None
        return descriptor

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (one read of the stream; all that is left for -1)."""
        return self._binary(self.stream.read(size)) or b""

    def read_exactly(self, size: int) -> bytes:
        """``size`` bytes, fewer only at the end of the stream (short reads are joined)."""
        data = self.read(size)
        if not data or len(data) == size:
            return data
        pieces, got = [data], len(data)
        while got < size and (more := self.read(size - got)):
            pieces.append(more)
            got += len(more)
        return b"".join(pieces)

    def fill(self, buffer: Any) -> int:
        """Read into ``buffer`` until it is full or the stream ends; returns the bytes read.

        Reads of at most `FILL_READ` bytes, into the buffer where the stream can.
        """
        view = memoryview(buffer).cast("B")
        readinto = getattr(self.stream, "readinto", None)
        filled = 0
        while filled < len(view):
            want = min(len(view) - filled, FILL_READ)
            if readinto is not None:
                count = readinto(view[filled : filled + want]) or 0
            else:
                piece = self.read(want)
                count = len(piece)
                view[filled : filled + count] = piece
            if not count:
                break
            filled += count
        return filled


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


def copy_stream(reader: Any, writer: _Writer, chunk_size: int = CHUNK_SIZE) -> int:
    """Copy ``reader`` (a file object or a `Source`) to ``writer`` chunk by chunk; returns the
    byte count."""
    copied = 0
    while chunk := reader.read(chunk_size):
        writer.write(chunk)
        copied += len(chunk)
    return copied


def write_remote(
    fs: Any, path: str, source: Source, options: dict[str, Any], mode: str = "wb"
) -> int:
    """Stream ``source`` into ``fs`` at ``path``; on any error the remote write is aborted.

    ``mode="xb"`` (where the filesystem has it) creates only: ``FileExistsError`` otherwise.

    fsspec's buffered files commit on ``close()`` even when leaving a ``with`` block by an
    exception, so the file is closed only after a complete copy.
    """
    remote = fs.open(path, mode, **options)
    try:
        size = copy_stream(source, remote)
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


# -- downloads ----------------------------------------------------------------------------

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


class Digest:
    """A running checksum of downloaded bytes and the value the service gave for them.

    ``name`` is the algorithm as messages show it (``"MD5"``, ``"CRC32C"``), ``hasher`` any
    object with ``update`` and ``digest`` (hashlib's, ``google_crc32c.Checksum``).
    """

    def __init__(self, name: str, hasher: Any, expected: bytes | None = None) -> None:
        self.name, self.hasher, self.expected = name, hasher, expected

    def update(self, data: Any) -> None:
        self.hasher.update(data)

    def verify(self, target: str) -> None:
        """`CloudStorageError` if a value is expected and the bytes have another."""
        got = self.hasher.digest()
        if self.expected is not None and got != self.expected:
            raise CloudStorageError(
                f"{target}: the downloaded bytes have {self.name} {got.hex()}, the service's "
                f"checksum is {self.expected.hex()} (corrupted in transit, or the blob changed "
                "meanwhile)"
            )


class Sink:
    """Where a download goes, and the one check of its bytes.

    `Sink.open` makes one for a path (a temporary file beside it, renamed into place only
    when complete) or for a caller's binary stream. Every `write` feeds an MD5 that `verify`
    (called once, by the base) compares with ``expected_md5`` where one is known: the blob's
    known MD5, or what the driver learnt on the way (`expect_md5`). A driver whose service
    vouches for another checksum hands it over (`expect`); one whose bytes need no check
    says so (`trust_source`).
    """

    def __init__(self, writer: _Writer, target: str, expected_md5: str | None = None) -> None:
        self._writer = writer
        self.target = target
        """The blob, as error messages name it."""
        self._digest: Digest | None = Digest("MD5", hashlib.md5(usedforsecurity=False))
        self.expect_md5(expected_md5)

    @classmethod
    def open(
        cls, destination: str | os.PathLike[str] | IO[bytes], target: str, expected_md5: str | None
    ) -> contextlib.AbstractContextManager[Sink]:
        """A sink for ``destination`` (a context manager); for a path, an exception discards
        the temporary file and leaves the path untouched. A bad path raises on entry (the
        caller's ``OSError``)."""
        if isinstance(destination, (str, os.PathLike)):
            return cls._to_path(os.fspath(destination), target, expected_md5)
        # a stream has nothing to clean up: no generator around it (a 4 KiB download is short)
        return contextlib.nullcontext(cls(destination, target, expected_md5))

    @classmethod
    @contextmanager
    def _to_path(cls, destination: str, target: str, expected_md5: str | None) -> Iterator[Sink]:
        with local_target(destination) as local:
            yield cls(local, target, expected_md5)

    @property
    def expected_md5(self) -> str | None:
        """The MD5 (hex) the bytes must have; None: unchecked."""
        digest = self._digest
        if digest is None or digest.name != "MD5" or digest.expected is None:
            return None
        return digest.expected.hex()

    def expect_md5(self, md5: str | None, replace: bool = False) -> None:
        """Check the bytes against ``md5`` (hex; anything else is ignored), unless an MD5 is
        already expected and not ``replace``. May be called after the last write."""
        digest = self._digest
        if digest is None or digest.name != "MD5" or (digest.expected and not replace):
            return
        valid = isinstance(md5, str) and _MD5_HEX.fullmatch(md5)
        digest.expected = bytes.fromhex(md5) if valid and md5 else None

    def expect(self, digest: Digest) -> None:
        """Check the bytes with ``digest`` (e.g. the service's CRC32C) instead of the MD5;
        before the first write."""
        self._digest = digest

    def trust_source(self) -> None:
        """Check nothing: the bytes never crossed a network (the local store), or the reader
        checked them itself. Before the first write."""
        self._digest = None

    def fileno(self) -> int | None:
        """The descriptor of the temporary file of a download to a path (None for a stream).

        Bytes written through it bypass the check: `trust_source` first.
        """
        return self._writer.fileno() if isinstance(self._writer, AtomicWriteFile) else None

    def write(self, data: Any) -> object:
        """Write ``data`` (bytes-like) and feed it to the check."""
        digest = self._digest
        if digest is None:
            return self._writer.write(data)
        if len(data) < HASH_BESIDE_BYTES:
            digest.update(data)
            return self._writer.write(data)
        # hashlib and file writes both release the GIL: hash in a thread while this one
        # writes the same bytes, and wait for both before the caller may reuse the buffer
        hashing = _hashing_pool().submit(digest.update, data)
        try:
            return self._writer.write(data)
        finally:
            hashing.result()

    def verify(self) -> None:
        """`CloudStorageError` if a checksum was expected and the bytes have another."""
        if self._digest is not None:
            self._digest.verify(self.target)


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
