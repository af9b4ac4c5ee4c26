"""The environment's proxy variables apply to the drivers that send through ``requests``.

Swift (keystoneauth) and Azure's own requests (azure-core) send through
`fs_bridge.http_session.EnvironmentOnceSession`, which resolves ``http_proxy`` and
``no_proxy`` once per host and value instead of on every request: these tests hold that they
are still obeyed. The proxy is a `FaultProxy` serving as a forward proxy to the real server.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from cloudstorage import Container, Driver
from tests.conftest import RIG_NAMES, unique_name
from tests.faults.conftest import blob_path
from tests.rigs import Rig, RigPool, ServerPool
from tests.rigs.proxied import proxied_driver, upstream
from tests.servers.fault_proxy import FaultProxy

THROUGH_REQUESTS = tuple(name for name in ("azure", "swift") if name in RIG_NAMES)
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")


@pytest.fixture(params=THROUGH_REQUESTS)
def rig(request: pytest.FixtureRequest, rigs: RigPool) -> Rig:
    return rigs.get(request.param)


@pytest.fixture
def stored(rig: Rig) -> Iterator[Container]:
    """A container on the rig's server (reached directly) holding ``blob`` (``b"proxied"``)."""
    created = rig.driver.create_container(unique_name("proxy"))
    created.upload_blob(io.BytesIO(b"proxied"), blob_name="blob")
    yield created
    for blob in list(created):
        blob.delete()
    created.delete()


@pytest.fixture
def forward_proxy(
    rig: Rig, servers: ServerPool, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FaultProxy]:
    """A forward proxy to the rig's server, and an environment naming no proxy yet."""
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    proxy = FaultProxy(upstream(rig, servers))
    yield proxy
    proxy.close()


def _fresh_driver(rig: Rig, servers: ServerPool, stops: list[Any]) -> Driver:
    """The rig's driver (its credentials) on its server's own URL."""
    return proxied_driver(rig, upstream(rig, servers), servers, stops)


def _download(driver: Driver, container: str) -> bytes:
    received = io.BytesIO()
    driver.get_container(container).get_blob("blob").download(received)
    return received.getvalue()


@pytest.mark.parametrize(
    ("no_proxy", "through_the_proxy"),
    [(None, True), ("127.0.0.1", False)],
    ids=["proxy", "no_proxy"],
)
def test_requests_follow_the_proxy_variables_of_the_environment(
    rig: Rig,
    servers: ServerPool,
    stored: Container,
    forward_proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str | None,
    through_the_proxy: bool,
) -> None:
    monkeypatch.setenv("http_proxy", forward_proxy.url)
    if no_proxy is not None:
        monkeypatch.setenv("no_proxy", no_proxy)
    assert _download(_fresh_driver(rig, servers, []), stored.name) == b"proxied"
    reads = [seen.path for seen in forward_proxy.take() if seen.method == "GET"]
    read_the_blob = any(re.search(blob_path(stored.name, "blob"), path) for path in reads)
    assert read_the_blob is through_the_proxy
    if not through_the_proxy:
        assert reads == []
