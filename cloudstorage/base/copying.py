"""Copy and move between containers: server-side within one store, streamed between stores.

`Driver.copy_blob` and `Driver.move_blob` call these. Within one store (two drivers of the
same identity) the driver's `Driver._copy_within` asks the service to copy (S3 CopyObject,
GCS rewrite, Azure Copy Blob, Swift ``X-Copy-From``, the local store's kernel copy): no byte
passes through the client. Between stores the bytes stream through `Driver.upload_blob`,
whose uploads are atomic: an interrupted copy leaves no partial blob.
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any, cast

from cloudstorage.base.blob import LAZY_FIELDS, UNSET, Blob
from cloudstorage.exceptions import CloudStorageError

if TYPE_CHECKING:
    from cloudstorage.base.container import Container
    from cloudstorage.base.driver import Driver

__all__ = ["copy_blob", "move_blob"]


def _target(blob: Blob, container: Container, blob_name: str | None) -> str:
    """The checked destination name; a copy onto the source itself is refused."""
    name = blob_name if blob_name is not None else blob.name
    container.driver._validate_blob_name(name)
    if name == blob.name and container == blob.container:
        raise CloudStorageError(
            f"cannot copy blob {name!r} in container {container.name!r} onto itself: "
            "give another blob_name or container"
        )
    return name


def copy_blob(
    driver: Driver, blob: Blob, container: Container, blob_name: str | None, overwrite: bool
) -> Blob:
    """Copy ``blob`` into ``container`` as ``blob_name``; see `Driver.copy_blob`."""
    name = _target(blob, container, blob_name)
    if blob.driver.identity != driver.identity or not (overwrite or driver.server_side_create_only):
        return _copy_streamed(driver, blob, container, name, overwrite)
    source = driver._path(blob.container.name, blob.name)
    with driver._errors(container.name, name):
        driver._copy_within(blob, source, driver._path(container.name, name), overwrite)
    # The copy's attributes are the source's, as stored: loaded from the copy on first read.
    fields = dict.fromkeys(LAZY_FIELDS, UNSET)
    return Blob(name=name, size=blob.size, container=container, driver=driver, **fields)


def _copy_streamed(
    driver: Driver, blob: Blob, container: Container, name: str, overwrite: bool
) -> Blob:
    """Stream the bytes from the source's store; the upload appears whole or not at all."""
    with blob.driver._errors(blob.container.name, blob.name):
        reader = blob.driver.open_blob(blob, "rb")
    with reader:
        return driver.upload_blob(
            container,
            cast(IO[bytes], _SourceReader(reader, blob)),
            blob_name=name,
            meta_data=blob.meta_data,
            content_type=blob.content_type,
            content_disposition=blob.content_disposition,
            cache_control=blob.cache_control,
            overwrite=overwrite,
        )


def move_blob(
    driver: Driver, blob: Blob, container: Container, blob_name: str | None, overwrite: bool
) -> Blob:
    """Copy, then delete the source; if the delete fails the copy stays and both are said."""
    copied = copy_blob(driver, blob, container, blob_name, overwrite)
    try:
        blob.driver.delete_blob(blob)
    except CloudStorageError as exc:
        raise CloudStorageError(
            f"blob {blob.name!r} was copied to {copied.name!r} in container "
            f"{container.name!r}, but deleting the source failed: {exc}"
        ) from exc
    return copied


class _SourceReader(io.RawIOBase):
    """The source blob's reader, read once in order; its driver translates its errors (a
    dropped download raises `CloudStorageError`, not the source SDK's exception)."""

    def __init__(self, file: Any, blob: Blob) -> None:
        super().__init__()
        self._file = file
        self._blob = blob

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        with self._blob.driver._errors(self._blob.container.name, self._blob.name):
            data: bytes = self._file.read(-1 if size is None else size)
        return data

    def readinto(self, buffer: Any) -> int:
        with self._blob.driver._errors(self._blob.container.name, self._blob.name):
            data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
