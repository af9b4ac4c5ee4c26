"""One adapter per (client, service): the same verbs over our driver, the raw SDKs and the anchors.

Imported by `_worker` in the project's venv and in the anchors' venvs, so nothing from a
third-party package (or from cloudstorage) is imported at module level: each adapter imports
its library in ``__init__``, which the worker calls outside the timed region.

Verbs (each one operation): ``put(name, data)``, ``overwrite(name, data)`` (a put onto a
stored name), ``get(name) -> bytes``, ``head(name)``,
``get_by_name(name) -> bytes``, ``put_path(path, name)``,
``list(prefix) -> count``, ``upload_path(path, name)``, ``upload_stream(stream, name)``,
``download_path(name, path)``, ``download_stream(name, sink)``, ``bulk_put(pairs)``,
``bulk_get(names, folder)``, ``bulk_delete(names)``. A verb a client lacks raises `Unsupported`.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor

WORKERS = 8  # the raw clients' bulk pool, the same bound as our bulk calls


class Unsupported(Exception):  # a skip reason, not an error
    """This client cannot run this workload here; the message says why."""


class Client:
    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.server = spec["server"]
        self.container = spec["container"]

    def _pool(self, fn, items):
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(fn, items))

    def overwrite(self, name, data):
        """Replace a stored blob: a raw client's plain upload (each overwrites by default)."""
        self.put(name, data)

    def prepare_get(self, names):
        """Untimed setup of the ``get`` workload (clients that download a listed object)."""

    def get_by_name(self, name):
        """Download by name, as an application does: a raw client's ``get`` is by name already."""
        return self.get(name)

    def put_path(self, path, name):
        """Upload a small file by path (the raw client: its own upload from a path)."""
        self.upload_path(path, name)

    def bulk_put(self, pairs):
        self._pool(lambda pair: self.upload_path(*pair), pairs)

    def bulk_get(self, names, folder):
        def get(name):
            path = os.path.join(folder, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.download_path(name, path)

        self._pool(get, names)

    def bulk_delete(self, names):
        raise Unsupported("no bulk delete")

    def upload_stream(self, stream, name):
        raise Unsupported("no streaming upload")

    def download_stream(self, name, sink):
        raise Unsupported("no streaming download")


# -- ours -----------------------------------------------------------------------------------


class Ours(Client):
    """Our object API: ``Container`` and ``Blob`` methods only."""

    def __init__(self, spec):
        super().__init__(spec)
        self.driver = make_driver(spec["driver"], self.server)
        self.box = self.driver.get_container(self.container)

    def put(self, name, data):
        self.box.upload_blob(io.BytesIO(data), blob_name=name)

    def overwrite(self, name, data):
        self.box.upload_blob(io.BytesIO(data), blob_name=name, overwrite=True)

    def prepare_get(self, names):
        # a download of a Blob in hand (from a listing, untimed), as apps iterate then read
        wanted = set(names)
        self.blobs = {blob.name: blob for blob in self.box if blob.name in wanted}

    def get(self, name):
        sink = io.BytesIO()
        self.blobs[name].download(sink)
        return sink.getvalue()

    def head(self, name):
        self.box.get_blob(name)

    def get_by_name(self, name):
        # 0.10 applications download by name: a lookup, then the download
        sink = io.BytesIO()
        self.box.get_blob(name).download(sink)
        return sink.getvalue()

    def list(self, prefix):
        if prefix:
            return sum(1 for _ in self.box.list_blobs(prefix))
        return sum(1 for _ in self.box)

    def upload_path(self, path, name):
        self.box.upload_blob(path, blob_name=name)

    def upload_stream(self, stream, name):
        self.box.upload_blob(stream, blob_name=name)

    def download_path(self, name, path):
        self.box.get_blob(name).download(path)

    def download_stream(self, name, sink):
        self.box.get_blob(name).download(sink)

    def bulk_put(self, pairs):
        self.box.upload_blobs(pairs)

    def bulk_get(self, names, folder):
        self.box.download_blobs(names, folder)

    def bulk_delete(self, names):
        self.box.delete_blobs(names)


def make_driver(kind, server):
    """Our driver for a benchmark server record (the same settings as tests/rigs)."""
    if kind in ("s3", "minio"):
        if kind == "minio":
            from cloudstorage.drivers.minio import MinioDriver  # noqa: PLC0415

            host = server["endpoint"].split("://", 1)[1]
            return MinioDriver(host, server["key"], server["secret"], secure=False)
        from cloudstorage.drivers.amazon import S3Driver  # noqa: PLC0415

        return S3Driver(server["key"], server["secret"], endpoint_url=server["endpoint"])
    if kind == "gcs":
        from cloudstorage.drivers.google import GoogleStorageDriver  # noqa: PLC0415

        return GoogleStorageDriver(
            key=server["credentials"], project=server["project"], endpoint_url=server["endpoint"]
        )
    if kind == "azure":
        from cloudstorage.drivers.microsoft import AzureStorageDriver  # noqa: PLC0415

        return AzureStorageDriver(server["account"], server["key"], endpoint_url=server["endpoint"])
    if kind == "swift":
        from cloudstorage.drivers.rackspace import SwiftDriver  # noqa: PLC0415

        return SwiftDriver(server["user"], server["key"], auth_url=server["auth_url"])
    if kind == "local":
        from cloudstorage.drivers.local import LocalDriver  # noqa: PLC0415

        return LocalDriver(key=server["root"], secret="bench", salt="bench")
    raise ValueError(kind)


# -- raw clients ------------------------------------------------------------------------------


class Boto3(Client):
    def __init__(self, spec):
        super().__init__(spec)
        import boto3  # noqa: PLC0415
        from boto3.s3.transfer import TransferConfig  # noqa: PLC0415
        from botocore.config import Config  # noqa: PLC0415

        self.s3 = boto3.client(
            "s3",
            endpoint_url=self.server["endpoint"],
            aws_access_key_id=self.server["key"],
            aws_secret_access_key=self.server["secret"],
            region_name="us-east-1",
            config=Config(
                max_pool_connections=WORKERS * 2,
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        # boto3's defaults: 8 MiB parts, 10 threads (the memory boto3 users get)
        self.transfer = TransferConfig()

    def put(self, name, data):
        self.s3.put_object(Bucket=self.container, Key=name, Body=data)

    def get(self, name):
        return self.s3.get_object(Bucket=self.container, Key=name)["Body"].read()

    def head(self, name):
        self.s3.head_object(Bucket=self.container, Key=name)

    def list(self, prefix):
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.container, Prefix=prefix
        )
        return sum(len(page.get("Contents", [])) for page in pages)

    def upload_path(self, path, name):
        self.s3.upload_file(path, self.container, name, Config=self.transfer)

    def upload_stream(self, stream, name):
        self.s3.upload_fileobj(stream, self.container, name, Config=self.transfer)

    def download_path(self, name, path):
        self.s3.download_file(self.container, name, path, Config=self.transfer)

    def download_stream(self, name, sink):
        self.s3.download_fileobj(self.container, name, sink, Config=self.transfer)

    def bulk_delete(self, names):
        for start in range(0, len(names), 1000):
            objects = [{"Key": name} for name in names[start : start + 1000]]
            self.s3.delete_objects(Bucket=self.container, Delete={"Objects": objects})


class GcsRaw(Client):
    def __init__(self, spec):
        super().__init__(spec)
        from google.auth.credentials import AnonymousCredentials  # noqa: PLC0415
        from google.cloud import storage  # noqa: PLC0415

        self.client = storage.Client(
            project=self.server["project"],
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": self.server["endpoint"]},
        )
        self.bucket = self.client.bucket(self.container)

    def put(self, name, data):
        self.bucket.blob(name).upload_from_string(data)

    def get(self, name):
        return self.bucket.blob(name).download_as_bytes()

    def head(self, name):
        self.bucket.get_blob(name)

    def list(self, prefix):
        return sum(1 for _ in self.client.list_blobs(self.container, prefix=prefix or None))

    def upload_path(self, path, name):
        self.bucket.blob(name).upload_from_filename(path)

    def upload_stream(self, stream, name):
        self.bucket.blob(name).upload_from_file(stream)

    def download_path(self, name, path):
        self.bucket.blob(name).download_to_filename(path)

    def download_stream(self, name, sink):
        self.bucket.blob(name).download_to_file(sink)

    def bulk_delete(self, names):
        self._pool(lambda name: self.bucket.blob(name).delete(), names)


class AzureRaw(Client):
    def __init__(self, spec):
        super().__init__(spec)
        from azure.storage.blob import BlobServiceClient  # noqa: PLC0415

        service = BlobServiceClient.from_connection_string(self.server["connection_string"])
        self.box = service.get_container_client(self.container)

    def put(self, name, data):
        self.box.upload_blob(name, data, overwrite=True)

    def get(self, name):
        return self.box.download_blob(name).readall()

    def head(self, name):
        self.box.get_blob_client(name).get_blob_properties()

    def list(self, prefix):
        return sum(1 for _ in self.box.list_blobs(name_starts_with=prefix or None))

    def upload_path(self, path, name):
        with open(path, "rb") as stream:
            self.box.upload_blob(name, stream, overwrite=True)

    def upload_stream(self, stream, name):
        self.box.upload_blob(name, stream, overwrite=True)

    def download_path(self, name, path):
        with open(path, "wb") as sink:
            self.box.download_blob(name).readinto(sink)

    def download_stream(self, name, sink):
        self.box.download_blob(name).readinto(sink)

    def bulk_delete(self, names):
        self._pool(self.box.delete_blob, names)


class SwiftRaw(Client):
    """python-swiftclient (TempAuth v1), run from the anchors' venv."""

    def __init__(self, spec):
        super().__init__(spec)
        from swiftclient.client import Connection  # noqa: PLC0415

        self.conn = Connection(self.server["auth_url"], self.server["user"], self.server["key"])
        self.conn.head_account()  # log in outside the timed region

    def put(self, name, data):
        self.conn.put_object(self.container, name, data)

    def get(self, name):
        return self.conn.get_object(self.container, name)[1]

    def head(self, name):
        self.conn.head_object(self.container, name)

    def list(self, prefix):
        listing = self.conn.get_container(self.container, prefix=prefix or None, full_listing=True)
        return len(listing[1])

    def upload_path(self, path, name):
        with open(path, "rb") as stream:
            self.upload_stream(stream, name)

    def upload_stream(self, stream, name):
        self.conn.put_object(self.container, name, stream, chunk_size=8 << 20)

    def download_path(self, name, path):
        with open(path, "wb") as sink:
            self.download_stream(name, sink)

    def download_stream(self, name, sink):
        _, body = self.conn.get_object(self.container, name, resp_chunk_size=8 << 20)
        for chunk in body:
            sink.write(chunk)

    def bulk_delete(self, names):
        self._pool(lambda name: self.conn.delete_object(self.container, name), names)


class OsXattr(Client):
    """The local store by hand: temp file, xattr, ``os.replace``; listing by ``os.scandir``."""

    def __init__(self, spec):
        super().__init__(spec)
        self.root = os.path.join(self.server["root"], self.container)

    def _path(self, name):
        return os.path.join(self.root, name)

    def put(self, name, data):
        path = self._path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temp = path + ".tmp"
        with open(temp, "wb") as file:
            file.write(data)
            os.setxattr(file.fileno(), "user.content-type", b"application/octet-stream")
        os.replace(temp, path)

    def get(self, name):
        with open(self._path(name), "rb") as file:
            return file.read()

    def head(self, name):
        path = self._path(name)
        os.stat(path)
        {key: os.getxattr(path, key) for key in os.listxattr(path)}

    def list(self, prefix):
        # walk only the folder a prefix names (as our store and S3 listings do)
        folder = prefix.rpartition("/")[0]
        stack = [os.path.join(self.root, folder) if folder else self.root]
        skip = len(self.root) + 1
        count = 0
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir():
                        stack.append(entry.path)
                    elif not prefix or entry.path[skip:].startswith(prefix):
                        entry.stat()
                        count += 1
        return count

    def upload_path(self, path, name):
        with open(path, "rb") as source:
            self.upload_stream(source, name)

    def put_path(self, path, name):
        import shutil  # noqa: PLC0415

        target = self._path(name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(path, target)  # the yardstick: no temp file, no xattr

    def upload_stream(self, stream, name):
        import shutil  # noqa: PLC0415

        target = self._path(name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target + ".tmp", "wb") as file:
            shutil.copyfileobj(stream, file, 8 << 20)
            os.setxattr(file.fileno(), "user.content-type", b"application/octet-stream")
        os.replace(target + ".tmp", target)

    def download_path(self, name, path):
        import shutil  # noqa: PLC0415

        shutil.copyfile(self._path(name), path)

    def download_stream(self, name, sink):
        import shutil  # noqa: PLC0415

        with open(self._path(name), "rb") as source:
            shutil.copyfileobj(source, sink, 8 << 20)

    def bulk_delete(self, names):
        for name in names:
            os.remove(self._path(name))


# -- anchors ----------------------------------------------------------------------------------


class Obstore(Client):
    def __init__(self, spec):
        super().__init__(spec)
        import obstore  # noqa: PLC0415
        from obstore import store  # noqa: PLC0415

        self.obs = obstore
        kind = spec["driver"]
        if kind in ("s3", "minio"):
            self.store = store.S3Store(
                self.container,
                endpoint=self.server["endpoint"],
                access_key_id=self.server["key"],
                secret_access_key=self.server["secret"],
                region="us-east-1",
                client_options={"allow_http": True},
            )
        elif kind == "azure":
            self.store = store.AzureStore(
                self.container,
                account_name=self.server["account"],
                account_key=self.server["key"],
                endpoint=self.server["endpoint"],
                client_options={"allow_http": True},
            )
        elif kind == "local":
            self.store = store.LocalStore(os.path.join(self.server["root"], self.container))
        else:
            raise Unsupported(f"obstore has no custom endpoint for {kind}'s emulator here")

    def put(self, name, data):
        self.obs.put(self.store, name, data)

    def get(self, name):
        return self.obs.get(self.store, name).bytes()

    def head(self, name):
        self.obs.head(self.store, name)

    def list(self, prefix):
        return sum(len(batch) for batch in self.obs.list(self.store, prefix=prefix or None))

    def upload_path(self, path, name):
        from pathlib import Path  # noqa: PLC0415

        self.obs.put(self.store, name, Path(path))

    def upload_stream(self, stream, name):
        self.obs.put(self.store, name, stream)

    def download_path(self, name, path):
        with open(path, "wb") as sink:
            self.download_stream(name, sink)

    def download_stream(self, name, sink):
        for chunk in self.obs.get(self.store, name).stream(min_chunk_size=8 << 20):
            sink.write(chunk)

    def bulk_delete(self, names):
        self.obs.delete(self.store, names)


class Libcloud(Client):
    def __init__(self, spec):
        super().__init__(spec)
        from libcloud.storage.providers import Provider, get_driver  # noqa: PLC0415

        kind = spec["driver"]
        if kind in ("s3", "minio"):
            host, port = self.server["endpoint"].split("://", 1)[1].split(":")
            cls = get_driver(Provider.MINIO if kind == "minio" else Provider.S3)
            extra = {} if kind == "minio" else {"region": "us-east-1"}
            self.lc = cls(
                self.server["key"], self.server["secret"], host=host, port=int(port),
                secure=False, **extra,
            )  # fmt: skip
        elif kind == "azure":
            host, port = self.server["endpoint"].split("://", 1)[1].split("/")[0].split(":")
            self.lc = get_driver(Provider.AZURE_BLOBS)(
                self.server["account"], self.server["key"], host=host, port=int(port), secure=False
            )
        elif kind == "local":
            try:
                self.lc = get_driver(Provider.LOCAL)(self.server["root"])
            except Exception as exc:
                raise Unsupported(f"libcloud LocalStorageDriver: {exc}") from exc
        elif kind == "gcs":
            raise Unsupported("libcloud's GCS driver signs in at Google's OAuth endpoint only")
        else:
            raise Unsupported(f"libcloud's {kind} driver is not set up for this emulator")
        self.box = self.lc.get_container(self.container)

    def put(self, name, data):
        self.lc.upload_object_via_stream(iter([data]), self.box, name)

    def prepare_get(self, names):
        wanted = set(names)
        self.objects = {o.name: o for o in self.lc.iterate_container_objects(self.box)}
        self.objects = {name: o for name, o in self.objects.items() if name in wanted}

    def get(self, name):
        return b"".join(self.lc.download_object_as_stream(self.objects[name]))

    def head(self, name):
        self.lc.get_object(self.container, name)

    def get_by_name(self, name):
        """libcloud's download by name: look the object up, then download it (2 requests)."""
        return b"".join(self.lc.download_object_as_stream(self.lc.get_object(self.container, name)))

    def list(self, prefix):
        return sum(1 for _ in self.lc.iterate_container_objects(self.box, prefix=prefix or None))


class Old011(Client):
    """cloudstorage 0.11 (its own venv); S3 reached through ``AWS_ENDPOINT_URL_S3``."""

    def __init__(self, spec):
        super().__init__(spec)
        kind = spec["driver"]
        if kind in ("s3", "minio"):
            os.environ["AWS_ENDPOINT_URL_S3"] = self.server["endpoint"]
            from cloudstorage.drivers.amazon import S3Driver  # noqa: PLC0415

            self.driver = S3Driver(self.server["key"], self.server["secret"], region="us-east-1")
        elif kind == "local":
            from cloudstorage.drivers.local import LocalDriver  # noqa: PLC0415

            self.driver = LocalDriver(key=self.server["root"], secret="bench", salt="bench")
        else:
            raise Unsupported(f"cloudstorage 0.11's {kind} driver has no custom endpoint")
        self.box = self.driver.get_container(self.container)

    def put(self, name, data):
        self.box.upload_blob(io.BytesIO(data), blob_name=name)

    def get(self, name):
        # 0.11's listing of nested names is broken on the local store (it drops the folder),
        # so a download starts from get_blob, as 0.11 users wrote it
        sink = io.BytesIO()
        self.box.get_blob(name).download(sink)
        return sink.getvalue()

    def head(self, name):
        self.box.get_blob(name)

    def list(self, prefix):
        if prefix:
            raise Unsupported("no prefix listing in 0.11")
        return sum(1 for _ in self.box)


CLIENTS = {
    "ours": Ours,
    "boto3": Boto3,
    "google-cloud-storage": GcsRaw,
    "azure-storage-blob": AzureRaw,
    "os+xattr": OsXattr,
    "swiftclient": SwiftRaw,
    "obstore": Obstore,
    "libcloud": Libcloud,
    "cloudstorage-0.11": Old011,
}
