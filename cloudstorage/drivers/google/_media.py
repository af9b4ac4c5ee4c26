"""GCS downloads: `MediaReader` reads an object with one streamed ``GET ?alt=media``.

The driver's retries (`_gcs_retry`) apply to every request. Only `cloudstorage.drivers.google`
imports this module, after it has set ``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT`` (see its docstring).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import io
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import fsspec.asyn
import gcsfs.retry
import google_crc32c

from cloudstorage.base import transfer
from cloudstorage.drivers.google import _retry as _gcs_retry
from cloudstorage.exceptions import CloudStorageError

__all__ = ["MediaReader", "hash_header"]


def hash_header(headers: Any) -> str:
    """The ``x-goog-hash`` values of aiohttp's ``headers``, joined: GCS sends one header per
    hash (``crc32c=...``, then ``md5=...``), fake-gcs-server one with both."""
    return ",".join(headers.getall("x-goog-hash", ()))


class MediaReader(io.RawIOBase):
    """One streamed ``GET ?alt=media`` of an object, read forward with ``read(n)``.

    Holds no more than the read asked for plus aiohttp's buffer. A connection lost mid-stream
    is resumed with a ``Range`` from where it stopped, pinned to the generation first served
    (two versions are never spliced); errors are retried as gcsfs retries its requests. With
    ``verify``, the bytes are checked at their end against the checksum the response's
    ``x-goog-hash`` header gives: CRC32C (in C, ~10x cheaper than MD5) where the header has
    one, else MD5 (`CloudStorageError` on a mismatch). With ``length``, only the object's
    first ``length`` bytes are asked for (``Range: bytes=0-{length - 1}``).
    """

    def __init__(self, fs: Any, path: str, verify: bool = False, length: int | None = None) -> None:
        self.name = path
        self._fs = fs
        self._url: str = fs.url(path)
        self._end = "" if length is None else str(length - 1)
        self._position = 0
        self.status = 0
        """The first response's HTTP status (206 for a range the service honoured, 416 for a
        range of an empty object: nothing to read)."""
        self.headers: Mapping[str, str] = {}
        """The first response's headers (an aiohttp ``CIMultiDictProxy``: see `hash_header`)."""
        self._size: int | None = None
        self._generation: str | None = None
        self._hash_header = ""
        self._response: aiohttp.ClientResponse | None = None
        self._sync(self._open, 0)
        self._check = self.digest() if verify else None
        self.verifies = self._check is not None
        """True when this reader checks the bytes itself (the caller need not hash them)."""

    def digest(self) -> transfer.Digest | None:
        """A fresh check of the checksum the response vouches for in ``x-goog-hash``: CRC32C
        where it has one, else MD5; None if it has neither."""
        values: dict[str, str] = {}
        for part in self._hash_header.split(","):
            name, _, value = part.strip().partition("=")
            values[name] = value
        makers: dict[str, Callable[[], Any]] = {
            "crc32c": google_crc32c.Checksum,
            "md5": lambda: hashlib.md5(usedforsecurity=False),
        }
        for name, make in makers.items():
            try:
                expected = base64.b64decode(values.get(name, ""), validate=True)
            except binascii.Error:
                continue
            if expected:
                return transfer.Digest(name.upper(), make(), expected)
        return None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read of a closed file")
        if size is None or size < 0:
            return self.readall()
        if self._response is None or size == 0:
            return b""
        data: bytes = self._sync(self._read, size)
        self._position += len(data)
        if self._check is not None:
            self._check.update(data)
            if self._response is None:
                self._check.verify(self.name)
        return data

    def readall(self) -> bytes:
        return b"".join(iter(lambda: self.read(transfer.CHUNK_SIZE), b""))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed and self._response is not None:
            with contextlib.suppress(Exception):  # closing: the connection is dropped anyway
                self._sync(self._release, False)
        super().close()

    def _sync(self, func: Any, *args: Any) -> Any:
        return fsspec.asyn.sync(self._fs.loop, func, *args)

    async def _open(self, start: int) -> None:
        """Send the GET from byte ``start``, retried as the driver retries its requests."""
        try:
            self._response = await _gcs_retry.send(
                self._fs, lambda: self._open_once(start), f"GET {self.name}"
            )
        except FileExistsError as exc:  # gcsfs's name for 412: ifGenerationMatch failed
            raise CloudStorageError(f"{self.name} was replaced while it was read") from exc

    async def _open_once(self, start: int) -> aiohttp.ClientResponse | None:
        fs = self._fs
        await fs._set_session()
        headers = {"Range": f"bytes={start}-{self._end}"} if start or self._end else None
        params = {"ifGenerationMatch": self._generation} if self._generation else {}
        response: aiohttp.ClientResponse = await fs.session.get(
            self._url,
            headers=fs._get_headers(headers),
            params=fs._get_params(params),
            timeout=fs.requests_timeout,
        )
        if response.status >= 400:
            try:
                body = await response.read()
            finally:
                response.release()
            if response.status == 416 and not start and self._end:
                self.status, self.headers = response.status, response.headers
                return None  # an empty object has no byte 0: nothing to read
            gcsfs.retry.validate_response(response.status, body, self._url)
        if self._generation is None:  # the first response: what the object is
            self._generation = response.headers.get("x-goog-generation")
            self._size = response.content_length
            self.status, self.headers = response.status, response.headers
            if not response.headers.get("Content-Encoding"):  # else the hash is of gzip bytes
                self._hash_header = hash_header(response.headers)
        return response

    async def _read(self, size: int) -> bytes:
        pieces: list[bytes] = []
        got = 0
        resumed = 0
        while got < size and self._response is not None:
            try:
                piece = await self._response.content.read(size - got)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                if self._size is not None and self._position + got >= self._size:
                    piece = b""  # everything arrived: the connection broke at the end
                else:
                    resumed += 1
                    if resumed >= _gcs_retry.attempts(self._fs):
                        raise
                    self._response.close()
                    await self._open(self._position + got)
                    continue
            if not piece:
                await self._release(True)
                break
            pieces.append(piece)
            got += len(piece)
        return b"".join(pieces)

    async def _release(self, finished: bool) -> None:
        """Give the connection back to the pool after a whole body, else drop it."""
        if self._response is not None:
            if finished:
                self._response.release()
            else:
                self._response.close()
            self._response = None
