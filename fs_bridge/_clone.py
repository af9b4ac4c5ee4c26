"""Copy one open file into another inside the kernel: a reflink where the filesystem shares
blocks (Btrfs, XFS, OverlayFS on those), else ``copy_file_range``, else a buffered copy.

The target is written from its start; the source is read from ``offset`` to its end.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil

__all__ = ["clone_file"]

_FICLONE = 0x40049409
"""``ioctl(target, FICLONE, source)``: share the whole source's blocks (Linux 4.5)."""
_KERNEL_COPY = 1 << 30
_NO_KERNEL_COPY = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ETXTBSY, errno.EPERM}
)
_BUFFER = 1024 * 1024


def clone_file(source_fd: int, target_fd: int) -> int:
    """Copy all of ``source_fd`` into the empty ``target_fd``; returns the byte count."""
    size = os.fstat(source_fd).st_size
    try:
        fcntl.ioctl(target_fd, _FICLONE, source_fd)
    except OSError as exc:
        if exc.errno not in _NO_KERNEL_COPY | {errno.ENOTTY, errno.EBADF}:
            raise
    else:
        return size
    copied = 0
    try:
        while count := os.copy_file_range(source_fd, target_fd, _KERNEL_COPY, copied, copied):
            copied += count
    except OSError as exc:
        if copied or exc.errno not in _NO_KERNEL_COPY:
            raise
        os.lseek(source_fd, 0, os.SEEK_SET)
        with (
            open(source_fd, "rb", buffering=0, closefd=False) as reader,
            open(target_fd, "wb", closefd=False) as target,
        ):
            shutil.copyfileobj(reader, target, _BUFFER)
            copied = target.tell()
    return copied
