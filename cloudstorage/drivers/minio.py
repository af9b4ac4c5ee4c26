"""`MinioDriver`: a MinIO server (or any S3-compatible one), on `S3Driver`'s code.

Protocol choice: ``driver.protocol`` is ``s3`` and the server's URL travels in
``storage_options`` (``client_kwargs.endpoint_url``), so s3fs, pandas and dask reach MinIO
with no filesystem of ours to register, and a ``minio://`` protocol would only be a second
name for the same s3fs. Requests use path-style addressing, as MinIO expects. The ``client``
property gives the `minio.Minio` client of the 0.10 API for what only it offers.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from typing_extensions import Unpack

from cloudstorage.base import Driver
from cloudstorage.base.options import Default, DriverOptions
from cloudstorage.drivers.amazon import S3Driver
from cloudstorage.registry import requires_extra

with requires_extra(__name__):
    import minio

__all__ = ["MinioDriver", "MinioOptions"]

REGIONS = (
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "sa-east-1",
    "cn-north-1",
)
"""The regions cloudstorage 0.10 listed; a server may be configured with any other."""


class MinioOptions(DriverOptions, total=False):
    """`MinioDriver`'s options (its server is the ``endpoint`` argument)."""

    secure: Annotated[bool, Default(True)]
    """HTTPS, or plain HTTP; a URL ``endpoint``'s scheme wins over it."""
    http_client: Annotated[Any, Default(None)]
    """A ``urllib3.PoolManager`` for the `MinioDriver.client` property only."""


class MinioDriver(S3Driver):
    """A MinIO server at ``endpoint`` (``host:port``), over HTTPS unless ``secure=False``.

    ``http_client`` (a ``urllib3.PoolManager``) is used by ``client`` only; the object API
    talks to the server through s3fs.
    """

    name = "MINIO"
    url = "https://min.io/"
    addressing_style = "path"
    options_type: ClassVar[Any] = MinioOptions

    def __init__(
        self,
        endpoint: str,
        key: str | None = None,
        secret: str | None = None,
        region: str | None = "us-east-1",
        **kwargs: Unpack[MinioOptions],
    ) -> None:
        # Driver's __init__, not S3Driver's: MinioOptions has no endpoint_url to take
        Driver.__init__(self, key=key, secret=secret, region=region or "us-east-1", **kwargs)
        parts = urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
        secure = kwargs.get("secure", True)
        if parts.scheme:  # a URL wins over ``secure``
            secure = parts.scheme == "https"
        self.endpoint = parts.netloc
        self.secure = secure
        self.http_client = kwargs.get("http_client")
        self._connect_to(f"{'https' if secure else 'http'}://{self.endpoint}")

    @cached_property
    def client(self) -> minio.Minio:
        """The minio-py client on the same server and credentials, built once."""
        return minio.Minio(
            self.endpoint,
            access_key=self.key,
            secret_key=self.secret,
            region=self.region,
            secure=self.secure,
            http_client=self.http_client,
        )

    @property
    def regions(self) -> list[str]:
        """0.10's region list, and the server's own region if it is another."""
        extra = [self.region] if self.region and self.region not in REGIONS else []
        return [*REGIONS, *extra]
