"""`Container.sync_to`: make a destination hold what a source holds, decided from two listings.

What is copied is decided from the two listings alone, never by a request per blob. Both are
walked together in name order (a merge: every driver lists in the order of the names' UTF-8
bytes), so neither is held whole: memory holds a page of each, the names to delete (spilled to
a temporary file past 1 MiB) and the report's names. A source blob is copied when

1. the destination has no blob of that name, or
2. the sizes differ, or
3. both listings carry an MD5 of the bytes (GCS, Azure, Swift, S3 single-part uploads) and the
   two differ — this finds a change that kept the size, or
4. where one side has no such MD5 (the local store, S3 multipart uploads), the source was
   modified after the destination blob was written: aws-cli's ``s3 sync`` rule. The times are
   compared to the second when either listing gives whole seconds (S3 and Azure do), so a blob
   copied in the second it was written is not copied again; the price is that a change made in
   the very second of the last copy, keeping the size, waits for a later change to be seen.

Copies go through `Container.copy_blob` (server-side within a store where the driver can,
streamed otherwise, with content type, disposition, cache control and metadata), at most
``2 x max_workers`` queued at once, in a thread pool or on any ``concurrent.futures.Executor``
(a dask ``client.get_executor()`` runs them on the cluster's workers, each rebuilding the
drivers from their pickled constructor arguments). A failed copy leaves the destination's
previous version (uploads are all-or-nothing) and is reported in ``failures``.

With ``delete=True``, destination blobs the source lacks are deleted once both listings have
been read to the end and every copy has finished: a listing that fails raises `SyncError` and
deletes nothing. A second run with nothing changed sends only listing requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING

from cloudstorage.base import bulk
from cloudstorage.base.blob import Blob
from cloudstorage.base.settings import check_prefix
from cloudstorage.exceptions import CloudStorageError

if TYPE_CHECKING:
    from cloudstorage.base.container import Container

__all__ = ["SyncError", "SyncReport", "differs", "sync"]

DELETE_BATCH = 1000
"""Names per bulk delete (S3's DeleteObjects limit)."""
_SPILL_AT = 2**20
"""Bytes of names to delete kept in memory before they spill to a temporary file."""


@dataclass
class SyncReport:
    """What a sync did (or, with ``dry_run``, would do); names are the destination's."""

    copied: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Blobs the destination already held unchanged."""
    bytes_moved: int = 0
    """Bytes of the blobs copied (their sizes in the source listing)."""
    failures: dict[str, Exception] = field(default_factory=dict)
    """Blob name -> why its copy or delete failed (the destination's blob is as it was)."""
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures

    def summary(self) -> str:
        """One line: what was copied, deleted, skipped and failed."""
        verb = "would copy" if self.dry_run else "copied"
        gone = "would delete" if self.dry_run else "deleted"
        return (
            f"{verb} {len(self.copied)} ({self.bytes_moved} bytes), {gone} "
            f"{len(self.deleted)}, skipped {len(self.skipped)}, failed {len(self.failures)}"
        )


class SyncError(CloudStorageError):
    """A listing (or handing out a copy) failed: the sync stopped, nothing was deleted; the
    copies under way were finished, and ``report`` says what was done."""

    def __init__(self, message: str, report: SyncReport) -> None:
        super().__init__(message)
        self.report = report


Progress = Callable[[str, str, int], None]
"""Called as ``progress(action, name, size)`` when a copy or delete is done (or planned)."""


def sync(
    source: Container,
    destination: Container,
    source_prefix: str | None = None,
    destination_prefix: str | None = None,
    *,
    delete: bool = False,
    dry_run: bool = False,
    max_workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Copy the blobs under ``source_prefix`` of ``source`` that differ to the same names
    under ``destination_prefix`` (default: the source prefix) of ``destination``.

    See the module docstring for how blobs are compared. Refuses, before any request, a
    destination that overlaps the source (the same container with nested prefixes).
    """
    source_prefix = check_prefix(source_prefix)
    destination_prefix = (
        source_prefix if destination_prefix is None else check_prefix(destination_prefix)
    )
    max_workers = bulk.workers_for(max_workers, source.driver, destination.driver)
    if source == destination and (
        source_prefix.startswith(destination_prefix) or destination_prefix.startswith(source_prefix)
    ):
        raise CloudStorageError(
            f"cannot sync container {source.name!r} ({source_prefix!r}) onto itself "
            f"({destination_prefix!r}): the prefixes overlap"
        )
    import tempfile  # noqa: PLC0415  # it brings shutil, bz2 and lzma: import stays fast

    run = _Run(destination, dry_run, max_workers, executor, progress or _quiet)
    try:
        with tempfile.SpooledTemporaryFile(max_size=_SPILL_AT) as doomed:
            try:
                _merge(source, source_prefix, destination, destination_prefix, run, doomed)
            except Exception as exc:  # re-raised, wrapped: the report says what was done
                run.finish()
                raise SyncError(
                    f"sync stopped before the end of the listings, nothing deleted: {exc}",
                    run.report,
                ) from exc
            run.finish()
            if delete:
                doomed.seek(0)
                run.delete(_spilled(doomed))
    finally:
        run.close()
    return run.report


def _merge(
    source: Container,
    source_prefix: str,
    destination: Container,
    destination_prefix: str,
    run: _Run,
    doomed: IO[bytes],
) -> None:
    """Walk both listings in name order; copy or skip each source blob, note extra ones."""
    sources = _in_order(source.list_blobs(source_prefix), len(source_prefix), "source")
    targets = _in_order(destination.list_blobs(destination_prefix), len(destination_prefix),
                        "destination")  # fmt: skip
    src, dst = next(sources, None), next(targets, None)
    while src is not None or dst is not None:
        if dst is None or (src is not None and src[0] < dst[0]):
            assert src is not None  # one of the two is left
            run.copy(src[1], destination_prefix + src[0])
            src = next(sources, None)
        elif src is None or dst[0] < src[0]:
            doomed.write(dst[1].name.encode("utf-8", "surrogateescape") + b"\0")
            dst = next(targets, None)
        else:
            if differs(src[1], dst[1]):
                run.copy(src[1], dst[1].name)
            else:
                run.report.skipped.append(dst[1].name)
            src, dst = next(sources, None), next(targets, None)


def differs(source: Blob, target: Blob) -> bool:
    """Whether ``target`` must be replaced by ``source``, from what their listings carry."""
    if source.size != target.size:
        return True
    source_md5 = source.driver._listing_md5(source)
    target_md5 = target.driver._listing_md5(target)
    if source_md5 and target_md5:
        return source_md5.lower() != target_md5.lower()
    return _newer(_listed_time(source), _listed_time(target))


def _listed_time(blob: Blob) -> datetime | None:
    value = blob.__dict__.get("_modified_at")
    return value if isinstance(value, datetime) else None  # UNSET: the listing had none


def _newer(source: datetime | None, target: datetime | None) -> bool:
    """Whether the source was modified after the target (unknown: yes, copy)."""
    if source is None or target is None:
        return True
    source, target = _utc(source), _utc(target)
    if source.microsecond == 0 or target.microsecond == 0:  # a side that lists whole seconds
        source, target = source.replace(microsecond=0), target.replace(microsecond=0)
    return source > target


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _in_order(blobs: Iterator[Blob], cut: int, side: str) -> Iterator[tuple[str, Blob]]:
    """``(name below the prefix, blob)``, checked to come in strictly ascending name order."""
    last: str | None = None
    for blob in blobs:
        key = blob.name[cut:]
        if last is not None and key <= last:
            raise CloudStorageError(
                f"the {side} listing is not in name order ({last!r} before {key!r})"
            )
        last = key
        yield key, blob


def _spilled(file: IO[bytes]) -> Iterator[str]:
    """The NUL-terminated names written to ``file``, read back a block at a time."""
    rest = b""
    while block := file.read(65536):
        *names, rest = (rest + block).split(b"\0")
        for name in names:
            yield name.decode("utf-8", "surrogateescape")


def _copy_one(destination: Container, blob: Blob, name: str) -> int:
    """One copy, on a worker thread or a cluster's worker; returns the bytes copied."""
    destination.copy_blob(blob, name)
    return len(blob)  # listed: the size is known


def _quiet(action: str, name: str, size: int) -> None:
    pass


class _Run:
    """The copies and deletes of one sync, with a bounded number in flight."""

    def __init__(
        self,
        destination: Container,
        dry_run: bool,
        max_workers: int,
        executor: Executor | None,
        progress: Progress,
    ) -> None:
        self.destination = destination
        self.report = SyncReport(dry_run=dry_run)
        self.max_workers = max_workers
        self.executor = executor
        self.progress = progress
        self._own_pool: ThreadPoolExecutor | None = None
        self._pending: dict[Future[int], tuple[str, int]] = {}

    def _pool(self) -> Executor:
        if self.executor is not None:
            return self.executor
        if self._own_pool is None:
            self._own_pool = ThreadPoolExecutor(max_workers=self.max_workers)
        return self._own_pool

    def copy(self, blob: Blob, name: str) -> None:
        if self.report.dry_run:
            self._done(name, len(blob))
            return
        while len(self._pending) >= 2 * self.max_workers:
            self._collect(wait(self._pending, return_when=FIRST_COMPLETED).done)
        future = self._pool().submit(_copy_one, self.destination, blob, name)
        self._pending[future] = (name, len(blob))

    def _done(self, name: str, size: int) -> None:
        self.report.copied.append(name)
        self.report.bytes_moved += size
        self.progress("copy", name, size)

    def _collect(self, done: set[Future[int]]) -> None:
        for future in done:
            name, size = self._pending.pop(future)
            try:
                future.result()
            except Exception as exc:  # reported, the destination's blob as it was
                self.report.failures[name] = exc
            else:
                self._done(name, size)

    def finish(self) -> None:
        """Wait for every copy in flight; the copied names in name order."""
        if self._pending:
            self._collect(wait(self._pending).done)
        self.report.copied.sort()

    def delete(self, names: Iterator[str]) -> None:
        batch: list[str] = []
        for name in names:
            batch.append(name)
            if len(batch) == DELETE_BATCH:
                self._delete(batch)
                batch = []
        if batch:
            self._delete(batch)

    def _delete(self, names: list[str]) -> None:
        done = names
        if not self.report.dry_run:
            try:
                bulk.delete_blobs(
                    self.destination, names, max_workers=self.max_workers, executor=self.executor
                )
            except bulk.BulkError as exc:
                self.report.failures.update(
                    (name, error) for name, error in exc.failures.items()
                    if isinstance(error, Exception)
                )  # fmt: skip
                done = exc.succeeded
        for name in done:
            self.report.deleted.append(name)
            self.progress("delete", name, 0)

    def close(self) -> None:
        if self._own_pool is not None:
            self._own_pool.shutdown(wait=True, cancel_futures=True)
