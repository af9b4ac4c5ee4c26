"""cloudstorage 0.10 code runs unchanged: the behaviours its own tests and docs rely on.

Each test is a case of the original project's test files (or its documentation) that broke on
upgrade; see docs/guide/compat-0.10.md for what differs on purpose.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from cloudstorage import Container, Driver
from cloudstorage.exceptions import CloudStorageError, SignatureExpiredError
from tests.conftest import unique_name
from tests.rigs import Rig

NOT_SUPPORTED = "Option 'acl' is not supported."


def _logged_not_supported(driver: Driver, caplog: pytest.LogCaptureFixture) -> bool:
    return any(
        record.name == type(driver).__module__
        and record.levelno == logging.INFO
        and record.getMessage() == NOT_SUPPORTED
        for record in caplog.records
    )


# -- 1. ACLs on services without them ----------------------------------------------------------


@pytest.mark.parametrize("acl", ["private", "public-read"])
def test_blob_acl_is_taken_everywhere(
    driver: Driver, container: Container, acl: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger=type(driver).__module__)
    blob = container.upload_blob(io.BytesIO(b"acl"), blob_name="acl.txt", acl=acl)
    assert container.get_blob("acl.txt").size == 3
    form = container.generate_upload_url("acl.png", acl=acl)
    assert form["url"] is not None
    blob.acl = acl
    blob.patch()
    # Where the service has no blob ACLs, 0.10's INFO line says the option was dropped.
    assert _logged_not_supported(driver, caplog) == (driver.blob_acls == frozenset())


@pytest.mark.parametrize("acl", ["private", "public-read"])
def test_container_acl_is_taken_everywhere(
    driver: Driver, acl: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger=type(driver).__module__)
    if driver.container_acls and acl not in driver.container_acls:  # Azure's own names
        with pytest.raises(CloudStorageError, match="container-public-access"):
            driver.create_container(unique_name("acl"), acl=acl)
        return
    created = driver.create_container(unique_name("acl"), acl=acl)
    try:
        assert created.name in driver
        assert _logged_not_supported(driver, caplog) == (driver.container_acls == frozenset())
    finally:
        created.delete()


def test_unknown_acl_is_refused_with_the_allowed_values(driver: Driver, container: Container):
    if not driver.blob_acls:  # no blob ACLs at all: any value is logged and dropped
        container.upload_blob(io.BytesIO(b"x"), blob_name="x.txt", acl="no-such-acl")
        return
    with pytest.raises(CloudStorageError) as raised:
        container.upload_blob(io.BytesIO(b"x"), blob_name="x.txt", acl="no-such-acl")
    assert all(allowed in str(raised.value) for allowed in driver.blob_acls)
    assert "x.txt" not in container


# -- 2. expires <= 0 signs an expired grant ----------------------------------------------------


def _signed_expiry(url: str) -> float:
    """When a SigV4 (S3) or V4 (GCS) signed URL's query says it expires."""
    query = {key.lower(): values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    for vendor in ("amz", "goog"):
        if f"x-{vendor}-date" in query:
            signed = datetime.strptime(query[f"x-{vendor}-date"], "%Y%m%dT%H%M%SZ")
            start = signed.replace(tzinfo=timezone.utc).timestamp()
            return start + int(query[f"x-{vendor}-expires"])
    raise AssertionError(f"no signing time in {url}")


def test_expired_download_url_is_refused(rig: Rig, container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"late"), blob_name="late.txt")
    url = blob.generate_download_url(expires=-10)
    if not rig.http_download_urls:  # the app's route checks it, as 0.10's tests do
        with pytest.raises(SignatureExpiredError):
            rig.driver.validate_signature(url)
    elif rig.server_checks:
        assert http.get(url).status_code in (401, 403)
    else:
        assert _signed_expiry(url) < time.time()


def test_expired_upload_form_is_refused(rig: Rig, container: Container, http):
    form = container.generate_upload_url("late.txt", expires=-10)
    if not rig.http_download_urls:
        with pytest.raises(SignatureExpiredError):
            rig.driver.validate_signature(form["fields"]["signature"])
    elif rig.server_checks:
        assert _send(form, "late.txt", b"late", http).status_code in (401, 403)
        assert "late.txt" not in container
    else:  # the POST policy's expiration is in the past
        policy = json.loads(base64.b64decode(form["fields"]["policy"]))
        expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        assert expiration.timestamp() < time.time()


@pytest.mark.parametrize("expires", ["60", 1.5, True, None])
def test_a_lifetime_that_is_not_whole_seconds_is_refused(container: Container, expires):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="s.txt")
    with pytest.raises(CloudStorageError):
        blob.generate_download_url(expires=expires)
    with pytest.raises(CloudStorageError):
        container.generate_upload_url("s.txt", expires=expires)


# -- 3. generate_upload_url('') and name prefixes ----------------------------------------------


def _send(form: dict, filename: str, data: bytes, http: requests.Session) -> requests.Response:
    """Upload ``filename`` with a form (a POST) or a signed PUT (Azure), as a browser would."""
    if form.get("method") == "PUT":
        url = form["url"].replace("${filename}", filename)
        return http.put(url, data=data, headers=form["headers"])
    files = {"file": (filename, io.BytesIO(data), "image/png")}
    return http.post(form["url"], data=form["fields"], files=files)


@pytest.mark.parametrize("prefix", ["", "prefix_", "avatars/"])
def test_upload_form_prefix_is_completed_by_the_file_name(
    rig: Rig, container: Container, prefix: str, http
):
    form = container.generate_upload_url(prefix, expires=120)
    if not rig.http_download_urls:  # the app's route gets 0.10's payload
        payload = rig.driver.validate_signature(form["fields"]["signature"])
        assert payload["blob_name"] == prefix
    elif rig.server_checks:
        response = _send(form, "a.png", b"\x89PNG", http)
        assert response.status_code in (200, 201, 204, 303), response.text
        assert [blob.name for blob in container] == [f"{prefix}a.png"]
    else:  # moto and fake-gcs-server do not substitute ${filename}: what S3 and GCS see
        assert form["fields"]["key"] == prefix + "${filename}"


def test_upload_form_for_a_file_name_keeps_the_name(rig: Rig, container: Container):
    form = container.generate_upload_url("avatar.png", expires=120)
    if rig.form_post and "key" in form["fields"]:
        assert form["fields"]["key"] == "avatar.png"


# -- 6. a Content-Disposition with both filename and filename* ---------------------------------


def test_download_url_keeps_filename_beside_filename_star(rig: Rig, container: Container, http):
    disposition = "attachment; filename=\"a.png\"; filename*=UTF-8''a.png"
    blob = container.upload_blob(io.BytesIO(b"png"), blob_name="d.bin")
    url = blob.generate_download_url(expires=120, content_disposition=disposition)
    if not rig.http_download_urls:
        payload = rig.driver.validate_signature(url)
        assert payload["content_disposition"] == disposition
        return
    if rig.server_checks:
        header = http.get(url).headers.get("Content-Disposition", "")
    else:  # fake-gcs-server ignores response-content-disposition: what GCS would send
        query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        header = query["response-content-disposition"]
    assert "a.png" in header
    assert "('UTF-8'" not in header


# -- rough edges ------------------------------------------------------------------------------


def test_download_into_a_missing_folder_names_the_destination(container: Container, tmp_path):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="x.txt")
    destination = tmp_path / "missing" / "x.txt"
    with pytest.raises(FileNotFoundError) as raised:
        blob.download(str(destination))
    assert str(destination) in str(raised.value)
    assert ".~" not in str(raised.value)  # not our hidden temporary file
