"""The exceptions cloudstorage raises; each is also the builtin that callers of fsspec expect.

``NotFoundError`` is a ``FileNotFoundError``, ``IsNotEmptyError`` an ``OSError``, and the
credential and signature errors are ``PermissionError``s, so pandas- and fsspec-style code
catches them without knowing this library.
"""

from __future__ import annotations

__all__ = [
    "AlreadyExistsError",
    "CloudStorageError",
    "CredentialsError",
    "IsNotEmptyError",
    "NotFoundError",
    "SignatureExpiredError",
]


class CloudStorageError(Exception):
    """Base of every cloudstorage error; ``message`` is the human-readable reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(CloudStorageError, FileNotFoundError):
    """The container or blob does not exist."""


class IsNotEmptyError(CloudStorageError, OSError):
    """The container still holds blobs, so it was not deleted."""


class CredentialsError(CloudStorageError, PermissionError):
    """The service refused the credentials, or they could not be read."""


class SignatureExpiredError(CloudStorageError, PermissionError):
    """A signed URL or upload form is past its expiry time."""


class AlreadyExistsError(CloudStorageError, FileExistsError):
    """A create-only write (``overwrite=False``) met an existing blob; nothing was changed."""
