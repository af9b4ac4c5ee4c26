"""Removal: objects (with a static large object's segments), many at once, and containers."""

from __future__ import annotations

import contextlib
import errno
import os
from typing import Any

from fs_bridge.swift._listing import Listing

__all__ = ["Removal"]


class Removal(Listing):
    """``rm``, ``rm_file`` and ``rmdir``; many objects go in bulk where the cluster can."""

    def rmdir(self, path: str) -> None:
        """Delete an empty container (``OSError(ENOTEMPTY)`` if it holds objects)."""
        container, key = self.split_path(path)
        if not key:
            self._request("DELETE", container)

    def rm_file(self, path: str) -> None:
        """Delete an object, and the segments of a static large object with it.

        One DELETE with ``?multipart-manifest=delete`` deletes a static large object with its
        segments, or answers that nothing is there; for any other object Swift answers "Not an
        SLO manifest" and a plain DELETE follows (two requests, as the HEAD + DELETE this
        replaces; a cached "no ``_segments`` container" could spare one, but a stale answer
        would leave segments behind).
        """
        container, key = self.split_path(path)
        if not key:
            raise IsADirectoryError(errno.EISDIR, "a container is not a file", path)
        response = self._request(
            "DELETE", container, key, params={"multipart-manifest": "delete"},
            headers={"Accept": "application/json"}, path=path,
        )  # fmt: skip
        if response.status_code == 204:  # a cluster without the slo middleware deleted it
            return
        result = response.json()
        if result.get("Number Deleted"):
            return
        if result.get("Number Not Found"):
            if response.lost_answer:
                return  # most likely deleted by the try whose answer was lost (_done_before)
            raise FileNotFoundError(errno.ENOENT, "no such object", path)
        if "Not an SLO manifest" not in str(result.get("Errors")):
            status = str(result.get("Response Status", ""))
            if status.startswith(("401", "403")):
                raise PermissionError(errno.EACCES, f"Swift refused: {result}", path)
            raise OSError(errno.EIO, f"Swift could not delete it: {result}", path)
        self._request("DELETE", container, key, path=path)

    def _rm(self, path: str) -> None:
        self.rm_file(path)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        """Delete objects (batched: see `_bulk_delete`), then containers; missing ones pass."""
        names = self.expand_path(path, recursive=recursive, maxdepth=maxdepth)
        files = [name for name in names if self.split_path(name)[1]]
        self._bulk_delete(files)
        for name in reversed(names):
            container, key = self.split_path(name)
            if not key:
                self.rmdir(container)

    def _bulk_delete(self, paths: list[str]) -> None:
        """Delete objects, missing ones (or folders) passing: ``POST ?bulk-delete``, 10,000 a
        request, where the cluster has Swift's ``bulk`` middleware and the container no
        ``_segments`` container (else one `rm_file` each). Any other failure raises `OSError`.
        """
        for container, keys in self._by_container(paths).items():
            one_by_one = keys
            if self._bulk_delete_limit and len(keys) > 1:
                has_segments = self._has_segments(container, fresh=True)
                large = self._large_objects(container, keys) if has_segments else set()
                if large is not None:  # the others go in bulk, large ones with their segments
                    plain = [key for key in keys if key not in large]
                    self._post_bulk_deletes(container, plain)
                    one_by_one = sorted(large)
            for key in one_by_one:
                # missing: a folder (it goes with its objects), or removed meanwhile
                with contextlib.suppress(FileNotFoundError):
                    self.rm_file(f"{container}/{key}")

    def _large_objects(self, container: str, keys: list[str]) -> set[str] | None:
        """Which of ``keys`` are static large objects, from a listing; None where the listing
        would take more than one request per two keys (asking each is then cheaper)."""
        headers = self._request("HEAD", container).headers
        if (
            int(headers.get("X-Container-Object-Count", 0))
            > len(keys) * self.listing_page_size // 2
        ):
            return None
        wanted = set(keys)
        prefix = os.path.commonprefix(keys)  # noqa: RUF071  # a listing prefix, not a folder
        return {
            entry["name"]
            for entry in self._pages(container, prefix=prefix)
            if "slo_etag" in entry and entry["name"] in wanted
        }
