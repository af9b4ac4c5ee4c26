"""Swift TempURL and FormPost signatures, with any digest the cluster allows.

openstacksdk signs with HMAC-SHA1 only; these default to SHA-256. Both middlewares sign the
URL *path* (``/v1/AUTH_account/container/object``, not percent-encoded) with a key stored in the
account's (or container's) ``Temp-URL-Key`` metadata, and tell the digest by the signature's
length (hex for SHA-1 and SHA-256).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

__all__ = ["form_post", "temp_url"]

DIGESTS = ("sha1", "sha256", "sha512")


def _signature(key: str, body: str, digest: str) -> str:
    if digest not in DIGESTS:
        raise ValueError(f"digest must be one of {', '.join(DIGESTS)}, not {digest!r}")
    mac = hmac.new(key.encode(), body.encode(), getattr(hashlib, digest)).hexdigest()
    return mac if digest != "sha512" else f"sha512:{mac}"  # hex of 128 is ambiguous otherwise


def _object_path(storage_url: str, container: str, name: str) -> tuple[str, str]:
    """(the path that is signed, the URL that is fetched)."""
    path = f"{urlsplit(storage_url).path.rstrip('/')}/{container}/{name}"
    base = storage_url.rstrip("/")
    url = f"{base}/{quote(container, safe='')}/{quote(name, safe='/')}"
    return path, url


def temp_url(
    storage_url: str,
    container: str,
    name: str,
    key: str,
    method: str,
    expires_at: int,
    digest: str = "sha256",
    filename: str | None = None,
    inline: bool = False,
) -> str:
    """A TempURL granting ``method`` on one object until ``expires_at`` (Unix time).

    ``filename`` / ``inline`` set the response's Content-Disposition (``attachment;
    filename=...``, or ``inline``); they are not part of the signature.
    """
    path, url = _object_path(storage_url, container, name)
    signature = _signature(key, f"{method.upper()}\n{expires_at}\n{path}", digest)
    query: dict[str, str] = {"temp_url_sig": signature, "temp_url_expires": str(expires_at)}
    if filename:
        query["filename"] = filename
    tail = "&inline" if inline else ""
    return f"{url}?{urlencode(query)}{tail}"


def form_post(
    storage_url: str,
    container: str,
    prefix: str,
    key: str,
    expires_at: int,
    max_file_size: int,
    max_file_count: int = 1,
    redirect: str = "",
    digest: str = "sha256",
) -> dict[str, Any]:
    """``{'url', 'fields'}`` of a FormPost: files go to ``container/prefix<file name>``."""
    path, url = _object_path(storage_url, container, prefix)
    body = f"{path}\n{redirect}\n{max_file_size}\n{max_file_count}\n{expires_at}"
    fields = {
        "redirect": redirect,
        "max_file_size": str(max_file_size),
        "max_file_count": str(max_file_count),
        "expires": str(expires_at),
        "signature": _signature(key, body, digest),
    }
    return {"url": url, "fields": fields}
