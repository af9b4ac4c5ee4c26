"""Listings: ``ls``, ``find``, ``info`` and `iter_files` (lazily, in object-store order)."""

from __future__ import annotations

import contextlib
import operator
import os
import stat
from collections.abc import Iterator
from typing import Any

from fs_bridge import _xattrs
from fs_bridge._names import TEMP_PREFIX
from fs_bridge.atomic import is_stale_temp
from fs_bridge.local._store import DIR, READ, LocalStore

__all__ = ["Listing"]

# Creation time where the platform has it (BSD, macOS); Linux gives the inode change time.
_created = operator.attrgetter(
    "st_birthtime" if hasattr(os.stat_result, "st_birthtime") else "st_ctime"
)


class Listing(LocalStore):
    """Folders read with ``scandir`` from checked descriptors; stale temporary files swept."""

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path)
        try:
            fd = self._open_checked(path, DIR)
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
            fd = self._open_checked(path, DIR)
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
                sub = os.open(name, DIR | os.O_NOFOLLOW, dir_fd=fd)
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
        fd = self._open_checked(container, DIR)
        if folder:
            os.close(fd)
            try:
                fd = self._open_checked(f"{container}/{folder}", DIR)
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
                    sub = os.open(key[:-1], DIR | os.O_NOFOLLOW, dir_fd=fd)
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
        return self.lookup(self._strip_protocol(path))[0]

    def lookup(
        self, path: str, head_bytes: int = 0, named: bool = False
    ) -> tuple[dict[str, Any], bytes | None]:
        """`info`, plus the whole bytes of a file of at most ``head_bytes``: one open serves
        the stat, the attributes and the read (what ``get_blob(name).download()`` needs).

        The info of a file carries ``md5`` where the hash cached for this version is there.
        ``named``: the name rules were checked by the caller (containment is checked here).

        Args:
            path: ``container/blob`` (without ``xlocal://``).
            head_bytes: read a regular file this small whole (0: never read).
            named: the caller has checked the name already (`check_path`).

        Returns:
            The info, and the file's bytes (None: larger, not a regular file, or it changed
            size while read).

        Raises:
            FileNotFoundError: there is no such file or folder.
            InvalidNameError: the name is not one the store holds.
        """
        fd = self._open_checked(path, READ, named)
        try:
            stat_result = os.fstat(fd)
            entry = _stat_entry(path, stat_result)
            if entry["type"] != "file":
                return entry, None
            entry.update(_xattrs.read(fd, stat_result.st_mtime_ns))
            size = stat_result.st_size
            if size > head_bytes or not stat.S_ISREG(stat_result.st_mode):
                return entry, None
            body = os.read(fd, size + 1) if size else b""
        finally:
            os.close(fd)
        return entry, body if len(body) == size else None

    def stat_entry(self, path: str) -> dict[str, Any] | None:
        """A stat of the file ``path`` names now, as a listing entry; None if there is none.

        For telling whether a blob is still the version a `lookup` read (its inode, size and
        modification time), never for reading it: no name check and no containment check,
        since nothing is opened. The store path is taken as it is (without ``xlocal://``).
        """
        root_fd = self._root_fd
        try:
            if root_fd is not None:
                stat_result = os.stat(path, dir_fd=root_fd)
            else:
                stat_result = os.stat(self._prefix + path)
        except (OSError, ValueError):  # gone, not a path (a NUL), a folder in the way
            return None
        return _stat_entry(path, stat_result)


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
