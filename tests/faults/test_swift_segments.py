"""Swift and Cloud Files: the one-minute memory of a ``<container>_segments`` container against
another client deleting that container.

A writer remembers for a minute that a container has its segments container; another client
may delete it meanwhile (with the large objects whose segments it held). The next large
upload still succeeds: each upload creates the segments container before its first segment,
and a segment answered 404 (the container deleted between the two requests) re-creates the
container once and is sent again.
"""

from __future__ import annotations

import io
import os

import pytest

from cloudstorage import Container
from tests.faults.conftest import SWIFT_FAMILY, Cloud

LARGE = os.urandom(9 * 2**20)  # two 8 MiB segments and a manifest here
OTHER = os.urandom(9 * 2**20)


@pytest.fixture
def swift_cloud(cloud: Cloud) -> Cloud:
    if cloud.name not in SWIFT_FAMILY:
        pytest.skip("segments containers are Swift's")
    return cloud


def _read(cloud: Cloud, container: str, name: str) -> bytes:
    out = io.BytesIO()
    cloud.rig.driver.get_container(container).get_blob(name).download(out)
    return out.getvalue()


def test_large_upload_after_another_client_deleted_the_segments_container(
    swift_cloud: Cloud, bucket: Container
):
    cloud = swift_cloud
    bucket.upload_blob(io.BytesIO(LARGE), blob_name="a.bin")  # remembered: it has segments
    direct = cloud.rig.driver
    direct.get_container(bucket.name).get_blob("a.bin").delete()
    direct.fs.rm(f"{bucket.name}_segments", recursive=True)  # the other client's cleanup
    assert not direct.fs.exists(f"{bucket.name}_segments")
    bucket.upload_blob(io.BytesIO(OTHER), blob_name="b.bin")
    assert _read(cloud, bucket.name, "b.bin") == OTHER


def test_segments_container_deleted_between_its_creation_and_a_segment(
    swift_cloud: Cloud, bucket: Container
):
    """Swift answers 404 to an object PUT in a container that is gone: the proxy answers the
    first segment so, as if the container were deleted right after the upload created it."""
    cloud = swift_cloud
    cloud.proxy.fail("PUT", rf"/{bucket.name}_segments/b\.bin/", times=1, status=404)
    bucket.upload_blob(io.BytesIO(OTHER), blob_name="b.bin")
    assert cloud.proxy.count("fail") == 1
    assert _read(cloud, bucket.name, "b.bin") == OTHER
