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
    "BulkError",
    "CloudStorageError",
    "ContainerExistsError",
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
    """The container or blob already exists, and nothing was changed.

    The one way "exists" is said: a create-only upload or copy (``overwrite=False``) that met
    an existing blob, and (caught inside, answered with the existing container) a container
    created twice. Each driver's translation table maps its service's answer to it.
    """

    code = HTTPStatus.CONFLICT


ContainerExistsError = AlreadyExistsError
"""The name the Azure driver once raised for an existing container: `AlreadyExistsError`."""


class BulkError(CloudStorageError):
    """Some items of a bulk call failed; the others were done.

    ``failures`` maps each failed blob name to its exception (a `cloudstorage.exceptions`
    type where the driver translates it); ``succeeded`` lists the names that were done.
    """

    def __init__(
        self, action: str, failures: dict[str, BaseException], succeeded: list[str]
    ) -> None:
        shown = "; ".join(f"{name!r}: {exc}" for name, exc in list(failures.items())[:10])
        more = f"; and {len(failures) - 10} more" if len(failures) > 10 else ""
        super().__init__(
            f"{action} failed for {len(failures)} of {len(failures) + len(succeeded)} blobs"
            f" ({len(succeeded)} done): {shown}{more}"
        )
        self.failures = failures
        """Each failed blob name and its exception."""
        self.succeeded = succeeded
        """The names that were done."""


BINARY_STREAM_NEEDED = "upload_blob needs a binary stream (open the file with 'rb')"
"""The ``TypeError`` message for an upload handed a text stream (refused before any byte)."""
