"""Translation tables: what a backend raised → the `cloudstorage.exceptions` error we raise.

Each driver translates in its one `Driver._translate_error`, by looking the backend's answer
(an HTTP status, a service error code, an SDK exception type) up in a table of `Rule`s; the
rules below are the messages every table shares, so that a message is written once. The base
table, `BUILTIN_ERRORS`, maps the builtin errors that fsspec filesystems raise (``gcsfs``,
``s3fs`` and our `fs_bridge` filesystems alike). The one way "exists" is said: a table maps the
service's answer to `EXISTS` (`AlreadyExistsError`), and a filesystem's ``FileExistsError`` meets
the same rule here.
"""

from __future__ import annotations

import errno
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, TypeVar

from cloudstorage.exceptions import (
    AlreadyExistsError,
    CloudStorageError,
    CredentialsError,
    IsNotEmptyError,
    NotFoundError,
)

__all__ = [
    "BUILTIN_ERRORS",
    "EXISTS",
    "FAILED",
    "FOLDER",
    "NOT_EMPTY",
    "NOT_FOUND",
    "REFUSED",
    "TIMED_OUT",
    "UNREACHABLE",
    "Rule",
    "Translating",
    "TypeTable",
    "builtin_rule",
    "by_type",
    "describe",
    "lookup",
    "reason_of",
]

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Rule:
    """One row of a translation table: the exception to raise and its message.

    ``template`` names the ``{target}`` (`describe`); the backend's reason, when there is one,
    is appended in parentheses so that its code and words are kept.
    """

    kind: type[CloudStorageError]
    template: str

    def __call__(self, target: str, reason: str = "") -> CloudStorageError:
        """The error for ``target``, with ``reason`` (the backend's words) appended."""
        message = self.template.format(target=target)
        return self.kind(f"{message} ({reason})" if reason else message)


NOT_FOUND = Rule(NotFoundError, "{target} was not found")
REFUSED = Rule(CredentialsError, "access to {target} was refused")
NOT_EMPTY = Rule(IsNotEmptyError, "{target} is not empty: delete its blobs first")
EXISTS = Rule(AlreadyExistsError, "{target} already exists: nothing was changed")
FOLDER = Rule(CloudStorageError, "{target} collides with a folder of the store")
UNREACHABLE = Rule(CloudStorageError, "{target}: the connection to the service failed")
TIMED_OUT = Rule(CloudStorageError, "{target}: the service did not answer in time")
FAILED = Rule(CloudStorageError, "{target}: the request failed")

TypeTable = Sequence[tuple[type[BaseException], Rule]]
"""Rows of exception type → rule; the first type the exception is an instance of decides."""

BUILTIN_ERRORS: TypeTable = (
    (FileNotFoundError, NOT_FOUND),
    (FileExistsError, EXISTS),
    (IsADirectoryError, FOLDER),
    (NotADirectoryError, FOLDER),
    (PermissionError, REFUSED),
    (TimeoutError, TIMED_OUT),  # fsspec's FSTimeoutError (an async request's timeout) too
)
"""The builtin errors of fsspec filesystems; an ``OSError`` with ``ENOTEMPTY`` is `NOT_EMPTY`."""


def lookup(table: Mapping[K, Rule], *keys: K | None, default: Rule = FAILED) -> Rule:
    """The rule of the first of ``keys`` in ``table`` (e.g. the service's code, then the
    HTTP status); ``default`` if none is."""
    for key in keys:
        if key is not None and key in table:
            return table[key]
    return default


def by_type(table: TypeTable, exc: BaseException) -> Rule | None:
    """The rule of the first row whose type ``exc`` is an instance of; None if none."""
    return next((rule for kind, rule in table if isinstance(exc, kind)), None)


def builtin_rule(exc: BaseException, transport_errors: tuple[type[Exception], ...]) -> Rule | None:
    """`BUILTIN_ERRORS`, then ``ENOTEMPTY``, a connection failure of the driver's HTTP stack
    (``transport_errors``, raised once its retries gave up) and a ``ValueError`` (a request
    the backend refused as invalid); None for anything else, which is let through."""
    rule = by_type(BUILTIN_ERRORS, exc)
    if rule is not None:
        return rule
    if isinstance(exc, OSError) and exc.errno == errno.ENOTEMPTY:
        return NOT_EMPTY
    if isinstance(exc, transport_errors):
        return UNREACHABLE
    return FAILED if isinstance(exc, ValueError) else None


def reason_of(exc: BaseException) -> str:
    """The backend's words for ``exc``: an ``OSError``'s ``strerror``, else its text or type."""
    return str(getattr(exc, "strerror", None) or exc or type(exc).__name__)


def describe(container: str | None, blob: str | None = None) -> str:
    """What an error is about: ``blob 'b' in container 'c'``, ``container 'c'``, the store."""
    if blob is not None:
        return f"blob {blob!r} in container {container!r}"
    if container is not None:
        return f"container {container!r}"
    return "the store"


class _Translator(Protocol):
    def _translate_error(self, exc: Exception, target: str) -> CloudStorageError | None: ...


class Translating:
    """``with Translating(driver, container, blob):`` raises what the backend raised as a
    `cloudstorage.exceptions` type (``driver._translate_error``), its cause kept; ours and
    errors no rule knows pass unchanged. `Driver._errors` makes one."""

    __slots__ = ("blob", "container", "driver")

    def __init__(self, driver: _Translator, container: str | None, blob: str | None) -> None:
        self.driver, self.container, self.blob = driver, container, blob

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not isinstance(exc, Exception) or isinstance(exc, CloudStorageError):
            return  # none, ours already, or not an error (KeyboardInterrupt): goes on as is
        translated = self.driver._translate_error(exc, describe(self.container, self.blob))
        if translated is not None:
            raise translated from exc
