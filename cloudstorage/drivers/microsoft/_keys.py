"""How 0.10 metadata (dashed keys, any Unicode value) is stored as Azure blob metadata.

Azure sends metadata as ``x-ms-meta-<name>`` headers and accepts only names that are C#
identifiers (ASCII letters, digits and ``_``, not starting with a digit), so a dashed key such
as ``owner-id`` is rejected by the service (Azurite is laxer). Keys are encoded reversibly:

* each ``-`` becomes ``__`` (``owner-id`` is stored as ``owner__id``);
* a single ``_`` stays as it is (``owner_id`` is stored unchanged);
* a key the encoding cannot carry is refused before any request: characters other than ASCII
  letters, digits, ``-`` and ``_``; a leading digit; ``__`` in the key; ``_`` next to a ``-``
  (``a_-b`` would be ambiguous); keys differing only in case (Azure names are
  case-insensitive); and adlfs's markers ``is_directory`` and ``hdi_isfolder``, which turn a
  blob into a folder for every fsspec reader.

Decoding turns every run of ``2n`` underscores into ``n`` dashes; names written by other tools
with single underscores read back unchanged.

Header values must be non-empty printable ASCII without surrounding spaces. A value that is
not (say ``Zürich`` or ``""``), or that looks like an encoded one, is stored as
``=?utf-8?b?<base64>?=`` (RFC 2047) and decoded on read.

Azure also caps all metadata of a blob or container at 8 KiB (names and values); larger sets are
refused up front.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

from cloudstorage.exceptions import CloudStorageError

__all__ = ["ADLFS_MARKERS", "decode_metadata", "encode_metadata"]

ADLFS_MARKERS = frozenset({"is_directory", "hdi_isfolder"})
"""Metadata names adlfs reads as "this blob is a folder"; never user metadata."""

MAX_METADATA_BYTES = 8 * 1024

_KEY = re.compile(r"[A-Za-z_-][A-Za-z0-9_-]*")
_UNDERSCORES = re.compile(r"_+")
_ENCODED_VALUE = re.compile(r"=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=", re.IGNORECASE)
_PLAIN_VALUE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")


def encode_key(key: str) -> str:
    """The Azure metadata name for ``key``; `CloudStorageError` if it has none."""
    if not _KEY.fullmatch(key):
        raise CloudStorageError(
            f"metadata key {key!r} cannot be stored on Azure: use ASCII letters, digits, '-' "
            "and '_', not starting with a digit"
        )
    if "__" in key or "_-" in key or "-_" in key:
        raise CloudStorageError(
            f"metadata key {key!r} cannot be stored on Azure: '-' is stored as '__', so a key "
            "may not hold '__' or an '_' next to a '-'"
        )
    if key.lower() in ADLFS_MARKERS:
        raise CloudStorageError(f"metadata key {key!r} is reserved by adlfs (it marks folders)")
    return key.replace("-", "__")


def decode_key(name: str) -> str:
    """The metadata key an Azure metadata name stands for (inverse of `encode_key`)."""
    return _UNDERSCORES.sub(_dashes, name)


def _dashes(run: re.Match[str]) -> str:
    length = len(run.group())
    return "-" * (length // 2) if length % 2 == 0 else run.group()


def encode_value(value: str) -> str:
    """A header-safe form of ``value``: itself when printable ASCII, else RFC 2047 base64."""
    if _PLAIN_VALUE.fullmatch(value) and not _ENCODED_VALUE.fullmatch(value):
        return value
    return "=?utf-8?b?" + base64.b64encode(value.encode()).decode("ascii") + "?="


def decode_value(value: str | None) -> str:
    """The value `encode_value` was given (an empty value may be listed as None)."""
    if value is None:
        return ""
    match = _ENCODED_VALUE.fullmatch(value)
    if not match:
        return value
    try:
        return base64.b64decode(match.group(1), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return value  # not ours: someone stored this text literally


def encode_metadata(meta_data: Mapping[str, str]) -> dict[str, str]:
    """Azure metadata for checked 0.10 metadata; refuses what Azure cannot store."""
    encoded: dict[str, str] = {}
    seen: dict[str, str] = {}
    for key, value in meta_data.items():
        name = encode_key(key)
        if name.lower() in seen:
            raise CloudStorageError(
                f"metadata keys {seen[name.lower()]!r} and {key!r} differ only in case: Azure "
                "metadata names are case-insensitive"
            )
        seen[name.lower()] = key
        encoded[name] = encode_value(value)
    size = sum(len(name) + len(value) for name, value in encoded.items())
    if size > MAX_METADATA_BYTES:
        raise CloudStorageError(f"metadata takes {size} bytes; Azure stores at most 8 KiB")
    return encoded


def decode_metadata(metadata: Mapping[str, str | None] | None) -> dict[str, str]:
    """0.10 metadata from Azure metadata, without adlfs's folder markers."""
    return {
        decode_key(name): decode_value(value)
        for name, value in (metadata or {}).items()
        if name.lower() not in ADLFS_MARKERS
    }
