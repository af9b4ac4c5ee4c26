"""`cloudstorage serve`: the local store's signed URLs and upload forms over real HTTP."""

from __future__ import annotations

import io
import os
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from cloudstorage.drivers.local import LocalDriver
from cloudstorage.serve import make_app
from tests.servers.wsgi import serve_wsgi


@pytest.fixture
def served(tmp_path):
    root = str(tmp_path / "storage")
    with serve_wsgi(make_app(LocalDriver(key=root, secret="s", salt="t"))) as url:
        yield LocalDriver(key=root, secret="s", salt="t", base_url=f"{url}/storage")


@pytest.fixture
def box(served):
    return served.create_container("box")


@pytest.fixture
def blob(box):
    return box.upload_blob(
        io.BytesIO(b"0123456789"), blob_name="digits.txt", content_type="text/plain"
    )


def test_signed_url_serves_the_blob(blob):
    response = requests.get(blob.generate_download_url(expires=60), timeout=10)
    assert response.status_code == 200
    assert response.content == b"0123456789"
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Accept-Ranges"] == "bytes"


def test_range_request_gets_part_of_the_blob(blob):
    url = blob.generate_download_url()
    response = requests.get(url, headers={"Range": "bytes=2-5"}, timeout=10)
    assert response.status_code == 206
    assert response.content == b"2345"
    assert response.headers["Content-Range"] == "bytes 2-5/10"


def test_etag_makes_repeat_requests_cheap(blob):
    url = blob.generate_download_url()
    etag = requests.get(url, timeout=10).headers["ETag"]
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304
    assert again.content == b""


def test_disposition_and_type_overrides(blob):
    url = blob.generate_download_url(
        content_disposition='attachment; filename="n.txt"', extra={"content_type": "text/csv"}
    )
    response = requests.get(url, timeout=10)
    assert response.headers["Content-Disposition"] == 'attachment; filename="n.txt"'
    assert response.headers["Content-Type"].startswith("text/csv")


def test_expired_and_tampered_urls_are_forbidden(blob, monkeypatch):
    url = blob.generate_download_url(expires=1)
    assert requests.get(url + "x", timeout=10).status_code == 403
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 5)
    response = requests.get(url, timeout=10)
    assert response.status_code == 403
    assert "expired" in response.text


def test_missing_signature_is_a_bad_request(served):
    assert requests.get(served.base_url, timeout=10).status_code == 400


def test_deleted_blob_is_not_found(blob):
    url = blob.generate_download_url()
    blob.delete()
    assert requests.get(url, timeout=10).status_code == 404


def post(form, data: bytes, content_type: str = "image/png", **field_changes):
    fields = {**form["fields"], **field_changes}
    files = {"file": ("upload.png", io.BytesIO(data), content_type)}
    return requests.post(form["url"], data=fields, files=files, timeout=10, allow_redirects=False)


def test_form_upload_stores_blob_with_its_settings(box):
    form = box.generate_upload_url(
        "avatar.png", meta_data={"owner-id": "1"}, content_type="image/png",
        content_disposition="inline", cache_control="no-cache", content_length=(1, 100),
    )  # fmt: skip
    response = post(form, b"\x89PNG-data")
    assert response.status_code == 201, response.text
    stored = box.get_blob("avatar.png")
    assert stored.meta_data == {"owner-id": "1"}
    assert stored.content_type == "image/png"
    assert stored.content_disposition == "inline"
    assert stored.cache_control == "no-cache"
    assert stored.size == 9


def test_form_upload_outside_the_size_range_stores_nothing(box):
    form = box.generate_upload_url("big.png", content_length=(1, 10))
    assert post(form, b"x" * 11).status_code == 413
    assert post(form, b"").status_code == 413
    assert "big.png" not in box


def test_form_upload_of_another_type_is_refused(box):
    form = box.generate_upload_url("a.png", content_type="image/png")
    assert post(form, b"x", content_type="text/html").status_code == 403
    assert "a.png" not in box


def test_form_fields_cannot_redirect_the_upload(box):
    form = box.generate_upload_url("a.png")
    assert post(form, b"x", blob_name="../../etc/passwd").status_code == 403
    assert post(form, b"x", container="other").status_code == 403
    assert list(box) == []


def test_expired_form_is_refused(box, monkeypatch):
    form = box.generate_upload_url("late.png", expires=1)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 5)
    assert post(form, b"x").status_code == 403
    assert "late.png" not in box


def test_download_signature_cannot_upload(blob, box):
    url = blob.generate_download_url()
    signature = url.split("signature=", 1)[1]
    form = {"url": url.split("?")[0], "fields": {"signature": signature}}
    assert post(form, b"evil").status_code == 403
    assert requests.get(url, timeout=10).content == b"0123456789"


def test_form_redirect_after_success(box):
    form = box.generate_upload_url("r.png", extra={"success_action_redirect": "http://app/done"})
    response = post(form, b"x")
    assert response.status_code == 303
    assert response.headers["Location"] == "http://app/done"


def test_signed_put_of_another_type_is_refused(box):
    grant = box.generate_put_url("up.txt", content_type="text/plain")
    answer = requests.put(
        grant["url"], data=b"<html>", headers={"Content-Type": "text/html"}, timeout=10
    )
    assert answer.status_code == 403
    assert "up.txt" not in box


def test_signed_put_replaces_a_blob_whole(blob, box):
    grant = box.generate_put_url("digits.txt", content_type="text/plain")
    answer = requests.put(grant["url"], data=b"new", headers=grant["headers"], timeout=10)
    assert answer.status_code == 201
    out = io.BytesIO()
    box.get_blob("digits.txt").download(out)
    assert out.getvalue() == b"new"


def test_interrupted_signed_put_stores_nothing(box):
    """The client promises 1 MB and hangs up after 1 KB: no blob, no temporary file."""
    grant = box.generate_put_url("cut.bin")
    url = urlsplit(grant["url"])
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(
            f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Length: {2**20}\r\n\r\n".encode()
            + b"x" * 1024
        )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.listdir(box.driver.container_cdn_url(box)):
        time.sleep(0.05)  # the server notices the hang-up and discards the upload
    assert os.listdir(box.driver.container_cdn_url(box)) == []
    assert "cut.bin" not in box
