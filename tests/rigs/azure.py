"""The Azure rig: an AzureStorageDriver on a session Azurite (in memory, 127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cloudstorage.drivers.microsoft import AzureStorageDriver
from tests.servers import start_azurite

if TYPE_CHECKING:
    from tests.rigs import Rig


@contextmanager
def start_azure(workdir: Path) -> Iterator[Rig]:
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    with start_azurite(workdir) as server:
        yield Rig(
            name="azure",
            driver=AzureStorageDriver(
                server.account_name, server.account_key, endpoint_url=server.blob_endpoint
            ),
            http_download_urls=True,
            form_post=False,
        )
