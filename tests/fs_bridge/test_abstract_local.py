"""fsspec's own conformance suite over the ``xlocal`` filesystem."""

from __future__ import annotations

import pytest
from fsspec.tests import abstract

from fs_bridge.local import XattrLocalFileSystem


class XlocalFixtures(abstract.AbstractFixtures):
    @pytest.fixture
    def fs(self, tmp_path):
        root = tmp_path / "xlocal-root"
        (root / "bucket").mkdir(parents=True)
        return XattrLocalFileSystem(root=str(root), skip_instance_cache=True)

    @pytest.fixture
    def fs_path(self):
        return "bucket"

    @pytest.fixture
    def fs_join(self):
        return lambda *parts: "/".join(parts)

    @pytest.fixture
    def supports_empty_directories(self):
        # Like an object store: deleting a folder's last blob removes the folder.
        return False


class TestXlocalCopy(abstract.AbstractCopyTests, XlocalFixtures):
    pass


class TestXlocalGet(abstract.AbstractGetTests, XlocalFixtures):
    pass


class TestXlocalPut(abstract.AbstractPutTests, XlocalFixtures):
    pass


class TestXlocalOpen(abstract.AbstractOpenTests, XlocalFixtures):
    pass


class TestXlocalPipe(abstract.AbstractPipeTests, XlocalFixtures):
    pass
