"""Public URLs, presigned URLs and POST forms of the S3 family, and keeping signatures out of logs.

The signing is botocore's (SigV4), done by the driver's boto3 client with no request; what is
signed comes from `_forms`.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from cloudstorage.base.settings import DownloadGrant, UploadPolicy
from cloudstorage.drivers.amazon import _forms as forms
from cloudstorage.drivers.amazon import _rules as rules


def public_url(endpoint_url: str | None, region: str | None, bucket: str, key: str) -> str:
    """The unsigned URL of ``key`` (virtual-hosted on AWS, path-style at ``endpoint_url``)."""
    path = quote(key, safe="/~")
    if endpoint_url:
        return f"{endpoint_url}/{bucket}/{path}"
    return f"https://{bucket}.s3.{region}.amazonaws.com/{path}"


def upload_form(client: Any, bucket: str, policy: UploadPolicy) -> dict[str, Any]:
    """A presigned POST for ``policy`` (see `S3Driver._upload_form`)."""
    fields, conditions = forms.post_policy(policy.settings, policy.extra, policy.content_length)
    form: dict[str, Any] = client.generate_presigned_post(
        Bucket=bucket,
        Key=policy.key,  # "prefix_${filename}": S3 names the blob after the file
        Fields=fields,
        Conditions=conditions,
        ExpiresIn=policy.expires,
    )
    return form


def put_url(client: Any, bucket: str, policy: UploadPolicy) -> dict[str, Any]:
    """A SigV4 presigned PutObject and the headers it signs."""
    stored = rules.object_params(policy.settings)
    params = {"Bucket": bucket, "Key": policy.blob_name, **stored}
    url: str = client.generate_presigned_url(
        "put_object", Params=params, ExpiresIn=policy.expires, HttpMethod="PUT"
    )
    headers = {f"x-amz-meta-{k}": v for k, v in stored["Metadata"].items()}
    if policy.settings.content_type:
        headers["Content-Type"] = policy.settings.content_type
    return {"url": url, "headers": headers}


def download_url(client: Any, bucket: str, key: str, grant: DownloadGrant) -> str:
    """A SigV4 presigned URL for ``grant``'s method (see `forms.url_request`)."""
    operation, params = forms.url_request(
        bucket, key, grant.method, grant.content_disposition, grant.extra
    )
    url: str = client.generate_presigned_url(
        operation, Params=params, ExpiresIn=grant.expires, HttpMethod=grant.method
    )
    return url


class _RedactSignature(logging.Filter):
    """Blanks the request signature that botocore's signer logs at DEBUG level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Signature:"):
            record.msg, record.args = "Signature: <redacted by cloudstorage>", ()
        return True


def redact_botocore_signatures() -> None:
    """Keep signatures (valid for minutes, or days for presigned URLs) out of DEBUG logs."""
    signer_log = logging.getLogger("botocore.auth")
    if not any(isinstance(f, _RedactSignature) for f in signer_log.filters):
        signer_log.addFilter(_RedactSignature())
