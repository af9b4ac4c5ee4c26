"""`SwiftFile`: reads by ranged GETs; writes one PUT, or segments plus a static large object.

A write holds at most one segment (``block_size`` bytes, plus the caller's last chunk) in
memory. Objects that fit in one segment go up in one PUT on ``close()``; larger ones as
segments in ``<container>_segments`` under ``<name>/<upload id>/<index>``, then a manifest
(``?multipart-manifest=put``) under the name on ``close()``. If anything fails, the segments
sent so far are deleted and nothing appears under the name. Each PUT carries the MD5 of its bytes
as ``ETag``, which Swift checks on receipt (HTTP 422 on a mismatch).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import uuid
from typing import TYPE_CHECKING, Any

from fsspec.spec import AbstractBufferedFile
from keystoneauth1.exceptions import ClientException

from fs_bridge._swift_headers import ATTRIBUTE_OPTIONS, md5_hex, object_headers

if TYPE_CHECKING:
    from fs_bridge.swift import SwiftFileSystem

__all__ = ["BLOCK_SIZE", "SEGMENTS_SUFFIX", "SwiftFile"]

BLOCK_SIZE = 8 * 2**20
SEGMENTS_SUFFIX = "_segments"


class SwiftFile(AbstractBufferedFile):  # type: ignore[misc]  # fsspec is untyped
    """Reads by ranged GETs; writes one PUT, or segments plus a static large object manifest."""

    fs: SwiftFileSystem
    buffer: Any  # io.BytesIO while writing; fsspec's attribute

    def __init__(
        self,
        fs: SwiftFileSystem,
        path: str,
        mode: str = "rb",
        block_size: int = BLOCK_SIZE,
        autocommit: bool = True,
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
        super().__init__(fs, path, mode, block_size, autocommit, **kwargs)

    def _fetch_range(self, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        response = self.fs._request(
            "GET", self.container, self.key, headers={"Range": f"bytes={start}-{end - 1}"},
            ok=(416,), path=self.path,
        )  # fmt: skip
        return b"" if response.status_code == 416 else bytes(response.content)

    def _initiate_upload(self) -> None:
        """Nothing to start: segments go up as the buffer fills."""

    def _upload_chunk(self, final: bool = False) -> bool:
        """Send whole segments of ``blocksize`` bytes; keep the rest for the next call."""
        with self.buffer.getbuffer() as data:
            if final and not self.segments and len(data) <= self.blocksize:
                self.fs._request(
                    "PUT", self.container, self.key, data=data,
                    headers={**self.headers, "ETag": md5_hex(data)}, path=self.path,
                )  # fmt: skip
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
                piece = data[sent : sent + self.blocksize]
                self._put_segment(piece)
                sent += len(piece)
            if final:
                self._put_manifest()
        except BaseException:
            self.discard()
            raise
        return sent

    @property
    def segment_container(self) -> str:
        return self.container + SEGMENTS_SUFFIX

    def _put_segment(self, data: memoryview) -> None:
        if not self.segments:
            self.fs._request("PUT", self.segment_container)  # 201 or 202: there now
        name = f"{self.key}/{self.upload_id}/{len(self.segments):08d}"
        etag = md5_hex(data)
        self.fs._request("PUT", self.segment_container, name, data=data, headers={"ETag": etag})
        self.segments.append(
            {
                "path": f"/{self.segment_container}/{name}",
                "etag": etag,  # Swift checked it on receipt, and the manifest checks it again
                "size_bytes": len(data),
            }
        )

    def _put_manifest(self) -> None:
        self.fs._request(
            "PUT", self.container, self.key, params={"multipart-manifest": "put"},
            data=json.dumps(self.segments), headers=self.headers, path=self.path,
        )  # fmt: skip

    def discard(self) -> None:
        """Delete the segments uploaded so far; nothing becomes visible under the name."""
        segments, self.segments = self.segments, []
        for segment in segments:
            name = segment["path"].split("/", 2)[2]
            # best effort (an HTTP error, or a connection that failed again): the upload's
            # own error is the one to report, and the other segments still get their DELETE
            with contextlib.suppress(OSError, ClientException):
                self.fs._request("DELETE", self.segment_container, name, ok=(404,))
        self.buffer = None
        self.closed = True
