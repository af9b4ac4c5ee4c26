"""`RetryOptions`: every driver's retry budget: ``retries``, ``retry_backoff``, ``timeout``.

Each driver hands these to exactly one retrying layer (botocore for the S3 family, our loop
around gcsfs's requests, azure-core's retry policy, `fs_bridge`'s Swift `RetryPolicy`), so a
request that keeps failing costs ``retries + 1`` attempts, whatever the service.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudstorage.exceptions import CloudStorageError

__all__ = ["MAX_DELAY", "RETRIES", "RETRY_BACKOFF", "TIMEOUT", "RetryOptions", "backoff_delay"]

RETRIES = 4
"""Tries after the first: a request that keeps failing is sent 5 times."""
RETRY_BACKOFF = 0.5
"""Seconds before the first retry; each later wait doubles (then jittered down by up to half)."""
TIMEOUT = 60.0
"""Seconds to connect, and seconds between bytes of an answer."""
MAX_DELAY = 30.0
"""The longest wait between tries (a ``Retry-After`` asking for more is capped too)."""

_AZURE_NAMES = {
    "retry_total": "retries",
    "initial_backoff": "retry_backoff",
    "socket_timeout": "timeout",
}
"""The Azure driver's former option names (azure-storage's), still accepted."""


@dataclass(frozen=True)
class RetryOptions:
    """How often and how patiently a driver retries a failed, throttled or slow request."""

    retries: int = RETRIES
    retry_backoff: float = RETRY_BACKOFF
    timeout: float = TIMEOUT

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RetryOptions:
        """The options among a driver's keyword arguments (Azure's old names mapped), checked."""
        given = {_AZURE_NAMES.get(k, k): v for k, v in options.items()}
        retries = given.get("retries", RETRIES)
        backoff = given.get("retry_backoff", RETRY_BACKOFF)
        timeout = given.get("timeout", TIMEOUT)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise CloudStorageError(f"retries must be a whole number >= 0, not {retries!r}")
        for name, value in (("retry_backoff", backoff), ("timeout", timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise CloudStorageError(f"{name} must be a number of seconds >= 0, not {value!r}")
        if timeout == 0:
            raise CloudStorageError("timeout must be more than 0 seconds")
        return cls(retries, float(backoff), float(timeout))

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed try ``attempt`` (0 is the first); see `backoff_delay`."""
        return backoff_delay(self.retry_backoff, attempt, retry_after)


def backoff_delay(backoff: float, attempt: int, retry_after: str | None = None) -> float:
    """``backoff`` x 2^attempt, jittered down by up to half (so that clients throttled together
    do not come back together), or the seconds a ``Retry-After`` header asks; at most
    `MAX_DELAY`."""
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after), MAX_DELAY)
    return min(backoff * 2.0**attempt, MAX_DELAY) * random.uniform(0.5, 1.0)  # jitter, not crypto
