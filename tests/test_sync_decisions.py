"""What `sync` copies, from what two listed blobs carry (no store needed beyond a local one)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cloudstorage import Blob, Container
from cloudstorage.base.blob import UNSET
from cloudstorage.base.sync import differs
from cloudstorage.drivers.local import LocalDriver

T0 = datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=timezone.utc)


@pytest.fixture
def container(tmp_path) -> Container:
    return Container("c", LocalDriver(key=str(tmp_path), secret="s"))


def _blob(container: Container, size: int = 3, md5=UNSET, modified=T0) -> Blob:
    return Blob("n", md5, None, size, container, container.driver, modified_at=modified)


@pytest.mark.parametrize(
    ("source", "target", "copy"),
    [
        ({"size": 4}, {}, True),  # sizes differ
        ({"md5": "a" * 32}, {"md5": "b" * 32}, True),  # same size, MD5s differ
        ({"md5": "a" * 32, "modified": T0 + timedelta(days=1)}, {"md5": "a" * 32}, False),
        ({"modified": T0 + timedelta(seconds=1)}, {}, True),  # source newer
        ({}, {"modified": T0 + timedelta(seconds=1)}, False),  # destination newer
        ({}, {}, False),  # same time
        # a side listing whole seconds (S3, Azure): compared to the second
        ({"modified": T0}, {"modified": T0.replace(microsecond=0)}, False),
        ({"modified": T0 + timedelta(seconds=1)}, {"modified": T0.replace(microsecond=0)}, True),
        ({"modified": None}, {}, True),  # unknown: copy
        ({"modified": T0.replace(tzinfo=None) + timedelta(seconds=1)}, {}, True),  # naive: UTC
    ],
)
def test_copy_decision(container: Container, source: dict, target: dict, copy: bool):
    assert differs(_blob(container, **source), _blob(container, **target)) is copy
