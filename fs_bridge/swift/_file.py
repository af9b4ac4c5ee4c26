"""`SwiftFile`: reads by ranged GETs or one streamed GET; writes one PUT, or segments plus a
static large object.

Reads: a random read is one GET of its range. Reads that go on where the last one ended are
served from one streamed GET (``Range: bytes=<offset>-``) read chunk by chunk, and
``stream=True`` streams from the first read: a download is then one GET, and with no ``size``
given the GET is sent on ``open`` and its answer gives the size (no HEAD). A stream cut
mid-body is reopened from the current offset with ``If-Match`` on the object's ETag (so a
changed object fails instead of mixing bytes), at most ``retries`` times per file. A read
elsewhere closes the stream.

Writes: a write holds at most one segment (``block_size`` bytes, plus the caller's last chunk)
in memory. Objects that fit in one segment go up in one PUT on ``close()``; larger ones as
segments in ``<container>_segments`` under ``<name>/<upload id>/<index>``, then a manifest
(``?multipart-manifest=put``) under the name on ``close()``; the segments of the large object
it replaced are deleted once the manifest is in place. If anything fails, the segments sent so
far are deleted and nothing appears under the name. Each PUT carries the MD5 of its bytes as
``ETag``, which Swift checks on receipt (HTTP 422 on a mismatch).
"""

from __future__ import annotations

import errno
import io
import uuid
from typing import IO, TYPE_CHECKING, Any

from fsspec.spec import AbstractBufferedFile

from fs_bridge.file_range import FileRange
from fs_bridge.swift._headers import ATTRIBUTE_OPTIONS, info_from_headers, md5_hex, object_headers
from fs_bridge.swift._retry import retriable
from fs_bridge.swift._segments import SegmentWriter

if TYPE_CHECKING:
    from fs_bridge.swift._filesystem import SwiftFileSystem

__all__ = ["BLOCK_SIZE", "TEXT_STREAM", "WRITE_BUFFER_SIZE", "SwiftFile"]

BLOCK_SIZE = 8 * 2**20
WRITE_BUFFER_SIZE = 32 * 2**20
"""The most a write through ``open`` holds: it sends segments of at most this size."""
TEXT_STREAM = "uploads need a binary stream (open the file with 'rb'), not text"


class _Body:
    """The body of one streamed GET from ``offset``, reopened where a cut left it."""

    def __init__(self, fs: SwiftFileSystem, path: str, offset: int, etag: str | None) -> None:
        self.fs = fs
        self.path = path
        self.offset = offset
        self.etag = etag  # If-Match of every reopening: the bytes stay those of one object
        self.cuts = 0
        self.response: Any = None
        self.end: int | None = None  # the object's size, once an answer showed it
        self._open()

    def _open(self) -> None:
        headers = {"Range": f"bytes={self.offset}-"} if self.offset else {}
        if self.etag:
            headers["If-Match"] = self.etag
        container, key = self.fs.split_path(self.path)
        response = self.fs._request(
            "GET", container, key, headers=headers, ok=(412, 416), path=self.path,
            stream=True, log=False,  # keystoneauth's DEBUG log would read the body it streams
        )  # fmt: skip
        if response.status_code in (412, 416):
            response.close()
            if response.status_code == 412:
                raise OSError(errno.EIO, "the object changed while it was read", self.path)
            self.end = self.offset  # reading from the end: nothing more
            return
        self.response = response
        self.etag = self.etag or response.headers.get("Etag")
        total = response.headers.get("Content-Range", "").rpartition("/")[2]
        if not total.isdigit():
            total = response.headers.get("Content-Length", "")
        self.end = int(total) if total.isdigit() else None  # None: chunked, size unknown

    def read(self, length: int) -> bytes:
        """Up to ``length`` bytes (fewer only at the end of the object)."""
        chunks = []
        while length > 0 and self.response is not None:
            try:
                data = self.response.raw.read(length, decode_content=False)
                if not data and self.offset < (self.end or 0):
                    raise ConnectionError(f"the answer ended at byte {self.offset}")
            except Exception as exc:
                if not retriable(exc):
                    raise
                if self.cuts >= self.fs.retry.retries:
                    reason = f"the answer was cut {self.cuts + 1} times, at byte {self.offset}"
                    raise OSError(errno.EIO, reason, self.path) from exc
                self.fs.retry.pause(self.cuts, None, f"GET {self.path} from {self.offset}: {exc}")
                self.cuts += 1
                self.close()
                self._open()
                continue
            if not data:
                break
            chunks.append(data)
            self.offset += len(data)
            length -= len(data)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def close(self) -> None:
        if self.response is not None:
            self.response.close()  # mid-body: the connection is dropped, not reused
            self.response = None


class SwiftFile(SegmentWriter, AbstractBufferedFile):  # type: ignore[misc]  # fsspec is untyped
    """Reads by ranged or streamed GETs; writes one PUT, or segments plus an SLO manifest."""

    fs: SwiftFileSystem
    buffer: Any  # io.BytesIO while writing; fsspec's attribute

    def __init__(
        self,
        fs: SwiftFileSystem,
        path: str,
        mode: str = "rb",
        block_size: int = BLOCK_SIZE,
        autocommit: bool = True,
        stream: bool = False,
        **kwargs: Any,
    ) -> None:
        attributes = {k: kwargs.pop(k) for k in ATTRIBUTE_OPTIONS if k in kwargs}
        # checked now: a bad attribute fails before any byte is sent
        self.headers = object_headers(**attributes) if mode != "rb" else {}
        if mode == "xb":
            if fs._request("HEAD", *fs.split_path(path), ok=(404,)).status_code != 404:
                raise FileExistsError(errno.EEXIST, "object exists", path)
            self.headers["If-None-Match"] = "*"  # and the final PUT fails if one appeared
        self.container, self.key = fs.split_path(path)
        if not self.key:
            raise IsADirectoryError(errno.EISDIR, "a container is not a file", path)
        self.segments: list[dict[str, Any]] = []
        self.upload_id = uuid.uuid4().hex
        self.stream = stream
        self._body: _Body | None = None
        self._etag: str | None = None  # of the object read: every later GET asks for it
        self._last_end = -1
        if mode == "rb" and stream and kwargs.get("size") is None:
            # the GET goes now: its answer gives the size and the details, sparing a HEAD
            self._body = _Body(fs, fs._strip_protocol(path), 0, None)
            self._etag = self._body.etag
            if self._body.end is not None:  # else fsspec asks info() (a HEAD) for the size
                self._details = info_from_headers(self._body.path, self._body.response.headers)
                kwargs["size"] = self._body.end
        super().__init__(fs, path, mode, block_size, autocommit, **kwargs)

    @property
    def served_md5(self) -> str | None:
        """The MD5 of the object the stream reads, as its answer showed it (None if unknown)."""
        response = self._body.response if self._body is not None else None
        if response is None:
            return None
        md5: str | None = info_from_headers(self.path, response.headers).get("md5")
        return md5 or None

    def _fetch_range(self, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        body = self._body
        if body is not None and body.offset != start:
            body.close()
            body = self._body = None
        if body is None and (self.stream or start == self._last_end):
            # reading on sequentially: one GET to the end, read as far as asked each time
            body = self._body = _Body(self.fs, self.path, start, self._etag)
            self._etag = body.etag
        if body is not None:
            data = body.read(end - start)
        else:
            response = self.fs._request(
                "GET", self.container, self.key, headers={"Range": f"bytes={start}-{end - 1}"},
                ok=(416,), path=self.path,
            )  # fmt: skip
            data = b"" if response.status_code == 416 else bytes(response.content)
        self._last_end = start + len(data)
        return data

    def close(self) -> None:
        body = getattr(self, "_body", None)  # absent if __init__ failed
        if body is not None:
            body.close()
        super().close()

    def _initiate_upload(self) -> None:
        """Nothing to start: segments go up as the buffer fills."""

    def _upload_chunk(self, final: bool = False) -> bool:
        """Send whole segments of ``blocksize`` bytes; keep the rest for the next call."""
        with self.buffer.getbuffer() as data:
            if final and not self.segments and len(data) <= self.blocksize:
                replaced = self.fs._replaced_segments(self.container, self.key)
                self.fs._request(
                    "PUT", self.container, self.key, data=data,
                    headers={**self.headers, "ETag": md5_hex(data)}, path=self.path,
                )  # fmt: skip
                self.fs._delete_segments(replaced)
                sent = len(data)
            else:
                sent = self._upload_segments(data, final)
            rest = bytes(data[sent:])
        self.offset += sent
        self.buffer = io.BytesIO(rest)
        self.buffer.seek(0, 2)
        return False  # the buffer is replaced here, with the bytes not sent yet

    def _upload_segments(self, data: memoryview, final: bool) -> int:
        sent = 0
        try:
            while len(data) - sent >= self.blocksize or (final and sent < len(data)):
                # released at once: a failed request's traceback would hold the slice, and
                # with it an export of the buffer, which the garbage collector may then try
                # to close first (BufferError, "Existing exports of data")
                with data[sent : sent + self.blocksize] as piece:
                    self._put_segment(piece)
                    sent += len(piece)
            if final:
                self._put_manifest()
        except BaseException:
            self.discard()
            raise
        return sent

    def put_seekable(self, stream: IO[bytes], start: int, size: int, segment_size: int) -> None:
        """Send ``size`` bytes of ``stream`` from ``start``: one streamed PUT, or streamed
        segments of ``segment_size`` and the manifest; then close. Each PUT's MD5 is computed
        in a first pass over its bytes. On failure the segments sent are deleted."""
        try:
            if size <= segment_size:
                replaced = self.fs._replaced_segments(self.container, self.key)
                body = FileRange(stream, start, size, BLOCK_SIZE)
                self.fs._request(
                    "PUT", self.container, self.key, data=body,
                    headers={**self.headers, "ETag": body.md5().hex()}, path=self.path,
                )  # fmt: skip
                self.fs._delete_segments(replaced)
            else:
                for offset in range(0, size, segment_size):
                    length = min(segment_size, size - offset)
                    body = FileRange(stream, start + offset, length, BLOCK_SIZE)
                    self._put_segment(body, body.md5().hex())
                self._put_manifest()
        except BaseException:
            self.discard()
            raise
        self.buffer = None
        self.closed = True
