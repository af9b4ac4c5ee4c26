"""GCS's `get_blob` in one request: a ranged media GET whose headers describe the object.

The JSON API's object resource (``GET b/{bucket}/o/{object}``) has every attribute but no
bytes; the media GET (``?alt=media``) has the bytes and headers that give some attributes
exactly and others not at all or not as the resource states them:

- exact: the size (``x-goog-stored-content-length``, else ``Content-Range``), the MD5
  (``x-goog-hash``), ``Content-Disposition``, and ``Content-Type`` / ``Cache-Control`` unless
  they are what GCS serves for an object that has none (``application/octet-stream``;
  ``public, max-age=3600`` for a public object, ``private, max-age=0`` otherwise, and
  ``no-cache, no-store, max-age=0`` under a customer-managed key: the resource then has no
  value, and the header cannot say whether one was stored);
- inexact: custom metadata (``x-goog-meta-*`` header names lose the case of the keys, and
  non-ASCII keys are not sent at all), ``created_at`` (no ``timeCreated``), ``modified_at``
  (``Last-Modified`` is to the second) and ``etag`` (the header's is the XML API's, quoted
  MD5 on GCS, not the resource's).

`lookup` marks the inexact ones (`prefetch.INEXACT`): the `Blob` loads them with one JSON GET
on first read. An object stored with a ``Content-Encoding`` (whose bytes GCS may decompress
on the way) or an empty one (the range is then refused: 416) is looked up with the JSON GET.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cloudstorage.base import prefetch
from cloudstorage.drivers.google._media import MediaReader, hash_header

__all__ = ["lookup", "media_info"]

ALWAYS_INEXACT = ("etag", "meta_data", "created_at", "modified_at")
SERVED_CONTENT_TYPE = "application/octet-stream"
"""What GCS answers for an object stored without a content type."""
SERVED_CACHE_CONTROLS = frozenset(
    {
        "public, max-age=3600",
        "private, max-age=0",
        "no-cache, no-store, max-age=0",
        "no-cache, no-store, max-age=0, must-revalidate",  # Google's API front ends' own
    }
)
"""What GCS may answer for an object stored without ``Cache-Control`` (a stored value equal to
one of them is read from the JSON resource instead: one request more, never a wrong value)."""


def lookup(
    fs: Any, path: str, head_bytes: int, by_json: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], bytes | None]:
    """The info of the object at ``path`` and, if that is all of it, its bytes, from one GET
    of its first ``head_bytes``; ``by_json`` (the JSON lookup) where the headers cannot say.

    A missing object raises ``FileNotFoundError`` (gcsfs's 404), a failure what gcsfs raises:
    the caller translates both.
    """
    with MediaReader(fs, path, length=head_bytes) as reader:
        # one byte more than asked: a bounded answer is then read to its end, and its
        # connection goes back to the pool (a server ignoring the range is cut there)
        body = reader.read(head_bytes + 1)
        info = media_info(path, reader.status, reader.headers)
    if reader.status == 416:
        return by_json(), b""  # the range starts at byte 0: an empty object
    if info is None:
        return by_json(), None
    whole = len(body) == info["size"] and info["md5Hash"] is not None  # checked when written
    return info, body if whole else None


def media_info(path: str, status: int, headers: Any) -> dict[str, Any] | None:
    """The object's info (gcsfs's keys) as far as a media GET's ``headers`` give it exactly,
    the rest named in `prefetch.INEXACT`; None for a stored encoding or an unknown size."""
    encoding = headers.get("x-goog-stored-content-encoding") or "identity"
    size = _size(status, headers)
    if encoding != "identity" or headers.get("Content-Encoding") or size is None:
        return None
    hashes = _hashes(hash_header(headers))
    content_type = headers.get("Content-Type")
    cache_control = headers.get("Cache-Control")
    inexact = list(ALWAYS_INEXACT)
    if content_type in (None, SERVED_CONTENT_TYPE):
        inexact.append("content_type")
    if cache_control in SERVED_CACHE_CONTROLS:
        inexact.append("cache_control")
    if not hashes:  # no header at all: the resource may still have an MD5
        inexact.append("checksum")
    return {
        "name": path,
        "type": "file",
        "size": size,
        "generation": headers.get("x-goog-generation"),
        "md5Hash": hashes.get("md5"),
        "crc32c": hashes.get("crc32c"),
        "contentType": content_type,
        "contentDisposition": headers.get("Content-Disposition"),
        "cacheControl": cache_control,
        prefetch.INEXACT: tuple(inexact),
    }


def _size(status: int, headers: Mapping[str, str]) -> int | None:
    """The stored object's size: GCS's own header, else the ``Content-Range`` total of a 206,
    else the ``Content-Length`` of a whole answer."""
    stored = headers.get("x-goog-stored-content-length") or ""
    if stored.isdigit():
        return int(stored)
    if status == 206:
        total = (headers.get("Content-Range") or "").rpartition("/")[2]
        return int(total) if total.isdigit() else None
    length = headers.get("Content-Length") or ""
    return int(length) if status == 200 and length.isdigit() else None


def _hashes(header: str) -> dict[str, str]:
    """``crc32c=AAAAAA==,md5=...`` as ``{"crc32c": ..., "md5": ...}`` (base64, as in JSON)."""
    pairs = (part.strip().partition("=") for part in header.split(","))
    return {name: value for name, _, value in pairs if name and value}
