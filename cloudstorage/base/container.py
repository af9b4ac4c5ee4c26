"""`Container`: a bucket, a container, or a top-level folder, holding blobs."""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from cloudstorage.base import bulk, sync
from cloudstorage.base.sync import SyncReport
from cloudstorage.structures import CaseInsensitiveDict

if TYPE_CHECKING:
    from cloudstorage.base.blob import Blob
    from cloudstorage.base.driver import Driver

__all__ = ["Container"]


class _Listing(Iterator["Blob"]):
    """A container's blobs from one listing, handed out lazily; `count` reads the rest ahead."""

    def __init__(self, blobs: Iterator[Blob]) -> None:
        self._blobs = blobs
        self._ahead: deque[Blob] = deque()
        self.started = False
        """True once a blob was handed out: a count would no longer be the whole listing."""

    def __next__(self) -> Blob:
        self.started = True
        return self._ahead.popleft() if self._ahead else next(self._blobs)

    def count(self) -> int:
        """How many blobs the listing holds (read ahead and kept for `__next__`)."""
        self._ahead.extend(self._blobs)
        return len(self._ahead)


class Container:
    """A container of blobs; iterate it, test ``name in container``, upload into it.

    Args:
        name: the container's name.
        driver: the driver it belongs to.
        acl: its canned ACL, where known.
        meta_data: its metadata (a case-insensitive dict).
        created_at: when it was created, where the service says.
    """

    def __init__(
        self,
        name: str,
        driver: Driver,
        acl: str | None = None,
        meta_data: Mapping[str, str] | None = None,
        created_at: datetime | None = None,
    ) -> None:
        self.name = name
        """The container's name."""
        self.driver = driver
        """The driver this container belongs to."""
        self.acl = acl
        """Its canned ACL, where known; change it and call `patch`."""
        self.meta_data: CaseInsensitiveDict[str] = CaseInsensitiveDict(meta_data or {})
        """Its metadata (case-insensitive keys); change it and call `patch`."""
        self.created_at = created_at
        """When it was created, where the service says."""
        self._last_iterator: weakref.ref[_Listing] | None = None

    def __getstate__(self) -> dict[str, Any]:
        # pickles (for a dask worker) without the weak reference to the last listing
        return {**self.__dict__, "_last_iterator": None}

    def __iter__(self) -> Iterator[Blob]:
        """The blobs, listed lazily, page by page where the service pages.

        ``list(container)`` asks ``len(container)`` right after ``iter(container)``; that
        count reads the iterator's own listing (which ``list()`` holds whole anyway), so the
        container is listed once, not twice.
        """
        listing = _Listing(self.driver.get_blobs(self))
        self._last_iterator = weakref.ref(listing)
        return listing

    def list_blobs(self, prefix: str | None = None) -> Iterator[Blob]:
        """The blobs whose names start with ``prefix`` (all without one), from one listing of
        the folder the prefix names: ``list_blobs("logs/2024-")`` lists only ``logs/``.

        Args:
            prefix: keep only names that start with it (None: every blob).

        Returns:
            A lazy iterator of blobs, filled from listing pages (no request per blob).

        Raises:
            NotFoundError: the container does not exist.
            CloudStorageError: an invalid prefix, or the listing failed.
        """
        return self.driver.get_blobs(self, prefix)

    def __len__(self) -> int:
        """The number of blobs: a listing (that of an iterator just made and not yet read)."""
        last, self._last_iterator = self._last_iterator, None
        listing = last() if last is not None else None
        if listing is not None and not listing.started:
            return listing.count()
        return sum(1 for _ in self.driver.get_blobs(self))

    def __contains__(self, blob: object) -> bool:
        if isinstance(blob, str):
            name = blob
        elif hasattr(blob, "name") and getattr(blob, "container", None) == self:
            name = blob.name
        else:
            return False
        return self.driver._blob_exists(self, name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Container):
            return NotImplemented
        return (self.driver.identity, self.name) == (other.driver.identity, other.name)

    def __hash__(self) -> int:
        return hash((self.driver.identity, self.name))

    def __repr__(self) -> str:
        return f"<Container {self.name} {self.driver.name}>"

    @property
    def uri(self) -> str:
        """``protocol://container``: give it to fsspec, pandas or dask with the driver's options."""
        return f"{self.driver.protocol}://{self.name}"

    @property
    def cdn_url(self) -> str:
        """The public (CDN) URL of this container."""
        return self.driver.container_cdn_url(self)

    def patch(self) -> None:
        """Save changed attributes (ACL, metadata).

        Raises:
            NotFoundError: the container no longer exists.
            CloudStorageError: the service refused the change.
        """
        self.driver.patch_container(self)

    def delete(self) -> None:
        """Delete this container; `IsNotEmptyError` (and nothing deleted) if it holds blobs.

        Raises:
            IsNotEmptyError: the container holds blobs.
            NotFoundError: the container does not exist.
        """
        self.driver.delete_container(self)

    def upload_blob(
        self,
        filename: str | IO[bytes],
        blob_name: str | None = None,
        acl: str | None = None,
        meta_data: Mapping[str, str] | None = None,
        content_type: str | None = None,
        content_disposition: str | None = None,
        cache_control: str | None = None,
        chunk_size: int = 1024,
        extra: dict[str, Any] | None = None,
        *,
        overwrite: bool = True,
    ) -> Blob:
        """Upload a file by path or binary stream; see `Driver.upload_blob`.

        Args:
            filename: a path, or a binary file object.
            blob_name: the blob's name; required for a stream without a ``name``.
            acl: a canned ACL the driver knows.
            meta_data: user metadata.
            content_type: the MIME type; guessed when None.
            content_disposition: the ``Content-Disposition`` downloads answer with.
            cache_control: the ``Cache-Control`` downloads answer with.
            chunk_size: a lower bound on the transfer's chunks, in bytes.
            extra: service-specific request options.
            overwrite: False makes the upload create-only, decided by the service.

        Returns:
            The uploaded blob.

        Raises:
            FileNotFoundError: ``filename`` is a path that does not exist.
            AlreadyExistsError: ``overwrite=False`` and the blob exists (nothing changed).
            CloudStorageError: invalid input (before any request), or the upload failed.
        """
        return self.driver.upload_blob(
            self,
            filename,
            blob_name=blob_name,
            acl=acl,
            meta_data=meta_data,
            content_type=content_type,
            content_disposition=content_disposition,
            cache_control=cache_control,
            chunk_size=chunk_size,
            extra=extra,
            overwrite=overwrite,
        )

    def copy_blob(
        self, blob: Blob, blob_name: str | None = None, *, overwrite: bool = True
    ) -> Blob:
        """Copy ``blob`` (from any container, on any driver) here as ``blob_name``.

        ``blob_name`` defaults to the source's name; see `Driver.copy_blob`.
        """
        return self.driver.copy_blob(blob, self, blob_name, overwrite=overwrite)

    def move_blob(
        self, blob: Blob, blob_name: str | None = None, *, overwrite: bool = True
    ) -> Blob:
        """Copy ``blob`` here as ``blob_name``, then delete the source; see `Driver.move_blob`."""
        return self.driver.move_blob(blob, self, blob_name, overwrite=overwrite)

    def get_blob(self, blob_name: str) -> Blob:
        """The blob of that name; `NotFoundError` if there is none.

        Args:
            blob_name: the blob's name.

        Returns:
            The blob, with every attribute loaded.

        Raises:
            NotFoundError: there is no such blob.
        """
        return self.driver.get_blob(self, blob_name)

    def upload_blobs(self, items: Iterable[tuple[Any, str]], **kwargs: Any) -> list[Blob]:
        """Upload many ``(path or stream, blob_name)``; see `cloudstorage.base.bulk`.

        Args:
            items: ``(path or binary stream, blob_name)`` pairs.
            **kwargs: ``max_workers`` (the driver's ``bulk_workers``: 8, or 1 for the local
                store on a local disk) and `upload_blob`'s options, the same for every item.

        Returns:
            The uploaded blobs, in the order given.

        Raises:
            BulkError: some items failed (the others were uploaded).
            CloudStorageError: an invalid name, before anything is uploaded.
        """
        return bulk.upload_blobs(self, items, **kwargs)

    def download_blobs(
        self, blobs: Iterable[Blob | str], destination: str, **kwargs: Any
    ) -> list[str]:
        """Download many blobs into a folder; see `cloudstorage.base.bulk`.

        Args:
            blobs: blobs or blob names.
            destination: the local folder; ``a/b.txt`` lands in ``destination/a/b.txt``.
            **kwargs: ``max_workers`` (the driver's ``bulk_workers``).

        Returns:
            The local paths written, in the order given.

        Raises:
            BulkError: some items failed (the others were downloaded).
            CloudStorageError: a name that would leave ``destination``, before anything is done.
        """
        return bulk.download_blobs(self, blobs, destination, **kwargs)

    def delete_blobs(self, blobs: Iterable[Blob | str], **kwargs: Any) -> None:
        """Delete many blobs in batched requests; see `cloudstorage.base.bulk`.

        Args:
            blobs: blobs or blob names; names already absent are not an error.
            **kwargs: ``max_workers`` (the driver's ``bulk_workers``), where the driver
                deletes one blob a request.

        Raises:
            BulkError: some deletes failed (the others were done).
            CloudStorageError: an invalid name, before anything is deleted.
        """
        bulk.delete_blobs(self, blobs, **kwargs)

    def sync_to(
        self,
        destination: Container,
        prefix: str | None = None,
        *,
        delete: bool = False,
        dry_run: bool = False,
        max_workers: int | None = None,
        executor: Executor | None = None,
    ) -> SyncReport:
        """Make ``destination`` (any container, on any driver) hold this container's blobs
        whose names start with ``prefix``, copying only those that differ.

        Decided from the two listings alone; ``delete=True`` also removes destination blobs
        under ``prefix`` that this container lacks; ``dry_run=True`` changes nothing and
        reports what would be done. See `cloudstorage.base.sync`.
        """
        return sync.sync(
            self, destination, prefix, delete=delete, dry_run=dry_run,
            max_workers=max_workers, executor=executor,
        )  # fmt: skip

    def generate_upload_url(
        self,
        blob_name: str,
        expires: int = 3600,
        acl: str | None = None,
        meta_data: Mapping[str, str] | None = None,
        content_disposition: str | None = None,
        content_length: tuple[int, int] | None = None,
        content_type: str | None = None,
        cache_control: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A signed upload form; see `Driver.generate_container_upload_url`.

        Args:
            blob_name: the blob the form creates.
            expires: seconds the form stays valid.
            acl: a canned ACL for the uploaded blob.
            meta_data: metadata stored with the blob.
            content_disposition: stored with the blob.
            content_length: ``(min, max)`` bytes the upload may have.
            content_type: the only MIME type the form accepts.
            cache_control: stored with the blob.
            extra: ``success_action_redirect`` / ``success_action_status``.

        Returns:
            ``{"url": ..., "fields": {...}}``.

        Raises:
            CloudStorageError: invalid input, before anything is signed.
        """
        return self.driver.generate_container_upload_url(
            self,
            blob_name,
            expires=expires,
            acl=acl,
            meta_data=meta_data,
            content_disposition=content_disposition,
            content_length=content_length,
            content_type=content_type,
            cache_control=cache_control,
            extra=extra,
        )

    def generate_put_url(
        self,
        blob_name: str,
        expires: int = 3600,
        content_type: str | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A presigned ``PUT``: ``{'url', 'headers'}``; see `Driver.generate_put_url`."""
        return self.driver.generate_put_url(
            self, blob_name, expires=expires, content_type=content_type, meta_data=meta_data
        )

    def enable_cdn(self) -> bool:
        """Make the container public through the CDN; False where the driver cannot.

        Returns:
            True once published; False where the driver cannot.

        Raises:
            CloudStorageError: the service refused the change.
        """
        return self.driver.enable_container_cdn(self)

    def disable_cdn(self) -> bool:
        """Withdraw the container from the CDN; False where the driver cannot.

        Returns:
            True once withdrawn; False where the driver cannot.

        Raises:
            CloudStorageError: the service refused the change.
        """
        return self.driver.disable_container_cdn(self)
