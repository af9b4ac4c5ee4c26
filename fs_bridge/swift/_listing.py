"""Listings and ``info``: account and container listings, page by page, and HEADs.

A listing is one GET per ``listing_page_size`` entries (10,000), the next page asked only when
it is needed; ``info`` is one HEAD (a folder, which Swift does not store, one listed entry).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from typing import Any

from fs_bridge.swift._headers import (
    CONTAINER_META_PREFIX,
    info_from_headers,
    metadata_from_headers,
    parse_timestamp,
)
from fs_bridge.swift._segments import SegmentedObjects

__all__ = ["Listing"]


class Listing(SegmentedObjects):
    """``ls``, ``find``, ``info`` and `iter_objects` over paged listings."""

    listing_page_size: int

    def _pages(self, container: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every entry of an account (``container=""``) or container listing, page by page."""
        marker = ""
        while True:
            page_params = {"format": "json", "limit": self.listing_page_size, **params}
            if marker:
                page_params["marker"] = marker
            response = self._request("GET", container, params=page_params, path=container)
            if response.status_code == 204:
                return
            page = response.json()
            yield from page
            if len(page) < self.listing_page_size:
                return
            last = page[-1]
            marker = last.get("name") or last.get("subdir")

    def iter_objects(self, container: str, prefix: str = "") -> Iterator[dict[str, Any]]:
        """``info`` dicts of the objects whose names start with ``prefix``, in name order,
        lazily: one GET per ``listing_page_size`` objects, the next only when it is needed."""
        for entry in self._pages(container, prefix=prefix):
            yield self._object_entry(container, entry)

    def _container_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": entry["name"],
            "type": "directory",
            "size": 0,
            "count": entry.get("count"),
            "bytes": entry.get("bytes"),
        }

    def _object_entry(self, container: str, entry: dict[str, Any]) -> dict[str, Any]:
        if "subdir" in entry:
            return {"name": f"{container}/{entry['subdir'].rstrip('/')}", "type": "directory",
                    "size": 0}  # fmt: skip
        info: dict[str, Any] = {
            "name": f"{container}/{entry['name']}",
            "type": "file",
            "size": int(entry["bytes"]),
            "etag": entry.get("hash"),
            "content_type": (entry.get("content_type") or "").split(";swift_bytes=")[0] or None,
            "last_modified": parse_timestamp(entry["last_modified"]),
        }
        if "slo_etag" not in entry:  # a large object's hash is not the MD5 of its bytes
            info["md5"] = entry.get("hash")
        return info

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        container, key = self.split_path(path)
        if not container:
            entries = [self._container_entry(entry) for entry in self._pages("")]
            self._note_account({entry["name"] for entry in entries})
        else:
            prefix = f"{key}/" if key else ""
            entries = [
                self._object_entry(container, entry)
                for entry in self._pages(container, prefix=prefix, delimiter="/")
            ]
            if not entries and key:
                entries = [self.info(path)]  # a file, or FileNotFoundError
        return entries if detail else [entry["name"] for entry in entries]

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Everything below ``path`` from a flat listing: one request per page, not per folder."""
        container, key = self.split_path(path)
        if not container or maxdepth is not None:
            return super().find(path, maxdepth, withdirs, detail, **kwargs)
        prefix = f"{key}/" if key else ""
        found: dict[str, dict[str, Any]] = {}
        for entry in self._pages(container, prefix=prefix):
            info = self._object_entry(container, entry)
            found[info["name"]] = info
            if withdirs:  # the folders between ``path`` and the object
                parts = entry["name"][len(prefix) :].split("/")[:-1]
                for depth in range(1, len(parts) + 1):
                    name = f"{container}/{prefix}{'/'.join(parts[:depth])}"
                    found.setdefault(name, {"name": name, "type": "directory", "size": 0})
        if found and withdirs:
            base = self._strip_protocol(path)
            found[base] = {"name": base, "type": "directory", "size": 0}
        if not found:
            if key:
                try:
                    info = self.info(path)
                except FileNotFoundError:
                    info = {}
                if info.get("type") == "file":
                    found[info["name"]] = info
            else:
                self.info(container)  # FileNotFoundError for a missing container
        names = sorted(found)
        return {name: found[name] for name in names} if detail else names

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """HEAD of the object (its headers, metadata and size) or container; folders listed."""
        container, key = self.split_path(path)
        if not container:
            return {"name": "", "type": "directory", "size": 0}
        if not key:
            headers = self._request("HEAD", container).headers
            return {
                "name": container,
                "type": "directory",
                "size": 0,
                "count": int(headers.get("X-Container-Object-Count", 0)),
                "bytes": int(headers.get("X-Container-Bytes-Used", 0)),
                "read_acl": headers.get("X-Container-Read"),
                "metadata": metadata_from_headers(headers, CONTAINER_META_PREFIX),
            }
        response = self._request("HEAD", container, key, ok=(404,))
        if response.status_code != 404:
            return info_from_headers(f"{container}/{key}", response.headers)
        for _ in self._pages(container, prefix=f"{key}/", delimiter="/", limit=1):
            return {"name": f"{container}/{key}", "type": "directory", "size": 0}
        raise FileNotFoundError(errno.ENOENT, "no such object or folder", f"{container}/{key}")
