"""Azure on Azurite: SAS URLs, public access, PUT uploads, metadata keys, requests per op."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tracemalloc
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.core.pipeline.transport import AioHttpTransport, RequestsTransport

from cloudstorage import Container
from cloudstorage.drivers.microsoft import AzureStorageDriver
from cloudstorage.drivers.microsoft._keys import decode_metadata, encode_metadata
from cloudstorage.exceptions import (
    CloudStorageError,
    CredentialsError,
    IsNotEmptyError,
    NotFoundError,
)
from tests.conftest import RIG_NAMES, unique_name
from tests.servers.fault_proxy import FaultProxy, start_fault_proxy

pytestmark = [
    pytest.mark.skipif(
        "azure" not in RIG_NAMES, reason="CLOUDSTORAGE_TEST_DRIVERS leaves out azure"
    ),
    pytest.mark.parametrize("rig", ["azure"], indirect=True),  # the session's Azurite rig
]

C_SHARP_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, str]]:
    """Every HTTP request the SDK sends (sync client and adlfs's async one), as (method, url)."""
    log: list[tuple[str, str]] = []
    sync_send, async_send = RequestsTransport.send, AioHttpTransport.send

    def send(self, request, **kwargs):
        log.append((request.method, request.url))
        return sync_send(self, request, **kwargs)

    async def asend(self, request, **kwargs):
        log.append((request.method, request.url))
        return await async_send(self, request, **kwargs)

    monkeypatch.setattr(RequestsTransport, "send", send)
    monkeypatch.setattr(AioHttpTransport, "send", asend)
    return log


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- SAS download URLs ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dir/r.bin", "dir/r é+%.bin"])
def test_sas_url_applies_disposition_and_content_type_overrides(container: Container, http, name):
    blob = container.upload_blob(io.BytesIO(b"report"), blob_name=name)
    url = blob.generate_download_url(
        expires=120,
        content_disposition='attachment; filename="report.txt"',
        extra={"content_type": "text/plain"},
    )
    response = http.get(url)
    assert response.status_code == 200
    assert response.content == b"report"
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.txt"'
    assert response.headers["Content-Type"] == "text/plain"


def test_widened_sas_url_is_rejected(container: Container, http):
    """A forged signature: tests/conformance/test_signing.py. Widening the permission or the
    lifetime breaks the signature too."""
    blob = container.upload_blob(io.BytesIO(b"secret"), blob_name="s.txt")
    url = blob.generate_download_url(expires=120)
    assert http.get(with_query(url, sp="rwd")).status_code == 403
    assert http.get(with_query(url, se="2099-01-01T00:00:00Z")).status_code == 403


def test_read_sas_cannot_write_and_write_sas_cannot_read(container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"original"), blob_name="s.txt")
    read_url = blob.generate_download_url(expires=120)
    put = http.put(read_url, data=b"overwritten", headers={"x-ms-blob-type": "BlockBlob"})
    assert put.status_code == 403
    write_url = container.generate_upload_url("s.txt", expires=120)["url"]
    assert http.get(write_url).status_code == 403
    out = io.BytesIO()
    container.get_blob("s.txt").download(out)
    assert out.getvalue() == b"original"


def test_sas_url_of_one_blob_does_not_open_another(container: Container, http):
    container.upload_blob(io.BytesIO(b"mine"), blob_name="mine.txt")
    container.upload_blob(io.BytesIO(b"theirs"), blob_name="theirs.txt")
    url = container.get_blob("mine.txt").generate_download_url(expires=120)
    assert http.get(url).status_code == 200
    assert http.get(url.replace("/mine.txt?", "/theirs.txt?")).status_code == 403


def test_download_url_method_sets_the_permission(container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="d.txt")
    assert http.delete(blob.generate_download_url(expires=120)).status_code == 403
    assert http.delete(blob.generate_download_url(expires=120, method="DELETE")).status_code == 202
    assert "d.txt" not in container
    with pytest.raises(CloudStorageError, match="method"):
        blob.generate_download_url(method="PATCH")


# -- public access levels --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acl", "blob_readable", "listable"),
    [
        ("private", False, False),
        ("blob-public-access", True, False),
        ("container-public-access", True, True),
    ],
)
def test_public_access_level_is_enforced_for_anonymous_reads(
    driver, http, acl, blob_readable, listable
):
    container = driver.create_container(unique_name(), acl=acl)
    try:
        blob = container.upload_blob(io.BytesIO(b"public?"), blob_name="p.txt")
        assert driver.get_container(container.name).acl == acl
        read = http.get(blob.cdn_url)
        assert (read.status_code == 200) is blob_readable
        if blob_readable:
            assert read.content == b"public?"
        listing = http.get(f"{container.cdn_url}?restype=container&comp=list")
        assert (listing.status_code == 200) is listable
    finally:
        container.get_blob("p.txt").delete()
        container.delete()


def test_patch_container_changes_access_level_and_metadata(driver, container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="x.txt")
    assert container.acl is None
    assert http.get(blob.cdn_url).status_code != 200
    container.acl = "blob-public-access"
    container.meta_data = {"team-name": "data"}
    container.patch()
    fetched = driver.get_container(container.name)
    assert fetched.acl == "blob-public-access"
    assert fetched.meta_data == {"team-name": "data"}
    assert http.get(blob.cdn_url).status_code == 200
    fetched.acl = "private"
    fetched.patch()
    assert http.get(blob.cdn_url).status_code != 200


def test_unknown_acls_are_refused(driver, container: Container):
    with pytest.raises(CloudStorageError, match="ACL"):
        driver.create_container(unique_name(), acl="public-read")


def test_blob_acls_are_logged_and_dropped_as_in_010(container: Container, caplog):
    caplog.set_level("INFO", logger="cloudstorage.drivers.microsoft")
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="x.txt", acl="public-read")
    assert blob.acl is None
    assert "Option 'acl' is not supported." in caplog.messages


# -- upload URLs -----------------------------------------------------------------------------


def test_upload_url_is_a_write_only_put_with_exact_headers(container: Container, http):
    form = container.generate_upload_url(
        "avatars/me.png",
        expires=120,
        meta_data={"owner-id": "1", "city": "Zürich"},
        content_type="image/png",
        content_disposition='attachment; filename="me.png"',
        cache_control="max-age=60",
        content_length=(1, 1024),
    )
    assert form["method"] == "PUT"
    assert form["fields"] == {}
    assert form["headers"]["x-ms-blob-type"] == "BlockBlob"
    assert form["headers"]["x-ms-meta-owner__id"] == "1"
    assert dict(parse_qsl(urlsplit(form["url"]).query))["sp"] == "cw"
    response = http.put(form["url"], data=b"\x89PNG...", headers=form["headers"])
    assert response.status_code == 201, response.text
    blob = container.get_blob("avatars/me.png")
    assert blob.meta_data == {"owner-id": "1", "city": "Zürich"}
    assert blob.content_type == "image/png"
    assert blob.content_disposition == 'attachment; filename="me.png"'
    assert blob.cache_control == "max-age=60"
    assert blob.checksum == hashlib.md5(b"\x89PNG...").hexdigest()


def test_upload_url_is_for_its_blob_only(container: Container, http):
    form = container.generate_upload_url("mine.txt", expires=120)
    other = form["url"].replace("/mine.txt?", "/other.txt?")
    assert http.put(other, data=b"x", headers=form["headers"]).status_code == 403
    assert "other.txt" not in container


def test_upload_url_refuses_what_a_put_cannot_carry(container: Container):
    with pytest.raises(CloudStorageError, match="5000 MiB"):
        container.generate_upload_url("big.bin", content_length=(6 * 1024**3, 7 * 1024**3))
    with pytest.raises(CloudStorageError, match="metadata key"):
        container.generate_upload_url("a.txt", meta_data={"owner.id": "1"})


# -- metadata keys and values ----------------------------------------------------------------

ROUND_TRIP_KEYS = {
    "owner-id": "1",
    "owner_email": "a@b.c",
    "x-amz-like-key": "2",
    "-leading": "3",
    "trailing-": "4",
    "CamelCase": "5",
}


def test_dashed_keys_round_trip_as_c_sharp_identifiers(driver, container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="m.txt", meta_data=ROUND_TRIP_KEYS)
    assert container.get_blob("m.txt").meta_data == ROUND_TRIP_KEYS
    assert next(iter(container)).meta_data == ROUND_TRIP_KEYS
    stored = driver.service.get_blob_client(container.name, "m.txt").get_blob_properties()
    assert stored.metadata["owner__id"] == "1"
    assert all(C_SHARP_IDENTIFIER.fullmatch(name) for name in stored.metadata)


@pytest.mark.parametrize(
    "value", ["Zürich", "  padded  ", "=?utf-8?b?Wg==?=", "tab\tinside", "", "日本"]
)
def test_values_azure_headers_cannot_carry_round_trip(container: Container, driver, value):
    container.upload_blob(io.BytesIO(b"x"), blob_name="v.txt", meta_data={"v": value})
    assert container.get_blob("v.txt").meta_data == {"v": value}
    stored = driver.service.get_blob_client(container.name, "v.txt").get_blob_properties()
    assert stored.metadata["v"].isascii()


@pytest.mark.parametrize(
    "meta",
    [
        {"owner.id": "1"},
        {"1st": "1"},
        {"a__b": "1"},
        {"a_-b": "1"},
        {"ключ": "1"},
        {"is_directory": "true"},
        {"Owner-Id": "1", "owner-id": "2"},
        {"big": "x" * 9000},
    ],
    ids=["dot", "digit", "double-underscore", "ambiguous", "non-ascii", "adlfs", "case", "size"],
)
def test_unrepresentable_metadata_is_refused_before_any_request(container: Container, sent, meta):
    with pytest.raises(CloudStorageError):
        container.upload_blob(io.BytesIO(b"x"), blob_name="m.txt", meta_data=meta)
    assert sent == []


def test_service_itself_refuses_dashed_metadata_names(driver, container: Container):
    """Why the driver encodes dashed keys (Azurite checks names as Azure does)."""
    client = driver.service.get_blob_client(container.name, "raw.txt")
    with pytest.raises(HttpResponseError):
        client.upload_blob(b"x", metadata={"owner-id": "1"})


def test_key_encoding_is_reversible_and_ignores_adlfs_markers(driver):
    meta = {"a-b": "1", "a--b": "2", "a_b": "3", "-": "4"}
    encoded = encode_metadata(meta)
    assert encoded == {"a__b": "1", "a____b": "2", "a_b": "3", "__": "4"}
    assert decode_metadata({**encoded, "is_directory": "false"}) == meta


def test_fsspec_written_blob_has_no_adlfs_marker_in_metadata(driver, container: Container):
    driver.fs.pipe(f"{container.name}/piped.txt", b"x")  # adlfs adds is_directory=false
    assert container.get_blob("piped.txt").meta_data == {}


# -- checksums ------------------------------------------------------------------------------


def test_blob_without_content_md5_warns_and_has_no_checksum(driver, container: Container, caplog):
    with driver.fs.open(f"{container.name}/blocks.bin", "wb") as file:  # staged + committed
        file.write(b"no md5 here")
    with caplog.at_level(logging.WARNING, logger="cloudstorage"):
        blob = container.get_blob("blocks.bin")
        assert blob.checksum is None
    assert any("Content-MD5" in record.getMessage() for record in caplog.records)


def test_large_transfers_stream_in_chunks_and_keep_the_md5(container: Container, sent, tmp_path):
    size = 20 * 1024 * 1024 + 3
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    tracemalloc.start()
    try:
        blob = container.upload_blob(io.BytesIO(data), blob_name="big.bin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 8 * 1024 * 1024  # the three blocks in flight, never a copy of the blob
    assert [method for method, _ in sent] == ["PUT"] * 4  # three blocks, one commit
    assert blob.size == size
    fetched = container.get_blob("big.bin")
    assert fetched.checksum == hashlib.md5(data).hexdigest()
    sent.clear()
    tracemalloc.start()
    try:
        fetched.download(str(tmp_path / "big.bin"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Flat, but azure-core and requests copy each 8 MiB range several times (81 MiB peak for
    # 20 and 48 MiB blobs alike: benchmarks/azure_requests.py).
    assert peak < 12 * 8 * 1024 * 1024
    assert len(sent) == 3  # 8 MiB ranges
    assert (tmp_path / "big.bin").read_bytes() == data


def test_local_file_goes_as_one_block_streamed_from_disk(container: Container, sent, tmp_path):
    size = 20 * 1024 * 1024 + 3
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    (tmp_path / "big.bin").write_bytes(data)
    tracemalloc.start()
    try:
        blob = container.upload_blob(str(tmp_path / "big.bin"), blob_name="big.bin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # a 1 MiB hashing buffer and the body's small reads
    assert [method for method, _ in sent] == ["PUT", "PUT"]  # one block, one commit
    assert blob.size == size
    fetched = container.get_blob("big.bin")
    assert fetched.checksum == hashlib.md5(data).hexdigest()
    out = io.BytesIO()
    fetched.download(out)
    assert out.getvalue() == data


@pytest.mark.parametrize("data", [b"", b"small", b"x" * (8 * 1024 * 1024)], ids=len)
def test_small_local_file_is_one_put_blob(container: Container, sent, tmp_path, data):
    (tmp_path / "s.bin").write_bytes(data)
    container.upload_blob(str(tmp_path / "s.bin"), blob_name="s.bin")
    assert len(sent) == 1, sent
    out = io.BytesIO()
    container.get_blob("s.bin").download(out)
    assert out.getvalue() == data


def test_open_file_uploads_from_its_position(container: Container, tmp_path):
    data = bytes(range(256)) * (9 * 4096 + 1)  # > 8 MiB: the one-block path
    (tmp_path / "f.bin").write_bytes(data)
    with open(tmp_path / "f.bin", "rb") as stream:
        stream.seek(1000)
        blob = container.upload_blob(stream, blob_name="f.bin")
    assert blob.size == len(data) - 1000
    out = io.BytesIO()
    container.get_blob("f.bin").download(out)
    assert out.getvalue() == data[1000:]


@pytest.fixture
def proxied(driver, container: Container) -> Iterator[tuple[FaultProxy, Container]]:
    """A fault proxy in front of the rig's Azurite, and ``container`` as seen through it."""
    parts = urlsplit(driver.endpoint_url)
    with start_fault_proxy(f"{parts.scheme}://{parts.netloc}") as proxy:
        through = AzureStorageDriver(
            driver.account_name,
            driver.key,
            endpoint_url=proxy.url + parts.path,
            initial_backoff=0.2,
            increment_base=1,
            retry_total=3,
            random_jitter_range=0,
        )
        seen_through = through.get_container(container.name)
        proxy.clear()
        yield proxy, seen_through


def test_corrupted_file_block_is_refused_and_leaves_nothing(proxied, container, tmp_path):
    proxy, through = proxied
    (tmp_path / "c.bin").write_bytes(os.urandom(9 * 2**20))
    proxy.corrupt_request("PUT", rf"/{container.name}/c\.bin", times=100)
    with pytest.raises(CloudStorageError, match="Md5Mismatch"):
        through.upload_blob(str(tmp_path / "c.bin"), blob_name="c.bin")
    assert proxy.count("corrupt_request") == 1  # refused, not retried
    assert list(container) == []


def test_dropped_file_block_is_resent_from_its_start(proxied, container, tmp_path):
    proxy, through = proxied
    data = os.urandom(9 * 2**20)
    (tmp_path / "r.bin").write_bytes(data)
    proxy.drop_request("PUT", rf"/{container.name}/r\.bin\?.*comp=block&", times=1)
    through.upload_blob(str(tmp_path / "r.bin"), blob_name="r.bin")
    assert proxy.count("drop_request") == 1
    out = io.BytesIO()
    container.get_blob("r.bin").download(out)  # checked against the committed Content-MD5
    assert out.getvalue() == data


def test_failed_commit_of_a_file_keeps_the_old_blob(proxied, container, tmp_path):
    proxy, through = proxied
    container.upload_blob(io.BytesIO(b"precious"), blob_name="o.bin")
    (tmp_path / "o.bin").write_bytes(os.urandom(9 * 2**20))
    proxy.drop_request("PUT", rf"/{container.name}/o\.bin\?.*comp=blocklist", times=100)
    with pytest.raises(CloudStorageError):
        through.upload_blob(str(tmp_path / "o.bin"), blob_name="o.bin")
    out = io.BytesIO()
    container.get_blob("o.bin").download(out)
    assert out.getvalue() == b"precious"


def test_stream_blocks_after_a_refused_first_one_are_never_sent(proxied, container):
    proxy, through = proxied
    proxy.corrupt_request("PUT", rf"/{container.name}/s\.bin", times=100)
    with pytest.raises(CloudStorageError, match="Md5Mismatch"):
        through.upload_blob(io.BytesIO(os.urandom(40 * 2**20)), blob_name="s.bin")
    assert proxy.count("any") == 1  # the first block goes alone; the other four never leave
    assert list(container) == []


# -- requests per operation ------------------------------------------------------------------


# -- names, credentials, containers ----------------------------------------------------------


@pytest.mark.parametrize("name", ["ab", "Upper", "a--b", "-ab", "ab-", "a_b", "a" * 64, "a.b"])
def test_invalid_container_names_are_refused_before_any_request(driver, sent, name):
    with pytest.raises(CloudStorageError, match="container name"):
        driver.create_container(name)
    assert sent == []


@pytest.mark.parametrize("name", ["dir/", "/abs", "a//b", "dot.", "x" * 1025])
def test_invalid_blob_names_are_refused(container: Container, sent, name):
    sent.clear()
    with pytest.raises(CloudStorageError, match="blob name"):
        container.upload_blob(io.BytesIO(b"x"), blob_name=name)
    assert sent == []


def test_wrong_key_raises_credentials_error(driver):
    wrong = AzureStorageDriver(
        driver.account_name, "d3Jvbmcga2V5IG9mIDY0IGJ5dGVz" * 3, endpoint_url=driver.endpoint_url
    )
    with pytest.raises(CredentialsError):
        wrong.validate_credentials()
    with pytest.raises(CredentialsError):
        wrong.create_container(unique_name())


def sdk_error(kind, code=None):
    """An SDK exception as the storage SDK raises it (it sets ``error_code`` afterwards)."""
    error = kind("refused by the service")
    error.error_code = code
    return error


@pytest.mark.parametrize(
    ("error", "kind", "expected"),
    [
        (sdk_error(ResourceExistsError, "ContainerBeingDeleted"), CloudStorageError, "deleted"),
        (sdk_error(ResourceExistsError, "ContainerAlreadyExists"), FileExistsError, "exists"),
        (sdk_error(HttpResponseError, "AuthorizationPermissionMismatch"), CredentialsError, ""),
        (sdk_error(ClientAuthenticationError), CredentialsError, "refused"),
        (sdk_error(ResourceNotFoundError, "BlobNotFound"), NotFoundError, "BlobNotFound"),
        (sdk_error(HttpResponseError, "InvalidMetadata"), CloudStorageError, "InvalidMetadata"),
    ],
)
def test_azure_errors_translate_at_one_point(driver, error, kind, expected):
    translated = driver._translate_error(error, "blob 'b' in container 'c'")
    assert isinstance(translated, kind)
    assert isinstance(translated, CloudStorageError)
    assert expected in translated.message
    assert "blob 'b' in container 'c'" in translated.message


def test_adlfs_wrapped_sdk_errors_are_unwrapped(driver):
    wrapped = ValueError("adlfs could not do it")
    wrapped.__cause__ = sdk_error(ResourceNotFoundError, "ContainerNotFound")
    assert isinstance(driver._translate_error(wrapped, "container 'c'"), NotFoundError)


def test_delete_container_refuses_non_empty_and_missing(driver, container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="keep.txt")
    with pytest.raises(IsNotEmptyError):
        driver.delete_container(container)
    assert "keep.txt" in container
    with pytest.raises(NotFoundError):
        driver.delete_container(Container(unique_name("gone"), driver))


def test_storage_options_name_the_endpoint_and_survive_json(driver):
    options = driver.storage_options
    assert driver.endpoint_url in options["connection_string"]
    assert driver.service is driver.service  # built once
    assert driver.service.url.startswith(driver.endpoint_url)
    real = AzureStorageDriver("acct", "a2V5")
    assert real.storage_options == {
        "account_name": "acct",
        "account_key": "a2V5",
        "connection_timeout": 60.0,
        "read_timeout": 60.0,
    }
    assert real.service.url.startswith("https://acct.blob.core.windows.net")


def test_patch_blob_keeps_content_md5(container: Container):
    container.upload_blob(io.BytesIO(b"md5 me"), blob_name="p.txt")
    blob = container.get_blob("p.txt")
    blob.meta_data = {"owner-id": "2"}
    blob.content_type = "text/x-patched"
    blob.patch()
    fetched = container.get_blob("p.txt")
    assert fetched.checksum == hashlib.md5(b"md5 me").hexdigest()
    assert fetched.meta_data == {"owner-id": "2"}
    assert fetched.content_type == "text/x-patched"


def test_blob_lookup_goes_through_service_with_adlfs_info_shape(driver, container: Container, sent):
    container.upload_blob(io.BytesIO(b"look me up"), blob_name="dir/l.txt", meta_data={"k": "v"})
    sent.clear()
    info = driver._blob_info(container.name, "dir/l.txt")
    # one Get Blob Properties on the driver's own client (its retry options), not adlfs's
    assert [method for method, _ in sent] == ["HEAD"]
    driver.fs.invalidate_cache()
    adlfs_info = driver.fs.info(f"{container.name}/dir/l.txt")
    assert set(info) == set(adlfs_info)
    for key in ("name", "size", "type", "etag", "metadata", "last_modified", "creation_time"):
        assert info[key] == adlfs_info[key], key
    assert info["content_settings"] == adlfs_info["content_settings"]
    with pytest.raises(NotFoundError):
        driver._blob_info(container.name, "dir")  # a folder is no blob
    with pytest.raises(NotFoundError):
        driver._blob_info(container.name, "missing.txt")


def test_listing_reads_what_adlfs_reads_of_each_blob(driver, container: Container, sent):
    container.upload_blob(
        io.BytesIO(b"listed"), blob_name="dir/l.txt", meta_data={"owner-id": "7"},
        content_disposition="attachment", cache_control="no-cache",
    )  # fmt: skip
    driver.service.get_blob_client(container.name, "dir/folder").upload_blob(
        b"", metadata={"hdi_isfolder": "true"}
    )  # a folder marker, as adlfs and the portal write one
    sent.clear()
    listed = {info["name"]: info for info in driver._list_infos(container.name, "dir/")}
    assert [method for method, _ in sent] == ["GET"]  # one List Blobs page
    driver.fs.invalidate_cache()
    adlfs_info = driver.fs.info(f"{container.name}/dir/l.txt")
    info = listed[f"{container.name}/dir/l.txt"]
    for key in ("size", "type", "etag", "metadata", "last_modified", "creation_time"):
        assert info[key] == adlfs_info[key], key
    assert info["content_settings"] == dict(adlfs_info["content_settings"])
    assert listed[f"{container.name}/dir/folder"]["type"] == "directory"
    assert [blob.name for blob in container.list_blobs("dir/")] == ["dir/l.txt"]


def test_metadata_named_like_listing_elements_stays_metadata(container: Container):
    # List Blobs carries metadata as elements named by their keys, inside each <Blob>
    meta = {"Blob": "v", "NextMarker": "m", "Name": "n"}
    container.upload_blob(io.BytesIO(b"a"), blob_name="a.txt", meta_data=meta)
    container.upload_blob(io.BytesIO(b"b"), blob_name="b.txt")
    listed = list(container)
    assert [blob.name for blob in listed] == ["a.txt", "b.txt"]
    assert listed[0].meta_data == meta


def test_a_listing_answer_that_does_not_parse_raises(proxied):
    proxy, container = proxied
    proxy.fail(
        "GET", r"comp=list", 1, status=200,
        headers={"Content-Type": "application/xml"}, body=b"<EnumerationResults><Blobs><Blob>",
    )  # fmt: skip
    with pytest.raises(CloudStorageError, match="does not parse"):
        list(container)
