"""The store's root and every path opened in it: checked names, checked to stay inside root."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from typing import Any

from fsspec.spec import AbstractFileSystem

from fs_bridge import _xattrs
from fs_bridge._beneath import NO_OPENAT2, openat2, openat2_supported
from fs_bridge._names import InvalidNameError, check_path

__all__ = ["DIR", "PROTOCOL", "READ", "LocalStore"]

PROTOCOL = "xlocal"
# O_NONBLOCK: a FIFO planted in the store fails to read instead of hanging the caller.
READ = os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK
DIR = os.O_RDONLY | os.O_CLOEXEC | os.O_DIRECTORY


class LocalStore(AbstractFileSystem):  # type: ignore[misc]  # fsspec is untyped
    """A root folder, held open, and `_open_checked`: the one way the store opens a path."""

    def __init__(self, root: str | None = None, **kwargs: Any) -> None:
        if root is None:
            raise TypeError(
                f"the {PROTOCOL} filesystem needs root=, the store's folder: "
                f"fsspec.open('{PROTOCOL}://container/blob', root='/srv/storage')"
            )
        super().__init__(root=root, **kwargs)
        self.root = os.path.realpath(root)
        if not os.path.isdir(self.root):
            raise NotADirectoryError(errno.ENOTDIR, "local store root is not a directory", root)
        self._prefix = self.root.rstrip(os.sep) + os.sep
        # Where an open descriptor really is: one readlink instead of resolving the path.
        self._proc_fds = os.path.isdir("/proc/self/fd")
        _xattrs.probe(self.root)
        # The root folder held open for openat2; see _reopen_root if it is replaced.
        self._root_fd: int | None = None
        self._old_root_fds: list[int] = []
        self._root_lock = threading.Lock()
        self._beneath = openat2_supported()
        if self._beneath:
            self._root_fd = os.open(self.root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)

    def __del__(self) -> None:
        fds = [getattr(self, "_root_fd", None), *getattr(self, "_old_root_fds", ())]
        self._root_fd, self._old_root_fds = None, []
        for fd in fds:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = str(path)
        if path.startswith(f"{PROTOCOL}://"):
            path = path[len(PROTOCOL) + 3 :]
        return path.rstrip("/")  # a leading "/" stays, to be refused as an absolute name

    def unstrip_protocol(self, name: str) -> str:
        return f"{PROTOCOL}://{name}"

    # -- paths ------------------------------------------------------------------------------

    def real_path(self, path: str) -> str:
        """The on-disk path of a store path; raises `InvalidNameError` on a bad name.

        The path is built from the checked name alone (no ``..``, NUL, backslash, absolute or
        empty segment); symlinks are dealt with when the store opens it (`_open_checked`).

        Args:
            path: ``container/blob`` (with or without ``xlocal://``).

        Returns:
            The absolute path under ``root``.

        Raises:
            InvalidNameError: the name is not one the store holds.
        """
        path = self._strip_protocol(path)
        if not path:
            return self.root
        check_path(path)
        return self._prefix + path

    def _open_checked(self, path: str, flags: int, named: bool = False) -> int:
        """Open a store path and return the descriptor, once checked to lie inside root.

        Linux 5.6+ resolves the path in the kernel, refusing any step out of root
        (``openat2`` with ``RESOLVE_BENEATH``: one syscall, no race); what it refuses is
        opened only if its resolved path is inside (an absolute symlink into root). Without
        openat2, a symlink as the last segment is resolved and checked before it is opened,
        and every descriptor's real path is checked after: through a symlinked folder a file
        may then be opened, never read or written.

        ``named``: the caller has checked the name rules already (`check_path`), so they are
        not checked twice in one operation. Containment does not depend on them: it is
        checked here either way.
        """
        real = (self._prefix + path if path else self.root) if named else self.real_path(path)
        root_fd = self._root_fd
        if self._beneath and root_fd is not None:
            try:
                return openat2(root_fd, path or ".", flags)
            except FileNotFoundError:
                if not self._reopen_root(root_fd):
                    raise
                return self._open_checked(path, flags, named)  # once more, in the new root
            except OSError as exc:
                if exc.errno in NO_OPENAT2:  # a seccomp filter: the fd stays open for __del__
                    self._beneath = False
                elif exc.errno == errno.EXDEV:  # out of root, or an absolute symlink into it
                    self._check_inside(os.path.realpath(real), path)  # before opening anything
                else:
                    raise
        try:
            fd = os.open(real, flags | os.O_NOFOLLOW)
        except OSError as exc:
            # A symlink refused by O_NOFOLLOW: ELOOP, or ENOTDIR with O_DIRECTORY.
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR) or not os.path.islink(real):
                raise
            self._check_inside(os.path.realpath(real), path)
            fd = os.open(real, flags)
        try:
            if self._proc_fds:
                self._check_inside(os.readlink(f"/proc/self/fd/{fd}"), path)
            else:
                self._check_inside(os.path.realpath(real), path)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _reopen_root(self, used_fd: int) -> bool:
        """Whether to retry after ``used_fd`` did not hold a path: True if ``root`` now names
        another folder (removed and made again), which is then held open instead."""
        with self._root_lock:
            if self._root_fd != used_fd:  # another thread has reopened it
                return True
            try:
                now = os.stat(self.root)
            except OSError:
                return False
            held = os.fstat(used_fd)
            if (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                return False
            # The old descriptor stays open (another thread may be using it) until __del__.
            self._old_root_fds.append(used_fd)
            self._root_fd = os.open(self.root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            return True

    def _check_inside(self, where: str, path: str) -> None:
        if where != self.root and not where.startswith(self._prefix):
            raise InvalidNameError(f"path {path!r} resolves outside the store root")

    def _folder_fd(self, folder: str, named: bool = False) -> int:
        """Open a checked folder, creating the missing sub-folders below its container
        (``named``: the caller has checked the name, as in `_open_checked`)."""
        try:
            return self._open_checked(folder, DIR, named)
        except FileNotFoundError:
            if "/" not in folder:
                raise FileNotFoundError(errno.ENOENT, "container does not exist", folder) from None
        parent, _, name = folder.rpartition("/")
        parent_fd = self._folder_fd(parent, named)
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=parent_fd)
            # Relative to a checked folder, and never through a symlink: inside root.
            return os.open(name, DIR | os.O_NOFOLLOW, dir_fd=parent_fd)
        finally:
            os.close(parent_fd)
