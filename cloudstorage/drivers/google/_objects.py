"""GCS object resources: read as blob fields, listed page by page, patched and rewritten."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from cloudstorage.base.settings import BlobSettings
from cloudstorage.drivers.google._transfer import md5_hex
from cloudstorage.exceptions import CloudStorageError

__all__ = [
    "FIXED_KEYS",
    "blob_fields",
    "check_stored_md5",
    "list_infos",
    "rewrite",
    "upload_resource",
    "write_attributes",
    "write_options",
]

FIXED_KEYS = {"content_disposition": "contentDisposition", "cache_control": "cacheControl"}


def blob_fields(info: Mapping[str, Any]) -> dict[str, Any]:
    """A `Blob`'s fields from an object resource (as gcsfs processes it)."""
    # Listings and lookups both return the whole object resource: nothing left to load.
    return {
        "checksum": md5_hex(info.get("md5Hash")),
        "etag": info.get("etag"),
        "acl": None,
        "meta_data": dict(info.get("metadata") or {}),
        "content_type": info.get("contentType"),
        "content_disposition": info.get("contentDisposition"),
        "cache_control": info.get("cacheControl"),
        "created_at": info.get("ctime"),
        "modified_at": info.get("mtime"),
        "expires_at": None,
    }


def rewrite(fs: Any, source: str, target: str, overwrite: bool) -> None:
    """Rewrite ``source`` to ``target``, repeated with its token until done."""
    bucket, key, _ = fs.split_path(source)
    target_bucket, target_key, _ = fs.split_path(target)
    params: dict[str, Any] = {} if overwrite else {"ifGenerationMatch": 0}
    while True:
        answer = fs.call(
            "POST", "b/{}/o/{}/rewriteTo/b/{}/o/{}", bucket, key, target_bucket, target_key,
            headers={"Content-Type": "application/json"}, json_out=True, **params,
        )  # fmt: skip
        if answer.get("done", True):
            break
        params["rewriteToken"] = answer["rewriteToken"]


def write_attributes(fs: Any, path: str, settings: BlobSettings, acl: str | None) -> None:
    """One PATCH (``acl``: a predefined ACL); a second only to drop metadata keys."""
    bucket, key, _ = fs.split_path(path)
    body = {
        "contentType": settings.content_type,
        "contentDisposition": settings.content_disposition,
        "cacheControl": settings.cache_control,
        "metadata": dict(settings.meta_data),
    }
    params = {"predefinedAcl": acl} if acl else {}
    result = fs.call("PATCH", "b/{}/o/{}", bucket, key, json=body, json_out=True, **params)
    stale = set(result.get("metadata") or {}) - set(settings.meta_data)
    if stale:  # PATCH merges metadata maps: null removes a key
        drop = {"metadata": dict.fromkeys(stale)}
        fs.call("PATCH", "b/{}/o/{}", bucket, key, json=drop)


def list_infos(fs: Any, container: str, prefix: str, page_size: int) -> Iterator[Mapping[str, Any]]:
    """The objects of ``container`` under ``prefix``, one page of ``page_size`` in memory.

    gcsfs pages by 1,000 whatever it is asked: pages of 5,000 (the most GCS gives) save four
    round trips in five; GCS filters by any name prefix itself.
    """
    token = None
    while True:
        page = fs.call(
            "GET",
            "b/{}/o",
            container,
            json_out=True,
            maxResults=page_size,
            pageToken=token,
            prefix=prefix or None,
        )
        for item in page.get("items", ()):
            yield fs._process_object(container, item)
        token = page.get("nextPageToken")
        if not token:
            return


def write_options(settings: BlobSettings, acl: str | None) -> dict[str, Any]:
    """gcsfs's ``open(path, "wb", ...)`` arguments (``acl``: a predefined ACL).

    `GoogleStorageDriver._put` sends them itself (`upload_resource`).
    """
    fixed = {
        "content_disposition": settings.content_disposition,
        "cache_control": settings.cache_control,
    }
    options: dict[str, Any] = {
        "metadata": dict(settings.meta_data),
        "fixed_key_metadata": {k: v for k, v in fixed.items() if v is not None},
    }
    if settings.content_type:
        options["content_type"] = settings.content_type
    if acl:
        options["acl"] = acl
    return options


def upload_resource(key: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The object resource an upload states, from `write_options`'s ``options``."""
    resource: dict[str, Any] = {
        "name": key,
        "contentType": options.get("content_type") or "application/octet-stream",
        **{FIXED_KEYS[name]: value for name, value in options["fixed_key_metadata"].items()},
    }
    if options["metadata"]:
        resource["metadata"] = options["metadata"]
    return resource


def check_stored_md5(
    fs: Any, bucket: str, key: str, stored: Mapping[str, Any], sent_md5: str
) -> None:
    """Delete the upload and raise if the MD5 the service stored is not the one sent."""
    got = md5_hex(stored.get("md5Hash"))
    if got and got != sent_md5:
        with contextlib.suppress(Exception):  # the error below is the one to report
            fs.call("DELETE", "b/{}/o/{}", bucket, key, ifGenerationMatch=stored["generation"])
        raise CloudStorageError(
            f"the service stored MD5 {got} for bytes with MD5 {sent_md5} "
            "(corrupted in transit): the upload was deleted"
        )
