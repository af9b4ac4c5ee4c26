"""What S3 accepts, checked before any request, and how our values map onto its headers.

Shared by every S3-family driver (`cloudstorage.drivers.amazon`, `cloudstorage.drivers.minio`).
"""

from __future__ import annotations

import base64
import email.header
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from cloudstorage.base import errors
from cloudstorage.base.errors import Rule
from cloudstorage.base.settings import BlobSettings
from cloudstorage.exceptions import CloudStorageError

CANNED_ACLS = frozenset(
    {
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
        "aws-exec-read",
    }
)
"""The canned ACLs of S3 (``x-amz-acl``)."""

MAX_EXPIRES = 7 * 24 * 3600
"""SigV4 presigned URLs and POST policies live at most a week."""

MAX_KEY_BYTES = 1024
MAX_METADATA_BYTES = 2048
"""User metadata (``x-amz-meta-*`` names and values) is limited to 2 KiB on S3."""

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_HEADER_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_ENCODED_WORD = re.compile(r"^=\?[^?]+\?[bBqQ]\?[^?]*\?=$")

_TAKEN = Rule(CloudStorageError, "{target} belongs to another account: choose another name")

ERROR_TABLE: dict[str, Rule] = {
    "NoSuchBucket": errors.NOT_FOUND,
    "NoSuchKey": errors.NOT_FOUND,
    "NoSuchVersion": errors.NOT_FOUND,
    "NoSuchUpload": errors.NOT_FOUND,
    "NotFound": errors.NOT_FOUND,
    "404": errors.NOT_FOUND,
    "BucketNotEmpty": errors.NOT_EMPTY,
    "BucketAlreadyOwnedByYou": errors.EXISTS,  # create_container answers with the bucket
    "BucketAlreadyExists": _TAKEN,
    "PreconditionFailed": errors.EXISTS,  # If-None-Match: * met an object (create-only)
    "412": errors.EXISTS,
    "InvalidAccessKeyId": errors.REFUSED,
    "SignatureDoesNotMatch": errors.REFUSED,
    "AccessDenied": errors.REFUSED,
    "ExpiredToken": errors.REFUSED,
    "InvalidToken": errors.REFUSED,
    "403": errors.REFUSED,
}
"""botocore ``ClientError`` codes → our exceptions; any other code is `errors.FAILED`."""


def translate_client_error(
    response: Mapping[str, Any], fallback: str, target: str
) -> CloudStorageError:
    """Our exception for a botocore ``ClientError`` response, from `ERROR_TABLE`; the
    message keeps S3's code and words (``fallback`` where the answer had no body)."""
    details = response.get("Error", {})
    code = str(details.get("Code", ""))
    message = details.get("Message") or fallback
    return errors.lookup(ERROR_TABLE, code)(target, f"{code}: {message}")


def client_error(exc: BaseException, kind: type[BaseException]) -> Any:
    """The botocore ``ClientError`` (``kind``) behind ``exc``: s3fs re-raises it as ``OSError``."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None or isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def check_bucket_name(name: str) -> None:
    """Refuse a name S3 would reject: 3-63 of ``a-z 0-9 . -``, no IP address, no ``..``."""
    if (
        not _BUCKET_NAME.match(name)
        or ".." in name
        or ".-" in name
        or "-." in name
        or name.startswith(("xn--", "sthree-"))
        or name.endswith(("-s3alias", "--ol-s3"))
        or _is_ip_address(name)
    ):
        raise CloudStorageError(
            f"invalid S3 bucket name {name!r}: use 3-63 lowercase letters, digits, dots and "
            "hyphens, starting and ending with a letter or digit, not shaped like an IP address"
        )


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def check_key(name: str) -> None:
    """Refuse a key longer than S3's 1,024 UTF-8 bytes."""
    if len(name.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise CloudStorageError(f"S3 keys are at most {MAX_KEY_BYTES} bytes: {name[:40]!r}...")


def check_metadata(meta_data: Mapping[str, str]) -> dict[str, str]:
    """Refuse keys that are not HTTP header tokens and metadata over S3's 2 KiB.

    S3 lower-cases the names (``x-amz-meta-Owner-Id`` comes back ``owner-id``); blob
    metadata is a case-insensitive dict, so dashed keys of any case round-trip.
    """
    for key in meta_data:
        if not _HEADER_TOKEN.match(key):
            raise CloudStorageError(
                f"metadata key {key!r} is not an HTTP header token (letters, digits, "
                "and !#$%&'*+-.^_`|~ only), so S3 cannot store it"
            )
    size = sum(len(k.encode()) + len(encode_value(v).encode()) for k, v in meta_data.items())
    if size > MAX_METADATA_BYTES:
        raise CloudStorageError(f"S3 user metadata is at most 2 KiB; this is {size} bytes")
    return dict(meta_data)


def encode_value(value: str) -> str:
    """A header-safe metadata value: non-ASCII text as an RFC 2047 encoded word.

    That is the form S3 itself answers with for UTF-8 metadata; `decode_value` reverses it.
    """
    if value.isascii() and value.isprintable():
        return value
    return "=?UTF-8?B?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def decode_value(value: str) -> str:
    """Undo `encode_value` (and S3's own RFC 2047 encoding of non-ASCII values)."""
    if not _ENCODED_WORD.match(value):
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return value


def object_params(settings: BlobSettings) -> dict[str, Any]:
    """PutObject / CreateMultipartUpload / CopyObject parameters that store ``settings``."""
    params: dict[str, Any] = {
        "Metadata": {key: encode_value(value) for key, value in settings.meta_data.items()}
    }
    if settings.content_type:
        params["ContentType"] = settings.content_type
    if settings.content_disposition:
        params["ContentDisposition"] = settings.content_disposition
    if settings.cache_control:
        params["CacheControl"] = settings.cache_control
    if settings.acl:
        params["ACL"] = settings.acl
    return params


_GRANT_PARAMS = {
    "FULL_CONTROL": "GrantFullControl",
    "READ": "GrantRead",
    "READ_ACP": "GrantReadACP",
    "WRITE_ACP": "GrantWriteACP",
}
_GRANTEE_KEYS = (("ID", "id"), ("URI", "uri"), ("EmailAddress", "emailAddress"))


def grant_params(acl: Mapping[str, Any]) -> dict[str, str]:
    """CopyObject ``Grant*`` parameters that restate a GetObjectAcl answer.

    Empty when only the owner holds rights (what a copy gives anyway).
    """
    owner = acl.get("Owner", {}).get("ID")
    grants = acl.get("Grants", [])
    if all(grant.get("Grantee", {}).get("ID") == owner for grant in grants):
        return {}
    by_param: dict[str, list[str]] = {}
    for grant in grants:
        param = _GRANT_PARAMS.get(grant.get("Permission", ""))
        grantee = grant.get("Grantee", {})
        for field, name in _GRANTEE_KEYS:
            if param and grantee.get(field):
                by_param.setdefault(param, []).append(f'{name}="{grantee[field]}"')
                break
    return {param: ", ".join(values) for param, values in by_param.items()}


def head_info(path: str, head: Mapping[str, Any]) -> dict[str, Any]:
    """The fsspec-style entry of the object at ``path`` from its HEAD (or GET) answer."""
    return {"name": path, "type": "file", "size": head["ContentLength"], "head": head}


def blob_fields(info: Mapping[str, Any]) -> dict[str, Any]:
    """A `Blob`'s fields from a lookup (``info['head']``) or a listing entry."""
    head = info.get("head")
    source = head if head is not None else info  # a lookup, or a listing entry
    etag = str(source.get("ETag") or "").strip('"') or None
    fields: dict[str, Any] = {
        "etag": etag,
        "modified_at": source.get("LastModified") or None,
        "created_at": None,  # S3 keeps no creation time apart from the last write
        "acl": None,  # an object's ACL costs a request of its own: not loaded
    }
    if head is not None:
        # A multipart ETag ("<md5 of part md5s>-<parts>") is no checksum of the bytes, nor
        # is the ETag of an SSE-KMS or SSE-C object; only a lookup shows the encryption, so
        # a listed blob's checksum waits for one (downloads check what the GET answer
        # shows, `S3Driver._get`).
        plain = etag and "-" not in etag and not _opaque_etag(head)
        fields.update(
            checksum=etag if plain else None,
            meta_data={key: decode_value(value) for key, value in head.get("Metadata", {}).items()},
            content_type=head.get("ContentType"),
            content_disposition=head.get("ContentDisposition"),
            cache_control=head.get("CacheControl"),
            expires_at=head.get("Expires"),
        )
    return fields


def _opaque_etag(source: Mapping[str, Any]) -> bool:
    """Whether S3 says the object is encrypted such that its ETag is not its MD5."""
    return source.get("ServerSideEncryption") == "aws:kms" or bool(
        source.get("SSECustomerAlgorithm")
    )


def listing_md5(etag: object) -> str | None:
    """A listed ETag that is the MD5 of the bytes, else None.

    A listing's ETag is the MD5 unless the object was uploaded in parts ("...-N"); an
    SSE-KMS or SSE-C object's is not either, which only a lookup shows: sync then copies
    such a blob again (never skips a changed one).
    """
    plain = isinstance(etag, str) and len(etag) == 32 and "-" not in etag
    return etag if plain and isinstance(etag, str) else None
