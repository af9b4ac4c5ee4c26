"""cloudstorage: one API for S3, GCS, Azure, MinIO, Swift / Cloud Files and a local store.

Drivers are imported on demand by `get_driver` / `get_driver_by_name`, so importing this
package loads no cloud SDK.
"""

import logging

from cloudstorage.base import Blob, Container, Driver
from cloudstorage.registry import DriverName, get_driver, get_driver_by_name

__all__ = ["Blob", "Container", "Driver", "DriverName", "get_driver", "get_driver_by_name"]
__version__ = "1.0.0.dev0"

logging.getLogger("cloudstorage").addHandler(logging.NullHandler())
