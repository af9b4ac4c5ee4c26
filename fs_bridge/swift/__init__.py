"""``swift://`` and ``cloudfiles://``: an fsspec filesystem for OpenStack Swift over openstacksdk.

Containers are the top-level folders; a ``/`` in an object name is a sub-folder. Every request
goes through one openstacksdk ``Connection`` (one keystoneauth session and connection pool):
openstacksdk's typed calls where they fit, and its object-store adapter for what they lack
(delimiter listings, ranged reads, large-object manifests).

    >>> fs = fsspec.filesystem("swift", auth_url="http://swift:8080/auth/v1.0",
    ...                        user="test:tester", key="testing")
    >>> fs.pipe("photos/cat.txt", b"meow")
    >>> fs.open("photos/cat.txt", "wb", content_type="text/plain", metadata={"owner-id": "1"})

Logins (``auth_version``): ``"1"`` TempAuth (``auth_url`` ends in ``/auth/v1.0``), ``"3"``
Keystone v3 password (``project_name``, ``user_domain_name``, ``project_domain_name``),
``"rax"`` Rackspace identity with an API key (the default of ``cloudfiles://``), or a ``token``
with a ``storage_url``. ``region`` picks the catalog's object store.

Faults: every request and login is retried ``retries`` times (4) when its connection fails,
times out (``timeout``: 60 s to connect or between bytes) or is cut mid-answer, and on HTTP 408,
429, 498 (Swift's rate limiting), 500, 502, 503 and 504, ``retry_backoff`` seconds (0.5) after
the first failure, doubling, jittered (`RetryPolicy`). A 401 (an expired token) logs in again
once and repeats the request, its whole body included. Every Swift request is idempotent (an
object PUT carries the whole object, a POST all its metadata), so every method is retried.
Bytes sent in one PUT carry their MD5 as ``ETag``: Swift refuses them (HTTP 422) if corrupted
on the way.
A retry after a lost answer may find the work done: a DELETE answered 404, or a create
(``If-None-Match: *``) answered 412 over an object with the ETag it sent, then succeeds.

Costs: a listing is one GET per 10,000 entries (``listing_page_size``); ``info`` one HEAD.
Reads: random reads are ranged GETs of ``block_size`` bytes (8 MiB); reads that go on where
the last one ended, and files opened with ``stream=True``, read one streamed GET (see
`SwiftFile`). Writes: ``put_file`` / `SwiftFileSystem.put_stream` (a seekable source) send up
to ``segment_size`` (1 GiB) in one PUT streamed from the source, the MD5 computed in a first
pass over it; ``open(..., "wb")`` holds at most 32 MiB and sends one PUT up to that. Larger
objects go up as segments in the container ``<container>_segments`` tied by a static large
object manifest (segments are deleted if the upload fails, and with the manifest). When a
write replaces a static large object, its segments are deleted once the new object is in
place; the write then costs a GET of the old manifest (only in containers with a
``_segments`` container: one HEAD a minute says which). Dynamic large objects' segments (a
prefix that may hold other objects; we never write DLOs) are left alone. ``rm`` of many
objects is one ``POST ?bulk-delete`` per 10,000 where the cluster has the ``bulk`` middleware.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import time
from collections.abc import Iterator
from functools import cached_property
from typing import IO, Any
from urllib.parse import quote, urlsplit

from fsspec.spec import AbstractFileSystem
from keystoneauth1.exceptions import ClientException

from fs_bridge.file_range import FileRange
from fs_bridge.swift._auth import RACKSPACE_AUTH_URL, SwiftAuth
from fs_bridge.swift._file import (
    BLOCK_SIZE,
    SEGMENTS_SUFFIX,
    TEXT_STREAM,
    WRITE_BUFFER_SIZE,
    SwiftFile,
)
from fs_bridge.swift._headers import (
    ATTRIBUTE_OPTIONS,
    CONTAINER_META_PREFIX,
    info_from_headers,
    md5_hex,
    metadata_from_headers,
    object_headers,
    parse_timestamp,
)
from fs_bridge.swift._retry import RetryPolicy

__all__ = ["CloudFilesFileSystem", "SwiftFile", "SwiftFileSystem"]

logger = logging.getLogger("fs_bridge.swift")

MIB = 2**20
SEGMENT_SIZE = 1024 * MIB
LISTING_PAGE_SIZE = 10_000
TIMEOUT = 60.0
SEGMENTS_CHECK_TTL = 60.0
"""Seconds a container's "has a ``_segments`` container" answer is trusted (for writes, which
then look for a replaced large object's segments; deletes and bulk deletes ask afresh)."""


class SwiftFileSystem(AbstractFileSystem):  # type: ignore[misc]  # fsspec is untyped
    """An OpenStack Swift account: containers, then objects with ``/`` as folder separator."""

    protocol: tuple[str, ...] = ("swift",)
    root_marker = ""
    default_auth_version = "1"
    default_auth_url: str | None = None

    def __init__(
        self,
        auth_url: str | None = None,
        user: str | None = None,
        key: str | None = None,
        auth_version: str | None = None,
        region: str | None = None,
        token: str | None = None,
        storage_url: str | None = None,
        interface: str = "public",
        project_name: str | None = None,
        user_domain_name: str = "Default",
        project_domain_name: str = "Default",
        block_size: int = BLOCK_SIZE,
        segment_size: int = SEGMENT_SIZE,
        listing_page_size: int = LISTING_PAGE_SIZE,
        retries: int = RetryPolicy.retries,
        retry_backoff: float = RetryPolicy.backoff,
        timeout: float | None = TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.auth_url = auth_url or self.default_auth_url
        self.user = user
        self.key = key
        self.auth_version = str(auth_version or self.default_auth_version)
        self.region = region
        self.token = token
        self.storage_url = storage_url
        self.interface = interface
        self.project_name = project_name
        self.user_domain_name = user_domain_name
        self.project_domain_name = project_domain_name
        self.blocksize = block_size
        self.segment_size = segment_size
        self.listing_page_size = listing_page_size
        self._segment_containers: dict[str, tuple[bool, float]] = {}
        self.retry = RetryPolicy(retries, retry_backoff)
        self.timeout = timeout

    # -- the connection ------------------------------------------------------------------------

    @cached_property
    def conn(self) -> Any:
        """The openstacksdk ``Connection`` (one keystoneauth session) every request goes through."""
        import openstack  # noqa: PLC0415  # heavy: imported on first request, not with fsspec
        from keystoneauth1 import session as ks_session  # noqa: PLC0415  # as above

        options: dict[str, Any] = {}
        if self.auth_version == "3":
            from keystoneauth1.identity import v3  # noqa: PLC0415  # as above

            if not (self.auth_url and self.user and self.key):
                raise ValueError("Keystone v3 needs auth_url, user and key (the password)")
            auth: Any = v3.Password(
                auth_url=self.auth_url,
                username=self.user,
                password=self.key,
                project_name=self.project_name,
                user_domain_name=self.user_domain_name,
                project_domain_name=self.project_domain_name,
            )
            if self.storage_url:
                options["object_store_endpoint_override"] = self.storage_url
        else:
            auth = SwiftAuth(
                auth_url=self.auth_url,
                user=self.user,
                key=self.key,
                version="1" if self.token and self.storage_url else self.auth_version,
                region=self.region,
                token=self.token,
                storage_url=self.storage_url,
                interface=self.interface,
                retry=self.retry,
            )
        session = ks_session.Session(auth=auth, timeout=self.timeout)
        return openstack.connection.Connection(
            session=session, region_name=self.region, interface=self.interface, **options
        )

    @property
    def store(self) -> Any:
        """openstacksdk's object-store proxy: a keystoneauth adapter on the storage URL."""
        return self.conn.object_store

    def service_url(self, service_type: str) -> str | None:
        """The catalog's URL of another service (say ``rax:object-cdn``), or None.

        Args:
            service_type: the catalog's service type.

        Returns:
            The endpoint URL, or None where the catalog has no such service.

        Raises:
            keystoneauth1.exceptions.ClientException: the login failed.
        """
        from keystoneauth1 import exceptions  # noqa: PLC0415  # imported with the connection

        try:
            url: str | None = self.conn.session.get_endpoint(
                service_type=service_type, interface=self.interface, region_name=self.region
            )
        except exceptions.EndpointNotFound:
            return None
        return url

    def _request(
        self,
        method: str,
        container: str = "",
        key: str = "",
        *,
        path: str = "",
        ok: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> Any:
        """One request on the account, a container or an object; HTTP errors become OSErrors.

        Retried on connection faults and busy answers: see `RetryPolicy`. When a try lost its
        answer, the next one may find the work done: a DELETE then answered 404, or a PUT
        with ``If-None-Match: *`` answered 412 over an object with the ETag it sent, succeeds.
        """
        url = "/" + quote(container, safe="") if container else ""
        if key:
            url += "/" + quote(key, safe="/")

        def send() -> Any:
            body = kwargs.get("data")
            if isinstance(body, FileRange):
                body.seek(0)  # every try sends the whole span
            # keystoneauth's own repeat after a 401 would send a body already read: ours below
            return self.store.request(url, method, allow_reauth=False, **kwargs)

        response = self.retry.send(send, f"{method} {url}")
        if response.status_code == 401 and self.conn.session.invalidate():
            # the token expired (or was revoked): log in once more, then repeat the request
            logger.debug("%s %s: HTTP 401, logging in again", method, url)
            response.close()
            response = self.retry.send(send, f"{method} {url}")
        if response.status_code < 300 or response.status_code in ok:
            return response
        if response.lost_answer and self._done_before(method, response, container, key):
            return response
        raise _http_error(response, path or f"{container}/{key}".rstrip("/"))

    def _done_before(self, method: str, response: Any, container: str, key: str) -> bool:
        """Whether an earlier try (whose answer was lost) did what this failed one asked."""
        if method == "DELETE" and response.status_code == 404:
            return True  # gone: most likely by the first try, and the goal holds anyway
        sent = response.request.headers if response.request is not None else {}
        if method == "PUT" and key and response.status_code == 412 and "ETag" in sent:
            found = self._request("HEAD", container, key, ok=(404,))
            return bool(found.headers.get("Etag", "").strip('"') == sent["ETag"])
        return False

    # -- paths ---------------------------------------------------------------------------------

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = str(path)
        for protocol in ("swift", "cloudfiles"):
            if path.startswith(protocol + "://"):
                path = path[len(protocol) + 3 :]
        return path.strip("/")

    def split_path(self, path: str) -> tuple[str, str]:
        """``(container, object name)``; the name is ``""`` for a container or the root."""
        path = self._strip_protocol(path)
        container, _, key = path.partition("/")
        return container, key

    # -- listing -------------------------------------------------------------------------------

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
            names = {entry["name"] for entry in entries}
            now = time.monotonic()  # the account listing shows every _segments container
            for name in names:
                self._segment_containers[name] = (name + SEGMENTS_SUFFIX in names, now)
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

    def lookup(self, path: str, length: int) -> tuple[dict[str, Any], bytes | None]:
        """One ranged GET of an object's first ``length`` bytes: its `info` (from the same
        headers a HEAD has, the size from Content-Range) and those bytes (None, unread, if
        the answer holds more).

        ``FileNotFoundError`` if there is no such object (a folder is none).
        """
        container, key = self.split_path(path)
        headers = {"Range": f"bytes=0-{length - 1}"}
        response = self._request(
            "GET", container, key, headers=headers, ok=(404, 416), stream=True, log=False
        )
        if response.status_code in (404, 416):
            response.close()
            if response.status_code == 404:
                raise FileNotFoundError(errno.ENOENT, "no such object", f"{container}/{key}")
            return self.info(path), b""  # an empty object has no byte 0
        info = info_from_headers(f"{container}/{key}", response.headers)
        total = response.headers.get("Content-Range", "").rpartition("/")[2]
        if total.isdigit():  # absent if the whole object came
            info["size"] = int(total)
        sent = response.headers.get("Content-Length", "")
        if not sent.isdigit() or int(sent) > length:  # the range was not kept to
            response.close()  # mid-body: the connection is dropped, nothing more is read
            return info, None
        return info, bytes(response.content)  # read whole: the connection is reused

    # -- reading and writing -------------------------------------------------------------------

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SwiftFile:
        if mode not in ("rb", "wb", "xb"):
            raise ValueError(f"Swift files open in 'rb', 'wb' or 'xb' mode, not {mode!r}")
        size = block_size or (
            self.blocksize if mode == "rb" else min(self.segment_size, WRITE_BUFFER_SIZE)
        )
        return SwiftFile(self, path, mode, size, autocommit, cache_options=cache_options, **kwargs)

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        """One GET (ranged if ``start``/``end`` are given); no HEAD first."""
        container, key = self.split_path(path)
        headers = {}
        if start is not None or end is not None:
            if (start is not None and start < 0) or (end is not None and end < 0):
                size = self.info(path)["size"]  # negative offsets count from the end
                start = size + start if start is not None and start < 0 else start
                end = size + end if end is not None and end < 0 else end
            first = max(start or 0, 0)
            if end is not None and end <= first:
                return b""
            headers["Range"] = f"bytes={first}-{'' if end is None else end - 1}"
        response = self._request("GET", container, key, headers=headers, ok=(416,))
        return b"" if response.status_code == 416 else bytes(response.content)

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        """One PUT carrying the attributes (large values go through a segmented write)."""
        if len(value) > self.segment_size:
            with self.open(path, "xb" if mode == "create" else "wb", **kwargs) as file:
                file.write(value)
            return
        container, key = self.split_path(path)
        headers = object_headers(**{k: v for k, v in kwargs.items() if k in ATTRIBUTE_OPTIONS})
        if mode == "create":
            headers["If-None-Match"] = "*"  # 412, FileExistsError, if the object exists
        headers["ETag"] = md5_hex(value)
        replaced = self._replaced_segments(container, key)
        self._request("PUT", container, key, data=value, headers=headers)
        self._delete_segments(replaced)

    def put_file(
        self, lpath: str, rpath: str, callback: Any = None, mode: str = "overwrite", **kwargs: Any
    ) -> None:
        """Upload a local file as `put_stream` does: streamed, memory one chunk."""
        if os.path.isdir(lpath):  # fsspec's put hands folders over too
            self.makedirs(rpath, exist_ok=True)
            return
        with open(lpath, "rb") as stream:
            size = self.put_stream(rpath, stream, mode, **kwargs)
        if callback is not None:
            callback.set_size(size)
            callback.relative_update(size)

    def put_stream(
        self, path: str, stream: IO[bytes], mode: str = "overwrite", **kwargs: Any
    ) -> int:
        """Upload a seekable binary stream, from its position to its end; returns the size.

        Up to 8 MiB: one PUT from memory. Up to ``segment_size`` (1 GiB): one PUT streamed
        from the stream; larger: segments of ``segment_size`` streamed likewise, then the
        manifest. Each PUT's MD5 (its ``ETag``, checked by Swift) is computed in a first pass
        over its bytes: the stream is read twice, memory holds one chunk (8 MiB).
        ``mode="create"`` fails (``FileExistsError``) if the object exists.

        Args:
            path: ``container/object``.
            stream: a seekable binary stream.
            mode: ``"overwrite"`` or ``"create"``.
            **kwargs: ``content_type``, ``content_disposition``, ``cache_control``, ``metadata``.

        Returns:
            The number of bytes uploaded.

        Raises:
            FileExistsError: ``mode="create"`` and the object exists.
            OSError: the upload failed after its retries (no object is left half-written).
        """
        start = stream.tell()
        size = stream.seek(0, 2) - start
        stream.seek(start)
        if size <= BLOCK_SIZE:
            data = stream.read()
            if isinstance(data, str):
                raise TypeError(TEXT_STREAM)
            self.pipe_file(path, data, mode, **kwargs)
            return size
        file = SwiftFile(
            self, path, "xb" if mode == "create" else "wb", WRITE_BUFFER_SIZE, **kwargs
        )
        file.put_seekable(stream, start, size, self.segment_size)
        return size

    def set_attributes(
        self,
        path: str,
        content_type: str | None = None,
        content_disposition: str | None = None,
        cache_control: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Replace every stored attribute of an object with these (one POST).

        Swift's object POST drops all metadata and stored headers it does not carry, so what
        is not given here is removed (the content type alone is kept when ``None``).

        Args:
            path: ``container/object``.
            content_type: the MIME type (None keeps the stored one).
            content_disposition: the ``Content-Disposition`` to store.
            cache_control: the ``Cache-Control`` to store.
            metadata: user metadata to store.

        Raises:
            FileNotFoundError: there is no such object.
        """
        container, key = self.split_path(path)
        headers = object_headers(content_type, content_disposition, cache_control, metadata)
        self._request("POST", container, key, headers=headers)

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

    # -- containers and removal ----------------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create a container (``FileExistsError`` if it exists); folders need no creation."""
        container, key = self.split_path(path)
        if key:
            if create_parents and not self.exists(container):
                self.mkdir(container)
            return
        response = self._request("PUT", container, headers=kwargs.get("headers", {}))
        if response.status_code == 202:
            raise FileExistsError(errno.EEXIST, "container exists", container)
        if not container.endswith(SEGMENTS_SUFFIX):  # new: the next minute's writes skip a HEAD
            self._segment_containers.setdefault(container, (False, time.monotonic()))

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        try:
            self.mkdir(path, create_parents=True)
        except FileExistsError:
            if not exist_ok:
                raise

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
        by_container: dict[str, list[str]] = {}
        for path in paths:
            container, key = self.split_path(path)
            by_container.setdefault(container, []).append(key)
        batch = self._bulk_delete_limit
        for container, keys in by_container.items():
            one_by_one = keys
            if batch and len(keys) > 1:
                has_segments = self._has_segments(container, fresh=True)
                large = self._large_objects(container, keys) if has_segments else set()
                if large is not None:  # the others go in bulk, large ones with their segments
                    plain = [key for key in keys if key not in large]
                    for first in range(0, len(plain), batch):
                        self._post_bulk_delete(container, plain[first : first + batch])
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

    # -- large objects' segments -----------------------------------------------------------

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
        by_container: dict[str, list[str]] = {}
        for path in paths:
            container, key = self.split_path(path)
            by_container.setdefault(container, []).append(key)
        for container, keys in by_container.items():
            try:
                if self._bulk_delete_limit and len(keys) > 1:
                    for first in range(0, len(keys), self._bulk_delete_limit):
                        self._post_bulk_delete(
                            container, keys[first : first + self._bulk_delete_limit]
                        )
                    continue
                for key in keys:
                    self._request("DELETE", container, key, ok=(404,))
            except (OSError, ClientException) as exc:
                logger.warning("%s: replaced segments stay (%s)", container, exc)

    def created(self, path: str) -> Any:
        raise NotImplementedError("Swift keeps no creation time")

    def modified(self, path: str) -> Any:
        return self.info(path)["last_modified"]


class CloudFilesFileSystem(SwiftFileSystem):
    """Rackspace Cloud Files: Swift behind Rackspace identity (user name and API key)."""

    protocol = ("cloudfiles",)
    default_auth_version = "rax"
    default_auth_url = RACKSPACE_AUTH_URL


_BY_STATUS: dict[int, tuple[type[OSError], int]] = {
    404: (FileNotFoundError, errno.ENOENT),
    401: (PermissionError, errno.EACCES),
    403: (PermissionError, errno.EACCES),
    409: (OSError, errno.ENOTEMPTY),
    412: (FileExistsError, errno.EEXIST),
}
"""The builtin error of an HTTP status; others are ``OSError(EIO)`` (ValueError: a bad request)."""


def _http_error(response: Any, path: str) -> Exception:
    """The builtin error for a Swift HTTP status (``FileNotFoundError`` for 404, ...)."""
    code = response.status_code
    reason = f"Swift answered HTTP {code}"
    body = (response.text or "").strip()
    if body and len(body) < 300 and "<html" not in body.lower():
        reason += f": {body}"
    if code == 422 and response.request is not None and "ETag" in response.request.headers:
        reason += " (the bytes it received do not have the MD5 sent: corrupted on the way)"
    elif code in (400, 411, 413, 422):
        return ValueError(f"{path}: {reason}")
    kind, number = _BY_STATUS.get(code, (OSError, errno.EIO))
    return kind(number, reason, path)
