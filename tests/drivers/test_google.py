"""What only the GCS driver does: V4 signing, POST policies, ACL names, credentials, requests.

The driver talks to fake-gcs-server through the suite's fault proxy, so every test can see
the requests an operation sent (the proxy points resumable sessions back at itself, so their
chunks are counted too). Where fake-gcs-server differs from GCS, the test is a strict xfail
naming the emulator, or asserts what the driver sends rather than what the emulator does.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import pickle
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from cloudstorage import Container, get_driver_by_name
from cloudstorage.drivers import google
from cloudstorage.drivers.google import HNS_ENV, GoogleStorageDriver
from cloudstorage.exceptions import (
    CloudStorageError,
    CredentialsError,
    IsNotEmptyError,
    NotFoundError,
)
from tests.conftest import RIG_NAMES, unique_name
from tests.rigs import RigPool
from tests.rigs.gcs import token_endpoint, write_service_account
from tests.servers._process import LOCALHOST
from tests.servers.fault_proxy import FaultProxy

pytestmark = pytest.mark.skipif(
    "gcs" not in RIG_NAMES, reason="CLOUDSTORAGE_TEST_DRIVERS leaves out gcs"
)

# -- the fault proxy in front of fake-gcs-server counts the requests --------------------------


@pytest.fixture(scope="module")
def gcs(rigs: RigPool) -> Any:
    """The session's gcs rig (on the session's fake-gcs-server)."""
    return rigs.get("gcs")


@pytest.fixture(scope="module")
def recorder(gcs: Any) -> Iterator[FaultProxy]:
    """The proxy every request of `counted` goes through (it points resumable sessions back
    at itself, so their chunks are counted too)."""
    proxy = FaultProxy(gcs.driver.endpoint_url, upstream_host=True)
    yield proxy
    proxy.close()


def taken(proxy: FaultProxy) -> list[tuple[str, str, dict[str, list[str]]]]:
    """``(method, path, query)`` of each request since the last call."""
    return [(seen.method, seen.route, seen.params) for seen in proxy.take()]


@pytest.fixture(scope="module")
def counted(gcs: Any, recorder: FaultProxy) -> GoogleStorageDriver:
    """A driver whose every request to the server goes through the counting proxy."""
    return GoogleStorageDriver(
        key=gcs.driver.key, project=gcs.driver.project, endpoint_url=recorder.url
    )


@pytest.fixture
def bucket(counted: GoogleStorageDriver, recorder: FaultProxy) -> Iterator[Container]:
    created = counted.create_container(unique_name("gcs"))
    recorder.clear()
    yield created
    for blob in list(created):
        blob.delete()
    created.delete()


# -- requests per operation -----------------------------------------------------------------


def _upload_media(sent: list[tuple[str, str, dict[str, list[str]]]]) -> list[str]:
    """``uploadType`` of each request of an upload (a resumable session's chunks: ``chunk``)."""
    return [
        "chunk" if "upload_id" in query else query["uploadType"][0]
        for method, path, query in sent
        if method == "POST" and path.startswith("/upload/")
    ]


def test_small_put_is_one_request(bucket: Container, recorder: FaultProxy):
    bucket.upload_blob(
        io.BytesIO(b"small"),
        blob_name="s.txt",
        meta_data={"owner-id": "1"},
        content_disposition="inline",
        cache_control="no-cache",
        acl="public-read",
    )
    sent = taken(recorder)
    assert [(method, path) for method, path, _ in sent] == [
        ("POST", f"/upload/storage/v1/b/{bucket.name}/o")
    ]
    assert sent[0][2]["uploadType"] == ["multipart"]
    assert sent[0][2]["predefinedAcl"] == ["publicRead"]  # the ACL rides along: no PATCH
    blob = bucket.get_blob("s.txt")
    assert (blob.meta_data, blob.content_disposition, blob.cache_control) == (
        {"owner-id": "1"},
        "inline",
        "no-cache",
    )


@pytest.mark.parametrize("size", [0, 8 * 1024 * 1024], ids=["empty", "one-chunk"])
def test_put_of_up_to_one_chunk_is_one_request(bucket: Container, recorder: FaultProxy, size: int):
    data = os.urandom(size)
    blob = bucket.upload_blob(io.BytesIO(data), blob_name="c.bin")
    assert _upload_media(taken(recorder)) == ["multipart"]
    assert blob.size == size
    out = io.BytesIO()
    bucket.get_blob("c.bin").download(out)
    assert out.getvalue() == data


class _Unseekable(io.RawIOBase):
    """A binary stream that cannot seek (a pipe, a socket): its size is unknown up front."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


@pytest.mark.parametrize(
    ("seekable", "uploads"),
    [(True, ["resumable", "chunk"]), (False, ["resumable", "chunk", "chunk"])],
    ids=["seekable-one-streamed-request", "unseekable-32MiB-chunks"],
)
def test_larger_put_is_a_resumable_upload(
    bucket: Container, recorder: FaultProxy, seekable: bool, uploads: list[str]
):
    data = os.urandom(41 * 1024 * 1024 + 3)
    source = io.BytesIO(data) if seekable else _Unseekable(data)
    bucket.upload_blob(source, blob_name="r.bin", meta_data={"k": "v"}, acl="public-read")
    sent = taken(recorder)
    assert _upload_media(sent) == uploads  # under a staging name, checked, then rewritten
    assert [m for m, _, _ in sent] == ["POST"] * (len(uploads) + 1) + ["DELETE"]
    rewrite, delete = sent[-2:]
    assert f"/rewriteTo/b/{bucket.name}/o/r.bin" in rewrite[1]
    assert rewrite[2]["destinationPredefinedAcl"] == ["publicRead"]  # with it: no PATCH after
    assert delete[1] == f"/storage/v1/b/{bucket.name}/o/{sent[0][2]['name'][0]}"
    blob = bucket.get_blob("r.bin")
    assert (blob.size, blob.meta_data) == (len(data), {"k": "v"})
    assert blob.checksum == hashlib.md5(data).hexdigest()


def test_listing_asks_5000_blobs_a_page(bucket: Container, recorder: FaultProxy):
    """One page of 5,000 (gcsfs would page by 1,000); the cost per page is a conformance row."""
    bucket.upload_blob(io.BytesIO(b"x"), blob_name="d/0.txt")
    recorder.clear()
    assert [blob.name for blob in bucket] == ["d/0.txt"]
    sent = taken(recorder)
    assert [(m, p) for m, p, _ in sent] == [("GET", f"/storage/v1/b/{bucket.name}/o")]
    assert sent[0][2]["maxResults"] == ["5000"]


def test_listing_follows_page_tokens(bucket: Container, recorder: FaultProxy, monkeypatch):
    monkeypatch.setattr(google, "LIST_PAGE_SIZE", 2)
    for index in range(5):
        bucket.upload_blob(io.BytesIO(b"x"), blob_name=f"p{index}")
    recorder.clear()
    names = [blob.name for blob in iter(bucket)]
    assert names == [f"p{index}" for index in range(5)]
    assert len(taken(recorder)) == 3


def test_listing_a_missing_bucket_raises_not_found(counted: GoogleStorageDriver):
    gone = Container(unique_name("gone"), counted)
    with pytest.raises(NotFoundError):
        list(gone)


def test_download_of_a_missing_blob_raises_not_found(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"x"), blob_name="gone.txt")
    blob.delete()
    with pytest.raises(NotFoundError):
        blob.download(io.BytesIO())


def test_streamed_reader_reads_in_order(bucket: Container):
    data = os.urandom(100_000)
    blob = bucket.upload_blob(io.BytesIO(data), blob_name="o.bin")
    with blob.open("rb", block_size=0) as reader:
        assert reader.read(10) == data[:10]
        assert reader.read(0) == b""
        buffer = bytearray(20)
        assert reader.readinto(buffer) == 20
        assert bytes(buffer) == data[10:30]
        assert reader.read() == data[30:]
        assert reader.read(5) == b""
    with blob.open("rb") as seekable:  # without block_size=0: gcsfs's file, which seeks
        seekable.seek(50)
        assert seekable.read(5) == data[50:55]


# -- through a fault proxy: integrity and resumption ---------------------------------------


@pytest.fixture
def faulty(gcs: Any) -> Iterator[tuple[FaultProxy, Container, Container]]:
    """A bucket seen through a `FaultProxy`, and the same bucket seen directly."""
    proxy = FaultProxy(gcs.driver.endpoint_url)
    driver = GoogleStorageDriver(
        key=gcs.driver.key, project=gcs.driver.project, endpoint_url=proxy.url
    )
    direct = gcs.driver.create_container(unique_name("gcs"))
    try:
        yield proxy, driver.get_container(direct.name), direct
    finally:
        proxy.close()
        for blob in list(direct):
            blob.delete()
        direct.delete()


@pytest.mark.parametrize(
    ("size", "kind"),
    [(200_000, io.BytesIO), (9 * 1024 * 1024, io.BytesIO), (9 * 1024 * 1024, _Unseekable)],
    ids=["one-request", "streamed", "chunks"],
)
def test_upload_corrupted_in_transit_raises_and_leaves_nothing(
    bucket: Container, recorder: FaultProxy, size: int, kind: Any
):
    """fake-gcs-server does not check ``md5Hash`` (GCS refuses the upload): the driver compares
    the MD5 the server stored with what it sent, deletes that generation and raises."""
    recorder.corrupt_request("*", r"^/upload/", times=100, middle=True)
    with pytest.raises(CloudStorageError, match="MD5"):
        bucket.upload_blob(kind(os.urandom(size)), blob_name="u.bin")
    recorder.clear()
    assert list(bucket) == []


def test_download_is_checked_against_the_responses_crc32c(
    faulty: tuple[FaultProxy, Container, Container],
):
    """The reader checks the CRC32C of ``x-goog-hash`` (cheaper than MD5), known MD5 or not."""
    proxy, bucket, _ = faulty
    blob = bucket.upload_blob(io.BytesIO(os.urandom(100_000)), blob_name="h.bin")
    assert "_checksum" not in vars(blob) or not isinstance(vars(blob)["_checksum"], str)
    proxy.corrupt("GET", r"/o/h\.bin\?alt=media", times=100)
    with pytest.raises(CloudStorageError, match="CRC32C"):
        blob.download(io.BytesIO())
    assert proxy.count("corrupt") == 1


def test_download_cut_mid_stream_resumes_where_it_stopped(
    faulty: tuple[FaultProxy, Container, Container],
):
    proxy, bucket, direct = faulty
    data = os.urandom(3 * 1024 * 1024)
    direct.upload_blob(io.BytesIO(data), blob_name="cut.bin")
    blob = bucket.get_blob("cut.bin")
    proxy.clear()
    proxy.drop_response("GET", r"/o/cut\.bin\?alt=media", times=1)
    out = io.BytesIO()
    blob.download(out)  # and checked against the response's CRC32C
    assert out.getvalue() == data
    gets = [seen for seen in proxy.requests if seen.method == "GET"]
    assert [seen.fault for seen in gets] == ["drop_response", None]


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, produced on demand (never held whole)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


class _Sink(io.RawIOBase):
    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


@pytest.mark.filterwarnings(
    "ignore:Sending a large body directly:ResourceWarning"  # aiohttp, on gcsfs's 8 MiB chunks
)
def test_large_transfers_stream_with_flat_memory(gcs: Any, bucket: Container):
    # Directly, not through the counting proxy: it holds whole bodies in this process.
    bucket = gcs.driver.get_container(bucket.name)
    size = 96 * 1024 * 1024  # peaks measured here: up ~40 MiB (32 MiB chunks), down ~33 MiB
    tracemalloc.start()
    try:
        blob = bucket.upload_blob(_Zeros(size), blob_name="big.bin")
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink = _Sink()
        blob.download(sink)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == size
    assert upload_peak < 64 * 1024 * 1024, upload_peak
    assert download_peak < 64 * 1024 * 1024, download_peak


@pytest.mark.filterwarnings("ignore:Sending a large body directly:ResourceWarning")
def test_large_upload_from_a_file_streams_with_flat_memory(
    gcs: Any, bucket: Container, tmp_path: Path
):
    bucket = gcs.driver.get_container(bucket.name)  # directly: see above
    path = tmp_path / "big.bin"
    with path.open("wb") as out:
        for _ in range(12):
            out.write(os.urandom(8 * 1024 * 1024))
    tracemalloc.start()
    try:
        blob = bucket.upload_blob(str(path), blob_name="file.bin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blob.size == path.stat().st_size
    assert peak < 16 * 1024 * 1024, peak  # one streamed request: read 64 KiB at a time
    assert bucket.get_blob("file.bin").checksum == hashlib.md5(path.read_bytes()).hexdigest()


# -- signed download URLs -------------------------------------------------------------------


def test_signed_url_is_v4_and_carries_response_overrides(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"signed"), blob_name="dir/s.txt")
    url = blob.generate_download_url(
        expires=120,
        content_disposition='attachment; filename="s.txt"',
        extra={"content_type": "text/csv", "version": "123"},
    )
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == f"/{bucket.name}/dir/s.txt"
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
    assert query["X-Goog-Expires"] == ["120"]
    assert query["response-content-disposition"] == ['attachment; filename="s.txt"']
    assert query["response-content-type"] == ["text/csv"]
    assert query["generation"] == ["123"]
    assert query["X-Goog-Credential"][0].startswith("cloudstorage-test@")


def test_signed_url_round_trips_through_the_server(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"signed bytes"), blob_name="r.txt")
    response = requests.get(blob.generate_download_url(expires=60), timeout=10)
    assert response.status_code == 200
    assert response.content == b"signed bytes"


@pytest.mark.xfail(
    reason="fake-gcs-server ignores response-content-disposition/-type (GCS honours them)",
    strict=True,
)
def test_signed_url_response_overrides_reach_the_response(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"a,b\n"), blob_name="r.bin")
    url = blob.generate_download_url(
        expires=60, content_disposition="attachment", extra={"content_type": "text/csv"}
    )
    response = requests.get(url, timeout=10)
    assert response.headers["Content-Disposition"] == "attachment"
    assert response.headers["Content-Type"] == "text/csv"


def test_signed_url_by_generation_fetches_that_version(bucket: Container):
    bucket.upload_blob(io.BytesIO(b"v1"), blob_name="v.txt")
    generation = bucket.driver._blob_info(bucket.name, "v.txt")["generation"]
    blob = bucket.get_blob("v.txt")
    response = requests.get(
        blob.generate_download_url(expires=60, extra={"version": generation}), timeout=10
    )
    assert response.content == b"v1"


@pytest.mark.xfail(reason="fake-gcs-server checks no signatures", strict=True)
def test_tampered_signed_url_is_refused(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"x"), blob_name="t.txt")
    url = blob.generate_download_url(expires=60).replace("X-Goog-Signature=", "X-Goog-Signature=0")
    assert requests.get(url, timeout=10).status_code == 403


def test_signed_url_lifetime_is_at_most_seven_days(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"x"), blob_name="l.txt")
    with pytest.raises(CloudStorageError):
        blob.generate_download_url(expires=7 * 24 * 3600 + 1)


# -- V4 POST policies -----------------------------------------------------------------------


def _policy(form: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(form["fields"]["policy"]))
    return decoded


def test_post_policy_creates_the_blob_with_its_settings(bucket: Container):
    form = bucket.generate_upload_url(
        "up/avatar.png",
        expires=120,
        meta_data={"owner-id": "7"},
        content_disposition="inline",
        cache_control="max-age=60",
        content_length=(1, 1024),
        extra={"success_action_status": "201"},
    )
    assert form["url"] == f"{bucket.driver.public_endpoint}/{bucket.name}"  # no trailing slash
    response = requests.post(
        form["url"], data=form["fields"], files={"file": ("avatar.png", b"png bytes")}, timeout=10
    )
    assert response.status_code in (200, 201, 204), response.text
    blob = bucket.get_blob("up/avatar.png")
    assert blob.size == len(b"png bytes")
    assert blob.meta_data == {"owner-id": "7"}
    assert blob.content_disposition == "inline"
    assert blob.cache_control == "max-age=60"


def test_post_policy_conditions_match_the_fields(bucket: Container):
    form = bucket.generate_upload_url(
        "a.png",
        acl="public-read",
        meta_data={"owner-id": "1"},
        content_type="image/png",
        content_disposition="inline",
        cache_control="no-cache",
        content_length=(10, 20),
        extra={"success_action_redirect": "https://example.com/done"},
    )
    fields = form["fields"]
    conditions = _policy(form)["conditions"]
    assert ["content-length-range", 10, 20] in conditions
    for name in (
        "acl",
        "x-goog-meta-owner-id",
        "Content-Type",
        "Content-Disposition",
        "Cache-Control",
        "success_action_redirect",
    ):
        assert {name: fields[name]} in conditions
    assert fields["acl"] == "public-read"  # the XML API takes the canned names as they are
    assert {"bucket": bucket.name} in conditions
    assert {"key": "a.png"} in conditions


def test_post_policy_is_signed_with_the_service_account_key(bucket: Container):
    driver = bucket.driver
    form = bucket.generate_upload_url("k.txt")
    info = json.loads(Path(driver.key).read_text())
    private = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
    private.public_key().verify(  # type: ignore[union-attr]
        bytes.fromhex(form["fields"]["x-goog-signature"]),
        form["fields"]["policy"].encode(),
        padding.PKCS1v15(),  # type: ignore[arg-type]
        hashes.SHA256(),  # type: ignore[arg-type]
    )


@pytest.mark.xfail(reason="fake-gcs-server enforces no POST policy conditions", strict=True)
def test_post_policy_refuses_a_file_outside_the_size_range(bucket: Container):
    form = bucket.generate_upload_url("big.bin", content_length=(1, 4))
    response = requests.post(
        form["url"], data=form["fields"], files={"file": ("big.bin", b"too large")}, timeout=10
    )
    assert response.status_code >= 400


# -- credentials ----------------------------------------------------------------------------


def test_missing_credentials_file_raises(tmp_path: Path):
    with pytest.raises(CredentialsError, match="does not exist"):
        GoogleStorageDriver(key=str(tmp_path / "nope.json"))


@pytest.mark.parametrize(
    "content", ["not json", "{}", json.dumps({"type": "service_account", "private_key": "x"})]
)
def test_invalid_credentials_file_raises(tmp_path: Path, content: str):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CredentialsError):
        GoogleStorageDriver(key=str(path))


def test_no_key_and_no_environment_raises(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(CredentialsError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        GoogleStorageDriver()


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, gcs: Any):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", gcs.driver.key)
    driver = GoogleStorageDriver(endpoint_url=gcs.driver.endpoint_url)
    assert driver.key == gcs.driver.key
    assert driver.project == "test-project"  # from the key file


def test_validate_credentials_fetches_a_token_and_lists(
    counted: GoogleStorageDriver, recorder: FaultProxy
):
    recorder.clear()
    counted.validate_credentials()  # a refused or missing key raises: the tests below
    assert [(m, p) for m, p, _ in taken(recorder)] == [("GET", "/storage/v1/b")]


def test_unreachable_token_endpoint_is_not_bad_credentials(tmp_path: Path, gcs: Any):
    """The key was never checked: a refused connection is a failure, not a refusal."""
    key = write_service_account(tmp_path / "sa.json", f"http://{LOCALHOST}:9/token")
    driver = GoogleStorageDriver(key=str(key), endpoint_url=gcs.driver.endpoint_url)
    with pytest.raises(CloudStorageError) as raised:
        driver.validate_credentials()
    assert not isinstance(raised.value, CredentialsError)


# -- ACLs, CDN, names, errors ---------------------------------------------------------------


def test_blob_acl_is_sent_as_a_predefined_acl(bucket: Container, recorder: FaultProxy):
    bucket.upload_blob(io.BytesIO(b"x"), blob_name="pub.txt", acl="public-read")
    sent = taken(recorder)
    assert [(m, q.get("predefinedAcl")) for m, _, q in sent] == [("POST", ["publicRead"])]
    acl = bucket.driver.fs.call("GET", "b/{}/o/{}/acl", bucket.name, "pub.txt", json_out=True)
    assert {"entity": "allUsers", "role": "READER"}.items() <= acl["items"][0].items()


def test_container_acl_defaults_to_project_private(counted: GoogleStorageDriver, recorder):
    recorder.clear()
    name = unique_name("acl")
    counted.create_container(name)
    public = unique_name("acl")
    counted.create_container(public, acl="public-read")
    sent = [q.get("predefinedAcl") for m, p, q in taken(recorder) if m == "POST"]
    assert sent == [["projectPrivate"], ["publicRead"]]
    counted.get_container(name).delete()
    counted.get_container(public).delete()


@pytest.mark.parametrize("acl", ["aws-exec-read", "public-read-write", "bucket-owner-read"])
def test_acls_gcs_lacks_are_refused(bucket: Container, acl: str):
    if acl == "bucket-owner-read":  # an object ACL only
        with pytest.raises(CloudStorageError):
            bucket.driver.create_container(unique_name(), acl=acl)
        return
    with pytest.raises(CloudStorageError):
        bucket.upload_blob(io.BytesIO(b"x"), blob_name="a.txt", acl=acl)


def test_enable_cdn_makes_the_container_public(bucket: Container, recorder: FaultProxy):
    assert bucket.enable_cdn() is True
    (sent,) = taken(recorder)
    assert sent[:2] == ("PATCH", f"/storage/v1/b/{bucket.name}")
    assert sent[2]["predefinedAcl"] == ["publicRead"]
    assert sent[2]["predefinedDefaultObjectAcl"] == ["publicRead"]
    assert bucket.disable_cdn() is True
    assert taken(recorder)[0][2]["predefinedAcl"] == ["projectPrivate"]


def test_cdn_urls(bucket: Container):
    blob = bucket.upload_blob(io.BytesIO(b"x"), blob_name="a b/c.txt")
    assert bucket.cdn_url == f"{bucket.driver.public_endpoint}/{bucket.name}"
    assert blob.cdn_url == f"{bucket.driver.public_endpoint}/{bucket.name}/a%20b/c.txt"
    assert requests.get(blob.cdn_url, timeout=10).content == b"x"


@pytest.mark.parametrize(
    "name",
    ["ab", "A-bucket", "-dash", "dash-", "under score", "192.168.1.1", "goog-x", "my-google-b",
     "a" * 64, "a..b"],
)  # fmt: skip
def test_invalid_bucket_names_are_refused_before_any_request(
    counted: GoogleStorageDriver, recorder: FaultProxy, name: str
):
    recorder.clear()
    with pytest.raises(CloudStorageError):
        counted.create_container(name)
    assert taken(recorder) == []


@pytest.mark.parametrize("name", ["a\rb", ".", "..", ".well-known/acme-challenge/x", "é" * 513])
def test_invalid_blob_names_are_refused(bucket: Container, name: str):
    with pytest.raises(CloudStorageError):
        bucket.upload_blob(io.BytesIO(b"x"), blob_name=name)


def test_conflict_on_bucket_delete_means_not_empty(gcs: Any):
    """GCS answers 409 for a non-empty bucket (fake-gcs-server answers 412)."""
    from gcsfs.retry import HttpError  # noqa: PLC0415

    exc = HttpError({"code": 409, "message": "The bucket you tried to delete is not empty."})
    translated = gcs.driver._translate_error(exc, "container 'b'")
    assert isinstance(translated, IsNotEmptyError)


def test_patch_drops_removed_metadata_keys_with_null(bucket: Container, recorder: FaultProxy):
    bucket.upload_blob(io.BytesIO(b"x"), blob_name="p.txt", meta_data={"a": "1", "b": "2"})
    blob = bucket.get_blob("p.txt")
    blob.meta_data = {"a": "3"}
    recorder.clear()
    blob.patch()
    sent = taken(recorder)
    assert [m for m, _, _ in sent] == ["PATCH", "PATCH"]


# -- the fsspec side ------------------------------------------------------------------------


def test_storage_options_are_plain_data_and_pickle(gcs: Any):
    options = gcs.driver.storage_options
    assert json.loads(json.dumps(options)) == options
    assert options["use_listings_cache"] is False
    assert options["endpoint_url"] == gcs.driver.endpoint_url
    created = gcs.driver.create_container(unique_name("pickled"))
    try:
        listed = pickle.loads(pickle.dumps(gcs.driver.fs)).ls("", detail=False)
        assert created.name in [name.rstrip("/") for name in listed]
    finally:
        created.delete()


def test_experimental_hns_filesystem_is_off():
    import gcsfs  # noqa: PLC0415

    assert os.environ[HNS_ENV] == "false"
    assert gcsfs.GCSFileSystem is gcsfs.core.GCSFileSystem


def test_client_shares_credentials_and_endpoint(gcs: Any):
    client = gcs.driver.client
    assert client is gcs.driver.client
    assert client._credentials is gcs.driver.credentials
    assert client.api_endpoint == gcs.driver.endpoint_url


def test_registry_finds_the_driver():
    assert get_driver_by_name("GOOGLESTORAGE") is GoogleStorageDriver


def test_token_endpoint_helper_serves_tokens():
    with token_endpoint() as url:
        assert requests.post(url, timeout=5).json()["token_type"] == "Bearer"
