"""Azure blob properties: read as adlfs ``info`` dicts and `Blob` fields, and rewritten."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from azure.storage.blob import BlobClient, BlobProperties, ContentSettings

from cloudstorage.base import errors
from cloudstorage.drivers.microsoft._keys import decode_metadata

__all__ = [
    "FOLDER_MARKERS",
    "adlfs_info",
    "blob_fields",
    "file_info",
    "info_from_properties",
    "md5_hex",
    "write_attributes",
]

logger = logging.getLogger("cloudstorage")

INFO_PROPERTIES = (
    "metadata", "creation_time", "last_modified", "content_settings", "etag", "deleted",
    "deleted_time", "remaining_retention_days", "archive_status", "last_accessed_on", "tags",
    "tag_count",
)  # fmt: skip
"""`BlobProperties` an adlfs ``info`` dict carries (adlfs's ``FORWARDED_BLOB_PROPERTIES``)."""
FOLDER_MARKERS = (("is_directory", "true"), ("hdi_isfolder", "true"), ("Hdi_isfolder", "true"))
"""Metadata that makes a blob a folder for adlfs (and so not a blob for this driver)."""


def blob_fields(info: Mapping[str, Any]) -> dict[str, Any]:
    """A `Blob`'s fields from an adlfs ``info`` dict (a lookup's or a listing's)."""
    fields: dict[str, Any] = {
        "etag": info.get("etag"),
        "acl": None,
        "expires_at": None,
        "created_at": info.get("creation_time"),
        "modified_at": info.get("last_modified"),
    }
    if "metadata" in info:
        fields["meta_data"] = decode_metadata(info["metadata"])
    settings = info.get("content_settings")
    if settings is not None:  # listings carry it too: no request per listed blob
        fields.update(
            content_type=settings.get("content_type") or None,
            content_disposition=settings.get("content_disposition") or None,
            cache_control=settings.get("cache_control") or None,
            checksum=md5_hex(settings.get("content_md5"), info["name"]),
        )
    return fields


def info_from_properties(container: str, properties: BlobProperties) -> dict[str, Any]:
    """The ``info`` dict adlfs makes of a blob's properties: same keys, names and etag quotes."""
    info: dict[str, Any] = {
        key: value for key, value in vars(properties).items() if key in INFO_PROPERTIES
    }
    return adlfs_info(container, properties.name, properties.size, info)


def adlfs_info(container: str, name: str, size: int, properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` completed as adlfs completes a blob's ``info``: its path, the etag in
    quotes, and a folder marker (`FOLDER_MARKERS`) making it a directory without size."""
    if properties.get("etag") is not None:
        properties["etag"] = '"{}"'.format(str(properties["etag"]).strip('"'))
    metadata = properties.get("metadata") or {}
    folder = any(metadata.get(key) == value for key, value in FOLDER_MARKERS)
    properties.update(
        name=f"{container}/{name}",
        size=None if folder else size,
        type="directory" if folder else "file",
    )
    return properties


def file_info(container: str, blob: str, properties: BlobProperties) -> dict[str, Any]:
    """The ``info`` dict of a looked-up blob; `NotFoundError` if adlfs would call it a folder."""
    info = info_from_properties(container, properties)
    if info["type"] != "file":
        raise errors.NOT_FOUND(errors.describe(container, blob), "a folder")
    return info


def md5_hex(content_md5: bytes | bytearray | None, name: str) -> str | None:
    """Content-MD5 as hex; None, with a warning, when Azure holds none.

    Azure computes it for a blob sent in one Put Blob; a blob committed from blocks has one only
    if its writer sent it (this driver does; adlfs's ``open("wb")`` and many tools do not).
    """
    if not content_md5:
        logger.warning("blob %r has no Content-MD5: its checksum is None", name)
        return None
    return bytes(content_md5).hex()


def write_attributes(client: BlobClient, options: Mapping[str, Any]) -> None:
    """Set the blob's HTTP headers (keeping the stored Content-MD5, encoding and language)
    and metadata from `AzureStorageDriver._write_options`'s ``options``: three requests."""
    stored = client.get_blob_properties().content_settings
    content_settings: ContentSettings = options["content_settings"]
    content_settings.content_md5 = stored.content_md5
    content_settings.content_encoding = stored.content_encoding
    content_settings.content_language = stored.content_language
    client.set_http_headers(content_settings)
    client.set_blob_metadata(options["metadata"])
