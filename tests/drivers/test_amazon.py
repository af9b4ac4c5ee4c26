"""What only the S3 family does: presigned POST and GET, ACLs, regions, request counts.

Positive tests run on the session's moto server; moto checks no signatures, so the rejection
tests (tampered and expired presigned GETs, a wrong secret) run against Swift's s3api.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import time
import urllib.error
from collections import Counter
from urllib.request import urlopen

import fsspec
import pytest
import requests

from cloudstorage import Container, DriverName, get_driver, get_driver_by_name
from cloudstorage.drivers.amazon import BackblazeB2Driver, DigitalOceanSpacesDriver, S3Driver
from cloudstorage.drivers.amazon import _transfer as s3_transfer
from cloudstorage.drivers.minio import MinioDriver
from cloudstorage.exceptions import CloudStorageError, CredentialsError, NotFoundError
from tests.conftest import RIG_NAMES, unique_name
from tests.rigs.s3 import (
    backblaze_driver,
    digitalocean_driver,
    minio_driver,
    s3_driver,
)
from tests.servers.fault_proxy import start_fault_proxy
from tests.streams import FailingStream

S3_FAMILY = {"s3", "minio", "digitalocean", "backblaze"}
pytestmark = pytest.mark.skipif(
    not S3_FAMILY & set(RIG_NAMES), reason="CLOUDSTORAGE_TEST_DRIVERS leaves out the S3 family"
)

# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto(moto_server):
    """The session's moto."""
    return moto_server


@pytest.fixture(scope="module")
def s3(moto) -> S3Driver:
    return s3_driver(moto)


@pytest.fixture
def bucket(s3):
    created = s3.create_container(unique_name())
    yield created
    s3.fs.rm(created.name, recursive=True)


@pytest.fixture(scope="module")
def swift(swift_server):
    """The session's Swift: its s3api checks signatures."""
    return swift_server


@pytest.fixture(scope="module")
def swift_s3(swift) -> S3Driver:
    return S3Driver(swift.user, swift.key, endpoint_url=swift.s3_endpoint)


class RequestLog:
    """Counts the HTTP requests s3fs's client and the driver's synchronous botocore client
    (small PUTs and lookups) send, by operation (a botocore event hook on each)."""

    def __init__(self, driver: S3Driver) -> None:
        self.counts: Counter[str] = Counter()
        self.content_md5: list[tuple[str, str]] = []  # (operation, header) where one was sent
        driver.fs.s3.meta.events.register("before-send.s3", self._count)
        driver._sync_client().meta.events.register("before-send.s3", self._count)

    def _count(self, request, **kwargs) -> None:
        operation = kwargs["event_name"].rsplit(".", 1)[-1]
        self.counts[operation] += 1
        md5 = request.headers.get("Content-MD5")
        if md5 is not None:
            self.content_md5.append((operation, md5 if isinstance(md5, str) else md5.decode()))

    def take(self) -> dict[str, int]:
        counts = dict(self.counts)
        self.counts.clear()
        return counts


@pytest.fixture
def request_log(s3):
    s3.fs.connect()
    log = RequestLog(s3)
    yield log
    s3.fs.s3.meta.events.unregister("before-send.s3", log._count)
    s3._sync_client().meta.events.unregister("before-send.s3", log._count)


def _status(url: str) -> int:
    """The HTTP status of a GET, with the connection closed either way."""
    try:
        with urlopen(url) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


# -- presigned POST -------------------------------------------------------------------------


def test_presigned_post_form_creates_blob_with_its_settings(bucket: Container):
    form = bucket.generate_upload_url(
        "avatar.png",
        expires=300,
        acl="public-read",
        meta_data={"Owner-Id": "7", "city": "Zürich"},
        content_type="image/png",
        content_disposition='attachment; filename="a.png"',
        cache_control="max-age=60",
        content_length=(1, 1024),
        extra={"success_action_status": "201"},
    )
    assert form["url"].endswith(f"/{bucket.name}")
    assert {"key", "policy", "x-amz-signature", "x-amz-credential"} <= set(form["fields"])
    response = requests.post(
        form["url"], data=form["fields"], files={"file": ("a.png", b"\x89PNG data")}, timeout=30
    )
    assert response.status_code == 201, response.text
    blob = bucket.get_blob("avatar.png")
    assert blob.size == len(b"\x89PNG data")
    assert blob.meta_data == {"owner-id": "7", "city": "Zürich"}
    assert blob.content_type == "image/png"
    assert blob.content_disposition == 'attachment; filename="a.png"'
    assert blob.cache_control == "max-age=60"


def test_presigned_post_policy_carries_every_condition(bucket: Container):
    form = bucket.generate_upload_url(
        "f.txt",
        meta_data={"k": "v"},
        content_length=(5, 10),
        extra={"success_action_redirect": "https://example.com/done"},
    )
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 5, 10] in conditions
    assert {"x-amz-meta-k": "v"} in conditions
    assert {"success_action_redirect": "https://example.com/done"} in conditions
    assert {"key": "f.txt"} in conditions


def test_presigned_post_refuses_bad_settings_up_front(bucket: Container):
    with pytest.raises(CloudStorageError):
        bucket.generate_upload_url("f.txt", acl="world-writable")
    with pytest.raises(CloudStorageError):
        bucket.generate_upload_url("f.txt", expires=8 * 24 * 3600)  # SigV4: a week at most


# -- presigned GET --------------------------------------------------------------------------


def test_presigned_get_overrides_response_headers(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"report"), blob_name="r.bin")
    url = blob.generate_download_url(
        expires=120,
        content_disposition='attachment; filename="report.txt"',
        extra={"content_type": "text/plain"},
    )
    with urlopen(url) as response:
        assert response.read() == b"report"
        assert response.headers["Content-Disposition"] == 'attachment; filename="report.txt"'
        assert response.headers["Content-Type"].startswith("text/plain")


def test_presigned_url_refuses_unknown_method(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"x"), blob_name="x")
    with pytest.raises(CloudStorageError):
        blob.generate_download_url(method="PATCH")


def test_signature_checking_server_accepts_a_good_presigned_get(swift_s3: S3Driver):
    bucket = swift_s3.create_container(unique_name())
    blob = bucket.upload_blob(io.BytesIO(b"checked"), blob_name="c.txt")
    with urlopen(blob.generate_download_url(expires=120)) as response:
        assert response.read() == b"checked"


def test_tampered_presigned_get_is_rejected(swift_s3: S3Driver):
    bucket = swift_s3.create_container(unique_name())
    bucket.upload_blob(io.BytesIO(b"secret"), blob_name="s.txt")
    bucket.upload_blob(io.BytesIO(b"other"), blob_name="t.txt")
    url = bucket.get_blob("s.txt").generate_download_url(expires=120)
    assert _status(url.replace("/s.txt?", "/t.txt?")) == 403
    signature = url.rsplit("X-Amz-Signature=", 1)[1][:64]
    forged = url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    assert _status(forged) == 403


def test_expired_presigned_get_is_rejected(swift_s3: S3Driver):
    bucket = swift_s3.create_container(unique_name())
    blob = bucket.upload_blob(io.BytesIO(b"soon gone"), blob_name="e.txt")
    url = blob.generate_download_url(expires=1)
    time.sleep(2.5)
    assert _status(url) == 403


def test_wrong_secret_raises_credentials_error(swift, swift_s3: S3Driver):
    swift_s3.validate_credentials()
    wrong = S3Driver(swift.user, "not-the-key", endpoint_url=swift.s3_endpoint)
    with pytest.raises(CredentialsError):
        wrong.validate_credentials()
    with pytest.raises(CredentialsError):
        list(wrong)


# -- listing and requests per operation -----------------------------------------------------


def test_1001_blobs_list_completely_in_pages(s3: S3Driver, bucket: Container, request_log):
    names = [f"many/{i:05d}.txt" for i in range(1001)]
    s3.fs.pipe({f"{bucket.name}/{name}": b"x" for name in names})
    request_log.take()
    listed = [blob.name for blob in iter(bucket)]
    assert sorted(listed) == names
    assert request_log.take() == {"ListObjectsV2": 2}  # 1,000 keys a page, no HEAD per blob
    assert {blob.size for blob in bucket} == {1}


def test_large_upload_is_multipart_with_settings_on_create(bucket: Container, request_log):
    data = b"m" * (9 * 2**20)
    bucket.upload_blob(
        io.BytesIO(data), blob_name="big.bin", meta_data={"a": "1"}, content_type="x/big"
    )
    assert request_log.take() == {
        "CreateMultipartUpload": 1,
        "UploadPart": 2,
        "CompleteMultipartUpload": 1,
    }
    blob = bucket.get_blob("big.bin")
    assert blob.meta_data == {"a": "1"}
    assert blob.content_type == "x/big"
    assert blob.size == len(data)
    assert blob.checksum is None  # a multipart ETag is not an MD5 of the bytes
    assert blob.etag.endswith("-2")


def _md5_header(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


def test_uploads_send_content_md5_on_every_put_and_part(bucket: Container, request_log):
    small, large = b"s" * 1000, os.urandom(9 * 2**20)
    bucket.upload_blob(io.BytesIO(small), blob_name="small.bin")
    bucket.upload_blob(io.BytesIO(large), blob_name="large.bin")
    assert set(request_log.content_md5) == {
        ("PutObject", _md5_header(small)),
        ("UploadPart", _md5_header(large[: 8 * 2**20])),
        ("UploadPart", _md5_header(large[8 * 2**20 :])),
    }


def test_download_ranges_run_ahead_and_land_in_order(bucket: Container, request_log, tmp_path):
    data = os.urandom(8 * 2**20 * 3 + 5)
    bucket.upload_blob(io.BytesIO(data), blob_name="r.bin")
    blob = bucket.get_blob("r.bin")
    request_log.take()
    blob.download(str(tmp_path / "r.bin"))
    assert request_log.take() == {"GetObject": 4}  # 8 MiB ranges, no HEAD
    assert (tmp_path / "r.bin").read_bytes() == data
    sink = io.BytesIO()
    blob.download(sink)
    assert sink.getvalue() == data


@pytest.mark.parametrize(
    ("answer", "md5"),
    [
        ({"ETag": '"0123456789abcdef0123456789ABCDEF"'}, "0123456789abcdef0123456789abcdef"),
        ({"ETag": '"0123456789abcdef0123456789abcdef-2"'}, None),  # multipart
        ({"ETag": '"0123456789abcdef0123456789abcdef"', "ServerSideEncryption": "aws:kms"}, None),
        ({"ETag": '"0123456789abcdef0123456789abcdef"', "SSECustomerAlgorithm": "AES256"}, None),
        ({"ETag": '"0123456789abcdef0123456789abcdef"', "ServerSideEncryption": "AES256"},
         "0123456789abcdef0123456789abcdef"),
        ({}, None),
    ],
)  # fmt: skip
def test_only_single_part_unencrypted_etags_count_as_md5(answer, md5):
    assert s3_transfer.claimed_md5(answer) == md5


@pytest.mark.parametrize("size", [300_000, 9 * 2**20], ids=["put-object", "multipart"])
def test_server_checking_content_md5_refuses_corrupted_upload(swift, size):
    """Swift's s3api, like S3, MinIO and B2, checks the body against Content-MD5."""
    with start_fault_proxy(swift.s3_endpoint) as proxy:
        driver = S3Driver(swift.user, swift.key, endpoint_url=proxy.url)
        bucket = driver.create_container(unique_name())
        bucket.upload_blob(io.BytesIO(b"older"), blob_name="u.bin")
        proxy.corrupt_request("PUT", rf"/{bucket.name}/u\.bin(\?|$)", times=100)
        # the first check that fails: the payload's SHA-256 (signed) or its Content-MD5
        with pytest.raises(CloudStorageError, match=r"BadDigest|XAmzContentSHA256Mismatch"):
            bucket.upload_blob(io.BytesIO(os.urandom(size)), blob_name="u.bin")
        proxy.clear()
        out = io.BytesIO()
        bucket.get_blob("u.bin").download(out)
        assert out.getvalue() == b"older"  # refused by the server: nothing replaced
        uploads = driver.fs.call_s3("list_multipart_uploads", Bucket=bucket.name)
        assert uploads.get("Uploads", []) == []


def test_failed_multipart_upload_is_aborted(s3: S3Driver, bucket: Container):
    with pytest.raises(ConnectionResetError):
        bucket.upload_blob(FailingStream(20 * 2**20), blob_name="half.bin")
    uploads = s3.fs.call_s3("list_multipart_uploads", Bucket=bucket.name)
    assert uploads.get("Uploads", []) == []
    assert "half.bin" not in bucket


def test_empty_blob_keeps_its_settings(bucket: Container):
    bucket.upload_blob(io.BytesIO(b""), blob_name="empty", meta_data={"k": "v"}, content_type="a/b")
    blob = bucket.get_blob("empty")
    assert (blob.size, blob.meta_data, blob.content_type) == (0, {"k": "v"}, "a/b")


def test_delete_and_patch_of_missing_blob_raise_not_found(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"x"), blob_name="d.txt")
    blob.delete()
    with pytest.raises(NotFoundError):
        blob.delete()
    with pytest.raises(NotFoundError):
        blob.patch()


# -- ACLs and names -------------------------------------------------------------------------


def _grants(s3: S3Driver, bucket: str, key: str) -> set[tuple[str, str]]:
    acl = s3.fs.call_s3("get_object_acl", Bucket=bucket, Key=key)
    return {(g["Grantee"].get("URI", "owner"), g["Permission"]) for g in acl["Grants"]}


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def test_canned_acl_is_written_and_kept_by_patch(s3: S3Driver, bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"x"), blob_name="pub.txt", acl="public-read")
    assert (ALL_USERS, "READ") in _grants(s3, bucket.name, "pub.txt")
    fetched = bucket.get_blob("pub.txt")
    fetched.meta_data = {"new": "1"}
    fetched.patch()  # acl unknown (None): the grants are carried over the copy
    assert (ALL_USERS, "READ") in _grants(s3, bucket.name, "pub.txt")
    blob.acl = "private"
    blob.patch()
    assert (ALL_USERS, "READ") not in _grants(s3, bucket.name, "pub.txt")


@pytest.mark.parametrize("acl", ["public", "PUBLIC-READ", "project-private"])
def test_unknown_canned_acl_is_refused_before_any_request(s3, bucket: Container, acl):
    with pytest.raises(CloudStorageError, match="ACL"):
        bucket.upload_blob(io.BytesIO(b"x"), blob_name="a.txt", acl=acl)
    with pytest.raises(CloudStorageError, match="ACL"):
        s3.create_container(unique_name(), acl=acl)
    assert "a.txt" not in bucket


def test_container_acl_on_create_and_patch(s3: S3Driver):
    created = s3.create_container(unique_name(), acl="public-read")
    try:
        grants = s3.fs.call_s3("get_bucket_acl", Bucket=created.name)["Grants"]
        assert any(g["Grantee"].get("URI") == ALL_USERS for g in grants)
        created.acl = "private"
        created.patch()
        grants = s3.fs.call_s3("get_bucket_acl", Bucket=created.name)["Grants"]
        assert not any(g["Grantee"].get("URI") == ALL_USERS for g in grants)
    finally:
        created.delete()


def test_service_presets_limit_acls(moto, caplog):
    spaces, b2 = digitalocean_driver(moto), backblaze_driver(moto)
    with pytest.raises(CloudStorageError):
        spaces.create_container(unique_name(), acl="authenticated-read")
    box = b2.create_container(unique_name(), acl="public-read")
    # B2 objects have no ACLs: as 0.10 did where a service has none, logged and dropped.
    caplog.set_level("INFO", logger="cloudstorage.drivers.amazon")
    box.upload_blob(io.BytesIO(b"x"), blob_name="x", acl="public-read").delete()
    assert "Option 'acl' is not supported." in caplog.messages
    box.delete()


@pytest.mark.parametrize(
    "name", ["ab", "UPPER-case", "under_score", "a..b", "-dash", "192.168.1.10", "x" * 64]
)
def test_invalid_bucket_names_are_refused_before_any_request(s3, name):
    with pytest.raises(CloudStorageError, match="bucket name"):
        s3.create_container(name)


@pytest.mark.parametrize("key", ["has space", "ключ", "colon:key", "a/b"])
def test_metadata_keys_must_be_header_tokens(bucket: Container, key):
    with pytest.raises(CloudStorageError, match="header token"):
        bucket.upload_blob(io.BytesIO(b"x"), blob_name="m", meta_data={key: "v"})


def test_metadata_over_2_kib_is_refused(bucket: Container):
    with pytest.raises(CloudStorageError, match="2 KiB"):
        bucket.upload_blob(io.BytesIO(b"x"), blob_name="m", meta_data={"big": "v" * 2100})


def test_key_over_1024_bytes_is_refused(bucket: Container):
    with pytest.raises(CloudStorageError, match="1024"):
        bucket.upload_blob(io.BytesIO(b"x"), blob_name="é" * 513)


# -- MinIO, regions, configuration ----------------------------------------------------------


def test_minio_client_property_reaches_the_same_server(moto):
    driver = minio_driver(moto)
    assert driver.client is driver.client  # built once
    box = driver.create_container(unique_name())
    box.upload_blob(io.BytesIO(b"via s3fs"), blob_name="m.txt", meta_data={"k": "v"})
    assert box.name in [b.name for b in driver.client.list_buckets()]
    stat = driver.client.stat_object(box.name, "m.txt")
    assert stat.size == len(b"via s3fs")
    response = driver.client.get_object(box.name, "m.txt")
    try:
        assert response.read() == b"via s3fs"
    finally:
        response.close()
        response.release_conn()
    assert driver.protocol == "s3"
    assert driver.storage_options["client_kwargs"]["endpoint_url"] == moto.endpoint_url
    assert driver.storage_options["config_kwargs"]["s3"] == {"addressing_style": "path"}


def test_minio_endpoint_and_secure_make_the_url():
    assert MinioDriver("play.min.io", "k", "s").endpoint_url == "https://play.min.io"
    assert MinioDriver("h:9000", "k", "s", secure=False).endpoint_url == "http://h:9000"
    assert MinioDriver("http://h:9000", "k", "s").endpoint_url == "http://h:9000"


def test_regions_and_endpoint_presets():
    assert {"us-east-1", "eu-west-1"} <= set(S3Driver("k", "s").regions)
    spaces = DigitalOceanSpacesDriver("k", "s", region="fra1")
    assert spaces.endpoint_url == "https://fra1.digitaloceanspaces.com"
    assert "nyc3" in spaces.regions
    assert DigitalOceanSpacesDriver("k", "s").region == "nyc3"
    b2 = BackblazeB2Driver("k", "s", region="us-east-005")
    assert b2.endpoint_url == "https://s3.us-east-005.backblazeb2.com"
    with pytest.raises(CloudStorageError, match="region"):
        DigitalOceanSpacesDriver("k", "s", region="us-east-1")
    with pytest.raises(CloudStorageError, match="region"):
        BackblazeB2Driver("k", "s", region="nyc3")


def test_checksum_defaults_relaxed_only_off_aws(moto):
    aws = S3Driver("k", "s", region="eu-west-1")
    budget = {
        "retries": {"mode": "standard", "total_max_attempts": 5},
        "connect_timeout": 60.0,
        "read_timeout": 60.0,
    }
    assert aws.storage_options["config_kwargs"] == budget
    assert aws.storage_options["client_kwargs"] == {"region_name": "eu-west-1"}
    other = s3_driver(moto)
    assert other.storage_options["config_kwargs"] == {
        **budget,
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
        "region_name": "us-east-1",
    }


def test_fsspec_door_creates_buckets_in_us_east_1(s3: S3Driver):
    name = unique_name()
    fs = fsspec.filesystem("s3", **s3.storage_options)
    fs.mkdir(name)  # no LocationConstraint: us-east-1 refuses one
    assert name in s3
    s3.get_container(name).delete()


def test_session_and_resource_are_built_once_on_the_same_endpoint(s3: S3Driver, moto):
    assert s3.session is s3.session
    assert s3.s3 is s3.s3
    assert s3.s3.meta.client.meta.endpoint_url == moto.endpoint_url
    box = s3.create_container(unique_name())
    try:
        assert box.name in [b.name for b in s3.s3.buckets.all()]
    finally:
        box.delete()


def test_cdn_urls(moto):
    aws = S3Driver("k", "s", region="eu-west-1")
    box = Container("my-box", aws)
    assert box.cdn_url == "https://my-box.s3.eu-west-1.amazonaws.com/"
    local = s3_driver(moto)
    assert Container("b", local).cdn_url == f"{moto.endpoint_url}/b/"


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("S3", S3Driver),
        ("MINIO", MinioDriver),
        ("DIGITALOCEANSPACES", DigitalOceanSpacesDriver),
        ("BACKBLAZEB2", BackblazeB2Driver),
    ],
)
def test_drivers_are_registered(name, cls):
    assert get_driver_by_name(name) is cls
    assert get_driver(DriverName[name]) is cls


def test_credentials_from_a_profiles_credential_process(swift, tmp_path, monkeypatch):
    """No key given: botocore's provider chain runs the profile's ``credential_process`` (the
    way to short-lived credentials that botocore refreshes); Swift's s3api checks the
    signature made with what the process printed."""
    ran = tmp_path / "ran"
    script = tmp_path / "credentials.py"
    answer = {"Version": 1, "AccessKeyId": swift.user, "SecretAccessKey": swift.key}
    script.write_text(
        f"import pathlib\npathlib.Path({str(ran)!r}).touch()\nprint({json.dumps(answer)!r})\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[profile jobs]\ncredential_process = {sys.executable} {script}\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "jobs")
    driver = S3Driver(endpoint_url=swift.s3_endpoint)
    driver.validate_credentials()
    container = driver.create_container(unique_name())
    container.upload_blob(io.BytesIO(b"signed"), blob_name="p.txt")
    assert "p.txt" in container
    assert ran.exists()
    container.get_blob("p.txt").delete()
    container.delete()
