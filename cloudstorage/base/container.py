"""`Container`: a bucket, a container, or a top-level folder, holding blobs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from cloudstorage.base import bulk
from cloudstorage.structures import CaseInsensitiveDict

if TYPE_CHECKING:
    from cloudstorage.base.blob import Blob
    from cloudstorage.base.driver import Driver

__all__ = ["Container"]


class Container:
    """A container of blobs; iterate it, test ``name in container``, upload into it."""

    def __init__(
        self,
        name: str,
        driver: Driver,
        acl: str | None = None,
        meta_data: Mapping[str, str] | None = None,
        created_at: datetime | None = None,
    ) -> None:
        self.name = name
        self.driver = driver
        self.acl = acl
        self.meta_data: CaseInsensitiveDict[str] = CaseInsensitiveDict(meta_data or {})
        self.created_at = created_at
        self._just_listed: list[Blob] | None = None

    def __iter__(self) -> Iterator[Blob]:
        """The blobs, from one listing taken now (the service lists in whole pages anyway).

        ``list(container)`` asks ``len(container)`` right after ``iter(container)``; the
        listing just taken answers it, so the container is not listed twice.
        """
        blobs = list(self.driver.get_blobs(self))
        self._just_listed = blobs
        return self._hand_out(blobs)

    def _hand_out(self, blobs: list[Blob]) -> Iterator[Blob]:
        self._just_listed = None  # from the first blob on, len() lists afresh
        yield from blobs

    def list_blobs(self, prefix: str | None = None) -> Iterator[Blob]:
        """The blobs whose names start with ``prefix`` (all without one), from one listing of
        the folder the prefix names: ``list_blobs("logs/2024-")`` lists only ``logs/``."""
        return self.driver.get_blobs(self, prefix)

    def __len__(self) -> int:
        """The number of blobs: a listing, unless `__iter__` has just taken one."""
        listed, self._just_listed = self._just_listed, None
        if listed is not None:
            return len(listed)
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
        """Save changed attributes (ACL, metadata)."""
        self.driver.patch_container(self)

    def delete(self) -> None:
        """Delete this container; `IsNotEmptyError` (and nothing deleted) if it holds blobs."""
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
    ) -> Blob:
        """Upload a file by path or binary stream; see `Driver.upload_blob`."""
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
        )

    def get_blob(self, blob_name: str) -> Blob:
        """The blob of that name; `NotFoundError` if there is none."""
        return self.driver.get_blob(self, blob_name)

    def upload_blobs(self, items: Iterable[tuple[Any, str]], **kwargs: Any) -> list[Blob]:
        """Upload many ``(path or stream, blob_name)``; see `cloudstorage.base.bulk`."""
        return bulk.upload_blobs(self, items, **kwargs)

    def download_blobs(
        self, blobs: Iterable[Blob | str], destination: str, **kwargs: Any
    ) -> list[str]:
        """Download many blobs into a folder; see `cloudstorage.base.bulk`."""
        return bulk.download_blobs(self, blobs, destination, **kwargs)

    def delete_blobs(self, blobs: Iterable[Blob | str], **kwargs: Any) -> None:
        """Delete many blobs in batched requests; see `cloudstorage.base.bulk`."""
        bulk.delete_blobs(self, blobs, **kwargs)

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
        """A signed upload form; see `Driver.generate_container_upload_url`."""
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

    def enable_cdn(self) -> bool:
        """Make the container public through the CDN; False where the driver cannot."""
        return self.driver.enable_container_cdn(self)

    def disable_cdn(self) -> bool:
        """Withdraw the container from the CDN; False where the driver cannot."""
        return self.driver.disable_container_cdn(self)
