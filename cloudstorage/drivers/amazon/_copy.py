"""Server-side S3 copies on s3fs's client: one CopyObject up to 5 GiB, a multipart copy above.

CopyObject copies the metadata and HTTP headers (``MetadataDirective`` COPY). A multipart
copy states them on CreateMultipartUpload (from a HEAD of the source), copies ranges with
UploadPartCopy, and aborts the upload on any failure: no partial object appears. Create-only
copies and uploads send ``If-None-Match: *`` (on CopyObject / PutObject and on
CompleteMultipartUpload); S3's 412 becomes `AlreadyExistsError` (`_rules.ERROR_TABLE`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from cloudstorage.base.settings import BlobSettings
from cloudstorage.drivers.amazon import _rules as rules

__all__ = ["COPY_OBJECT_MAX", "copy", "write_attributes"]

COPY_OBJECT_MAX = 5 * 2**30
"""The largest object one CopyObject copies."""
COPY_PART = 512 * 2**20
"""Range of one UploadPartCopy (raised so that 10,000 parts cover the object)."""
_MAX_PARTS = 10_000
_HEAD_TO_CREATE = (
    "ContentType", "ContentDisposition", "CacheControl", "ContentEncoding", "ContentLanguage",
    "Expires", "Metadata", "StorageClass", "ServerSideEncryption", "SSEKMSKeyId",
)  # fmt: skip


def copy(fs: Any, source: str, target: str, size: int | None, create_only: bool) -> None:
    """Copy ``source`` to ``target`` (``bucket/key`` paths) inside the service."""
    bucket, key = target.split("/", 1)
    source_bucket, source_key = source.split("/", 1)
    where = {"Bucket": source_bucket, "Key": source_key}
    condition = {"IfNoneMatch": "*"} if create_only else {}
    if size is None:  # unknown: ask
        size = int(fs.call_s3("head_object", **where)["ContentLength"])
    if size <= COPY_OBJECT_MAX:
        fs.call_s3("copy_object", Bucket=bucket, Key=key, CopySource=where, **condition)
        return
    head = fs.call_s3("head_object", **where)
    settings = {name: head[name] for name in _HEAD_TO_CREATE if head.get(name)}
    upload = fs.call_s3("create_multipart_upload", Bucket=bucket, Key=key, **settings)
    target_upload = {"Bucket": bucket, "Key": key, "UploadId": upload["UploadId"]}
    part = max(COPY_PART, math.ceil(size / _MAX_PARTS))
    try:
        parts = []
        for number, start in enumerate(range(0, size, part), start=1):
            end = min(start + part, size) - 1
            answer = fs.call_s3(
                "upload_part_copy", **target_upload, PartNumber=number, CopySource=where,
                CopySourceRange=f"bytes={start}-{end}", CopySourceIfMatch=head["ETag"],
            )  # fmt: skip
            parts.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})
        fs.call_s3(
            "complete_multipart_upload", **target_upload, MultipartUpload={"Parts": parts},
            **condition,
        )  # fmt: skip
    except BaseException:
        fs.call_s3("abort_multipart_upload", **target_upload)
        raise


def write_attributes(
    call: Callable[..., Any], path: str, settings: BlobSettings, object_acls: bool
) -> None:
    """Restate an object's metadata and headers by copying it onto itself.

    Without ``settings.acl``: a copy resets the ACL to private, so any grant beyond the
    owner's is restated in the same (atomic) copy where the service has object ACLs.
    """
    bucket, key = path.split("/", 1)
    grants: dict[str, str] = {}
    if settings.acl is None and object_acls:
        grants = rules.grant_params(call("get_object_acl", Bucket=bucket, Key=key))
    call(
        "copy_object",
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": bucket, "Key": key},
        MetadataDirective="REPLACE",
        **rules.object_params(settings),
        **grants,
    )
