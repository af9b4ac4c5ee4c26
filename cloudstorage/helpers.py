"""File helpers of cloudstorage 0.10: checksums, content types, Content-Disposition parsing."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

__all__ = [
    "UnsupportedHashError",
    "file_checksum",
    "file_content_type",
    "parse_content_disposition",
    "read_in_chunks",
    "validate_file_or_path",
]

logger = logging.getLogger(__name__)

SNIFF_BYTES = 2048
"""How many leading bytes python-magic looks at to guess a content type."""

FileOrPath = str | os.PathLike[str] | IO[bytes]


class UnsupportedHashError(RuntimeError, ValueError):
    """``file_checksum`` was asked for a hash that hashlib does not have."""


def read_in_chunks(file_object: IO[bytes], block_size: int = 4096) -> Iterator[bytes]:
    """Yield ``file_object``'s bytes ``block_size`` at a time until it is exhausted.

    Args:
        file_object: a binary file object, read from its current position.
        block_size: bytes per chunk.

    Returns:
        An iterator of chunks (the last may be shorter).

    Raises:
        OSError: reading the file failed.
    """
    while chunk := file_object.read(block_size):
        yield chunk


def file_checksum(filename: FileOrPath, hash_type: str = "md5", block_size: int = 4096) -> Any:
    """Hash a file by path or binary stream and return the hashlib object.

    A stream is read from its current position to the end and then sought back there, so it
    can still be uploaded. An unknown ``hash_type`` raises `UnsupportedHashError`, which is
    0.10's ``RuntimeError`` and hashlib's ``ValueError`` at once.

    Args:
        filename: a path or a seekable binary stream.
        hash_type: a `hashlib` algorithm name.
        block_size: bytes read at a time.

    Returns:
        The hashlib object (call ``hexdigest()`` on it).

    Raises:
        FileNotFoundError: the path does not exist.
        UnsupportedHashError: ``hash_type`` is not an algorithm hashlib knows (a
            ``RuntimeError`` and a ``ValueError``).
    """
    try:
        hasher = hashlib.new(hash_type)
    except (TypeError, ValueError):
        raise UnsupportedHashError(f"Invalid or unsupported hash type: {hash_type}") from None
    if isinstance(filename, (str, os.PathLike)):
        with open(filename, "rb") as file:
            for chunk in read_in_chunks(file, block_size):
                hasher.update(chunk)
        return hasher
    start = filename.tell()
    for chunk in read_in_chunks(filename, block_size):
        hasher.update(chunk)
    filename.seek(start)
    return hasher


def content_type_by_name(name: str | None) -> str | None:
    """The MIME type a file name's extension names (mimetypes), or None where it names none.

    ``application/octet-stream`` counts: ``.bin``, ``.exe`` or ``.so`` say "opaque bytes", as
    they did in cloudstorage 0.10's stream uploads, and as web servers serve them.
    """
    return mimetypes.guess_type(name)[0] if name else None


def guess_content_type(
    name: str | None, head: bytes | Callable[[], bytes | None] | None
) -> str | None:
    """Guess a MIME type from a file's name (mimetypes), else from its leading bytes (python-magic).

    A name whose extension names a type settles it (``.txt`` names ``text/plain``, ``.bin``
    ``application/octet-stream``): sniffing costs 0.3-0.45 ms of CPU on bytes libmagic does not
    recognise (it tries its whole database), several times the rest of a small local upload.
    Names without an extension, or with one mimetypes does not know, are sniffed.

    Args:
        name: the file's name (or None).
        head: its leading bytes (or None), or a function that reads them, called only when
            the name does not settle the type.

    Returns:
        A MIME type, or None when neither says.

    Raises nothing: python-magic failures read as "unknown".
    """
    if by_name := content_type_by_name(name):
        return by_name
    leading = head() if callable(head) else head
    return _sniff(leading) if leading else None


def file_content_type(filename: FileOrPath) -> str | None:
    """The MIME type of a file given by path or seekable binary stream, or None.

    The name decides where its extension names a type; otherwise the leading bytes are sniffed.

    Args:
        filename: a path, or a binary stream (sniffed only if seekable, then sought back).

    Returns:
        A MIME type, or None.

    Raises:
        OSError: the path exists but cannot be read.
    """
    if isinstance(filename, (str, os.PathLike)):
        path = os.fspath(filename)
        return guess_content_type(path, lambda: _file_head(path))
    name = getattr(filename, "name", None)
    return guess_content_type(name if isinstance(name, str) else None, lambda: _peek(filename))


def _file_head(path: str) -> bytes | None:
    """The leading bytes of the file at ``path`` (None if there is no such file)."""
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as file:
        return file.read(SNIFF_BYTES)


def _peek(stream: IO[bytes]) -> bytes | None:
    """The leading bytes of a seekable stream, which is sought back (None if it cannot seek)."""
    if not stream.seekable():
        return None
    start = stream.tell()
    head = stream.read(SNIFF_BYTES)
    stream.seek(start)
    return head


def parse_content_disposition(data: str) -> tuple[str | None, dict[str, str]]:
    """Split ``attachment; filename="a.png"`` into ``("attachment", {"filename": "a.png"})``.

    As in cloudstorage 0.10: ``""`` gives ``(None, {})``, a quoted type is unquoted, parameter
    names are lower case, and each parameter keeps its own value (``filename*=UTF-8''a.png``
    is ``{"filename*": "UTF-8''a.png"}`` beside ``filename``, never in place of it).

    Args:
        data: a ``Content-Disposition`` header value.

    Returns:
        The disposition type in lower case (None for an empty value), and its parameters.
    """
    parts = _split_unquoted(data, ";")
    disposition = _unquote(parts[0]).lower() if parts else ""
    params: dict[str, str] = {}
    for part in parts[1:]:
        name, equals, value = part.partition("=")
        if equals and name.strip():
            params[name.strip().lower()] = _unquote(value)
    return disposition or None, params


def _split_unquoted(data: str, separator: str) -> list[str]:
    """``data`` split at each ``separator`` outside double quotes (backslash escapes kept)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in data:
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        if char == '"' and not escaped:
            quoted = not quoted
        escaped = char == "\\" and not escaped
        current.append(char)
    parts.append("".join(current))
    return [part for part in (part.strip() for part in parts) if part] if data.strip() else []


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def validate_file_or_path(filename: FileOrPath) -> str | None:
    """Return the name of a path or stream (None for a nameless stream).

    Raises ``FileNotFoundError`` for a path that is not an existing file.

    Args:
        filename: a path or a binary stream.

    Returns:
        The file's base name, or None for a nameless stream.

    Raises:
        FileNotFoundError: the path is not an existing file.
    """
    if isinstance(filename, (str, os.PathLike)):
        path = os.fspath(filename)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no file at {path!r}")
        return os.path.basename(path)
    name = getattr(filename, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else None


_idle_checkers: list[Any] = []
"""python-magic checkers not in use. Each thread takes its own: python-magic's shared one
holds a lock for the whole ~0.15 ms lookup, which serialised the threads of a bulk upload."""
_checker_slots = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
"""At most one checker per core (each holds ~6 MiB of libmagic's database): a bulk upload's
memory does not grow with its threads, and libmagic (run without the GIL) keeps every core."""


def _sniff(head: bytes) -> str | None:
    try:
        import magic  # noqa: PLC0415  # optional: libmagic may be absent
    except ImportError:  # python-magic missing, or libmagic not found
        return None
    with _checker_slots:
        try:
            checker = _idle_checkers.pop()  # atomic: no two threads get the same checker
        except IndexError:
            try:
                checker = magic.Magic(mime=True)  # ~0.1 ms: the database is memory-mapped
            except magic.MagicException as exc:
                logger.debug("python-magic could not start: %s", exc)
                return None
        try:
            return str(checker.from_buffer(head)) or None
        except magic.MagicException as exc:
            logger.debug("python-magic could not guess a type: %s", exc)
            return None
        finally:
            _idle_checkers.append(checker)
