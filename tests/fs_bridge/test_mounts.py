"""Telling a local disk from a network mount, as the local store's bulk calls need to."""

from __future__ import annotations

import os
import sys

import pytest

from fs_bridge.local import _mounts
from fs_bridge.local._mounts import filesystem_type, on_local_disk

TABLE = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 0:50 / /srv/shared rw,relatime - nfs4 server:/export rw,vers=4.2
41 40 0:51 / /srv/shared/scratch rw,relatime - tmpfs tmpfs rw
42 27 0:52 / /mnt/my\\040photos rw,relatime - fuse.sshfs host:/photos rw
43 27 0:53 / /mnt/over rw,relatime - ext4 /dev/vdb rw
44 43 0:54 / /mnt/over rw,relatime - cifs //host/share rw
"""


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "mountinfo"
    path.write_text(TABLE)
    return str(path)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/home/me/storage", "ext4"),  # the root filesystem
        ("/srv/shared", "nfs4"),  # the mount point itself
        ("/srv/shared/app/storage", "nfs4"),
        ("/srv/shared/scratch/storage", "tmpfs"),  # the innermost mount wins
        ("/srv/sharedness", "ext4"),  # a name that only starts like a mount point
        ("/mnt/my photos/storage", "fuse.sshfs"),  # the table escapes a space as \040
        ("/mnt/over/storage", "cifs"),  # mounted over an earlier mount: the later hides it
    ],
)
def test_the_innermost_mount_names_the_filesystem(table, path, kind):
    assert filesystem_type(path, table) == kind


def test_an_unreadable_table_reads_as_unknown(tmp_path):
    assert filesystem_type("/srv", str(tmp_path / "missing")) is None


def test_network_and_fuse_mounts_are_not_local_disks(table, monkeypatch):
    monkeypatch.setattr(_mounts, "MOUNTINFO", table)
    assert on_local_disk("/home/me/storage")
    assert not on_local_disk("/srv/shared/app")
    assert not on_local_disk("/mnt/my photos/storage")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_this_machines_temporary_folder_has_a_type(tmp_path):
    kind = filesystem_type(str(tmp_path))
    assert kind
    assert filesystem_type(os.path.join(str(tmp_path), "not", "yet")) == kind  # not made yet
