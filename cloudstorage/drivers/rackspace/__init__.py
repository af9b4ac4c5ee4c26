"""OpenStack Swift and Rackspace Cloud Files, on the ``swift://`` / ``cloudfiles://`` filesystems.

Both drivers are one implementation over `fs_bridge.swift`, which holds the openstacksdk
``Connection`` (``driver.conn``) every request goes through; they differ only in how they log
in: `SwiftDriver` with TempAuth v1 or Keystone v3 at ``auth_url``, `CloudFilesDriver` with a
Rackspace user name and API key at Rackspace identity (or another ``auth_url``).

Signed URLs are Swift TempURLs and upload forms Swift FormPosts, both HMAC-SHA256 by default
(``digest`` option: ``sha1``, ``sha256``, ``sha512``), signed with the account's first
Temp-URL key: the ``temp_url_key`` option, else the account's key, else a random key this
driver sets on the account. Metadata keys are stored as header names with every character
other than letters, digits and ``-`` percent-encoded (``owner_id`` -> ``owner%5Fid``), so any
key round-trips; they read back in lower case.

CDN: where the service catalog has Rackspace's CDN service (``rax:object-cdn``) it is used;
on plain Swift, ``enable_cdn()`` makes the container publicly readable
(``X-Container-Read: .r:*``) and its CDN URL is its storage URL.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from typing_extensions import Unpack

from cloudstorage.base import Blob, Container, Driver, errors, prefetch, transfer
from cloudstorage.base.options import option_names
from cloudstorage.base.settings import DownloadGrant, UploadPolicy, settings_fields
from cloudstorage.drivers.rackspace import _signing as signing
from cloudstorage.drivers.rackspace._options import (
    CloudFilesOptions,
    SwiftFilesystemOptions,
    SwiftOptions,
)
from cloudstorage.exceptions import (
    CloudStorageError,
)
from cloudstorage.registry import requires_extra

with requires_extra(__name__):
    from keystoneauth1 import exceptions as ks_exceptions
    from openstack import exceptions as os_exceptions

    from cloudstorage.drivers.rackspace import _urls as cdn
    from cloudstorage.drivers.rackspace._urls import MAX_FORM_FILE_SIZE  # noqa: F401  # public
    from fs_bridge.swift._auth import RACKSPACE_AUTH_URL, RACKSPACE_CDN
    from fs_bridge.swift._headers import CONTAINER_META_PREFIX, check_metadata

__all__ = ["CloudFilesDriver", "CloudFilesOptions", "SwiftDriver", "SwiftOptions"]

logger = logging.getLogger("cloudstorage")

MAX_CONTAINER_NAME_BYTES = 256
MAX_OBJECT_NAME_BYTES = 1024
ERROR_TABLE: dict[int | str, errors.Rule] = {
    404: errors.NOT_FOUND,
    401: errors.REFUSED,
    403: errors.REFUSED,
    409: errors.NOT_EMPTY,  # Swift's answer to deleting a container that holds objects
    412: errors.EXISTS,  # If-None-Match: * met an object (create-only)
    "login 401": errors.REFUSED,
    "login 403": errors.REFUSED,
}
"""What Swift answered (`_answer`: the HTTP status of openstacksdk's request, or of the login)
→ our exception; anything else (a failed connection, an unexpected status) is `errors.FAILED`.
The ``swift`` filesystem raises builtins (`errors.BUILTIN_ERRORS`: 404 ``FileNotFoundError``,
412 ``FileExistsError``, ...) that the base table translates."""
TEMP_URL_KEYS = ("X-Account-Meta-Temp-Url-Key", "X-Account-Meta-Temp-Url-Key-2")


class SwiftDriver(Driver):
    """Any OpenStack Swift: ``key`` is the user (``account:user`` for TempAuth), ``secret``
    the password or key.

    ``auth_url`` is TempAuth's ``.../auth/v1.0`` (``auth_version="1"``, the default) or
    Keystone's ``.../v3`` (``auth_version="3"`` with ``project_name`` and the domain options,
    ``region`` picking the catalog's object store). Other options: ``temp_url_key``,
    ``digest``, ``segment_size`` (uploads from a path or seekable stream up to this size,
    1 GiB, are one streamed PUT, larger ones segments of it; other streams go in segments of
    at most 32 MiB), and ``retries``, ``retry_backoff``, ``timeout`` for failed, throttled or
    slow requests (see `fs_bridge.swift`).
    """

    name = "SWIFT"
    url = "https://docs.openstack.org/swift/"
    protocol = "swift"
    batched_deletes = True  # the bulk middleware's POST ?bulk-delete, where the cluster has it
    server_side_create_only = False
    create_only_uploads = True  # If-None-Match: * on the PUT
    """Swift's copy sends ``If-None-Match`` to the source's GET (answered 304), not to the
    write: a create-only copy streams through the client, its PUT create-only."""
    container_acls: ClassVar[frozenset[str] | None] = frozenset()  # no canned ACLs in Swift
    blob_acls: ClassVar[frozenset[str] | None] = frozenset()

    default_auth_version: ClassVar[str] = "1"
    options_type: ClassVar[Any] = SwiftOptions
    _FS_OPTIONS = option_names(SwiftFilesystemOptions)
    """The options ``storage_options`` hands to the filesystem as they are."""

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        region: str | None = None,
        **kwargs: Unpack[SwiftOptions],
    ) -> None:
        super().__init__(key=key, secret=secret, region=region, **kwargs)
        self.auth_url = kwargs.get("auth_url")
        self.auth_version = str(kwargs.get("auth_version") or self.default_auth_version)
        self.digest: str = kwargs.get("digest", "sha256")
        if self.digest not in signing.DIGESTS:
            raise CloudStorageError(f"digest must be one of {signing.DIGESTS}: {self.digest!r}")
        self._signing_key: str | None = kwargs.get("temp_url_key")

    @property
    def storage_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"auth_version": self.auth_version}
        for name, value in (
            ("auth_url", self.auth_url),
            ("user", self.key),
            ("key", self.secret),
            ("region", self.region),
        ):
            if value is not None:
                options[name] = value
        options.update({k: v for k, v in self.options.items() if k in self._FS_OPTIONS})
        retry = self.retry_options  # always stated, so fsspec users see the same budget
        options.update(
            retries=retry.retries, retry_backoff=retry.retry_backoff, timeout=retry.timeout
        )
        return options

    @property
    def conn(self) -> Any:
        """The openstacksdk ``Connection`` of ``fs`` (one keystoneauth session)."""
        return self.fs.conn

    @property
    def object_store(self) -> Any:
        """openstacksdk's object-store proxy on ``conn``."""
        return self.fs.conn.object_store

    @property
    def storage_url(self) -> str:
        """The account's URL (``.../v1/AUTH_account``)."""
        url: str = self.object_store.get_endpoint()
        return url.rstrip("/")

    # -- errors -------------------------------------------------------------------------------

    def _translate_error(self, exc: Exception, target: str) -> CloudStorageError | None:
        answer = _answer(exc)
        if answer is None:
            return super()._translate_error(exc, target)
        return errors.lookup(ERROR_TABLE, answer)(target, errors.reason_of(exc))

    # -- validation ---------------------------------------------------------------------------

    def _validate_container_name(self, name: str) -> None:
        super()._validate_container_name(name)
        if "/" in name or len(name.encode()) > MAX_CONTAINER_NAME_BYTES:
            raise CloudStorageError(
                f"container name {name!r} must hold no '/' and at most 256 bytes of UTF-8"
            )

    def _validate_blob_name(self, name: str) -> None:
        super()._validate_blob_name(name)
        if len(name.encode()) > MAX_OBJECT_NAME_BYTES:
            raise CloudStorageError(f"blob name {name[:40]!r}... exceeds 1024 bytes of UTF-8")

    def _validate_meta_data(self, meta_data: Mapping[str, str] | None) -> dict[str, str]:
        checked = super()._validate_meta_data(meta_data)
        try:
            check_metadata(checked)
        except ValueError as exc:
            raise CloudStorageError(str(exc)) from exc
        return checked

    # -- the mapping between the swift filesystem and blobs -----------------------------------

    def _blob_fields(self, info: Mapping[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "etag": info.get("etag"),
            "modified_at": info.get("last_modified"),
            "acl": None,
            "created_at": None,  # Swift keeps no creation time
            "expires_at": None,
        }
        if info.get("md5"):
            fields["checksum"] = info["md5"]
        if info.get("content_type"):  # listings carry it too
            fields["content_type"] = info["content_type"]
        if "metadata" in info:  # a HEAD; a listing entry lacks these
            fields.update(settings_fields(info))
        return fields

    def _blob_lookup(self, container: str, blob: str) -> tuple[dict[str, Any], bytes | None]:
        # a ranged GET instead of the HEAD: the same headers, and a small blob whole
        with self._errors(container, blob):
            info, body = self.fs.lookup(self._path(container, blob), prefetch.HEAD_BYTES)
        return info, body

    def _list_infos(self, container: str, prefix: str) -> Iterator[Mapping[str, Any]]:
        # pages with marker, lazily (`SwiftFileSystem.iter_objects`); Swift filters by prefix
        return self.fs.iter_objects(container, prefix)  # type: ignore[no-any-return]

    def _get(self, blob: Blob, sink: transfer.Sink) -> None:
        # one streamed GET read chunk by chunk (with no size known, its answer gives it)
        reader = self._open_file(blob, "rb", {"stream": True, "cache_type": "none"})
        with reader:
            transfer.copy_stream(reader, sink)
            sink.expect_md5(reader.served_md5)  # the GET's ETag: an object sent in one PUT

    def _open_file(self, blob: Blob, mode: str, options: dict[str, Any]) -> Any:
        if mode.startswith("r") and blob.size:  # a known size spares the HEAD (0: maybe unknown)
            options = {"size": blob.size, **options}
        return super()._open_file(blob, mode, options)

    def _put(
        self, source: transfer.Source, path: str, options: dict[str, Any], overwrite: bool
    ) -> int:
        # a path, or a stream that can be read twice; create-only: If-None-Match: * on the PUT
        # (or the large object's manifest PUT), 412 if it exists
        if source.seekable:
            mode = "overwrite" if overwrite else "create"
            size: int = self.fs.put_stream(path, source.stream, mode, **options)
            return size
        return super()._put(source, path, options, overwrite)

    # -- containers ---------------------------------------------------------------------------

    def _create_container(self, name: str, acl: str | None, meta_data: dict[str, str]) -> None:
        headers = check_metadata(meta_data, CONTAINER_META_PREFIX)
        self.fs.mkdir(name, create_parents=False, headers=headers)

    def _container_from_info(self, info: Mapping[str, Any]) -> Container:
        return Container(info["name"], self, meta_data=info.get("metadata"))

    def _patch_container(self, container: Container) -> None:
        # A container POST only adds keys: the ones dropped are removed by name.
        headers = check_metadata(container.meta_data, CONTAINER_META_PREFIX)
        stored = self.fs.info(container.name).get("metadata") or {}
        gone = check_metadata({k: "" for k in stored if k not in container.meta_data}, "")
        headers.update({f"X-Remove-Container-Meta-{key}": "1" for key in gone})
        if headers:
            self.fs._request("POST", container.name, headers=headers)

    def _cdn_endpoint(self) -> str | None:
        url: str | None = self.fs.service_url(RACKSPACE_CDN)
        return url.rstrip("/") if url else None

    def enable_container_cdn(self, container: Container) -> bool:
        """Publish the container: Rackspace CDN where the catalog has it, else ``.r:*`` reads."""
        return self._set_cdn(container, enabled=True)

    def disable_container_cdn(self, container: Container) -> bool:
        """Stop publishing the container (removes ``X-Container-Read`` on plain Swift)."""
        return self._set_cdn(container, enabled=False)

    def _set_cdn(self, container: Container, enabled: bool) -> bool:
        return cdn.set_cdn(self, container, enabled)

    def container_cdn_url(self, container: Container) -> str:
        """The container's public URL; `CloudStorageError` until its CDN is enabled."""
        return cdn.container_cdn_url(self, container)

    def blob_cdn_url(self, blob: Blob) -> str:
        """The blob's public URL under its container's CDN URL."""
        return f"{self.container_cdn_url(blob.container)}/{quote(blob.name, safe='/')}"

    # -- temporary URL keys -------------------------------------------------------------------

    def get_account_temp_url_keys(self) -> tuple[str | None, str | None]:
        """The account's two TempURL / FormPost signing keys (None where unset).

        Returns:
            ``(Temp-URL-Key, Temp-URL-Key-2)`` of the account.

        Raises:
            CredentialsError: the login or the request was refused.
            CloudStorageError: the request failed.
        """
        with self._errors():
            headers = self.fs._request("HEAD", path="account").headers
        return headers.get(TEMP_URL_KEYS[0]), headers.get(TEMP_URL_KEYS[1])

    def set_account_temp_url_keys(
        self, temp_url_key: str | None = None, temp_url_key_2: str | None = None
    ) -> tuple[str | None, str | None]:
        """Set either signing key (``None`` keeps it, ``""`` removes it); returns both.

        Args:
            temp_url_key: the first key (``None`` keeps it, ``""`` removes it).
            temp_url_key_2: the second key (likewise).

        Returns:
            Both keys as the account now holds them.

        Raises:
            CredentialsError: the login or the request was refused (setting keys needs an
                account admin).
            CloudStorageError: the request failed.
        """
        headers = {
            header: value
            for header, value in zip(TEMP_URL_KEYS, (temp_url_key, temp_url_key_2), strict=True)
            if value is not None
        }
        if headers:
            with self._errors():
                self.fs._request("POST", headers=headers, path="account")
            self._signing_key = None
        return self.get_account_temp_url_keys()

    def _temp_url_key(self) -> str:
        """The account's signing key, set to a new random one where it has none."""
        return cdn.temp_url_key(self)

    # -- signed URLs and forms ----------------------------------------------------------------

    def _download_url(self, blob: Blob, grant: DownloadGrant) -> str:
        """A TempURL. Swift sets only a disposition type and file name on the response:
        ``content_disposition`` becomes ``inline`` or ``attachment; filename=...`` (the blob's
        name when none is given); ``extra['content_type']`` cannot be honoured and is ignored.
        """
        return cdn.download_url(self, blob, grant)

    def _put_url(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A TempURL for ``PUT``; the content type and ``X-Object-Meta-*`` headers to send."""
        return cdn.put_url(self, container, policy)

    def _upload_form(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A Swift FormPost: post the fields and a file part to ``url``.

        As in cloudstorage 0.10, ``blob_name`` is a *prefix*: the blob is named ``blob_name``
        followed by the submitted file's name (``"*"``: the file's name alone).
        ``content_length``'s maximum is enforced (Swift has no minimum); ``content_type`` is
        stored. Swift's FormPost cannot store metadata, disposition or cache control: set them
        afterwards with `Blob.patch`. ``extra['success_action_redirect']`` is where the browser
        goes after the upload (with ``?status=...&message=...``).
        """
        return cdn.upload_form(self, container, policy)


class CloudFilesDriver(SwiftDriver):
    """Rackspace Cloud Files: ``key`` is the Rackspace user name, ``secret`` its API key.

    ``region`` is one of `regions`; ``auth_url`` (default: Rackspace identity) lets tests and
    private clouds point the login elsewhere.
    """

    name = "CLOUDFILES"
    url = "https://www.rackspace.com/cloud/files"
    protocol = "cloudfiles"
    default_auth_version = "rax"
    REGIONS: ClassVar[tuple[str, ...]] = ("DFW", "ORD", "IAD", "LON", "SYD", "HKG")

    def __init__(
        self,
        key: str,
        secret: str | None = None,
        region: str = "IAD",
        **kwargs: Unpack[CloudFilesOptions],
    ) -> None:
        region = str(region or "").upper()
        if region not in self.REGIONS:
            raise CloudStorageError(
                f"region {region!r} is not a Cloud Files region: {', '.join(self.REGIONS)}"
            )
        kwargs.setdefault("auth_url", RACKSPACE_AUTH_URL)
        kwargs.setdefault("auth_version", "rax")
        super().__init__(key=key, secret=secret, region=region, **kwargs)

    @property
    def regions(self) -> list[str]:
        """Rackspace's Cloud Files regions."""
        return list(self.REGIONS)


def _answer(exc: BaseException) -> int | str | None:
    """The key of `ERROR_TABLE` for ``exc``; None for an error that is not Swift's answer."""
    if isinstance(exc, os_exceptions.HttpException):  # a request on ``conn``
        return exc.status_code or "no status"
    if isinstance(exc, ks_exceptions.HttpError):  # the login
        return f"login {exc.http_status}"
    if isinstance(exc, ks_exceptions.ClientException):  # connection failures and the like
        return "login failed"
    if type(exc) is OSError and exc.errno == errno.EIO:  # the swift filesystem: another status
        return "unexpected status"
    return None
