"""Peak memory of a large upload and download through a driver, in a process of its own.

Metric: growth of the process's peak resident set (``VmHWM``) during the transfer, measured
from the resident set just before it (the peak is reset through ``/proc/self/clear_refs``).
Page cache is not resident memory, so this counts only what the library holds.

    python -m benchmarks.memory_probe --size-mib 1024 [--workdir DIR]

Prints one JSON line: size, and the growth in MiB for upload (from a path and from a
non-seekable stream) and download (to a path and to a stream).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
from collections.abc import Callable

from cloudstorage.drivers.local import LocalDriver

MIB = 1024 * 1024


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def growth_mib(action: Callable[[], object]) -> float:
    """Peak RSS growth (MiB) while ``action`` runs."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset VmHWM to the current RSS
    before = _status("VmRSS")
    action()
    return round((_status("VmHWM") - before) / MIB, 1)


class _Pipe(io.RawIOBase):
    """A non-seekable reader over a file, as a socket would be."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "rb")  # noqa: SIM115

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        return self._file.readinto(buffer)

    def close(self) -> None:
        self._file.close()
        super().close()


def write_source(workdir: str, size_mib: int) -> str:
    """A file of ``size_mib`` MiB of random bytes in ``workdir``; returns its path."""
    source = os.path.join(workdir, "source.bin")
    block = os.urandom(MIB)
    with open(source, "wb") as file:
        for _ in range(size_mib):
            file.write(block)
    return source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        source = write_source(workdir, args.size_mib)
        driver = LocalDriver(key=os.path.join(workdir, "store"))
        container = driver.create_container("probe")
        sink = os.path.join(workdir, "copy.bin")

        class _Discard(io.RawIOBase):
            def writable(self) -> bool:
                return True

            def write(self, data) -> int:  # type: ignore[no-untyped-def]
                return len(data)

        result = {
            "size_mib": args.size_mib,
            "upload_path_mib": growth_mib(lambda: container.upload_blob(source, "a.bin")),
            "upload_stream_mib": growth_mib(
                lambda: container.upload_blob(_Pipe(source), blob_name="b.bin")
            ),
            "download_path_mib": growth_mib(lambda: container.get_blob("a.bin").download(sink)),
            "download_stream_mib": growth_mib(
                lambda: container.get_blob("b.bin").download(_Discard())
            ),
        }
        assert os.path.getsize(sink) == args.size_mib * MIB
    print(json.dumps(result))


if __name__ == "__main__":
    main()
