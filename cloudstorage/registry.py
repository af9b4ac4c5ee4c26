"""Driver names and their lazy import table: importing cloudstorage imports no cloud SDK.

The table names each driver's extra, and is where the "install the extra" hint comes from,
both for `get_driver` and for a driver module imported directly (`requires_extra`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from cloudstorage.exceptions import CloudStorageError

if TYPE_CHECKING:
    from cloudstorage.base.driver import Driver

__all__ = ["DriverName", "get_driver", "get_driver_by_name", "requires_extra"]


class DriverName(Enum):
    """Every driver cloudstorage ships, by the name ``get_driver_by_name`` takes."""

    AZURE = "AZURE"
    BACKBLAZEB2 = "BACKBLAZEB2"
    CLOUDFILES = "CLOUDFILES"
    DIGITALOCEANSPACES = "DIGITALOCEANSPACES"
    GOOGLESTORAGE = "GOOGLESTORAGE"
    LOCAL = "LOCAL"
    MINIO = "MINIO"
    S3 = "S3"
    SWIFT = "SWIFT"


class _Entry(NamedTuple):
    module: str
    class_name: str
    extra: str


_DRIVERS: dict[DriverName, _Entry] = {
    DriverName.AZURE: _Entry("cloudstorage.drivers.microsoft", "AzureStorageDriver", "microsoft"),
    DriverName.BACKBLAZEB2: _Entry("cloudstorage.drivers.amazon", "BackblazeB2Driver", "amazon"),
    DriverName.CLOUDFILES: _Entry(
        "cloudstorage.drivers.rackspace", "CloudFilesDriver", "rackspace"
    ),
    DriverName.DIGITALOCEANSPACES: _Entry(
        "cloudstorage.drivers.amazon", "DigitalOceanSpacesDriver", "amazon"
    ),
    DriverName.GOOGLESTORAGE: _Entry(
        "cloudstorage.drivers.google", "GoogleStorageDriver", "google"
    ),
    DriverName.LOCAL: _Entry("cloudstorage.drivers.local", "LocalDriver", "local"),
    DriverName.MINIO: _Entry("cloudstorage.drivers.minio", "MinioDriver", "minio"),
    DriverName.S3: _Entry("cloudstorage.drivers.amazon", "S3Driver", "amazon"),
    DriverName.SWIFT: _Entry("cloudstorage.drivers.rackspace", "SwiftDriver", "rackspace"),
}


def get_driver(driver: DriverName) -> type[Driver]:
    """The driver class for a `DriverName`, imported now.

    Raises `CloudStorageError` for an unknown name, or naming the extra to install when the
    driver's dependencies are missing.

    Args:
        driver: a `DriverName` member.

    Returns:
        The driver class (a subclass of `Driver`), not an instance.

    Raises:
        CloudStorageError: an unknown driver, or its extra is not installed (the message
            names the ``pip install`` to run).
    """
    if not isinstance(driver, DriverName) or driver not in _DRIVERS:
        raise CloudStorageError(f"unknown driver {driver!r}: use one of {_known()}")
    entry = _DRIVERS[driver]
    try:
        module = importlib.import_module(entry.module)
    except ImportError as exc:
        if exc.name == entry.module:
            raise CloudStorageError(
                f"driver {driver.value} is not available in this version of cloudstorage"
            ) from exc
        raise CloudStorageError(
            f"driver {driver.value} needs {exc.name!r}: {_hint(entry.extra)}"
        ) from exc
    driver_class: type[Driver] = getattr(module, entry.class_name)
    return driver_class


def get_driver_by_name(driver_name: str) -> type[Driver]:
    """The driver class for a name such as ``"S3"`` or ``"LOCAL"`` (case-insensitive).

    Args:
        driver_name: a `DriverName` name, in any case.

    Returns:
        The driver class.

    Raises:
        CloudStorageError: an unknown name, or the driver's extra is not installed.
    """
    try:
        member = DriverName[str(driver_name).upper()]
    except KeyError:
        raise CloudStorageError(f"unknown driver {driver_name!r}: use one of {_known()}") from None
    return get_driver(member)


def _known() -> str:
    return ", ".join(name.value for name in DriverName)


@contextmanager
def requires_extra(module: str) -> Iterator[None]:
    """Wrap a driver module's imports of its SDK: a missing package raises `ImportError`
    naming the extra to install (the module's, from the driver table).

    Args:
        module: the driver module's ``__name__``.

    Raises:
        ImportError: a package of the extra is missing; ``name`` is that package's.
    """
    try:
        yield
    except ImportError as exc:
        extras = {entry.module: entry.extra for entry in _DRIVERS.values()}
        raise ImportError(
            f"{module} needs {exc.name!r}: {_hint(extras.get(module, 'all'))}", name=exc.name
        ) from exc


def _hint(extra: str) -> str:
    return f"pip install 'cloudstorage[{extra}]'"
