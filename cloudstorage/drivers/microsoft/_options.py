"""`AzureOptions`: the keyword options of `AzureStorageDriver`."""

from __future__ import annotations

from typing import Annotated, Any

from cloudstorage.base.options import Default, DriverOptions

__all__ = ["AzureOptions"]


class AzureOptions(DriverOptions, total=False):
    """`AzureStorageDriver`'s options (the account is the ``account_name`` and ``key``
    arguments). The retry budget applies to the driver's own requests (transfers, lookups,
    containers); adlfs (listings, ``fs``) retries as the SDK does by default."""

    endpoint_url: Annotated[
        str | None, Default(note="`https://{account_name}.blob.core.windows.net`")
    ]
    """The account's blob endpoint elsewhere: Azurite
    (``http://127.0.0.1:10000/devstoreaccount1``), sovereign clouds, private endpoints."""
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
