"""The service-account credentials of a GCS driver, loaded and checked."""

from __future__ import annotations

from typing import Any

from google.auth.exceptions import GoogleAuthError
from google.oauth2 import service_account

from cloudstorage.exceptions import CredentialsError

__all__ = ["SCOPE", "auth_request", "load_credentials"]

SCOPE = "https://www.googleapis.com/auth/devstorage.full_control"


def load_credentials(path: str) -> service_account.Credentials:
    """The service-account key at ``path``; `CredentialsError` if it is missing or not one."""
    try:
        credentials: service_account.Credentials = (
            service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                path, scopes=[SCOPE]
            )
        )
    except FileNotFoundError as exc:
        raise CredentialsError(f"service-account file {path!r} does not exist") from exc
    except (OSError, ValueError, KeyError, GoogleAuthError) as exc:
        raise CredentialsError(
            f"{path!r} is not a usable service-account JSON file ({exc})"
        ) from exc
    return credentials


def auth_request() -> Any:
    """A google-auth transport to refresh (validate) credentials with."""
    from google.auth.transport.requests import Request  # noqa: PLC0415  # only to validate

    return Request()
