"""Swift and Cloud Files: a token that expires mid-job costs one login, and no failed transfer.

The proxy answers one request with 401, as Swift does once a token has expired; the driver
logs in again (one TempAuth login through the proxy: Cloud Files' identity service also gets
its token there) and repeats the request, its whole body included. GCS: tokens of 2 s during
a longer job are refreshed before they expire (the proxy refuses an expired one).
"""

from __future__ import annotations

import io
import os
import time

import pytest

from cloudstorage import Container
from tests.faults.conftest import SWIFT_FAMILY, Cloud, blob_path, upload_path
from tests.rigs.gcs import token_endpoint, write_service_account
from tests.streams import OneWayStream

SMALL = os.urandom(300_000)
LARGE = os.urandom(9 * 2**20)  # two 8 MiB segments and a manifest here

pytestmark = pytest.mark.filterwarnings(
    "ignore:unclosed <socket:ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)


@pytest.fixture
def swift_cloud(cloud: Cloud) -> Cloud:
    if cloud.name not in SWIFT_FAMILY:
        pytest.skip("tokens that expire mid-job: Swift and Cloud Files (S3, Azure: keys; GCS: "
                    "google-auth refreshes before expiry)")  # fmt: skip
    return cloud


def _logins(cloud: Cloud) -> int:
    return sum(1 for seen in cloud.proxy.requests if seen.path.startswith("/auth/v1.0"))


@pytest.mark.parametrize("data", [SMALL, LARGE], ids=["one-request", "segments"])
@pytest.mark.parametrize("seekable", [True, False], ids=["file", "stream"])
def test_expired_token_mid_upload_costs_one_login(
    swift_cloud: Cloud, bucket: Container, tmp_path, data: bytes, seekable: bool
):
    cloud = swift_cloud
    source: object
    if seekable:
        path = tmp_path / "source.bin"
        path.write_bytes(data)
        source = str(path)
    else:
        source = OneWayStream(data)
    skip = 1 if data is LARGE else 0  # the second segment (or the one PUT) meets the 401
    cloud.proxy.fail("PUT", upload_path(cloud.name, bucket.name, "t.bin"), 1, 401, skip=skip)
    bucket.upload_blob(source, blob_name="t.bin")  # type: ignore[arg-type]
    assert cloud.proxy.count("fail") == 1
    assert _logins(cloud) == 1
    out = io.BytesIO()
    cloud.rig.driver.get_container(bucket.name).get_blob("t.bin").download(out)
    assert out.getvalue() == data


def test_expired_token_mid_download_costs_one_login(
    swift_cloud: Cloud, bucket: Container, tmp_path
):
    cloud = swift_cloud
    blob = bucket.upload_blob(io.BytesIO(LARGE), blob_name="d.bin")
    cloud.proxy.clear()
    cloud.proxy.fail("GET", blob_path(bucket.name, "d.bin"), times=1, status=401)
    blob.download(str(tmp_path / "d.bin"))
    assert (tmp_path / "d.bin").read_bytes() == LARGE
    assert cloud.proxy.count("fail") == 1
    assert _logins(cloud) == 1


TOKEN_LIFE = 2
ISSUED: dict[str, float] = {}
"""The 2-second tokens issued, and when."""


def _fresh(authorization: str | None) -> bool:
    """Whether a request carries a token of ours that has not expired."""
    token = (authorization or "").removeprefix("Bearer ")
    issued = ISSUED.get(token)
    return issued is not None and time.monotonic() - issued < TOKEN_LIFE


def test_gcs_tokens_are_refreshed_before_they_expire(cloud: Cloud, bucket: Container, tmp_path):
    """A job longer than its tokens' life: google-auth fetches a new token before a request
    whose token would expire (the proxy refuses expired or unknown tokens with 401)."""
    if cloud.name != "gcs":
        pytest.skip("GCS access tokens (Swift's are tested above; S3 and Azure sign with keys)")
    from cloudstorage.drivers.google import GoogleStorageDriver  # noqa: PLC0415  # optional extra

    with token_endpoint(TOKEN_LIFE, ISSUED) as token_uri:
        key = write_service_account(tmp_path / "sa.json", token_uri)
        driver = GoogleStorageDriver(
            key=str(key), project=cloud.rig.driver.project, endpoint_url=cloud.proxy.url,  # type: ignore[attr-defined]
            retry_backoff=0.01,
        )  # fmt: skip
        theirs = driver.get_container(bucket.name)
        cloud.proxy.authorize = _fresh
        try:
            started = len(ISSUED)
            theirs.upload_blob(OneWayStream(LARGE), blob_name="long.bin")
            time.sleep(TOKEN_LIFE)  # the job goes on after its token expired
            out = io.BytesIO()
            theirs.get_blob("long.bin").download(out)
        finally:
            cloud.proxy.authorize = None
    assert out.getvalue() == LARGE
    assert cloud.proxy.count("unauthorized") == 0
    assert len(ISSUED) - started >= 2  # refreshed, never sent expired
