"""`AzureStorageDriver`: Azure Blob Storage through adlfs (``az://container/blob``).

Reads, listings and fsspec access go through adlfs. What adlfs has no verb for, or does in
more requests than needed, or without the driver's retry options, goes through
`AzureStorageDriver.service`, a synchronous ``BlobServiceClient`` on the same account and
endpoint: uploads (one Put Blob for a small blob; a local file up to 64 MiB as one block sent
from disk; other large blobs as blocks staged three at a time; each request with its
Content-MD5), downloads (one GET for a small blob), one blob's lookup, container ACLs and
metadata, property patches and SAS URLs.

Metadata keys and values are stored in a reversible encoding Azure accepts (dashed keys such as
``owner-id``, non-ASCII values): see `cloudstorage.drivers.microsoft._keys`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar

from typing_extensions import Unpack

from cloudstorage.base import Blob, Container, Driver, errors, prefetch, transfer
from cloudstorage.base.settings import (
    BlobSettings,
    DownloadGrant,
    UploadPolicy,
    check_acl,
)
from cloudstorage.drivers.microsoft._credentials import AzureLogin
from cloudstorage.drivers.microsoft._keys import decode_metadata, encode_metadata
from cloudstorage.drivers.microsoft._options import AzureOptions, blob_endpoint
from cloudstorage.exceptions import (
    CloudStorageError,
)
from cloudstorage.registry import requires_extra

with requires_extra(__name__):
    import adlfs  # noqa: F401  # registers nothing, but the "az" protocol needs it installed
    from azure.core.exceptions import (
        AzureError,
        HttpResponseError,
    )
    from azure.core.pipeline.transport import RequestsTransport
    from azure.storage.blob import (
        BlobServiceClient,
        ContainerProperties,
        ContentSettings,
        PublicAccess,
    )

    from cloudstorage.drivers.microsoft import _listing as azure_listing
    from cloudstorage.drivers.microsoft import _properties as azure_properties
    from cloudstorage.drivers.microsoft import _sas as azure_sas
    from cloudstorage.drivers.microsoft import _transfer as azure_transfer
    from cloudstorage.drivers.microsoft._errors import translate
    from cloudstorage.drivers.microsoft._retry import BudgetRetry
    from fs_bridge.http_session import EnvironmentOnceSession

__all__ = ["AzureOptions", "AzureStorageDriver"]

logger = logging.getLogger("cloudstorage")

_PUBLIC_ACCESS: dict[str, str | None] = {
    "private": None,
    "container-public-access": PublicAccess.CONTAINER,
    "blob-public-access": PublicAccess.BLOB,
}
_ACL_OF_ACCESS = {access: acl for acl, access in _PUBLIC_ACCESS.items()}
_CONTAINER_NAME = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")
_SPECIAL_CONTAINERS = frozenset({"$root", "$web", "$logs"})
LIST_PAGE_SIZE = 5000
"""Blobs per List Blobs page (the most Azure gives; adlfs's find takes every page first)."""


class AzureStorageDriver(Driver):
    """An Azure storage account, by name and account key (or ``sas_token=``,
    ``connection_string=`` or an ``azure-identity`` ``credential=`` object: `_credentials`).

    ``endpoint_url`` is the account's blob endpoint where it is not
    ``https://{account_name}.blob.core.windows.net``: Azurite
    (``http://127.0.0.1:10000/devstoreaccount1``), sovereign clouds, private endpoints.
    Blobs have no ACLs of their own: container ACLs set the public access level.
    ``retries``, ``retry_backoff`` and ``timeout`` (`cloudstorage.base.retry`; the former
    ``retry_total`` and ``initial_backoff`` are read as the first two, ``increment_base`` and
    ``random_jitter_range`` no longer matter; ``retry_policy`` replaces the policy whole) set
    the SDK's retries of the driver's own requests (transfers, lookups, containers); adlfs
    (listings, ``fs``) has no retry options and retries as the SDK does by default.
    """

    name = "AZURE"
    url = "https://azure.microsoft.com/en-us/services/storage/"
    protocol = "az"
    container_acls = frozenset(_PUBLIC_ACCESS)
    blob_acls = frozenset[str]()
    upload_form = "put"  # Azure has no form POST: a write-only SAS URL for one Put Blob
    create_only_uploads = True  # If-None-Match: * on Put Blob or Put Block List

    options_type: ClassVar[Any] = AzureOptions

    def __init__(
        self,
        account_name: str | None = None,
        key: str | None = None,
        **kwargs: Unpack[AzureOptions],
    ) -> None:
        endpoint_url = kwargs.get("endpoint_url")
        if account_name and not endpoint_url:
            # 0.10's endpoint options (protocol, endpoint_suffix, custom_domain, is_emulated)
            endpoint, custom = blob_endpoint(account_name, kwargs)
            endpoint_url = endpoint if custom else None
        self.login = AzureLogin.of(account_name, key, endpoint_url, dict(kwargs))
        """Account key, SAS token, connection string or credential: see `_credentials`."""
        super().__init__(key=self.login.key, **kwargs)
        self.account_name = self.login.account_name
        self.endpoint_url = self.login.endpoint_url
        self._custom_endpoint = self.login.custom_endpoint

    # -- the fsspec side and the SDK client -----------------------------------------------

    @property
    def storage_options(self) -> dict[str, Any]:
        """adlfs options: account name and key (or SAS token, or credential), or a connection
        string naming the endpoint."""
        timeouts = {
            "connection_timeout": self.retry_options.timeout,
            "read_timeout": self.retry_options.timeout,
        }
        return {**self.login.adlfs_options(), **timeouts}

    @cached_property
    def service(self) -> BlobServiceClient:
        """A synchronous ``BlobServiceClient`` on this account, built once.

        adlfs's own client is asynchronous and bound to fsspec's event loop, so it is not
        handed out; this one shares its credentials and endpoint. Transfers use chunks of
        `transfer.CHUNK_SIZE`, so memory stays flat whatever the blob's size.
        """
        return BlobServiceClient(
            self.endpoint_url,
            credential=self.login.service_credential(),
            max_single_get_size=transfer.CHUNK_SIZE,
            max_chunk_get_size=transfer.CHUNK_SIZE,
            max_single_put_size=transfer.CHUNK_SIZE,
            max_block_size=transfer.CHUNK_SIZE,
            retry_policy=self.options.get("retry_policy") or BudgetRetry(self.retry_options),
            transport=_requests_transport(self.retry_options.timeout),
        )

    # -- errors ---------------------------------------------------------------------------

    def _translate_error(self, exc: Exception, target: str) -> CloudStorageError | None:
        if not isinstance(exc, AzureError) and isinstance(exc.__cause__, AzureError):
            exc = exc.__cause__  # adlfs wraps SDK errors in ValueError / RuntimeError / OSError
        if not isinstance(exc, AzureError):
            return super()._translate_error(exc, target)
        return translate(exc, target)

    # -- validation -----------------------------------------------------------------------

    def _validate_container_name(self, name: str) -> None:
        super()._validate_container_name(name)
        if name not in _SPECIAL_CONTAINERS and not _CONTAINER_NAME.fullmatch(name):
            raise CloudStorageError(
                f"invalid Azure container name {name!r}: 3-63 characters, lower-case letters, "
                "digits and single hyphens, starting and ending with a letter or digit"
            )

    def _validate_blob_name(self, name: str) -> None:
        super()._validate_blob_name(name)
        if len(name) > 1024 or name.startswith("/") or name.endswith(("/", ".")) or "//" in name:
            raise CloudStorageError(
                f"invalid Azure blob name {name!r}: at most 1024 characters, no leading, "
                "trailing or doubled '/', no trailing '.'"
            )

    def _validate_meta_data(self, meta_data: Mapping[str, str] | None) -> dict[str, str]:
        checked = super()._validate_meta_data(meta_data)
        encode_metadata(checked)  # refuses, before any request, what Azure cannot store
        return checked

    # -- containers -----------------------------------------------------------------------

    def __iter__(self) -> Iterator[Container]:
        with self._errors():
            listing = list(self.service.list_containers(include_metadata=True))
        for properties in listing:
            yield self._container_from_properties(properties)

    def _check_credentials(self) -> None:
        next(iter(self.service.list_containers(results_per_page=1)), None)

    def get_container(self, container_name: str) -> Container:
        self._validate_container_name(container_name)
        client = self.service.get_container_client(container_name)
        with self._errors(container_name):
            properties = client.get_container_properties()
        return self._container_from_properties(properties)

    def _container_from_properties(self, properties: ContainerProperties) -> Container:
        return Container(
            properties.name,
            self,
            acl=_ACL_OF_ACCESS.get(properties.public_access, "private"),
            meta_data=decode_metadata(properties.metadata),
            created_at=properties.last_modified,
        )

    def _create_container(self, name: str, acl: str | None, meta_data: dict[str, str]) -> None:
        self.service.create_container(
            name,
            metadata=encode_metadata(meta_data),
            public_access=_PUBLIC_ACCESS.get(acl or "private"),
        )
        self.fs.invalidate_cache()

    def _patch_container(self, container: Container) -> None:
        client = self.service.get_container_client(container.name)
        client.set_container_metadata(
            encode_metadata(self._validate_meta_data(container.meta_data))
        )
        acl = check_acl(container.acl, self.container_acls, "container")
        if acl is not None:  # keep the stored access policies: setting the level replaces them
            policy = client.get_container_access_policy()
            identifiers = {
                identifier.id: identifier.access_policy
                for identifier in policy["signed_identifiers"]
            }
            client.set_container_access_policy(identifiers, public_access=_PUBLIC_ACCESS[acl])

    def delete_container(self, container: Container) -> None:
        """Delete an empty container (Azure itself would delete a non-empty one)."""
        client = self.service.get_container_client(container.name)
        with self._errors(container.name):
            if next(iter(client.list_blobs(results_per_page=1)), None) is not None:
                raise errors.NOT_EMPTY(errors.describe(container.name))
            client.delete_container()
        self.fs.invalidate_cache()

    def container_cdn_url(self, container: Container) -> str:
        """The container's URL on the blob endpoint (Azure CDN is configured outside)."""
        return str(self.service.get_container_client(container.name).url)

    # -- blobs: mapping between adlfs info and blobs --------------------------------------

    def _blob_fields(self, info: Mapping[str, Any]) -> dict[str, Any]:
        return azure_properties.blob_fields(info)

    def _blob_info(self, container: str, blob: str) -> dict[str, Any]:
        """One Get Blob Properties on `service`, with the driver's retry options, as an adlfs
        ``info`` dict (adlfs's own client retries with the SDK's default 15 s first backoff)."""
        client = self.service.get_blob_client(container, blob)
        with self._errors(container, blob):
            properties = client.get_blob_properties()
        return azure_properties.file_info(container, blob, properties)

    def _blob_lookup(self, container: str, blob: str) -> tuple[dict[str, Any], bytes | None]:
        """One ranged Get Blob: its headers carry every property (Content-MD5 the stored
        blob's, the size in Content-Range), its body a small blob whole."""
        client = self.service.get_blob_client(container, blob)
        try:
            with self._errors(container, blob):
                downloader = client.download_blob(offset=0, length=prefetch.HEAD_BYTES)
                body = downloader.readall()
        except CloudStorageError as exc:
            cause = exc.__cause__
            if not isinstance(cause, HttpResponseError) or cause.status_code != 416:
                raise
            return self._blob_info(container, blob), b""  # an empty blob has no byte 0
        properties = downloader.properties
        properties.size = int(str(properties.content_range).rpartition("/")[2])
        return azure_properties.file_info(container, blob, properties), body

    def _list_infos(self, container: str, prefix: str) -> Iterator[Mapping[str, Any]]:
        # List Blobs page by page on `service`; Azure filters by any prefix itself
        client = self.service.get_container_client(container)
        return azure_listing.list_infos(client, prefix, LIST_PAGE_SIZE)

    def _write_options(self, settings: BlobSettings, extra: Mapping[str, Any]) -> dict[str, Any]:
        """adlfs ``open(path, "wb", ...)`` options; `_put` sends the same to the SDK."""
        return {
            "metadata": encode_metadata(settings.meta_data),
            "content_settings": ContentSettings(
                content_type=settings.content_type,
                content_disposition=settings.content_disposition,
                cache_control=settings.cache_control,
            ),
        }

    def _put(
        self, source: transfer.Source, path: str, options: dict[str, Any], overwrite: bool
    ) -> int:
        """One Put Blob up to `transfer.CHUNK_SIZE`; a local file up to `_ONE_BLOCK_FILE` as one
        block streamed from disk; anything else as blocks staged concurrently, then a commit.

        Every request carries a transactional Content-MD5 that Azure checks on receipt, and the
        commit the whole blob's Content-MD5. Nothing is visible until the last request: staged
        blocks of a failed upload are never committed (Azure drops them), and a blob being
        replaced keeps its contents.
        """
        container, name = path.split("/", 1)
        client = self.service.get_blob_client(container, name)
        # create-only: If-None-Match: * on the Put Blob or the Put Block List that makes the
        # blob visible
        size = azure_transfer.upload(client, source, options, overwrite)
        self.fs.invalidate_cache(self.fs._parent(path))
        return size

    def _copy_within(self, blob: Blob, source: str, target: str, overwrite: bool) -> None:
        """Copy Blob from the source's URL in this account (authorised by the shared key);
        the copy's status is polled in the rare case that Azure answers "pending"."""
        container, name = source.split("/", 1)
        client = self.service.get_blob_client(*target.split("/", 1))
        source_url = self.service.get_blob_client(container, name).url
        condition = {} if overwrite else azure_transfer.IF_MISSING
        azure_transfer.copy(client, source_url, condition, f"Azure's copy of {source} to {target}")
        self.fs.invalidate_cache(self.fs._parent(target))

    def _put_url(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A create+write SAS on the blob, and the headers of one Put Blob (see `_upload_form`)."""
        form = self._upload_form(container, policy)
        return {"url": form["url"], "headers": form["headers"]}

    def _write_attributes(self, path: str, settings: BlobSettings) -> None:
        """Set HTTP headers (keeping the stored Content-MD5) and metadata: three requests."""
        container, name = path.split("/", 1)
        client = self.service.get_blob_client(container, name)
        azure_properties.write_attributes(client, self._write_options(settings, {}))
        self.fs.invalidate_cache(self.fs._parent(path))

    def _get(self, blob: Blob, sink: transfer.Sink) -> None:
        """One GET for a blob up to `transfer.CHUNK_SIZE`; larger ones stream in such ranges."""
        client = self.service.get_blob_client(blob.container.name, blob.name)
        downloader = client.download_blob()
        # The stored Content-MD5 of the version being read (not of a stale listing).
        stored_md5 = downloader.properties.content_settings.content_md5
        sink.expect_md5(bytes(stored_md5).hex() if stored_md5 else None, replace=True)
        for chunk in downloader.chunks():
            sink.write(chunk)

    def _open_file(self, blob: Blob, mode: str, options: dict[str, Any]) -> Any:
        if mode.startswith("r"):  # adlfs reads 50 MiB ranges by default
            options = {"block_size": transfer.CHUNK_SIZE, **options}
        return super()._open_file(blob, mode, options)

    # -- URLs -----------------------------------------------------------------------------

    def blob_cdn_url(self, blob: Blob) -> str:
        """The blob's URL on the blob endpoint; anonymous reads need a public container."""
        return str(self.service.get_blob_client(blob.container.name, blob.name).url)

    def _download_url(self, blob: Blob, grant: DownloadGrant) -> str:
        """A service SAS URL for this one blob, signed with the account key.

        ``method`` picks the permission (GET/HEAD read, PUT create+write, DELETE delete);
        ``content_disposition`` and ``extra['content_type']`` override the response headers.
        """
        return azure_sas.grant_url(self, blob.container.name, blob.name, grant)

    def _upload_form(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """Azure has no form POST: a write-only SAS URL and the headers of one Put Blob.

        Returns ``{'url': SAS URL (create+write on this blob only), 'method': 'PUT',
        'headers': {...}, 'fields': {}}``. The client sends the file as the body of
        ``PUT url`` with exactly ``headers``: ``x-ms-blob-type: BlockBlob``, and as given
        ``x-ms-blob-content-type``, ``x-ms-blob-content-disposition``,
        ``x-ms-blob-cache-control`` and ``x-ms-meta-<name>`` (metadata in this driver's
        encoding). A key SAS cannot require headers or bound the size: a client holding the
        URL may send other headers, and ``content_length`` is only checked here (and refused
        beyond the 5000 MiB one Put Blob takes); check `Blob.size` after the upload.
        ``success_action_*`` in ``extra`` do not apply to a PUT and are ignored. With ``""``
        or a prefix as ``blob_name`` the URL ends in ``${filename}?<SAS>``: the client puts
        the file's name there; the SAS is the container's (create and write only).
        """
        return azure_sas.put_blob_form(self, container.name, policy)


def _requests_transport(timeout: float) -> RequestsTransport:
    """azure-core's transport on an `EnvironmentOnceSession`, set up as azure-core sets up a
    session of its own: requests would read the proxy variables on every request."""
    session = EnvironmentOnceSession()
    transport = RequestsTransport(
        session=session, session_owner=True, connection_timeout=timeout, read_timeout=timeout
    )
    transport._init_session(session)  # its adapter: no urllib3 retries
    return transport
