"""A rig's driver rebuilt on a proxy's URL (`tests.servers.fault_proxy.FaultProxy`).

The proxy sits in front of the rig's server; a driver with the rig's credentials and class,
its endpoint on the proxy, sends every request through it, so the proxy both counts what an
operation costs (whatever the transport: botocore, aiohttp, azure-core, requests) and injects
faults. Swift logs in through the proxy too (TempAuth builds the storage URL from the login's
Host); Cloud Files logs in at an identity service of its own whose catalog points at the proxy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cloudstorage import Driver
from tests.rigs import Rig
from tests.rigs.pool import ServerPool

S3_FAMILY = ("s3", "minio", "digitalocean", "backblaze")
SWIFT_FAMILY = ("swift", "cloudfiles")
CLOUD_FAMILY = (*S3_FAMILY, "gcs", "azure", *SWIFT_FAMILY)
"""The rigs whose driver talks HTTP to a server (the local rigs do not)."""


def upstream(rig: Rig, servers: ServerPool) -> str:
    """``http://host:port`` of the server behind the rig ``name``: where a proxy forwards."""
    if rig.name in SWIFT_FAMILY:
        return str(servers.get("swift").proxy_url)
    parts = urlsplit(rig.driver.endpoint_url)  # type: ignore[attr-defined]
    return f"{parts.scheme}://{parts.netloc}"


def proxied_driver(
    rig: Rig, proxy_url: str, servers: ServerPool, stops: list[Any], **options: Any
) -> Driver:
    """The rig's driver (its credentials) on ``proxy_url``, with these options; what must be
    stopped after it (Cloud Files' identity service) is appended to ``stops``."""
    name, original = rig.name, rig.driver
    if name in S3_FAMILY:
        # the same class and options as the rig's, the endpoint on the proxy
        return s3_family_driver(name, original.key, original.secret, proxy_url, **options)
    if name == "gcs":
        from cloudstorage.drivers.google import GoogleStorageDriver  # noqa: PLC0415

        return GoogleStorageDriver(
            key=original.key, project=original.project, endpoint_url=proxy_url, **options
        )
    if name == "azure":
        from cloudstorage.drivers.microsoft import AzureStorageDriver  # noqa: PLC0415

        path = urlsplit(original.endpoint_url).path
        return AzureStorageDriver(
            original.account_name, original.key, endpoint_url=proxy_url + path, **options
        )
    from cloudstorage.drivers.rackspace import CloudFilesDriver, SwiftDriver  # noqa: PLC0415
    from tests.rigs.swift import start_identity  # noqa: PLC0415

    server = servers.get("swift")
    tempauth = proxy_url + urlsplit(server.auth_url).path
    if name == "swift":
        return SwiftDriver(original.key, original.secret, auth_url=tempauth, **options)
    identity = start_identity(server, tempauth_url=tempauth)
    stops.append(identity.stop)
    return CloudFilesDriver(
        original.key, original.secret, region=original.region, auth_url=identity.url,
        **options,
    )  # fmt: skip


def s3_family_driver(name: str, key: str, secret: str, endpoint_url: str, **options: Any) -> Driver:
    """The S3-family rig ``name``'s driver (its class and options) with these credentials and
    endpoint (the proxy's; moto takes any credentials), and ``options`` added."""
    from tests.rigs import s3 as s3_rigs  # noqa: PLC0415  # optional extra

    builder = getattr(s3_rigs, f"{name}_driver")
    return builder(_MotoBehind(key, secret, endpoint_url), **options)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _MotoBehind:
    """The moto server's credentials with the proxy's endpoint, for the S3 rigs' builders."""

    access_key: str
    secret_key: str
    endpoint_url: str
