"""`AzureOptions`: the keyword options of `AzureStorageDriver`, and the endpoint they name.

cloudstorage 0.10 handed its Azure options to azure-storage's ``BlockBlobService``; those that
say where the account is (``protocol``, ``endpoint_suffix``, ``custom_domain``,
``is_emulated``) and ``socket_timeout`` still work.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from cloudstorage.base.options import Default, DriverOptions

__all__ = ["AzureOptions", "blob_endpoint"]

AZURE_SUFFIX = "core.windows.net"
AZURITE = "http://127.0.0.1:10000"
"""Where ``is_emulated`` looks for the emulator (Azurite's, and 0.10's SDK's, default)."""


class AzureOptions(DriverOptions, total=False):
    """`AzureStorageDriver`'s options (the account is the ``account_name`` and ``key``
    arguments). The retry budget applies to the driver's own requests (transfers, lookups,
    containers); adlfs (listings, ``fs``) retries as the SDK does by default."""

    endpoint_url: Annotated[
        str | None, Default(note="`https://{account_name}.blob.core.windows.net`")
    ]
    """The account's blob endpoint elsewhere: Azurite
    (``http://127.0.0.1:10000/devstoreaccount1``), sovereign clouds, private endpoints."""
    sas_token: Annotated[str | None, Default(None)]
    """Log in with a SAS token instead of the account key (no signed URLs then)."""
    connection_string: Annotated[str | None, Default(None)]
    """Log in with a connection string (account, key or SAS, endpoint)."""
    credential: Annotated[Any, Default(None)]
    """Log in with a token credential object (``azure-identity``'s and the like)."""
    retry_policy: Annotated[Any, Default(note="one spending the retry budget")]
    """An azure-core retry policy that replaces the driver's whole."""
    retry_total: int
    """The former name of ``retries`` (azure-storage-blob's), still read as it."""
    initial_backoff: float
    """The former name of ``retry_backoff``, still read as it."""
    increment_base: float
    """A former option of the SDK's retries, taken and no longer used."""
    random_jitter_range: float
    """A former option of the SDK's retries, taken and no longer used."""
    protocol: Annotated[Literal["https", "http"], Default("https")]
    """0.10's option: the scheme of the account's endpoint."""
    endpoint_suffix: Annotated[str, Default(AZURE_SUFFIX)]
    """0.10's option: the endpoint is ``{account_name}.blob.{endpoint_suffix}`` (sovereign
    clouds: ``core.chinacloudapi.cn``, ``core.usgovcloudapi.net``)."""
    custom_domain: str
    """0.10's option: the host serving the account's blobs (a custom domain)."""
    is_emulated: Annotated[bool, Default(False)]
    """0.10's option: the emulator at ``http://127.0.0.1:10000/{account_name}``."""
    socket_timeout: float
    """0.10's option: read as ``timeout``."""


def blob_endpoint(account_name: str, options: AzureOptions) -> tuple[str, bool]:
    """The account's blob endpoint, and whether it is another than Azure's default."""
    if options.get("endpoint_url"):
        return str(options.get("endpoint_url")).rstrip("/"), True
    if options.get("is_emulated"):
        return f"{AZURITE}/{account_name}", True
    default_host = f"{account_name}.blob.{AZURE_SUFFIX}"
    host = options.get("custom_domain") or (
        f"{account_name}.blob.{options.get('endpoint_suffix') or AZURE_SUFFIX}"
    )
    protocol = options.get("protocol") or "https"
    return f"{protocol}://{host}".rstrip("/"), (protocol, host) != ("https", default_host)
