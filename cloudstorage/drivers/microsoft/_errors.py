"""Azure's translation table: the error code, else the SDK exception type → our exception.

The code decides first (the same code arrives as different SDK exception types), then the SDK
exception type; `AzureStorageDriver._translate_error` calls `translate`.
"""

from __future__ import annotations

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)

from cloudstorage.base import errors
from cloudstorage.exceptions import CloudStorageError, ContainerExistsError

__all__ = ["ERROR_CODES", "ERROR_TYPES", "ContainerExistsError", "translate"]

ERROR_CODES: dict[str, errors.Rule] = {
    "AuthenticationFailed": errors.REFUSED,
    "AuthorizationFailure": errors.REFUSED,
    "AuthorizationPermissionMismatch": errors.REFUSED,
    "ContainerAlreadyExists": errors.EXISTS,  # create_container answers with the container
    "BlobAlreadyExists": errors.EXISTS,  # a create-only copy (If-None-Match: *) met a blob
    "ConditionNotMet": errors.EXISTS,  # a create-only upload (If-None-Match: *) met a blob
    "ContainerBeingDeleted": errors.Rule(
        CloudStorageError, "{target} is being deleted: retry in a minute"
    ),
}
"""Azure error codes that decide the translation, whatever the exception type."""

ERROR_TYPES: errors.TypeTable = (
    (ResourceNotFoundError, errors.NOT_FOUND),
    (ClientAuthenticationError, errors.REFUSED),
    (ResourceModifiedError, errors.EXISTS),  # a 412: our only condition is If-None-Match: *
    (ResourceExistsError, errors.Rule(CloudStorageError, "{target} conflicts with its state")),
    (AzureError, errors.Rule(CloudStorageError, "{target}: Azure refused the request")),
)
"""Otherwise the first matching SDK exception type (`AzureError` catches the rest)."""


def translate(exc: AzureError, target: str) -> CloudStorageError:
    """Our exception for an SDK error about ``target``; the message keeps Azure's code."""
    code = getattr(exc, "error_code", None) or type(exc).__name__
    code = str(getattr(code, "value", code))  # a `StorageErrorCode` member prints as its name
    rule = ERROR_CODES.get(code) or errors.by_type(ERROR_TYPES, exc) or errors.FAILED
    return rule(target, f"{code}: {_first_line(exc)}")


def _first_line(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return str(message).strip().splitlines()[0] if str(message).strip() else type(exc).__name__
