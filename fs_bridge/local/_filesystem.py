"""`XattrLocalFileSystem`: blobs read, written atomically with their attributes, and copied."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import mimetypes
import os
import stat
from datetime import datetime, timezone
from typing import Any

from fs_bridge import _xattrs
from fs_bridge._clone import clone_file
from fs_bridge.atomic import AtomicWriteFile
from fs_bridge.local._listing import Listing
from fs_bridge.local._remove import Removal
from fs_bridge.local._store import PROTOCOL, READ

__all__ = ["XattrLocalFileSystem"]

_HASH_BLOCK = 1024 * 1024
_READ_BUFFER = 256 * 1024


class XattrLocalFileSystem(Listing, Removal):
    """Containers are the folders of ``root``; blobs are files with xattr metadata."""

    protocol = (PROTOCOL,)
    root_marker = ""

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
        fd = self._open_checked(path, READ)
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
        self.real_path(path)  # the name checked once, for the folder's open too
        if not folder:
            raise IsADirectoryError(errno.EISDIR, "a container is not a blob", path)
        dir_fd = self._folder_fd(folder, named=True)
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
        fd = self._open_checked(self._strip_protocol(path), READ)
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

    # -- containers ---------------------------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create a container; below a container, folders exist only while they hold blobs."""
        real = self.real_path(path)
        if "/" not in self._strip_protocol(path):
            os.mkdir(real)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        real = self.real_path(path)
        if "/" not in self._strip_protocol(path):
            os.makedirs(real, exist_ok=exist_ok)


class _ReadFile(io.BufferedReader):
    """A blob open for reading. Dropped unclosed, it closes quietly, as fsspec's own files do:
    pyarrow's fsspec handler, for one, never closes what it opens."""

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # a finaliser must not raise
            self.close()
