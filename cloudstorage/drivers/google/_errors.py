"""GCS's answers (an HTTP status, or how the login ended) and the exceptions they become."""

from __future__ import annotations

import gcsfs.retry
from google.auth.exceptions import GoogleAuthError, TransportError

from cloudstorage.base import errors
from cloudstorage.exceptions import CloudStorageError

__all__ = ["ERROR_TABLE", "answer"]

ERROR_TABLE: dict[int | str, errors.Rule] = {
    404: errors.NOT_FOUND,
    401: errors.REFUSED,
    403: errors.REFUSED,
    409: errors.EXISTS,  # a bucket created twice
    "409 not empty": errors.NOT_EMPTY,  # GCS's answer to deleting a bucket that holds objects
    412: errors.EXISTS,  # ifGenerationMatch=0 met an object (create-only)
    "login refused": errors.REFUSED,
    "login failed": errors.Rule(CloudStorageError, "{target}: the login failed"),
}
"""What GCS answered (`answer`: the HTTP status, or how the login ended) → our exception;
any other status is `errors.FAILED`."""


def answer(exc: BaseException) -> int | str | None:
    """The key of `ERROR_TABLE` for ``exc``; None for an error that is not GCS's answer.

    gcsfs raises some statuses as builtins (404 ``FileNotFoundError``, 412
    ``FileExistsError``, 403 an ``OSError("Forbidden: ...")``) and the rest as ``HttpError``.
    A token request that could not be sent or failed on the server's side (google-auth's
    ``TransportError``, or an error it marks ``retryable``) did not refuse the key.
    """
    if isinstance(exc, gcsfs.retry.HttpError):
        return int(exc.code) if exc.code else None
    if isinstance(exc, FileNotFoundError):
        return 404
    if isinstance(exc, FileExistsError):
        return 412
    if isinstance(exc, OSError) and str(exc).startswith("Forbidden"):
        return 403
    if isinstance(exc, TransportError) or getattr(exc, "retryable", False):
        return "login failed"
    return "login refused" if isinstance(exc, GoogleAuthError) else None
