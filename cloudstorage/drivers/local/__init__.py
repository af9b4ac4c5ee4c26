"""`LocalDriver`: a directory of containers, on the ``xlocal://`` filesystem of `fs_bridge`.

Blob metadata lives in extended attributes (``getfattr -d root/container/blob`` shows it).
Download URLs and upload forms are itsdangerous signatures made with the driver's ``secret``
and ``salt``; a web app checks them with `LocalDriver.validate_signature`. With the ``base_url``
option they become real URLs and forms served by `cloudstorage.serve` (``cloudstorage serve``).

Signatures are byte-compatible with cloudstorage 0.10 (same serializer, secret, salt and
payload keys): links 0.10 issued validate here and ours in 0.10. Differences on purpose: the
etag (see `_etag`), and a payload's ``expires`` is a whole Unix time (0.10: a float; 0.10
never read it back).
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Annotated, Any, ClassVar

from typing_extensions import Unpack

from cloudstorage.base import Blob, Container, Driver, errors, prefetch, transfer
from cloudstorage.base.blob import UNSET
from cloudstorage.base.options import Default, DriverOptions
from cloudstorage.base.settings import DownloadGrant, UploadPolicy, settings_fields
from cloudstorage.exceptions import (
    CloudStorageError,
    CredentialsError,
)
from cloudstorage.registry import requires_extra
from fs_bridge.local import PROTOCOL, InvalidNameError, check_blob_name, check_container_name
from fs_bridge.local._mounts import on_local_disk

with requires_extra(__name__):
    import itsdangerous

    from cloudstorage.drivers.local import _signatures as signatures
    from cloudstorage.drivers.local._signatures import BadSignatureError

__all__ = ["BadSignatureError", "LocalDriver", "LocalOptions"]

_UTC = timezone.utc
_PATH_MAX = 4096
"""Linux's PATH_MAX, counting the terminating NUL."""


class LocalOptions(DriverOptions, total=False):
    """`LocalDriver`'s options (the directory is ``key``; ``secret`` and ``salt`` sign)."""

    base_url: Annotated[str | None, Default(None)]
    """Where `cloudstorage.serve` answers (``"http://localhost:8000/storage"``): download
    URLs become ``base_url?signature=...`` and upload forms post there."""


class LocalDriver(Driver):
    """Containers are folders of ``key``, a directory created if missing.

    Raises ``NotADirectoryError`` if ``key`` is a file, `CredentialsError` if the process may
    not use it, and `CloudStorageError` if its filesystem has no user extended attributes.
    The ``base_url`` option (say ``"http://localhost:8000/storage"``) is where
    `cloudstorage.serve` answers: download URLs become ``base_url?signature=...`` and upload
    forms post there. Without it they are the bare signatures of cloudstorage 0.10.
    """

    name = "LOCAL"
    protocol = PROTOCOL
    batched_deletes = True  # each folder opened and pruned once for the whole batch
    create_only_uploads = True  # "xb": the temporary file is published with link()
    # No MD5 check of a download: nothing travels between the disk and the caller, and
    # checking the bytes against the MD5 cached beside them would cost more than the copy
    # (85% of a 64 MiB download; 5.8 of the 29 µs of a 4 KiB get_blob + download).
    checks_downloads = False
    container_acls = blob_acls = frozenset[str]()  # no ACLs: logged and ignored, as in 0.10

    options_type: ClassVar[Any] = LocalOptions

    def __init__(
        self,
        key: str,
        secret: str | None = None,
        salt: str | None = None,
        *,
        region: str | None = None,
        **kwargs: Unpack[LocalOptions],
    ) -> None:
        # region is taken, and means nothing here, so that one call makes any driver
        super().__init__(key=key, secret=secret, region=region, **kwargs)
        self.salt = salt
        self.base_url: Annotated[str | None, Default(None)] = kwargs.get("base_url")
        self.base_path = os.path.abspath(os.path.expanduser(key))
        # pickled with the absolute path: a worker in another directory reaches this store
        self._arguments = ((self.base_path, secret, salt), dict(kwargs))
        if os.path.exists(self.base_path) and not os.path.isdir(self.base_path):
            raise NotADirectoryError(f"local storage path {self.base_path!r} is not a directory")
        try:
            os.makedirs(self.base_path, exist_ok=True)
        except PermissionError as exc:
            raise CredentialsError(f"cannot create local storage path {self.base_path!r}") from exc
        self._check_access()
        if on_local_disk(self.base_path):  # else (NFS, SMB, FUSE) each call waits: threads help
            self.bulk_workers = 1
        try:
            self.fs  # noqa: B018  # builds the filesystem now: it probes for user xattrs
        except OSError as exc:
            raise CloudStorageError(str(exc.strerror)) from exc

    @property
    def storage_options(self) -> dict[str, Any]:
        return {"root": self.base_path}

    def _check_access(self) -> None:
        if not os.access(self.base_path, os.R_OK | os.W_OK | os.X_OK):
            raise CredentialsError(f"no read/write access to local storage {self.base_path!r}")

    def _check_credentials(self) -> None:
        self._check_access()

    def _validate_container_name(self, name: str) -> None:
        super()._validate_container_name(name)
        try:
            check_container_name(name)
        except InvalidNameError as exc:
            raise CloudStorageError(str(exc)) from exc

    def _validate_blob_name(self, name: str) -> None:
        super()._validate_blob_name(name)
        try:
            check_blob_name(name)
        except InvalidNameError as exc:
            raise CloudStorageError(str(exc)) from exc
        # The name must fit the OS's longest path (PATH_MAX), beside at least "c/": past
        # it the store's relative opens fail with a raw ENAMETOOLONG.
        if len(name.encode()) + 3 > _PATH_MAX:
            raise CloudStorageError(
                f"blob name {name[:64]!r}... is too long for the filesystem "
                f"(a local path holds at most {_PATH_MAX} bytes)"
            )

    # -- mapping between the xlocal filesystem and blobs ----------------------------------

    def _blob_fields(self, info: Mapping[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "etag": _etag(info),
            "acl": None,
            "expires_at": None,
            "created_at": datetime.fromtimestamp(info["created"], _UTC),
            "modified_at": datetime.fromtimestamp(info["mtime"], _UTC),
        }
        if "metadata" in info:  # a full info(); a listing entry carries the stat alone
            fields.update(settings_fields(info))
        if "md5" in info:  # the hash cached for this version
            fields["checksum"] = info["md5"]
        return fields

    def _blob_from_info(
        self, container: Container, info: Mapping[str, Any], complete: bool
    ) -> Blob:
        # The base's result, built without its keyword plumbing (a listing of 5,000 blobs
        # spent a fifth of its time there). A listing entry is a stat alone: the attributes
        # kept in xattrs load together on first read.
        full = "metadata" in info
        absent = None if complete else UNSET
        return Blob(
            info["name"][len(container.name) + 1 :],
            info.get("md5", UNSET),  # the cached hash, else hashed on first read
            _etag(info),
            info["size"],
            container,
            self,
            None,  # acl
            info["metadata"] if full else absent,
            info.get("content_disposition") if full else absent,
            info.get("content_type") if full else absent,
            info.get("cache_control") if full else absent,
            datetime.fromtimestamp(info["created"], _UTC),
            datetime.fromtimestamp(info["mtime"], _UTC),
            None,  # expires_at
        )

    def _blob_lookup(self, container: str, blob: str) -> tuple[dict[str, Any], bytes | None]:
        # One open serves the stat, the attributes and, for a small blob, its bytes, which
        # the download that usually follows writes without opening the file again. The
        # blob name was checked by get_blob (its one caller here): the container's alone
        # is checked now. The bytes are only served while the blob is unchanged (_kept_body).
        with self._errors(container, blob):
            check_container_name(container)
            info, body = self.fs.lookup(f"{container}/{blob}", prefetch.HEAD_BYTES, named=True)
        if info["type"] != "file":
            raise errors.NOT_FOUND(errors.describe(container, blob), "a folder")
        return info, body

    def _kept_body(self, blob: Blob) -> bytes | None:
        # The bytes get_blob read, while the file at the blob's path is still that version
        # (its etag: inode, size, modification time): one stat, no open. A blob replaced,
        # rewritten or removed since is downloaded from the disk again (or not found).
        body = prefetch.take(blob)
        if body is None:
            return None
        now = self.fs.stat_entry(self._path(blob.container.name, blob.name))
        if now is None or now["type"] != "file" or _etag(now) != blob.__dict__.get("_etag"):
            return None
        return body

    def _list_infos(self, container: str, prefix: str) -> Iterator[Mapping[str, Any]]:
        # a lazy walk of the prefix's folder, in name order (`XattrLocalFileSystem.iter_files`)
        folder = prefix.rpartition("/")[0].strip("/")
        return self.fs.iter_files(container, folder)  # type: ignore[no-any-return]

    def _put(
        self, source: transfer.Source, path: str, options: dict[str, Any], overwrite: bool
    ) -> int:
        descriptor = source.fileno()
        if not overwrite or source.path is None or descriptor is None:
            # a stream, a named pipe; or create-only ("xb": the temporary file is published
            # with link(), which refuses an existing blob)
            return super()._put(source, path, options, overwrite)
        # A file given by path: the kernel copies it into the blob's temporary file. From the
        # stream's position, not its descriptor's (sniffing left the buffer ahead of it).
        remote = self.fs.open(path, "wb", **options)
        try:
            size = _copy_file(descriptor, remote.fileno(), source.stream.tell())
            remote.close()
        except BaseException:
            transfer.abort_remote(remote)
            raise
        return size

    def _get(self, blob: Blob, sink: transfer.Sink) -> None:
        # The blob is a local file already: to a path the kernel copies it (copy_file_range)
        # into the sink's temporary file; to a stream it is read straight from its descriptor.
        # No fsspec file object: on a 4 KiB blob that costs more than the read. The sink
        # checks nothing (checks_downloads).
        with self.fs.open_local_file(self._path(blob.container.name, blob.name)) as source:
            descriptor = sink.fileno()
            if descriptor is not None:
                _copy_file(source.fileno(), descriptor)
            else:
                _copy_to_stream(source, sink)

    def _compute_checksum(self, blob: Blob) -> str | None:
        with self._errors(blob.container.name, blob.name):
            digest: str = self.fs.md5(self._path(blob.container.name, blob.name))
        return digest

    # -- URLs -----------------------------------------------------------------------------

    def container_cdn_url(self, container: Container) -> str:
        """The container's folder on disk (the local store has no CDN)."""
        return os.path.join(self.base_path, container.name)

    def blob_cdn_url(self, blob: Blob) -> str:
        """The blob's file on disk (the local store has no CDN)."""
        return os.path.join(self.base_path, blob.container.name, *blob.name.split("/"))

    def _download_url(self, blob: Blob, grant: DownloadGrant) -> str:
        """A URL-safe signature of the blob, its expiry and response overrides.

        Append it to your app's storage route, which calls `validate_signature`; with
        ``base_url`` it is a URL that `cloudstorage.serve` answers.
        """
        return signatures.download_url(self, blob, grant)

    def _upload_form(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """Form fields ``blob_name``, ``container``, ``expires`` and a ``signature``.

        The signature carries every condition; the receiving route (or `cloudstorage.serve`)
        calls `validate_signature` and passes the payload's settings to `upload_blob`.
        """
        return signatures.upload_form(self, container, policy)

    def _put_url(self, container: Container, policy: UploadPolicy) -> dict[str, Any]:
        """A signature granting one ``PUT`` of the blob (``grant: "put"``), as a URL that
        `cloudstorage.serve` answers when ``base_url`` is set, else the bare token for your
        app's route (which calls `validate_signature`)."""
        return signatures.put_url(self, container, policy)

    def validate_signature(self, signature: str) -> dict[str, Any]:
        """The payload of a signature made by this driver's secret and salt.

        Raises `SignatureExpiredError` past its expiry and `BadSignatureError` (also
        itsdangerous's ``BadSignature``) for a signature that was altered or made with another
        secret or salt. A download URL made with ``base_url`` is accepted whole. Signatures
        of cloudstorage 0.10 with the same secret and salt validate here, and ours in 0.10.

        Args:
            signature: a download signature, an upload form's ``signature`` field, or a whole
                download URL made with ``base_url``.

        Returns:
            The signed payload: ``container``, ``blob_name``, ``expires`` and ``max_age``, with
            ``method``, ``content_disposition`` and ``content_type`` (downloads) or ``acl``,
            ``meta_data``, ``content_type``, ``content_disposition``, ``cache_control`` and
            ``content_length`` (upload forms).

        Raises:
            SignatureExpiredError: the signature is past its expiry.
            BadSignatureError: the signature was altered or made with another secret or salt
                (also itsdangerous's ``BadSignature``).
            CloudStorageError: the driver has no secret.
        """
        return signatures.validate(self._serializer(), signature)

    def _serializer(self) -> itsdangerous.URLSafeTimedSerializer:
        """Exactly cloudstorage 0.10's serializer, so its links and ours validate both ways."""
        return signatures.serializer(self.secret, self.salt)


def _etag(info: Mapping[str, Any]) -> str:
    """Changes whenever the blob is replaced, without reading its bytes.

    Inode, size and modification time in hex, as Apache and nginx make theirs. Differs from
    cloudstorage 0.10 on purpose: its etag was the SHA-1 of the path, which never changed.
    """
    mtime_ns = info.get("mtime_ns") or int(info["mtime"] * 1e9)
    return f"{info.get('ino', 0):x}-{info['size']:x}-{mtime_ns:x}"


def _copy_file(source_fd: int, target_fd: int, offset: int = 0) -> int:
    """Copy ``source_fd`` from ``offset`` to its end into ``target_fd``, in the kernel.

    Falls back on Python's copy where the kernel cannot (before Linux 5.3 across
    filesystems, or filesystems without it). Returns the byte count.
    """
    copied = 0
    try:
        while count := os.copy_file_range(source_fd, target_fd, _KERNEL_COPY, offset + copied):
            copied += count
    except OSError as exc:
        if copied or exc.errno not in _NO_KERNEL_COPY:
            raise
        os.lseek(source_fd, offset, os.SEEK_SET)
        with (
            open(source_fd, "rb", buffering=0, closefd=False) as reader,
            open(target_fd, "wb", closefd=False) as target,
        ):
            copied = transfer.copy_stream(reader, target)
    return copied


def _copy_to_stream(source: io.FileIO, destination: transfer.Sink) -> None:
    """Copy ``source`` to a binary stream; a small file in one read sized by ``fstat``."""
    if os.fstat(source.fileno()).st_size < transfer.CHUNK_SIZE:
        data = source.readall()  # to the end, even if the file grew meanwhile
        if data:
            destination.write(data)
        return
    transfer.copy_stream(source, destination)


_KERNEL_COPY = 1 << 30
_NO_KERNEL_COPY = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ETXTBSY, errno.EPERM}
)
