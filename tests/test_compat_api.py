"""The public names of cloudstorage 0.10 that application code imports and relies on."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from cloudstorage import exceptions
from cloudstorage.exceptions import (
    CloudStorageError,
    CredentialsError,
    IsNotEmptyError,
    NotFoundError,
    SignatureExpiredError,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotFoundError, HTTPStatus.NOT_FOUND),
        (IsNotEmptyError, HTTPStatus.CONFLICT),
        (CredentialsError, HTTPStatus.UNAUTHORIZED),
        (SignatureExpiredError, HTTPStatus.UNAUTHORIZED),
    ],
)
def test_each_error_class_has_its_http_status_as_code(error, code):
    assert error.code == code  # a class attribute: Flask's abort(err.code)
    assert isinstance(error.code, HTTPStatus)
    assert error("why").code == code


def test_every_error_has_a_message():
    for name in set(exceptions.__all__) - {"BulkError"}:  # that one carries its failures
        error = getattr(exceptions, name)("the reason")
        assert error.message == "the reason"
        assert str(error) == "the reason"
        assert isinstance(error, CloudStorageError)


def test_signature_expired_takes_no_argument():
    error = SignatureExpiredError()
    assert error.message == "The signature has expired."
    assert error.code == 401


def test_digitalocean_driver_imports_from_its_010_module():
    from cloudstorage.drivers.amazon import DigitalOceanSpacesDriver as InAmazon  # noqa: PLC0415
    from cloudstorage.drivers.digitalocean import DigitalOceanSpacesDriver  # noqa: PLC0415

    assert DigitalOceanSpacesDriver is InAmazon


def test_minio_lists_the_eleven_regions_of_010():
    from cloudstorage.drivers.minio import MinioDriver  # noqa: PLC0415

    driver = MinioDriver("127.0.0.1:9", "key", "secret", secure=False)
    assert driver.regions == [
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "sa-east-1",
        "cn-north-1",
    ]
