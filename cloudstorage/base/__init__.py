"""The object API: `Driver` → `Container` → `Blob`, written once over fsspec."""

from cloudstorage.base.blob import Blob
from cloudstorage.base.container import Container
from cloudstorage.base.driver import Driver

__all__ = ["Blob", "Container", "Driver"]
