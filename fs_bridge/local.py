"""``xlocal://``: an fsspec filesystem for a directory of containers whose blobs keep metadata.

The layout is ``root/<container>/<blob name>``; a ``/`` in a blob name is a sub-folder. Blob
attributes (content type, disposition, cache control, user metadata) live in extended attributes
(see `fs_bridge._xattrs`). Writes are atomic. Every path is checked against the name rules of
`fs_bridge._names` and must resolve inside ``root`` before any I/O.

    >>> fs = fsspec.filesystem("xlocal", root="/srv/storage")
    >>> fs.pipe("photos/cat.txt", b"meow")
    >>> fs.open("photos/cat.txt", "wb", content_type="text/plain", metadata={"owner": "1"})
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import shutil
from datetime import datetime, timezone
from typing import Any

from fsspec.spec import AbstractFileSystem

from fs_bridge import _xattrs
from fs_bridge._names import (
    TEMP_PREFIX,
    InvalidNameError,
    check_blob_name,
    check_container_name,
    check_path,
)
from fs_bridge.atomic import AtomicWriteFile

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


class XattrLocalFileSystem(AbstractFileSystem):  # type: ignore[misc]  # fsspec is untyped
    """Containers are the folders of ``root``; blobs are files with xattr metadata."""

    protocol = (PROTOCOL,)
    root_marker = ""

    def __init__(self, root: str, **kwargs: Any) -> None:
        super().__init__(root=root, **kwargs)
        self.root = os.path.realpath(root)
        if not os.path.isdir(self.root):
            raise NotADirectoryError(errno.ENOTDIR, "local store root is not a directory", root)
        _xattrs.probe(self.root)

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
        """The checked on-disk path of a store path; raises `InvalidNameError` on a bad name."""
        path = self._strip_protocol(path)
        if not path:
            return self.root
        check_path(path)
        real = os.path.join(self.root, *path.split("/"))
        resolved = os.path.realpath(real)
        if resolved != self.root and not resolved.startswith(self.root + os.sep):
            raise InvalidNameError(f"path {path!r} resolves outside the store root")
        return real

    # -- listing ----------------------------------------------------------------------------

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path)
        real = self.real_path(path)
        if not os.path.isdir(real):
            entries = [self.info(path)]
        else:
            entries = []
            with os.scandir(real) as scan:
                for entry in scan:
                    if entry.name.startswith(TEMP_PREFIX) or (not path and entry.name[0] == "."):
                        continue
                    name = f"{path}/{entry.name}" if path else entry.name
                    try:
                        entries.append(_stat_entry(name, entry.stat()))
                    except FileNotFoundError:  # removed while we listed
                        continue
        if detail:
            return entries
        return [entry["name"] for entry in entries]

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """Stat plus, for a file, its attributes (``content_type``, ``metadata``, ...)."""
        path = self._strip_protocol(path)
        real = self.real_path(path)
        entry = _stat_entry(path, os.stat(real))
        if entry["type"] == "file":
            entry.update(_xattrs.read(real))
        return entry

    def md5(self, path: str) -> str:
        """Hex MD5 of a blob's bytes, computed on first request and cached per version."""
        real = self.real_path(path)
        mtime_ns = os.stat(real).st_mtime_ns
        digest = _xattrs.cached_md5(real, mtime_ns)
        if digest is None:
            hasher = hashlib.md5(usedforsecurity=False)
            with open(real, "rb") as file:
                while block := file.read(_HASH_BLOCK):
                    hasher.update(block)
            digest = hasher.hexdigest()
            _xattrs.cache_md5(real, mtime_ns, digest)
        return digest

    def created(self, path: str) -> datetime:
        return datetime.fromtimestamp(self.info(path)["created"], tz=timezone.utc)

    def modified(self, path: str) -> datetime:
        return datetime.fromtimestamp(self.info(path)["mtime"], tz=timezone.utc)

    # -- reading and writing ----------------------------------------------------------------

    def _open(
        self, path: str, mode: str = "rb", **kwargs: Any
    ) -> io.BufferedReader | AtomicWriteFile:
        real = self.real_path(path)
        if mode == "rb":
            return _ReadFile(io.FileIO(real, "rb"), _READ_BUFFER)
        if mode not in ("wb", "xb"):
            raise ValueError(f"{PROTOCOL} files open in 'rb', 'wb' or 'xb' mode, not {mode!r}")
        if mode == "xb" and os.path.lexists(real):
            raise FileExistsError(errno.EEXIST, "blob exists", path)
        attributes = {k: v for k, v in kwargs.items() if k in _xattrs.WRITE_OPTIONS}
        encoded = _xattrs.encode(attributes)
        container = os.path.join(self.root, path.split("/", 1)[0])
        if not os.path.isdir(container):
            raise FileNotFoundError(errno.ENOENT, "container does not exist", path)
        if os.path.isdir(real):
            raise IsADirectoryError(errno.EISDIR, "a folder of that name exists", path)
        os.makedirs(os.path.dirname(real), exist_ok=True)
        return AtomicWriteFile(real, encoded, exclusive=mode == "xb")

    def set_attributes(self, path: str, **attributes: Any) -> None:
        """Replace a blob's whole attribute set (content type, disposition, ..., metadata)."""
        real = self.real_path(path)
        if not os.path.isfile(real):
            raise FileNotFoundError(errno.ENOENT, "no such blob", path)
        _xattrs.replace(real, _xattrs.encode(attributes))

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Copy bytes and attributes; the copy appears atomically."""
        source = self.real_path(path1)
        if os.path.isdir(source):
            return  # folders appear with the blobs copied into them
        attributes = _xattrs.read(source)
        with open(source, "rb") as reader, self.open(path2, "wb", **attributes) as writer:
            shutil.copyfileobj(reader, writer, _HASH_BLOCK)

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
        """Remove a folder that holds no blob (empty sub-folders and stale temporaries go too)."""
        real = self.real_path(path)
        if real == self.root:
            raise PermissionError(errno.EPERM, "the store root cannot be removed", path)
        for _, _, files in os.walk(real):
            if any(not name.startswith(TEMP_PREFIX) for name in files):
                raise OSError(errno.ENOTEMPTY, "folder holds blobs", path)
        shutil.rmtree(real)
        self._prune_empty_parents(real)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        for name in reversed(self.expand_path(path, recursive=recursive, maxdepth=maxdepth)):
            real = self.real_path(name)
            if os.path.isdir(real):
                if recursive:
                    shutil.rmtree(real)
                    self._prune_empty_parents(real)
                else:
                    self.rmdir(name)
            elif os.path.lexists(real):
                self._rm(name)
            # else: an empty folder already pruned along with the blob it held

    def _rm(self, path: str) -> None:
        real = self.real_path(path)
        if os.path.isdir(real):
            self.rmdir(path)
            return
        os.remove(real)
        self._prune_empty_parents(real)

    def rm_file(self, path: str) -> None:
        self._rm(self._strip_protocol(path))

    def _prune_empty_parents(self, real: str) -> None:
        """Remove the folders a deleted blob leaves empty, up to (not including) its container."""
        directory = os.path.dirname(real)
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
        with contextlib.suppress(Exception):
            self.close()


def _stat_entry(name: str, stat: os.stat_result) -> dict[str, Any]:
    is_dir = (stat.st_mode & 0o170000) == 0o040000
    return {
        "name": name,
        "size": 0 if is_dir else stat.st_size,
        "type": "directory" if is_dir else "file",
        "mtime": stat.st_mtime,
        "mtime_ns": stat.st_mtime_ns,
        "created": getattr(stat, "st_birthtime", stat.st_ctime),
        "ino": stat.st_ino,
    }
