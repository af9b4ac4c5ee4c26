"""fsspec's own conformance suite over the ``swift`` filesystem, on the session's Swift."""

from __future__ import annotations

import uuid

import pytest
from fsspec.tests import abstract

from fs_bridge.swift import SwiftFileSystem
from tests.conftest import RIG_NAMES

pytestmark = pytest.mark.skipif(
    "swift" not in RIG_NAMES, reason="CLOUDSTORAGE_TEST_DRIVERS leaves out swift"
)


class SwiftFixtures(abstract.AbstractFixtures):
    @pytest.fixture
    def fs(self, swift_server):
        # small segments: large-object writes run in every test (paging has its own tests)
        return SwiftFileSystem(
            auth_url=swift_server.auth_url,
            user=swift_server.user,
            key=swift_server.key,
            segment_size=1024 * 1024,
            skip_instance_cache=True,
        )

    @pytest.fixture
    def fs_path(self, fs):
        container = f"abstract-{uuid.uuid4().hex[:12]}"
        fs.mkdir(container)
        yield container
        fs.rm(container, recursive=True)

    @pytest.fixture
    def fs_join(self):
        return lambda *parts: "/".join(parts)

    @pytest.fixture
    def supports_empty_directories(self):
        return False  # an object store: folders exist while they hold objects


class TestSwiftCopy(abstract.AbstractCopyTests, SwiftFixtures):
    pass


class TestSwiftGet(abstract.AbstractGetTests, SwiftFixtures):
    # The 32 glob edge cases run once, in TestSwiftCopy: they check fsspec's path expansion over
    # our find/ls/info, which get and put share with copy (their own transfers are tested by
    # the rest of these classes). Run three times they were a quarter of the suite's time.
    test_get_glob_edge_cases = None


class TestSwiftPut(abstract.AbstractPutTests, SwiftFixtures):
    test_put_glob_edge_cases = None  # see TestSwiftGet


class TestSwiftOpen(abstract.AbstractOpenTests, SwiftFixtures):
    pass


class TestSwiftPipe(abstract.AbstractPipeTests, SwiftFixtures):
    pass
