"""The Azure rig: an AzureStorageDriver on the session's Azurite (in memory, 127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cloudstorage.drivers.microsoft import AzureStorageDriver

if TYPE_CHECKING:
    from tests.rigs import Rig
    from tests.rigs.pool import ServerPool


@contextmanager
def start_azure(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    server = servers.get("azurite")
    yield Rig(
        name="azure",
        driver=AzureStorageDriver(
            server.account_name, server.account_key, endpoint_url=server.blob_endpoint
        ),
        http_download_urls=True,
        form_post=False,
    )
