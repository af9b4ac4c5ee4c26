"""``cloudstorage sync SRC DST``: make a container (or a folder of it) match another, in any stores.

    cloudstorage sync local://photos s3://backup/photos --delete
    cloudstorage sync s3://logs/2024 gs://archive/logs/2024 --dry-run
    cloudstorage sync local://photos s3://backup --dask tcp://scheduler:8786

A URL's blob part is a folder: ``s3://backup/photos`` syncs the blobs under ``photos/``. Only
what differs is copied (see `cloudstorage.base.sync`); ``--delete`` removes destination blobs
the source lacks; ``--dry-run`` prints each planned copy and delete, one per line, and changes
nothing. A one-line summary ends the run; failed blobs are listed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from cloudstorage.base.sync import sync
from cloudstorage.cli.progress import MIB
from cloudstorage.cli.stores import StoreURL, connect, parse
from cloudstorage.exceptions import CloudStorageError

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``sync`` command to the CLI's sub-command parsers."""
    help_text = "copy what differs from one container (or folder) to another, in any stores"
    parser = commands.add_parser("sync", help=help_text, description=help_text)
    parser.set_defaults(run=run)
    parser.add_argument("source", help="store URL, e.g. local://photos or s3://bucket/folder")
    parser.add_argument("target", help="store URL of the destination container (or folder)")
    parser.add_argument("--delete", action="store_true",
                        help="delete destination blobs the source lacks")  # fmt: skip
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be copied and deleted; change nothing")  # fmt: skip
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="transfers at once (default 8; 1 between local disks)")  # fmt: skip
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="run the transfers on this dask scheduler's workers")  # fmt: skip


def run(args: argparse.Namespace) -> None:
    """Run one sync; raises `CloudStorageError` (exit status 1) if any blob failed."""
    source_url, target_url = _container_url(args.source), _container_url(args.target)
    source = connect(source_url.scheme).get_container(source_url.container)
    destination = connect(target_url.scheme).get_container(target_url.container)
    progress = _TerminalProgress() if sys.stderr.isatty() and not args.dry_run else None
    with _executor(args.dask) as executor:
        report = sync(
            source, destination, _folder(source_url), _folder(target_url),
            delete=args.delete, dry_run=args.dry_run, max_workers=args.workers,
            executor=executor, progress=progress,
        )  # fmt: skip
    if progress is not None:
        progress.close()
    where = f"{target_url.scheme}://{target_url.container}"
    if args.dry_run:
        for name in report.copied:
            print(f"copy {where}/{name}")
        for name in report.deleted:
            print(f"delete {where}/{name}")
    print(report.summary())
    if report.failures:
        for name, exc in sorted(report.failures.items()):
            print(f"failed {where}/{name}: {exc}", file=sys.stderr)
        raise CloudStorageError(f"{len(report.failures)} blob(s) failed to sync")


def _container_url(text: str) -> StoreURL:
    url = parse(text)
    if url is None or not url.container:
        raise CloudStorageError(f"sync needs store URLs with a container, not {text!r}")
    return url


def _folder(url: StoreURL) -> str:
    """The URL's blob part as a folder prefix (``""`` for the whole container)."""
    name = url.name.strip("/")
    return f"{name}/" if name else ""


@contextmanager
def _executor(address: str | None) -> Iterator[Executor | None]:
    """A dask cluster's executor when ``address`` is given, else None (a thread pool)."""
    if address is None:
        yield None
        return
    try:
        from distributed import Client  # noqa: PLC0415  # optional: only --dask needs it
    except ImportError as exc:
        raise CloudStorageError("--dask needs dask.distributed: pip install distributed") from exc
    with Client(address) as client:  # type: ignore[no-untyped-call]  # dask is untyped
        yield client.get_executor()


class _TerminalProgress:
    """``N files, X MiB`` on one stderr line, redrawn at most ten times a second."""

    def __init__(self) -> None:
        self.files = 0
        self.bytes = 0
        self._drawn = 0.0

    def __call__(self, action: str, name: str, size: int) -> None:
        self.files += 1
        self.bytes += size
        now = time.monotonic()
        if now - self._drawn >= 0.1:
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        sys.stderr.write(f"\rsync  {self.files} files  {self.bytes / MIB:.1f} MiB")
        sys.stderr.flush()

    def close(self) -> None:
        self._draw()
        sys.stderr.write("\n")
