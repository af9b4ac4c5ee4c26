"""Removal: blobs (one, or many in one call), folders, and the folders a deletion empties."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from typing import Any

from fs_bridge._names import TEMP_PREFIX
from fs_bridge.local._store import DIR, LocalStore

__all__ = ["Removal"]

_GLOB_CHARACTERS = frozenset("*?[")


class Removal(LocalStore):
    """``rm``, ``rm_file`` and ``rmdir``; a removed blob's emptied folders go with it."""

    def rmdir(self, path: str) -> None:
        """Remove a folder that holds no blob (empty sub-folders and temporary files go too).

        The temporary files of writes still in flight go as well: like a bucket, a container
        whose only content is unfinished uploads is empty, and those uploads then fail.
        """
        path = self._strip_protocol(path)
        real = self.real_path(path)
        if real == self.root:
            raise PermissionError(errno.EPERM, "the store root cannot be removed", path)
        fd = self._open_checked(path, DIR)
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
                        fd = folders[folder] = self._open_checked(folder, DIR)
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
            fd = self._open_checked(folder, DIR)
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
        os.close(self._open_checked(path, DIR))  # inside root, or refused
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
