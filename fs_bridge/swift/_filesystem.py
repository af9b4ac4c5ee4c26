"""`SwiftFileSystem` and `CloudFilesFileSystem`: the options, reads and writes (see the package
docstring of `fs_bridge.swift` for the whole story: logins, faults, costs, large objects)."""

from __future__ import annotations

import errno
import os
from typing import IO, Any

from fs_bridge.swift._auth import RACKSPACE_AUTH_URL
from fs_bridge.swift._copy import Copying
from fs_bridge.swift._file import BLOCK_SIZE, TEXT_STREAM, WRITE_BUFFER_SIZE, SwiftFile
from fs_bridge.swift._headers import (
    ATTRIBUTE_OPTIONS,
    info_from_headers,
    md5_hex,
    object_headers,
)
from fs_bridge.swift._remove import Removal
from fs_bridge.swift._retry import RetryPolicy

__all__ = ["CloudFilesFileSystem", "SwiftFileSystem"]

MIB = 2**20
SEGMENT_SIZE = 1024 * MIB
LISTING_PAGE_SIZE = 10_000
TIMEOUT = 60.0


class SwiftFileSystem(Copying, Removal):
    """An OpenStack Swift account: containers, then objects with ``/`` as folder separator."""

    protocol: tuple[str, ...] = ("swift",)
    root_marker = ""

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

    # -- reading and writing -------------------------------------------------------------------

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

    # -- containers ----------------------------------------------------------------------------

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
        self._note_new_container(container)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        try:
            self.mkdir(path, create_parents=True)
        except FileExistsError:
            if not exist_ok:
                raise

    def created(self, path: str) -> Any:
        raise NotImplementedError("Swift keeps no creation time")

    def modified(self, path: str) -> Any:
        return self.info(path)["last_modified"]


class CloudFilesFileSystem(SwiftFileSystem):
    """Rackspace Cloud Files: Swift behind Rackspace identity (user name and API key)."""

    protocol = ("cloudfiles",)
    default_auth_version = "rax"
    default_auth_url = RACKSPACE_AUTH_URL
