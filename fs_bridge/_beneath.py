"""``openat2(RESOLVE_BENEATH)``: the kernel opens a path only if it stays below a folder.

Linux 5.6+ resolves every segment, symlinks included, and fails with ``EXDEV`` at any step out
of the folder (``..``, an absolute symlink, a symlink leading elsewhere): one syscall, and no
race between checking a path and opening it. Python has no binding, so it is called through
libc's ``syscall``; `openat2_supported` says whether this kernel (and its seccomp filter)
allows it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import sys
from typing import Any

__all__ = ["NO_OPENAT2", "openat2", "openat2_supported"]

NO_OPENAT2 = frozenset({errno.ENOSYS, errno.EPERM, errno.E2BIG, errno.EINVAL})
"""Errors that mean the call itself is unavailable (an old kernel, a seccomp filter)."""

_SYS_OPENAT2 = 437  # the same number on every Linux architecture
_RESOLVE_BENEATH = 0x08
_AT_FDCWD = -100


class _OpenHow(ctypes.Structure):
    _fields_ = (
        ("flags", ctypes.c_uint64),
        ("mode", ctypes.c_uint64),
        ("resolve", ctypes.c_uint64),
    )


_HOW_SIZE = ctypes.sizeof(_OpenHow)
_hows: dict[int, Any] = {}
_syscall: Any = None


def openat2_supported() -> bool:
    """Whether `openat2` works here (probed once per process)."""
    global _syscall  # noqa: PLW0603  # probed once per process
    if _syscall is None:
        _syscall = False
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                call = ctypes.CDLL(None, use_errno=True).syscall
                call.restype = ctypes.c_long
                how = _OpenHow(os.O_PATH | os.O_CLOEXEC, 0, _RESOLVE_BENEATH)
                fd = call(_SYS_OPENAT2, _AT_FDCWD, b".", ctypes.byref(how), _HOW_SIZE)
                if fd >= 0:
                    os.close(fd)
                    _syscall = call
    return bool(_syscall)


def openat2(dir_fd: int, path: str, flags: int) -> int:
    """Open ``path`` (relative) below ``dir_fd``; ``OSError`` (``EXDEV``) for any step out.

    Call only where `openat2_supported` is true.
    """
    how = _hows.get(flags)
    if how is None:  # built once per flag set; the kernel only reads it
        how = _hows[flags] = ctypes.byref(_OpenHow(flags, 0, _RESOLVE_BENEATH))
    fd: int = _syscall(
        _SYS_OPENAT2, dir_fd, path.encode("utf-8", "surrogateescape"), how, _HOW_SIZE
    )
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), path)
    return fd
