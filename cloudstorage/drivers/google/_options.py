"""`GoogleOptions`: the keyword options of `GoogleStorageDriver`."""

from __future__ import annotations

from typing import Annotated

from cloudstorage.base.options import Default, DriverOptions

__all__ = ["GoogleOptions"]


class GoogleOptions(DriverOptions, total=False):
    """`GoogleStorageDriver`'s options (``key`` is the service-account JSON file)."""

    project: Annotated[str | None, Default(note="the service account's")]
    """The project new buckets belong to."""
    endpoint_url: Annotated[str | None, Default("https://storage.googleapis.com")]
    """A GCS-compatible server (fake-gcs-server, a private endpoint) instead of Google's."""
