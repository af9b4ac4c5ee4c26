"""`Driver`: the object API written once over ``self.fs``, an fsspec filesystem.

A driver subclass supplies its filesystem (``protocol`` and ``storage_options``), how fsspec's
``info`` dicts map to blob attributes and back, its error table, and what fsspec has no verb
for: signed URLs, upload forms, ACLs and CDN.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from functools import cached_property, lru_cache
from typing import Any, ClassVar

from typing_extensions import Self

from cloudstorage.base import errors, prefetch
from cloudstorage.base._blob_methods import BlobMethods
from cloudstorage.base._url_methods import UrlMethods
from cloudstorage.base.blob import LAZY_FIELDS, UNSET, Blob
from cloudstorage.base.bulk import DEFAULT_WORKERS
from cloudstorage.base.container import Container
from cloudstorage.base.options import DriverOptions, check_options
from cloudstorage.base.retry import RetryOptions
from cloudstorage.base.settings import (
    check_acl,
    check_meta_data,
)
from cloudstorage.exceptions import (
    AlreadyExistsError,
    CloudStorageError,
    NotFoundError,
)

__all__ = ["Driver"]

logger = logging.getLogger("cloudstorage")

# The attributes a blob starts with before its info is read in: a full lookup leaves absent
# ones None, a listing entry leaves them to load on first read; the checksum is asked of
# `_compute_checksum` when the info lacks it. Copied per blob (a listing makes thousands).
_COMPLETE_DEFAULTS: dict[str, Any] = {**dict.fromkeys(LAZY_FIELDS, None), "checksum": UNSET}
_PARTIAL_DEFAULTS: dict[str, Any] = {**dict.fromkeys(LAZY_FIELDS, UNSET), "checksum": UNSET}


class Driver(BlobMethods, UrlMethods, ABC):
    """A connection to one storage service with one set of credentials; holds containers.

    Args:
        key: the service's user or key id (the local store: its directory).
        secret: the service's secret (the local store: the signing secret).
        region: the region, where the service has regions.
        **kwargs: the driver's own options: its ``options_type`` (an unknown one raises
            `CloudStorageError`).
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
    checks_downloads: ClassVar[bool] = True
    """Downloads are checked against the blob's MD5 where it is known (a mismatch raises);
    False where the bytes never cross a network (the local store), so nothing is hashed."""
    bulk_workers: int = DEFAULT_WORKERS
    """Transfers a bulk call or a sync runs at once unless told (``max_workers``): 8 where
    each waits on the network; the local store on a local disk runs one at a time, since
    its work holds the GIL and threads there only contend for it."""
    upload_form: ClassVar[str] = "post"
    """What `generate_container_upload_url` gives: ``"post"``, an HTML form POST (``url`` and
    ``fields``); ``"put"``, a signed URL for one PUT with the ``headers`` to send."""
    options_type: ClassVar[Any] = DriverOptions
    """The `TypedDict` of the keyword options the driver takes (`cloudstorage.base.options`)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # A misspelt option is refused first, whatever the subclass's __init__ does before
        # its super() call; the arguments are kept so that a driver pickles as them.
        check_options(cls, kwargs)
        driver = super().__new__(cls)
        driver._arguments = (args, kwargs)
        return driver

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the class and its constructor's arguments: a dask worker (or any other
        process) rebuilds the driver, its own clients and connections, from them once."""
        import pickle  # noqa: PLC0415  # only pickling needs it: import stays fast

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

    def _errors(self, container: str | None = None, blob: str | None = None) -> errors.Translating:
        """Raise what the backend raised as a `cloudstorage.exceptions` type, cause kept.

        A context manager (a class, not a generator: it wraps every call, and a generator's
        context costs several times more on a 4 KiB local read).
        """
        return errors.Translating(self, container, blob)

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
        fields = dict(_COMPLETE_DEFAULTS if complete else _PARTIAL_DEFAULTS)
        fields.update(self._blob_fields(info))
        if inexact := info.get(prefetch.INEXACT):
            fields.update(dict.fromkeys(inexact, UNSET))  # read on access
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

    def _patch_container(self, container: Container) -> None:  # optional hook
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


@lru_cache(maxsize=32)
def _rebuild_driver(cls: type[Driver], arguments: bytes) -> Driver:
    """A pickled driver, built once per process for the same class and arguments."""
    import pickle  # noqa: PLC0415  # only unpickling needs it: import stays fast

    args, kwargs = pickle.loads(arguments)  # our own pickle of the arguments
    return cls(*args, **kwargs)


_describe = errors.describe
