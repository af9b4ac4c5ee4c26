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
the first failure, doubling (`RetryPolicy`). Every Swift request is idempotent (an object PUT
carries the whole object, a POST all its metadata), so every method is retried. Bytes sent in
one PUT carry their MD5 as ``ETag``: Swift refuses them (HTTP 422) if corrupted on the way.

Costs: a listing is one GET per 10,000 entries (``listing_page_size``); ``info`` one HEAD; reads
are ranged GETs of ``block_size`` bytes (8 MiB); a write holds at most ``segment_size`` bytes
(32 MiB): smaller objects go up in one PUT on ``close()``, larger ones as segments in the
container ``<container>_segments`` tied by a static large object manifest written on
``close()`` (segments are deleted if the upload fails, and with the manifest).
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from functools import cached_property
from typing import Any
from urllib.parse import quote

from fsspec.spec import AbstractFileSystem

from fs_bridge._swift_auth import RACKSPACE_AUTH_URL, SwiftAuth
from fs_bridge._swift_file import BLOCK_SIZE, SwiftFile
from fs_bridge._swift_headers import (
    ATTRIBUTE_OPTIONS,
    CONTAINER_META_PREFIX,
    info_from_headers,
    md5_hex,
    metadata_from_headers,
    object_headers,
    parse_timestamp,
)
from fs_bridge._swift_retry import RetryPolicy

__all__ = ["CloudFilesFileSystem", "SwiftFile", "SwiftFileSystem"]

MIB = 2**20
SEGMENT_SIZE = 32 * MIB
LISTING_PAGE_SIZE = 10_000
TIMEOUT = 60.0


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
        """The catalog's URL of another service (say ``rax:object-cdn``), or None."""
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

        Retried on connection faults and busy answers: see `RetryPolicy`.
        """
        url = "/" + quote(container, safe="") if container else ""
        if key:
            url += "/" + quote(key, safe="/")
        response = self.retry.send(
            lambda: self.store.request(url, method, **kwargs), f"{method} {url}"
        )
        if response.status_code < 300 or response.status_code in ok:
            return response
        raise _http_error(response, path or f"{container}/{key}".rstrip("/"))

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
        size = block_size or (self.blocksize if mode == "rb" else self.segment_size)
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
        self._request("PUT", container, key, data=value, headers=headers)

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
        """
        container, key = self.split_path(path)
        headers = object_headers(content_type, content_disposition, cache_control, metadata)
        self._request("POST", container, key, headers=headers)

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Server-side copy (one PUT with ``X-Copy-From``): bytes and attributes."""
        source, source_key = self.split_path(path1)
        container, key = self.split_path(path2)
        copy_from = "/" + quote(source, safe="") + "/" + quote(source_key, safe="/")
        try:
            self._request(
                "PUT", container, key, headers={"X-Copy-From": copy_from, "Content-Length": "0"}
            )
        except FileNotFoundError:
            if source_key and self.isdir(path1):
                return  # a folder: it appears with the objects copied into it
            raise

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
        container, key = self.split_path(path)
        if not key:
            raise IsADirectoryError(errno.EISDIR, "a container is not a file", path)
        response = self._request("HEAD", container, key)
        params = {}
        if response.headers.get("X-Static-Large-Object", "").lower() == "true":
            params["multipart-manifest"] = "delete"  # the segments go with the manifest
        self._request("DELETE", container, key, params=params)

    def _rm(self, path: str) -> None:
        self.rm_file(path)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        for name in reversed(self.expand_path(path, recursive=recursive, maxdepth=maxdepth)):
            container, key = self.split_path(name)
            if not key:
                self.rmdir(container)
                continue
            # missing: a folder (it goes with its objects), or removed meanwhile
            with contextlib.suppress(FileNotFoundError):
                self.rm_file(name)

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
