"""A write-only file that appears under its name complete, with its attributes, or not at all."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Mapping
from types import TracebackType

from fs_bridge import _xattrs
from fs_bridge._names import TEMP_PREFIX


class AtomicWriteFile(io.BufferedIOBase):
    """Writes to a hidden temporary file beside ``target``; ``close()`` renames it into place.

    The attributes are set on the temporary file before the rename, so a reader never sees the
    new bytes with the old metadata. Leaving a ``with`` block by an exception, calling
    ``discard()``, or dropping the object unclosed throws the temporary file away: an
    interrupted write leaves the previous version (or nothing) under ``target``. With
    ``exclusive``, publishing fails with ``FileExistsError`` if ``target`` appeared meanwhile.
    """

    def __init__(
        self, target: str, attributes: Mapping[str, bytes], exclusive: bool = False
    ) -> None:
        super().__init__()
        self.target = target
        self._exclusive = exclusive
        directory = os.path.dirname(target)
        self._temp_path = os.path.join(directory, TEMP_PREFIX + secrets.token_hex(8))
        # O_EXCL on a random name: no clash with a concurrent writer; mode 0o666 lets the
        # umask decide permissions exactly as for an ordinary file.
        fd = os.open(self._temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            _xattrs.write(fd, attributes)
        except BaseException:
            os.close(fd)
            os.unlink(self._temp_path)
            raise
        self._file = open(fd, "wb", buffering=1024 * 1024)  # noqa: SIM115  # closed in close()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]  # Buffer in typeshed
        return self._file.write(data)

    def tell(self) -> int:
        return self._file.tell()

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Publish the file under its name; if that fails, the temporary file is removed."""
        if self.closed:
            return
        try:
            self._file.close()
            if self._exclusive:  # link() refuses an existing target, atomically
                os.link(self._temp_path, self.target)
                self._remove_temp()
            else:
                os.replace(self._temp_path, self.target)
        except BaseException:
            self._remove_temp()
            raise
        finally:
            super().close()

    def discard(self) -> None:
        """Throw the written bytes away; the target keeps its previous version."""
        if self.closed:
            return
        self._file.close()
        self._remove_temp()
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
            os.unlink(self._temp_path)
