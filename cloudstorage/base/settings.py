"""What an upload or a patch sends with a blob, checked once before any request."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from cloudstorage.exceptions import CloudStorageError


@dataclass(frozen=True)
class BlobSettings:
    """The attributes written with a blob's bytes (or by `Blob.patch`)."""

    content_type: str | None = None
    content_disposition: str | None = None
    cache_control: str | None = None
    meta_data: Mapping[str, str] = field(default_factory=dict)
    acl: str | None = None


@dataclass(frozen=True)
class UploadPolicy:
    """What a signed upload form allows, checked: one blob name, for ``expires`` seconds."""

    blob_name: str
    expires: int
    settings: BlobSettings
    content_length: tuple[int, int] | None = None
    """``(min, max)`` bytes the upload may have."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """``success_action_redirect`` / ``success_action_status`` and driver-specific options."""

    @property
    def key(self) -> str:
        """The blob name to store the upload under, ``${filename}`` standing for the file's name.

        As in cloudstorage 0.10: ``""`` is the uploaded file's name alone; a ``blob_name``
        with no extension (``"avatars/"``, ``"user-1_"``) is a prefix the file's name
        completes; a name with an extension (``"avatar.png"``) is the blob's name.
        """
        return upload_key(self.blob_name)

    @property
    def is_prefix(self) -> bool:
        """The uploaded file's name completes the blob name (see `key`)."""
        return FILENAME in self.key


@dataclass(frozen=True)
class DownloadGrant:
    """What a signed download URL allows, checked: ``method`` on one blob for ``expires`` s."""

    expires: int
    method: str = "GET"
    content_disposition: str | None = None
    """The Content-Disposition the response should carry."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """``content_type`` (every driver), ``version`` (GCS), ``version_id`` (S3)."""

    @property
    def content_type(self) -> str | None:
        """The Content-Type the response should carry."""
        value = self.extra.get("content_type")
        return None if value is None else str(value)


FILENAME = "${filename}"
"""Where an upload form's key takes the uploaded file's name (S3 and GCS substitute it)."""


def upload_key(blob_name: str) -> str:
    """An upload form's key for ``blob_name``: see `UploadPolicy.key`."""
    if FILENAME in blob_name:
        return blob_name
    if not blob_name or blob_name.endswith("/") or not PurePosixPath(blob_name).suffix:
        return blob_name + FILENAME
    return blob_name


def check_meta_data(meta_data: Mapping[str, str] | None) -> dict[str, str]:
    """Refuse metadata that no service stores: non-string or empty keys, non-string values."""
    checked: dict[str, str] = {}
    for key, value in (meta_data or {}).items():
        if not isinstance(key, str) or not key.strip():
            raise CloudStorageError(f"metadata key {key!r} must be a non-empty string")
        if not isinstance(value, str):
            raise CloudStorageError(
                f"metadata value for {key!r} must be a string, not {type(value).__name__}"
            )
        if any(ch in key + value for ch in "\x00\r\n"):
            raise CloudStorageError(
                f"metadata {key!r} must not contain NUL, CR or LF (headers cannot carry them)"
            )
        checked[key] = value
    return checked


def check_acl(
    acl: str | None, allowed: Collection[str] | None, kind: str, logger_name: str = __name__
) -> str | None:
    """Refuse an ACL name the driver's service does not know; ``allowed=None`` takes any.

    An empty ``allowed`` is a service with no such ACLs (Azure blobs, Swift): as in
    cloudstorage 0.10 the option is logged at INFO on ``logger_name`` and dropped (None).
    """
    if acl is None or allowed is None:
        return acl
    if not allowed:
        logging.getLogger(logger_name).info("Option '%s' is not supported.", "acl")
        return None
    if acl not in allowed:
        raise CloudStorageError(f"{kind} ACL {acl!r} is not one of: {', '.join(sorted(allowed))}")
    return acl


def check_expires(expires: int, maximum: int | None = None) -> int:
    """Refuse a signed-URL lifetime that is not a whole number of seconds, or too long.

    Zero or less is taken: it signs a grant that has already expired (0.10 did too).
    """
    if isinstance(expires, bool) or not isinstance(expires, int):
        raise CloudStorageError(f"expires must be a whole number of seconds, not {expires!r}")
    if maximum is not None and expires > maximum:
        raise CloudStorageError(f"expires may be at most {maximum} seconds, not {expires}")
    return expires


def check_content_length(content_length: tuple[int, int] | None) -> tuple[int, int] | None:
    """Refuse a size range for upload forms that is not ``(min, max)`` with 0 <= min <= max."""
    if content_length is None:
        return None
    try:
        low, high = content_length
    except (TypeError, ValueError):
        raise CloudStorageError(
            f"content_length must be a (min, max) pair of byte counts, not {content_length!r}"
        ) from None
    if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high):
        raise CloudStorageError(f"content_length must satisfy 0 <= min <= max: {content_length!r}")
    return low, high


def check_prefix(prefix: str | None) -> str:
    """A blob-name prefix for listing ("" for none); `CloudStorageError` if not a string."""
    if prefix is None:
        return ""
    if not isinstance(prefix, str) or "\x00" in prefix:
        raise CloudStorageError(f"prefix must be a string without NUL, not {prefix!r}")
    return prefix


def settings_fields(info: Mapping[str, Any]) -> dict[str, Any]:
    """The `Blob` fields an ``info`` dict of `fs_bridge`'s filesystems carries with its
    ``metadata`` (a full lookup, not a listing entry): metadata, type, disposition, cache."""
    return {
        "meta_data": info["metadata"],
        "content_type": info.get("content_type"),
        "content_disposition": info.get("content_disposition"),
        "cache_control": info.get("cache_control"),
    }
