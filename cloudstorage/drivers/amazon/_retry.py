"""The S3 family's one retry layer: botocore's judgement, the driver's budget and waits.

botocore's ``standard`` retry mode knows *what* S3 answers are worth another try (dropped or
refused connections, timeouts, 500/502/503/504, ``SlowDown`` and the other throttling codes),
but waits by its own full-jitter formula (``retry_backoff`` cannot change it), ignores
``Retry-After``, and stops retrying for a while once its retry quota is spent (a long job
meeting a bad minute would then fail fast). `install` replaces its ``needs-retry.s3`` handler
on each of the driver's clients (s3fs's aiobotocore client, and boto3's) by `BudgetRetry`:

- the same retryable answers, ``retries + 1`` attempts in all, no quota;
- the driver's waits: ``retry_backoff`` x 2^n, jittered, or what ``Retry-After`` asks;
- a request that must not run twice (`NOT_REPEATABLE`, and create-only writes carrying
  ``If-None-Match``) is repeated only when the first try surely did nothing: the service
  answered with an error, or no connection was made. A lost answer is not retried blindly:
  a repeated CompleteMultipartUpload would answer ``NoSuchUpload`` for an upload that
  succeeded, a repeated create-only PUT 412 for the blob it created.

The botocore ``Config`` in ``storage_options`` keeps ``total_max_attempts = retries + 1``, so
an s3fs filesystem built elsewhere from those options retries as often, at botocore's pace.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (  # type: ignore[import-untyped]  # untyped, as boto3
    ConnectTimeoutError,
    EndpointConnectionError,
)
from botocore.retries.standard import (  # type: ignore[import-untyped]
    RetryEventAdapter,
    StandardRetryConditions,
)

from cloudstorage.base.retry import RetryOptions

__all__ = ["NOT_REPEATABLE", "BudgetRetry", "install"]

NOT_REPEATABLE = frozenset({"CreateMultipartUpload", "CompleteMultipartUpload"})
"""Operations whose repetition after a lost answer is not harmless."""
_BOTOCORE_HANDLER = "retry-config-s3"
"""The ``unique_id`` botocore registers its retry handler under (``register_retry_handler``)."""
_HANDLER = "cloudstorage-retry-s3"


class BudgetRetry:
    """A ``needs-retry.s3`` handler: the seconds to wait before the next try, or None."""

    def __init__(self, options: RetryOptions) -> None:
        self.options = options
        self._conditions = StandardRetryConditions(max_attempts=options.retries + 1)
        self._adapter = RetryEventAdapter()

    def __call__(self, **kwargs: Any) -> float | None:
        context = self._adapter.create_retry_context(**kwargs)
        retry = self._conditions.is_retryable(context) and _repeatable(context, kwargs)
        self._adapter.adapt_retry_response_from_context(context)  # RetryAttempts, as botocore's
        if not retry:
            return None
        response = context.http_response
        retry_after = response.headers.get("Retry-After") if response is not None else None
        return self.options.delay(context.attempt_number - 1, retry_after)


def _repeatable(context: Any, kwargs: dict[str, Any]) -> bool:
    """Whether another try is safe: any request the service refused or never got; for the
    rest, all but `NOT_REPEATABLE` operations and create-only writes."""
    if context.http_response is not None:  # the service answered: it did not do it
        return True
    if isinstance(context.caught_exception, (EndpointConnectionError, ConnectTimeoutError)):
        return True  # no connection: the request never left
    name = getattr(context.operation_model, "name", "")
    headers = kwargs.get("request_dict", {}).get("headers", {})
    return name not in NOT_REPEATABLE and "If-None-Match" not in headers


def install(client: Any, options: RetryOptions) -> Any:
    """Make ``client`` (botocore's or aiobotocore's S3 client) retry with ``options``, in
    place of botocore's handler; a client already set up is left as it is. Returns it."""
    events = client.meta.events
    if getattr(client, "_cloudstorage_retry", None) is not options:
        events.unregister("needs-retry.s3", unique_id=_BOTOCORE_HANDLER)
        events.unregister("needs-retry.s3", unique_id=_HANDLER)
        events.register("needs-retry.s3", BudgetRetry(options), unique_id=_HANDLER)
        client._cloudstorage_retry = options
    return client
