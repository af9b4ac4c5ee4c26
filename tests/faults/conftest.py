"""Cloud drivers reaching their real servers through a `FaultProxy` each.

``cloud`` is parametrised over the S3, GCS and Azure rigs: the server starts once per session
(shared with the conformance suite's rig when both run), and a second driver with the rig's
credentials is built on the proxy's URL. Each test starts with no faults and no recorded
requests.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cloudstorage import Container, Driver
from cloudstorage.exceptions import CloudStorageError
from tests.conftest import unique_name
from tests.rigs import STARTERS, Rig
from tests.servers.fault_proxy import (
    AZURE_SERVER_BUSY,
    GCS_TOO_MANY_REQUESTS,
    S3_SLOW_DOWN,
    FaultProxy,
)

CLOUD_RIGS = ("s3", "gcs", "azure")
FAST_RETRIES = {"initial_backoff": 0.2, "increment_base": 1, "retry_total": 3}
"""Azure's default first backoff is 15 s: the same policy, scaled down for tests."""


@dataclass
class Cloud:
    """A rig's driver, and a driver with the same credentials behind a fault proxy."""

    name: str
    rig: Rig
    proxy: FaultProxy
    driver: Driver
    throttle_answer: tuple[int, dict[str, str], bytes]


def blob_path(container: str, blob: str) -> str:
    """A regex for requests that read one blob: S3 and Azure ``/C/B``, GCS ``/b/C/o/B``."""
    return rf"/{container}/(o/)?{re.escape(blob)}(\?|$)"


def upload_path(name: str, container: str, blob: str) -> str:
    """A regex for the requests that upload one blob (GCS: resumable session requests too)."""
    if name == "gcs":
        return rf"/upload/storage/v1/b/{container}/o\?.*name={re.escape(blob)}"
    return blob_path(container, blob)


def _proxied(name: str, rig: Rig, proxy_url: str) -> Driver:
    original = rig.driver
    if name == "s3":
        from cloudstorage.drivers.amazon import S3Driver  # noqa: PLC0415  # optional extra

        return S3Driver(original.key, original.secret, endpoint_url=proxy_url)
    if name == "gcs":
        from cloudstorage.drivers.google import GoogleStorageDriver  # noqa: PLC0415

        return GoogleStorageDriver(
            key=original.key, project=original.project, endpoint_url=proxy_url
        )
    from cloudstorage.drivers.microsoft import AzureStorageDriver  # noqa: PLC0415

    path = urlsplit(original.endpoint_url).path
    return AzureStorageDriver(
        original.account_name, original.key, endpoint_url=proxy_url + path, **FAST_RETRIES
    )


def _upstream(name: str, rig: Rig) -> str:
    parts = urlsplit(rig.driver.endpoint_url)
    return f"{parts.scheme}://{parts.netloc}"


_THROTTLE = {"s3": S3_SLOW_DOWN, "gcs": GCS_TOO_MANY_REQUESTS, "azure": AZURE_SERVER_BUSY}


@pytest.fixture(scope="session", params=CLOUD_RIGS)
def cloud_session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cloud]:
    name = request.param
    workdir: Path = tmp_path_factory.mktemp(f"faults-{name}")
    with STARTERS[name](workdir) as rig:
        proxy = FaultProxy(_upstream(name, rig))
        try:
            yield Cloud(name, rig, proxy, _proxied(name, rig, proxy.url), _THROTTLE[name])
        finally:
            proxy.close()


@pytest.fixture
def cloud(cloud_session: Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """The session's proxied cloud, with no faults; gcsfs's backoff (1, 2, 4, ... s) cut 20x."""
    # the driver module first: it turns gcsfs's HNS probing off before gcsfs is imported
    importlib.import_module("cloudstorage.drivers.google")
    import gcsfs.retry  # noqa: PLC0415  # optional extra

    monkeypatch.setattr(gcsfs.retry, "asyncio", _FastAsyncio())
    cloud_session.proxy.clear()
    yield cloud_session
    cloud_session.proxy.clear()


class _FastAsyncio:
    """gcsfs.retry's ``asyncio``, its sleeps shortened (its retry count and order unchanged)."""

    def __getattr__(self, name: str) -> object:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / 20)


@pytest.fixture
def bucket(cloud: Cloud) -> Iterator[Container]:
    """A fresh container on the real server, seen through the proxy; faults cleared after."""
    created = cloud.driver.create_container(unique_name("fault"))
    cloud.proxy.clear()
    yield created
    cloud.proxy.clear()
    try:
        for blob in list(created):
            blob.delete()
        created.delete()
    except CloudStorageError:
        pass
