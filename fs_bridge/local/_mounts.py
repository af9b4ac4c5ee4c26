"""What kind of filesystem holds a path: a local disk, where each store operation is a few
syscalls that return at once, or a network mount (NFS, SMB, FUSE), where each one waits.

`LocalDriver` sizes its bulk calls by it: threads only help where the work waits.
"""

from __future__ import annotations

import os
import re

__all__ = ["LOCAL_DISK_TYPES", "filesystem_type", "on_local_disk"]

LOCAL_DISK_TYPES = frozenset(
    {
        "bcachefs", "btrfs", "exfat", "ext2", "ext3", "ext4", "f2fs", "hfsplus", "jfs",
        "ntfs3", "overlay", "ramfs", "reiserfs", "tmpfs", "vfat", "xfs", "zfs",
    }
)  # fmt: skip
"""Filesystems whose syscalls do not wait on a network (``overlay``: a container's layers)."""

MOUNTINFO = "/proc/self/mountinfo"
_ESCAPED = re.compile(r"\\([0-7]{3})")


def filesystem_type(path: str, mountinfo: str | None = None) -> str | None:
    """The type (``ext4``, ``nfs4``, ``fuse.sshfs``...) of the filesystem ``path`` lies on.

    Read from the mount table of Linux's ``/proc`` (the innermost mount that holds the
    path's real location; of two on one mount point, the later, which hides the other).

    Args:
        path: any path (it need not exist yet).
        mountinfo: the table to read (default `MOUNTINFO`).

    Returns:
        The type, or None where the table cannot be read (not Linux) or names no mount.
    """
    real = os.path.realpath(path)
    try:
        with open(mountinfo or MOUNTINFO, encoding="utf-8", errors="surrogateescape") as table:
            lines = table.read().splitlines()
    except OSError:
        return None
    found, longest = None, -1
    for line in lines:
        fields, separator, rest = line.partition(" - ")
        parts = fields.split(" ")
        if not separator or len(parts) < 5:
            continue
        point = _ESCAPED.sub(lambda match: chr(int(match[1], 8)), parts[4])
        inside = point in ("/", real) or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= longest:
            found, longest = rest.split(" ", 1)[0], len(point)
    return found


def on_local_disk(path: str) -> bool:
    """Whether ``path`` lies on a filesystem of `LOCAL_DISK_TYPES` (False where unknown)."""
    return filesystem_type(path) in LOCAL_DISK_TYPES
