"""The local store and cloudstorage 0.10: signatures valid both ways, long names refused cleanly.

``old_serializer`` is built exactly as 0.10's ``LocalDriver._make_serializer`` built it, and
the payloads are 0.10's own (``generate_blob_download_url`` / ``generate_container_upload_url``
of 0.10, with its float ``expires``), so links issued before an upgrade keep working.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

import itsdangerous
import pytest

from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import CloudStorageError, SignatureExpiredError

SECRET, SALT = "0.10-secret", "0.10-salt"


def old_serializer(secret: str = SECRET, salt: str | None = SALT):
    return itsdangerous.URLSafeTimedSerializer(
        secret_key=secret,
        salt=salt,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def old_validate(signature: str, salt: str | None = SALT) -> dict:
    """0.10's ``LocalDriver.validate_signature``."""
    serializer = old_serializer(salt=salt)
    payload = serializer.loads(signature, max_age=None)
    try:
        return serializer.loads(signature, max_age=payload.get("max_age", 0))
    except itsdangerous.SignatureExpired:
        raise SignatureExpiredError from None


def old_download_payload(expires: int = 3600) -> dict:
    return {
        "max_age": int(expires),
        "expires": (datetime.utcnow() + timedelta(seconds=expires)).timestamp(),  # 0.10's own
        "blob_name": "avatar.png",
        "container": "box",
        "method": "GET",
        "content_disposition": "attachment",
    }


def old_form_payload(expires: int = 3600) -> dict:
    return {
        "acl": None,
        "meta_data": {"owner-id": "1"},
        "content_disposition": None,
        "content_length": [1, 1024],
        "content_type": "image/png",
        "cache_control": None,
        "max_age": int(expires),
        "blob_name": "avatar.png",
        "container": "box",
        "expires": (datetime.utcnow() + timedelta(seconds=expires)).timestamp(),
    }


@pytest.fixture
def storage(tmp_path):
    return LocalDriver(key=str(tmp_path / "storage"), secret=SECRET, salt=SALT)


@pytest.fixture
def box(storage):
    return storage.create_container("box")


@pytest.mark.parametrize("payload", [old_download_payload(), old_form_payload()])
def test_a_010_signature_validates(storage, payload):
    assert storage.validate_signature(old_serializer().dumps(payload)) == payload


def test_a_010_signature_without_salt_validates(tmp_path):
    unsalted = LocalDriver(key=str(tmp_path / "s"), secret=SECRET)
    payload = old_download_payload()
    assert unsalted.validate_signature(old_serializer(salt=None).dumps(payload)) == payload


def test_an_expired_010_signature_is_signature_expired(storage):
    signature = old_serializer().dumps(old_download_payload(expires=-10))
    with pytest.raises(SignatureExpiredError):
        storage.validate_signature(signature)


def test_our_download_url_validates_in_010(box):
    blob = box.upload_blob(io.BytesIO(b"x"), blob_name="pic.png")
    payload = old_validate(blob.generate_download_url(expires=60, content_disposition="inline"))
    assert payload["container"] == "box"
    assert payload["blob_name"] == "pic.png"
    assert payload["content_disposition"] == "inline"
    assert payload["method"] == "GET"


def test_our_upload_form_validates_in_010(box):
    form = box.generate_upload_url("avatar.png", meta_data={"owner-id": "1"}, expires=60)
    payload = old_validate(form["fields"]["signature"])
    assert payload["blob_name"] == form["fields"]["blob_name"] == "avatar.png"
    assert payload["container"] == form["fields"]["container"] == "box"
    assert payload["meta_data"] == {"owner-id": "1"}


def test_our_expired_signatures_are_expired_in_010(box):
    blob = box.upload_blob(io.BytesIO(b"x"), blob_name="pic.png")
    with pytest.raises(SignatureExpiredError):
        old_validate(blob.generate_download_url(expires=-10))
    with pytest.raises(SignatureExpiredError):
        old_validate(box.generate_upload_url("a.png", expires=-10)["fields"]["signature"])


@pytest.mark.parametrize(
    "signature",
    [
        old_serializer(secret="another secret").dumps(old_download_payload()),
        old_serializer(salt="another salt").dumps(old_download_payload()),
        "not-a-signature",
    ],
    ids=["other secret", "other salt", "garbage"],
)
def test_a_bad_signature_is_ours_and_itsdangerous(storage, signature):
    with pytest.raises(CloudStorageError) as raised:
        storage.validate_signature(signature)
    assert isinstance(raised.value, itsdangerous.BadSignature)  # what 0.10 handlers catch
    assert not isinstance(raised.value, SignatureExpiredError)
    assert raised.value.code == 403


# -- names longer than the filesystem allows ----------------------------------------------------


def _long_name(length: int) -> str:
    """A blob name of ``length`` bytes in segments the filesystem takes one by one."""
    segments, rest = divmod(length, 201)
    return "/".join(["s" * 200] * segments + ["t" * max(rest - 1, 1)])


def test_a_name_beyond_the_path_limit_is_refused_before_any_write(storage, box):
    name = _long_name(4096)
    assert name not in box
    with pytest.raises(CloudStorageError, match="too long"):
        box.upload_blob(io.BytesIO(b"x"), blob_name=name)
    with pytest.raises(CloudStorageError, match="too long"):
        box.generate_upload_url(name)
    assert list(box) == []
