"""Amazon S3 and S3-compatible services (any ``endpoint_url``, DigitalOcean Spaces, Backblaze B2).

I/O goes through s3fs (protocol ``s3``); ``storage_options`` carries the credentials, region and
endpoint, so ``pandas.read_csv(blob.uri, storage_options=driver.storage_options)`` reaches the
same server. What s3fs has no verb for (presigned URLs and POST forms, ACLs, copy-in-place for
`patch_blob`) uses s3fs's own client, or, for signing, boto3 objects built once from the same
configuration.

Metadata values that are not printable ASCII are stored as RFC 2047 encoded words (as S3
itself answers for UTF-8 metadata) and decoded on read. A blob streamed from a file object is
uploaded in parts of 8 MiB, so such a stream may hold up to 80 GB (S3 allows 10,000 parts);
uploads from a path pick a larger part size when the file needs it. Transfers run four parts
or ranges at a time on s3fs's client, with Content-MD5 on every part and the MD5 each GET
answer vouches for checked on every download (`_s3_transfer`).

Differs from cloudstorage 0.10 on purpose: presigned URLs and forms are always SigV4
(``X-Amz-Date``/``X-Amz-Expires``, at most 7 days), and a POST form for ``""`` or a prefix
has the key ``prefix${filename}`` (0.10's rule for GCS, now everywhere).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar

from typing_extensions import Unpack

from cloudstorage.base import Blob, Container, Driver, errors, prefetch, transfer
from cloudstorage.base.blob import UNSET
from cloudstorage.base.settings import BlobSettings, DownloadGrant, UploadPolicy, check_acl
from cloudstorage.drivers.amazon import _copy as s3_copy
from cloudstorage.drivers.amazon import _rules as rules
from cloudstorage.drivers.amazon import _urls as urls
from cloudstorage.drivers.amazon._options import S3Options
from cloudstorage.exceptions import CloudStorageError, CredentialsError
from cloudstorage.registry import requires_extra

with requires_extra(__name__):
    import aiohttp
    import boto3  # type: ignore[import-untyped]  # noqa: F401  # missing: name the extra
    import s3fs  # noqa: F401  # the "s3" protocol's filesystem: missing, name the extra
    from botocore.exceptions import (  # type: ignore[import-untyped]  # untyped, as boto3
        BotoCoreError,
        ClientError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    from cloudstorage.drivers.amazon import _config as s3_config
    from cloudstorage.drivers.amazon import _transfer as s3_transfer

__all__ = ["BackblazeB2Driver", "DigitalOceanSpacesDriver", "S3Driver", "S3Options"]

_NO_CREDENTIALS = errors.Rule(CredentialsError, "no usable S3 credentials for {target}")
_SDK_ERRORS: errors.TypeTable = (
    (NoCredentialsError, _NO_CREDENTIALS),
    (PartialCredentialsError, _NO_CREDENTIALS),
    (BotoCoreError, errors.FAILED),
)
"""botocore's own exceptions (S3's answers, ``ClientError``, go by `rules.ERROR_TABLE`)."""

BLOCK_SIZE = 8 * 2**20
"""Part size of multipart uploads and range size of downloads."""
UPLOAD_CONCURRENCY = 4
"""Parts in flight per upload: memory stays near (4 + 1) x the part size."""
DOWNLOAD_CONCURRENCY = 4
"""Ranges in flight per download: memory stays near (4 + 1) x BLOCK_SIZE."""
MAX_PARTS = 10_000
LIST_PAGE_SIZE = 1000
"""Keys per ListObjectsV2 page (the most S3 gives)."""
_SYNC_CLIENT_LOCK = threading.Lock()


class S3Driver(Driver):
    """Amazon S3, or any S3-compatible service at ``endpoint_url``.

    ``region`` signs the requests and places new buckets; ``endpoint_url`` (e.g.
    ``http://127.0.0.1:9000``) replaces AWS's endpoints. ``upload_blob``'s ``extra`` is
    passed to PutObject / CreateMultipartUpload (``StorageClass``, ``ServerSideEncryption``).
    Buckets keep no metadata (``create_container``'s is checked, not stored); a blob's ACL is
    not looked up (``get_blob(...).acl`` is None) but `patch_blob` keeps its grants. On AWS,
    canned ACLs need a bucket whose Object Ownership allows ACLs (new buckets disable them);
    otherwise S3's refusal is raised as `CloudStorageError`.
    """

    name = "S3"
    url = "https://aws.amazon.com/s3/"
    protocol = "s3"
    batched_deletes = True  # DeleteObjects: 1,000 keys a request
    create_only_uploads = True  # If-None-Match: * on PutObject and CompleteMultipartUpload
    container_acls: ClassVar[frozenset[str] | None] = rules.CANNED_ACLS
    blob_acls: ClassVar[frozenset[str] | None] = rules.CANNED_ACLS
    max_url_lifetime = rules.MAX_EXPIRES
    transport_errors = (aiohttp.ClientError,)  # s3fs gave up retrying a broken connection

    addressing_style: ClassVar[str | None] = None
    """botocore's ``addressing_style`` (``"path"`` for servers without bucket subdomains)."""
    object_acls: ClassVar[bool] = True
    """Objects carry their own ACLs, which `patch_blob` must carry over."""

    options_type: ClassVar[Any] = S3Options

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        region: str | None = "us-east-1",
        **kwargs: Unpack[S3Options],
    ) -> None:
        super().__init__(key=key, secret=secret, region=region or "us-east-1", **kwargs)
        self._connect_to(kwargs.get("endpoint_url"))

    def _connect_to(self, endpoint_url: str | None) -> None:
        """Send requests to ``endpoint_url`` (None: AWS's endpoint for the region)."""
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        urls.redact_botocore_signatures()

    # -- configuration, shared by s3fs and boto3 --------------------------------------------

    def _config_kwargs(self) -> dict[str, Any]:
        """botocore ``Config`` arguments for every client of this driver."""
        return s3_config.config_kwargs(self.retry_options, self.endpoint_url, self.addressing_style)

    @property
    def storage_options(self) -> dict[str, Any]:
        return s3_config.storage_options(
            self._config_kwargs(), self.region, self.endpoint_url, self.key, self.secret, BLOCK_SIZE
        )

    @cached_property
    def fs(self) -> Any:
        """s3fs's filesystem; its clients retry with the driver's budget (`_retry`) and parse
        timestamps fast (`_timestamps`); its own loop (5 tries of what the client gave up on,
        a class attribute) tries once."""
        return s3_config.setup_filesystem(super().fs, self.retry_options)

    @cached_property
    def session(self) -> Any:
        """The boto3 session holding this driver's credentials and region."""
        return s3_config.session(self.key, self.secret, self.region)

    @cached_property
    def s3(self) -> Any:
        """The boto3 S3 service resource, on the same endpoint and settings as ``fs``."""
        return s3_config.resource(
            self.session, self._config_kwargs(), self.endpoint_url, self.retry_options
        )

    def _sync_client(self) -> Any:
        """``s3``'s botocore client, made once under a lock (boto3 sessions are not thread-safe
        and bulk calls reach here from several threads): small PUTs and GETs go through it."""
        client = self.__dict__.get("_sync_s3")
        if client is None:
            with _SYNC_CLIENT_LOCK:
                client = self.__dict__.get("_sync_s3") or self.s3.meta.client
                self.__dict__["_sync_s3"] = client
        return client

    def _call(self, method: str, **params: Any) -> Any:
        """One S3 API call on s3fs's client (its connection pool, retries and errors)."""
        return self.fs.call_s3(method, **params)

    # -- errors -------------------------------------------------------------------------------

    def _translate_error(self, exc: Exception, target: str) -> CloudStorageError | None:
        error = rules.client_error(exc, ClientError)
        if error is not None:
            return rules.translate_client_error(error.response, str(error), target)
        rule = errors.by_type(_SDK_ERRORS, exc)
        return rule(target, str(exc)) if rule else super()._translate_error(exc, target)

    def _check_credentials(self) -> None:
        # not fs.ls(""): s3fs answers a refused bucket listing with an empty one
        self._call("list_buckets")

    # -- validation ---------------------------------------------------------------------------

    def _validate_container_name(self, name: str) -> None:
        super()._validate_container_name(name)
        rules.check_bucket_name(name)

    def _validate_blob_name(self, name: str) -> None:
        super()._validate_blob_name(name)
        rules.check_key(name)

    def _validate_meta_data(self, meta_data: Mapping[str, str] | None) -> dict[str, str]:
        return rules.check_metadata(super()._validate_meta_data(meta_data))

    @property
    def regions(self) -> list[str]:
        """The AWS regions that offer S3."""
        regions: list[str] = self.session.get_available_regions("s3")
        return regions

    # -- containers ---------------------------------------------------------------------------

    def _create_container(self, name: str, acl: str | None, meta_data: dict[str, str]) -> None:
        params: dict[str, Any] = {"Bucket": name}
        if acl:
            params["ACL"] = acl
        if self.region != "us-east-1":  # AWS, B2 and Spaces all take it; us-east-1 refuses it
            params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self._call("create_bucket", **params)
        self.fs.invalidate_cache("")

    def _patch_container(self, container: Container) -> None:
        if container.acl:
            check_acl(container.acl, self.container_acls, "container")
            self._call("put_bucket_acl", Bucket=container.name, ACL=container.acl)

    def container_cdn_url(self, container: Container) -> str:
        """The bucket's public URL (virtual-hosted on AWS, path-style elsewhere)."""
        return self._public_url(container.name, "")

    def blob_cdn_url(self, blob: Blob) -> str:
        """The object's public URL; it answers only if the object or bucket is public."""
        return self._public_url(blob.container.name, blob.name)

    def _public_url(self, bucket: str, key: str) -> str:
        return urls.public_url(self.endpoint_url, self.region, bucket, key)

    # -- blobs --------------------------------------------------------------------------------

    def _blob_info(self, container: str, blob: str) -> dict[str, Any]:
        # s3fs's info() drops Metadata, ContentDisposition and CacheControl: one HEAD of our own
        with self._errors(container, blob):
            head = self._call("head_object", Bucket=container, Key=blob)
        return rules.head_info(self._path(container, blob), head)

    def _blob_lookup(self, container: str, blob: str) -> tuple[dict[str, Any], bytes | None]:
        # a ranged GET instead of the HEAD: its answer shows the same, and a small blob whole
        try:
            with self._errors(container, blob):
                head, body = s3_transfer.lookup(
                    self.fs, container, blob, prefetch.HEAD_BYTES, self._sync_client()
                )
        except CloudStorageError as exc:
            error = rules.client_error(exc, ClientError)
            if error is None or error.response.get("Error", {}).get("Code") != "InvalidRange":
                raise
            return self._blob_info(container, blob), b""  # an empty object: a HEAD says so
        info = rules.head_info(self._path(container, blob), head)
        return info, None if body is None else bytes(body)

    def _blob_fields(self, info: Mapping[str, Any]) -> dict[str, Any]:
        return rules.blob_fields(info)

    def _list_infos(self, container: str, prefix: str) -> Iterator[Mapping[str, Any]]:
        return s3_transfer.list_infos(self._call, container, prefix, LIST_PAGE_SIZE)

    def _listing_md5(self, blob: Blob) -> str | None:
        etag = rules.listing_md5(blob.__dict__.get("_etag"))
        return etag if etag else super()._listing_md5(blob)

    def _write_options(self, settings: BlobSettings, extra: Mapping[str, Any]) -> dict[str, Any]:
        # s3fs hands these to PutObject and CreateMultipartUpload, each taking what it knows
        return {**rules.object_params(settings), **extra}

    def _put(
        self, source: transfer.Source, path: str, options: dict[str, Any], overwrite: bool
    ) -> int:
        part_size, concurrency = s3_transfer.part_plan(
            source.path, BLOCK_SIZE, UPLOAD_CONCURRENCY, MAX_PARTS
        )
        bucket, key = path.split("/", 1)
        # create-only: s3fs hands If-None-Match to the operations that take it, PutObject and
        # CompleteMultipartUpload (a refused multipart upload is aborted)
        params = options if overwrite else {**options, "IfNoneMatch": "*"}
        return s3_transfer.upload(
            self.fs, bucket, key, source, params, part_size, concurrency,
            self._sync_client,  # made on the first single PUT: multipart never needs it
        )  # fmt: skip

    def _get(self, blob: Blob, sink: transfer.Sink) -> None:
        # ranged GETs ahead of the sink; every answer shows the MD5 S3 vouches for, so a blob
        # from a listing (or an upload) is checked too, not only one from a lookup
        bucket, key = blob.container.name, blob.name
        size = blob.size or self._blob_info(bucket, key)["size"]  # 0 may be a placeholder
        claimed = s3_transfer.download(
            self.fs, bucket, key, size, sink.write, BLOCK_SIZE, DOWNLOAD_CONCURRENCY,
            self.retry_options,
        )  # fmt: skip
        sink.expect_md5(claimed)

    def _open_file(self, blob: Blob, mode: str, options: dict[str, Any]) -> Any:
        # a known size spares s3fs its HEAD; 0 may be a placeholder, so let s3fs look then
        known = mode.startswith("r") and blob.size and "size" not in options
        file = super()._open_file(blob, mode, {"size": blob.size, **options} if known else options)
        if known:  # s3fs asks info() (a HEAD) for the file's details even when given the size
            file.details = {"name": file.path, "size": blob.size, "type": "file"}
        return file

    def _lookup_first(self, blob: Blob) -> bool:
        # a Blob known by name alone (e.g. download_blobs(names)): s3fs would send a HEAD for
        # the size; the ranged GET finds it and brings a small blob whole
        return not blob.size and blob.__dict__.get("_etag") is UNSET

    def _copy_within(self, blob: Blob, source: str, target: str, overwrite: bool) -> None:
        """One CopyObject (no HEAD when the size is known), a multipart copy above 5 GiB."""
        s3_copy.copy(self.fs, source, target, blob.size, create_only=not overwrite)
        self.fs.invalidate_cache(target)

    def _write_attributes(self, path: str, settings: BlobSettings) -> None:
        s3_copy.write_attributes(self._call, path, settings, self.object_acls)

    def _delete(self, path: str) -> None:
        bucket, key = path.split("/", 1)
        self._call("head_object", Bucket=bucket, Key=key)  # S3 deletes a missing key silently
        self.fs.rm_file(path)

    # -- signing ------------------------------------------------------------------------------

    def _upload_form(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A presigned POST (SigV4 policy): post ``fields`` plus a ``file`` part to ``url``.

        Every given setting is a form field and an exact-match policy condition, so the
        browser cannot change it; ``content_length`` becomes a ``content-length-range``.
        With ``""`` or a prefix as ``blob_name`` the ``key`` field ends in ``${filename}``
        (a ``starts-with`` condition), which S3 replaces with the uploaded file's name.
        """
        return urls.upload_form(self.s3.meta.client, container.name, policy)

    def _put_url(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A SigV4 presigned PutObject; the content type and metadata are signed headers."""
        return urls.put_url(self.s3.meta.client, container.name, policy)

    def _download_url(self, blob: Blob, grant: DownloadGrant) -> str:
        """A SigV4 presigned URL for GET, HEAD, PUT or DELETE (see `forms.url_request`)."""
        return urls.download_url(self.s3.meta.client, blob.container.name, blob.name, grant)


class _RegionalS3Driver(S3Driver):
    """An S3-compatible service whose endpoint follows from the region (a preset table)."""

    endpoint_template: ClassVar[str]
    known_regions: ClassVar[tuple[str, ...]]
    default_region: ClassVar[str]

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        region: str | None = None,
        **kwargs: Unpack[S3Options],
    ) -> None:
        region = region or self.default_region
        if region not in self.known_regions:
            raise CloudStorageError(
                f"{self.name} has no region {region!r}; use one of {', '.join(self.known_regions)}"
            )
        if not kwargs.get("endpoint_url"):
            kwargs["endpoint_url"] = self.endpoint_template.format(region=region)
        super().__init__(key, secret, region, **kwargs)

    @property
    def regions(self) -> list[str]:
        """The regions of the preset table (another region raises at construction)."""
        return list(self.known_regions)


class DigitalOceanSpacesDriver(_RegionalS3Driver):
    """DigitalOcean Spaces: ``region`` (default ``nyc3``) picks the endpoint.

    Spaces knows the canned ACLs ``private`` and ``public-read`` only.
    """

    name = "DIGITALOCEANSPACES"
    url = "https://www.digitalocean.com/products/spaces"
    endpoint_template = "https://{region}.digitaloceanspaces.com"
    known_regions = ("ams3", "atl1", "blr1", "fra1", "lon1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1")
    default_region = "nyc3"
    container_acls = blob_acls = frozenset({"private", "public-read"})


class BackblazeB2Driver(_RegionalS3Driver):
    """Backblaze B2's S3 API: ``region`` (default ``us-west-004``) picks the endpoint.

    B2 buckets are ``private`` or ``public-read``; objects take no ACL of their own.
    """

    name = "BACKBLAZEB2"
    url = "https://www.backblaze.com/cloud-storage"
    endpoint_template = "https://s3.{region}.backblazeb2.com"
    known_regions = (
        "ca-east-006",
        "eu-central-003",
        "us-east-005",
        "us-west-000",
        "us-west-001",
        "us-west-002",
        "us-west-004",
    )
    default_region = "us-west-004"
    container_acls = frozenset({"private", "public-read"})
    blob_acls = frozenset()
    object_acls = False
