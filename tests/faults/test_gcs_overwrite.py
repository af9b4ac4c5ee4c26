"""GCS: an overwrite whose bytes are corrupted in transit keeps the old blob.

fake-gcs-server checks neither the ``md5Hash`` of a one-request upload nor an ``X-Goog-Hash``,
and stores what it got: the proxy flips bytes in the middle of the upload's body (past a
multipart body's JSON part), so the bytes stored differ from the bytes sent. The driver
stages an overwrite under another name, checks its MD5 and only then rewrites it onto the
blob: the upload raises, the old bytes and metadata stay, and no staging object is left.
That is the default with a custom ``endpoint_url``; with ``server_checks_md5`` (on for Google's
endpoint, which refuses bytes that do not match their ``md5Hash``) a small overwrite is one
request carrying the bytes' MD5.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from typing import Any

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError
from tests.faults.conftest import CLOUD_RIGS, FAST_RETRIES, Cloud
from tests.streams import OneWayStream

pytestmark = [
    pytest.mark.skipif("gcs" not in CLOUD_RIGS, reason="the gcs rig is not selected"),
    pytest.mark.filterwarnings(
        "ignore:unclosed <socket:ResourceWarning",
        "ignore::pytest.PytestUnraisableExceptionWarning",
    ),
]

OLD = os.urandom(100_000)


def _upload_bodies(bucket: str) -> str:
    """The requests that carry an upload's bytes: a multipart POST, a resumable session's
    chunks (not the POST that opens the session, whose body is the object's JSON)."""
    return rf"/upload/storage/v1/b/{bucket}/o\?.*(uploadType=multipart|upload_id=)"


@pytest.mark.parametrize(
    ("size", "seekable"),
    [(200_000, True), (200_000, False), (9 * 2**20, True)],
    ids=["one-request", "one-way-stream", "resumable"],
)
@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_corrupted_overwrite_keeps_the_old_blob(
    cloud: Cloud, bucket: Container, size: int, seekable: bool
):
    bucket.upload_blob(io.BytesIO(OLD), blob_name="o.bin", meta_data={"v": "old"})
    new = os.urandom(size)
    cloud.proxy.corrupt_request("POST", _upload_bodies(bucket.name), times=100, middle=True)
    source = io.BytesIO(new) if seekable else OneWayStream(new)
    with pytest.raises(CloudStorageError, match="MD5"):
        bucket.upload_blob(source, blob_name="o.bin", meta_data={"v": "new"})
    assert cloud.proxy.count("corrupt_request") >= 1
    cloud.proxy.clear()
    direct = cloud.rig.driver.get_container(bucket.name)
    assert [blob.name for blob in direct] == ["o.bin"]  # no staging object left
    kept = direct.get_blob("o.bin")
    assert kept.meta_data == {"v": "old"}
    out = io.BytesIO()
    kept.download(out)
    assert out.getvalue() == OLD


@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_corrupted_new_blob_is_not_kept(cloud: Cloud, bucket: Container):
    cloud.proxy.corrupt_request("POST", _upload_bodies(bucket.name), times=100, middle=True)
    with pytest.raises(CloudStorageError, match="MD5"):
        bucket.upload_blob(io.BytesIO(os.urandom(200_000)), blob_name="n.bin")
    cloud.proxy.clear()
    assert list(cloud.rig.driver.get_container(bucket.name)) == []


@pytest.mark.parametrize("size", [200_000, 9 * 2**20], ids=["one-request", "resumable"])
@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_clean_overwrite_replaces_bytes_settings_and_acl(
    cloud: Cloud, bucket: Container, size: int
):
    bucket.upload_blob(io.BytesIO(OLD), blob_name="w.bin", meta_data={"v": "old"})
    new = os.urandom(size)
    bucket.upload_blob(
        io.BytesIO(new), blob_name="w.bin", meta_data={"v": "new"}, content_type="text/csv",
        cache_control="no-cache", acl="public-read",
    )  # fmt: skip
    direct = cloud.rig.driver.get_container(bucket.name)
    assert [blob.name for blob in direct] == ["w.bin"]
    blob = direct.get_blob("w.bin")
    assert (blob.meta_data, blob.content_type, blob.cache_control) == (
        {"v": "new"}, "text/csv", "no-cache",
    )  # fmt: skip
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == new


@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_small_put_costs_one_request_new_and_four_to_overwrite(cloud: Cloud, bucket: Container):
    """A custom endpoint's costs (`_overwrite`): a new blob is one create-only upload; an
    overwrite is that upload answered 412, a staged upload, a rewrite onto the name and the
    stage's delete, and leaves no staged object (benchmarks' ``put`` and ``overwrite`` rows)."""
    from cloudstorage.drivers.google._overwrite import STAGING_SUFFIX  # noqa: PLC0415  # extra

    name, uploads = bucket.name, f"/upload/storage/v1/b/{bucket.name}/o"
    bucket.upload_blob(io.BytesIO(OLD), blob_name="k.bin", meta_data={"v": "old"})
    created = cloud.proxy.take()
    assert [(seen.method, seen.route) for seen in created] == [("POST", uploads)]
    assert created[0].params["uploadType"] == ["multipart"]
    assert created[0].params["ifGenerationMatch"] == ["0"]  # create-only: nothing to lose
    new = os.urandom(4096)
    bucket.upload_blob(io.BytesIO(new), blob_name="k.bin", meta_data={"v": "new"})
    first, staged, rewrite, delete = cloud.proxy.take()  # exactly four
    assert (first.method, first.route) == ("POST", uploads)
    assert first.params["ifGenerationMatch"] == ["0"]  # answered 412: the blob exists
    assert (staged.method, staged.route, staged.params["uploadType"]) == (
        "POST", uploads, ["multipart"],
    )  # fmt: skip
    stage = staged.params["name"][0]
    assert stage.startswith(f"k.bin{STAGING_SUFFIX}")
    assert "ifGenerationMatch" not in staged.params
    assert (rewrite.method, rewrite.route) == (
        "POST", f"/storage/v1/b/{name}/o/{stage}/rewriteTo/b/{name}/o/k.bin",
    )  # fmt: skip
    assert (delete.method, delete.route) == ("DELETE", f"/storage/v1/b/{name}/o/{stage}")
    direct = cloud.rig.driver.get_container(name)
    assert [blob.name for blob in direct] == ["k.bin"]  # no staged object left
    blob = direct.get_blob("k.bin")
    assert blob.meta_data == {"v": "new"}
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == new


def _checking(cloud: Cloud) -> Any:
    """The proxied driver again, told that its server checks a one-request upload's MD5."""
    from cloudstorage.drivers.google import GoogleStorageDriver  # noqa: PLC0415  # optional extra

    driver: Any = cloud.driver
    return GoogleStorageDriver(
        key=driver.key, project=driver.project, endpoint_url=driver.endpoint_url,
        server_checks_md5=True, **FAST_RETRIES,
    )  # fmt: skip


def _json_part(body: bytes) -> dict[str, Any]:
    """The object resource of a multipart upload's body (its first part)."""
    part = body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0]
    resource: dict[str, Any] = json.loads(part)
    return resource


@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_the_option_is_on_for_googles_endpoint_only(cloud: Cloud):
    from cloudstorage.drivers.google import GoogleStorageDriver  # noqa: PLC0415  # optional extra

    driver: Any = cloud.driver
    assert driver.server_checks_md5 is False  # a custom endpoint: fake-gcs-server checks none
    assert GoogleStorageDriver(key=driver.key).server_checks_md5 is True
    assert GoogleStorageDriver(key=driver.key, server_checks_md5=False).server_checks_md5 is False


@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_checked_small_overwrite_is_one_request_with_its_md5(cloud: Cloud, bucket: Container):
    bucket.upload_blob(io.BytesIO(OLD), blob_name="c.bin", meta_data={"v": "old"})
    checking = _checking(cloud).get_container(bucket.name)
    new = os.urandom(4096)
    cloud.proxy.clear()
    cloud.proxy.keep_bodies = True
    try:
        checking.upload_blob(io.BytesIO(new), blob_name="c.bin", meta_data={"v": "new"})
    finally:
        cloud.proxy.keep_bodies = False
    sent = cloud.proxy.requests
    assert [(seen.method, seen.route) for seen in sent] == [
        ("POST", f"/upload/storage/v1/b/{bucket.name}/o")
    ]
    assert sent[0].params["uploadType"] == ["multipart"]
    assert "ifGenerationMatch" not in sent[0].params  # no create-only try first
    ((_, _, body),) = cloud.proxy.bodies
    md5 = base64.b64encode(hashlib.md5(new, usedforsecurity=False).digest()).decode()
    assert _json_part(body)["md5Hash"] == md5
    cloud.proxy.clear()
    blob = cloud.rig.driver.get_container(bucket.name).get_blob("c.bin")
    assert blob.meta_data == {"v": "new"}
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == new


@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_checked_resumable_overwrite_is_still_staged(cloud: Cloud, bucket: Container):
    """Google documents no check of a resumable upload's hash: those stay staged."""
    bucket.upload_blob(io.BytesIO(OLD), blob_name="r.bin")
    checking = _checking(cloud).get_container(bucket.name)
    new = os.urandom(9 * 2**20)
    cloud.proxy.clear()
    checking.upload_blob(io.BytesIO(new), blob_name="r.bin")
    routes = [seen.route for seen in cloud.proxy.take()]
    assert any("/rewriteTo/" in route for route in routes)
    direct = cloud.rig.driver.get_container(bucket.name)
    assert [blob.name for blob in direct] == ["r.bin"]  # the staging object is gone
    out = io.BytesIO()
    direct.get_blob("r.bin").download(out)
    assert out.getvalue() == new


@pytest.mark.parametrize("cloud_session", ["gcs"], indirect=True, scope="session")
def test_checked_overwrite_on_a_server_that_does_not_check_still_raises(
    cloud: Cloud, bucket: Container
):
    """The option is a promise about the server: fake-gcs-server breaks it, and the MD5
    compared after the upload still catches the corruption (that generation is deleted)."""
    bucket.upload_blob(io.BytesIO(OLD), blob_name="p.bin")
    checking = _checking(cloud).get_container(bucket.name)
    cloud.proxy.corrupt_request("POST", _upload_bodies(bucket.name), times=100, middle=True)
    with pytest.raises(CloudStorageError, match="MD5"):
        checking.upload_blob(io.BytesIO(os.urandom(200_000)), blob_name="p.bin")
    assert cloud.proxy.count("corrupt_request") == 1
