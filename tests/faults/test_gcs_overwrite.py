"""GCS: an overwrite whose bytes are corrupted in transit keeps the old blob.

fake-gcs-server checks neither the ``md5Hash`` of a one-request upload nor an ``X-Goog-Hash``,
and stores what it got: the proxy flips bytes in the middle of the upload's body (past a
multipart body's JSON part), so the bytes stored differ from the bytes sent. The driver
stages an overwrite under another name, checks its MD5 and only then rewrites it onto the
blob: the upload raises, the old bytes and metadata stay, and no staging object is left.
"""

from __future__ import annotations

import io
import os

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError
from tests.faults.conftest import CLOUD_RIGS, Cloud
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
