"""`BlobMethods`, the blob half of `Driver`: upload, download, open, copy, look up, list.

Every transfer is written here once. A driver moves bytes through two hooks only: `_put`
(a `transfer.Source` to a path) and `_get` (a blob to a `transfer.Sink`); uploads, downloads,
the kept body of a small blob, copies between stores and bulk transfers are built on them.
"""

# mypy: disable-error-code="misc"
# (only for ``self: Driver`` on these mixin methods: mypy calls a self type that is a
# subclass "not a supertype of its class"; Driver is the one class that inherits them)

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, ClassVar

from cloudstorage.base import copying, prefetch, transfer
from cloudstorage.base.blob import UNSET, Blob
from cloudstorage.base.settings import BlobSettings, check_acl, check_prefix
from cloudstorage.exceptions import CloudStorageError

if TYPE_CHECKING:
    from cloudstorage.base.container import Container
    from cloudstorage.base.driver import Driver

__all__ = ["BlobMethods"]

logger = logging.getLogger("cloudstorage")


class BlobMethods:
    """The blob methods of `Driver` (a mixin: ``self`` is always a `Driver`)."""

    create_only_uploads: ClassVar[bool] = False
    """`_put` can upload create-only (``overwrite=False``), decided by the service."""

    def _write_options(self, settings: BlobSettings, extra: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments for ``fs.open(path, "wb", ...)`` that store ``settings``.

        The default is the convention of our own filesystems in `fs_bridge` (``xlocal``,
        ``swift``); drivers on s3fs, gcsfs and adlfs override it.
        """
        return {
            "content_type": settings.content_type,
            "content_disposition": settings.content_disposition,
            "cache_control": settings.cache_control,
            "metadata": dict(settings.meta_data),
        }

    def _write_attributes(self: Driver, path: str, settings: BlobSettings) -> None:
        """Replace a stored blob's attributes with ``settings`` (for `patch_blob`).

        The default is `fs_bridge`'s ``set_attributes``, which replaces all of them at once.
        """
        self.fs.set_attributes(path, **self._write_options(settings, {}))

    def upload_blob(
        self: Driver,
        container: Container,
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
        """Upload a file, by path or binary stream, replacing any blob of that name.

        With ``overwrite=False`` the upload is create-only, decided atomically by the
        service: `AlreadyExistsError` (and nothing changed) if the blob exists.

        The blob name defaults to the file's name; the content type, when not given, is
        guessed from the leading bytes (python-magic) and the name (mimetypes). Metadata,
        disposition, cache control and ACL are written with the bytes, in the same request.
        The upload streams in chunks of at least ``chunk_size``; if it fails, no partial blob
        is left and a blob it was replacing keeps its old contents.

        Args:
            container: the container to upload into.
            filename: a path, or a binary file object (read from its current position).
            blob_name: the blob's name; required for a stream without a ``name``.
            acl: a canned ACL of `blob_acls`.
            meta_data: user metadata (keys are case-insensitive).
            content_type: the MIME type; guessed when None.
            content_disposition: the ``Content-Disposition`` downloads answer with.
            cache_control: the ``Cache-Control`` downloads answer with.
            chunk_size: a lower bound on the transfer's chunks, in bytes.
            extra: service-specific request options (e.g. S3's ``StorageClass``).

        Returns:
            The uploaded blob; attributes the upload did not learn load on first access.

        Raises:
            FileNotFoundError: ``filename`` is a path that does not exist.
            CloudStorageError: an invalid name, metadata or ACL (before any request), or the
                upload failed (nothing is left behind).
            NotFoundError: the container does not exist.
        """
        with transfer.Source.open(filename) as source:
            name = blob_name or source.name
            if not name:
                raise CloudStorageError("blob_name is required to upload a stream with no name")
            self._validate_blob_name(name)
            settings = BlobSettings(
                content_type=content_type or source.guess_content_type(name),
                content_disposition=content_disposition,
                cache_control=cache_control,
                meta_data=self._validate_meta_data(meta_data),
                acl=check_acl(acl, self.blob_acls, "blob", type(self).__module__),
            )
            options = self._write_options(settings, extra or {})
            if not overwrite and not self.create_only_uploads:
                raise NotImplementedError(f"{self.name} has no create-only uploads")
            with self._errors(container.name, name):
                size = self._put(source, self._path(container.name, name), options, overwrite)
        logger.debug("uploaded %s/%s (%d bytes)", container.name, name, size)
        return Blob(
            name,
            checksum=UNSET,
            etag=UNSET,
            size=size,
            container=container,
            driver=self,
            acl=settings.acl,
            meta_data=settings.meta_data,
            content_type=settings.content_type,
            content_disposition=content_disposition,
            cache_control=cache_control,
            created_at=UNSET,
            modified_at=UNSET,
            expires_at=UNSET,
        )

    def _put(
        self: Driver, source: transfer.Source, path: str, options: dict[str, Any], overwrite: bool
    ) -> int:
        """Store the bytes of ``source`` at ``path`` with ``options`` (`_write_options`);
        returns their count. The driver's one upload hook.

        With ``overwrite=False`` create-only, decided by the service: ``FileExistsError`` if
        ``path`` exists (drivers that can set `create_only_uploads`). A failure leaves no
        partial blob, and a blob being replaced keeps its bytes. The default streams into the
        filesystem's ``open(path, "wb")`` (``"xb"``: create-only), aborted on error.
        """
        mode = "wb" if overwrite else "xb"
        return transfer.write_remote(self.fs, path, source, options, mode)

    def copy_blob(
        self: Driver,
        blob: Blob,
        container: Container,
        blob_name: str | None = None,
        *,
        overwrite: bool = True,
    ) -> Blob:
        """Copy ``blob`` (from any container, on any driver) into ``container``.

        Bytes, content type, disposition, cache control and metadata travel. Within one store
        the service copies (no byte through the client); between stores the bytes stream, and
        an interrupted copy leaves no partial blob. ``blob_name`` defaults to the source's
        name; a copy onto the source itself is refused (`CloudStorageError`), as is a missing
        source (`NotFoundError`). With ``overwrite=False``, `AlreadyExistsError` if the
        destination exists (decided by the service).
        """
        return copying.copy_blob(self, blob, container, blob_name, overwrite)

    def move_blob(
        self: Driver,
        blob: Blob,
        container: Container,
        blob_name: str | None = None,
        *,
        overwrite: bool = True,
    ) -> Blob:
        """`copy_blob`, then delete the source. If that delete fails, the copy stays and the
        `CloudStorageError` says both facts."""
        return copying.move_blob(self, blob, container, blob_name, overwrite)

    def _copy_within(self: Driver, blob: Blob, source: str, target: str, overwrite: bool) -> None:
        """Copy ``source`` to ``target`` (paths of this store) server-side, attributes too.

        The default is the filesystem's ``cp_file``, server-side in `fs_bridge`'s filesystems
        (``exclusive=True``: create-only, `FileExistsError` if ``target`` exists).
        """
        self.fs.cp_file(source, target, **({} if overwrite else {"exclusive": True}))

    def get_blob(self: Driver, container: Container, blob_name: str) -> Blob:
        """The blob of that name with all its attributes; `NotFoundError` if there is none.

        Args:
            container: the container.
            blob_name: the blob's name.

        Returns:
            The blob, with every attribute loaded, except any the lookup's answer could not
            give exactly (`prefetch.INEXACT`: GCS's metadata, times and etag), which load
            together on first read.

        Raises:
            NotFoundError: there is no such blob (or the name is a folder).
            CloudStorageError: the name is invalid for the service, or the lookup failed.
        """
        self._validate_blob_name(blob_name)
        info, body = self._blob_lookup(container.name, blob_name)
        return prefetch.keep(self._blob_from_info(container, info, complete=True), body)

    def _blob_lookup(
        self: Driver, container: str, blob: str
    ) -> tuple[dict[str, Any], bytes | None]:
        """`_blob_info`, and the blob's first `prefetch.HEAD_BYTES` where they come at no extra
        request: drivers whose GET answer carries every attribute look up with a ranged GET."""
        return self._blob_info(container, blob), None

    def get_blobs(self: Driver, container: Container, prefix: str | None = None) -> Iterator[Blob]:
        """Every blob of a container (whose name starts with ``prefix``), from listing pages
        alone (no request per blob), streamed: the first blob comes after the first page, the
        next page is asked for only when needed, and at most a page is held.

        Blobs come in ascending order of their names' UTF-8 bytes (Python's ``str`` order),
        on every driver: `cloudstorage.base.sync` merges two listings on it. Where the service
        cannot filter by any prefix, only the folder the prefix names is listed
        (``"logs/2024-"`` lists ``logs/``).
        """
        prefix = check_prefix(prefix)
        start = len(container.name) + 1
        with self._errors(container.name):
            for info in self._list_infos(container.name, prefix):
                if info.get("type") == "file" and info["name"].startswith(prefix, start):
                    yield self._blob_from_info(container, info, complete=False)

    def _list_infos(self: Driver, container: str, prefix: str) -> Iterator[Mapping[str, Any]]:
        """fsspec ``info`` dicts of the files under ``prefix`` (others are filtered out after),
        in name order, lazily; raises for a missing container.

        Drivers override this with their service's paged listing. This default, for a
        filesystem we know nothing of, is one ``find`` of the prefix's folder, sorted: whole.
        """
        folder = prefix.rpartition("/")[0].strip("/") or None
        try:
            entries = self.fs.find(self._path(container, folder), detail=True)
        except FileNotFoundError:
            if not folder:
                raise
            entries = {}
        if not entries:
            self.fs.info(container)  # an empty listing: is the container there?
        for name in sorted(entries):
            yield entries[name]

    def _listing_md5(self: Driver, blob: Blob) -> str | None:
        """The MD5 of the blob's bytes as its listing showed it (None if it did not): no request.

        `Container.sync_to` compares blobs by it where both sides have one.
        """
        known = blob.__dict__.get("_checksum")
        return known if self.hash_type == "md5" and isinstance(known, str) else None

    def download_blob(self: Driver, blob: Blob, destination: str | IO[bytes]) -> None:
        """Stream a blob to a path (appearing only when complete) or a binary file object.

        Where the blob's MD5 is already known (a listing or lookup carried it), the bytes are
        checked against it: a mismatch raises `CloudStorageError` and, for a path, leaves
        no file there.

        Args:
            blob: the blob to download.
            destination: a path (written to a temporary file, renamed when complete) or a
                binary file object.

        Raises:
            NotFoundError: the blob no longer exists.
            CloudStorageError: the transfer failed, or the bytes did not match the MD5.
            OSError: the destination path cannot be written (the caller's error, untranslated).
        """
        body = self._kept_body(blob)
        target = _describe(blob.container.name, blob.name)
        checked = self.checks_downloads
        # Opened outside the translation: a bad destination is the caller's error.
        with (
            transfer.Sink.open(
                destination, target, _known_md5(self, blob) if checked else None
            ) as sink,
            self._errors(blob.container.name, blob.name),
        ):
            # nothing to check, or nothing to check the kept bytes against: hash nothing
            if not checked or (body is not None and sink.expected_md5 is None):
                sink.trust_source()
            if body is None:
                self._get(blob, sink)
            else:
                sink.write(body)
            sink.verify()

    def _get(self: Driver, blob: Blob, sink: transfer.Sink) -> None:
        """Write the bytes of ``blob`` to ``sink``, in order; the driver's one download hook.

        Runs inside the error translation; `download_blob` verifies the sink after. A driver
        that learns the service's checksum on the way gives it to the sink (`Sink.expect_md5`,
        `Sink.expect`); one whose bytes need no check says so (`Sink.trust_source`). The
        default reads the file `open_blob` gives, in order.
        """
        with self.open_blob(blob, "rb") as reader:
            transfer.copy_stream(reader, sink)

    def _kept_body(self: Driver, blob: Blob) -> bytes | None:
        """The bytes `get_blob` kept (a small blob, whole), else None: see `prefetch`."""
        body = prefetch.take(blob)
        if body is None and self._lookup_first(blob):
            info, body = self._blob_lookup(blob.container.name, blob.name)
            prefetch.refresh(blob, self._blob_from_info(blob.container, info, complete=True))
            body = body if body is not None and len(body) == blob.size else None
        return body

    def _lookup_first(self: Driver, blob: Blob) -> bool:
        """Whether a download of ``blob`` starts with `_blob_lookup` (whose bytes may be the
        whole blob): drivers whose reader would otherwise look the blob up on its own."""
        return False

    def open_blob(self: Driver, blob: Blob, mode: str = "rb", **kwargs: Any) -> Any:
        """An fsspec file object on a blob; see `Blob.open`.

        Args:
            blob: the blob.
            mode: ``"rb"`` (reads can seek) or ``"wb"`` (replaces the blob on close).
            **kwargs: passed to the filesystem's ``open`` (``block_size``, ...).

        Returns:
            An fsspec file object; close it (or use ``with``).

        Raises:
            NotFoundError: reading a blob that does not exist.
        """
        with self._errors(blob.container.name, blob.name):
            return self._open_file(blob, mode, kwargs)

    def _open_file(self: Driver, blob: Blob, mode: str, options: dict[str, Any]) -> Any:
        """The file `open_blob` gives (inside the error translation); ``options`` are the
        caller's. Drivers override it to add their reading options (a known size, a block
        size) or to give another reader. The default is the filesystem's ``open``."""
        return self.fs.open(self._path(blob.container.name, blob.name), mode, **options)

    def patch_blob(self: Driver, blob: Blob) -> None:
        """Save a blob's changed content type, disposition, cache control, metadata and ACL.

        Args:
            blob: the blob whose attributes to save.

        Raises:
            NotFoundError: the blob no longer exists.
            CloudStorageError: invalid metadata or ACL (before any request), or the service
                refused the change.
        """
        settings = BlobSettings(
            content_type=blob.content_type,
            content_disposition=blob.content_disposition,
            cache_control=blob.cache_control,
            meta_data=self._validate_meta_data(blob.meta_data),
            acl=check_acl(blob.acl, self.blob_acls, "blob", type(self).__module__),
        )
        with self._errors(blob.container.name, blob.name):
            self._write_attributes(self._path(blob.container.name, blob.name), settings)

    def delete_blob(self: Driver, blob: Blob) -> None:
        """Delete a blob; `NotFoundError` if it does not exist.

        Args:
            blob: the blob to delete.

        Raises:
            NotFoundError: the blob does not exist.
        """
        with self._errors(blob.container.name, blob.name):
            self._delete(self._path(blob.container.name, blob.name))

    def _delete(self: Driver, path: str) -> None:
        self.fs.rm_file(path)


def _known_md5(driver: Driver, blob: Blob) -> str | None:
    """The blob's MD5 if it is already known, at no cost (no request, no hashing)."""
    known = blob.__dict__.get("_checksum")
    return known if driver.hash_type == "md5" and isinstance(known, str) else None


def _describe(container: str, blob: str) -> str:
    return f"blob {blob!r} in container {container!r}"
