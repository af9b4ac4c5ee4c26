"""Many blobs in one call: `Container.upload_blobs`, `download_blobs`, `delete_blobs`.

Written once over the driver's own single-blob verbs and fsspec's batched ``rm``:

- uploads and downloads run the driver's `upload_blob` / `download_blob` in a bounded thread
  pool, so each blob gets exactly what a single call gives it (content type, metadata,
  per-service upload path) and is all-or-nothing: no partial blob, no partial local file.
  fsspec's list forms of ``put``/``get`` are not used: they skip the blob settings, and
  ``get`` writes straight to the destination path, so a failed download would leave half a file;
- deletes go to ``fs.rm`` with the whole list where the filesystem batches them (s3fs: one
  DeleteObjects per 1,000 keys); elsewhere, and if the batch call fails, the names are deleted
  one by one in the pool, so that each failure is attributed to its blob.

Every name is checked before the first request: one invalid name fails the call with nothing
done. Otherwise the items are independent: those that succeed stay done, and the failures are
raised together as one `BulkError` that lists them (``failures``) and says what succeeded
(``succeeded``). Memory is bounded by ``max_workers`` streams of the driver's chunk size.

``max_workers`` defaults to the driver's `Driver.bulk_workers`: 8 where each transfer waits on
the network, 1 for the local store on a local disk, whose work is Python and syscalls that
return at once: threads there only take turns at the GIL (8 of them made 2,000 small uploads
2.7 times slower than a loop). One worker runs the items in the caller's thread, in order.

``executor=`` takes any `concurrent.futures.Executor` in place of the thread pool: with a dask
``client.get_executor()`` the transfers run on the cluster's workers, each rebuilding the driver
from its pickled constructor arguments. The items must then pickle too: paths (which must exist
where the workers run) and blob names do; an open stream does not.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from functools import partial
from typing import IO, TYPE_CHECKING, Any, TypeVar

from cloudstorage.base.blob import LAZY_FIELDS, UNSET, Blob
from cloudstorage.exceptions import BulkError, CloudStorageError

if TYPE_CHECKING:
    from cloudstorage.base.container import Container
    from cloudstorage.base.driver import Driver

__all__ = [
    "DEFAULT_WORKERS",
    "BulkError",
    "delete_blobs",
    "download_blobs",
    "upload_blobs",
    "workers_for",
]

DEFAULT_WORKERS = 8
"""Concurrent transfers of a bulk call over a network (each holds at most one chunk of a blob
in memory): `Driver.bulk_workers` unless the driver says otherwise."""

_GLOB_CHARACTERS = frozenset("*?[")
R = TypeVar("R")


def upload_blobs(
    container: Container,
    items: Iterable[tuple[str | IO[bytes], str]],
    max_workers: int | None = None,
    executor: Executor | None = None,
    **options: Any,
) -> list[Blob]:
    """Upload each ``(source, blob_name)``; ``options`` are `upload_blob`'s (same for all).

    A source is a path or a binary stream. Returns the blobs in the order given.

    Args:
        container: the container to upload into.
        items: ``(path or binary stream, blob_name)`` pairs.
        max_workers: uploads in flight at once (default: the driver's ``bulk_workers``).
        **options: `Container.upload_blob`'s options, the same for every item.

    Returns:
        The uploaded blobs, in the order given.

    Raises:
        BulkError: some uploads failed (the others were done).
        CloudStorageError: an invalid name, before anything is uploaded.
    """
    pairs = list(items)
    driver = container.driver
    for _, name in pairs:
        driver._validate_blob_name(name)
    tasks = [partial(_upload_one, container, source, name, options) for source, name in pairs]
    names = [name for _, name in pairs]
    return _run("upload", names, tasks, workers_for(max_workers, container.driver), executor)


def download_blobs(
    container: Container,
    blobs: Iterable[Blob | str],
    destination: str | os.PathLike[str],
    max_workers: int | None = None,
    executor: Executor | None = None,
) -> list[str]:
    """Download blobs (or names) into the folder ``destination``; returns the local paths.

    ``a/b.txt`` goes to ``destination/a/b.txt`` (folders are created). A name that would
    leave ``destination`` (``..``, absolute) is refused before anything is downloaded. Each
    file appears only when complete.

    Args:
        container: the container to download from.
        blobs: blobs or blob names.
        destination: the local folder (created if missing).
        max_workers: downloads in flight at once (default: the driver's ``bulk_workers``).

    Returns:
        The local paths written, in the order given.

    Raises:
        BulkError: some downloads failed (the others were done).
        CloudStorageError: a name that would leave ``destination``, before anything is done.
    """
    root = os.path.abspath(os.fspath(destination))
    chosen = [_as_blob(container, blob) for blob in blobs]
    targets = [_local_path(root, blob.name) for blob in chosen]
    os.makedirs(root, exist_ok=True)
    pairs = zip(chosen, targets, strict=True)
    tasks = [partial(_download_one, blob, target) for blob, target in pairs]
    names = [blob.name for blob in chosen]
    return _run("download", names, tasks, workers_for(max_workers, container.driver), executor)


def delete_blobs(
    container: Container,
    blobs: Iterable[Blob | str],
    max_workers: int | None = None,
    executor: Executor | None = None,
) -> None:
    """Delete blobs (or names) with the service's batched delete where it has one.

    A name that is already absent is not an error (as with S3's DeleteObjects): the goal,
    no such blob, holds.

    Args:
        container: the container to delete from.
        blobs: blobs or blob names.
        max_workers: deletes in flight at once, where the driver has no batched delete
            (default: the driver's ``bulk_workers``).

    Raises:
        BulkError: some deletes failed (the others were done).
        CloudStorageError: an invalid name, before anything is deleted.
    """
    driver = container.driver
    names = [blob.name if isinstance(blob, Blob) else blob for blob in blobs]
    for name in names:
        driver._validate_blob_name(name)
    if not names:
        return
    paths = [driver._path(container.name, name) for name in names]
    literal = [i for i, name in enumerate(names) if not _GLOB_CHARACTERS & set(name)]
    # fs.rm with a list batches only where the driver says so (`Driver.batched_deletes`);
    # adlfs's rm of a list checks and deletes one blob at a time (2 requests and ~55 ms per
    # blob on Azurite), so everything else goes through the thread pool.
    # fs.rm would also expand glob characters: never give it such a name.
    if driver.batched_deletes and len(literal) == len(names):
        try:
            with driver._errors(container.name):
                driver.fs.rm(paths)
        except Exception:  # retried one by one below, each error attributed
            pass
        else:
            return

    tasks = [partial(_delete_one, container, name) for name in names]
    _run("delete", names, tasks, workers_for(max_workers, container.driver), executor)


def _upload_one(
    container: Container, source: str | IO[bytes], name: str, options: dict[str, Any]
) -> Blob:
    return container.upload_blob(source, blob_name=name, **options)


def _download_one(blob: Blob, target: str) -> str:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    blob.driver.download_blob(blob, target)
    return target


def _delete_one(container: Container, name: str) -> None:
    driver = container.driver
    try:
        with driver._errors(container.name, name):
            driver.fs.rm_file(driver._path(container.name, name))
    except FileNotFoundError:
        pass


def _as_blob(container: Container, blob: Blob | str) -> Blob:
    if isinstance(blob, Blob):
        return blob
    container.driver._validate_blob_name(blob)
    # size unknown (None): the driver learns it when it opens the blob (no extra request here)
    fields: dict[str, Any] = dict.fromkeys(LAZY_FIELDS, UNSET)
    return Blob(blob, size=None, container=container, driver=container.driver, **fields)


def _local_path(root: str, name: str) -> str:
    parts = name.split("/")
    if os.path.isabs(name) or "\\" in name or any(part in ("", ".", "..") for part in parts):
        raise CloudStorageError(f"blob name {name!r} cannot be a path under {root!r}")
    path = os.path.join(root, *parts)
    if os.path.commonpath([root, os.path.abspath(path)]) != root:
        raise CloudStorageError(f"blob name {name!r} leads outside {root!r}")
    return path


def workers_for(max_workers: int | None, *drivers: Driver) -> int:
    """``max_workers``, or else the largest `Driver.bulk_workers` of the stores involved
    (threads wherever one of them waits on the network); `ValueError` below 1."""
    workers = max(driver.bulk_workers for driver in drivers) if max_workers is None else max_workers
    if workers < 1:
        raise ValueError(f"max_workers must be at least 1, not {workers}")
    return workers


def _run(
    action: str,
    names: list[str],
    tasks: Sequence[Callable[[], R]],
    max_workers: int,
    executor: Executor | None = None,
) -> list[R]:
    """Every task, at most ``max_workers`` at once in a thread pool (one worker: in this
    thread, in order), or all handed to ``executor``, which sets its own concurrency;
    failures raised together."""
    results: dict[int, R] = {}
    failures: dict[str, BaseException] = {}
    if executor is not None:
        pool = executor
    elif max_workers == 1:
        pool = _InThisThread()
    else:
        pool = ThreadPoolExecutor(max_workers=min(max_workers, max(len(names), 1)))
    try:
        futures = [pool.submit(task) for task in tasks]
        # Woken once, when all are done: waking for each in turn cost the workers the GIL
        # (2,000 small local uploads on one worker: 139 us a blob against 88).
        wait(futures)
        for index, future in enumerate(futures):
            try:
                results[index] = future.result()
            except Exception as exc:  # collected, raised below as one error
                failures[names[index]] = exc
    finally:
        if executor is None:
            pool.shutdown(wait=True, cancel_futures=True)
    if failures:
        done = [names[index] for index in sorted(results)]
        raise BulkError(action, failures, done)
    return [results[index] for index in range(len(names))]


class _InThisThread(Executor):
    """Runs each task as it is submitted, in the caller's thread: one worker, no handoff."""

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # kept for the caller, as a pool's worker would
            future.set_exception(exc)
        return future
