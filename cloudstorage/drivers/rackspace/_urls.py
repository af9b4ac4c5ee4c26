"""Public (CDN) URLs, TempURLs, FormPost forms and the account's signing key of a Swift driver.

Signatures are `_signing`'s; the key is the account's ``Temp-URL-Key`` (set to a new random
one on first use where the account has none).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cloudstorage.base import Blob, Container
from cloudstorage.base.settings import DownloadGrant, UploadPolicy
from cloudstorage.drivers.rackspace import _signing as signing
from cloudstorage.exceptions import CloudStorageError
from cloudstorage.helpers import parse_content_disposition
from fs_bridge.swift._headers import check_metadata

if TYPE_CHECKING:
    from cloudstorage.drivers.rackspace import SwiftDriver

__all__ = [
    "MAX_FORM_FILE_SIZE",
    "container_cdn_url",
    "download_url",
    "put_url",
    "set_cdn",
    "temp_url_key",
    "upload_form",
]

logger = logging.getLogger("cloudstorage")

MAX_FORM_FILE_SIZE = 5 * 2**30  # Swift's largest single object


def set_cdn(driver: SwiftDriver, container: Container, enabled: bool) -> bool:
    """Publish (or stop publishing) ``container``: Rackspace CDN, else ``.r:*`` reads."""
    with driver._errors(container.name):
        cdn = driver._cdn_endpoint()
        if cdn:
            response = driver.fs.conn.session.request(
                f"{cdn}/{quote(container.name, safe='')}",
                "PUT",
                headers={"X-CDN-Enabled": str(enabled)},
                raise_exc=True,
            )
            return bool(response.status_code < 300)
        headers = {"X-Container-Read": ".r:*"} if enabled else {"X-Remove-Container-Read": "1"}
        driver.fs._request("POST", container.name, headers=headers)
    return True


def container_cdn_url(driver: SwiftDriver, container: Container) -> str:
    """The container's public URL; `CloudStorageError` until its CDN is enabled."""
    with driver._errors(container.name):
        cdn = driver._cdn_endpoint()
        if cdn:
            response = driver.fs.conn.session.request(
                f"{cdn}/{quote(container.name, safe='')}", "HEAD", raise_exc=False
            )
            url = response.headers.get("X-Cdn-Ssl-Uri") or response.headers.get("X-Cdn-Uri")
            if response.status_code < 300 and url:
                return str(url)
        elif ".r:" in (driver.fs.info(container.name).get("read_acl") or ""):
            return f"{driver.storage_url}/{quote(container.name, safe='')}"
    raise CloudStorageError(f"CDN is not enabled for container {container.name!r}")


def temp_url_key(driver: SwiftDriver) -> str:
    """The account's signing key, set to a new random one where it has none."""
    if not driver._signing_key:
        first, second = driver.get_account_temp_url_keys()
        key = first or second
        if not key:
            key = secrets.token_urlsafe(32)
            driver.set_account_temp_url_keys(temp_url_key=key)
            logger.info("set a new Temp-URL key on the Swift account")
        driver._signing_key = key
    return driver._signing_key


def download_url(driver: SwiftDriver, blob: Blob, grant: DownloadGrant) -> str:
    """A TempURL for ``grant`` (see `SwiftDriver._download_url`)."""
    filename, inline = None, False
    if grant.content_disposition:
        kind, params = parse_content_disposition(grant.content_disposition)
        inline = kind == "inline"
        filename = params.get("filename") or (None if inline else blob.name.split("/")[-1])
    if grant.content_type:
        logger.warning("Swift TempURLs cannot override the response's content type")
    return signing.temp_url(
        driver.storage_url, blob.container.name, blob.name, temp_url_key(driver),
        grant.method, int(time.time()) + grant.expires, driver.digest,
        filename=filename, inline=inline,
    )  # fmt: skip


def put_url(driver: SwiftDriver, container: Container, policy: UploadPolicy) -> dict[str, Any]:
    """A TempURL for ``PUT``; the content type and ``X-Object-Meta-*`` headers to send."""
    url = signing.temp_url(
        driver.storage_url, container.name, policy.blob_name, temp_url_key(driver),
        "PUT", int(time.time()) + policy.expires, driver.digest,
    )  # fmt: skip
    settings = policy.settings
    headers = check_metadata(dict(settings.meta_data))
    if settings.content_type:
        headers["Content-Type"] = settings.content_type
    return {"url": url, "headers": headers}


def upload_form(driver: SwiftDriver, container: Container, policy: UploadPolicy) -> dict[str, Any]:
    """A Swift FormPost (see `SwiftDriver._upload_form`)."""
    settings = policy.settings
    if settings.meta_data or settings.content_disposition or settings.cache_control:
        logger.warning("Swift FormPost stores no metadata, disposition or cache control")
    length = policy.content_length
    form = signing.form_post(
        driver.storage_url, container.name, "" if policy.blob_name == "*" else policy.blob_name,
        temp_url_key(driver), int(time.time()) + policy.expires,
        max_file_size=length[1] if length else MAX_FORM_FILE_SIZE,
        redirect=str(policy.extra.get("success_action_redirect") or ""), digest=driver.digest,
    )  # fmt: skip
    if settings.content_type:
        form["fields"]["content-type"] = settings.content_type
    return form
