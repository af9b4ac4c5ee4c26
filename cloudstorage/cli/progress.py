"""Progress of a transfer on a terminal, through fsspec's callback protocol."""

from __future__ import annotations

import io
import sys
import time
from typing import IO, Any, cast

from fsspec.callbacks import DEFAULT_CALLBACK, Callback

MIB = 1024 * 1024


class TerminalProgress(Callback):  # type: ignore[misc]  # fsspec is untyped
    """One line on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, size: int | None = None) -> None:
        super().__init__(size=size)
        self.label = label
        self._drawn = 0.0

    def call(self, *args: Any, **kwargs: Any) -> None:
        now = time.monotonic()
        if now - self._drawn < 0.1 and self.value != self.size:
            return
        self._drawn = now
        done = f"{self.value / MIB:8.1f} MiB"
        total = f" / {self.size / MIB:.1f} MiB ({self.value * 100 // max(self.size, 1)}%)"
        sys.stderr.write(f"\r{self.label}  {done}{total if self.size else ''}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


def reading(file: IO[bytes], callback: Any) -> IO[bytes]:
    """``file``, reporting what is read from it to ``callback``."""
    return cast(IO[bytes], ProgressReader(file, callback))


def writing(file: Any, callback: Any) -> IO[bytes]:
    """``file``, reporting what is written to it to ``callback``."""
    return cast(IO[bytes], ProgressWriter(file, callback))


def progress_for(label: str, size: int | None) -> Any:
    """A `TerminalProgress` when stderr is a terminal, else fsspec's no-op callback."""
    return TerminalProgress(label, size) if sys.stderr.isatty() else DEFAULT_CALLBACK


class ProgressReader(io.RawIOBase):
    """Reports each read to a callback; keeps the wrapped file's name for type guessing."""

    def __init__(self, file: IO[bytes], callback: Any) -> None:
        self._file = file
        self._callback = callback
        self.name = getattr(file, "name", None)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._file.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readinto(self, buffer: Any) -> int:
        count = self._file.readinto(buffer)  # type: ignore[attr-defined]  # binary files have it
        self._callback.relative_update(count or 0)
        return int(count or 0)


class ProgressWriter(io.RawIOBase):
    """Reports each write to a callback."""

    def __init__(self, file: Any, callback: Any) -> None:
        self._file = file
        self._callback = callback

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._file.write(data)
        self._callback.relative_update(len(data))
        return len(data)
