"""The GCS driver's one retry loop, in place of gcsfs's fixed six attempts.

gcsfs retries every request (``GCSFileSystem._request``) up to 6 times, a number fixed when
the class is defined: a ``retries`` option is ignored. `install` gives one filesystem
instance a ``_request`` that makes ``retries + 1`` attempts with the driver's backoff (the same
faults retried as gcsfs retries: 408, 429, 5xx, failed connections), and `send` does the same
for the driver's own streamed GETs. The options travel in ``storage_options``; a ``gs``
filesystem built elsewhere from them (another process) retries as gcsfs does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import MethodType
from typing import Any, TypeVar

import gcsfs.core
import gcsfs.retry

from cloudstorage.base.retry import RETRIES, RETRY_BACKOFF, backoff_delay

__all__ = ["attempts", "install", "send"]

logger = logging.getLogger("cloudstorage")

_T = TypeVar("_T")
_UNRETRIED_REQUEST = gcsfs.core.GCSFileSystem._request.__wrapped__
"""gcsfs's request without its retry decorator (``decorator`` keeps it as ``__wrapped__``)."""


def attempts(fs: Any) -> int:
    """Tries per request on ``fs``: the driver's ``retries`` + 1."""
    return int(fs.storage_options.get("retries", RETRIES)) + 1


async def send(fs: Any, call: Callable[[], Awaitable[_T]], what: str) -> _T:
    """``await call()``, tried again (up to `attempts`) while it fails as gcsfs would retry."""
    backoff = float(fs.storage_options.get("retry_backoff", RETRY_BACKOFF))
    tries = attempts(fs)
    for attempt in range(tries):
        try:
            return await call()
        except Exception as exc:  # re-raised unless gcsfs would retry it
            if attempt == tries - 1 or not gcsfs.retry.is_retriable(exc):
                raise
            delay = backoff_delay(backoff, attempt)
            logger.debug("%s: retrying in %.2f s (%r)", what, delay, exc)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def install(fs: Any) -> Any:
    """Make ``fs`` (a ``GCSFileSystem``) retry its requests with its storage options."""

    async def request(self: Any, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        return await send(
            self, lambda: _UNRETRIED_REQUEST(self, method, path, *args, **kwargs), method
        )

    fs._request = MethodType(request, fs)
    return fs
