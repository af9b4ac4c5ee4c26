"""One request for ``get_blob(name).download(dest)``: the lookup's GET keeps a small blob's bytes.

A driver whose GET answer carries every attribute of a blob looks it up with a ranged GET of
its first `HEAD_BYTES` (`Driver._blob_lookup`) instead of a HEAD. When those bytes are the
whole blob they are kept on the `Blob`, and the `download` that usually follows writes them,
checked against the blob's MD5 as any download is, without another request. They are dropped
once used; a larger blob keeps nothing and downloads as before. So a kept body never holds
more than `HEAD_BYTES`, and only on a blob from `get_blob`.
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING

from cloudstorage.base import transfer

if TYPE_CHECKING:
    from cloudstorage.base.blob import Blob

__all__ = ["HEAD_BYTES", "keep", "refresh", "take", "write"]

HEAD_BYTES = 64 * 1024
"""How much of a blob the lookup's GET asks for: a blob this small is downloaded with it."""

_SLOT = "_kept_body"


def keep(blob: Blob, body: bytes | bytearray | None) -> Blob:
    """Keep ``body`` on ``blob`` for its next download if it is the whole blob."""
    if body is not None and len(body) == blob.size:
        blob.__dict__[_SLOT] = bytes(body)
    return blob


def refresh(blob: Blob, looked_up: Blob) -> None:
    """Give ``blob`` (known by name alone) the size and attributes of a lookup of it."""
    blob.__dict__.update(
        {key: value for key, value in looked_up.__dict__.items() if key not in ("container", _SLOT)}
    )


def take(blob: Blob) -> bytes | None:
    """The bytes kept on ``blob`` (None if none), dropped from it: they serve one download."""
    body: bytes | None = blob.__dict__.pop(_SLOT, None)
    return body


def write(body: bytes, destination: str | IO[bytes], expected_md5: str | None, target: str) -> None:
    """Write a kept body as a download would: a path appears only when complete and checked.

    `CloudStorageError` if ``expected_md5`` is given and the bytes have another MD5 (the
    lookup's answer was corrupted in transit); a path then gets no file.
    """
    if isinstance(destination, (str, os.PathLike)):
        with transfer.local_target(os.fspath(destination)) as local:
            _write_checked(local, body, expected_md5, target)
    else:
        _write_checked(destination, body, expected_md5, target)


def _write_checked(
    writer: transfer._Writer, body: bytes, expected_md5: str | None, target: str
) -> None:
    checked = transfer.CheckedWriter(writer, expected_md5)
    checked.write(body)
    checked.verify(target)
