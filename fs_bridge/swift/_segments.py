"""Large objects: segments in ``<container>_segments`` tied by a static large object manifest.

`SegmentedObjects` (a base of `SwiftFileSystem`) knows which containers have a ``_segments``
container (one HEAD, trusted for `SEGMENTS_CHECK_TTL` seconds) and deletes the segments of a
large object that a write replaced, once the write has succeeded. `SegmentWriter` (a base of
`SwiftFile`) sends segments under ``<name>/<upload id>/<index>``, creating the ``_segments``
container before the first, then the manifest (``?multipart-manifest=put``); `discard` deletes
the segments sent when an upload fails, so nothing appears under the name.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any
from urllib.parse import quote

from keystoneauth1.exceptions import ClientException

from fs_bridge.file_range import FileRange
from fs_bridge.swift._bulk import BulkDelete
from fs_bridge.swift._headers import md5_hex

__all__ = ["SEGMENTS_CHECK_TTL", "SEGMENTS_SUFFIX", "SegmentWriter", "SegmentedObjects"]

logger = logging.getLogger("fs_bridge.swift")

SEGMENTS_SUFFIX = "_segments"
SEGMENTS_CHECK_TTL = 60.0
"""Seconds a container's "has a ``_segments`` container" answer is trusted (for writes, which
then look for a replaced large object's segments; deletes and bulk deletes ask afresh)."""


class SegmentedObjects(BulkDelete):
    """Which containers hold large objects' segments, and the segments a write replaces."""

    _segment_containers: dict[str, tuple[bool, float]]

    def _has_segments(self, container: str, fresh: bool = False) -> bool:
        """Whether ``<container>_segments`` exists (one HEAD, remembered for a minute)."""
        known = self._segment_containers.get(container)
        if known is not None and not fresh and time.monotonic() - known[1] < SEGMENTS_CHECK_TTL:
            return known[0]
        response = self._request("HEAD", container + SEGMENTS_SUFFIX, ok=(404,))
        found = bool(response.status_code != 404)
        self._segment_containers[container] = (found, time.monotonic())
        return found

    def _note_segments(self, container: str) -> None:
        self._segment_containers[container] = (True, time.monotonic())

    def _note_account(self, names: set[str]) -> None:
        """Remember, from an account listing (which shows every ``_segments`` container),
        which of these containers have one."""
        now = time.monotonic()
        for name in names:
            self._segment_containers[name] = (name + SEGMENTS_SUFFIX in names, now)

    def _note_new_container(self, container: str) -> None:
        """A container just created: the next minute's writes skip a HEAD."""
        if not container.endswith(SEGMENTS_SUFFIX):
            self._segment_containers.setdefault(container, (False, time.monotonic()))

    def _replaced_segments(self, container: str, key: str) -> list[str]:
        """The segments to delete once a write to the name succeeds: those of the static
        large object there, looked up only where the container has a ``_segments`` container."""
        return self._segments_of(container, key) if self._has_segments(container) else []

    def _segments_of(self, container: str, key: str) -> list[str]:
        """The segment paths (``/container/name``) of the static large object at the name, if
        it is one (one GET of its manifest; its headers alone for another object)."""
        try:
            response = self._request(
                "GET", container, key, params={"multipart-manifest": "get"}, ok=(404,),
                stream=True, log=False,  # unlogged: the DEBUG log would read a whole object
            )  # fmt: skip
            with contextlib.closing(response):
                large = response.headers.get("X-Static-Large-Object", "").lower() == "true"
                if response.status_code == 404 or not large:
                    return []
                return [str(entry["name"]) for entry in response.json() if "name" in entry]
        except (OSError, ValueError, ClientException) as exc:
            logger.warning("%s/%s: its old segments stay (unread: %s)", container, key, exc)
            return []

    def _delete_segments(self, paths: list[str]) -> None:
        """Delete replaced segments (in bulk where the cluster can); best effort: the write
        they followed has succeeded, so a failure is logged, not raised."""
        for container, keys in self._by_container(paths).items():
            try:
                if self._bulk_delete_limit and len(keys) > 1:
                    self._post_bulk_deletes(container, keys)
                    continue
                for key in keys:
                    self._request("DELETE", container, key, ok=(404,))
            except (OSError, ClientException) as exc:
                logger.warning("%s: replaced segments stay (%s)", container, exc)


class SegmentWriter:
    """The segments of one upload and its manifest (`SwiftFile`'s large-object half)."""

    fs: SegmentedObjects
    path: str
    container: str
    key: str
    headers: dict[str, str]
    segments: list[dict[str, Any]]
    upload_id: str
    buffer: Any
    closed: bool

    @property
    def segment_container(self) -> str:
        return self.container + SEGMENTS_SUFFIX

    def _next_segment(self) -> str:
        """The name of the next segment; the ``_segments`` container is made before the first."""
        if not self.segments:
            self.fs._request("PUT", self.segment_container)  # 201 or 202: there now
            self.fs._note_segments(self.container)
        return f"{self.key}/{self.upload_id}/{len(self.segments):08d}"

    def _add_segment(self, name: str, etag: str, size: int) -> None:
        # Swift checked the ETag on receipt, and the manifest checks it again
        self.segments.append(
            {"path": f"/{self.segment_container}/{name}", "etag": etag, "size_bytes": size}
        )

    def _put_segment(self, data: memoryview | FileRange, etag: str | None = None) -> None:
        name = self._next_segment()
        etag = etag or md5_hex(data)  # type: ignore[arg-type]  # a FileRange comes with it
        put = ("PUT", self.segment_container, name)
        answer = self.fs._request(*put, data=data, headers={"ETag": etag}, ok=(404,))
        if answer.status_code == 404:  # another client deleted the segments container meanwhile
            self.fs._request("PUT", self.segment_container)
            self.fs._request(*put, data=data, headers={"ETag": etag})
        self._add_segment(name, etag, len(data))

    def _copy_segment(self, source: str, etag: str, size: int) -> None:
        """Add a server-side copy of the segment at ``source`` (``/container/name``)."""
        name = self._next_segment()
        copy_from = quote(source, safe="/")
        headers = {"X-Copy-From": copy_from, "Content-Length": "0"}
        self.fs._request("PUT", self.segment_container, name, headers=headers)
        self._add_segment(name, etag, size)

    def _put_manifest(self) -> None:
        replaced = self.fs._replaced_segments(self.container, self.key)
        self.fs._request(
            "PUT", self.container, self.key, params={"multipart-manifest": "put"},
            data=json.dumps(self.segments), headers=self.headers, path=self.path,
        )  # fmt: skip
        mine = {segment["path"] for segment in self.segments}
        self.fs._delete_segments([path for path in replaced if path not in mine])

    def discard(self) -> None:
        """Delete the segments uploaded so far; nothing becomes visible under the name."""
        segments, self.segments = self.segments, []
        for segment in segments:
            name = segment["path"].split("/", 2)[2]
            # best effort (an HTTP error, or a connection that failed again): the upload's
            # own error is the one to report, and the other segments still get their DELETE
            with contextlib.suppress(OSError, ClientException):
                self.fs._request("DELETE", self.segment_container, name, ok=(404,))
        self.buffer = None
        self.closed = True
