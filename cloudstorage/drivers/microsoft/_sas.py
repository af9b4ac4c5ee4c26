"""Shared access signatures of the Azure driver: signed URLs and upload "forms" (a SAS PUT).

Signed with the account key (`AzureLogin.signing_key`); a key SAS cannot require headers,
bound the size, or be limited to a prefix.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from azure.storage.blob import (
    BlobSasPermissions,
    ContainerSasPermissions,
    generate_blob_sas,
    generate_container_sas,
)

from cloudstorage.base.settings import FILENAME, DownloadGrant, UploadPolicy
from cloudstorage.drivers.microsoft._keys import encode_metadata
from cloudstorage.exceptions import CloudStorageError

if TYPE_CHECKING:
    from cloudstorage.drivers.microsoft import AzureStorageDriver

__all__ = ["MAX_SINGLE_PUT", "blob_sas_url", "grant_url", "prefix_sas_url", "put_blob_form"]

SAS_PERMISSIONS = {
    "GET": BlobSasPermissions(read=True),
    "HEAD": BlobSasPermissions(read=True),
    "PUT": BlobSasPermissions(create=True, write=True),
    "DELETE": BlobSasPermissions(delete=True),
}
MAX_SINGLE_PUT = 5000 * 1024 * 1024
"""The largest body one Put Blob (what an upload URL allows) takes."""


def grant_url(driver: AzureStorageDriver, container: str, blob: str, grant: DownloadGrant) -> str:
    """A blob SAS URL whose permission ``grant.method`` picks (see `SAS_PERMISSIONS`)."""
    permission = SAS_PERMISSIONS.get(grant.method)
    if permission is None:
        raise CloudStorageError(f"method must be one of {sorted(SAS_PERMISSIONS)}")
    return blob_sas_url(
        driver,
        container,
        blob,
        permission,
        grant.expires,
        content_disposition=grant.content_disposition,
        content_type=grant.content_type,
    )


def put_blob_form(
    driver: AzureStorageDriver, container: str, policy: UploadPolicy
) -> dict[str, Any]:
    """A create+write SAS URL and the headers of one Put Blob (see the driver's `_upload_form`)."""
    if policy.content_length is not None and policy.content_length[0] > MAX_SINGLE_PUT:
        raise CloudStorageError("an upload URL takes at most 5000 MiB (one Put Blob)")
    settings = policy.settings
    headers = {"x-ms-blob-type": "BlockBlob"}
    for header, value in (
        ("x-ms-blob-content-type", settings.content_type),
        ("x-ms-blob-content-disposition", settings.content_disposition),
        ("x-ms-blob-cache-control", settings.cache_control),
    ):
        if value is not None:
            headers[header] = value
    metadata = encode_metadata(dict(settings.meta_data))
    headers.update({f"x-ms-meta-{name}": value for name, value in metadata.items()})
    if policy.is_prefix:
        url = prefix_sas_url(driver, container, policy.key, policy.expires)
    else:
        url = blob_sas_url(
            driver,
            container,
            policy.blob_name,
            BlobSasPermissions(create=True, write=True),
            policy.expires,
        )
    return {"url": url, "method": "PUT", "headers": headers, "fields": {}}


def prefix_sas_url(driver: AzureStorageDriver, container: str, key: str, expires: int) -> str:
    """A create+write container SAS on the URL of ``key``, ``${filename}`` left in it.

    A key SAS cannot be bound to a prefix: it grants writing any blob of the container.
    """
    token = generate_container_sas(
        driver.account_name,
        container,
        account_key=driver.login.signing_key(),
        permission=ContainerSasPermissions(create=True, write=True),
        expiry=datetime.now(timezone.utc) + timedelta(seconds=expires),
        protocol="https" if driver.endpoint_url.startswith("https://") else None,
    )
    base = driver.service.get_container_client(container).url
    return f"{base}/{quote(key.replace(FILENAME, ''))}{FILENAME}?{token}"


def blob_sas_url(
    driver: AzureStorageDriver,
    container: str,
    blob: str,
    permission: BlobSasPermissions,
    expires: int,
    content_disposition: str | None = None,
    content_type: str | None = None,
) -> str:
    """A service SAS URL for one blob with ``permission``, signed with the account key."""
    expiry = datetime.now(timezone.utc) + timedelta(seconds=expires)
    token = generate_blob_sas(
        driver.account_name,
        container,
        blob,
        account_key=driver.login.signing_key(),
        permission=permission,
        expiry=expiry,
        content_disposition=content_disposition,
        content_type=content_type,
        # An https account's URLs refuse plain http; an http endpoint (Azurite) allows it.
        protocol="https" if driver.endpoint_url.startswith("https://") else None,
    )
    return f"{driver.service.get_blob_client(container, blob).url}?{token}"
