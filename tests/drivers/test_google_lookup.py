"""GCS's `get_blob`: one ranged media GET, and the attributes its headers cannot give exactly
(metadata, creation and modification times, the JSON etag) loaded once, on first read.

Requests are counted at the suite's fault proxy in front of fake-gcs-server (the fixtures of
`tests.drivers.test_google`).
"""

from __future__ import annotations

import hashlib
import io
import pickle
from typing import Any

import pytest
from multidict import CIMultiDict

from cloudstorage import Container
from cloudstorage.base import prefetch
from cloudstorage.base.blob import UNSET
from cloudstorage.drivers.google import GoogleStorageDriver
from cloudstorage.drivers.google._lookup import ALWAYS_INEXACT, media_info
from cloudstorage.exceptions import CloudStorageError, NotFoundError
from tests.drivers import test_google
from tests.servers.fault_proxy import FaultProxy

# test_google's fixtures: the gcs rig, its counting proxy, a driver through it, a bucket
gcs, recorder, counted, bucket = (
    test_google.gcs,
    test_google.recorder,
    test_google.counted,
    test_google.bucket,
)
taken = test_google.taken

pytestmark = [
    test_google.pytestmark,  # skipped where CLOUDSTORAGE_TEST_DRIVERS leaves out gcs
    pytest.mark.filterwarnings(
        "ignore:unclosed <socket:ResourceWarning",
        "ignore::pytest.PytestUnraisableExceptionWarning",
    ),
]

DATA = b"a,b\n1,2\n"
META = {"Owner-Id": "Ana", "k": "v"}


def _upload(bucket: Container, recorder: FaultProxy, name: str = "t.csv", data: bytes = DATA):
    bucket.upload_blob(
        io.BytesIO(data), blob_name=name, meta_data=META, content_type="text/csv",
        content_disposition="inline", cache_control="no-cache",
    )  # fmt: skip
    recorder.clear()


def _inexact(blob: Any) -> set[str]:
    return {key[1:] for key, value in blob.__dict__.items() if value is UNSET}


def test_get_blob_is_one_ranged_media_get(bucket: Container, recorder: FaultProxy):
    _upload(bucket, recorder)
    blob = bucket.get_blob("t.csv")
    ((method, path, query),) = taken(recorder)
    assert (method, query["alt"]) == ("GET", ["media"])
    assert path.endswith(f"/b/{bucket.name}/o/t.csv")
    # exact from the headers
    assert (blob.size, blob.checksum) == (len(DATA), hashlib.md5(DATA).hexdigest())
    assert (blob.content_type, blob.content_disposition, blob.cache_control) == (
        "text/csv", "inline", "no-cache",
    )  # fmt: skip
    assert (blob.acl, blob.expires_at) == (None, None)
    assert _inexact(blob) == set(ALWAYS_INEXACT)
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == DATA
    assert taken(recorder) == []  # the lookup's bytes


def test_inexact_attributes_load_once_on_first_read(bucket: Container, recorder: FaultProxy):
    _upload(bucket, recorder)
    blob = bucket.get_blob("t.csv")
    taken(recorder)
    # neither repr, equality, hashing nor pickling reads an attribute
    assert repr(blob).startswith("<Blob t.csv")
    assert blob == pickle.loads(pickle.dumps(blob))
    assert {blob: 1}[blob] == 1
    assert taken(recorder) == []
    assert list(blob.meta_data.items()) == list(META.items())  # the keys' case kept
    ((method, _, query),) = taken(recorder)
    assert (method, "alt" in query) == ("GET", False)  # the JSON GET of the object
    listed = next(iter(bucket))
    assert (blob.created_at, blob.modified_at, blob.etag) == (
        listed.created_at, listed.modified_at, listed.etag,
    )  # fmt: skip
    taken(recorder)
    assert blob.meta_data["owner-id"] == "Ana"
    assert taken(recorder) == []


def test_unpickled_blob_loads_its_inexact_attributes(bucket: Container, recorder: FaultProxy):
    _upload(bucket, recorder)
    blob = bucket.get_blob("t.csv")
    copy = pickle.loads(pickle.dumps(blob))
    assert _inexact(copy) == set(ALWAYS_INEXACT)
    assert dict(copy.meta_data) == META


def test_large_blob_downloads_with_one_more_request(bucket: Container, recorder: FaultProxy):
    data = bytes(range(256)) * (prefetch.HEAD_BYTES // 128)
    _upload(bucket, recorder, "big.bin", data)
    blob = bucket.get_blob("big.bin")
    assert blob.size == len(data)
    out = io.BytesIO()
    blob.download(out)
    assert out.getvalue() == data
    assert [query.get("alt") for _, _, query in taken(recorder)] == [["media"], ["media"]]


def test_empty_blob_is_looked_up_by_its_json_resource(bucket: Container, recorder: FaultProxy):
    _upload(bucket, recorder, "empty.bin", b"")
    blob = bucket.get_blob("empty.bin")  # the range is refused (416): no byte 0
    assert [query.get("alt") for _, _, query in taken(recorder)] == [["media"], None]
    assert (blob.size, _inexact(blob), dict(blob.meta_data)) == (0, set(), META)
    out = io.BytesIO()
    blob.download(out)
    assert (out.getvalue(), taken(recorder)) == (b"", [])


def test_missing_blob_is_not_found(bucket: Container, recorder: FaultProxy):
    with pytest.raises(NotFoundError, match=r"'gone\.csv'"):
        bucket.get_blob("gone.csv")
    assert len(taken(recorder)) == 1


def test_timed_out_lookup_is_a_failure_not_absence(
    gcs: Any, bucket: Container, recorder: FaultProxy
):
    _upload(bucket, recorder)
    impatient = GoogleStorageDriver(
        key=gcs.driver.key, project=gcs.driver.project, endpoint_url=recorder.url,
        timeout=0.5, retries=1, retry_backoff=0.01,
    )  # fmt: skip
    recorder.delay("GET", r"/o/t\.csv\?.*alt=media", seconds=2, times=2)
    with pytest.raises(CloudStorageError) as raised:
        impatient.get_container(bucket.name).get_blob("t.csv")
    assert not isinstance(raised.value, NotFoundError)


def _headers(status: int = 206, **extra: str) -> tuple[int, CIMultiDict[str]]:
    headers: CIMultiDict[str] = CIMultiDict(
        {"Content-Range": "bytes 0-3/4", "Content-Type": "text/csv", **extra}
    )
    return status, headers


def test_media_info_reads_gcs_hash_headers_one_per_hash():
    status, headers = _headers(**{"x-goog-stored-content-length": "4"})
    headers.add("x-goog-hash", "crc32c=yZRlqg==")
    headers.add("x-goog-hash", "md5=XrY7u+Ae7tCTyyK7j1rNww==")
    info = media_info("b/o", status, headers)
    assert info is not None
    assert (info["size"], info["md5Hash"], info["crc32c"]) == (
        4,
        "XrY7u+Ae7tCTyyK7j1rNww==",
        "yZRlqg==",
    )
    assert set(info[prefetch.INEXACT]) == set(ALWAYS_INEXACT)


@pytest.mark.parametrize(
    ("extra", "inexact"),
    [
        ({"Cache-Control": "private, max-age=0"}, "cache_control"),  # served for none stored
        ({"Cache-Control": "public, max-age=3600"}, "cache_control"),
        ({"Content-Type": "application/octet-stream"}, "content_type"),
        ({}, "checksum"),  # no x-goog-hash at all
    ],
)
def test_media_info_leaves_what_gcs_serves_by_default_to_load(extra: dict[str, str], inexact: str):
    status, headers = _headers(**extra)
    info = media_info("b/o", status, headers)
    assert info is not None
    assert inexact in info[prefetch.INEXACT]


@pytest.mark.parametrize(
    "extra",
    [
        {"x-goog-stored-content-encoding": "gzip"},
        {"Content-Encoding": "gzip"},
        {"Content-Range": "*"},
    ],
)
def test_media_info_defers_to_the_json_lookup_where_it_cannot_say(extra: dict[str, str]):
    status, headers = _headers(**extra)
    assert media_info("b/o", status, headers) is None
