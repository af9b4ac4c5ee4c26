"""`GoogleStorageDriver`: Google Cloud Storage (or any GCS-compatible server) through gcsfs.

Credentials are a service-account JSON file: ``key``, else ``GOOGLE_APPLICATION_CREDENTIALS``.
The same file signs V4 download URLs and POST policies offline and authenticates gcsfs.

gcsfs decides at import time whether ``gcsfs.GCSFileSystem`` is its experimental
zonal/hierarchical-namespace subclass (``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT``, on by default).
That subclass asks a gRPC control API for every bucket's layout, which GCS-compatible servers
and emulators cannot answer: every new bucket then waits for that call to time out. Importing
this module therefore sets ``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false`` unless you set it
yourself; to keep gcsfs's experimental features, set it to ``true`` before importing
cloudstorage. Worker processes (dask) inherit the setting from the environment; set it there
too if they import gcsfs before cloudstorage.

Requests, and why they differ from gcsfs's defaults: a blob of up to one chunk (8 MiB) is
uploaded in one multipart POST that carries its metadata, settings, ACL and MD5; a larger one
goes up in a resumable upload, as one streamed request from a file or seekable stream, else in
32 MiB chunks; its MD5 is checked after (an overwrite is staged unless the server checks the
MD5: `_overwrite`). `download_blob` reads with one streamed ``GET ?alt=media``
(``blob.open("rb", block_size=0)``: the same forward-only reader, as fsspec's HTTP filesystem's
for ``block_size=0``); gcsfs's file objects, which seek, look the object up first. `get_blob`
is a ranged ``GET ?alt=media`` that brings a small blob whole (`_lookup`: metadata, times and
etag load on first read). Listings ask for pages of 5,000.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import quote

from typing_extensions import Unpack

from cloudstorage.base import Blob, Container, Driver, errors, prefetch, transfer
from cloudstorage.base.settings import BlobSettings, DownloadGrant, UploadPolicy
from cloudstorage.drivers.google import _signing as _gcs_signing
from cloudstorage.drivers.google._names import blob_name_problem, bucket_name_problem
from cloudstorage.drivers.google._options import GoogleOptions, server_checks_md5
from cloudstorage.exceptions import CloudStorageError, CredentialsError
from cloudstorage.registry import requires_extra

HNS_ENV = "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"
os.environ.setdefault(HNS_ENV, "false")  # must precede gcsfs's import: see the module docstring

with requires_extra(__name__):
    import aiohttp
    import gcsfs
    import gcsfs.retry

    from cloudstorage.drivers.google import _credentials as _gcs_credentials
    from cloudstorage.drivers.google import _lookup as _gcs_lookup
    from cloudstorage.drivers.google import _media as _gcs_media
    from cloudstorage.drivers.google import _objects as _gcs_objects
    from cloudstorage.drivers.google import _overwrite as _gcs_overwrite
    from cloudstorage.drivers.google import _retry as _gcs_retry
    from cloudstorage.drivers.google._credentials import SCOPE  # noqa: F401  # public name
    from cloudstorage.drivers.google._errors import ERROR_TABLE
    from cloudstorage.drivers.google._errors import answer as _answer
    from cloudstorage.drivers.google._objects import FIXED_KEYS  # noqa: F401  # public name

__all__ = ["GoogleOptions", "GoogleStorageDriver"]

logger = logging.getLogger("cloudstorage")

PUBLIC_ENDPOINT = "https://storage.googleapis.com"
MAX_METADATA_BYTES = 8 * 1024  # custom metadata, keys and values together

# Our canned ACL names -> the JSON API's predefinedAcl values. The XML API (upload forms)
# takes our names as they are.
BUCKET_ACLS = {
    "private": "private",
    "public-read": "publicRead",
    "public-read-write": "publicReadWrite",
    "authenticated-read": "authenticatedRead",
    "project-private": "projectPrivate",
}
OBJECT_ACLS = {
    "private": "private",
    "public-read": "publicRead",
    "authenticated-read": "authenticatedRead",
    "bucket-owner-read": "bucketOwnerRead",
    "bucket-owner-full-control": "bucketOwnerFullControl",
    "project-private": "projectPrivate",
}
DEFAULT_ACL = "project-private"

LIST_PAGE_SIZE = 5000  # the most GCS returns per page (gcsfs asks for 1,000)


class GoogleStorageDriver(Driver):
    """Google Cloud Storage; ``endpoint_url`` points at any GCS-compatible server instead.

    Raises `CredentialsError` if the service-account file is missing or is not one.
    """

    name = "GOOGLESTORAGE"
    url = "https://cloud.google.com/storage"
    protocol = "gs"
    container_acls = frozenset(BUCKET_ACLS)
    blob_acls = frozenset(OBJECT_ACLS)
    max_url_lifetime = _gcs_signing.MAX_SIGNED_LIFETIME
    transport_errors = (aiohttp.ClientError,)
    create_only_uploads = True  # ifGenerationMatch=0

    options_type: ClassVar[Any] = GoogleOptions

    def __init__(
        self,
        key: str | None = None,
        *,
        secret: str | None = None,
        region: str | None = None,
        **kwargs: Unpack[GoogleOptions],
    ) -> None:
        # secret and region are taken, and mean nothing here, so that one call makes any driver
        key = key or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if not key:
            raise CredentialsError(
                "GoogleStorageDriver needs a service-account JSON file: pass key=PATH "
                "or set GOOGLE_APPLICATION_CREDENTIALS"
            )
        super().__init__(
            key=os.path.abspath(os.path.expanduser(key)), secret=secret, region=region, **kwargs
        )
        self.credentials = _gcs_credentials.load_credentials(self.key or "")
        self.project = kwargs.get("project") or self.credentials.project_id
        self.endpoint_url = (kwargs.get("endpoint_url") or "").rstrip("/") or None
        self.server_checks_md5 = server_checks_md5(kwargs)  # see `GoogleOptions`
        if gcsfs.GCSFileSystem is not gcsfs.core.GCSFileSystem and os.environ[HNS_ENV] != "true":
            logger.warning(
                "gcsfs was imported before cloudstorage with %s on: every new bucket "
                "may wait on a gRPC probe; set %s=false in the environment",
                HNS_ENV,
                HNS_ENV,
            )

    @property
    def storage_options(self) -> dict[str, Any]:
        """gcsfs options: the key file, project and endpoint, and no listings cache.

        gcsfs's listings cache goes stale when another process writes (and a cached root
        listing makes ``info`` of a new bucket fail), so it is off.
        """
        retry = self.retry_options
        options: dict[str, Any] = {
            "token": self.key,
            "project": self.project,
            "use_listings_cache": False,
            "requests_timeout": retry.timeout,
            "retries": retry.retries,  # read by `_gcs_retry`: gcsfs itself ignores them
            "retry_backoff": retry.retry_backoff,
        }
        if self.endpoint_url:
            options["endpoint_url"] = self.endpoint_url
        return options

    @cached_property
    def fs(self) -> Any:
        """gcsfs's filesystem, retrying with the driver's options (see `_gcs_retry`)."""
        return _gcs_retry.install(super().fs)

    @cached_property
    def client(self) -> Any:
        """A ``google.cloud.storage.Client`` with the driver's credentials and endpoint."""
        # Imported here: heavy, and needed only for signing and `client` users.
        from google.cloud import storage  # type: ignore[import-untyped]  # noqa: PLC0415  # ships no types

        options = {"api_endpoint": self.endpoint_url} if self.endpoint_url else None
        return storage.Client(
            project=self.project, credentials=self.credentials, client_options=options
        )

    @property
    def public_endpoint(self) -> str:
        """Where buckets are served over HTTP (signed URLs, upload forms, CDN URLs)."""
        return self.endpoint_url or PUBLIC_ENDPOINT

    @property
    def regions(self) -> list[str]:
        """GCS locations are chosen per bucket; the driver keeps no region list."""
        return []

    # -- errors and validation ----------------------------------------------------------

    def _translate_error(self, exc: Exception, target: str) -> CloudStorageError | None:
        answer = _answer(exc)
        if answer is None:
            return super()._translate_error(exc, target)
        detail = f"{answer} not empty" if "not empty" in str(exc).lower() else None
        return errors.lookup(ERROR_TABLE, detail, answer)(target, str(exc))

    def _validate_container_name(self, name: str) -> None:
        """GCS bucket naming rules (cloud.google.com/storage/docs/buckets#naming)."""
        super()._validate_container_name(name)
        problem = bucket_name_problem(name)
        if problem:
            raise CloudStorageError(f"invalid GCS bucket name {name!r}: {problem}")

    def _validate_blob_name(self, name: str) -> None:
        """GCS object naming rules (cloud.google.com/storage/docs/objects#naming)."""
        super()._validate_blob_name(name)
        problem = blob_name_problem(name)
        if problem:
            raise CloudStorageError(f"invalid GCS blob name {name[:64]!r}: {problem}")

    def _validate_meta_data(self, meta_data: Mapping[str, str] | None) -> dict[str, str]:
        checked = super()._validate_meta_data(meta_data)
        size = sum(len(k.encode()) + len(v.encode()) for k, v in checked.items())
        if size > MAX_METADATA_BYTES:
            raise CloudStorageError(f"GCS custom metadata is limited to 8 KiB, not {size} bytes")
        return checked

    def _check_credentials(self) -> None:
        self.credentials.refresh(_gcs_credentials.auth_request())  # type: ignore[no-untyped-call]  # google-auth
        self.fs.ls("", detail=False)

    # -- mapping between gcsfs's object resources and blobs ---------------------------

    def _blob_fields(self, info: Mapping[str, Any]) -> dict[str, Any]:
        return _gcs_objects.blob_fields(info)

    def _blob_info(self, container: str, blob: str) -> dict[str, Any]:
        # One GET; gcsfs's info() also lists the prefix, in parallel, to find folders.
        with self._errors(container, blob):
            resource = self.fs.call("GET", "b/{}/o/{}", container, blob, json_out=True)
        info: dict[str, Any] = self.fs._process_object(container, resource)
        return info

    def _blob_lookup(self, container: str, blob: str) -> tuple[dict[str, Any], bytes | None]:
        with self._errors(container, blob):  # one ranged media GET: see `_gcs_lookup`
            path, by_json = self._path(container, blob), lambda: self._blob_info(container, blob)
            return _gcs_lookup.lookup(self.fs, path, prefetch.HEAD_BYTES, by_json)

    def _write_options(self, settings: BlobSettings, extra: Mapping[str, Any]) -> dict[str, Any]:
        acl = OBJECT_ACLS[settings.acl] if settings.acl else None
        return _gcs_objects.write_options(settings, acl)

    def _put(
        self, source: transfer.Source, path: str, options: dict[str, Any], overwrite: bool
    ) -> int:
        """Up to one chunk in one multipart POST, more in a resumable upload (`_transfer`); an
        overwrite as `_overwrite` says. The settings, metadata and ACL travel with the first
        request; the MD5 of the bytes sent is checked against the one stored. Create-only:
        ``ifGenerationMatch=0`` (a 412, gcsfs's ``FileExistsError``, if the object exists)."""
        bucket, key, _ = self.fs.split_path(path)
        resource = _gcs_objects.upload_resource(key, options)
        params = {"name": key, "predefinedAcl": options.get("acl"), **options.get("query", {})}
        if not overwrite:
            params["ifGenerationMatch"] = 0
        stored, sent_md5, size = _gcs_overwrite.upload(
            self.fs, bucket, resource, params, source, self.server_checks_md5
        )
        self.fs.invalidate_cache(path)
        _gcs_objects.check_stored_md5(self.fs, bucket, key, stored, sent_md5)
        return size

    def _copy_within(self, blob: Blob, source: str, target: str, overwrite: bool) -> None:
        """Rewrite, repeated with its token until done (one request for most objects)."""
        _gcs_objects.rewrite(self.fs, source, target, overwrite)
        self.fs.invalidate_cache(target)

    def _write_attributes(self, path: str, settings: BlobSettings) -> None:
        """One PATCH; a second only to drop metadata keys the new settings do not keep."""
        acl = OBJECT_ACLS[settings.acl] if settings.acl else None
        _gcs_objects.write_attributes(self.fs, path, settings, acl)

    def _get(self, blob: Blob, sink: transfer.Sink) -> None:
        # one streamed GET; the sink checks its bytes against the CRC32C (else MD5) the
        # response reports, a cheaper pass than the MD5 the listing may show
        path = self._path(blob.container.name, blob.name)
        with _gcs_media.MediaReader(self.fs, path) as reader:
            digest = reader.digest()
            if digest is not None:
                sink.expect(digest)
            transfer.copy_stream(reader, sink)

    def _open_file(self, blob: Blob, mode: str, options: dict[str, Any]) -> Any:
        """With ``block_size=0``, a forward-only reader on one streamed ``GET ?alt=media``.

        Its bytes are checked against the CRC32C (else MD5) the response reports. Otherwise
        gcsfs's seekable file (it looks the object up first: two more requests).
        """
        if mode == "rb" and options == {"block_size": 0}:
            path = self._path(blob.container.name, blob.name)
            return _gcs_media.MediaReader(self.fs, path, verify=True)
        return super()._open_file(blob, mode, options)

    def _list_infos(self, container: str, prefix: str) -> Iterator[Mapping[str, Any]]:
        return _gcs_objects.list_infos(self.fs, container, prefix, LIST_PAGE_SIZE)

    # -- containers -------------------------------------------------------------------

    def _create_container(self, name: str, acl: str | None, meta_data: dict[str, str]) -> None:
        labels = {"labels": meta_data} if meta_data else {}
        self.fs.mkdir(  # 409 for an existing bucket: `ERROR_TABLE` says `AlreadyExistsError`
            name,
            acl=BUCKET_ACLS[acl or DEFAULT_ACL],
            default_acl=OBJECT_ACLS[DEFAULT_ACL],
            **labels,
        )

    def get_container(self, container_name: str) -> Container:
        """One GET of the bucket, its status read by `ERROR_TABLE` (gcsfs's ``info`` answers
        any refused GET with a listing, and an empty listing with "not found").

        A 403 is confirmed by listing one object: a key that may list objects but not read
        the bucket's resource (Storage Object Viewer) still finds its bucket.
        """
        self._validate_container_name(container_name)
        with self._errors(container_name):
            try:
                info = self.fs.call("GET", "b/{}", container_name, json_out=True)
            except OSError as exc:
                if _answer(exc) != 403:
                    raise
                self.fs.call("GET", "b/{}/o", container_name, maxResults=1, json_out=True)
                info = {"name": container_name}
        return self._container_from_info(info)

    def _container_from_info(self, info: Mapping[str, Any]) -> Container:
        created = info.get("timeCreated")
        return Container(
            info["name"].rstrip("/"),
            self,
            meta_data=info.get("labels"),
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
        )

    def _patch_container(self, container: Container) -> None:
        params = {"predefinedAcl": BUCKET_ACLS[container.acl]} if container.acl else {}
        body = {"labels": dict(container.meta_data)}
        self.fs.call("PATCH", "b/{}", container.name, json=body, **params)

    def delete_container(self, container: Container) -> None:
        """Delete an empty bucket; `IsNotEmptyError` (deleting nothing) if it holds blobs."""
        with self._errors(container.name):
            try:
                self.fs.rmdir(container.name)
            except FileExistsError as exc:  # gcsfs's 412 (fake-gcs-server; GCS answers 409)
                raise errors.NOT_EMPTY(errors.describe(container.name)) from exc

    def _set_bucket_acls(self, container: Container, acl: str) -> None:
        with self._errors(container.name):
            self.fs.call(
                "PATCH",
                "b/{}",
                container.name,
                json={},
                predefinedAcl=acl,
                predefinedDefaultObjectAcl=acl,
            )

    def enable_container_cdn(self, container: Container) -> bool:
        """Make the bucket and its new objects publicly readable (GCS serves them cached)."""
        self._set_bucket_acls(container, "publicRead")
        return True

    def disable_container_cdn(self, container: Container) -> bool:
        """Make the bucket and its new objects project-private again."""
        self._set_bucket_acls(container, "projectPrivate")
        return True

    def container_cdn_url(self, container: Container) -> str:
        return f"{self.public_endpoint}/{container.name}"

    def blob_cdn_url(self, blob: Blob) -> str:
        return f"{self.public_endpoint}/{blob.container.name}/{quote(blob.name, safe='/~')}"

    # -- signing (offline, with the service-account key) -------------------------------

    def _download_url(self, blob: Blob, grant: DownloadGrant) -> str:
        """A V4 signed URL; ``extra`` may carry ``content_type`` and ``version`` (generation)."""
        return _gcs_signing.grant_url(
            self.client,
            self.credentials,
            self.public_endpoint,
            blob.container.name,
            blob.name,
            grant,
        )

    def _put_url(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A V4 signed PUT; its headers (content type, ``x-goog-meta-*``) are signed too."""
        return _gcs_signing.put_url(
            self.client, self.credentials, self.public_endpoint, container.name, policy
        )

    def _upload_form(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A V4 POST policy: ``{'url': bucket URL, 'fields': {...}}`` for a multipart form.

        Every field is an exact-match condition of the policy; ``content_length`` adds a
        ``content-length-range``.
        """
        return _gcs_signing.policy_form(
            self.client, self.credentials, self.public_endpoint, container.name, policy
        )
