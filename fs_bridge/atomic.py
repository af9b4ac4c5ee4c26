"""A write-only file that appears under its name complete, with its attributes, or not at all.

Its temporary file is named ``.~xlocal-<host>-<pid>-<random>``: the writer's host (a digest of
the host name, boot id and PID namespace) and process id let `is_stale_temp` tell the leftovers of a
killed writer from a write in flight, so the local store can sweep them (issue #10).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import time
from collections.abc import Mapping
from types import TracebackType
from typing import cast

from fs_bridge import _xattrs
from fs_bridge._names import TEMP_PREFIX

__all__ = ["STALE_TEMP_AGE", "AtomicWriteFile", "is_stale_temp", "temp_name"]

STALE_TEMP_AGE = 24 * 3600
"""Seconds after its last write when a temporary file is stale whoever wrote it: a writer on
another host (or PID namespace), or of an older name format, cannot be asked whether it lives."""

_BUFFER = 1024 * 1024
_host_tag: str | None = None


def _host() -> str:
    """8 hex digits naming this boot of this host and this PID namespace: where our process
    ids mean something (another host, container or boot may reuse them)."""
    global _host_tag  # noqa: PLW0603  # computed once per process: a file read and a stat
    if _host_tag is None:
        parts = [os.uname().nodename]
        with contextlib.suppress(OSError):
            with open("/proc/sys/kernel/random/boot_id") as boot_id:
                parts.append(boot_id.read().strip())
            parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
        seed = ":".join(parts).encode()
        _host_tag = hashlib.sha1(seed, usedforsecurity=False).hexdigest()[:8]
    return _host_tag


def temp_name() -> str:
    """A fresh temporary file name that says which host and process writes it."""
    return f"{TEMP_PREFIX}{_host()}-{os.getpid()}-{secrets.token_hex(6)}"


def is_stale_temp(name: str, mtime: float, now: float | None = None) -> bool:
    """Whether the temporary file ``name`` (last written at ``mtime``) has no live writer.

    It is stale when its writer process, on this host, no longer exists, or, whoever wrote
    it, when it was last written `STALE_TEMP_AGE` seconds ago. A recycled process id keeps
    a leftover until the age limit: never the reverse (a live write is never called stale).
    """
    if not name.startswith(TEMP_PREFIX):
        return False
    if (time.time() if now is None else now) - mtime > STALE_TEMP_AGE:
        return True
    host, _, rest = name[len(TEMP_PREFIX) :].partition("-")
    pid, _, _ = rest.partition("-")
    if host != _host() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, under another user
        return False
    return False


class AtomicWriteFile(io.BufferedIOBase):
    """Writes to a hidden temporary file beside ``target``; ``close()`` renames it into place.

    The attributes are set on the temporary file before the rename, so a reader never sees the
    new bytes with the old metadata. Leaving a ``with`` block by an exception, calling
    ``discard()``, or dropping the object unclosed throws the temporary file away: an
    interrupted write leaves the previous version (or nothing) under ``target``. With
    ``exclusive``, publishing fails with ``FileExistsError`` if ``target`` appeared meanwhile.

    With ``dir_fd`` (an open directory, which the file then owns and closes), ``target`` is a
    name in that directory and every step happens inside it, whatever its path becomes: the
    local store opens and checks the directory first, so no symlink can lead a write elsewhere.
    """

    def __init__(
        self,
        target: str,
        attributes: Mapping[str, bytes],
        exclusive: bool = False,
        dir_fd: int | None = None,
    ) -> None:
        super().__init__()
        self._dir_fd = dir_fd
        self.target = target
        self._exclusive = exclusive
        if dir_fd is None:
            self._temp_path = os.path.join(os.path.dirname(target), temp_name())
        else:
            self._temp_path = temp_name()
        try:
            # O_EXCL on a random name: no clash with a concurrent writer; mode 0o666 lets the
            # umask decide permissions exactly as for an ordinary file.
            fd = os.open(
                self._temp_path,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                0o666,
                dir_fd=dir_fd,
            )
        except BaseException:
            self._close_dir()
            raise
        try:
            _xattrs.write(fd, attributes)
        except BaseException:
            os.close(fd)
            self._remove_temp()
            self._close_dir()
            raise
        self._file = open(fd, "wb", buffering=_BUFFER)  # noqa: SIM115  # closed in close()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]  # Buffer in typeshed
        return self._file.write(data)

    def write_through(self, data: bytes | bytearray | memoryview) -> int:
        """Write ``data`` to the file itself, past the buffer (flushed first): for pieces
        already the size of a good write, which the buffer would only copy."""
        self._file.flush()
        raw = cast(io.BufferedWriter, self._file).raw
        with memoryview(data) as view, view.cast("B") as flat:
            written = 0
            while written < len(flat):
                with flat[written:] as rest:
                    written += raw.write(rest) or 0  # None: only for a non-blocking file
        return written

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        """The temporary file's descriptor, for kernel copies (buffered writes are flushed)."""
        self._file.flush()
        return self._file.fileno()

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Publish the file under its name; if that fails, the temporary file is removed."""
        if self.closed:
            return
        try:
            self._file.close()
            fd = self._dir_fd
            if self._exclusive:  # link() refuses an existing target, atomically
                os.link(self._temp_path, self.target, src_dir_fd=fd, dst_dir_fd=fd)
                self._remove_temp()
            else:
                os.replace(self._temp_path, self.target, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            self._remove_temp()
            raise
        finally:
            self._close_dir()
            super().close()

    def discard(self) -> None:
        """Throw the written bytes away; the target keeps its previous version."""
        if self.closed:
            return
        try:
            self._file.close()
            self._remove_temp()
        finally:
            self._close_dir()
            super().close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def __del__(self) -> None:
        # An unclosed writer is an interrupted one: never publish it from the garbage collector.
        if not getattr(self, "closed", True) and hasattr(self, "_file"):
            self.discard()

    def _remove_temp(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._temp_path, dir_fd=self._dir_fd)

    def _close_dir(self) -> None:
        if self._dir_fd is not None:
            fd, self._dir_fd = self._dir_fd, None
            os.close(fd)
