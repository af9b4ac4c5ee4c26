"""Swift's Keystone v3 login against a real Keystone (sqlite, fernet tokens) on 127.0.0.1.

The catalog's object store of ``RegionThree`` is a second proxy of the session's Swift whose
pipeline checks Keystone tokens (keystonemiddleware's ``authtoken`` and Swift's
``keystoneauth``); that of ``RegionTwo`` the TempAuth proxy, that of ``RegionOne`` a URL where
nothing listens: picking the region is seen in the storage URL the driver uses.
"""

from __future__ import annotations

import io
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudstorage.drivers.rackspace import SwiftDriver
from cloudstorage.exceptions import CredentialsError
from tests.conftest import RIG_NAMES, unique_name
from tests.servers import SwiftServer
from tests.servers._process import LOCALHOST, free_port
from tests.servers.keystone import (
    ADMIN_PASSWORD,
    DOMAIN,
    PASSWORD,
    PROJECT,
    USER,
    KeystoneServer,
    start_keystone,
)
from tests.servers.swift import start_keystone_proxy

pytestmark = pytest.mark.skipif(
    "swift" not in RIG_NAMES, reason="CLOUDSTORAGE_TEST_DRIVERS leaves out swift"
)


@pytest.fixture(scope="session")
def keystone(
    tmp_path_factory: pytest.TempPathFactory, swift_server: SwiftServer
) -> Iterator[KeystoneServer]:
    swift = swift_server
    port = free_port()
    urls = {
        "RegionOne": f"http://{LOCALHOST}:{free_port()}/v1/AUTH_nowhere",
        "RegionTwo": f"{swift.proxy_url}/v1/{swift.account}",
        "RegionThree": f"http://{LOCALHOST}:{port}/v1/AUTH_$(project_id)s",
    }
    server = start_keystone(tmp_path_factory.mktemp("keystone"), urls)
    service = {"username": "admin", "password": ADMIN_PASSWORD, "project_name": "admin"}
    try:
        proxy = start_keystone_proxy(swift, port, server.auth_url, service)
    except BaseException:
        server.stop()
        raise
    yield server
    proxy.stop()
    server.stop()


def _driver(keystone: KeystoneServer, password: str = PASSWORD, **options: object) -> SwiftDriver:
    return SwiftDriver(
        USER, password, auth_url=keystone.auth_url, auth_version="3", project_name=PROJECT,
        user_domain_name=DOMAIN, project_domain_name=DOMAIN, retries=0, **options,
    )  # fmt: skip


def _valid(keystone: KeystoneServer, token: str) -> bool:
    request = urllib.request.Request(
        keystone.auth_url + "/auth/tokens",
        headers={"X-Auth-Token": keystone.admin_token(), "X-Subject-Token": token},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30):
            return True
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise


@pytest.mark.parametrize("region", ["RegionOne", "RegionTwo"])
def test_login_with_project_and_domain_picks_the_region(keystone: KeystoneServer, region: str):
    driver = _driver(keystone, region=region)
    expected = "/v1/AUTH_nowhere" if region == "RegionOne" else "/v1/AUTH_test"
    assert driver.storage_url.endswith(expected)
    assert _valid(keystone, driver.conn.session.get_token())


def test_wrong_password_is_a_credentials_error(keystone: KeystoneServer):
    driver = _driver(keystone, password="not-the-password", region="RegionTwo")
    with pytest.raises(CredentialsError):
        driver.validate_credentials()


def test_no_password_or_token_in_any_log_record(
    keystone: KeystoneServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
):
    caplog.set_level(logging.DEBUG)
    driver = _driver(keystone, region="RegionTwo")
    token = driver.conn.session.get_token()
    with pytest.raises(CredentialsError):
        _driver(keystone, password="wrong-" + PASSWORD, region="RegionTwo").validate_credentials()
    assert caplog.records  # keystoneauth logs its requests at DEBUG
    for record in caplog.records:
        text = record.getMessage()
        assert PASSWORD not in text
        assert token not in text


def test_objects_go_through_a_keystone_checked_swift(keystone: KeystoneServer):
    driver = _driver(keystone, region="RegionThree")
    driver.validate_credentials()
    container = driver.create_container(unique_name("ks"))
    data = os.urandom(300_000)
    container.upload_blob(io.BytesIO(data), blob_name="k.bin")
    out = io.BytesIO()
    container.get_blob("k.bin").download(out)
    assert out.getvalue() == data
    assert "k.bin" in container
    container.get_blob("k.bin").delete()
    container.delete()


def test_a_token_refused_mid_job_costs_one_login(keystone: KeystoneServer):
    """A revoked token is answered 401 by Swift, as an expired one is: the driver logs in once
    more and the job goes on. (Tokens that near their expiry keystoneauth replaces itself,
    before sending them: within 120 s of it.)"""
    driver = _driver(keystone, region="RegionThree")
    container = driver.create_container(unique_name("ks"))
    container.upload_blob(io.BytesIO(b"one"), blob_name="one.bin")
    first = driver.conn.session.get_token()
    keystone.revoke(first)
    container.upload_blob(io.BytesIO(b"two" * 100_000), blob_name="two.bin")
    second = driver.conn.session.get_token()
    assert second != first
    assert _valid(keystone, second)
    out = io.BytesIO()
    container.get_blob("two.bin").download(out)
    assert out.getvalue() == b"two" * 100_000
    for blob in list(container):
        blob.delete()
    container.delete()
