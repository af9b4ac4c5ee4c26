"""The local store rig: a LocalDriver on a fresh temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cloudstorage.drivers.local import LocalDriver

if TYPE_CHECKING:
    from tests.rigs import Rig


@contextmanager
def start_local(workdir: Path) -> Iterator[Rig]:
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    yield Rig(
        name="local",
        driver=LocalDriver(key=str(workdir / "storage"), secret="test-secret", salt="test-salt"),
        http_download_urls=False,
    )
