"""Each cloud driver's translation table on answers the fault proxy makes up: a refusal, a
"not found" and a server failure in the service's own form, for a blob lookup, a container
lookup and a credential check. The class must be the table's, and the message must name the
container and the blob; a 500 is never "absent" nor "bad credentials".
"""

from __future__ import annotations

import io
import json

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import (
    AlreadyExistsError,
    CloudStorageError,
    CredentialsError,
    IsNotEmptyError,
    NotFoundError,
)
from tests.faults.conftest import S3_FAMILY, Cloud, blob_path

pytestmark = pytest.mark.filterwarnings(
    "ignore:unclosed <socket:ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)


def _answer(cloud: Cloud, status: int) -> tuple[int, dict[str, str], bytes]:
    """An error answer as the service words it (the code in a header, a JSON or XML body)."""
    if cloud.name == "azure":
        codes = {403: "AuthorizationFailure", 404: "BlobNotFound", 500: "InternalError"}
        return status, {"x-ms-error-code": codes[status]}, b""
    if cloud.name == "gcs":
        body = {"error": {"code": status, "message": f"made up by the proxy ({status})"}}
        return status, {"Content-Type": "application/json"}, json.dumps(body).encode()
    if cloud.name in S3_FAMILY:
        codes = {403: "AccessDenied", 404: "NoSuchKey", 500: "InternalError"}
        body = f"<Error><Code>{codes[status]}</Code><Message>proxy</Message></Error>"
        return status, {"Content-Type": "application/xml"}, body.encode()
    return status, {}, b"made up by the proxy"


@pytest.mark.parametrize(
    ("status", "kind"),
    [(403, CredentialsError), (404, NotFoundError), (500, CloudStorageError)],
    ids=["refused", "not-found", "server-error"],
)
def test_blob_lookup_answer_is_translated_naming_the_blob(
    cloud: Cloud, bucket: Container, status: int, kind: type[CloudStorageError]
):
    bucket.upload_blob(io.BytesIO(b"here"), blob_name="here.bin")
    cloud.proxy.fail("*", blob_path(bucket.name, "here.bin"), 1000, *_answer(cloud, status))
    with pytest.raises(CloudStorageError) as raised:
        bucket.get_blob("here.bin")
    assert type(raised.value) is kind
    assert "'here.bin'" in raised.value.message
    assert repr(bucket.name) in raised.value.message


@pytest.mark.parametrize(
    ("status", "kind"),
    [(403, CredentialsError), (500, CloudStorageError)],
    ids=["refused", "server-error"],
)
def test_container_lookup_answer_is_translated_naming_it(
    cloud: Cloud, bucket: Container, status: int, kind: type[CloudStorageError]
):
    # the bucket's own path (and GCS's object listing, its fallback for a refused bucket GET)
    cloud.proxy.fail("*", rf"/{bucket.name}(/o)?/?(\?|$)", 1000, *_answer(cloud, status))
    with pytest.raises(CloudStorageError) as raised:
        cloud.driver.get_container(bucket.name)
    assert type(raised.value) is kind
    assert repr(bucket.name) in raised.value.message


def test_server_error_on_a_credential_check_is_not_bad_credentials(cloud: Cloud):
    cloud.proxy.fail("*", r".", 1000, *_answer(cloud, 500))
    with pytest.raises(CloudStorageError) as raised:
        cloud.driver.validate_credentials()
    assert not isinstance(raised.value, (CredentialsError, NotFoundError))


def test_gcs_conflict_on_a_bucket_delete_is_not_empty(cloud: Cloud, bucket: Container):
    """GCS answers 409 "not empty" (fake-gcs-server answers 412, which the driver also reads)."""
    if cloud.name != "gcs":
        pytest.skip("GCS's answer: the other services' own answers are in test_error_messages")
    body = {"error": {"code": 409, "message": "The bucket you tried to delete is not empty."}}
    headers = {"Content-Type": "application/json"}
    answer = json.dumps(body).encode()
    cloud.proxy.fail("DELETE", rf"/b/{bucket.name}(\?|$)", 1, 409, headers, answer)
    with pytest.raises(CloudStorageError) as raised:
        bucket.delete()
    assert type(raised.value) is IsNotEmptyError
    assert repr(bucket.name) in raised.value.message
    assert bucket.name in cloud.driver


_PRECONDITION_FAILED = {
    "gcs": (
        "POST",
        r"/rewriteTo/",
        {"Content-Type": "application/json"},
        b'{"error": {"code": 412, "message": "At least one of the pre-conditions you '
        b'specified did not hold."}}',
    ),
    **dict.fromkeys(
        S3_FAMILY,
        (
            "PUT",
            r"/to\.txt$",
            {"Content-Type": "application/xml"},
            b"<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions"
            b" you specified did not hold</Message><Condition>If-None-Match</Condition></Error>",
        ),
    ),
}
"""The services' 412 to a create-only copy onto an existing object (moto and fake-gcs-server
ignore the condition on copies, so the proxy answers as S3 and GCS do)."""


def test_refused_create_only_copy_is_already_exists(cloud: Cloud, bucket: Container):
    if cloud.name not in _PRECONDITION_FAILED:
        pytest.skip("the emulator answers itself: see test_error_messages")
    method, path, headers, body = _PRECONDITION_FAILED[cloud.name]
    source = bucket.upload_blob(io.BytesIO(b"new"), blob_name="from.txt")
    bucket.upload_blob(io.BytesIO(b"kept"), blob_name="to.txt")
    cloud.proxy.fail(method, path, 1, 412, headers, body)
    with pytest.raises(AlreadyExistsError) as raised:
        bucket.copy_blob(source, "to.txt", overwrite=False)
    assert "'to.txt'" in raised.value.message
    assert repr(bucket.name) in raised.value.message
    assert cloud.proxy.count("fail") == 1
