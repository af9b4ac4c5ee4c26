"""Fixtures of the conformance suite beyond the shared ``driver`` and ``container``."""

from __future__ import annotations

from collections.abc import Iterator

import distributed
import pytest

from cloudstorage import Container, Driver
from tests.conftest import unique_name


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on a dask cluster runs on one pytest-xdist worker (``--dist loadgroup``).

    A LocalCluster's processes import the whole stack and then tick while idle (about 0.1 core a
    cluster): one cluster a module on one worker, not one a session on every worker.
    """
    for item in items:
        if "dask_client" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("dask"))


@pytest.fixture(scope="module")
def dask_client() -> Iterator[distributed.Client]:
    """A dask client on a LocalCluster of two worker processes (so everything must pickle)."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
        host="127.0.0.1", silence_logs=50,
    )  # fmt: skip
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def target(driver: Driver) -> Iterator[Container]:
    """A second fresh container on the same driver, removed with its blobs."""
    created = driver.create_container(unique_name("target"))
    yield created
    for blob in list(created):
        blob.delete()
    created.delete()
