"""`RetryPolicy`: how Swift requests (and logins) are retried on connection faults and busy answers.

A request is tried again when its connection fails, times out or is cut in the middle of the
answer (keystoneauth's `RetriableConnectionFailure` and `UnknownConnectionError`, which wraps
a truncated body), or when the service answers one of `RETRY_STATUSES`. The wait doubles from
``backoff`` seconds (each wait jittered down by up to half), or is what a ``Retry-After``
header asks (capped at `MAX_DELAY`).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_DELAY", "RETRY_STATUSES", "RetryPolicy", "retriable"]

logger = logging.getLogger("fs_bridge.swift")

RETRY_STATUSES = frozenset({408, 429, 498, 500, 502, 503, 504})
"""Answers worth another try: timeouts, throttling (498 is Swift's ratelimit), server faults."""
MAX_DELAY = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` more tries after the first, waiting up to ``backoff`` s, then 2x, 4x, ..."""

    retries: int = 4
    backoff: float = 0.5

    def send(self, request: Callable[[], Any], what: str) -> Any:
        """The answer of ``request()``, tried again while it fails in a way worth retrying.

        Returns the last answer (which may be an error status); raises the last exception.
        The answer carries ``lost_answer = True`` when an earlier try failed on the connection:
        that try may have done its work on the server (see `SwiftFileSystem._request`).
        """
        lost = False
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = request()
            except Exception as exc:
                if last or not retriable(exc):
                    raise
                lost = True
                self.pause(attempt, None, f"{what}: {exc}")
                continue
            if last or response.status_code not in RETRY_STATUSES:
                response.lost_answer = lost
                return response
            response.close()  # a streamed answer holds its connection until closed
            self.pause(attempt, response, f"{what}: HTTP {response.status_code}")
        raise AssertionError("unreachable: the last attempt returns or raises")

    def pause(self, attempt: int, response: Any, what: str) -> None:
        """Sleep before try ``attempt + 2``: the doubled backoff, or what ``Retry-After`` asks."""
        # jittered down by up to half, so that clients throttled together come back apart
        delay = min(self.backoff * 2**attempt, MAX_DELAY) * random.uniform(0.5, 1.0)
        asked = response.headers.get("Retry-After", "") if response is not None else ""
        if asked.strip().isdigit():
            delay = min(float(asked), MAX_DELAY)
        logger.debug("retrying in %.2f s (%d left): %s", delay, self.retries - attempt, what)
        time.sleep(delay)


def retriable(exc: BaseException) -> bool:
    """Whether ``exc`` is a connection fault worth another try (of a request or a read)."""
    from keystoneauth1 import exceptions  # noqa: PLC0415  # keeps this module light to import
    from urllib3.exceptions import HTTPError  # noqa: PLC0415  # as above

    # urllib3's errors (a body cut short, a read timed out) and socket errors come from reading
    # a streamed answer; keystoneauth wraps those of sending a request
    return isinstance(
        exc,
        (
            exceptions.RetriableConnectionFailure,
            exceptions.UnknownConnectionError,
            HTTPError,
            ConnectionError,
            TimeoutError,
        ),
    )
