"""The swift filesystem's server-side copy of large objects, on the session's Swift."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from fs_bridge.swift import SwiftFileSystem
from tests.conftest import RIG_NAMES
from tests.servers import SwiftServer

pytestmark = pytest.mark.skipif(
    "swift" not in RIG_NAMES, reason="CLOUDSTORAGE_TEST_DRIVERS leaves out swift"
)
DATA = os.urandom(2 * 2**20 + 5)  # three segments of 1 MiB


@pytest.fixture
def fs(swift_server: SwiftServer) -> SwiftFileSystem:
    server = swift_server
    return SwiftFileSystem(
        auth_url=server.auth_url, user=server.user, key=server.key,
        segment_size=2**20, skip_instance_cache=True,
    )  # fmt: skip


@pytest.fixture
def box(fs: SwiftFileSystem) -> Iterator[str]:
    name = f"copy-{uuid.uuid4().hex[:12]}"
    fs.mkdir(name)
    with fs.open(f"{name}/big.csv", "wb", content_type="text/csv", metadata={"k": "v"}) as file:
        file.write(DATA)
    assert fs.info(f"{name}/big.csv")["static_large_object"]
    yield name
    fs.rm(name, recursive=True)
    fs.rm(name + "_segments", recursive=True)


def _assert_copy(fs: SwiftFileSystem, path: str) -> None:
    assert fs.cat_file(path) == DATA
    info = fs.info(path)
    assert (info["content_type"], info["metadata"]) == ("text/csv", {"k": "v"})


def test_large_object_copy_holds_its_bytes(fs, box):
    fs.cp_file(f"{box}/big.csv", f"{box}/copy.csv")
    fs.rm_file(f"{box}/big.csv")  # its segments go with it
    _assert_copy(fs, f"{box}/copy.csv")


def test_segment_by_segment_copy_is_independent_of_the_source(fs, box):
    """The path Swift's 413 takes for a source over 5 GiB, run here on a small one."""
    fs._copy_large(f"{box}/big.csv", f"{box}/copy.csv")
    assert fs.info(f"{box}/copy.csv")["static_large_object"]
    fs.rm_file(f"{box}/big.csv")
    _assert_copy(fs, f"{box}/copy.csv")
