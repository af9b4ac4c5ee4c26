"""The local store's signatures: itsdangerous tokens of download URLs, upload forms and PUTs.

Byte-compatible with cloudstorage 0.10 (same serializer, secret, salt and payload keys).
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import itsdangerous

from cloudstorage.base import Blob, Container
from cloudstorage.base.settings import DownloadGrant, UploadPolicy
from cloudstorage.exceptions import (
    CloudStorageError,
    InvalidSignatureError,
    SignatureExpiredError,
)

if TYPE_CHECKING:
    from cloudstorage.drivers.local import LocalDriver

__all__ = [
    "BadSignatureError",
    "download_url",
    "put_url",
    "serializer",
    "upload_form",
    "validate",
]


class BadSignatureError(InvalidSignatureError, itsdangerous.BadSignature):
    """A local signature that was altered or made with another secret or salt.

    Both ours (`InvalidSignatureError`, a `CloudStorageError`) and itsdangerous's
    ``BadSignature``, which is what cloudstorage 0.10 let through to its callers.
    """

    __module__ = "cloudstorage.drivers.local"  # where it is documented, raised and pickled

    def __init__(self, message: str) -> None:
        InvalidSignatureError.__init__(self, message)
        self.payload = None


def serializer(secret: str | None, salt: str | None) -> itsdangerous.URLSafeTimedSerializer:
    """Exactly cloudstorage 0.10's serializer, so its links and ours validate both ways."""
    if not secret:
        raise CloudStorageError(
            "LocalDriver needs a secret to sign URLs and upload forms: "
            "LocalDriver(key=..., secret=...)"
        )
    return itsdangerous.URLSafeTimedSerializer(
        secret_key=secret,
        salt=salt,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def download_url(driver: LocalDriver, blob: Blob, grant: DownloadGrant) -> str:
    """A URL-safe signature of the blob, its expiry and response overrides (a URL with
    ``base_url``)."""
    payload = {
        "container": blob.container.name,
        "blob_name": blob.name,
        "method": grant.method,
        "content_disposition": grant.content_disposition,
        "content_type": grant.content_type,
        "max_age": grant.expires,
        "expires": int(time.time()) + grant.expires,
    }
    signature = driver._serializer().dumps(payload)
    if driver.base_url:
        return f"{driver.base_url}?{urlencode({'signature': signature})}"
    return signature


def upload_form(driver: LocalDriver, container: Container, policy: UploadPolicy) -> dict[str, Any]:
    """Form fields ``blob_name``, ``container``, ``expires`` and a ``signature``."""
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
        "signature": driver._serializer().dumps(payload),
    }
    return {"url": driver.base_url or "", "fields": fields}


def put_url(driver: LocalDriver, container: Container, policy: UploadPolicy) -> dict[str, Any]:
    """A signature granting one ``PUT`` of the blob (``grant: "put"``), and its headers."""
    settings = policy.settings
    payload = {
        "grant": "put",
        "container": container.name,
        "blob_name": policy.blob_name,
        "content_type": settings.content_type,
        "meta_data": dict(settings.meta_data),
        "max_age": policy.expires,
        "expires": int(time.time()) + policy.expires,
    }
    signature = driver._serializer().dumps(payload)
    url = (
        f"{driver.base_url}?{urlencode({'signature': signature})}" if driver.base_url else signature
    )
    headers = {"Content-Type": settings.content_type} if settings.content_type else {}
    return {"url": url, "headers": headers}


def validate(serializer: itsdangerous.URLSafeTimedSerializer, signature: str) -> dict[str, Any]:
    """The payload of ``signature`` (see `LocalDriver.validate_signature`)."""
    if "?" in signature:
        signature = parse_qs(urlsplit(signature).query).get("signature", [""])[0]
    try:
        payload = serializer.loads(signature)
    except itsdangerous.BadSignature as exc:
        raise BadSignatureError(
            "invalid signature: it was altered, or signed with another secret or salt"
        ) from exc
    if not isinstance(payload, dict):
        raise BadSignatureError("invalid signature: the payload is not one of ours")
    max_age = payload.get("max_age")
    if isinstance(max_age, bool) or not isinstance(max_age, int):
        raise BadSignatureError("invalid signature: the payload is not one of ours")
    try:  # the signing time itsdangerous keeps in the token, as 0.10 checked it
        serializer.loads(signature, max_age=max_age)
    except itsdangerous.SignatureExpired as exc:
        raise SignatureExpiredError(
            f"signature for {payload.get('container')}/{payload.get('blob_name')} "
            f"expired {max_age} s after it was made"
        ) from exc
    return payload
