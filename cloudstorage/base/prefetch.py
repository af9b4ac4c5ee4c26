"""One request for ``get_blob(name).download(dest)``: the lookup's GET keeps a small blob's bytes.

A driver whose GET answer carries every attribute of a blob looks it up with a ranged GET of
its first `HEAD_BYTES` (`Driver._blob_lookup`) instead of a HEAD. When those bytes are the
whole blob they are kept on the `Blob`, and the `download` that usually follows writes them,
checked against the blob's MD5 as any download is, without another request. They are dropped
once used; a larger blob keeps nothing and downloads as before. So a kept body never holds
more than `HEAD_BYTES`, and only on a blob from `get_blob`.

The local store keeps a small blob's bytes read from the descriptor its lookup opened, and
serves them only while the file at the blob's path is still that version (`LocalDriver`'s
``_kept_body``): there a blob changed in between is read again.

Where the GET's answer gives some attributes not exactly as a listing or a metadata lookup
states them (GCS's media GET: no creation time, metadata keys whose case the header names
lost), the driver names them in the info under `INEXACT`: the `Blob` leaves them `UNSET`,
and loads them with one `Driver._blob_info` on first read (as a listed blob does), so the
download still costs one request and no attribute is ever given wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudstorage.base.blob import Blob

__all__ = ["HEAD_BYTES", "INEXACT", "keep", "refresh", "take"]

HEAD_BYTES = 64 * 1024
"""How much of a blob the lookup's GET asks for: a blob this small is downloaded with it."""

INEXACT = "cloudstorage_inexact"
"""Key of a lookup's info: the names of the `Blob` fields its answer cannot give exactly,
left `UNSET` by `Driver._blob_from_info` and loaded on first read."""

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
