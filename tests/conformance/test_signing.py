"""Signed download URLs and upload forms: the parts every driver shares."""

from __future__ import annotations

import io
from urllib.request import urlopen

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError
from tests.rigs import Rig


def test_download_url_is_a_non_empty_string(container: Container):
    blob = container.upload_blob(io.BytesIO(b"signed"), blob_name="s.txt")
    url = blob.generate_download_url(expires=120)
    assert isinstance(url, str)
    assert url


def test_download_url_fetches_the_bytes(rig: Rig, container: Container):
    if not rig.http_download_urls:
        pytest.skip(f"{rig.name} download URLs are signatures for the app's own route")
    blob = container.upload_blob(io.BytesIO(b"signed"), blob_name="s.txt")
    with urlopen(blob.generate_download_url(expires=120)) as response:
        assert response.read() == b"signed"


@pytest.mark.parametrize("expires", ["60", 1.5])
def test_download_url_refuses_a_bad_lifetime(container: Container, expires):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="s.txt")
    with pytest.raises(CloudStorageError):
        blob.generate_download_url(expires=expires)


def test_upload_form_has_url_and_fields(rig: Rig, container: Container):
    form = container.generate_upload_url("avatar.png", expires=120, meta_data={"owner-id": "1"})
    assert set(form) >= {"url", "fields"}
    assert isinstance(form["fields"], dict)
    if rig.form_post:
        assert form["fields"]
    else:  # a signed PUT: the headers to send carry what a form's fields would
        assert form["method"] == "PUT"
        assert form["url"]
        assert form["headers"]


@pytest.mark.parametrize("content_length", [(10, 5), (-1, 5), "big", (1,)])
def test_upload_form_refuses_a_bad_size_range(container: Container, content_length):
    with pytest.raises(CloudStorageError):
        container.generate_upload_url("a.png", content_length=content_length)
