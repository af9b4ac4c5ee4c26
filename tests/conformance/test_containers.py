"""Containers: create, find, list, compare and delete, on every driver."""

from __future__ import annotations

import pytest

from cloudstorage import Container, Driver
from cloudstorage.exceptions import CloudStorageError, IsNotEmptyError, NotFoundError
from tests.conftest import unique_name


def test_create_container_is_listed_and_found(driver: Driver):
    name = unique_name()
    created = driver.create_container(name)
    try:
        assert created.name == name
        assert name in driver
        assert created in driver
        assert driver.get_container(name) == created
        assert name in [c.name for c in driver]
        assert len(driver) >= 1
    finally:
        created.delete()
    assert name not in driver


def test_create_existing_container_returns_it(driver: Driver, container: Container):
    again = driver.create_container(container.name)
    assert again == container


def test_get_missing_container_raises_not_found(driver: Driver):
    with pytest.raises(NotFoundError) as raised:
        driver.get_container(unique_name("missing"))
    assert isinstance(raised.value, FileNotFoundError)
    assert "missing-" in str(raised.value)


def test_delete_missing_container_raises_not_found(driver: Driver):
    with pytest.raises(NotFoundError):
        driver.delete_container(Container(unique_name("missing"), driver))


def test_delete_non_empty_container_deletes_nothing(container: Container, tmp_path):
    container.upload_blob(_file(tmp_path, b"keep me"), blob_name="keep.txt")
    with pytest.raises(IsNotEmptyError):
        container.delete()
    assert [blob.name for blob in container] == ["keep.txt"]


def test_empty_container_has_no_blobs(container: Container):
    assert list(container) == []
    assert len(container) == 0
    assert "nothing" not in container


def test_container_uri_names_protocol_and_container(driver: Driver, container: Container):
    assert container.uri == f"{driver.protocol}://{container.name}"


def test_containers_compare_by_store_and_name(driver: Driver, container: Container):
    same = driver.get_container(container.name)
    assert same == container
    assert hash(same) == hash(container)
    assert Container("other-name", driver) != container


def test_invalid_container_name_is_refused_before_any_request(driver: Driver):
    with pytest.raises(CloudStorageError):
        driver.create_container("")


def _file(tmp_path, data: bytes):
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return str(path)
