"""What an upload or a patch sends with a blob, checked once before any request."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
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


def check_acl(acl: str | None, allowed: Collection[str] | None, kind: str) -> str | None:
    """Refuse an ACL name the driver's service does not know; ``allowed=None`` takes any."""
    if acl is None or allowed is None:
        return acl
    if acl not in allowed:
        raise CloudStorageError(f"{kind} ACL {acl!r} is not one of: {', '.join(sorted(allowed))}")
    return acl


def check_expires(expires: int, maximum: int | None = None) -> int:
    """Refuse a signed-URL lifetime that is not a positive whole number of seconds."""
    if isinstance(expires, bool) or not isinstance(expires, int) or expires <= 0:
        raise CloudStorageError(f"expires must be a positive number of seconds, not {expires!r}")
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
