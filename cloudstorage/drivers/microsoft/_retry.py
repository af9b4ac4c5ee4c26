"""The Azure driver's retry policy: azure-storage's own, with the driver's one retry budget.

`BudgetRetry` is an ``ExponentialRetry`` (the SDK's storage retry policy: it retries timeouts,
throttling and 5xx answers, rewinding a stream body) whose wait is the driver's
(``retry_backoff`` doubling, jittered, or what ``Retry-After`` asks) and which makes
``retries + 1`` attempts.
"""

from __future__ import annotations

from typing import Any

from azure.storage.blob import ExponentialRetry

from cloudstorage.base.retry import RetryOptions

__all__ = ["BudgetRetry"]


class BudgetRetry(ExponentialRetry):
    """``ExponentialRetry`` with `RetryOptions`' attempts and waits."""

    def __init__(self, options: RetryOptions) -> None:
        # the SDK's own waits are replaced (`get_backoff_time`); its count and checks are kept
        count = options.retries  # the SDK also caps each kind of fault at 3: not ours
        super().__init__(
            retry_total=count,
            retry_connect=count,
            retry_read=count,
            retry_status=count,
            random_jitter_range=0,
        )
        self.options = options

    def increment(
        self, settings: dict[str, Any], request: Any, response: Any = None, error: Any = None
    ) -> bool:
        """The SDK's count, remembering what a throttled answer's ``Retry-After`` asks."""
        headers = getattr(response, "headers", None) or {}
        settings["retry_after"] = headers.get("Retry-After")
        return bool(super().increment(settings, request, response=response, error=error))

    def get_backoff_time(self, settings: dict[str, Any]) -> float:
        # ``count`` is 1 after the first failed try
        return self.options.delay(settings["count"] - 1, settings.get("retry_after"))
