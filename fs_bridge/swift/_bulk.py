"""Deleting many objects in one request: ``POST ?bulk-delete`` (Swift's ``bulk`` middleware)."""

from __future__ import annotations

import errno
from functools import cached_property
from urllib.parse import quote, urlsplit

from keystoneauth1.exceptions import ClientException

from fs_bridge.swift._connection import SwiftConnection

__all__ = ["BulkDelete"]


class BulkDelete(SwiftConnection):
    """The cluster's bulk delete, where it has one (`_bulk_delete_limit` says)."""

    @cached_property
    def _bulk_delete_limit(self) -> int:
        """Objects per ``?bulk-delete`` request as the cluster's ``/info`` says; 0: none."""
        endpoint = urlsplit(self.store.get_endpoint())
        root = endpoint.path.split("/v1/", 1)[0] if "/v1/" in endpoint.path else ""
        url = f"{endpoint.scheme}://{endpoint.netloc}{root}/info"
        try:
            response = self.retry.send(
                lambda: self.conn.session.request(url, "GET", authenticated=False, raise_exc=False),
                "GET /info",
            )
            info = response.json() if response.status_code == 200 else {}
        except (OSError, ValueError, ClientException):
            return 0
        limit = (info.get("bulk_delete") or {}).get("max_deletes_per_request", 0)
        return int(limit)

    def _post_bulk_deletes(self, container: str, keys: list[str]) -> None:
        """Delete ``keys`` of ``container``, `_bulk_delete_limit` of them a request."""
        batch = self._bulk_delete_limit
        for first in range(0, len(keys), batch):
            self._post_bulk_delete(container, keys[first : first + batch])

    def _post_bulk_delete(self, container: str, keys: list[str]) -> None:
        body = "\n".join(
            "/" + quote(container, safe="") + "/" + quote(key, safe="/") for key in keys
        )
        response = self._request(
            "POST", params={"bulk-delete": ""}, data=body.encode(), path=container,
            headers={"Accept": "application/json", "Content-Type": "text/plain"},
        )  # fmt: skip
        result = response.json()
        errors = result.get("Errors") or []
        if errors or not result.get("Response Status", "").startswith(("200", "201", "204")):
            status = result.get("Response Status", "")
            if status.startswith(("401", "403")):
                raise PermissionError(errno.EACCES, f"bulk delete: {status}", container)
            raise OSError(errno.EIO, f"bulk delete: {status} {errors[:10]}", container)
