"""S3-family content hashes end to end: corrupted uploads and downloads raise, nothing is left.

Uploads carry Content-MD5 on PutObject and on every UploadPart: S3, MinIO, B2 and Spaces
refuse a body that does not match it (``BadDigest``). moto verifies neither Content-MD5 nor
the x-amz-checksum-* headers (moto/s3/responses.py reads the checksum header only to store
and echo it), so on moto it is our second check that fires: the ETag each answer carries is
the MD5 of the bytes the server received, compared with the MD5 of the bytes sent.

Downloads are checked against the MD5 the GET answer vouches for (a single-part ETag without
SSE-KMS/SSE-C), so a blob from a listing is checked as one from a lookup is; a multipart
ETag (``"...-2"``) is never taken for an MD5.
"""

from __future__ import annotations

import io
import os

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError
from tests.faults.conftest import CLOUD_RIGS, S3_FAMILY, Cloud, blob_path, upload_path

SMALL = os.urandom(200_000)
LARGE = os.urandom(9 * 2**20)  # two parts of a multipart upload, two ranged GETs

pytestmark = [
    pytest.mark.parametrize(
        "cloud_session",
        [name for name in S3_FAMILY if name in CLOUD_RIGS],
        indirect=True,
        scope="session",
    ),
    # the SDKs leave the connections the proxy cut for the garbage collector to close
    pytest.mark.filterwarnings(
        "ignore:unclosed <socket:ResourceWarning",
        "ignore::pytest.PytestUnraisableExceptionWarning",
    ),
]


def _direct(cloud: Cloud, bucket: Container) -> Container:
    """The bucket seen without the proxy."""
    return cloud.rig.driver.get_container(bucket.name)


# -- uploads --------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [SMALL, LARGE], ids=["put-object", "multipart"])
def test_corrupted_upload_raises_and_leaves_no_blob_and_no_upload(
    cloud: Cloud, bucket: Container, data: bytes
):
    cloud.proxy.corrupt_request("PUT", upload_path(cloud.name, bucket.name, "u.bin"), times=100)
    with pytest.raises(CloudStorageError, match="MD5"):
        bucket.upload_blob(io.BytesIO(data), blob_name="u.bin")
    assert cloud.proxy.count("corrupt_request") >= 1
    cloud.proxy.clear()
    assert list(_direct(cloud, bucket)) == []
    assert cloud.pending_uploads(bucket.name) == []


def test_one_corrupted_part_fails_the_whole_upload(cloud: Cloud, bucket: Container):
    data = os.urandom(17 * 2**20)  # three parts; the second arrives corrupted
    part_2 = rf"/{bucket.name}/u\.bin\?(.*&)?partNumber=2(&|$)"
    cloud.proxy.corrupt_request("PUT", part_2, times=100)
    with pytest.raises(CloudStorageError, match="part 2"):
        bucket.upload_blob(io.BytesIO(data), blob_name="u.bin")
    cloud.proxy.clear()
    assert list(_direct(cloud, bucket)) == []
    assert cloud.pending_uploads(bucket.name) == []


def test_corrupted_multipart_overwrite_keeps_the_old_blob(cloud: Cloud, bucket: Container):
    bucket.upload_blob(io.BytesIO(SMALL), blob_name="o.bin")
    cloud.proxy.corrupt_request("PUT", upload_path(cloud.name, bucket.name, "o.bin"), times=100)
    with pytest.raises(CloudStorageError, match="MD5"):
        bucket.upload_blob(io.BytesIO(LARGE), blob_name="o.bin")
    cloud.proxy.clear()
    out = io.BytesIO()
    _direct(cloud, bucket).get_blob("o.bin").download(out)
    assert out.getvalue() == SMALL


@pytest.mark.parametrize("data", [SMALL, LARGE, b""], ids=["put-object", "multipart", "empty"])
def test_clean_upload_passes_the_checks(cloud: Cloud, bucket: Container, data: bytes):
    bucket.upload_blob(io.BytesIO(data), blob_name="ok.bin")
    out = io.BytesIO()
    _direct(cloud, bucket).get_blob("ok.bin").download(out)
    assert out.getvalue() == data
    assert cloud.pending_uploads(bucket.name) == []


# -- downloads of listed blobs --------------------------------------------------------------------


def _listed(bucket: Container, name: str):
    (blob,) = [blob for blob in bucket if blob.name == name]
    return blob


def test_corrupted_download_of_a_listed_blob_raises_and_leaves_no_file(
    cloud: Cloud, bucket: Container, tmp_path
):
    bucket.upload_blob(io.BytesIO(SMALL), blob_name="c.bin")
    blob = _listed(bucket, "c.bin")
    cloud.proxy.corrupt("GET", blob_path(bucket.name, "c.bin"), times=100)
    with pytest.raises(CloudStorageError, match="MD5"):
        blob.download(str(tmp_path / "c.bin"))
    with pytest.raises(CloudStorageError, match="MD5"):
        blob.download(io.BytesIO())
    assert cloud.proxy.count("corrupt") >= 2
    assert os.listdir(tmp_path) == []


def test_corrupted_range_of_a_large_listed_blob_raises_and_leaves_no_file(
    cloud: Cloud, bucket: Container, tmp_path
):
    # one PutObject of 9 MiB (a single-part ETag), downloaded in two ranges: the second corrupt
    cloud.rig.driver._call("put_object", Bucket=bucket.name, Key="r.bin", Body=LARGE)
    blob = _listed(bucket, "r.bin")
    cloud.proxy.corrupt("GET", blob_path(bucket.name, "r.bin"), times=1, skip=1)
    with pytest.raises(CloudStorageError, match="MD5"):
        blob.download(str(tmp_path / "r.bin"))
    assert cloud.proxy.count("corrupt") == 1
    assert os.listdir(tmp_path) == []
    blob.download(str(tmp_path / "r.bin"))  # the fault is spent: a clean copy passes
    assert (tmp_path / "r.bin").read_bytes() == LARGE


def test_listed_multipart_blob_is_not_checked_against_its_etag(
    cloud: Cloud, bucket: Container, tmp_path
):
    bucket.upload_blob(io.BytesIO(LARGE), blob_name="m.bin")
    blob = _listed(bucket, "m.bin")
    assert blob.etag.endswith("-2")
    assert blob.checksum is None  # a lookup confirms: no MD5 of the whole object
    blob.download(str(tmp_path / "m.bin"))
    assert (tmp_path / "m.bin").read_bytes() == LARGE


def test_dropped_range_is_fetched_again(cloud: Cloud, bucket: Container, tmp_path):
    bucket.upload_blob(io.BytesIO(LARGE), blob_name="d.bin")
    blob = _listed(bucket, "d.bin")
    cloud.proxy.drop_response("GET", blob_path(bucket.name, "d.bin"), times=1, skip=1)
    blob.download(str(tmp_path / "d.bin"))
    assert cloud.proxy.count("drop_response") == 1
    assert (tmp_path / "d.bin").read_bytes() == LARGE
