"""`LocalDriver`: a directory of containers, on the ``xlocal://`` filesystem of `fs_bridge`.

Blob metadata lives in extended attributes (``getfattr -d root/container/blob`` shows it).
Download URLs and upload forms are itsdangerous signatures made with the driver's ``secret``
and ``salt``; a web app checks them with `LocalDriver.validate_signature`. With the ``base_url``
option they become real URLs and forms served by `cloudstorage.serve` (``cloudstorage serve``).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cloudstorage.base import Blob, Container, Driver
from cloudstorage.base.settings import DownloadGrant, UploadPolicy
from cloudstorage.exceptions import CloudStorageError, CredentialsError, SignatureExpiredError
from fs_bridge.local import PROTOCOL, InvalidNameError, check_blob_name, check_container_name

try:
    import itsdangerous
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "LocalDriver needs itsdangerous: pip install 'cloudstorage[local]'", name=exc.name
    ) from exc

__all__ = ["LocalDriver"]


class LocalDriver(Driver):
    """Containers are folders of ``key``, a directory created if missing.

    Raises ``NotADirectoryError`` if ``key`` is a file, `CredentialsError` if the process may
    not use it, and `CloudStorageError` if its filesystem has no user extended attributes.
    The ``base_url`` option (say ``"http://localhost:8000/storage"``) is where
    `cloudstorage.serve` answers: download URLs become ``base_url?signature=...`` and upload
    forms post there. Without it they are the bare signatures of cloudstorage 0.10.
    """

    name = "LOCAL"
    protocol = PROTOCOL

    def __init__(
        self, key: str, secret: str | None = None, salt: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(key=key, secret=secret, **kwargs)
        self.salt = salt
        self.base_url: str | None = kwargs.get("base_url")
        self.base_path = os.path.abspath(os.path.expanduser(key))
        if os.path.exists(self.base_path) and not os.path.isdir(self.base_path):
            raise NotADirectoryError(f"local storage path {self.base_path!r} is not a directory")
        try:
            os.makedirs(self.base_path, exist_ok=True)
        except PermissionError as exc:
            raise CredentialsError(f"cannot create local storage path {self.base_path!r}") from exc
        self._check_access()
        try:
            self.fs  # noqa: B018  # builds the filesystem now: it probes for user xattrs
        except OSError as exc:
            raise CloudStorageError(str(exc.strerror)) from exc

    @property
    def storage_options(self) -> dict[str, Any]:
        return {"root": self.base_path}

    def _check_access(self) -> None:
        if not os.access(self.base_path, os.R_OK | os.W_OK | os.X_OK):
            raise CredentialsError(f"no read/write access to local storage {self.base_path!r}")

    def _check_credentials(self) -> None:
        self._check_access()

    def _validate_container_name(self, name: str) -> None:
        super()._validate_container_name(name)
        try:
            check_container_name(name)
        except InvalidNameError as exc:
            raise CloudStorageError(str(exc)) from exc

    def _validate_blob_name(self, name: str) -> None:
        super()._validate_blob_name(name)
        try:
            check_blob_name(name)
        except InvalidNameError as exc:
            raise CloudStorageError(str(exc)) from exc

    # -- mapping between the xlocal filesystem and blobs ----------------------------------

    def _blob_fields(self, info: Mapping[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "etag": _etag(info),
            "acl": None,
            "expires_at": None,
            "created_at": datetime.fromtimestamp(info["created"], tz=timezone.utc),
            "modified_at": datetime.fromtimestamp(info["mtime"], tz=timezone.utc),
        }
        if "metadata" in info:  # a full info(); a listing entry carries the stat alone
            fields.update(
                meta_data=info["metadata"],
                content_type=info.get("content_type"),
                content_disposition=info.get("content_disposition"),
                cache_control=info.get("cache_control"),
            )
        return fields

    def _known_md5(self, blob: Blob) -> str | None:
        # Nothing travels between the disk and the caller: checking the bytes against the MD5
        # cached beside them would cost more than the copy (85% of a 64 MiB download).
        return None

    def _compute_checksum(self, blob: Blob) -> str | None:
        with self._errors(blob.container.name, blob.name):
            digest: str = self.fs.md5(self._path(blob.container.name, blob.name))
        return digest

    # -- URLs -----------------------------------------------------------------------------

    def container_cdn_url(self, container: Container) -> str:
        """The container's folder on disk (the local store has no CDN)."""
        return os.path.join(self.base_path, container.name)

    def blob_cdn_url(self, blob: Blob) -> str:
        """The blob's file on disk (the local store has no CDN)."""
        return os.path.join(self.base_path, blob.container.name, *blob.name.split("/"))

    def _download_url(self, blob: Blob, grant: DownloadGrant) -> str:
        """A URL-safe signature of the blob, its expiry and response overrides.

        Append it to your app's storage route, which calls `validate_signature`; with
        ``base_url`` it is a URL that `cloudstorage.serve` answers.
        """
        payload = {
            "container": blob.container.name,
            "blob_name": blob.name,
            "method": grant.method,
            "content_disposition": grant.content_disposition,
            "content_type": grant.content_type,
            "max_age": grant.expires,
            "expires": int(time.time()) + grant.expires,
        }
        signature = self._serializer().dumps(payload)
        if self.base_url:
            return f"{self.base_url}?{urlencode({'signature': signature})}"
        return signature

    def _upload_form(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """Form fields ``blob_name``, ``container``, ``expires`` and a ``signature``.

        The signature carries every condition; the receiving route (or `cloudstorage.serve`)
        calls `validate_signature` and passes the payload's settings to `upload_blob`.
        """
        expires_at = int(time.time()) + policy.expires
        settings = policy.settings
        payload = {
            "container": container.name,
            "blob_name": policy.blob_name,
            "acl": settings.acl,
            "meta_data": dict(settings.meta_data),
            "content_disposition": settings.content_disposition,
            "content_length": policy.content_length,
            "content_type": settings.content_type,
            "cache_control": settings.cache_control,
            "max_age": policy.expires,
            "expires": expires_at,
            **{key: value for key, value in policy.extra.items() if key.startswith("success_")},
        }
        fields = {
            "blob_name": policy.blob_name,
            "container": container.name,
            "expires": expires_at,
            "signature": self._serializer().dumps(payload),
        }
        return {"url": self.base_url or "", "fields": fields}

    def validate_signature(self, signature: str) -> dict[str, Any]:
        """The payload of a signature made by this driver's secret and salt.

        Raises `SignatureExpiredError` past its expiry and `CloudStorageError` for a signature
        that was altered or made with another secret or salt. A download URL made with
        ``base_url`` is accepted whole.
        """
        if "?" in signature:
            signature = parse_qs(urlsplit(signature).query).get("signature", [""])[0]
        try:
            payload = self._serializer().loads(signature)
        except itsdangerous.BadSignature as exc:
            raise CloudStorageError(
                "invalid signature: it was altered, or signed with another secret or salt"
            ) from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("expires"), int):
            raise CloudStorageError("invalid signature: the payload is not one of ours")
        if payload["expires"] < time.time():
            raise SignatureExpiredError(
                f"signature for {payload.get('container')}/{payload.get('blob_name')} "
                f"expired at {datetime.fromtimestamp(payload['expires'], tz=timezone.utc)}"
            )
        return payload

    def _serializer(self) -> itsdangerous.URLSafeTimedSerializer:
        if not self.secret:
            raise CloudStorageError("LocalDriver needs a secret to sign URLs and upload forms")
        return itsdangerous.URLSafeTimedSerializer(self.secret, salt=self.salt or "cloudstorage")


def _etag(info: Mapping[str, Any]) -> str:
    """Changes whenever the blob is replaced, without reading its bytes."""
    version = f"{info['name']}:{info.get('mtime_ns', info['mtime'])}:{info['size']}"
    return hashlib.sha1(version.encode(), usedforsecurity=False).hexdigest()
