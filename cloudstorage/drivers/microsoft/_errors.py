"""Azure's errors, and the cloudstorage exceptions `AzureStorageDriver._translate_error` makes.

Error codes come first (the same code arrives as different SDK exception types), then the SDK
exception type.
"""

from __future__ import annotations

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    ResourceExistsError,
    ResourceNotFoundError,
)

from cloudstorage.exceptions import CloudStorageError, CredentialsError, NotFoundError

__all__ = ["ContainerExistsError", "translate"]


class ContainerExistsError(CloudStorageError, FileExistsError):
    """Creating a container that exists; `Driver.create_container` returns the existing one."""


_REFUSED = "access to {target} was refused ({reason})"
_ERROR_CODES: dict[str, tuple[type[CloudStorageError], str]] = {
    "AuthenticationFailed": (CredentialsError, _REFUSED),
    "AuthorizationFailure": (CredentialsError, _REFUSED),
    "AuthorizationPermissionMismatch": (CredentialsError, _REFUSED),
    "ContainerAlreadyExists": (ContainerExistsError, "{target} already exists"),
    "ContainerBeingDeleted": (CloudStorageError, "{target} is being deleted: retry in a minute"),
}
"""Azure error codes that decide the translation, whatever the exception type."""
_ERROR_TYPES: tuple[tuple[type[AzureError], type[CloudStorageError], str], ...] = (
    (ResourceNotFoundError, NotFoundError, "{target} was not found ({reason})"),
    (ClientAuthenticationError, CredentialsError, _REFUSED),
    (ResourceExistsError, CloudStorageError, "{target} conflicts with the stored state ({reason})"),
    (AzureError, CloudStorageError, "{target}: Azure refused the request ({reason})"),
)
"""Otherwise the first matching SDK exception type (`AzureError` catches the rest)."""


def translate(exc: AzureError, target: str) -> CloudStorageError:
    """Our exception for an SDK error about ``target``; the message keeps Azure's code."""
    code = getattr(exc, "error_code", None) or type(exc).__name__
    code = str(getattr(code, "value", code))  # a `StorageErrorCode` member prints as its name
    kind, template = _ERROR_CODES.get(code) or next(
        (kind, template) for base, kind, template in _ERROR_TYPES if isinstance(exc, base)
    )
    return kind(template.format(target=target, reason=f"{code}: {_first_line(exc)}"))


def _first_line(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return str(message).strip().splitlines()[0] if str(message).strip() else type(exc).__name__
