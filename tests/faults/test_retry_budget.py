"""One retry budget on every cloud driver, and "absent" only when the service says so.

Through a `FaultProxy` that keeps answering 503 (S3's SlowDown for the S3 family): a request
costs exactly ``retries + 1`` attempts, for the default budget and for ``retries=1``, on the one
layer that retries for that driver; the options show in ``storage_options``. An existence
check that meets a server error, and a login or listing whose connection is refused, raise
`CloudStorageError` instead of answering "absent" or "bad credentials".
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cloudstorage import Container, Driver
from cloudstorage.base.retry import RETRIES
from cloudstorage.exceptions import CloudStorageError, CredentialsError, NotFoundError
from tests.faults.conftest import S3_FAMILY, Cloud, blob_path
from tests.rigs import ServerPool
from tests.rigs.proxied import proxied_driver
from tests.servers._process import LOCALHOST, free_port
from tests.servers.fault_proxy import S3_SLOW_DOWN

pytestmark = pytest.mark.filterwarnings(
    "ignore:unclosed <socket:ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)

FAST = {"retry_backoff": 0.01}
"""Waits cut short (S3's are botocore's own, which the `cloud` fixture shortens)."""

Build = Callable[..., Driver]


@pytest.fixture
def build(cloud: Cloud, servers: ServerPool) -> Iterator[Build]:
    """Drivers of the cloud's rig with given options, at the proxy (or another URL)."""
    stops: list[Any] = []

    def make(url: str | None = None, **options: Any) -> Driver:
        return proxied_driver(cloud.rig, url or cloud.proxy.url, servers, stops, **options)

    yield make
    for stop in stops:
        stop()


def _busy(cloud: Cloud) -> tuple[int, dict[str, str], bytes]:
    return S3_SLOW_DOWN if cloud.name in S3_FAMILY else (503, {}, b"busy")


@pytest.mark.parametrize("retries", [None, 1], ids=["default", "retries=1"])
def test_persistent_503_costs_retries_plus_one_attempts(
    cloud: Cloud, bucket: Container, build: Build, retries: int | None
):
    bucket.upload_blob(io.BytesIO(b"kept"), blob_name="busy.bin")
    options = FAST if retries is None else {**FAST, "retries": retries}
    theirs = build(**options).get_container(bucket.name)
    status, headers, body = _busy(cloud)
    cloud.proxy.fail("*", blob_path(bucket.name, "busy.bin"), 1000, status, headers, body)
    with pytest.raises(CloudStorageError) as raised:
        theirs.get_blob("busy.bin")
    assert not isinstance(raised.value, NotFoundError)
    assert cloud.proxy.count("fail") == (RETRIES if retries is None else retries) + 1


def test_retry_options_show_in_storage_options(cloud: Cloud, build: Build):
    options = build(retries=1, retry_backoff=0.25, timeout=7).storage_options
    if cloud.name in S3_FAMILY:  # botocore retries (s3fs's own loop takes no option)
        config = options["config_kwargs"]
        assert config["retries"]["total_max_attempts"] == 2
        assert (config["connect_timeout"], config["read_timeout"]) == (7, 7)
    elif cloud.name == "azure":  # adlfs takes no retry options; its timeouts are ours
        assert (options["connection_timeout"], options["read_timeout"]) == (7, 7)
    else:
        assert (options["retries"], options["retry_backoff"]) == (1, 0.25)


def test_server_error_on_a_blob_existence_check_raises(
    cloud: Cloud, bucket: Container, build: Build
):
    bucket.upload_blob(io.BytesIO(b"here"), blob_name="here.bin")
    theirs = build(retries=1, **FAST).get_container(bucket.name)
    cloud.proxy.fail("*", blob_path(bucket.name, "here.bin"), times=1000, status=500)
    with pytest.raises(CloudStorageError) as raised:
        "here.bin" in theirs  # noqa: B015  # the check itself is what is tested
    assert not isinstance(raised.value, (NotFoundError, CredentialsError))
    cloud.proxy.clear()
    assert "here.bin" in theirs
    assert "elsewhere.bin" not in theirs  # a real "not found" still answers False


def test_server_error_on_a_container_existence_check_raises(
    cloud: Cloud, bucket: Container, build: Build
):
    driver = build(retries=1, **FAST)
    cloud.proxy.fail("*", rf"/{bucket.name}/?(\?|$)", times=1000, status=500)
    with pytest.raises(CloudStorageError) as raised:
        bucket.name in driver  # noqa: B015  # the check itself is what is tested
    assert not isinstance(raised.value, (NotFoundError, CredentialsError))
    cloud.proxy.clear()
    assert bucket.name in driver


def test_refused_connection_is_not_bad_credentials(build: Build):
    nobody = f"http://{LOCALHOST}:{free_port()}"  # nothing listens there
    driver = build(nobody, retries=0, **FAST)
    with pytest.raises(CloudStorageError) as raised:
        driver.validate_credentials()
    assert not isinstance(raised.value, CredentialsError)
