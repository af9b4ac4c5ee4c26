"""Cloud drivers reaching their real servers through a `FaultProxy` each.

``cloud`` is parametrised over every cloud rig (those of ``CLOUDSTORAGE_TEST_DRIVERS`` if set):
the rig is the session's (the conformance suite's, on the session's server), and a second
driver with the rig's credentials is built on the proxy's URL (`tests.rigs.proxied`), its
retries scaled down. Each test starts with no faults and no recorded requests.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from cloudstorage import Container, Driver
from cloudstorage.exceptions import CloudStorageError
from tests.conftest import RIG_NAMES, unique_name
from tests.rigs import Rig, RigPool, ServerPool
from tests.rigs.proxied import S3_FAMILY, SWIFT_FAMILY, proxied_driver, upstream
from tests.servers.fault_proxy import (
    AZURE_SERVER_BUSY,
    GCS_TOO_MANY_REQUESTS,
    S3_SLOW_DOWN,
    SWIFT_RATE_LIMITED,
    SWIFT_TOO_MANY_REQUESTS,
    FaultProxy,
)

CLOUD_RIGS = tuple(
    name for name in (*S3_FAMILY, "gcs", "azure", *SWIFT_FAMILY) if name in RIG_NAMES
)
FAST_RETRIES = {"retries": 3, "retry_backoff": 0.05}
"""The S3 family's, Azure's and GCS's retries, the waits scaled down for tests (the default
budget's attempts and waits are `test_retry_budget`'s and `benchmarks.retry_budget`'s)."""
SWIFT_OPTIONS = {"retries": 3, "retry_backoff": 0.05, "segment_size": 8 * 2**20}
"""Swift's retries (4, from 0.5 s) scaled down; segments of 8 MiB, so that a 9 MiB blob is a
large object (two segments and a manifest) as it is multipart on the other services."""


@dataclass
class Cloud:
    """A rig's driver, and a driver with the same credentials behind a fault proxy."""

    name: str
    rig: Rig
    proxy: FaultProxy
    driver: Driver
    throttle_answer: tuple[int, dict[str, str], bytes]
    stops: list[Any] = field(default_factory=list)

    def pending_uploads(self, container: str) -> list[str]:
        """Blob names with an unfinished upload still stored (never listed as a blob).

        S3: open multipart uploads; Swift: segments in ``<container>_segments``; GCS and
        Azure keep nothing that lists (resumable sessions and uncommitted blocks expire).
        """
        direct: Any = self.rig.driver
        if self.name in S3_FAMILY:
            uploads = direct._call("list_multipart_uploads", Bucket=container).get("Uploads", [])
            return [upload["Key"] for upload in uploads]
        if self.name in SWIFT_FAMILY:
            segments = f"{container}_segments"
            if not direct.fs.exists(segments):
                return []
            # segment names: <blob name>/<upload id>/<index>
            names = direct.fs.find(segments)
            return sorted({name.split("/", 1)[1].rsplit("/", 2)[0] for name in names})
        return []

    def abort_pending(self, container: str) -> None:
        """What a lifecycle rule (S3) or a sweep of old segments (Swift) would do."""
        direct: Any = self.rig.driver
        if self.name in S3_FAMILY:
            uploads = direct._call("list_multipart_uploads", Bucket=container).get("Uploads", [])
            for upload in uploads:
                direct._call(
                    "abort_multipart_upload",
                    Bucket=container,
                    Key=upload["Key"],
                    UploadId=upload["UploadId"],
                )
        elif self.name in SWIFT_FAMILY and direct.fs.exists(f"{container}_segments"):
            direct.fs.rm(f"{container}_segments", recursive=True)


def blob_path(container: str, blob: str) -> str:
    """A regex for requests that read one blob: S3, Azure and Swift ``/C/B``, GCS ``/b/C/o/B``."""
    return rf"/{container}/(o/)?{re.escape(blob)}(\?|$)"


def upload_path(name: str, container: str, blob: str) -> str:
    """A regex for the requests that upload one blob (GCS: resumable session requests too;
    Swift: the segments of a large object, in ``<container>_segments``, and its manifest)."""
    if name == "gcs":
        return rf"/upload/storage/v1/b/{container}/o\?.*name={re.escape(blob)}"
    if name in SWIFT_FAMILY:
        return rf"/{container}(_segments)?/{re.escape(blob)}(/|\?|$)"
    return blob_path(container, blob)


def _proxied(rig: Rig, proxy_url: str, servers: ServerPool, stops: list[Any]) -> Driver:
    name = rig.name
    options = SWIFT_OPTIONS if name in SWIFT_FAMILY else FAST_RETRIES
    return proxied_driver(rig, proxy_url, servers, stops, **options)


_THROTTLE = {
    **dict.fromkeys(S3_FAMILY, S3_SLOW_DOWN),
    "gcs": GCS_TOO_MANY_REQUESTS,
    "azure": AZURE_SERVER_BUSY,
    "swift": SWIFT_RATE_LIMITED,
    "cloudfiles": SWIFT_TOO_MANY_REQUESTS,
}


@pytest.fixture(scope="session", params=CLOUD_RIGS)
def cloud_session(
    request: pytest.FixtureRequest, rigs: RigPool, servers: ServerPool
) -> Iterator[Cloud]:
    """The session's rig ``name`` (the conformance suite's), and a driver behind a proxy."""
    name = request.param
    rig = rigs.get(name)
    proxy = FaultProxy(upstream(rig, servers))
    stops: list[Any] = []
    try:
        driver = _proxied(rig, proxy.url, servers, stops)
        yield Cloud(name, rig, proxy, driver, _THROTTLE[name], stops)
    finally:
        for stop in stops:
            stop()
        proxy.close()


@pytest.fixture
def cloud(cloud_session: Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """The session's proxied cloud, with no faults; the backoffs of gcsfs (1, 2, 4, ... s),
    s3fs (0.1 x 1.7^n s) and botocore (up to 1, 2, ... s) cut 20x, their retry counts kept."""
    if cloud_session.name == "gcs":
        # the driver module first: it turns gcsfs's HNS probing off before gcsfs is imported
        importlib.import_module("cloudstorage.drivers.google")
        import gcsfs.retry  # noqa: PLC0415  # optional extra

        monkeypatch.setattr(gcsfs.retry, "asyncio", _FastAsyncio())
    if cloud_session.name in S3_FAMILY:
        import aiobotocore.endpoint  # noqa: PLC0415  # optional extra
        import s3fs.core  # noqa: PLC0415  # optional extra

        monkeypatch.setattr(s3fs.core, "asyncio", _FastAsyncio())
        monkeypatch.setattr(aiobotocore.endpoint, "asyncio", _FastAsyncio())
    cloud_session.proxy.clear()
    yield cloud_session
    cloud_session.proxy.clear()


class _FastAsyncio:
    """A module's ``asyncio``, its sleeps shortened (retry counts and order unchanged)."""

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
        cloud.abort_pending(created.name)
        for blob in list(created):
            blob.delete()
        created.delete()
    except CloudStorageError:
        pass
