"""Swift and Cloud Files: a token that expires mid-job costs one login, and no failed transfer.

The proxy answers one request with 401, as Swift does once a token has expired; the driver
logs in again (one TempAuth login through the proxy: Cloud Files' identity service also gets
its token there) and repeats the request, its whole body included.
"""

from __future__ import annotations

import io
import os

import pytest

from cloudstorage import Container
from tests.faults.conftest import SWIFT_FAMILY, Cloud, blob_path, upload_path
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
