"""The S3-family rigs: S3, MinIO, DigitalOcean Spaces and Backblaze B2, all on one moto server.

The server is the session's (`tests.rigs.pool.ServerPool`), so the four rigs (and
tests/drivers/test_amazon.py) share it; every test uses fresh bucket names, so they do not see
each other's data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudstorage.base import Driver
from cloudstorage.drivers.amazon import BackblazeB2Driver, DigitalOceanSpacesDriver, S3Driver
from cloudstorage.drivers.minio import MinioDriver
from tests.servers import MotoServer

if TYPE_CHECKING:
    from tests.rigs import Rig
    from tests.rigs.pool import ServerPool


def s3_driver(server: MotoServer, **options: Any) -> S3Driver:
    return S3Driver(
        server.access_key, server.secret_key, endpoint_url=server.endpoint_url, **options
    )


def minio_driver(server: MotoServer, **options: Any) -> MinioDriver:
    endpoint = server.endpoint_url.split("://", 1)[1]
    return MinioDriver(endpoint, server.access_key, server.secret_key, secure=False, **options)


def digitalocean_driver(server: MotoServer, **options: Any) -> DigitalOceanSpacesDriver:
    return DigitalOceanSpacesDriver(
        server.access_key,
        server.secret_key,
        region="ams3",
        endpoint_url=server.endpoint_url,
        **options,
    )


def backblaze_driver(server: MotoServer, **options: Any) -> BackblazeB2Driver:
    return BackblazeB2Driver(
        server.access_key,
        server.secret_key,
        region="eu-central-003",
        endpoint_url=server.endpoint_url,
        **options,
    )


@contextmanager
def _start(name: str, driver: Driver) -> Iterator[Rig]:
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    yield Rig(
        name=name,
        driver=driver,
        http_download_urls=True,
        server_checks=False,
        known_gaps=KNOWN_GAPS,
    )


_MOTO_COPY = (
    "moto 5.2.5 ignores If-None-Match on CopyObject (S3 refuses with 412): a create-only copy "
    "within the store overwrites there"
)
KNOWN_GAPS = {
    "test_create_only_copy_within_a_store_refuses_an_existing_blob": _MOTO_COPY,
    "test_create_only_move_onto_an_existing_blob_keeps_both": _MOTO_COPY,
    "test_create_only_copy_onto_a_blob_says_it_exists": _MOTO_COPY,
}
"""Conformance tests moto fails (run as strict xfails)."""


@contextmanager
def start_s3(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    with _start("s3", s3_driver(servers.get("moto"))) as rig:
        yield rig


@contextmanager
def start_minio(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    with _start("minio", minio_driver(servers.get("moto"))) as rig:
        yield rig


@contextmanager
def start_digitalocean(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    with _start("digitalocean", digitalocean_driver(servers.get("moto"))) as rig:
        yield rig


@contextmanager
def start_backblaze(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    with _start("backblaze", backblaze_driver(servers.get("moto"))) as rig:
        yield rig
