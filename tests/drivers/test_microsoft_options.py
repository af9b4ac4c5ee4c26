"""Azure's options from cloudstorage 0.10 (azure-storage's ``BlockBlobService`` ones) that say
where the account is still reach it; making a driver sends no request."""

from __future__ import annotations

import pytest

from cloudstorage.drivers.microsoft import AzureStorageDriver
from cloudstorage.exceptions import CloudStorageError

KEY = "a2V5"


@pytest.mark.parametrize(
    ("options", "endpoint"),
    [
        ({}, "https://acct.blob.core.windows.net"),
        ({"endpoint_suffix": "core.chinacloudapi.cn"}, "https://acct.blob.core.chinacloudapi.cn"),
        ({"protocol": "http"}, "http://acct.blob.core.windows.net"),
        ({"custom_domain": "files.example.com"}, "https://files.example.com"),
        ({"is_emulated": True}, "http://127.0.0.1:10000/acct"),
        (
            {"endpoint_url": "http://127.0.0.1:9/acct/", "is_emulated": True},
            "http://127.0.0.1:9/acct",
        ),
    ],
)
def test_the_010_endpoint_options_name_the_endpoint(options, endpoint):
    driver = AzureStorageDriver("acct", KEY, **options)
    assert driver.endpoint_url == endpoint
    custom = endpoint != "https://acct.blob.core.windows.net"
    # a custom endpoint reaches adlfs (fsspec, pandas) through a connection string
    assert ("connection_string" in driver.storage_options) == custom
    if custom:
        assert f"BlobEndpoint={endpoint};" in driver.storage_options["connection_string"]


def test_socket_timeout_is_the_timeout():
    driver = AzureStorageDriver("acct", KEY, socket_timeout=7)
    assert driver.retry_options.timeout == 7.0
    assert driver.storage_options["read_timeout"] == 7.0


def test_an_option_0_10_had_and_we_do_not_is_refused():
    with pytest.raises(CloudStorageError, match="unknown option 'request_session'"):
        AzureStorageDriver("acct", KEY, request_session=object())
