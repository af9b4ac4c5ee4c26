"""What moves bytes, written once for every driver: `Source` (an upload's bytes) and `Sink`
(where a download goes).

A driver's ``_put(source, ...)`` reads a `Source` and its ``_get(blob, sink)`` writes a `Sink`;
the base (`Driver.upload_blob`, `Driver.download_blob`, copies between stores, bulk transfers,
``cloudstorage.serve``) does the rest. Nothing here holds more than one chunk of a blob in
memory (a download's sink, two: one still hashing while the next is read), and nothing
half-written is published: uploads abort the remote file on error, downloads to a path go
through a temporary file beside the destination (`Sink`, in `cloudstorage.base.sink`).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol, cast

from cloudstorage.base.sink import HASH_BESIDE_BYTES, Digest, Sink, local_target
from cloudstorage.exceptions import BINARY_STREAM_NEEDED
from cloudstorage.helpers import SNIFF_BYTES, guess_content_type

__all__ = [
    "CHUNK_SIZE",
    "FILL_READ",
    "HASH_BESIDE_BYTES",
    "Digest",
    "Sink",
    "Source",
    "abort_remote",
    "copy_stream",
    "local_target",
    "write_remote",
]

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
        """Guess from the file's (else the blob's) name, else from the leading bytes, read
        only then.

        The stream is left where it was. A stream that cannot seek is wrapped so the
        sniffed bytes are still uploaded.
        """
        return guess_content_type(self.name or blob_name, self._leading_bytes)

    def _leading_bytes(self) -> bytes:
        """The first `SNIFF_BYTES`, read for sniffing; the upload still sends them."""
        if self.stream.seekable():
            start = self.stream.tell()
            head = self._binary(self.stream.read(SNIFF_BYTES))
            self.stream.seek(start)
        else:
            head = self._binary(self.stream.read(SNIFF_BYTES))
            self.stream = cast(IO[bytes], _Replayed(head, self.stream))
        return head

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
