"""`GoogleOptions`: the keyword options of `GoogleStorageDriver`."""

from __future__ import annotations

from typing import Annotated

from cloudstorage.base.options import Default, DriverOptions

__all__ = ["GoogleOptions", "server_checks_md5"]


class GoogleOptions(DriverOptions, total=False):
    """`GoogleStorageDriver`'s options (``key`` is the service-account JSON file)."""

    project: Annotated[str | None, Default(note="the service account's")]
    """The project new buckets belong to."""
    endpoint_url: Annotated[str | None, Default("https://storage.googleapis.com")]
    """A GCS-compatible server (fake-gcs-server, a private endpoint) instead of Google's."""
    server_checks_md5: Annotated[
        bool | None, Default(note="`True` on Google's endpoint, `False` with `endpoint_url`")
    ]
    """Whether the server refuses a one-request upload whose bytes do not match the
    ``md5Hash`` sent with it, as GCS does: an overwrite of up to 8 MiB from a file or seekable
    stream then costs one request. Otherwise it is staged beside the blob and checked before it
    replaces the old bytes (four requests). Set it for a GCS-compatible server that checks."""


def server_checks_md5(options: GoogleOptions) -> bool:
    """The `GoogleOptions.server_checks_md5` in force: as given, else whether the endpoint is
    Google's (emulators and fake-gcs-server check no hash)."""
    given = options.get("server_checks_md5")
    return not options.get("endpoint_url") if given is None else bool(given)
