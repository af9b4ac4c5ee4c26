"""No key, secret, token or signature in a log record, a ``repr`` or an exception message.

Every logger is set to DEBUG with a capturing handler on the root logger (botocore, azure,
urllib3, aiohttp, gcsfs, fsspec and ours propagate to it as they do by default), then each
driver does a round of work, signs a URL, and fails a credential check.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cloudstorage import Driver
from cloudstorage.exceptions import CloudStorageError
from tests.conftest import unique_name
from tests.faults.conftest import S3_FAMILY, SWIFT_FAMILY, Cloud
from tests.rigs.proxied import s3_family_driver

S3_KEY = "AKIAFAULTTESTKEY7Q2Z"
S3_SECRET = "Zq8sEcReT/fAuLtTeSt+9xYwVuTsRqPoNmLkJiHgFeDc"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(f"{record.name}: {record.getMessage()}")
        except Exception:  # a record that cannot format is no leak
            self.lines.append(f"{record.name}: {record.msg!r}")


@pytest.fixture
def captured() -> Iterator[Capture]:
    root = logging.getLogger()
    handler = Capture()
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    old_root = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in levels:
        logging.getLogger(name).setLevel(logging.NOTSET)  # everything reaches the root
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_root)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _driver(cloud: Cloud) -> tuple[Driver, list[str]]:
    """A driver through the proxy, and the secrets it holds."""
    if cloud.name in S3_FAMILY:
        return s3_family_driver(cloud.name, S3_KEY, S3_SECRET, cloud.proxy.url), [S3_SECRET]
    if cloud.name in SWIFT_FAMILY:  # the key, and the token TempAuth hands out for it
        token = cloud.driver.fs.conn.session.get_token()
        return cloud.driver, [cloud.driver.secret or "", token]
    if cloud.name == "gcs":
        with open(cloud.driver.key or "") as handle:
            account = json.load(handle)
        pem_body = "".join(account["private_key"].splitlines()[1:-1])
        return cloud.driver, [pem_body[:40], pem_body[-40:], "test-token"]
    return cloud.driver, [cloud.driver.key or ""]


def _signature(url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    for name in ("X-Amz-Signature", "X-Goog-Signature", "sig", "temp_url_sig"):
        if name in query:
            return query[name][0]
    raise AssertionError(f"no signature in {url}")


def _assert_clean(where: str, text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret appears in {where}"


def _work(driver: Driver) -> str:
    container = driver.create_container(unique_name("secret"))
    try:
        blob = container.upload_blob(io.BytesIO(b"data" * 100), blob_name="s.txt")
        out = io.BytesIO()
        container.get_blob("s.txt").download(out)
        url = blob.generate_download_url(expires=600)
        blob.delete()
    finally:
        container.delete()
    return url


def test_no_secret_in_debug_logs(cloud: Cloud, captured: Capture):
    driver, secrets = _driver(cloud)
    url = _work(driver)
    secrets.append(_signature(url))
    assert captured.lines, "the capture saw no log records at all"
    for line in captured.lines:
        _assert_clean(f"the log line {line[:120]!r}", line, secrets)


def test_no_secret_in_reprs(cloud: Cloud):
    driver, secrets = _driver(cloud)
    container = driver.create_container(unique_name("secret"))
    try:
        blob = container.upload_blob(io.BytesIO(b"x"), blob_name="r.txt")
        for thing in (driver, container, blob):
            _assert_clean(f"repr({type(thing).__name__})", repr(thing), secrets)
        blob.delete()
    finally:
        container.delete()


def _bad_credentials(cloud: Cloud) -> Any:
    if cloud.name in S3_FAMILY:  # nothing listens on port 9: the check cannot connect
        return s3_family_driver(cloud.name, S3_KEY, S3_SECRET + "x", "http://127.0.0.1:9")
    if cloud.name in SWIFT_FAMILY:  # TempAuth (Cloud Files: our identity) refuses the key
        wrong = "wrong-swift-key-3f9a1c"
        original: Any = cloud.driver
        return type(original)(original.key, wrong, auth_url=original.auth_url, retries=0), [wrong]
    if cloud.name == "azure":
        from cloudstorage.drivers.microsoft import AzureStorageDriver  # noqa: PLC0415

        wrong = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLQ=="
        return AzureStorageDriver(
            cloud.driver.account_name, wrong, endpoint_url=cloud.driver.endpoint_url, retry_total=0
        ), [wrong]
    return None


def test_no_secret_in_failed_credential_checks(cloud: Cloud):
    if cloud.name == "gcs":
        pytest.skip("fake-gcs-server accepts any token: no failing check to read")
    if cloud.name in S3_FAMILY:
        driver, secrets = _bad_credentials(cloud), [S3_SECRET]
    else:
        driver, secrets = _bad_credentials(cloud)
    with pytest.raises(CloudStorageError) as caught:
        driver.validate_credentials()
    chain: list[BaseException] = []
    exc: BaseException | None = caught.value
    while exc is not None and len(chain) < 10:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    text = "\n".join(f"{type(e).__name__}: {e}" for e in chain)
    _assert_clean("the exception messages", text, secrets)
    assert re.search(r"credential|refused|Authentication|connect", text, re.IGNORECASE)
