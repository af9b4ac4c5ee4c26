"""`Driver`: the object API written once over ``self.fs``, an fsspec filesystem.

A driver subclass supplies its filesystem (``protocol`` and ``storage_options``), how fsspec's
``info`` dicts map to blob attributes and back, its error table, and what fsspec has no verb
for: signed URLs, upload forms, ACLs and CDN.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property, lru_cache
from typing import IO, Any, ClassVar

from typing_extensions import Self

from cloudstorage.base import copying, errors, prefetch, transfer
from cloudstorage.base.blob import LAZY_FIELDS, UNSET, Blob
from cloudstorage.base.container import Container
from cloudstorage.base.retry import RetryOptions
from cloudstorage.base.settings import (
    FILENAME,
    BlobSettings,
    DownloadGrant,
    UploadPolicy,
    check_acl,
    check_content_length,
    check_expires,
    check_meta_data,
    check_prefix,
    upload_key,
)
from cloudstorage.exceptions import (
    AlreadyExistsError,
    CloudStorageError,
    NotFoundError,
)

__all__ = ["Driver"]

logger = logging.getLogger("cloudstorage")


class Driver(ABC):
    """A connection to one storage service with one set of credentials; holds containers.

    Args:
        key: the service's user or key id (the local store: its directory).
        secret: the service's secret (the local store: the signing secret).
        region: the region, where the service has regions.
        **kwargs: the driver's own options, listed on its class.
    """

    name: ClassVar[str] = ""
    """The driver's `DriverName` value, e.g. ``"S3"``."""
    hash_type: ClassVar[str] = "md5"
    """The hash algorithm of `Blob.checksum`."""
    url: ClassVar[str] = ""
    """The service's home page."""
    protocol: ClassVar[str] = ""
    """The fsspec protocol; ``fsspec.filesystem(protocol, **storage_options)`` is ``self.fs``."""

    container_acls: ClassVar[frozenset[str] | None] = None
    """Canned ACL names containers accept; None: the driver takes no ACL check."""
    blob_acls: ClassVar[frozenset[str] | None] = None
    """Canned ACL names blobs accept; None: the driver takes no ACL check."""
    max_url_lifetime: ClassVar[int | None] = None
    """The longest ``expires`` a signed URL or form may have (None: no limit of ours)."""
    transport_errors: ClassVar[tuple[type[Exception], ...]] = ()
    """Connection-level errors of the driver's HTTP stack (raised once its retries gave up)."""
    server_side_create_only: ClassVar[bool] = True
    """A create-only copy within the store is server-side (False: it streams, create-only)."""
    _arguments: tuple[tuple[Any, ...], dict[str, Any]]
    """The constructor's arguments (see `__reduce__`)."""
    batched_deletes: ClassVar[bool] = False
    """``fs.rm(list_of_paths)`` deletes in batches (one request for many blobs); else the bulk
    delete runs one ``rm_file`` per blob in a thread pool."""
    upload_form: ClassVar[str] = "post"
    """What `generate_container_upload_url` gives: ``"post"``, an HTML form POST (``url`` and
    ``fields``); ``"put"``, a signed URL for one PUT with the ``headers`` to send."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # The constructor's arguments, kept so that a driver pickles as them (`__reduce__`).
        driver = super().__new__(cls)
        driver._arguments = (args, kwargs)
        return driver

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the class and its constructor's arguments: a dask worker (or any other
        process) rebuilds the driver, its own clients and connections, from them once."""
        return (_rebuild_driver, (type(self), pickle.dumps(self._arguments)))

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        region: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.key = key
        """The key (or user, or directory) the driver was made with."""
        self.secret = secret
        """The secret the driver was made with (never logged or shown in a repr)."""
        self.region = region
        """The region the driver was made with, if any."""
        self.options = kwargs
        """The driver's other keyword options."""
        self.retry_options = RetryOptions.from_options(kwargs)
        """``retries``, ``retry_backoff`` and ``timeout``: see `cloudstorage.base.retry`."""

    # -- the fsspec side --------------------------------------------------------------------

    @property
    @abstractmethod
    def storage_options(self) -> dict[str, Any]:
        """Options that make ``fsspec.filesystem(self.protocol, **options)`` reach this store.

        Pass them as ``storage_options=`` to pandas and dask, or to ``fsspec.open``.
        """

    @cached_property
    def fs(self) -> Any:
        """The fsspec filesystem every operation of this driver goes through."""
        import fsspec  # noqa: PLC0415  # here, not at module level: `import cloudstorage` stays light

        return fsspec.filesystem(self.protocol, **self.storage_options)

    @cached_property
    def identity(self) -> tuple[str, ...]:
        """What makes two drivers the same store (for container and blob equality)."""
        options = json.dumps(self.storage_options, sort_keys=True, default=repr)
        return (type(self).__name__, self.protocol, options)

    def _path(self, container: str, blob: str | None = None) -> str:
        return f"{container}/{blob}" if blob else container

    # -- errors: the one translation point ----------------------------------------------------

    @contextmanager
    def _errors(self, container: str | None = None, blob: str | None = None) -> Iterator[None]:
        """Raise what the backend raised as a `cloudstorage.exceptions` type, cause kept."""
        try:
            yield
        except CloudStorageError:
            raise
        except Exception as exc:  # each goes through the table; an unknown one is re-raised
            target = _describe(container, blob)
            translated = self._translate_error(exc, target)
            if translated is None:
                raise
            raise translated from exc

    def _translate_error(self, exc: Exception, target: str) -> CloudStorageError | None:
        """Map a backend exception to ours; None lets it through. A driver looks its service's
        answer up in its own table first, then falls back to this one (`errors.BUILTIN_ERRORS`:
        the builtin errors fsspec filesystems raise)."""
        rule = errors.builtin_rule(exc, self.transport_errors)
        return rule(target, errors.reason_of(exc)) if rule is not None else None

    # -- validation hooks ---------------------------------------------------------------------

    def _validate_container_name(self, name: str) -> None:
        """Refuse a container name before any request; drivers add their service's rules."""
        if not isinstance(name, str) or not name:
            raise CloudStorageError(f"container name must be a non-empty string, not {name!r}")

    def _validate_blob_name(self, name: str) -> None:
        """Refuse a blob name before any request; drivers add their service's rules."""
        if not isinstance(name, str) or not name or "\x00" in name:
            raise CloudStorageError(f"blob name must be a non-empty string without NUL: {name!r}")

    def _validate_meta_data(self, meta_data: Mapping[str, str] | None) -> dict[str, str]:
        """Check metadata keys and values; drivers add (or encode for) their service's rules."""
        return check_meta_data(meta_data)

    # -- the mapping between fsspec and blobs (driver-specific) --------------------------------

    @abstractmethod
    def _blob_fields(self, info: Mapping[str, Any]) -> dict[str, Any]:
        """Blob constructor fields (checksum, etag, content_type, meta_data, ...) from ``info``.

        Leave out what ``info`` does not carry: a listed blob loads it on first access.
        """

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

    def _write_attributes(self, path: str, settings: BlobSettings) -> None:
        """Replace a stored blob's attributes with ``settings`` (for `patch_blob`).

        The default is `fs_bridge`'s ``set_attributes``, which replaces all of them at once.
        """
        self.fs.set_attributes(path, **self._write_options(settings, {}))

    def _read_options(self, blob: Blob) -> dict[str, Any]:
        """Keyword arguments for ``fs.open(path, "rb", ...)``, e.g. a known size (no HEAD)."""
        return {}

    def _download_options(self) -> dict[str, Any]:
        """Extra ``open`` arguments for `download_blob`'s sequential reads (e.g. no read-ahead)."""
        return {}

    def _compute_checksum(self, blob: Blob) -> str | None:
        """The checksum of a blob whose listing or lookup did not carry one."""
        checksum: str | None = self._blob_fields(
            self._blob_info(blob.container.name, blob.name)
        ).get("checksum")
        return checksum

    def _container_from_info(self, info: Mapping[str, Any]) -> Container:
        return Container(info["name"].rstrip("/"), self)

    def _blob_from_info(
        self, container: Container, info: Mapping[str, Any], complete: bool
    ) -> Blob:
        fields = dict.fromkeys(LAZY_FIELDS, None if complete else UNSET)
        fields["checksum"] = UNSET  # asked of _compute_checksum if the info lacks it
        fields.update(self._blob_fields(info))
        name = info["name"][len(container.name) + 1 :]
        return Blob(
            name=name, size=int(info.get("size") or 0), container=container, driver=self, **fields
        )

    def _blob_info(self, container: str, blob: str) -> dict[str, Any]:
        """One lookup of a blob; `NotFoundError` for a missing blob or a folder."""
        with self._errors(container, blob):
            info: dict[str, Any] = self.fs.info(self._path(container, blob))
        if info.get("type") != "file":
            raise errors.NOT_FOUND(_describe(container, blob), "a folder")
        return info

    def _blob_exists(self, container: Container, name: str) -> bool:
        """False only for a name the service could not hold or a "not found" answer: a
        refusal, a 5xx, a timeout or a failed connection raises (absent means absent)."""
        try:
            self._validate_blob_name(name)
        except CloudStorageError:
            return False
        try:
            self._blob_info(container.name, name)
        except NotFoundError:
            return False
        return True

    # -- containers ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Container]:
        with self._errors():
            entries = self.fs.ls("", detail=True)
        for entry in entries:
            yield self._container_from_info(entry)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, container: object) -> bool:
        name = container.name if isinstance(container, Container) else container
        if not isinstance(name, str):
            return False
        try:
            self._validate_container_name(name)
        except CloudStorageError:  # a name the service could not hold
            return False
        try:
            self.get_container(name)
        except NotFoundError:  # only "not found": a failure of the service raises
            return False
        return True

    def __repr__(self) -> str:
        return f"<Driver: {self.name}>"

    @property
    def regions(self) -> list[str]:
        """The region names this driver knows (empty where regions do not apply)."""
        return []

    def validate_credentials(self) -> None:
        """Check the credentials against the service; `CredentialsError` if refused.

        A service that cannot be reached or answers with a failure (5xx, timeout) raises
        `CloudStorageError`: the credentials were not checked, so they are not called bad.

        Raises:
            CredentialsError: the service refused the credentials.
            CloudStorageError: the service could not be asked (unreachable, 5xx, timeout).
        """
        try:
            with self._errors():
                self._check_credentials()
        except CloudStorageError:
            raise
        except Exception as exc:  # untranslated (not "refused"): the check itself failed
            raise CloudStorageError(f"the credentials could not be checked: {exc}") from exc

    def _check_credentials(self) -> None:
        self.fs.ls("", detail=False)

    def create_container(
        self,
        container_name: str,
        acl: str | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> Container:
        """Create a container, or return the existing one of that name.

        Args:
            container_name: the name, checked against the service's rules before any request.
            acl: a canned ACL of `container_acls` (None: the service's default).
            meta_data: container metadata, where the service keeps it.

        Returns:
            The new container, or the existing one of that name.

        Raises:
            CloudStorageError: an invalid name, ACL or metadata (before any request), or the
                service refused the request.
            CredentialsError: the service refused the credentials.
        """
        self._validate_container_name(container_name)
        acl = check_acl(acl, self.container_acls, "container", type(self).__module__)
        meta = self._validate_meta_data(meta_data)
        try:
            with self._errors(container_name):
                self._create_container(container_name, acl, meta)
        except AlreadyExistsError:  # the table's "exists": answered with that container
            return self.get_container(container_name)
        return Container(container_name, self, acl=acl, meta_data=meta)

    def _create_container(self, name: str, acl: str | None, meta_data: dict[str, str]) -> None:
        self.fs.mkdir(name, create_parents=False)

    def get_container(self, container_name: str) -> Container:
        """The container of that name; `NotFoundError` if there is none.

        Args:
            container_name: the container's name.

        Returns:
            The container.

        Raises:
            NotFoundError: there is no container of that name.
            CloudStorageError: the name is invalid for the service, or the request failed.
        """
        self._validate_container_name(container_name)
        with self._errors(container_name):
            info = self.fs.info(container_name)
        if info.get("type") != "directory":
            raise errors.NOT_FOUND(_describe(container_name, None), "not a container")
        return self._container_from_info(info)

    def patch_container(self, container: Container) -> None:
        """Save a container's changed attributes; `NotFoundError` if it is gone.

        Args:
            container: the container whose ``acl`` and ``meta_data`` to save.

        Raises:
            NotFoundError: the container no longer exists.
            CloudStorageError: the service refused the change.
        """
        self.get_container(container.name)
        with self._errors(container.name):
            self._patch_container(container)

    def _patch_container(self, container: Container) -> None:  # noqa: B027  # optional hook
        """Store ACL and metadata of an existing container (nothing to store by default)."""

    def delete_container(self, container: Container) -> None:
        """Delete an empty container; `IsNotEmptyError` (deleting nothing) if it holds blobs.

        Args:
            container: the container to delete.

        Raises:
            IsNotEmptyError: the container holds blobs (nothing is deleted).
            NotFoundError: the container does not exist.
        """
        with self._errors(container.name):
            self.fs.rmdir(container.name)

    def container_cdn_url(self, container: Container) -> str:
        """The public URL of a container.

        Args:
            container: the container.

        Returns:
            Its public URL (it answers anonymous requests only once the container is public).

        Raises:
            NotImplementedError: the driver has no public URLs.
        """
        raise NotImplementedError(f"{self.name} has no CDN URLs")

    def enable_container_cdn(self, container: Container) -> bool:
        """Serve the container publicly; False where the service cannot.

        Args:
            container: the container to publish.

        Returns:
            True once published; False where the driver cannot (nothing changes).

        Raises:
            CloudStorageError: the service refused the change.
        """
        return False

    def disable_container_cdn(self, container: Container) -> bool:
        """Stop serving the container publicly; False where the service cannot.

        Args:
            container: the container to withdraw.

        Returns:
            True once withdrawn; False where the driver cannot (nothing changes).

        Raises:
            CloudStorageError: the service refused the change.
        """
        return False

    # -- blobs --------------------------------------------------------------------------------

    def upload_blob(
        self,
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
        with transfer.open_source(filename) as source:
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
            with self._errors(container.name, name):
                upload = self._upload if overwrite else self._upload_new
                size = upload(source, self._path(container.name, name), options)
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

    def _upload(self, source: transfer.Source, path: str, options: dict[str, Any]) -> int:
        """Stream ``source`` to ``path``; drivers with a faster path-to-store verb override."""
        return transfer.write_remote(self.fs, path, source.stream, options)

    def _upload_new(self, source: transfer.Source, path: str, options: dict[str, Any]) -> int:
        """`_upload`, create-only: the service refuses an existing blob (its "exists" answer,
        which the driver's table maps to `AlreadyExistsError`)."""
        raise NotImplementedError(f"{self.name} has no create-only uploads")

    def copy_blob(
        self,
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
        self,
        blob: Blob,
        container: Container,
        blob_name: str | None = None,
        *,
        overwrite: bool = True,
    ) -> Blob:
        """`copy_blob`, then delete the source. If that delete fails, the copy stays and the
        `CloudStorageError` says both facts."""
        return copying.move_blob(self, blob, container, blob_name, overwrite)

    def _copy_within(self, blob: Blob, source: str, target: str, overwrite: bool) -> None:
        """Copy ``source`` to ``target`` (paths of this store) server-side, attributes too.

        The default is the filesystem's ``cp_file``, server-side in `fs_bridge`'s filesystems
        (``exclusive=True``: create-only, ``FileExistsError``, our `AlreadyExistsError`, if
        ``target`` exists).
        """
        self.fs.cp_file(source, target, **({} if overwrite else {"exclusive": True}))

    def get_blob(self, container: Container, blob_name: str) -> Blob:
        """The blob of that name with all its attributes; `NotFoundError` if there is none.

        Args:
            container: the container.
            blob_name: the blob's name.

        Returns:
            The blob, with every attribute loaded.

        Raises:
            NotFoundError: there is no such blob (or the name is a folder).
            CloudStorageError: the name is invalid for the service, or the lookup failed.
        """
        self._validate_blob_name(blob_name)
        info, body = self._blob_lookup(container.name, blob_name)
        return prefetch.keep(self._blob_from_info(container, info, complete=True), body)

    def _blob_lookup(self, container: str, blob: str) -> tuple[dict[str, Any], bytes | None]:
        """`_blob_info`, and the blob's first `prefetch.HEAD_BYTES` where they come at no extra
        request: drivers whose GET answer carries every attribute look up with a ranged GET."""
        return self._blob_info(container, blob), None

    def get_blobs(self, container: Container, prefix: str | None = None) -> Iterator[Blob]:
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

    def _list_infos(self, container: str, prefix: str) -> Iterator[Mapping[str, Any]]:
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

    def _listing_md5(self, blob: Blob) -> str | None:
        """The MD5 of the blob's bytes as its listing showed it (None if it did not): no request.

        `Container.sync_to` compares blobs by it where both sides have one.
        """
        known = blob.__dict__.get("_checksum")
        return known if self.hash_type == "md5" and isinstance(known, str) else None

    def download_blob(self, blob: Blob, destination: str | IO[bytes]) -> None:
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
        if self._download_kept(blob, destination):
            return
        target = _describe(blob.container.name, blob.name)
        expected = self._known_md5(blob)
        with self._errors(blob.container.name, blob.name):
            reader = self.open_blob(blob, "rb", **self._download_options())
        with reader:
            if isinstance(destination, (str, os.PathLike)):
                # Opened outside the translation: a bad destination is the caller's error.
                with (
                    transfer.local_target(os.fspath(destination)) as local,
                    self._errors(blob.container.name, blob.name),
                ):
                    checked = transfer.CheckedWriter(local, expected)
                    self._copy_blob(reader, checked)
                    checked.verify(target)
            else:
                with self._errors(blob.container.name, blob.name):
                    checked = transfer.CheckedWriter(destination, expected)
                    self._copy_blob(reader, checked)
                    checked.verify(target)

    def _download_kept(self, blob: Blob, destination: str | IO[bytes]) -> bool:
        """Write the bytes `get_blob` kept (a small blob) with no request; False if none."""
        body = prefetch.take(blob)
        if body is None and self._lookup_first(blob):
            info, body = self._blob_lookup(blob.container.name, blob.name)
            prefetch.refresh(blob, self._blob_from_info(blob.container, info, complete=True))
            body = body if body is not None and len(body) == blob.size else None
        if body is None:
            return False
        # No translation: a bad destination is the caller's error, a bad MD5 is ours already.
        prefetch.write(
            body, destination, self._known_md5(blob), _describe(blob.container.name, blob.name)
        )
        return True

    def _lookup_first(self, blob: Blob) -> bool:
        """Whether a download of ``blob`` starts with `_blob_lookup` (whose bytes may be the
        whole blob): drivers whose reader would otherwise look the blob up on its own."""
        return False

    def _copy_blob(self, reader: Any, writer: transfer.CheckedWriter) -> None:
        """Copy an opened blob into a download's writer, in order (drivers may fetch ahead).

        A driver that learns the service's MD5 on the way may set ``writer.expected``.
        """
        transfer.copy_stream(reader, writer)

    def _known_md5(self, blob: Blob) -> str | None:
        """The blob's MD5 if it is already known, at no cost (no request, no hashing)."""
        known = blob.__dict__.get("_checksum")
        return known if self.hash_type == "md5" and isinstance(known, str) else None

    def open_blob(self, blob: Blob, mode: str = "rb", **kwargs: Any) -> Any:
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
        options = {**self._read_options(blob), **kwargs} if mode.startswith("r") else kwargs
        with self._errors(blob.container.name, blob.name):
            return self.fs.open(self._path(blob.container.name, blob.name), mode, **options)

    def patch_blob(self, blob: Blob) -> None:
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

    def delete_blob(self, blob: Blob) -> None:
        """Delete a blob; `NotFoundError` if it does not exist.

        Args:
            blob: the blob to delete.

        Raises:
            NotFoundError: the blob does not exist.
        """
        with self._errors(blob.container.name, blob.name):
            self._delete(self._path(blob.container.name, blob.name))

    def _delete(self, path: str) -> None:
        self.fs.rm_file(path)

    @abstractmethod
    def blob_cdn_url(self, blob: Blob) -> str:
        """The public URL of a blob.

        Args:
            blob: the blob.

        Returns:
            Its public URL (it answers anonymous requests only where the blob is public).
        """

    def generate_container_upload_url(
        self,
        container: Container,
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
        """A signed form for uploading ``blob_name`` from a browser: ``{'url', 'fields'}``.

        ``content_length=(min, max)`` bounds the size; the other arguments are stored with the
        blob; ``extra`` may carry ``success_action_redirect`` / ``success_action_status``.
        Everything is checked before anything is signed; what each service makes of the
        policy is in its driver's `_upload_form`. ``blob_name`` may be ``""`` or a prefix: the
        uploaded file's name then completes it (see `UploadPolicy.key`).

        Args:
            container: the container the form uploads into.
            blob_name: the blob the form creates; ``""`` or a prefix: the uploaded
                file's name completes it.
            expires: seconds the form stays valid (at most `max_url_lifetime`).
            acl: a canned ACL of `blob_acls` for the uploaded blob.
            meta_data: metadata stored with the blob.
            content_disposition: stored with the blob.
            content_length: ``(min, max)`` bytes the upload may have.
            content_type: the only MIME type the form accepts, stored with the blob.
            cache_control: stored with the blob.
            extra: ``success_action_redirect`` / ``success_action_status``.

        Returns:
            ``{"url": ..., "fields": {...}}`` (Azure: also ``"method": "PUT"`` and ``"headers"``).

        Raises:
            CloudStorageError: an invalid name, lifetime, size range, metadata or ACL.
        """
        if not isinstance(blob_name, str):
            raise CloudStorageError(f"blob_name must be a string, not {blob_name!r}")
        self._validate_blob_name(upload_key(blob_name).replace(FILENAME, "f"))  # names it makes
        policy = UploadPolicy(
            blob_name=blob_name,
            expires=check_expires(expires, self.max_url_lifetime),
            settings=BlobSettings(
                content_type=content_type,
                content_disposition=content_disposition,
                cache_control=cache_control,
                meta_data=self._validate_meta_data(meta_data),
                acl=check_acl(acl, self.blob_acls, "blob", type(self).__module__),
            ),
            content_length=check_content_length(content_length),
            extra=dict(extra or {}),
        )
        with self._errors(container.name, blob_name):
            return self._upload_form(container, policy)

    def generate_put_url(
        self,
        container: Container,
        blob_name: str,
        expires: int = 3600,
        content_type: str | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A signed URL for one ``PUT`` of ``blob_name``: ``{'url', 'headers'}``.

        The client (a browser, a phone, ``curl``) sends the bytes as the body of ``PUT url``
        with exactly ``headers`` (the content type, metadata and whatever else the service
        needs), no SDK. Everything is checked before anything is signed.
        """
        self._validate_blob_name(blob_name)
        policy = UploadPolicy(
            blob_name=blob_name,
            expires=check_expires(expires, self.max_url_lifetime),
            settings=BlobSettings(
                content_type=content_type, meta_data=self._validate_meta_data(meta_data)
            ),
        )
        with self._errors(container.name, blob_name):
            return self._put_url(container, policy)

    def _put_url(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """The service's presigned PUT for a checked policy: ``{'url', 'headers'}``."""
        raise NotImplementedError(f"{self.name} has no presigned PUT URLs")

    def generate_blob_download_url(
        self,
        blob: Blob,
        expires: int = 3600,
        method: str = "GET",
        content_disposition: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A URL that grants ``method`` on the blob for ``expires`` seconds.

        ``content_disposition`` sets the response's Content-Disposition; ``extra`` may carry
        ``content_type`` (every driver), ``version`` (GCS) or ``version_id`` (S3).

        Args:
            blob: the blob the URL grants.
            expires: seconds the URL stays valid (at most `max_url_lifetime`).
            method: the HTTP method granted.
            content_disposition: the ``Content-Disposition`` the response carries.
            extra: ``content_type``, ``version`` (GCS) or ``version_id`` (S3).

        Returns:
            The signed URL (the local store without ``base_url``: a bare signature).

        Raises:
            CloudStorageError: an invalid lifetime, or signing failed.
        """
        grant = DownloadGrant(
            expires=check_expires(expires, self.max_url_lifetime),
            method=str(method).upper(),
            content_disposition=content_disposition,
            extra=dict(extra or {}),
        )
        with self._errors(blob.container.name, blob.name):
            return self._download_url(blob, grant)

    @abstractmethod
    def _upload_form(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """The service's signed upload form (or signed request) for a checked policy."""

    @abstractmethod
    def _download_url(self, blob: Blob, grant: DownloadGrant) -> str:
        """The service's signed download URL for a checked grant."""


@lru_cache(maxsize=32)
def _rebuild_driver(cls: type[Driver], arguments: bytes) -> Driver:
    """A pickled driver, built once per process for the same class and arguments."""
    args, kwargs = pickle.loads(arguments)  # our own pickle of the arguments
    return cls(*args, **kwargs)


_describe = errors.describe
