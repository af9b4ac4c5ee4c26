"""The exceptions module's surface, and the old import paths that keep working."""

from __future__ import annotations

import pytest

from cloudstorage import exceptions
from cloudstorage.exceptions import AlreadyExistsError, BulkError, CloudStorageError


def test_exceptions_exports_are_the_documented_ones():
    assert sorted(exceptions.__all__) == sorted(
        [
            "AlreadyExistsError", "BulkError", "CloudStorageError",
            "ContainerExistsError", "CredentialsError", "InvalidSignatureError",
            "IsNotEmptyError", "NotFoundError", "SignatureExpiredError",
        ]
    )  # fmt: skip


def test_bulk_error_is_importable_from_its_old_module():
    from cloudstorage.base import bulk  # noqa: PLC0415  # the old path is what is tested

    assert bulk.BulkError is BulkError
    assert issubclass(BulkError, CloudStorageError)


def test_container_exists_error_is_the_one_already_exists_error():
    pytest.importorskip("azure.storage.blob")
    from cloudstorage.drivers.microsoft import _errors  # noqa: PLC0415  # the old path

    assert _errors.ContainerExistsError is exceptions.ContainerExistsError is AlreadyExistsError
    assert issubclass(AlreadyExistsError, FileExistsError)


def test_bulk_error_lists_the_failures_and_what_was_done():
    error = BulkError("upload", {"a.txt": OSError("disk full")}, ["b.txt", "c.txt"])
    assert error.failures == {"a.txt": error.failures["a.txt"]}
    assert error.succeeded == ["b.txt", "c.txt"]
    assert "1 of 3 blobs (2 done)" in error.message
    assert "'a.txt': disk full" in error.message
