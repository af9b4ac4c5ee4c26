"""Presigned PUT URLs: one plain HTTP PUT uploads, with no SDK; forged or expired grants fail."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError
from tests.rigs import Rig

CHECKS_SIGNATURES = frozenset({"azure", "swift", "cloudfiles", "local-served"})
"""Rigs whose server verifies signatures (moto and fake-gcs-server accept any)."""
_SIGNATURE_PARAMS = ("sig", "temp_url_sig", "signature")


def _needs_http(rig: Rig) -> None:
    if not rig.http_download_urls:
        pytest.skip(f"{rig.name}: without base_url the grant is a token for the app's route")


def _needs_checks(rig: Rig) -> None:
    _needs_http(rig)
    if rig.name not in CHECKS_SIGNATURES:
        pytest.skip(f"{rig.name}: the emulator does not verify signatures")


def _tampered(url: str) -> str:
    """The URL with one character of its signature changed."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for index, (name, value) in enumerate(query):
        if name in _SIGNATURE_PARAMS:
            middle = len(value) // 2
            swapped = "B" if value[middle] == "A" else "A"
            query[index] = (name, value[:middle] + swapped + value[middle + 1 :])
            return urlunsplit(parts._replace(query=urlencode(query)))
    raise AssertionError(f"no signature in {url}")


def test_put_url_has_url_and_headers(rig: Rig, container: Container):
    grant = container.generate_put_url("up.txt", content_type="text/plain")
    assert set(grant) == {"url", "headers"}
    if rig.http_download_urls and not rig.name.startswith("local"):
        # this blob, not another (the local store's URL names it inside its signed token)
        assert f"{container.name}/up.txt" in unquote(grant["url"])
    headers = {name.lower(): value for name, value in grant["headers"].items()}
    assert headers.get("content-type", "text/plain") == "text/plain"  # what it was signed for


def test_put_url_uploads_with_one_plain_put(rig: Rig, container: Container, http):
    _needs_http(rig)
    grant = container.generate_put_url(
        "photos/up.txt", expires=300, content_type="text/plain", meta_data={"owner": "ada"}
    )
    answer = http.put(grant["url"], data=b"sent by a phone", headers=grant["headers"])
    assert answer.status_code in (200, 201), answer.text
    blob = container.get_blob("photos/up.txt")
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == b"sent by a phone"
    assert blob.content_type == "text/plain"
    assert dict(blob.meta_data) == {"owner": "ada"}


def test_tampered_put_url_is_refused(rig: Rig, container: Container, http):
    _needs_checks(rig)
    grant = container.generate_put_url("up.txt", expires=300, content_type="text/plain")
    answer = http.put(_tampered(grant["url"]), data=b"forged", headers=grant["headers"])
    assert answer.status_code in (401, 403)
    assert "up.txt" not in container


def test_expired_put_url_is_refused(rig: Rig, container: Container, http):
    _needs_checks(rig)
    grant = container.generate_put_url("late.txt", expires=1, content_type="text/plain")
    time.sleep(2.5)  # past the grant's expiry (whole seconds on every service)
    answer = http.put(grant["url"], data=b"late", headers=grant["headers"])
    assert answer.status_code in (401, 403)
    assert "late.txt" not in container


@pytest.mark.parametrize(
    ("name", "expires"), [("", 60), ("bad\x00", 60), ("ok.txt", 1.5), ("ok.txt", True)]
)
def test_put_url_refuses_bad_input(container: Container, name, expires):
    with pytest.raises(CloudStorageError):
        container.generate_put_url(name, expires=expires)


def test_put_url_is_not_a_download_or_form_grant(rig: Rig, container: Container, http):
    """The local store's PUT token cannot be replayed as a download or a form upload."""
    if rig.name != "local-served":
        pytest.skip("the local store's own grants")
    container.upload_blob(io.BytesIO(b"private"), blob_name="up.txt")
    grant = container.generate_put_url("up.txt", expires=300)
    assert http.get(grant["url"]).status_code == 403
    base, _, query = grant["url"].partition("?")
    signature = dict(parse_qsl(query))["signature"]
    form = {"signature": signature, "container": container.name, "blob_name": "up.txt"}
    answer = http.post(base, data=form, files={"file": ("x", b"overwritten")})
    assert answer.status_code == 403
    out = io.BytesIO()
    container.get_blob("up.txt").download(out)
    assert out.getvalue() == b"private"
