"""`Driver`: the object API written once over ``self.fs``, an fsspec filesystem.

A driver subclass supplies its filesystem (``protocol`` and ``storage_options``), how fsspec's
``info`` dicts map to blob attributes and back, its error table, and what fsspec has no verb
for: signed URLs, upload forms, ACLs and CDN.
"""

from __future__ import annotations

import errno
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

from cloudstorage.base import transfer
from cloudstorage.base.blob import LAZY_FIELDS, UNSET, Blob
from cloudstorage.base.container import Container
from cloudstorage.base.settings import (
    BlobSettings,
    DownloadGrant,
    UploadPolicy,
    check_acl,
    check_content_length,
    check_expires,
    check_meta_data,
    check_prefix,
)
from cloudstorage.exceptions import (
    CloudStorageError,
    CredentialsError,
    IsNotEmptyError,
    NotFoundError,
)

__all__ = ["Driver"]

logger = logging.getLogger("cloudstorage")


class Driver(ABC):
    """A connection to one storage service with one set of credentials; holds containers."""

    name: ClassVar[str] = ""
    hash_type: ClassVar[str] = "md5"
    url: ClassVar[str] = ""
    protocol: ClassVar[str] = ""
    """The fsspec protocol; ``fsspec.filesystem(protocol, **storage_options)`` is ``self.fs``."""

    container_acls: ClassVar[frozenset[str] | None] = None
    """Canned ACL names containers accept; None: the driver takes no ACL check."""
    blob_acls: ClassVar[frozenset[str] | None] = None
    max_url_lifetime: ClassVar[int | None] = None
    """The longest ``expires`` a signed URL or form may have (None: no limit of ours)."""
    transport_errors: ClassVar[tuple[type[Exception], ...]] = ()
    """Connection-level errors of the driver's HTTP stack (raised once its retries gave up)."""
    _arguments: tuple[tuple[Any, ...], dict[str, Any]]
    """The constructor's arguments (see `__reduce__`)."""
    batched_deletes: ClassVar[bool] = False
    """``fs.rm(list_of_paths)`` deletes in batches (one request for many blobs); else the bulk
    delete runs one ``rm_file`` per blob in a thread pool."""

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
        self.secret = secret
        self.region = region
        self.options = kwargs

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
        except Exception as exc:
            target = _describe(container, blob)
            translated = self._translate_error(exc, target)
            if translated is None:
                raise
            raise translated from exc

    def _translate_error(self, exc: Exception, target: str) -> CloudStorageError | None:
        """Map a backend exception to ours; None lets it through. Drivers extend the table."""
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if isinstance(exc, FileNotFoundError):
            return NotFoundError(f"{target} was not found ({reason})")
        if isinstance(exc, (IsADirectoryError, NotADirectoryError)):
            return CloudStorageError(f"{target} collides with a folder of the store ({reason})")
        if isinstance(exc, PermissionError):
            return CredentialsError(f"access to {target} was refused ({reason})")
        if isinstance(exc, OSError) and exc.errno == errno.ENOTEMPTY:
            return IsNotEmptyError(f"{target} is not empty: delete its blobs first")
        if isinstance(exc, self.transport_errors):  # the SDK's retries gave up
            reason = f"the connection to the service failed ({exc!r})"
        elif not isinstance(exc, ValueError):
            return None
        return CloudStorageError(f"{target}: {reason}")

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
            raise NotFoundError(f"{_describe(container, blob)} was not found")
        return info

    def _blob_exists(self, container: Container, name: str) -> bool:
        try:
            self._validate_blob_name(name)
            self._blob_info(container.name, name)
        except CredentialsError:
            raise
        except CloudStorageError:  # missing, or a name the service could not hold
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
            self.get_container(name)
        except CredentialsError:
            raise
        except CloudStorageError:  # missing, or a name the service could not hold
            return False
        return True

    def __repr__(self) -> str:
        return f"<Driver: {self.name}>"

    @property
    def regions(self) -> list[str]:
        """The region names this driver knows (empty where regions do not apply)."""
        return []

    def validate_credentials(self) -> None:
        """Check the credentials against the service; `CredentialsError` if refused."""
        try:
            with self._errors():
                self._check_credentials()
        except CredentialsError:
            raise
        except Exception as exc:
            raise CredentialsError(f"the credentials could not be validated: {exc}") from exc

    def _check_credentials(self) -> None:
        self.fs.ls("", detail=False)

    def create_container(
        self,
        container_name: str,
        acl: str | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> Container:
        """Create a container, or return the existing one of that name."""
        self._validate_container_name(container_name)
        acl = check_acl(acl, self.container_acls, "container")
        meta = self._validate_meta_data(meta_data)
        try:
            with self._errors(container_name):
                self._create_container(container_name, acl, meta)
        except FileExistsError:
            return self.get_container(container_name)
        return Container(container_name, self, acl=acl, meta_data=meta)

    def _create_container(self, name: str, acl: str | None, meta_data: dict[str, str]) -> None:
        self.fs.mkdir(name, create_parents=False)

    def get_container(self, container_name: str) -> Container:
        """The container of that name; `NotFoundError` if there is none."""
        self._validate_container_name(container_name)
        with self._errors(container_name):
            info = self.fs.info(container_name)
        if info.get("type") != "directory":
            raise NotFoundError(f"{_describe(container_name, None)} was not found")
        return self._container_from_info(info)

    def patch_container(self, container: Container) -> None:
        """Save a container's changed attributes; `NotFoundError` if it is gone."""
        self.get_container(container.name)
        with self._errors(container.name):
            self._patch_container(container)

    def _patch_container(self, container: Container) -> None:  # noqa: B027  # optional hook
        """Store ACL and metadata of an existing container (nothing to store by default)."""

    def delete_container(self, container: Container) -> None:
        """Delete an empty container; `IsNotEmptyError` (deleting nothing) if it holds blobs."""
        with self._errors(container.name):
            self.fs.rmdir(container.name)

    def container_cdn_url(self, container: Container) -> str:
        """The public URL of a container."""
        raise NotImplementedError(f"{self.name} has no CDN URLs")

    def enable_container_cdn(self, container: Container) -> bool:
        """Serve the container publicly; False where the service cannot."""
        return False

    def disable_container_cdn(self, container: Container) -> bool:
        """Stop serving the container publicly; False where the service cannot."""
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
    ) -> Blob:
        """Upload a file, by path or binary stream, replacing any blob of that name.

        The blob name defaults to the file's name; the content type, when not given, is
        guessed from the leading bytes (python-magic) and the name (mimetypes). Metadata,
        disposition, cache control and ACL are written with the bytes, in the same request.
        The upload streams in chunks of at least ``chunk_size``; if it fails, no partial blob
        is left and a blob it was replacing keeps its old contents.
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
                acl=check_acl(acl, self.blob_acls, "blob"),
            )
            options = self._write_options(settings, extra or {})
            with self._errors(container.name, name):
                size = self._upload(source, self._path(container.name, name), options)
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

    def copy_blob(
        self,
        blob: Blob,
        container: Container,
        blob_name: str | None = None,
        *,
        overwrite: bool = True,
    ) -> Blob:
        """Copy ``blob`` (from any container, on any driver) into ``container``.

        Bytes, content type, disposition, cache control and metadata travel. This generic
        path streams the bytes through the client; drivers copy server-side within a store.
        """
        if not overwrite:
            raise NotImplementedError("create-only copies are not built yet")
        name = blob_name or blob.name
        self._validate_blob_name(name)
        with blob.driver._errors(blob.container.name, blob.name):
            reader = blob.driver.open_blob(blob, "rb")
        with reader:
            return self.upload_blob(
                container,
                reader,
                blob_name=name,
                meta_data=blob.meta_data,
                content_type=blob.content_type,
                content_disposition=blob.content_disposition,
                cache_control=blob.cache_control,
            )

    def get_blob(self, container: Container, blob_name: str) -> Blob:
        """The blob of that name with all its attributes; `NotFoundError` if there is none."""
        self._validate_blob_name(blob_name)
        info = self._blob_info(container.name, blob_name)
        return self._blob_from_info(container, info, complete=True)

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
        """
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
        """An fsspec file object on a blob; see `Blob.open`."""
        options = {**self._read_options(blob), **kwargs} if mode.startswith("r") else kwargs
        with self._errors(blob.container.name, blob.name):
            return self.fs.open(self._path(blob.container.name, blob.name), mode, **options)

    def patch_blob(self, blob: Blob) -> None:
        """Save a blob's changed content type, disposition, cache control, metadata and ACL."""
        settings = BlobSettings(
            content_type=blob.content_type,
            content_disposition=blob.content_disposition,
            cache_control=blob.cache_control,
            meta_data=self._validate_meta_data(blob.meta_data),
            acl=check_acl(blob.acl, self.blob_acls, "blob"),
        )
        with self._errors(blob.container.name, blob.name):
            self._write_attributes(self._path(blob.container.name, blob.name), settings)

    def delete_blob(self, blob: Blob) -> None:
        """Delete a blob; `NotFoundError` if it does not exist."""
        with self._errors(blob.container.name, blob.name):
            self._delete(self._path(blob.container.name, blob.name))

    def _delete(self, path: str) -> None:
        self.fs.rm_file(path)

    @abstractmethod
    def blob_cdn_url(self, blob: Blob) -> str:
        """The public URL of a blob."""

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
        policy is in its driver's `_upload_form`.
        """
        self._validate_blob_name(blob_name)
        policy = UploadPolicy(
            blob_name=blob_name,
            expires=check_expires(expires, self.max_url_lifetime),
            settings=BlobSettings(
                content_type=content_type,
                content_disposition=content_disposition,
                cache_control=cache_control,
                meta_data=self._validate_meta_data(meta_data),
                acl=check_acl(acl, self.blob_acls, "blob"),
            ),
            content_length=check_content_length(content_length),
            extra=dict(extra or {}),
        )
        with self._errors(container.name, blob_name):
            return self._upload_form(container, policy)

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


def _describe(container: str | None, blob: str | None) -> str:
    if blob is not None:
        return f"blob {blob!r} in container {container!r}"
    if container is not None:
        return f"container {container!r}"
    return "the store"
