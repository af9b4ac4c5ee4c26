"""The exceptions cloudstorage raises; each is also the builtin that callers of fsspec expect.

``NotFoundError`` is a ``FileNotFoundError``, ``IsNotEmptyError`` an ``OSError``, and the
credential and signature errors are ``PermissionError``s, so pandas- and fsspec-style code
catches them without knowing this library. As in cloudstorage 0.10, each class has an HTTP
status as ``code`` (``abort(err.code)`` in a web app) and each error its reason as
``message``. A local signature that is altered or expired is also itsdangerous's
``BadSignature`` / ``SignatureExpired``, which 0.10 handlers catch.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar

__all__ = [
    "AlreadyExistsError",
    "CloudStorageError",
    "CredentialsError",
    "InvalidSignatureError",
    "IsNotEmptyError",
    "NotFoundError",
    "SignatureExpiredError",
]


class CloudStorageError(Exception):
    """Base of every cloudstorage error; ``message`` is the human-readable reason."""

    code: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        """The human-readable reason (also ``str(error)``)."""

    def __str__(self) -> str:
        return self.message


class NotFoundError(CloudStorageError, FileNotFoundError):
    """The container or blob does not exist."""

    code = HTTPStatus.NOT_FOUND


class IsNotEmptyError(CloudStorageError, OSError):
    """The container still holds blobs, so it was not deleted."""

    code = HTTPStatus.CONFLICT


class CredentialsError(CloudStorageError, PermissionError):
    """The service refused the credentials, or they could not be read."""

    code = HTTPStatus.UNAUTHORIZED


class SignatureExpiredError(CloudStorageError, PermissionError):
    """A signed URL or upload form is past its expiry time.

    ``SignatureExpiredError()`` with no argument says so in 0.10's words.
    """

    code = HTTPStatus.UNAUTHORIZED

    def __init__(self, message: str = "The signature has expired.") -> None:
        super().__init__(message)


class InvalidSignatureError(CloudStorageError, PermissionError):
    """A local signature was altered, or made with another secret or salt."""

    code = HTTPStatus.FORBIDDEN


class AlreadyExistsError(CloudStorageError, FileExistsError):
    """A create-only write (``overwrite=False``) met an existing blob; nothing was changed."""

    code = HTTPStatus.CONFLICT
