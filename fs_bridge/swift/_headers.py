"""Blob attributes as Swift object headers, and back, with a reversible encoding for metadata.

Swift hands header names through WSGI, which folds ``_`` into ``-`` and loses case, and keeps
header values to printable ASCII. So metadata keys keep letters, digits and ``-`` as they are
and percent-encode every other character (``owner_id`` is sent as ``X-Object-Meta-owner%5Fid``);
keys read back in lower case (cloudstorage's metadata is case-insensitive). Values that are not
printable ASCII, or that start or end with blanks, are sent as RFC 2047 encoded words
(``=?utf-8?b?...?=``). Swift's default limits are checked before any request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import string
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

__all__ = [
    "ATTRIBUTE_OPTIONS",
    "CONTAINER_META_PREFIX",
    "META_PREFIX",
    "check_metadata",
    "info_from_headers",
    "md5_hex",
    "metadata_from_headers",
    "object_headers",
    "parse_timestamp",
]

META_PREFIX = "x-object-meta-"
CONTAINER_META_PREFIX = "x-container-meta-"
ATTRIBUTE_OPTIONS = ("content_type", "content_disposition", "cache_control", "metadata")
"""Keyword arguments of ``open(path, "wb", ...)`` and ``set_attributes`` stored as headers."""

# Swift's defaults (swift.common.constraints); a cluster may raise them, never below these.
MAX_META_NAME_LENGTH = 128
MAX_META_VALUE_LENGTH = 256
MAX_META_COUNT = 90
MAX_META_OVERALL_SIZE = 4096

_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-")
_ENCODED_WORD = re.compile(r"^=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=$", re.IGNORECASE)
_HEADERS = {
    "content_type": "Content-Type",
    "content_disposition": "Content-Disposition",
    "cache_control": "Cache-Control",
}


def encode_key(key: str) -> str:
    return "".join(
        ch if ch in _KEY_CHARS else "".join(f"%{byte:02X}" for byte in ch.encode()) for ch in key
    )


def decode_key(encoded: str) -> str:
    return unquote(encoded.lower())


def encode_value(value: str) -> str:
    plain = value.isascii() and value.isprintable() and value == value.strip()
    if plain and not _ENCODED_WORD.match(value):
        return value
    return "=?utf-8?b?" + base64.b64encode(value.encode()).decode("ascii") + "?="


def decode_value(value: str) -> str:
    match = _ENCODED_WORD.match(value)
    if match:
        try:
            return base64.b64decode(match.group(1), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return value  # not one of ours
    return value


def check_metadata(metadata: Mapping[str, str], prefix: str = META_PREFIX) -> dict[str, str]:
    """The headers for ``metadata``; ``ValueError`` if Swift's default limits refuse them.

    ``prefix`` is ``x-object-meta-`` (objects) or ``x-container-meta-`` (containers).
    """
    headers: dict[str, str] = {}
    total = 0
    for key, value in metadata.items():
        name, encoded = encode_key(key.lower()), encode_value(value)
        if len(name) > MAX_META_NAME_LENGTH:
            raise ValueError(
                f"metadata key {key!r} is {len(name)} characters once encoded for a header;"
                f" Swift allows {MAX_META_NAME_LENGTH}"
            )
        if len(encoded) > MAX_META_VALUE_LENGTH:
            raise ValueError(
                f"metadata value of {key!r} is {len(encoded)} bytes once encoded;"
                f" Swift allows {MAX_META_VALUE_LENGTH}"
            )
        if prefix + name in headers:
            raise ValueError(f"metadata key {key!r} is given twice (keys ignore case)")
        headers[prefix + name] = encoded
        total += len(name) + len(encoded)
    if len(headers) > MAX_META_COUNT:
        raise ValueError(f"{len(headers)} metadata keys; Swift allows {MAX_META_COUNT}")
    if total > MAX_META_OVERALL_SIZE:
        raise ValueError(f"metadata is {total} bytes; Swift allows {MAX_META_OVERALL_SIZE}")
    return headers


def object_headers(
    content_type: str | None = None,
    content_disposition: str | None = None,
    cache_control: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every header that stores these attributes (a POST with them replaces all the others)."""
    headers = check_metadata(metadata or {})
    values = {
        "content_type": content_type,
        "content_disposition": content_disposition,
        "cache_control": cache_control,
    }
    for option, value in values.items():
        if value:
            if any(ch in value for ch in "\r\n\x00"):
                raise ValueError(f"{option} must not contain CR, LF or NUL")
            headers[_HEADERS[option]] = value
    return headers


def metadata_from_headers(headers: Mapping[str, str], prefix: str = META_PREFIX) -> dict[str, str]:
    """The metadata that `check_metadata` encoded, from a response's headers."""
    return {
        decode_key(key[len(prefix) :]): decode_value(value)
        for key, value in headers.items()
        if key.lower().startswith(prefix)
    }


def info_from_headers(name: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """An fsspec ``info`` dict of an object from the headers of its HEAD (or GET)."""
    metadata = metadata_from_headers(headers)
    etag = headers.get("Etag", "").strip('"')
    info: dict[str, Any] = {
        "name": name,
        "size": int(headers.get("Content-Length", 0)),
        "type": "file",
        "etag": etag,
        "content_type": headers.get("Content-Type"),
        "content_disposition": headers.get("Content-Disposition"),
        "cache_control": headers.get("Cache-Control"),
        "metadata": metadata,
        "last_modified": _modified(headers),
        "static_large_object": headers.get("X-Static-Large-Object", "").lower() == "true",
    }
    # A large object's ETag is a digest of its segments' digests, not the bytes' MD5.
    if not headers.get("X-Static-Large-Object") and not headers.get("X-Object-Manifest"):
        info["md5"] = etag
    return info


def _modified(headers: Mapping[str, str]) -> datetime | None:
    """When the object was last written, as a listing gives it: ``X-Timestamp`` (to 10 µs),
    whose ``Last-Modified`` is only the next whole second."""
    found = re.fullmatch(r"(\d+)(?:\.(\d{1,6}))?", headers.get("X-Timestamp", ""))
    if found:  # parsed as text: a float would round the microseconds
        seconds, fraction = found.groups()
        when = datetime.fromtimestamp(int(seconds), timezone.utc)
        return when.replace(microsecond=int((fraction or "").ljust(6, "0")))
    modified = headers.get("Last-Modified")
    return parsedate_to_datetime(modified) if modified else None


def md5_hex(data: bytes | memoryview) -> str:
    """The ``ETag`` a PUT carries: Swift answers 422 if the bytes it received have another MD5."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def parse_timestamp(value: str) -> datetime:
    """A listing's ``last_modified`` (ISO 8601 without zone, in UTC) as an aware datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
