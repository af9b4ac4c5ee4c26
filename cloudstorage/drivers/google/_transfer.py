"""GCS transfers over gcsfs's session, in as few requests as the service allows.

`upload` sends up to `ONE_REQUEST_MAX` bytes in one multipart POST (with their MD5), a larger
seekable source in one streamed request of a resumable upload, and a larger stream that cannot
seek in `RESUMABLE_CHUNK` chunks from one reused buffer (downloads are `_media`'s). Request
bodies are read by aiohttp 64 KiB at a time: memory stays flat whatever the size. The
driver's retries (`_gcs_retry`) apply to every request.

Only `cloudstorage.drivers.google` imports this module, after it has set
``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT`` (see its docstring).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

from cloudstorage.base import transfer
from cloudstorage.base.transfer import Source
from cloudstorage.exceptions import CloudStorageError

__all__ = ["ONE_REQUEST_MAX", "RESUMABLE_CHUNK", "md5_hex", "upload"]

ONE_REQUEST_MAX = transfer.CHUNK_SIZE
"""Blobs up to this size go up in one multipart POST: at most this much is held in memory."""
RESUMABLE_CHUNK = 32 * 1024 * 1024
"""Resumable-upload chunk for a stream that cannot seek (a multiple of 256 KiB): fake-gcs-server's
cost per chunk grows with the object, so fewer chunks are much faster; the peak stays under
import + 64 MiB."""


def upload(
    fs: Any, bucket: str, resource: dict[str, Any], params: dict[str, Any], source: Source
) -> tuple[dict[str, Any], str, int]:
    """Upload ``source`` as the object ``resource`` describes (``params``: query parameters).

    Returns the object resource the service stored, the MD5 (hex) of the bytes sent, and
    their count. Nothing is left behind if a request fails (a resumable session is deleted).
    """
    left = source.remaining()  # a seekable stream's size: no 8 MiB buffer for 4 KiB
    if left is not None and left > ONE_REQUEST_MAX:
        location = _start_session(fs, bucket, resource, params)
        stored, md5 = _upload_streamed(fs, location, source, left)
        return stored, md5.hexdigest(), left
    head = bytearray(ONE_REQUEST_MAX if left is None else left)
    size = source.fill(head)
    if size < len(head) or source.remaining() == 0:
        data = memoryview(head)[:size]
        stored = _upload_in_one_request(fs, bucket, resource, params, data)
        return stored, hashlib.md5(data, usedforsecurity=False).hexdigest(), size
    first = [head]
    del head  # the callee owns it now: dropped once copied
    location = _start_session(fs, bucket, resource, params)
    stored, md5, size = _upload_in_chunks(fs, location, first, source)
    return stored, md5.hexdigest(), size


def _upload_in_one_request(
    fs: Any, bucket: str, resource: dict[str, Any], params: dict[str, Any], data: memoryview
) -> dict[str, Any]:
    """One multipart POST: the object resource with the bytes' ``md5Hash``, then the bytes.

    GCS refuses bytes that do not match ``md5Hash``; fake-gcs-server stores them anyway,
    with the MD5 of what it got (the driver then deletes them).
    """
    md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
    body = b"".join(
        (
            b"--==0==\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n",
            json.dumps({**resource, "md5Hash": md5}).encode(),
            f"\r\n--==0==\r\nContent-Type: {resource['contentType']}\r\n\r\n".encode(),
            data,
            b"\r\n--==0==--",
        )
    )
    stream = _ViewStream(body)
    try:
        stored: dict[str, Any] = fs.call(
            "POST",
            f"{fs._location}/upload/storage/v1/b/{{}}/o",
            bucket,
            uploadType="multipart",
            headers={
                "Content-Type": 'multipart/related; boundary="==0=="',
                "Content-Length": str(len(body)),
            },
            data=stream,
            json_out=True,
            **params,
        )
    finally:
        stream.drop()
    return stored


def _start_session(fs: Any, bucket: str, resource: dict[str, Any], params: dict[str, Any]) -> str:
    """Open a resumable upload with the object's settings; returns the session URL."""
    headers, _ = fs.call(
        "POST",
        f"{fs._location}/upload/storage/v1/b/{{}}/o",
        bucket,
        uploadType="resumable",
        json=resource,
        headers={"X-Upload-Content-Type": resource["contentType"]},
        **params,
    )
    location: str = headers["Location"]
    return location


def _upload_streamed(
    fs: Any, location: str, source: Source, size: int
) -> tuple[dict[str, Any], Any]:
    """A seekable source of known size in one request, read in aiohttp's small pieces.

    Returns the stored object and the MD5 of what was sent (known only at the end, so
    GCS cannot check it on receipt). The session is deleted if anything fails.
    """
    start = source.stream.tell()
    md5 = _InOrderMD5()

    def body(position: int, count: int) -> _Body:
        return _StreamSlice(source, start, position, count, md5)

    with _session_deleted_on_error(fs, location):
        stored = _send(fs, location, body, 0, size, size)
    return stored, md5.md5


def _upload_in_chunks(
    fs: Any, location: str, first: list[bytearray], source: Source
) -> tuple[dict[str, Any], Any, int]:
    """A stream that cannot seek, in chunks of `RESUMABLE_CHUNK` from one reused buffer.

    ``first`` holds the bytes read so far (at most a chunk). Returns the stored object,
    the MD5 of what was sent and the size; the session is deleted if anything fails.
    """
    md5 = hashlib.md5(usedforsecurity=False)
    buffer = bytearray(RESUMABLE_CHUNK)
    view = memoryview(buffer)
    filled = len(first[0])
    view[:filled] = first.pop()
    offset = 0
    with _session_deleted_on_error(fs, location):
        while True:
            filled += source.fill(view[filled:])
            md5.update(view[:filled])
            last = filled < RESUMABLE_CHUNK  # the last (empty if the size is a multiple)
            total = offset + filled if last else None

            def body(position: int, count: int, base: int = offset) -> _Body:
                return _ViewStream(view[position - base : position - base + count])

            md5_header = {"X-Goog-Hash": f"md5={base64.b64encode(md5.digest()).decode()}"}
            stored = _send(fs, location, body, offset, filled, total, md5_header if last else {})
            if last:
                return stored, md5, offset + filled
            offset += filled
            filled = 0


@contextlib.contextmanager
def _session_deleted_on_error(fs: Any, location: str) -> Iterator[None]:
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):  # the session would expire in a week anyway
            fs.call("DELETE", location)
        raise


def _send(
    fs: Any,
    location: str,
    body: Callable[[int, int], _Body],
    offset: int,
    length: int,
    total: int | None,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST bytes ``offset`` to ``offset + length`` of a resumable upload.

    ``body(position, count)`` reads those bytes; ``total`` (known with the last bytes)
    completes the upload (``extra`` headers: the last request's ``X-Goog-Hash``, which GCS
    checks before it makes the object). Resends what the service did not persist (its ``Range``
    answer says how far it got). Returns the stored object after the last bytes, else {}.
    """
    end = offset + length - 1
    size = "*" if total is None else str(total)
    while True:
        span = f"bytes {offset}-{end}/{size}" if end >= offset else f"bytes */{size}"
        stream = body(offset, end + 1 - offset)
        try:
            headers, answer = fs.call(
                "POST",
                location,
                headers={
                    "Content-Range": span,
                    "Content-Length": str(end + 1 - offset),
                    **(extra or {}),
                },
                data=stream,
            )
        finally:
            stream.drop()
        if total is not None and answer:
            stored: dict[str, Any] = json.loads(answer)
            return stored
        persisted = int(headers["Range"].rsplit("-", 1)[1]) if "Range" in headers else -1
        if persisted >= end:
            return {}
        if persisted < offset:
            raise CloudStorageError(f"the resumable upload stopped at byte {persisted + 1}")
        offset = persisted + 1


def md5_hex(md5_base64: str | None) -> str | None:
    """A base64 MD5 (GCS's ``md5Hash``) as hex; None if missing or malformed."""
    if not md5_base64:
        return None
    try:
        return base64.b64decode(md5_base64).hex()
    except (binascii.Error, ValueError):
        return None


class _Body(io.RawIOBase):
    """A request body that aiohttp reads in small pieces, and gcsfs rewinds for a retry.

    aiohttp sends a bytes-like body in one write, and asyncio's transport then copies what
    the socket did not take at once (a second copy of a chunk); a file-like body is read and
    sent 64 KiB at a time. gcsfs seeks a body to its start before each attempt. ``close``
    does nothing: aiohttp closes a body once sent, and a retry sends it again.
    """

    def __init__(self, length: int) -> None:
        self._length = length
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._length}
        self._position = min(max(0, base[whence] + offset), self._length)
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        left = self._length - self._position
        count = left if size is None or size < 0 else min(size, left)
        data = self._read_at(self._position, count) if count else b""
        self._position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        pass

    def drop(self) -> None:
        """Let go of what the body holds (aiohttp may keep it until a later gc)."""

    def _read_at(self, position: int, count: int) -> bytes:
        raise NotImplementedError


class _ViewStream(_Body):
    """A body from memory (a multipart POST, a chunk of a stream that cannot seek)."""

    def __init__(self, data: Any) -> None:
        self._view = memoryview(data)
        super().__init__(len(self._view))

    def _read_at(self, position: int, count: int) -> bytes:
        return bytes(self._view[position : position + count])

    def drop(self) -> None:
        self._view = memoryview(b"")


class _StreamSlice(_Body):
    """Bytes ``offset`` to ``offset + count`` of an upload, read from its seekable source.

    ``start`` is where the upload began in the source's stream; what is read is fed to ``md5``.
    """

    def __init__(
        self, source: Source, start: int, offset: int, count: int, md5: _InOrderMD5
    ) -> None:
        super().__init__(count)
        self._source = source
        self._start = start + offset
        self._offset = offset
        self._md5 = md5

    def _read_at(self, position: int, count: int) -> bytes:
        self._source.stream.seek(self._start + position)
        data = self._source.read(count)
        self._md5.feed(self._offset + position, data)
        return data


class _InOrderMD5:
    """The MD5 of an upload's bytes in order, however often a retry reads them again."""

    def __init__(self) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False)
        self._upto = 0

    def feed(self, position: int, data: bytes) -> None:
        end = position + len(data)
        if position <= self._upto < end:
            self.md5.update(memoryview(data)[self._upto - position :])
            self._upto = end
