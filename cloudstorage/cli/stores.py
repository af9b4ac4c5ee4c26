"""Stores named by URL, and the credentials the CLI connects with.

``local://container/blob`` is the embedded default (``./storage``); ``s3://``, ``minio://``,
``gs://``, ``az://``, ``swift://``, ``cloudfiles://``, ``spaces://`` and ``b2://`` name the
other drivers. A name without ``://`` is a path on this machine.

Credentials never come from the command line (it lands in shell history): each store's driver
options come from the ``[scheme]`` table of a TOML file (``$CLOUDSTORAGE_CONFIG``, default
``~/.config/cloudstorage/config.toml``), overridden by ``CLOUDSTORAGE_<SCHEME>_<OPTION>``
environment variables, e.g. ``CLOUDSTORAGE_S3_SECRET`` or ``CLOUDSTORAGE_LOCAL_KEY``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudstorage import Driver, get_driver_by_name
from cloudstorage.exceptions import CloudStorageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SCHEMES = {
    "local": "LOCAL",
    "s3": "S3",
    "minio": "MINIO",
    "gs": "GOOGLESTORAGE",
    "az": "AZURE",
    "swift": "SWIFT",
    "cloudfiles": "CLOUDFILES",
    "spaces": "DIGITALOCEANSPACES",
    "b2": "BACKBLAZEB2",
}
DEFAULTS: Mapping[str, Mapping[str, str]] = {"local": {"key": "storage"}}
ALIASES = {"xlocal": "local"}
"""fsspec protocols that name a scheme of ours (`Blob.uri`, which ``info`` prints)."""
SERVE_URL = "http://127.0.0.1:8000/"
"""Where ``cloudstorage serve`` answers by default: local signed URLs point there."""


@dataclass(frozen=True)
class StoreURL:
    """``scheme://container/name``; ``container`` and ``name`` may be empty."""

    scheme: str
    container: str
    name: str

    def __str__(self) -> str:
        return f"{self.scheme}://{self.container}/{self.name}".rstrip("/")


def parse(text: str) -> StoreURL | None:
    """The store URL ``text`` names, or None for a path on this machine."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return None
    scheme = ALIASES.get(scheme, scheme)
    if scheme not in SCHEMES:
        raise CloudStorageError(f"unknown store {scheme!r}: use one of {', '.join(SCHEMES)}")
    container, _, name = rest.partition("/")
    return StoreURL(scheme, container, name)


def load_options(scheme: str, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Driver options for ``scheme``: defaults, then the config file, then the environment."""
    options: dict[str, Any] = dict(DEFAULTS.get(scheme, {}))
    config_path = Path(
        environ.get("CLOUDSTORAGE_CONFIG", "~/.config/cloudstorage/config.toml")
    ).expanduser()
    if config_path.is_file():
        with config_path.open("rb") as file:
            try:
                table = tomllib.load(file).get(scheme, {})
            except tomllib.TOMLDecodeError as exc:
                raise CloudStorageError(f"{config_path} is not valid TOML: {exc}") from exc
        options.update(table)
    prefix = f"CLOUDSTORAGE_{scheme.upper()}_"
    for variable, value in environ.items():
        if variable.startswith(prefix):
            options[variable[len(prefix) :].lower()] = value
    return options


def connect_signing(scheme: str) -> Driver:
    """`connect`, for signing: the local store needs a secret and signs URLs of ``serve``."""
    driver = connect(scheme)
    if scheme == "local":
        if not driver.secret:
            raise CloudStorageError(
                "signing needs the local store's secret: set CLOUDSTORAGE_LOCAL_SECRET "
                "or 'secret' in the [local] table of the config file"
            )
        driver.base_url = driver.base_url or SERVE_URL  # type: ignore[attr-defined]
    return driver


def connect(scheme: str) -> Driver:
    """A driver for ``scheme`` configured from the config file and the environment."""
    driver_class = get_driver_by_name(SCHEMES[scheme])
    return driver_class(**load_options(scheme))
