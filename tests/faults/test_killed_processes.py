"""A process SIGKILLed in the middle of an upload leaves nothing that lists as a blob.

The child uploads an endless stream; once the upload is under way (the local store's temporary
file written, S3's multipart upload begun with a part sent, Swift's first segment sent) it
stops in ``read()`` and tells the parent, which kills it with SIGKILL: no ``finally``, no
abort, no cleanup runs.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from cloudstorage import Container
from cloudstorage.drivers.amazon import S3Driver
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.drivers.rackspace import SwiftDriver
from tests.conftest import RIG_NAMES, unique_name
from tests.processes import kill_hard, python_child, wait_until_under_way
from tests.rigs.swift import swift_driver
from tests.servers import MotoServer, SwiftServer

CHILD = textwrap.dedent(
    """
    import sys, time
    from {module} import {cls}

    class Endless:
        # 8 MiB per read; on the second read (a part is sent / a temp file written) it stops.
        def __init__(self):
            self.reads = 0
        def read(self, size=-1):
            self.reads += 1
            if self.reads == 2:
                print("UNDER WAY", flush=True)
                time.sleep(120)
            return b"x" * (8 * 2**20)

    driver = {cls}(*{args!r}, **{kwargs!r})
    container = driver.get_container({container!r})
    container.upload_blob(
        Endless(), blob_name="big.bin", content_type="application/octet-stream"
    )
    """
)


def _kill_mid_upload(driver_class: type, args: tuple, kwargs: dict, container: str) -> None:
    code = CHILD.format(
        module=driver_class.__module__,
        cls=driver_class.__name__,
        args=args,
        kwargs=kwargs,
        container=container,
    )
    with python_child(code) as child:
        wait_until_under_way(child)
        kill_hard(child)


@pytest.mark.slow
def test_killed_local_upload_lists_nothing(tmp_path: Path):
    root = tmp_path / "storage"
    driver = LocalDriver(key=str(root), secret="s")
    container = driver.create_container("killed")
    _kill_mid_upload(LocalDriver, (str(root),), {"secret": "s"}, "killed")
    assert list(container) == []
    assert "big.bin" not in container
    # What is left is the hidden temporary file of the interrupted write, which no listing,
    # lookup or fsspec call shows (the store skips its prefix); nothing under the blob's name.
    leftovers = os.listdir(root / "killed")
    assert all(name.startswith(".~xlocal-") for name in leftovers), leftovers
    assert driver.fs.ls("killed", detail=False) == []


@pytest.mark.slow
def test_killed_s3_upload_lists_nothing(moto_server: MotoServer):
    server = moto_server
    driver = S3Driver(server.access_key, server.secret_key, endpoint_url=server.endpoint_url)
    container: Container = driver.create_container(unique_name("killed"))
    args = (server.access_key, server.secret_key)
    _kill_mid_upload(S3Driver, args, {"endpoint_url": server.endpoint_url}, container.name)
    assert list(container) == []
    assert "big.bin" not in container
    # The multipart upload the child began is still open: a killed process cannot abort it,
    # and the driver does not sweep other processes' uploads (it cannot tell a dead writer
    # from a slow one). Removing them is a bucket lifecycle rule's job
    # (AbortIncompleteMultipartUpload, e.g. after a day); until then they are billed but
    # never listed, read or mistaken for a blob.
    uploads = driver._call("list_multipart_uploads", Bucket=container.name).get("Uploads", [])
    assert [upload["Key"] for upload in uploads] == ["big.bin"]
    for upload in uploads:  # what the lifecycle rule would do
        driver._call(
            "abort_multipart_upload",
            Bucket=container.name,
            Key=upload["Key"],
            UploadId=upload["UploadId"],
        )
    assert "Uploads" not in driver._call("list_multipart_uploads", Bucket=container.name)
    container.delete()


@pytest.mark.slow
@pytest.mark.skipif("swift" not in RIG_NAMES, reason="the swift rig is not selected")
def test_killed_swift_upload_lists_nothing(swift_server: SwiftServer):
    server = swift_server
    driver = swift_driver(server)
    container: Container = driver.create_container(unique_name("killed"))
    # 8 MiB segments: the child's first read fills one, which is sent before the second read
    kwargs = {"auth_url": server.auth_url, "segment_size": 8 * 2**20}
    _kill_mid_upload(SwiftDriver, (server.user, server.key), kwargs, container.name)
    assert list(container) == []
    assert "big.bin" not in container
    # The segment sent stays in <container>_segments (no manifest ties it to a name): as with
    # S3's open multipart uploads, a sweep of old segments (or X-Delete-After) removes it.
    segments = driver.fs.find(f"{container.name}_segments")
    assert [name.split("/")[1] for name in segments] == ["big.bin"]
    driver.fs.rm(f"{container.name}_segments", recursive=True)
    container.delete()
