"""Fixtures shared by every test: a rig per driver on its real store, fresh containers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import requests

from cloudstorage import Container, Driver
from cloudstorage.exceptions import CloudStorageError
from tests.rigs import STARTERS, Rig, selected

RIG_NAMES = selected(os.environ.get("CLOUDSTORAGE_TEST_DRIVERS"))


@pytest.fixture(scope="session", params=RIG_NAMES)
def rig(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """A driver on its running store; the store starts once per session."""
    workdir = tmp_path_factory.mktemp(f"rig-{request.param}")
    with STARTERS[request.param](workdir) as started:
        yield started


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
