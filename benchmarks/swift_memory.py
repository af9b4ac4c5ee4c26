"""Peak memory of a large upload and download through SwiftDriver or CloudFilesDriver.

Same metric as `benchmarks.memory_probe` (growth of the peak resident set, ``VmHWM``, during
the transfer), against a real Swift all-in-one that this script starts and stops (Cloud Files
through the tests' local identity endpoint), or a running Swift given by ``--auth-url``, ``--user``
and ``--key`` (the test suite's). Also counts the HTTP requests of each transfer.

    python -m benchmarks.swift_memory --driver swift --size-mib 512 [--workdir DIR]

Prints one JSON line: driver, size, growth in MiB and requests for upload (from a path and
from a non-seekable stream) and download (to a path and to a stream).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import requests

from benchmarks.memory_probe import MIB, _Pipe, growth_mib, write_source
from tests.rigs.swift import cloudfiles_driver, swift_driver
from tests.servers import start_swift
from tests.servers.swift import KEY, USER

_sent: list[str] = []
_send = requests.Session.send


def _counting_send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
    _sent.append(str(request.method))
    return _send(self, request, **kwargs)


requests.Session.send = _counting_send  # type: ignore[method-assign]


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def,override]
        return len(data)


def measure(action: Callable[[], object]) -> tuple[float, int]:
    """(peak RSS growth in MiB, requests sent) while ``action`` runs."""
    _sent.clear()
    growth = growth_mib(action)
    return growth, len(_sent)


@contextlib.contextmanager
def _server(args: argparse.Namespace, workdir: str) -> Iterator[Any]:
    """The Swift named on the command line, else one started for this run."""
    if args.auth_url:
        yield SimpleNamespace(auth_url=args.auth_url, user=args.user, key=args.key)
    else:
        with start_swift(Path(workdir)) as server:
            yield server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", choices=("swift", "cloudfiles"), default="swift")
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--auth-url", help="a running Swift's TempAuth URL (swift driver only)")
    parser.add_argument("--user", default=USER)
    parser.add_argument("--key", default=KEY)
    args = parser.parse_args()
    if args.auth_url and args.driver != "swift":
        parser.error("--auth-url names a Swift for the swift driver")
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        source = write_source(workdir, args.size_mib)
        with _server(args, workdir) as server:
            make = swift_driver if args.driver == "swift" else cloudfiles_driver
            driver = make(server)
            container = driver.create_container(f"probe-{uuid.uuid4().hex[:12]}")
            sink = os.path.join(workdir, "copy.bin")
            results: dict[str, Any] = {"driver": args.driver, "size_mib": args.size_mib}
            actions = {
                "upload_path": lambda: container.upload_blob(source, "a.bin"),
                "upload_stream": lambda: container.upload_blob(_Pipe(source), blob_name="b.bin"),
                "download_path": lambda: container.get_blob("a.bin").download(sink),
                "download_stream": lambda: container.get_blob("b.bin").download(_Discard()),
            }
            for name, action in actions.items():
                growth, sent = measure(action)
                results[f"{name}_mib"] = growth
                results[f"{name}_requests"] = sent
            assert os.path.getsize(sink) == args.size_mib * MIB
            for blob in container:
                blob.delete()
            container.delete()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
