"""``xlocal://``: an fsspec filesystem for a directory of containers whose blobs keep metadata.

The layout is ``root/<container>/<blob name>``; a ``/`` in a blob name is a sub-folder. Blob
attributes (content type, disposition, cache control, user metadata) live in extended attributes
(see `fs_bridge._xattrs`). Writes are atomic. Every path is checked against the name rules of
`fs_bridge._names` before any I/O, and every file or folder the store opens is checked to lie
inside ``root`` (symlinks planted in the store lead nowhere else) before it is read or written.

    >>> fs = fsspec.filesystem("xlocal", root="/srv/storage")
    >>> fs.pipe("photos/cat.txt", b"meow")
    >>> fs.open("photos/cat.txt", "wb", content_type="text/plain", metadata={"owner": "1"})
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import mimetypes
import operator
import os
import shutil
import stat
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from fsspec.spec import AbstractFileSystem

from fs_bridge import _xattrs
from fs_bridge._beneath import NO_OPENAT2, openat2, openat2_supported
from fs_bridge._clone import clone_file
from fs_bridge._names import (
    TEMP_PREFIX,
    InvalidNameError,
    check_blob_name,
    check_container_name,
    check_path,
)
from fs_bridge.atomic import AtomicWriteFile, is_stale_temp

__all__ = [
    "PROTOCOL",
    "InvalidNameError",
    "XattrLocalFileSystem",
    "check_blob_name",
    "check_container_name",
]

PROTOCOL = "xlocal"
_HASH_BLOCK = 1024 * 1024
_READ_BUFFER = 256 * 1024
# O_NONBLOCK: a FIFO planted in the store fails to read instead of hanging the caller.
_READ = os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK
_DIR = os.O_RDONLY | os.O_CLOEXEC | os.O_DIRECTORY
_GLOB_CHARACTERS = frozenset("*?[")
# Creation time where the platform has it (BSD, macOS); Linux gives the inode change time.
_created = operator.attrgetter(
    "st_birthtime" if hasattr(os.stat_result, "st_birthtime") else "st_ctime"
)


class XattrLocalFileSystem(AbstractFileSystem):  # type: ignore[misc]  # fsspec is untyped
    """Containers are the folders of ``root``; blobs are files with xattr metadata."""

    protocol = (PROTOCOL,)
    root_marker = ""

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

    def _open_checked(self, path: str, flags: int) -> int:
        """Open a store path and return the descriptor, once checked to lie inside root.

        Linux 5.6+ resolves the path in the kernel, refusing any step out of root
        (``openat2`` with ``RESOLVE_BENEATH``: one syscall, no race); what it refuses is
        opened only if its resolved path is inside (an absolute symlink into root). Without
        openat2, a symlink as the last segment is resolved and checked before it is opened,
        and every descriptor's real path is checked after: through a symlinked folder a file
        may then be opened, never read or written.
        """
        real = self.real_path(path)
        root_fd = self._root_fd
        if self._beneath and root_fd is not None:
            try:
                return openat2(root_fd, path or ".", flags)
            except FileNotFoundError:
                if not self._reopen_root(root_fd):
                    raise
                return self._open_checked(path, flags)  # once more, in the new root folder
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

    def _folder_fd(self, folder: str) -> int:
        """Open a checked folder, creating the missing sub-folders below its container."""
        try:
            return self._open_checked(folder, _DIR)
        except FileNotFoundError:
            if "/" not in folder:
                raise FileNotFoundError(errno.ENOENT, "container does not exist", folder) from None
        parent, _, name = folder.rpartition("/")
        parent_fd = self._folder_fd(parent)
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=parent_fd)
            # Relative to a checked folder, and never through a symlink: inside root.
            return os.open(name, _DIR | os.O_NOFOLLOW, dir_fd=parent_fd)
        finally:
            os.close(parent_fd)

    # -- listing ----------------------------------------------------------------------------

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path)
        try:
            fd = self._open_checked(path, _DIR)
        except NotADirectoryError:
            entries = [self.info(path)]
        else:
            entries = []
            try:
                self._scan(fd, path, entries, recursive=False)
            finally:
                os.close(fd)
        if detail:
            return entries
        return [entry["name"] for entry in entries]

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        **kwargs: Any,
    ) -> Any:
        """fsspec's ``find``, in one pass of ``scandir`` per folder (no ``ls`` per folder)."""
        if maxdepth is not None or withdirs:
            return super().find(path, maxdepth=maxdepth, withdirs=withdirs, detail=detail, **kwargs)
        path = self._strip_protocol(path)
        try:
            fd = self._open_checked(path, _DIR)
        except NotADirectoryError:
            entries = [self.info(path)]
        except FileNotFoundError:
            entries = []
        else:
            entries = []
            try:
                self._scan(fd, path, entries, recursive=True)
            finally:
                os.close(fd)
        found = {entry["name"]: entry for entry in entries}
        names = sorted(found)
        if not detail:
            return names
        return {name: found[name] for name in names}

    def _scan(self, fd: int, path: str, out: list[dict[str, Any]], recursive: bool) -> None:
        """Add the entries of the open folder ``fd`` (store path ``path``) to ``out``.

        Recursive: files only, from every sub-folder (not through symlinked folders). The
        temporary files of writes in flight never list; stale ones are removed on the way.
        """
        folders = []
        with os.scandir(fd) as scan:
            for entry in scan:
                name = entry.name
                if name[0] == ".":
                    if name.startswith(TEMP_PREFIX):
                        _sweep(fd, entry)
                        continue
                    if not path:  # a hidden folder of root is not a container
                        continue
                full = f"{path}/{name}" if path else name
                info = self._entry_info(entry, full)
                if info is None:
                    continue
                if recursive and info["type"] == "directory":
                    if not entry.is_symlink():  # never descend through a symlink
                        folders.append((name, full))
                    continue
                out.append(info)
        for name, full in folders:
            try:
                sub = os.open(name, _DIR | os.O_NOFOLLOW, dir_fd=fd)
            except FileNotFoundError:
                continue
            try:
                self._scan(sub, full, out, recursive=True)
            finally:
                os.close(sub)

    def iter_files(self, container: str, folder: str = "") -> Iterator[dict[str, Any]]:
        """The files under ``container/folder``, one at a time, in the order of their names'
        UTF-8 bytes (Python's ``str`` order; a sub-folder ``a`` sorts as ``a/``, so ``a-b`` <
        ``a/x`` < ``a0``), as object stores list them.

        Lazy: a folder is read (names alone) when the walk reaches it, and an entry is stat-ed
        when it is yielded, so memory holds one folder's names per level. `FileNotFoundError`
        for a missing container; a missing folder yields nothing. Temporary files of writes in
        flight never list (stale ones are removed); symlinked folders are not followed.
        """
        fd = self._open_checked(container, _DIR)
        if folder:
            os.close(fd)
            try:
                fd = self._open_checked(f"{container}/{folder}", _DIR)
            except (FileNotFoundError, NotADirectoryError):
                return
        try:
            yield from self._walk_in_order(fd, f"{container}/{folder}" if folder else container)
        finally:
            os.close(fd)

    def _walk_in_order(self, fd: int, path: str) -> Iterator[dict[str, Any]]:
        keys = []
        with os.scandir(fd) as scan:
            for entry in scan:
                if entry.name.startswith(TEMP_PREFIX):
                    _sweep(fd, entry)
                    continue
                folder = entry.is_dir(follow_symlinks=False)
                keys.append(entry.name + "/" if folder else entry.name)
        keys.sort()
        for key in keys:
            if key[-1] == "/":
                try:
                    sub = os.open(key[:-1], _DIR | os.O_NOFOLLOW, dir_fd=fd)
                except (FileNotFoundError, NotADirectoryError):  # gone, or replaced meanwhile
                    continue
                try:
                    yield from self._walk_in_order(sub, f"{path}/{key[:-1]}")
                finally:
                    os.close(sub)
                continue
            info = self._named_info(fd, key, f"{path}/{key}")
            if info is not None and info["type"] == "file":
                yield info

    def _named_info(self, fd: int, name: str, path: str) -> dict[str, Any] | None:
        """`_entry_info` for the entry ``name`` of the open folder ``fd``."""
        try:
            stat_result = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISLNK(stat_result.st_mode):
                if self._leads_out(path):
                    return None
                stat_result = os.stat(name, dir_fd=fd)
        except FileNotFoundError:  # removed while we listed
            return None
        return _stat_entry(path, stat_result)

    def _leads_out(self, path: str) -> bool:
        """Whether the symlink at store path ``path`` resolves outside root."""
        where = os.path.realpath(self._prefix + path)
        return where != self.root and not where.startswith(self._prefix)

    def _entry_info(self, entry: os.DirEntry[str], path: str) -> dict[str, Any] | None:
        """A listed entry's stat; None if it vanished, or is a symlink leading out of root."""
        try:
            if entry.is_symlink():
                if self._leads_out(path):
                    return None
                return _stat_entry(path, entry.stat())
            return _stat_entry(path, entry.stat(follow_symlinks=False))
        except FileNotFoundError:  # removed while we listed
            return None

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """Stat plus, for a file, its attributes (``content_type``, ``metadata``, ...)."""
        path = self._strip_protocol(path)
        fd = self._open_checked(path, _READ)
        try:
            entry = _stat_entry(path, os.fstat(fd))
            if entry["type"] == "file":
                entry.update(_xattrs.read(fd))
        finally:
            os.close(fd)
        return entry

    def md5(self, path: str) -> str:
        """Hex MD5 of a blob's bytes, computed on first request and cached per version.

        Args:
            path: ``container/blob``.

        Returns:
            The hex digest.

        Raises:
            FileNotFoundError: there is no such blob.
            IsADirectoryError: the path is a folder.
        """
        with self.open_local_file(path) as file:
            fd = file.fileno()
            mtime_ns = os.fstat(fd).st_mtime_ns
            digest = _xattrs.cached_md5(fd, mtime_ns)
            if digest is None:
                hasher = hashlib.md5(usedforsecurity=False)
                while block := file.read(_HASH_BLOCK):
                    hasher.update(block)
                digest = hasher.hexdigest()
                _xattrs.cache_md5(fd, mtime_ns, digest)
        return digest

    def created(self, path: str) -> datetime:
        return datetime.fromtimestamp(self.info(path)["created"], tz=timezone.utc)

    def modified(self, path: str) -> datetime:
        return datetime.fromtimestamp(self.info(path)["mtime"], tz=timezone.utc)

    # -- reading and writing ----------------------------------------------------------------

    def open_local_file(self, path: str) -> io.FileIO:
        """A blob's file, open unbuffered for reading, checked to lie inside root.

        For copies that need no fsspec file object (the local driver's downloads use the
        kernel's copy from its descriptor). ``IsADirectoryError`` for a folder.

        Args:
            path: ``container/blob``.

        Returns:
            The open file; close it.

        Raises:
            FileNotFoundError: there is no such blob.
            IsADirectoryError: the path is a folder.
            InvalidNameError: the name is not one the store holds.
        """
        path = self._strip_protocol(path)
        fd = self._open_checked(path, _READ)
        try:
            raw = io.FileIO(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
        raw.name = self._prefix + path
        return raw

    def _open(
        self, path: str, mode: str = "rb", **kwargs: Any
    ) -> io.BufferedReader | AtomicWriteFile:
        path = self._strip_protocol(path)
        if mode == "rb":
            return _ReadFile(self.open_local_file(path), _READ_BUFFER)
        if mode not in ("wb", "xb"):
            raise ValueError(f"{PROTOCOL} files open in 'rb', 'wb' or 'xb' mode, not {mode!r}")
        attributes = {k: v for k, v in kwargs.items() if k in _xattrs.WRITE_OPTIONS}
        folder, _, name = path.rpartition("/")
        if "content_type" not in attributes:  # fsspec's callers say nothing: the name does
            attributes["content_type"] = mimetypes.guess_type(name)[0]
        encoded = _xattrs.encode(attributes)
        self.real_path(path)
        if not folder:
            raise IsADirectoryError(errno.EISDIR, "a container is not a blob", path)
        dir_fd = self._folder_fd(folder)
        try:
            existing = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(dir_fd)
            raise
        else:
            if stat.S_ISDIR(existing.st_mode) or mode == "xb":
                os.close(dir_fd)
                if mode == "xb":
                    raise FileExistsError(errno.EEXIST, "blob exists", path)
                raise IsADirectoryError(errno.EISDIR, "a folder of that name exists", path)
        # The writer owns dir_fd from here on, failing or not.
        return AtomicWriteFile(name, encoded, exclusive=mode == "xb", dir_fd=dir_fd)

    def set_attributes(self, path: str, **attributes: Any) -> None:
        """Replace a blob's whole attribute set (content type, disposition, ..., metadata).

        Args:
            path: ``container/blob``.
            **attributes: ``content_type``, ``content_disposition``, ``cache_control`` and
                ``metadata`` (a dict); what is not given is removed.

        Raises:
            FileNotFoundError: there is no such blob.
        """
        encoded = _xattrs.encode(attributes)
        fd = self._open_checked(self._strip_protocol(path), _READ)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise FileNotFoundError(errno.ENOENT, "no such blob", path)
            _xattrs.replace(fd, encoded)
        finally:
            os.close(fd)

    def cp_file(self, path1: str, path2: str, exclusive: bool = False, **kwargs: Any) -> None:
        """Copy bytes and attributes in the kernel (a reflink where the filesystem can) into a
        hidden temporary file, renamed into place: the copy appears whole or not at all.

        ``exclusive``: create-only, ``FileExistsError`` if ``path2`` exists (``link()``).
        """
        try:
            reader = self.open_local_file(path1)
        except IsADirectoryError:
            return  # folders appear with the blobs copied into them
        with reader:
            attributes = _xattrs.read(reader.fileno())
            with self.open(path2, "xb" if exclusive else "wb", **attributes) as writer:
                clone_file(reader.fileno(), writer.fileno())

    # -- folders and removal ----------------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create a container; below a container, folders exist only while they hold blobs."""
        real = self.real_path(path)
        if "/" not in self._strip_protocol(path):
            os.mkdir(real)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        real = self.real_path(path)
        if "/" not in self._strip_protocol(path):
            os.makedirs(real, exist_ok=exist_ok)

    def rmdir(self, path: str) -> None:
        """Remove a folder that holds no blob (empty sub-folders and temporary files go too).

        The temporary files of writes still in flight go as well: like a bucket, a container
        whose only content is unfinished uploads is empty, and those uploads then fail.
        """
        path = self._strip_protocol(path)
        real = self.real_path(path)
        if real == self.root:
            raise PermissionError(errno.EPERM, "the store root cannot be removed", path)
        fd = self._open_checked(path, _DIR)
        try:
            for _, _, files, _ in os.fwalk(dir_fd=fd):
                if any(not name.startswith(TEMP_PREFIX) for name in files):
                    raise OSError(errno.ENOTEMPTY, "folder holds blobs", path)
        finally:
            os.close(fd)
        shutil.rmtree(real)
        self._prune_empty_parents(real)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        if (
            isinstance(path, list)
            and not recursive
            and not any(_GLOB_CHARACTERS & set(p) for p in path)
        ):
            self._bulk_delete(path)
            return
        for name in reversed(self.expand_path(path, recursive=recursive, maxdepth=maxdepth)):
            with contextlib.suppress(FileNotFoundError):  # a folder pruned with its last blob
                self._remove(self._strip_protocol(name), recursive=recursive)

    def _bulk_delete(self, paths: list[str]) -> None:
        """Delete many blobs in one call (`fs.rm` of a list of file paths).

        Each folder is opened and checked once for the whole batch, and pruned once at the
        end if emptied; names that were missing raise one ``FileNotFoundError`` after the
        others are deleted.
        """
        missing = []
        emptied = set()
        folders: dict[str, int] = {}
        try:
            for path in self._strip_protocol(paths):
                real = self.real_path(path)
                folder, _, name = path.rpartition("/")
                try:
                    if not folder:  # a container
                        self._remove(path)
                        continue
                    fd = folders.get(folder)
                    if fd is None:
                        fd = folders[folder] = self._open_checked(folder, _DIR)
                    try:
                        os.unlink(name, dir_fd=fd)
                    except IsADirectoryError:
                        self._remove(path, prune=False)
                except FileNotFoundError:
                    missing.append(path)
                else:
                    emptied.add(os.path.dirname(real))
        finally:
            for fd in folders.values():
                os.close(fd)
        for directory in sorted(emptied, reverse=True):  # the deepest first
            self._prune_from(directory)
        if missing:
            raise FileNotFoundError(errno.ENOENT, "no such blob(s)", ", ".join(missing))

    def _rm(self, path: str) -> None:
        self._remove(self._strip_protocol(path))

    def rm_file(self, path: str) -> None:
        self._remove(self._strip_protocol(path))

    def _remove(self, path: str, recursive: bool = False, prune: bool = True) -> None:
        """Remove a blob by name from its checked folder; a folder with `rmdir` (or rmtree)."""
        real = self.real_path(path)
        if real == self.root:
            raise PermissionError(errno.EPERM, "the store root cannot be removed", path)
        folder, _, name = path.rpartition("/")
        if folder:
            fd = self._open_checked(folder, _DIR)
            try:
                os.unlink(name, dir_fd=fd)  # a symlink goes itself, never what it points to
            except IsADirectoryError:
                pass
            else:
                if prune:
                    self._prune_empty_parents(real)
                return
            finally:
                os.close(fd)
        if not recursive:
            self.rmdir(path)
            return
        os.close(self._open_checked(path, _DIR))  # inside root, or refused
        shutil.rmtree(real)
        self._prune_empty_parents(real)

    def _prune_empty_parents(self, real: str) -> None:
        """Remove the folders a deleted blob leaves empty, up to (not including) its container."""
        self._prune_from(os.path.dirname(real))

    def _prune_from(self, directory: str) -> None:
        while os.path.dirname(directory) != self.root and directory != self.root:
            try:
                os.rmdir(directory)
            except OSError:  # not empty, or already gone: stop climbing
                return
            directory = os.path.dirname(directory)


class _ReadFile(io.BufferedReader):
    """A blob open for reading. Dropped unclosed, it closes quietly, as fsspec's own files do:
    pyarrow's fsspec handler, for one, never closes what it opens."""

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # a finaliser must not raise
            self.close()


def _sweep(fd: int, entry: os.DirEntry[str]) -> None:
    """Remove a temporary file of folder ``fd`` whose writer is gone (best effort)."""
    with contextlib.suppress(OSError):  # gone meanwhile, or a read-only store: leave it
        if is_stale_temp(entry.name, entry.stat(follow_symlinks=False).st_mtime):
            os.unlink(entry.name, dir_fd=fd)


def _stat_entry(name: str, stat_result: os.stat_result) -> dict[str, Any]:
    is_dir = (stat_result.st_mode & 0o170000) == 0o040000
    return {
        "name": name,
        "size": 0 if is_dir else stat_result.st_size,
        "type": "directory" if is_dir else "file",
        "mtime": stat_result.st_mtime,
        "mtime_ns": stat_result.st_mtime_ns,
        "created": _created(stat_result),
        "ino": stat_result.st_ino,
    }
