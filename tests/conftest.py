"""Fixtures shared by every test: a rig per driver on its real store, fresh containers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import requests

from cloudstorage import Container, Driver
from cloudstorage.exceptions import CloudStorageError
from tests.rigs import Rig, RigPool, ServerPool, selected
from tests.rigs.swift import Identity
from tests.servers import AzuriteServer, FakeGcsServer, MotoServer, SwiftServer

RIG_NAMES = selected(os.environ.get("CLOUDSTORAGE_TEST_DRIVERS"))


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """The session's servers: each starts on first use, once, and stops when the session ends."""
    with ServerPool(tmp_path_factory.mktemp("servers")) as pool:
        yield pool


@pytest.fixture(scope="session")
def moto_server(servers: ServerPool) -> MotoServer:
    """The session's moto (the S3-family rigs' server)."""
    return servers.get("moto")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def swift_server(servers: ServerPool) -> SwiftServer:
    """The session's Swift (the swift and cloudfiles rigs' server)."""
    return servers.get("swift")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def swift_identity(servers: ServerPool) -> Identity:
    """The Rackspace identity service the cloudfiles rig logs in at, before the Swift."""
    return servers.get("identity")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def azurite_server(servers: ServerPool) -> AzuriteServer:
    """The session's Azurite (the azure rig's server)."""
    return servers.get("azurite")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def fake_gcs_server(servers: ServerPool) -> FakeGcsServer:
    """The session's fake-gcs-server (the gcs rig's server)."""
    return servers.get("fake_gcs")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def rigs(servers: ServerPool) -> Iterator[RigPool]:
    """The session's rigs, each built once on the session's servers."""
    pool = RigPool(servers)
    yield pool
    pool.close()


@pytest.fixture(scope="session", params=RIG_NAMES)
def rig(request: pytest.FixtureRequest, rigs: RigPool) -> Rig:
    """A driver on its running store; the store starts once per session."""
    return rigs.get(request.param)


@pytest.fixture
def driver(rig: Rig, request: pytest.FixtureRequest) -> Driver:
    gap = rig.known_gaps.get(request.node.originalname)
    if gap:
        request.applymarker(pytest.mark.xfail(reason=f"{rig.name}: {gap}", strict=True))
    return rig.driver


def unique_name(prefix: str = "test") -> str:
    """A container name valid on every service (lower case, digits, dashes, 3-63 chars)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def container(driver: Driver) -> Iterator[Container]:
    """A fresh, empty container, removed with whatever the test left in it."""
    created = driver.create_container(unique_name())
    yield created
    try:
        for blob in list(created):
            blob.delete()
        created.delete()
    except CloudStorageError:
        pass  # the test deleted it itself


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A client with no credentials of ours and no proxy: everything here is on 127.0.0.1."""
    with requests.Session() as session:
        session.trust_env = False
        yield session
