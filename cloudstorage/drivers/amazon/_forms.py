"""Presigned POST forms and presigned URLs for the S3 family: what is signed, and how.

The signing itself is botocore's (SigV4), done by `S3Driver.s3`'s client with no request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudstorage.base.settings import BlobSettings
from cloudstorage.drivers.amazon._rules import encode_value
from cloudstorage.exceptions import CloudStorageError

PRESIGN_METHODS = {
    "GET": "get_object",
    "HEAD": "head_object",
    "PUT": "put_object",
    "DELETE": "delete_object",
}


def form_fields(settings: BlobSettings, extra: Mapping[str, Any]) -> dict[str, str]:
    """The POST-form fields (each also an exact-match policy condition) storing ``settings``."""
    fields = {f"x-amz-meta-{key}": encode_value(value) for key, value in settings.meta_data.items()}
    for name, value in (
        ("acl", settings.acl),
        ("Content-Type", settings.content_type),
        ("Content-Disposition", settings.content_disposition),
        ("Cache-Control", settings.cache_control),
        ("success_action_redirect", extra.get("success_action_redirect")),
        ("success_action_status", extra.get("success_action_status")),
    ):
        if value is not None:
            fields[name] = str(value)
    return fields


def post_policy(
    settings: BlobSettings,
    extra: Mapping[str, Any],
    content_length: tuple[int, int] | None,
) -> tuple[dict[str, str], list[Any]]:
    """Form fields and POST-policy conditions: each field must arrive unchanged.

    ``content_length=(min, max)`` becomes a ``content-length-range`` condition.
    """
    fields = form_fields(settings, extra)
    conditions: list[Any] = [{name: value} for name, value in fields.items()]
    if content_length is not None:
        conditions.append(["content-length-range", *content_length])
    return fields, conditions


def url_request(
    bucket: str,
    key: str,
    method: str,
    content_disposition: str | None,
    extra: Mapping[str, Any],
) -> tuple[str, dict[str, Any]]:
    """The client method and parameters a presigned URL for ``method`` signs.

    ``content_disposition`` and ``extra['content_type']`` become response-header overrides;
    ``extra['version_id']`` names an object version.
    """
    operation = PRESIGN_METHODS.get(method.upper())
    if operation is None:
        raise CloudStorageError(f"method must be one of {', '.join(PRESIGN_METHODS)}")
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if content_disposition:
        params["ResponseContentDisposition"] = content_disposition
    if extra.get("content_type"):
        params["ResponseContentType"] = extra["content_type"]
    if extra.get("version_id"):
        params["VersionId"] = extra["version_id"]
    return operation, params
