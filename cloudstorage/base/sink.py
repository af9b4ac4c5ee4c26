"""`Sink`: where a download goes, and the one check of its bytes (re-exported by `transfer`).

A download to a path goes through a temporary file beside the destination, renamed into place
only when complete; every byte written is fed to a checksum that `Sink.verify` compares with
the service's. How a large chunk is hashed depends on the machine (measured on 512 MiB Swift
downloads, 2 cores at load 9, see benchmarks/RESULTS.md): with a core to spare it is hashed
in a thread while the caller writes it and, if it is immutable ``bytes``, while the caller
reads the next one; on a busy machine that thread costs more than it saves (the chunk is read
again from another core's cache, and the thread competes with everything else), so the chunk
is hashed in the caller's thread, slice by slice, each slice written while still in cache.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import IO, Any, Protocol

from cloudstorage.exceptions import CloudStorageError
from fs_bridge.atomic import AtomicWriteFile

__all__ = ["HASH_BESIDE_BYTES", "HASH_SLICE", "Digest", "Sink", "local_target"]

_MD5_HEX = re.compile(r"[0-9a-fA-F]{32}")
HASH_BESIDE_BYTES = 1024 * 1024
"""A download chunk this large is hashed in a thread while it is written (a 512 MiB download
spends as long hashing as writing)."""
HASH_SLICE = 256 * 1024
"""Bytes hashed then written at a time when hashing in the caller's thread: a slice the core's
cache still holds when the write copies it."""
_HASHLIB = type(hashlib.md5(usedforsecurity=False))
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class _Writer(Protocol):
    def write(self, data: bytes, /) -> object: ...


def _hashing_pool() -> ThreadPoolExecutor:
    """The threads that hash download chunks beside their writes (one per core, made once)."""
    global _pool  # noqa: PLW0603  # one pool per process, made on the first large download
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="cloudstorage-md5")
        return _pool


def _spare_core() -> bool:
    """Whether a core is idle for a hash thread: the 1-minute load average (which counts the
    downloading thread) leaves a core free."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        return False
    return load + 1 <= (os.cpu_count() or 1)


class Digest:
    """A running checksum of downloaded bytes and the value the service gave for them.

    ``name`` is the algorithm as messages show it (``"MD5"``, ``"CRC32C"``), ``hasher`` any
    object with ``update`` and ``digest`` (hashlib's, ``google_crc32c.Checksum``).
    """

    def __init__(self, name: str, hasher: Any, expected: bytes | None = None) -> None:
        self.name, self.hasher, self.expected = name, hasher, expected

    def update(self, data: Any) -> None:
        self.hasher.update(data)

    @property
    def takes_views(self) -> bool:
        """Whether the hasher takes memoryview slices (hashlib's do; google_crc32c's wants
        bytes)."""
        return isinstance(self.hasher, _HASHLIB)

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
        self._hashing: Future[None] | None = None  # the last chunk's hash, still running
        self._beside: bool | None = None  # hash large chunks in a thread: decided once
        self.expect_md5(expected_md5)

    @classmethod
    @contextmanager
    def open(
        cls, destination: str | os.PathLike[str] | IO[bytes], target: str, expected_md5: str | None
    ) -> Iterator[Sink]:
        """A sink for ``destination``; for a path, an exception discards the temporary file
        and leaves the path untouched. A bad path raises here (the caller's ``OSError``)."""
        with contextlib.ExitStack() as stack:
            if isinstance(destination, (str, os.PathLike)):
                writer: _Writer = stack.enter_context(local_target(os.fspath(destination)))
            else:
                writer = destination
            sink = cls(writer, target, expected_md5)
            try:
                yield sink
            finally:
                sink._settle()  # before the temporary file is published or discarded

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
        self._hashed()  # the previous chunk first: the checksum sees the bytes in order
        if len(data) < HASH_BESIDE_BYTES:
            digest.update(data)
            return self._writer.write(data)
        if self._beside is None:
            self._beside = _spare_core()
        if self._beside:
            return self._write_beside(digest, data)
        if not isinstance(self._writer, AtomicWriteFile) or not digest.takes_views:
            # a caller's stream gets the chunk as it came
            digest.update(data)
            return self._writer.write(data)
        with memoryview(data) as view, view.cast("B") as flat:
            for start in range(0, len(flat), HASH_SLICE):
                with flat[start : start + HASH_SLICE] as piece:
                    digest.update(piece)
                    self._writer.write_through(piece)
            return len(flat)

    def _write_beside(self, digest: Digest, data: Any) -> object:
        """Write ``data`` while a thread hashes it (hashlib and file writes release the GIL).

        Immutable bytes are left to hash on while the caller reads the next chunk (waited for
        at the next write or `verify`); anything else may be reused by the caller once this
        returns, so its hash is waited for here.
        """
        hashing = _hashing_pool().submit(digest.update, data)
        if isinstance(data, bytes):
            self._hashing = hashing
            return self._writer.write(data)
        try:
            return self._writer.write(data)
        finally:
            hashing.result()

    def verify(self) -> None:
        """`CloudStorageError` if a checksum was expected and the bytes have another."""
        self._hashed()
        if self._digest is not None:
            self._digest.verify(self.target)

    def _hashed(self) -> None:
        """Wait for the hash still running, if any (its error, if any, is raised)."""
        hashing, self._hashing = self._hashing, None
        if hashing is not None:
            hashing.result()

    def _settle(self) -> None:
        """On leaving `open`: no hash of this download outlives it (after an error, whatever
        the hash raised is dropped: the error that ended the download is the one to see)."""
        with contextlib.suppress(Exception):
            self._hashed()


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
