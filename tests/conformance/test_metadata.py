"""Metadata, content settings and patching, on every driver."""

from __future__ import annotations

import io

from cloudstorage import Container

SETTINGS = {
    "meta_data": {"owner-id": "1", "owner-email": "user.one@startup.com"},
    "content_disposition": 'attachment; filename="avatar.png"',
    "cache_control": "max-age=84600",
    "content_type": "image/png",
}


def test_settings_round_trip_through_get_blob(container: Container):
    uploaded = container.upload_blob(io.BytesIO(b"png"), blob_name="avatar.png", **SETTINGS)
    fetched = container.get_blob("avatar.png")
    for blob in (uploaded, fetched):
        assert blob.meta_data == SETTINGS["meta_data"]
        assert blob.content_disposition == SETTINGS["content_disposition"]
        assert blob.cache_control == SETTINGS["cache_control"]
        assert blob.content_type == "image/png"


def test_metadata_keys_are_case_insensitive(container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="m.txt", meta_data={"Owner-Id": "9"})
    meta = container.get_blob("m.txt").meta_data
    assert meta["owner-id"] == "9"
    assert meta["OWNER-ID"] == "9"


def test_blob_without_settings_has_empty_metadata(container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="plain.bin")
    blob = container.get_blob("plain.bin")
    assert blob.meta_data == {}
    assert blob.content_disposition is None
    assert blob.cache_control is None


def test_patch_replaces_metadata_and_settings(container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="p.txt", **SETTINGS)
    blob = container.get_blob("p.txt")
    blob.meta_data = {"owner-id": "2"}
    blob.content_disposition = "inline"
    blob.cache_control = "no-cache"
    blob.content_type = "text/plain"
    blob.patch()
    fetched = container.get_blob("p.txt")
    assert fetched.meta_data == {"owner-id": "2"}
    assert fetched.content_disposition == "inline"
    assert fetched.cache_control == "no-cache"
    assert fetched.content_type == "text/plain"
    out = io.BytesIO()
    fetched.download(out)
    assert out.getvalue() == b"x"


def test_unicode_metadata_values_round_trip(container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="u.txt", meta_data={"city": "Zürich"})
    assert container.get_blob("u.txt").meta_data["city"] == "Zürich"
