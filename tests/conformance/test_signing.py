"""Signed download URLs and upload forms: what every driver's grants do when used.

Where the rig's server checks signatures (`Rig.server_checks`), a tampered URL is sent and must
be refused; where it does not (moto, fake-gcs-server), the test checks what was signed. The
local store's bare signatures (``http_download_urls`` False) are checked by its own
``validate_signature``, as the app's route does. Expired grants: ``test_compat_010``.
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError, SignatureExpiredError
from tests.conformance.test_compat_010 import _send
from tests.conformance.test_put_url import _tampered
from tests.rigs import Rig

DISPOSITION = 'attachment; filename="report.txt"'
FORMS_WITHOUT_METADATA = frozenset({"swift", "cloudfiles"})
"""Rigs whose upload forms store no metadata (Swift's FormPost sets none on the object)."""


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _signed_payload(rig: Rig, url: str) -> dict[str, Any]:
    """What the local store signed (its URL's ``signature``, or the bare signature)."""
    signature = _query(url).get("signature", url) if "://" in url else url
    return rig.driver.validate_signature(signature)  # type: ignore[attr-defined, no-any-return]


def _expires_at(rig: Rig, url: str) -> float:
    """When a signed URL says it expires, in the form of each service."""
    query = {key.lower(): value for key, value in _query(url).items()}
    for vendor in ("amz", "goog"):  # SigV4, GCS V4: a signing time and a lifetime
        if f"x-{vendor}-expires" in query:
            signed = datetime.strptime(query[f"x-{vendor}-date"], "%Y%m%dT%H%M%SZ")
            return signed.replace(tzinfo=timezone.utc).timestamp() + int(
                query[f"x-{vendor}-expires"]
            )
    if "se" in query:  # Azure SAS: the end time
        return datetime.fromisoformat(query["se"].replace("Z", "+00:00")).timestamp()
    if "temp_url_expires" in query:  # Swift TempURL: epoch seconds
        return float(query["temp_url_expires"])
    return float(_signed_payload(rig, url)["expires"])


def test_download_url_fetches_the_bytes_with_the_disposition_asked(
    rig: Rig, container: Container, http: requests.Session
):
    blob = container.upload_blob(io.BytesIO(b"signed"), blob_name="dir/s.txt")
    url = blob.generate_download_url(expires=120, content_disposition=DISPOSITION)
    if not rig.http_download_urls:
        payload = _signed_payload(rig, url)
        assert (payload["container"], payload["blob_name"]) == (container.name, "dir/s.txt")
        assert payload["content_disposition"] == DISPOSITION
        return
    response = http.get(url)
    assert response.status_code == 200
    assert response.content == b"signed"
    if rig.server_checks:
        assert response.headers["Content-Disposition"].startswith(DISPOSITION)
    else:  # moto and fake-gcs-server ignore response overrides: they are signed in
        assert _query(url)["response-content-disposition"] == DISPOSITION


@pytest.mark.parametrize("expires", [60, 3600])
def test_download_url_carries_the_lifetime_asked(rig: Rig, container: Container, expires: int):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="s.txt")
    asked = time.time() + expires
    expires_at = _expires_at(rig, blob.generate_download_url(expires=expires))
    assert asked - 5 <= expires_at <= asked + 5


def test_tampered_download_url_is_refused(rig: Rig, container: Container, http: requests.Session):
    blob = container.upload_blob(io.BytesIO(b"classified"), blob_name="s.txt")
    url = blob.generate_download_url(expires=120)
    if not rig.http_download_urls:
        tampered = url[:-2] + ("AA" if url[-2:] != "AA" else "BB")
        with pytest.raises(CloudStorageError, match="invalid signature") as raised:
            _signed_payload(rig, tampered)
        assert not isinstance(raised.value, SignatureExpiredError)
        return
    if not rig.server_checks:
        pytest.skip(f"{rig.name}: the emulator checks no signatures (S3's: test_amazon)")
    response = http.get(_tampered(url))
    assert response.status_code in (401, 403)
    assert b"classified" not in response.content
    assert http.get(url).content == b"classified"  # the genuine one still works


@pytest.mark.parametrize("expires", ["60", 1.5])
def test_download_url_refuses_a_bad_lifetime(container: Container, expires):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="s.txt")
    with pytest.raises(CloudStorageError):
        blob.generate_download_url(expires=expires)


def test_upload_form_round_trip_creates_the_blob_with_its_settings(
    rig: Rig, container: Container, http: requests.Session
):
    form = container.generate_upload_url(
        "avatars/", expires=120, meta_data={"owner-id": "1"}, content_type="image/png"
    )
    if not rig.http_download_urls:  # the app's route gets what was signed
        payload = _signed_payload(rig, form["fields"]["signature"])
        assert (payload["blob_name"], payload["meta_data"]) == ("avatars/", {"owner-id": "1"})
        return
    if rig.form_post:
        assert form["fields"]
    else:  # a signed PUT: the headers to send carry what a form's fields would
        assert (form["method"], bool(form["headers"])) == ("PUT", True)
    response = _send(form, "a.png", b"\x89PNG avatar", http)
    assert response.status_code in (200, 201, 204, 303), response.text
    (name,) = [blob.name for blob in container]
    # the prefix completed by the file's name (moto and fake-gcs-server keep ${filename})
    assert name == "avatars/a.png" if rig.server_checks else name.startswith("avatars/")
    blob = container.get_blob(name)
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == b"\x89PNG avatar"
    assert blob.content_type == "image/png"
    if rig.name not in FORMS_WITHOUT_METADATA:
        assert blob.meta_data["owner-id"] == "1"


@pytest.mark.parametrize("content_length", [(10, 5), (-1, 5), "big", (1,)])
def test_upload_form_refuses_a_bad_size_range(container: Container, content_length):
    with pytest.raises(CloudStorageError):
        container.generate_upload_url("a.png", content_length=content_length)
