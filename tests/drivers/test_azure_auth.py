"""Azure logins besides the account key, against Azurite: SAS tokens (account and service
SAS, signed with Azurite's well-known key), connection strings (with a key or a SAS), and a
token credential object.

Azurite takes OAuth bearer tokens only when started with ``--oauth basic`` over https, and
the SDK sends no bearer token over plain http, so a ``credential=`` object is tested for
what reaches the SDK client and adlfs, and for the clear error a signed URL gives without
the account key; its requests are not.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from azure.storage.blob import (
    AccountSasPermissions,
    BlobSasPermissions,
    ContainerSasPermissions,
    ResourceTypes,
    generate_account_sas,
    generate_container_sas,
)

from cloudstorage import Container, Driver
from cloudstorage.drivers.microsoft import AzureStorageDriver, _sas
from cloudstorage.exceptions import CloudStorageError, CredentialsError, NotFoundError
from tests.conftest import RIG_NAMES, unique_name

pytestmark = [
    pytest.mark.skipif(
        "azure" not in RIG_NAMES, reason="CLOUDSTORAGE_TEST_DRIVERS leaves out azure"
    ),
    pytest.mark.parametrize("rig", ["azure"], indirect=True),  # the session's Azurite rig
]

HOUR = timedelta(hours=1)


def _account_sas(keyed: Any) -> str:
    return str(
        generate_account_sas(
            keyed.account_name,
            keyed.key,
            resource_types=ResourceTypes(service=True, container=True, object=True),
            permission=AccountSasPermissions(
                read=True, write=True, delete=True, list=True, add=True, create=True
            ),
            expiry=datetime.now(timezone.utc) + HOUR,
        )
    )


def _round_trip(driver: Driver, container_name: str) -> None:
    """Upload, look up, list, download and delete one blob in ``container_name`` (not looked
    up: a service SAS of a container cannot read the container's properties)."""
    container = Container(container_name, driver)
    container.upload_blob(io.BytesIO(b"signed"), blob_name="s.txt", meta_data={"k": "v"})
    blob = container.get_blob("s.txt")
    assert blob.meta_data == {"k": "v"}
    assert [b.name for b in container] == ["s.txt"]
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == b"signed"
    blob.delete()
    assert "s.txt" not in container


def test_account_sas_token_works_for_containers_and_blobs(driver: Any):
    sas = AzureStorageDriver(
        driver.account_name, sas_token=_account_sas(driver), endpoint_url=driver.endpoint_url
    )
    sas.validate_credentials()
    name = unique_name("sas")
    sas.create_container(name)
    try:
        _round_trip(sas, name)
        assert sas.fs.ls(name) == []  # adlfs, from the driver's storage_options
    finally:
        sas.get_container(name).delete()
    assert "sas_token" not in sas.storage_options  # on Azurite: in a connection string
    assert "SharedAccessSignature=" in sas.storage_options["connection_string"]


def test_service_sas_token_of_one_container_works_there_only(driver: Any):
    container = driver.create_container(unique_name("svc"))
    other = driver.create_container(unique_name("other"))
    token = generate_container_sas(
        driver.account_name,
        container.name,
        account_key=driver.key,
        permission=ContainerSasPermissions(read=True, write=True, delete=True, list=True),
        expiry=datetime.now(timezone.utc) + HOUR,
    )
    sas = AzureStorageDriver(
        driver.account_name, sas_token="?" + token, endpoint_url=driver.endpoint_url
    )
    try:
        _round_trip(sas, container.name)
        with pytest.raises(CredentialsError):
            Container(other.name, sas).upload_blob(io.BytesIO(b"x"), blob_name="x")
    finally:
        container.delete()
        other.delete()


@pytest.mark.parametrize("secret", ["key", "sas"])
def test_connection_string_works(driver: Any, secret: str):
    login = f"AccountKey={driver.key}" if secret == "key" else (
        f"SharedAccessSignature={_account_sas(driver)}"
    )  # fmt: skip
    connection_string = (
        f"DefaultEndpointsProtocol=http;AccountName={driver.account_name};{login};"
        f"BlobEndpoint={driver.endpoint_url};"
    )
    connected = AzureStorageDriver(connection_string=connection_string)
    assert (connected.account_name, connected.endpoint_url) == (
        driver.account_name, driver.endpoint_url,
    )  # fmt: skip
    container = driver.create_container(unique_name("conn"))
    try:
        _round_trip(connected, container.name)
        assert connected.fs.ls(container.name) == []
    finally:
        container.delete()


def test_wrong_sas_token_is_bad_credentials(driver: Any):
    forged = _account_sas(AzureStorageDriver(driver.account_name, "QUJD" * 22))
    sas = AzureStorageDriver(
        driver.account_name, sas_token=forged, endpoint_url=driver.endpoint_url
    )
    with pytest.raises(CredentialsError):
        sas.validate_credentials()
    with pytest.raises(CloudStorageError) as raised:
        sas.get_container(unique_name("none"))
    assert not isinstance(raised.value, NotFoundError)


class _Tokens:
    """What azure-identity's credentials are to the SDK: an object with ``get_token``."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise AssertionError("no request is sent by what this test does")


def test_credential_object_reaches_the_sdk_and_adlfs(driver: Any):
    tokens = _Tokens()
    https = "https://127.0.0.1:10000/devstoreaccount1"
    signed_in = AzureStorageDriver(driver.account_name, credential=tokens, endpoint_url=https)
    assert signed_in.service.credential is tokens
    options = signed_in.storage_options
    assert options["credential"] is tokens
    assert options["account_host"] == "127.0.0.1:10000/devstoreaccount1"
    with pytest.raises(CloudStorageError, match="account key"):  # before any request
        _sas.blob_sas_url(signed_in, "c", "b.txt", BlobSasPermissions(read=True), 60)


def test_exactly_one_login_is_taken(driver: Any):
    with pytest.raises(CredentialsError, match="one of key"):
        AzureStorageDriver(driver.account_name)
    with pytest.raises(CredentialsError, match="one of key"):
        AzureStorageDriver(driver.account_name, driver.key, sas_token="sv=x")
    with pytest.raises(CredentialsError, match="account's name"):
        AzureStorageDriver(sas_token="sv=x")
