"""`UrlMethods`, the URL half of `Driver`: public (CDN) URLs, signed URLs and upload forms.

Everything a driver is given is checked here before anything is signed; the driver signs
(`_download_url`, `_upload_form`, `_put_url`).
"""

# mypy: disable-error-code="misc"
# (only for ``self: Driver`` on these mixin methods: mypy calls a self type that is a
# subclass "not a supertype of its class"; Driver is the one class that inherits them)

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudstorage.base.settings import (
    FILENAME,
    BlobSettings,
    DownloadGrant,
    UploadPolicy,
    check_acl,
    check_content_length,
    check_expires,
    upload_key,
)
from cloudstorage.exceptions import CloudStorageError

if TYPE_CHECKING:
    from cloudstorage.base.blob import Blob
    from cloudstorage.base.container import Container
    from cloudstorage.base.driver import Driver

__all__ = ["UrlMethods"]


class UrlMethods(ABC):
    """The URL methods of `Driver` (a mixin: ``self`` is always a `Driver`)."""

    def container_cdn_url(self: Driver, container: Container) -> str:
        """The public URL of a container.

        Args:
            container: the container.

        Returns:
            Its public URL (it answers anonymous requests only once the container is public).

        Raises:
            NotImplementedError: the driver has no public URLs.
        """
        raise NotImplementedError(f"{self.name} has no CDN URLs")

    def enable_container_cdn(self: Driver, container: Container) -> bool:
        """Serve the container publicly; False where the service cannot.

        Args:
            container: the container to publish.

        Returns:
            True once published; False where the driver cannot (nothing changes).

        Raises:
            CloudStorageError: the service refused the change.
        """
        return False

    def disable_container_cdn(self: Driver, container: Container) -> bool:
        """Stop serving the container publicly; False where the service cannot.

        Args:
            container: the container to withdraw.

        Returns:
            True once withdrawn; False where the driver cannot (nothing changes).

        Raises:
            CloudStorageError: the service refused the change.
        """
        return False

    @abstractmethod
    def blob_cdn_url(self: Driver, blob: Blob) -> str:
        """The public URL of a blob.

        Args:
            blob: the blob.

        Returns:
            Its public URL (it answers anonymous requests only where the blob is public).
        """

    def generate_container_upload_url(
        self: Driver,
        container: Container,
        blob_name: str,
        expires: int = 3600,
        acl: str | None = None,
        meta_data: Mapping[str, str] | None = None,
        content_disposition: str | None = None,
        content_length: tuple[int, int] | None = None,
        content_type: str | None = None,
        cache_control: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A signed form for uploading ``blob_name`` from a browser: ``{'url', 'fields'}``.

        ``content_length=(min, max)`` bounds the size; the other arguments are stored with the
        blob; ``extra`` may carry ``success_action_redirect`` / ``success_action_status``.
        Everything is checked before anything is signed; what each service makes of the
        policy is in its driver's `_upload_form`. ``blob_name`` may be ``""`` or a prefix: the
        uploaded file's name then completes it (see `UploadPolicy.key`).

        Args:
            container: the container the form uploads into.
            blob_name: the blob the form creates; ``""`` or a prefix: the uploaded
                file's name completes it.
            expires: seconds the form stays valid (at most `max_url_lifetime`).
            acl: a canned ACL of `blob_acls` for the uploaded blob.
            meta_data: metadata stored with the blob.
            content_disposition: stored with the blob.
            content_length: ``(min, max)`` bytes the upload may have.
            content_type: the only MIME type the form accepts, stored with the blob.
            cache_control: stored with the blob.
            extra: ``success_action_redirect`` / ``success_action_status``.

        Returns:
            ``{"url": ..., "fields": {...}}`` (Azure: also ``"method": "PUT"`` and ``"headers"``).

        Raises:
            CloudStorageError: an invalid name, lifetime, size range, metadata or ACL.
        """
        if not isinstance(blob_name, str):
            raise CloudStorageError(f"blob_name must be a string, not {blob_name!r}")
        self._validate_blob_name(upload_key(blob_name).replace(FILENAME, "f"))  # names it makes
        policy = UploadPolicy(
            blob_name=blob_name,
            expires=check_expires(expires, self.max_url_lifetime),
            settings=BlobSettings(
                content_type=content_type,
                content_disposition=content_disposition,
                cache_control=cache_control,
                meta_data=self._validate_meta_data(meta_data),
                acl=check_acl(acl, self.blob_acls, "blob", type(self).__module__),
            ),
            content_length=check_content_length(content_length),
            extra=dict(extra or {}),
        )
        with self._errors(container.name, blob_name):
            return self._upload_form(container, policy)

    def generate_put_url(
        self: Driver,
        container: Container,
        blob_name: str,
        expires: int = 3600,
        content_type: str | None = None,
        meta_data: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A signed URL for one ``PUT`` of ``blob_name``: ``{'url', 'headers'}``.

        The client (a browser, a phone, ``curl``) sends the bytes as the body of ``PUT url``
        with exactly ``headers`` (the content type, metadata and whatever else the service
        needs), no SDK. Everything is checked before anything is signed.
        """
        self._validate_blob_name(blob_name)
        policy = UploadPolicy(
            blob_name=blob_name,
            expires=check_expires(expires, self.max_url_lifetime),
            settings=BlobSettings(
                content_type=content_type, meta_data=self._validate_meta_data(meta_data)
            ),
        )
        with self._errors(container.name, blob_name):
            return self._put_url(container, policy)

    def _put_url(self: Driver, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """The service's presigned PUT for a checked policy: ``{'url', 'headers'}``."""
        raise NotImplementedError(f"{self.name} has no presigned PUT URLs")

    def generate_blob_download_url(
        self: Driver,
        blob: Blob,
        expires: int = 3600,
        method: str = "GET",
        content_disposition: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A URL that grants ``method`` on the blob for ``expires`` seconds.

        ``content_disposition`` sets the response's Content-Disposition; ``extra`` may carry
        ``content_type`` (every driver), ``version`` (GCS) or ``version_id`` (S3).

        Args:
            blob: the blob the URL grants.
            expires: seconds the URL stays valid (at most `max_url_lifetime`).
            method: the HTTP method granted.
            content_disposition: the ``Content-Disposition`` the response carries.
            extra: ``content_type``, ``version`` (GCS) or ``version_id`` (S3).

        Returns:
            The signed URL (the local store without ``base_url``: a bare signature).

        Raises:
            CloudStorageError: an invalid lifetime, or signing failed.
        """
        grant = DownloadGrant(
            expires=check_expires(expires, self.max_url_lifetime),
            method=str(method).upper(),
            content_disposition=content_disposition,
            extra=dict(extra or {}),
        )
        with self._errors(blob.container.name, blob.name):
            return self._download_url(blob, grant)

    @abstractmethod
    def _upload_form(self: Driver, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """The service's signed upload form (or signed request) for a checked policy."""

    @abstractmethod
    def _download_url(self: Driver, blob: Blob, grant: DownloadGrant) -> str:
        """The service's signed download URL for a checked grant."""
