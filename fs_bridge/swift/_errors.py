"""Swift's HTTP statuses as the builtin errors fsspec callers catch (`http_error`)."""

from __future__ import annotations

import errno
from typing import Any

__all__ = ["http_error"]

_BY_STATUS: dict[int, tuple[type[OSError], int]] = {
    404: (FileNotFoundError, errno.ENOENT),
    401: (PermissionError, errno.EACCES),
    403: (PermissionError, errno.EACCES),
    409: (OSError, errno.ENOTEMPTY),
    412: (FileExistsError, errno.EEXIST),
}
"""The builtin error of an HTTP status; others are ``OSError(EIO)`` (ValueError: a bad request)."""


def http_error(response: Any, path: str) -> Exception:
    """The builtin error for a Swift HTTP status (``FileNotFoundError`` for 404, ...)."""
    code = response.status_code
    reason = f"Swift answered HTTP {code}"
    body = (response.text or "").strip()
    if body and len(body) < 300 and "<html" not in body.lower():
        reason += f": {body}"
    if code == 422 and response.request is not None and "ETag" in response.request.headers:
        reason += " (the bytes it received do not have the MD5 sent: corrupted on the way)"
    elif code in (400, 411, 413, 422):
        return ValueError(f"{path}: {reason}")
    kind, number = _BY_STATUS.get(code, (OSError, errno.EIO))
    return kind(number, reason, path)
