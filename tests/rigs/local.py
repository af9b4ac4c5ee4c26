"""Local store rigs: a LocalDriver on a fresh directory, bare or behind `cloudstorage serve`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cloudstorage.drivers.local import LocalDriver
from cloudstorage.serve import make_app
from tests.servers.wsgi import serve_wsgi

if TYPE_CHECKING:
    from tests.rigs import Rig
    from tests.rigs.pool import ServerPool

SECRET, SALT = "test-secret", "test-salt"


@contextmanager
def start_local(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    """Signatures are bare, as in cloudstorage 0.10: the app's own route checks them."""
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    driver = LocalDriver(key=str(workdir / "storage"), secret=SECRET, salt=SALT)
    yield Rig(name="local", driver=driver, http_download_urls=False)


@contextmanager
def start_local_served(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    """Download URLs and upload forms point at a running `cloudstorage.serve` app."""
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    root = str(workdir / "storage")
    with serve_wsgi(make_app(LocalDriver(key=root, secret=SECRET, salt=SALT))) as url:
        driver = LocalDriver(key=root, secret=SECRET, salt=SALT, base_url=f"{url}/storage")
        yield Rig(name="local-served", driver=driver, http_download_urls=True)
