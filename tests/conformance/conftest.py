"""Fixtures of the conformance suite beyond the shared ``driver`` and ``container``."""

from __future__ import annotations

from collections.abc import Iterator

import dask
import distributed
import pytest

from cloudstorage import Container, Driver
from tests.conftest import unique_name

# A LocalCluster ticks while idle: its workers' profiler, the event-loop and memory monitors
# took about 0.1 core a cluster, one cluster on each pytest-xdist worker all session. Quietened,
# 0.015 (measured over 30 idle seconds); none of them is what the tests check.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


@pytest.fixture(scope="session")
def dask_client() -> Iterator[distributed.Client]:
    """A dask client on a LocalCluster of two worker processes (so everything must pickle)."""
    with dask.config.set(QUIET_CLUSTER):
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
