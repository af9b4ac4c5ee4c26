"""Content hashes: bytes corrupted in transit are caught, and nothing corrupt is left behind.

Downloads are checked against the hash the service reports (S3's single-part ETag, the
CRC32C of GCS's ``x-goog-hash``, Azure's ``Content-MD5``, Swift's ETag of an object sent in one
PUT): the fault proxy flips bytes of the response body and leaves the headers alone, as a
faulty middlebox would. Azure uploads carry a transactional Content-MD5, Swift PUTs
(one-request objects and each segment of a large one) an ``ETag``, that the service checks on
receipt.
"""

from __future__ import annotations

import io
import os

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError
from tests.faults.conftest import CLOUD_RIGS, Cloud, blob_path, upload_path

DATA = os.urandom(200_000)

# The SDKs leave the connections the proxy cut for the garbage collector to close.
pytestmark = pytest.mark.filterwarnings(
    "ignore:unclosed <socket:ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)


def _media_path(cloud: Cloud, container: str, blob: str) -> str:
    """The GET that carries the blob's bytes (not GCS's metadata GET)."""
    if cloud.name == "gcs":
        return rf"/b/{container}/o/{blob}\?.*alt=media"
    return blob_path(container, blob)


def test_corrupted_download_to_a_path_raises_and_leaves_no_file(
    cloud: Cloud, bucket: Container, tmp_path
):
    bucket.upload_blob(io.BytesIO(DATA), blob_name="c.bin")
    blob = bucket.get_blob("c.bin")
    assert blob.checksum  # the service reported an MD5 to check against
    cloud.proxy.corrupt("GET", _media_path(cloud, bucket.name, "c.bin"), times=100)
    with pytest.raises(CloudStorageError, match=r"MD5|CRC32C"):
        blob.download(str(tmp_path / "c.bin"))
    assert cloud.proxy.count("corrupt") >= 1
    assert os.listdir(tmp_path) == []


def test_corrupted_download_over_an_existing_file_keeps_it(
    cloud: Cloud, bucket: Container, tmp_path
):
    bucket.upload_blob(io.BytesIO(DATA), blob_name="c.bin")
    blob = bucket.get_blob("c.bin")
    target = tmp_path / "c.bin"
    target.write_bytes(b"older copy")
    cloud.proxy.corrupt("GET", _media_path(cloud, bucket.name, "c.bin"), times=100)
    with pytest.raises(CloudStorageError, match=r"MD5|CRC32C"):
        blob.download(str(target))
    assert target.read_bytes() == b"older copy"
    assert os.listdir(tmp_path) == ["c.bin"]


def test_corrupted_download_to_a_stream_raises(cloud: Cloud, bucket: Container):
    bucket.upload_blob(io.BytesIO(DATA), blob_name="s.bin")
    blob = bucket.get_blob("s.bin")
    cloud.proxy.corrupt("GET", _media_path(cloud, bucket.name, "s.bin"), times=100)
    with pytest.raises(CloudStorageError, match=r"MD5|CRC32C"):
        blob.download(io.BytesIO())


def test_clean_download_passes_the_check(cloud: Cloud, bucket: Container, tmp_path):
    bucket.upload_blob(io.BytesIO(DATA), blob_name="ok.bin")
    bucket.get_blob("ok.bin").download(str(tmp_path / "ok.bin"))
    assert (tmp_path / "ok.bin").read_bytes() == DATA


UPLOADS_CHECKED = [name for name in ("azure", "swift", "cloudfiles") if name in CLOUD_RIGS]
"""The services whose uploads carry an MD5 the service checks (Azure: Content-MD5; Swift: ETag)."""


@pytest.mark.parametrize("size", [200_000, 9 * 2**20], ids=["one-request", "large"])
@pytest.mark.parametrize("cloud_session", UPLOADS_CHECKED, indirect=True, scope="session")
def test_corrupted_upload_is_refused_and_leaves_nothing(cloud: Cloud, bucket: Container, size: int):
    # large: Azure's staged blocks, Swift's segments (8 MiB for these tests) and manifest
    cloud.proxy.corrupt_request("PUT", upload_path(cloud.name, bucket.name, "u.bin"), times=100)
    with pytest.raises(CloudStorageError, match=r"Md5Mismatch|MD5"):
        bucket.upload_blob(io.BytesIO(os.urandom(size)), blob_name="u.bin")
    assert cloud.proxy.count("corrupt_request") == 1  # refused, not retried
    cloud.proxy.clear()
    assert list(cloud.rig.driver.get_container(bucket.name)) == []
    assert cloud.pending_uploads(bucket.name) == []
