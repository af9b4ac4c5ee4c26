"""Server-side copies: one PUT with ``X-Copy-From``, or a large object segment by segment."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fs_bridge.swift._file import WRITE_BUFFER_SIZE, SwiftFile
from fs_bridge.swift._headers import ATTRIBUTE_OPTIONS, info_from_headers
from fs_bridge.swift._listing import Listing

__all__ = ["Copying"]


class Copying(Listing):
    """``cp_file``: bytes and attributes copied inside the cluster, none through the client."""

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Server-side copy (one PUT with ``X-Copy-From``): bytes and attributes.

        A large object up to Swift's largest object (5 GiB) is copied as one object holding
        its bytes (Swift joins the segments); a larger one, which Swift refuses so (413), is
        copied segment by segment (each server-side), then given a manifest of its own. There
        is no create-only copy: Swift applies ``If-None-Match`` to the source's GET.
        """
        source, source_key = self.split_path(path1)
        container, key = self.split_path(path2)
        copy_from = "/" + quote(source, safe="") + "/" + quote(source_key, safe="/")
        headers = {"X-Copy-From": copy_from, "Content-Length": "0"}
        replaced = self._replaced_segments(container, key)
        try:
            self._request("PUT", container, key, headers=headers)
        except FileNotFoundError:
            if source_key and self.isdir(path1):
                return  # a folder: it appears with the objects copied into it
            raise
        except ValueError:  # 413: larger than one object may be
            self._copy_large(path1, path2)
            return
        self._delete_segments(replaced)

    def _copy_large(self, path1: str, path2: str) -> None:
        """Copy a static large object: its segments server-side, then a manifest of its own
        with the source's attributes (deleting either object leaves the other whole)."""
        source, source_key = self.split_path(path1)
        response = self._request("GET", source, source_key, params={"multipart-manifest": "get"})
        if response.headers.get("X-Static-Large-Object", "").lower() != "true":
            raise ValueError(f"{path1} is too large to copy and is no static large object")
        # the manifest's GET answers with JSON's content type: the attributes need a HEAD
        attributes = info_from_headers(path1, self._request("HEAD", source, source_key).headers)
        target = SwiftFile(
            self, path2, "wb", WRITE_BUFFER_SIZE,
            **{name: attributes[name] for name in ATTRIBUTE_OPTIONS if attributes.get(name)},
        )  # fmt: skip
        try:
            for entry in response.json():
                target._copy_segment(entry["name"], entry["hash"], int(entry["bytes"]))
            target._put_manifest()
        except BaseException:
            target.discard()
            raise
        target.closed = True
