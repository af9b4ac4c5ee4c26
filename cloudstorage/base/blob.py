"""`Blob`: one object in a container, with the attributes a listing or a lookup returned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar, overload

from cloudstorage.structures import CaseInsensitiveDict

if TYPE_CHECKING:
    from cloudstorage.base.container import Container
    from cloudstorage.base.driver import Driver

__all__ = ["LAZY_FIELDS", "UNSET", "Blob"]

T = TypeVar("T")


class _Unset:
    """Marks an attribute a listing did not return; it is loaded on first read."""

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"  # unpickles as the module's one UNSET, so ``is UNSET`` still holds


UNSET: Any = _Unset()


class _Lazy(Generic[T]):
    """A blob attribute loaded, with all other missing ones, by one ``info`` call on first read.

    Listings return name, size, etag and modification time; content type, metadata and the
    like cost a request per blob, so a `Blob` built from a listing fetches them only when
    asked for (DESIGN.md rule 5).
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    @overload
    def __get__(self, blob: None, owner: type) -> _Lazy[T]: ...
    @overload
    def __get__(self, blob: Blob, owner: type) -> T: ...
    def __get__(self, blob: Blob | None, owner: type) -> T | _Lazy[T]:
        if blob is None:
            return self
        value = blob.__dict__[self.slot]
        if value is UNSET:
            blob._load_missing()
            value = blob.__dict__[self.slot]
        return value  # type: ignore[no-any-return]  # __dict__ values are Any

    def __set__(self, blob: Blob, value: T) -> None:
        blob.__dict__[self.slot] = value


LAZY_FIELDS = (
    "checksum",
    "etag",
    "acl",
    "meta_data",
    "content_disposition",
    "content_type",
    "cache_control",
    "created_at",
    "modified_at",
    "expires_at",
)


class Blob:
    """An object (key, file) in a `Container`.

    Attributes left `UNSET` by the driver are fetched together with one request the first
    time any of them is read. ``meta_data`` is a case-insensitive dict; change attributes and
    call `patch` to save them.

    Args:
        name: the blob's name within its container.
        checksum: the hex digest of the bytes (`Driver.hash_type`), where known.
        etag: the service's entity tag.
        size: the size in bytes (0: empty); None where not known yet.
        container: the container holding it.
        driver: the driver it belongs to.
        acl: its canned ACL, where the service says.
        meta_data: user metadata (a case-insensitive dict).
        content_disposition: the stored ``Content-Disposition``.
        content_type: the stored MIME type.
        cache_control: the stored ``Cache-Control``.
        created_at: when it was created, where the service says.
        modified_at: when it was last written.
        expires_at: when the service will delete it, where it says.
    """

    name: str
    """The blob's name within its container (``/`` separates folder levels)."""
    size: int | None
    """The size in bytes (also ``len(blob)``); ``0`` is an empty blob, ``None`` a size not
    known yet (a blob named for a bulk download, before it is read)."""
    container: Container
    """The container holding the blob."""
    driver: Driver
    """The driver the blob belongs to."""
    checksum: _Lazy[str | None] = _Lazy()
    """The hex digest of the bytes, by `Driver.hash_type` (None where the service has none)."""
    etag: _Lazy[str | None] = _Lazy()
    """The service's entity tag; it changes whenever the blob is replaced."""
    acl: _Lazy[Any] = _Lazy()
    """The canned ACL, where the service reports one."""
    meta_data: _Lazy[CaseInsensitiveDict[str]] = _Lazy()
    """User metadata, a case-insensitive dict; change it and call `patch`."""
    content_disposition: _Lazy[str | None] = _Lazy()
    """The ``Content-Disposition`` downloads answer with."""
    content_type: _Lazy[str | None] = _Lazy()
    """The MIME type."""
    cache_control: _Lazy[str | None] = _Lazy()
    """The ``Cache-Control`` downloads answer with."""
    created_at: _Lazy[datetime | None] = _Lazy()
    """When the blob was created, where the service says."""
    modified_at: _Lazy[datetime | None] = _Lazy()
    """When the blob was last written."""
    expires_at: _Lazy[datetime | None] = _Lazy()
    """When the service will delete the blob, where it says."""

    def __init__(
        self,
        name: str,
        checksum: str | None,
        etag: str | None,
        size: int | None,
        container: Container,
        driver: Driver,
        acl: Any = None,
        meta_data: Mapping[str, str] | None = None,
        content_disposition: str | None = None,
        content_type: str | None = None,
        cache_control: str | None = None,
        created_at: datetime | None = None,
        modified_at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        # One dict update instead of ten descriptor calls: listings build thousands of these.
        self.__dict__.update(
            {
                "name": name,
                "size": size,
                "container": container,
                "driver": driver,
                "_checksum": checksum,
                "_etag": etag,
                "_acl": acl,
                "_meta_data": UNSET if meta_data is UNSET else CaseInsensitiveDict(meta_data or {}),
                "_content_disposition": content_disposition,
                "_content_type": content_type,
                "_cache_control": cache_control,
                "_created_at": created_at,
                "_modified_at": modified_at,
                "_expires_at": expires_at,
            }
        )

    def _load_missing(self) -> None:
        """Fill every `UNSET` attribute from one lookup of the blob.

        The checksum alone may need more than a lookup (the local store hashes the file), so
        it is asked of `Driver._compute_checksum` when it is all that is missing.
        """
        missing = [field for field in LAZY_FIELDS if self.__dict__["_" + field] is UNSET]
        fields: dict[str, Any] = {}
        if any(field != "checksum" for field in missing):
            info = self.driver._blob_info(self.container.name, self.name)
            fields = self.driver._blob_fields(info)
        for field in missing:
            value = fields.get(field)
            if field == "meta_data":
                value = CaseInsensitiveDict(value or {})
            self.__dict__["_" + field] = value
        if "checksum" in missing and self.__dict__["_checksum"] is None:
            self.__dict__["_checksum"] = self.driver._compute_checksum(self)

    def __len__(self) -> int:
        if self.size is None:
            raise TypeError(f"the size of blob {self.name!r} is not known yet")
        return self.size

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Blob):
            return NotImplemented
        return (self.container, self.name) == (other.container, other.name)

    def __hash__(self) -> int:
        return hash((self.container, self.name))

    def __repr__(self) -> str:
        return f"<Blob {self.name} {self.container.name} {self.driver.name}>"

    @property
    def path(self) -> str:
        """``container/blob``: the blob's path relative to the store."""
        return f"{self.container.name}/{self.name}"

    @property
    def uri(self) -> str:
        """``protocol://container/blob``: open it with fsspec and ``driver.storage_options``."""
        return f"{self.driver.protocol}://{self.path}"

    @property
    def cdn_url(self) -> str:
        """The public (CDN) URL of this blob."""
        return self.driver.blob_cdn_url(self)

    def delete(self) -> None:
        """Delete this blob; `NotFoundError` if it is already gone.

        Raises:
            NotFoundError: the blob does not exist.
        """
        self.driver.delete_blob(self)

    def download(self, destination: str | IO[bytes]) -> None:
        """Stream this blob's bytes to a path (written atomically) or a binary file object.

        Args:
            destination: a path or a binary file object.

        Raises:
            NotFoundError: the blob no longer exists.
            CloudStorageError: the transfer failed, or the bytes did not match the MD5.
        """
        self.driver.download_blob(self, destination)

    def patch(self) -> None:
        """Save changed content type, disposition, cache control, metadata and ACL.

        Raises:
            NotFoundError: the blob no longer exists.
            CloudStorageError: invalid metadata or ACL, or the service refused the change.
        """
        self.driver.patch_blob(self)

    def generate_download_url(
        self,
        expires: int = 3600,
        method: str = "GET",
        content_disposition: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A time-limited download URL; see `Driver.generate_blob_download_url`.

        Args:
            expires: seconds the URL stays valid.
            method: the HTTP method granted.
            content_disposition: the ``Content-Disposition`` the response carries.
            extra: ``content_type``, ``version`` (GCS) or ``version_id`` (S3).

        Returns:
            The signed URL (the local store without ``base_url``: a bare signature).

        Raises:
            CloudStorageError: an invalid lifetime.
        """
        return self.driver.generate_blob_download_url(
            self,
            expires=expires,
            method=method,
            content_disposition=content_disposition,
            extra=extra,
        )

    def open(self, mode: str = "rb", **kwargs: Any) -> Any:
        """An fsspec file object on this blob (``"rb"`` seeks; ``"wb"`` replaces the blob).

        Args:
            mode: ``"rb"`` or ``"wb"``.
            **kwargs: passed to the filesystem's ``open``.

        Returns:
            An fsspec file object.

        Raises:
            NotFoundError: reading a blob that does not exist.
        """
        return self.driver.open_blob(self, mode, **kwargs)
