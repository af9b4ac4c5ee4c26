"""Each driver's translation table on its real server's answers: the class, and a message that
names what the error is about (the container, and the blob).

The answers are the server's own: a missing container or blob, a create-only write onto an
existing blob (the one "exists": `AlreadyExistsError`), a container that still holds blobs.
"""

from __future__ import annotations

import io

import pytest

from cloudstorage import Container, Driver
from cloudstorage.exceptions import (
    AlreadyExistsError,
    CloudStorageError,
    IsNotEmptyError,
    NotFoundError,
)
from tests.conftest import unique_name


def _names(error: CloudStorageError, *names: str) -> None:
    for name in names:
        assert repr(name) in error.message, f"{name!r} not named in {error.message!r}"


def test_missing_container_is_named(driver: Driver):
    name = unique_name("absent")
    with pytest.raises(NotFoundError) as raised:
        driver.get_container(name)
    _names(raised.value, name)
    assert "was not found" in raised.value.message


def test_missing_blob_is_named_with_its_container(container: Container):
    with pytest.raises(NotFoundError) as raised:
        container.get_blob("nowhere/absent.txt")
    _names(raised.value, "nowhere/absent.txt", container.name)
    ghost = container.upload_blob(io.BytesIO(b"gone"), blob_name="ghost.txt")
    ghost.delete()
    with pytest.raises(NotFoundError) as raised:
        ghost.delete()
    _names(raised.value, "ghost.txt", container.name)


def test_create_only_upload_onto_a_blob_says_it_exists(container: Container):
    container.upload_blob(io.BytesIO(b"kept"), blob_name="taken.txt")
    with pytest.raises(AlreadyExistsError) as raised:
        container.upload_blob(io.BytesIO(b"new"), blob_name="taken.txt", overwrite=False)
    assert isinstance(raised.value, FileExistsError)
    _names(raised.value, "taken.txt", container.name)
    assert "already exists" in raised.value.message


def test_create_only_copy_onto_a_blob_says_it_exists(container: Container, target: Container):
    source = container.upload_blob(io.BytesIO(b"source"), blob_name="from.txt")
    target.upload_blob(io.BytesIO(b"kept"), blob_name="to.txt")
    with pytest.raises(AlreadyExistsError) as raised:
        container.driver.copy_blob(source, target, "to.txt", overwrite=False)
    _names(raised.value, "to.txt", target.name)


def test_container_with_blobs_is_named_when_not_deleted(driver: Driver, container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="stays.txt")
    with pytest.raises(IsNotEmptyError) as raised:
        container.delete()
    _names(raised.value, container.name)
    assert "delete its blobs first" in raised.value.message
    assert container.name in driver
