"""Swift's Keystone v3 login against a real Keystone (sqlite, fernet tokens) on 127.0.0.1.

The catalog's object store of ``RegionTwo`` is the session's Swift, that of ``RegionOne`` a
URL where nothing listens: picking the region is seen in the storage URL the driver uses.
The Swift itself checks TempAuth tokens (its pipeline has no keystonemiddleware), so these
tests stop at what the login decides: token, catalog, region, refusals, logs.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudstorage.drivers.rackspace import SwiftDriver
from cloudstorage.exceptions import CredentialsError
from tests.conftest import RIG_NAMES
from tests.rigs.swift import shared_swift
from tests.servers._process import LOCALHOST, free_port
from tests.servers.keystone import (
    DOMAIN,
    PASSWORD,
    PROJECT,
    USER,
    KeystoneServer,
    start_keystone,
)

pytestmark = pytest.mark.skipif(
    "swift" not in RIG_NAMES, reason="CLOUDSTORAGE_TEST_DRIVERS leaves out swift"
)

TOKEN_LIFE = 4
"""Seconds a token lives here (keystoneauth logs in again when one has under 120 s left)."""


@pytest.fixture(scope="session")
def keystone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeystoneServer]:
    swift = shared_swift(tmp_path_factory.mktemp("swift-for-keystone"))
    urls = {
        "RegionOne": f"http://{LOCALHOST}:{free_port()}/v1/AUTH_nowhere",
        "RegionTwo": f"{swift.proxy_url}/v1/{swift.account}",
    }
    server = start_keystone(tmp_path_factory.mktemp("keystone"), urls, TOKEN_LIFE)
    yield server
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


def test_an_expired_token_is_replaced_by_a_new_login(keystone: KeystoneServer):
    driver = _driver(keystone, region="RegionTwo")
    first = driver.conn.session.get_token()
    time.sleep(TOKEN_LIFE + 1)
    assert not _valid(keystone, first)  # Keystone refuses it now
    second = driver.conn.session.get_token()
    assert second != first
    assert _valid(keystone, second)


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
