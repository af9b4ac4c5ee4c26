"""V4 signed download URLs and POST policies for GCS, made offline with a service-account key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from cloudstorage.base.settings import BlobSettings, DownloadGrant, UploadPolicy

MAX_SIGNED_LIFETIME = 7 * 24 * 3600
"""V4 signatures last at most seven days."""

__all__ = [
    "MAX_SIGNED_LIFETIME",
    "download_url",
    "form_fields",
    "grant_url",
    "policy_form",
    "put_url",
    "upload_form",
]


def download_url(
    client: Any,
    credentials: Any,
    endpoint: str,
    bucket: str,
    blob: str,
    expires: int,
    method: str = "GET",
    content_disposition: str | None = None,
    content_type: str | None = None,
    generation: str | int | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    """A V4 signed URL at ``endpoint``; the response headers are overridden as asked.

    ``headers`` are signed too: the request must send exactly them (a PUT's content type
    and ``x-goog-meta-*``).
    """
    url: str = (
        client.bucket(bucket)
        .blob(blob)
        .generate_signed_url(
            expiration=timedelta(seconds=expires),
            api_access_endpoint=endpoint,
            method=method,
            response_disposition=content_disposition,
            response_type=content_type,
            generation=generation,
            headers=dict(headers) if headers else None,
            credentials=credentials,
            version="v4",
        )
    )
    return url


def upload_form(
    client: Any,
    credentials: Any,
    endpoint: str,
    bucket: str,
    blob: str,
    expires: int,
    fields: Mapping[str, str],
    content_length: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """A V4 POST policy form ``{'url', 'fields'}``; each field is an exact-match condition.

    ``fields`` are the form fields to fix (``acl``, ``x-goog-meta-*``, ``Content-Type``, ...);
    ``content_length=(min, max)`` adds a ``content-length-range`` condition.
    """
    conditions: list[Any] = []
    if content_length is not None:
        conditions.append(["content-length-range", content_length[0], content_length[1]])
    policy: dict[str, Any] = client.generate_signed_post_policy_v4(
        bucket,
        blob,
        expiration=timedelta(seconds=expires),
        conditions=conditions,
        fields=dict(fields),
        credentials=credentials,
    )
    # The XML API takes POSTs at the bucket URL; GCS's own examples have no trailing slash
    # (the client library adds one, which fake-gcs-server refuses).
    return {"url": f"{endpoint}/{bucket}", "fields": policy["fields"]}


def form_fields(settings: BlobSettings, extra: Mapping[str, Any]) -> dict[str, str]:
    """The XML API's form fields for an upload's settings (canned ACL names as they are)."""
    fields = {f"x-goog-meta-{key}": value for key, value in settings.meta_data.items()}
    optional = {
        "acl": settings.acl,
        "Content-Type": settings.content_type,
        "Content-Disposition": settings.content_disposition,
        "Cache-Control": settings.cache_control,
        "success_action_redirect": extra.get("success_action_redirect"),
        "success_action_status": extra.get("success_action_status"),
    }
    fields.update({key: str(value) for key, value in optional.items() if value is not None})
    return fields


def grant_url(
    client: Any, credentials: Any, endpoint: str, bucket: str, blob: str, grant: DownloadGrant
) -> str:
    """`download_url` for ``grant``; its ``extra`` may carry ``version`` (a generation)."""
    return download_url(
        client,
        credentials,
        endpoint,
        bucket,
        blob,
        grant.expires,
        method=grant.method,
        content_disposition=grant.content_disposition,
        content_type=grant.content_type,
        generation=grant.extra.get("version"),
    )


def put_url(
    client: Any, credentials: Any, endpoint: str, bucket: str, policy: UploadPolicy
) -> dict[str, Any]:
    """A V4 signed PUT and the headers it signs (content type, ``x-goog-meta-*``)."""
    settings = policy.settings
    headers = {f"x-goog-meta-{k}": v for k, v in settings.meta_data.items()}
    if settings.content_type:
        headers["Content-Type"] = settings.content_type
    url = download_url(
        client, credentials, endpoint, bucket, policy.blob_name, policy.expires,
        method="PUT", headers=headers,
    )  # fmt: skip
    return {"url": url, "headers": headers}


def policy_form(
    client: Any, credentials: Any, endpoint: str, bucket: str, policy: UploadPolicy
) -> dict[str, Any]:
    """`upload_form` for ``policy``: every field an exact-match condition."""
    return upload_form(
        client,
        credentials,
        endpoint,
        bucket,
        policy.key,  # "prefix_${filename}": GCS names the blob after the uploaded file
        policy.expires,
        form_fields(policy.settings, policy.extra),
        policy.content_length,
    )
