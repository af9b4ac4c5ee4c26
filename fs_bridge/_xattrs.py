"""Blob attributes stored as Linux user extended attributes, readable with ``getfattr -d``.

``user.content-type``, ``user.content-disposition``, ``user.cache-control`` and one
``user.metadata.<key>`` per metadata entry, as cloudstorage 0.10 wrote them; ``user.md5`` caches
the content hash as ``<mtime_ns>:<hexdigest>`` so that it is computed at most once per version.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Mapping
from typing import TypedDict

CONTENT_TYPE = "user.content-type"
CONTENT_DISPOSITION = "user.content-disposition"
CACHE_CONTROL = "user.cache-control"
METADATA_PREFIX = "user.metadata."
MD5 = "user.md5"

_HEADER_ATTRIBUTES = {
    "content_type": CONTENT_TYPE,
    "content_disposition": CONTENT_DISPOSITION,
    "cache_control": CACHE_CONTROL,
}
_HEADER_OPTIONS = {xattr_name: option for option, xattr_name in _HEADER_ATTRIBUTES.items()}
WRITE_OPTIONS = frozenset({*_HEADER_ATTRIBUTES, "metadata"})
"""The keyword arguments ``open(path, "wb", ...)`` accepts to set a blob's attributes."""


class BlobAttributes(TypedDict, total=False):
    """What the store keeps beside a blob's bytes."""

    content_type: str | None
    content_disposition: str | None
    cache_control: str | None
    metadata: dict[str, str]
    md5: str


def encode(attributes: Mapping[str, object]) -> dict[str, bytes]:
    """Turn write options into xattr names and values; unknown keys raise `TypeError`."""
    unknown = set(attributes) - WRITE_OPTIONS
    if unknown:
        raise TypeError(f"unknown blob attribute(s): {', '.join(sorted(unknown))}")
    encoded: dict[str, bytes] = {}
    for option, xattr_name in _HEADER_ATTRIBUTES.items():
        value = attributes.get(option)
        if value is not None:
            encoded[xattr_name] = str(value).encode("utf-8")
    metadata = attributes.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise TypeError("metadata must be a mapping of str to str")
    for key, value in metadata.items():
        if not key or "\x00" in str(key):
            raise ValueError(f"metadata key {key!r} must be non-empty and contain no NUL")
        encoded[METADATA_PREFIX + str(key)] = str(value).encode("utf-8")
    return encoded


def read(path_or_fd: str | int, mtime_ns: int | None = None) -> BlobAttributes:
    """Read a blob's attributes; values that are not UTF-8 are decoded with replacement.

    Given the file's ``mtime_ns``, the MD5 cached for that version comes too (``md5``).
    """
    attributes: BlobAttributes = {"metadata": {}}
    for name in os.listxattr(path_or_fd):
        if not name.startswith("user."):
            continue
        if name == MD5 and mtime_ns is None:
            continue  # not asked for: spare its read
        value = _get(path_or_fd, name)
        if value is None:
            continue
        if name.startswith(METADATA_PREFIX):
            attributes["metadata"][name[len(METADATA_PREFIX) :]] = value
        elif name == MD5:
            stamp, _, digest = value.partition(":")
            if stamp == str(mtime_ns):
                attributes["md5"] = digest
        else:
            option = _HEADER_OPTIONS.get(name)
            if option is not None:
                attributes[option] = value  # type: ignore[literal-required]  # keys of _HEADER_ATTRIBUTES
    return attributes


def write(path_or_fd: str | int, encoded: Mapping[str, bytes]) -> None:
    """Set encoded attributes; a value too large for the filesystem raises `ValueError`."""
    for name, value in encoded.items():
        try:
            os.setxattr(path_or_fd, name, value)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.E2BIG, errno.ERANGE):
                raise ValueError(
                    f"attribute {name!r} ({len(value)} bytes) does not fit in the file's "
                    "extended attributes (about 4 KiB in all on ext4)"
                ) from exc
            raise


def replace(path_or_fd: str | int, encoded: Mapping[str, bytes]) -> None:
    """Make ``encoded`` the blob's whole attribute set (the cached hash is kept)."""
    for name in os.listxattr(path_or_fd):
        if name.startswith("user.") and name != MD5 and name not in encoded:
            os.removexattr(path_or_fd, name)
    write(path_or_fd, encoded)


def cached_md5(path_or_fd: str | int, mtime_ns: int) -> str | None:
    """The cached hex MD5 of this version of the file, or None."""
    value = _get(path_or_fd, MD5)
    if value is None:
        return None
    stamp, _, digest = value.partition(":")
    return digest if stamp == str(mtime_ns) else None


def cache_md5(path_or_fd: str | int, mtime_ns: int, digest: str) -> None:
    """Remember the MD5 of this version of the file (best effort: read-only files are fine)."""
    with contextlib.suppress(OSError):
        os.setxattr(path_or_fd, MD5, f"{mtime_ns}:{digest}".encode("ascii"))


def probe(directory: str) -> None:
    """Raise `OSError` naming the directory when its filesystem lacks user xattrs.

    The probe attribute is named for this process and call: stores opened at the same moment
    in several processes (dask workers unpickling one filesystem) must not remove each
    other's probe and take the missing attribute for a filesystem without xattrs.
    """
    name = f"user.xlocal-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.setxattr(directory, name, b"1")
    except OSError as exc:
        if exc.errno not in _NO_XATTRS:
            raise  # e.g. a read-only or foreign directory: say that, not something else
        raise OSError(
            exc.errno,
            f"{directory} is on a filesystem without user extended attributes, which the "
            "local store needs for blob metadata (ext4, xfs, btrfs and tmpfs have them)",
        ) from exc
    with contextlib.suppress(OSError):
        os.removexattr(directory, name)


_NO_XATTRS = frozenset({errno.ENOTSUP, errno.EOPNOTSUPP})


def _get(path_or_fd: str | int, name: str) -> str | None:
    try:
        return os.getxattr(path_or_fd, name).decode("utf-8", "replace")
    except OSError as exc:
        if exc.errno == errno.ENODATA:
            return None
        raise
