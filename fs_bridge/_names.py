"""Name rules for the local store, checked before any I/O touches the disk.

A store path is ``container`` or ``container/blob/name``. Every segment must be a plain file
name: no ``.`` or ``..``, no empty segment (so no absolute names and no ``a//b``), no NUL and
no backslash. Segments that start with the reserved temporary-file prefix are ours alone.
"""

from __future__ import annotations

TEMP_PREFIX = ".~xlocal-"
"""Prefix of the temporary files of writes in flight; such files never list as blobs."""

_MAX_SEGMENT_BYTES = 255


class InvalidNameError(ValueError):
    """A container or blob name the local store refuses; the message states the rule."""


def check_container_name(name: str) -> None:
    """Raise `InvalidNameError` unless ``name`` can name a top-level folder of the store."""
    if not name:
        raise InvalidNameError("container name must not be empty")
    if "/" in name:
        raise InvalidNameError(f"container name {name!r} must not contain '/'")
    if name[0] == ".":
        raise InvalidNameError(f"container name {name!r} must not start with '.'")
    _check_characters(name)
    _check_segment(name, name)


def check_blob_name(name: str) -> None:
    """Raise `InvalidNameError` unless ``name`` is a relative, normalised blob name."""
    if not name:
        raise InvalidNameError("blob name must not be empty")
    if name[0] == "/":
        raise InvalidNameError(f"blob name {name!r} must be relative, not absolute")
    _check_characters(name)
    for segment in name.split("/"):
        if not segment:
            raise InvalidNameError(f"blob name {name!r} must not contain an empty segment")
        if segment[0] == "." and segment.startswith(TEMP_PREFIX):
            raise InvalidNameError(f"blob name {name!r} uses the reserved prefix {TEMP_PREFIX!r}")
        _check_segment(segment, name)


def check_path(path: str) -> tuple[str, str]:
    """Check a store path and split it into ``(container, blob_name)``; blob_name may be ``""``."""
    container, _, blob_name = path.partition("/")
    check_container_name(container)
    if blob_name:
        check_blob_name(blob_name)
    elif path.endswith("/"):
        raise InvalidNameError(f"path {path!r} must not end with '/'")
    return container, blob_name


def _check_characters(whole: str) -> None:
    if "\x00" in whole:
        raise InvalidNameError(f"name {whole!r} must not contain a NUL character")
    if "\\" in whole:
        raise InvalidNameError(f"name {whole!r} must not contain a backslash")


def _check_segment(segment: str, whole: str) -> None:
    if segment in (".", ".."):
        raise InvalidNameError(f"name {whole!r} must not contain a '{segment}' segment")
    # A UTF-8 character is at most 4 bytes: only long segments need encoding to be measured.
    if len(segment) > _MAX_SEGMENT_BYTES // 4 and (
        len(segment.encode("utf-8", "surrogateescape")) > _MAX_SEGMENT_BYTES
    ):
        raise InvalidNameError(
            f"name {whole!r} has a segment longer than {_MAX_SEGMENT_BYTES} bytes"
        )
