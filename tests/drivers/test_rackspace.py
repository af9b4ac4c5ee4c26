"""Swift and Cloud Files on a real Swift: TempURL, FormPost, account keys, CDN, Rackspace login,
metadata POSTs, large objects and requests per operation.

Swift checks TempURL and FormPost signatures for real, so tampered, expired and wrong-key
URLs and forms are rejected by the server itself. Keystone v3 is not tested: no Keystone
is started here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import fsspec
import pytest
import requests

from cloudstorage import Container
from cloudstorage.drivers.rackspace import CloudFilesDriver, SwiftDriver
from cloudstorage.exceptions import CloudStorageError, CredentialsError, NotFoundError
from tests.conftest import RIG_NAMES, unique_name
from tests.rigs.swift import (
    cloudfiles_driver,
    start_identity,
    tempauth_login,
)
from tests.servers.fault_proxy import start_fault_proxy
from tests.streams import FailingStream, OneWayStream

pytestmark = [
    pytest.mark.skipif(
        not {"swift", "cloudfiles"} & set(RIG_NAMES),
        reason="CLOUDSTORAGE_TEST_DRIVERS leaves out swift and cloudfiles",
    ),
    pytest.mark.parametrize(
        "rig", [name for name in ("swift", "cloudfiles") if name in RIG_NAMES], indirect=True
    ),
]

MIB = 2**20
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(rig, swift_server):
    """The session's Swift (the rig parameter only makes these tests run with the rigs)."""
    return swift_server


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, str]]:
    """Every HTTP request sent through requests (keystoneauth's transport), as (method, url)."""
    log: list[tuple[str, str]] = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        log.append((request.method, request.url))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return log


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- TempURL downloads ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dir/r.bin", "dir/r é+%.bin"])
def test_temp_url_is_sha256_and_fetches_the_bytes(container: Container, http, name):
    blob = container.upload_blob(io.BytesIO(b"report"), blob_name=name)
    url = blob.generate_download_url(expires=120)
    assert len(dict(parse_qsl(urlsplit(url).query))["temp_url_sig"]) == 64  # SHA-256 in hex
    response = http.get(url)
    assert response.status_code == 200
    assert response.content == b"report"


def test_temp_url_sets_attachment_filename_or_inline(container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"report"), blob_name="dir/r.bin")
    named = http.get(blob.generate_download_url(content_disposition='attachment; filename="x.txt"'))
    assert named.headers["Content-Disposition"].startswith('attachment; filename="x.txt"')
    plain = http.get(blob.generate_download_url(content_disposition="attachment"))
    assert plain.headers["Content-Disposition"].startswith('attachment; filename="r.bin"')
    inline = http.get(blob.generate_download_url(content_disposition="inline"))
    assert inline.headers["Content-Disposition"] == "inline"


def test_tampered_temp_url_is_rejected(container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"secret"), blob_name="s.txt")
    url = blob.generate_download_url(expires=120)  # a forged signature: conformance
    later = str(int(time.time()) + 7200)  # a longer lifetime breaks the signature too
    assert http.get(with_query(url, temp_url_expires=later)).status_code == 401
    assert http.put(url, data=b"overwritten").status_code == 401  # signed for GET only
    other = container.upload_blob(io.BytesIO(b"other"), blob_name="o.txt")
    assert http.get(url.replace("/s.txt?", f"/{other.name}?")).status_code == 401


def test_wrong_key_temp_url_is_rejected(driver, container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"secret"), blob_name="s.txt")
    forger = type(driver)(driver.key, driver.secret, **_login(driver), temp_url_key="not-it")
    ghost = forger.get_container(container.name).get_blob("s.txt")
    assert http.get(ghost.generate_download_url(expires=120)).status_code == 401
    assert http.get(blob.generate_download_url(expires=120)).status_code == 200


def test_sha1_digest_option_still_works(driver, container: Container, http):
    container.upload_blob(io.BytesIO(b"old"), blob_name="s.txt")
    sha1 = type(driver)(driver.key, driver.secret, **_login(driver), digest="sha1")
    url = sha1.get_container(container.name).get_blob("s.txt").generate_download_url()
    assert len(dict(parse_qsl(urlsplit(url).query))["temp_url_sig"]) == 40
    assert http.get(url).content == b"old"


def _login(driver) -> dict[str, str]:
    options = {"auth_url": driver.auth_url}
    if isinstance(driver, CloudFilesDriver):
        options["region"] = driver.region
    return options


# -- account keys ---------------------------------------------------------------------------


def test_get_and_set_account_temp_url_keys(driver):
    first, _ = driver.get_account_temp_url_keys()
    try:
        assert driver.set_account_temp_url_keys(temp_url_key_2="second") == (first, "second")
        assert driver.get_account_temp_url_keys() == (first, "second")
        assert driver.set_account_temp_url_keys(temp_url_key_2="") == (first, None)
    finally:
        driver.set_account_temp_url_keys(temp_url_key_2="")


def test_urls_signed_with_the_second_key_work(driver, container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"two"), blob_name="s.txt")
    driver.set_account_temp_url_keys(temp_url_key_2="rotating")
    try:
        second = type(driver)(driver.key, driver.secret, **_login(driver), temp_url_key="rotating")
        url = second.get_container(container.name).get_blob("s.txt").generate_download_url()
        assert http.get(url).content == b"two"
    finally:
        driver.set_account_temp_url_keys(temp_url_key_2="")
    assert http.get(url).status_code == 401  # the key is gone
    assert http.get(blob.generate_download_url()).status_code == 200


# -- FormPost uploads -----------------------------------------------------------------------


def _post(http, form, name="pic.png", data=b"\x89PNG form bytes", **kwargs):
    files = {"file": (name, data)}
    return http.post(form["url"], data=form["fields"], files=files, **kwargs)


def test_form_post_creates_the_blob(container: Container, http):
    form = container.generate_upload_url("avatars/", expires=120, content_type="image/png")
    assert len(form["fields"]["signature"]) == 64  # SHA-256 in hex
    response = _post(http, form)
    assert response.status_code == 201, response.text
    blob = container.get_blob("avatars/pic.png")
    assert blob.size == len(b"\x89PNG form bytes")
    assert blob.content_type == "image/png"


def test_form_post_with_star_uses_the_file_name(container: Container, http):
    assert _post(http, container.generate_upload_url("*")).status_code == 201
    assert [blob.name for blob in container] == ["pic.png"]


def test_form_post_enforces_the_size_limit(container: Container, http):
    form = container.generate_upload_url("big/", content_length=(0, 10))
    response = _post(http, form, data=b"x" * 100)
    assert response.status_code == 400
    assert b"max_file_size exceeded" in response.content
    assert list(container) == []


def test_form_post_redirects_with_the_status(container: Container, http):
    redirect = "http://127.0.0.1:9/done"
    form = container.generate_upload_url("r/", extra={"success_action_redirect": redirect})
    response = _post(http, form, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{redirect}?status=201")
    assert "r/pic.png" in container


def test_expired_form_is_rejected(container: Container, http):
    form = container.generate_upload_url("late/", expires=1)
    time.sleep(2.2)
    response = _post(http, form)
    assert response.status_code == 401
    assert list(container) == []


def test_tampered_form_is_rejected(container: Container, http):
    form = container.generate_upload_url("t/", content_length=(0, 10))
    bigger = {**form, "fields": {**form["fields"], "max_file_size": "1000000"}}
    assert _post(http, bigger).status_code == 401
    elsewhere = {**form, "url": form["url"].replace("/t/", "/u/")}
    assert _post(http, elsewhere).status_code == 401
    assert list(container) == []


def test_wrong_key_form_is_rejected(driver, container: Container, http):
    forger = type(driver)(driver.key, driver.secret, **_login(driver), temp_url_key="not-it")
    form = forger.get_container(container.name).generate_upload_url("w/")
    assert _post(http, form).status_code == 401
    assert list(container) == []


# -- CDN ------------------------------------------------------------------------------------


def test_cdn_is_a_public_container_on_plain_swift(container: Container, http):
    blob = container.upload_blob(io.BytesIO(b"public"), blob_name="p/x.txt")
    with pytest.raises(CloudStorageError, match="CDN is not enabled"):
        container.cdn_url  # noqa: B018
    assert http.get(f"{container.driver.storage_url}/{container.name}/p/x.txt").status_code == 401
    assert container.enable_cdn() is True
    assert http.get(blob.cdn_url).content == b"public"  # anonymous
    public_url = blob.cdn_url
    assert container.disable_cdn() is True
    assert http.get(public_url).status_code == 401


@pytest.fixture
def rackspace_cdn(server) -> Iterator[tuple[CloudFilesDriver, list[tuple[str, str, str]]]]:
    """A Cloud Files driver whose catalog lists a CDN service (ours: it records requests)."""
    calls: list[tuple[str, str, str]] = []
    enabled: dict[str, bool] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            calls.append(("PUT", self.path, self.headers.get("X-Auth-Token", "")))
            enabled[self.path] = self.headers.get("X-CDN-Enabled") == "True"
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self) -> None:
            calls.append(("HEAD", self.path, self.headers.get("X-Auth-Token", "")))
            self.send_response(204 if self.path in enabled else 404)
            if enabled.get(self.path):
                self.send_header("X-Cdn-Ssl-Uri", f"https://cdn.example{self.path}")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    cdn_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1/{server.account}"
    service = {"name": "cloudFilesCDN", "type": "rax:object-cdn",
               "endpoints": [{"region": "IAD", "publicURL": cdn_url}]}  # fmt: skip
    identity = start_identity(server, extra_services=[service])
    try:
        yield CloudFilesDriver(server.user, server.key, auth_url=identity.url), calls
    finally:
        identity.stop()
        httpd.shutdown()
        httpd.server_close()


def test_rackspace_cdn_service_is_used_where_the_catalog_has_one(rackspace_cdn):
    driver, calls = rackspace_cdn
    container = driver.create_container(unique_name())
    try:
        with pytest.raises(CloudStorageError, match="CDN is not enabled"):
            container.cdn_url  # noqa: B018
        assert container.enable_cdn() is True
        path = f"/v1/{container.driver.storage_url.rsplit('/', 1)[1]}/{container.name}"
        assert container.cdn_url == f"https://cdn.example{path}"
        blob = container.upload_blob(io.BytesIO(b"x"), blob_name="a b.txt")
        assert blob.cdn_url == f"https://cdn.example{path}/a%20b.txt"
        assert container.disable_cdn() is True
        with pytest.raises(CloudStorageError, match="CDN is not enabled"):
            container.cdn_url  # noqa: B018
        assert {method for method, _, _ in calls} == {"PUT", "HEAD"}
        assert all(token for _, _, token in calls)  # the session's token goes along
        blob.delete()
    finally:
        container.delete()


# -- containers -----------------------------------------------------------------------------


def test_container_metadata_round_trips_and_patch_replaces_it(driver):
    container = driver.create_container(unique_name(), meta_data={"team_id": "7", "a-b": "Zoë"})
    try:
        assert driver.get_container(container.name).meta_data == {"team_id": "7", "a-b": "Zoë"}
        container.meta_data = {"team_id": "8"}
        container.patch()
        assert driver.get_container(container.name).meta_data == {"team_id": "8"}
    finally:
        container.delete()


def test_canned_acls_are_logged_and_dropped_as_in_010(container: Container, caplog):
    caplog.set_level("INFO", logger="cloudstorage.drivers.rackspace")
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="a.txt", acl="public-read")
    assert blob.acl is None
    assert "Option 'acl' is not supported." in caplog.messages


def test_filesystem_with_a_token_and_storage_url_needs_no_login(server, container: Container):
    container.upload_blob(io.BytesIO(b"tok"), blob_name="t.txt")
    token, storage_url = tempauth_login(server, server.user, server.key)
    fs = fsspec.filesystem("swift", token=token, storage_url=storage_url, skip_instance_cache=True)
    assert fs.cat_file(f"{container.name}/t.txt") == b"tok"
    clone = pickle.loads(pickle.dumps(fs))
    assert clone.cat_file(f"{container.name}/t.txt") == b"tok"


# -- Rackspace login, regions, credentials --------------------------------------------------


def test_cloudfiles_logs_in_with_an_api_key_at_the_identity_endpoint(server, swift_identity):
    identity = swift_identity
    driver = cloudfiles_driver(server, identity, region="LON")
    driver.validate_credentials()
    body = {
        "auth": {"RAX-KSKEY:apiKeyCredentials": {"username": server.user, "apiKey": server.key}}
    }
    assert body in identity.requests  # (filesystems are cached: the login may be older)
    assert driver.storage_url.endswith(f"/v1/{server.account}")
    assert driver.storage_options["auth_url"] == identity.url


def test_cloudfiles_wrong_api_key_is_a_credentials_error(server, swift_identity):
    driver = CloudFilesDriver(server.user, "wrong", region="IAD", auth_url=swift_identity.url)
    with pytest.raises(CredentialsError):
        driver.validate_credentials()
    with pytest.raises(CredentialsError):
        driver.get_container("anything")


def test_swift_wrong_key_is_a_credentials_error(server):
    driver = SwiftDriver(server.user, "wrong", auth_url=server.auth_url)
    with pytest.raises(CredentialsError):
        driver.validate_credentials()


# -- faults: retries of logins and requests, the ETag of each PUT ----------------------------


def test_busy_logins_are_retried(server, swift_identity):
    with start_fault_proxy(server.proxy_url) as proxy:
        driver = SwiftDriver(
            server.user, server.key, auth_url=proxy.url + "/auth/v1.0", retry_backoff=0.01
        )
        proxy.fail("GET", r"^/auth/v1\.0$", times=2, status=503)
        driver.validate_credentials()
        assert proxy.count("fail") == 2
    identity = urlsplit(swift_identity.url)
    with start_fault_proxy(f"http://{identity.netloc}") as proxy:
        driver = CloudFilesDriver(
            server.user, server.key, auth_url=proxy.url + identity.path, retry_backoff=0.01
        )
        proxy.fail("POST", r"^/v2\.0/tokens$", times=2, status=429)
        driver.validate_credentials()
        assert proxy.count("fail") == 2


def test_retry_and_timeout_options_reach_the_filesystem(server):
    driver = SwiftDriver(
        server.user, server.key, auth_url=server.auth_url, retries=1, retry_backoff=0.1,
        timeout=5.0,
    )  # fmt: skip
    assert driver.fs.retry.retries == 1
    assert driver.fs.retry.backoff == 0.1
    assert driver.fs.conn.session.timeout == 5.0
    assert fsspec.filesystem("swift", **driver.storage_options).retry == driver.fs.retry


def test_every_put_carries_the_md5_of_its_bytes(segmented, container: Container, monkeypatch):
    puts: list[tuple[str, str | None, bytes]] = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        if request.method == "PUT" and request.body:
            body = request.body
            if isinstance(body, str):
                body = b""
            elif not isinstance(body, (bytes, bytearray, memoryview)):
                body = b"".join(body)  # a streamed body (read again when sent)
            puts.append((request.url, request.headers.get("ETag"), bytes(body)))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    target = segmented.get_container(container.name)  # 1 MiB segments
    target.upload_blob(io.BytesIO(b"small"), blob_name="one.bin")
    target.upload_blob(OneWayStream(os.urandom(2 * MIB + 5)), blob_name="piped.bin")
    target.upload_blob(io.BytesIO(os.urandom(9 * MIB + 5)), blob_name="seekable.bin")
    container.upload_blob(io.BytesIO(os.urandom(9 * MIB)), blob_name="whole.bin")
    data_puts = [put for put in puts if "multipart-manifest" not in put[0]]
    # one object; three buffered segments; ten segments streamed from the stream (read
    # twice: the MD5 first); one object streamed likewise (below the default 1 GiB segments)
    assert len(data_puts) == 1 + 3 + 10 + 1
    for _url, etag, body in data_puts:
        assert etag == hashlib.md5(body).hexdigest()


@pytest.mark.parametrize("region", ["DFW", "ORD", "IAD", "LON", "SYD", "HKG", "lon"])
def test_cloudfiles_regions(rig, region):
    driver = CloudFilesDriver("user", "key", region=region)
    assert driver.region == region.upper()
    assert driver.regions == ["DFW", "ORD", "IAD", "LON", "SYD", "HKG"]
    assert driver.storage_options["auth_url"] == "https://identity.api.rackspacecloud.com/v2.0/"


@pytest.mark.parametrize("region", ["us-east-1", "XYZ", ""])
def test_cloudfiles_refuses_other_regions(rig, region):
    with pytest.raises(CloudStorageError, match="region"):
        CloudFilesDriver("user", "key", region=region)


@pytest.mark.filterwarnings("ignore:The _compute_attributes method:PendingDeprecationWarning")
def test_conn_and_object_store_are_the_filesystems(driver, container: Container):
    assert driver.conn is driver.fs.conn
    names = [c.name for c in driver.object_store.containers()]
    assert container.name in names


# -- metadata -------------------------------------------------------------------------------

SETTINGS = {
    "meta_data": {"owner-id": "1", "owner_name": "Zoë", "a.b": "x"},
    "content_disposition": 'attachment; filename="avatar.png"',
    "cache_control": "max-age=84600",
    "content_type": "image/png",
}


def test_dashed_underscored_and_dotted_keys_round_trip(container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="m.txt", **SETTINGS)
    assert container.get_blob("m.txt").meta_data == SETTINGS["meta_data"]
    (listed,) = list(container)
    assert listed.meta_data == SETTINGS["meta_data"]


@pytest.mark.parametrize(
    "meta", [{"k" * 129: "x"}, {"k": "v" * 257}, {f"k{i}": "v" for i in range(91)}],
    ids=["long-key", "long-value", "too-many"],
)  # fmt: skip
def test_metadata_swift_cannot_hold_is_refused_before_any_request(container, sent, meta):
    sent.clear()
    with pytest.raises(CloudStorageError):
        container.upload_blob(io.BytesIO(b"x"), blob_name="m.txt", meta_data=meta)
    assert sent == []


def test_patching_metadata_alone_keeps_every_stored_header(container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="p.txt", **SETTINGS)
    (listed,) = list(container)  # attributes load lazily, then all go back in the POST
    listed.meta_data = {"owner-id": "2"}
    listed.patch()
    fetched = container.get_blob("p.txt")
    assert fetched.meta_data == {"owner-id": "2"}
    assert fetched.content_type == SETTINGS["content_type"]
    assert fetched.content_disposition == SETTINGS["content_disposition"]
    assert fetched.cache_control == SETTINGS["cache_control"]


def test_a_bare_swift_post_drops_stored_headers(driver, container: Container):
    """Why patch resends everything: this is what Swift does to a POST that does not."""
    container.upload_blob(io.BytesIO(b"x"), blob_name="p.txt", **SETTINGS)
    driver.fs._request("POST", container.name, "p.txt", headers={"X-Object-Meta-Owner-Id": "2"})
    fetched = container.get_blob("p.txt")
    assert fetched.content_disposition is None
    assert fetched.cache_control is None


# -- large objects ----------------------------------------------------------------------------


@pytest.fixture
def segmented(driver):
    """The rig's driver with 1 MiB segments, so large-object uploads stay small."""
    return type(driver)(driver.key, driver.secret, **_login(driver), segment_size=MIB)


def test_large_upload_is_a_static_large_object(segmented, driver, container: Container):
    data = bytes(range(256)) * (3 * MIB // 256) + b"tail"
    mine = segmented.get_container(container.name)
    blob = mine.upload_blob(io.BytesIO(data), blob_name="big.bin", meta_data={"k": "v"})
    assert [b.name for b in container] == ["big.bin"]  # segments live elsewhere
    fetched = container.get_blob("big.bin")
    assert fetched.size == len(data)
    assert fetched.meta_data == {"k": "v"}
    out = io.BytesIO()
    fetched.download(out)
    assert out.getvalue() == data
    with fetched.open("rb") as file:
        file.seek(2 * MIB + 10)
        assert file.read(5) == data[2 * MIB + 10 : 2 * MIB + 15]
    segments = f"{container.name}_segments"
    assert len(driver.fs.find(segments)) == 4
    blob.delete()
    assert driver.fs.find(segments) == []  # the segments went with the manifest


def test_failed_large_upload_leaves_no_blob_and_no_segments(segmented, driver, container):
    mine = segmented.get_container(container.name)
    with pytest.raises(ConnectionResetError):
        mine.upload_blob(FailingStream(9 * MIB), blob_name="half.bin")  # fails after 8 segments
    assert "half.bin" not in container
    assert driver.fs.find(f"{container.name}_segments") == []


def _segments(driver, container: Container) -> list[str]:
    segments = f"{container.name}_segments"
    return driver.fs.find(segments) if driver.fs.exists(segments) else []


@pytest.mark.parametrize("source", [io.BytesIO, OneWayStream], ids=["seekable", "one-way"])
def test_overwrite_and_delete_leave_no_old_segments(driver, container: Container, source):
    eight = type(driver)(driver.key, driver.secret, **_login(driver), segment_size=8 * MIB)
    mine = eight.get_container(container.name)
    mine.upload_blob(source(os.urandom(9 * MIB)), blob_name="big.bin")
    old = _segments(driver, container)
    assert len(old) == 2  # 8 MiB and 1 MiB
    second = os.urandom(9 * MIB)
    mine.upload_blob(source(second), blob_name="big.bin")
    new = _segments(driver, container)
    assert len(new) == 2
    assert not set(new) & set(old)  # only the new object's segments are left
    out = io.BytesIO()
    container.get_blob("big.bin").download(out)
    assert out.getvalue() == second
    mine.upload_blob(source(b"small now"), blob_name="big.bin")  # a small object replaces it
    assert _segments(driver, container) == []
    mine.upload_blob(source(os.urandom(9 * MIB)), blob_name="big.bin")
    container.get_blob("big.bin").delete()
    assert _segments(driver, container) == []  # the segments went with the manifest
    assert list(container) == []


def test_bulk_delete_is_one_post(driver, container: Container, sent):
    names = [f"d/{index}.txt" for index in range(5)]
    for name in names:
        container.upload_blob(io.BytesIO(b"x"), blob_name=name)
    driver.fs._bulk_delete_limit  # noqa: B018  # /info, read once per filesystem
    sent.clear()
    container.delete_blobs([*names, "absent.txt"])
    assert [method for method, _ in sent] == ["HEAD", "POST"], sent  # _segments? then bulk
    assert "bulk-delete" in sent[1][1]
    assert list(container) == []


def test_bulk_delete_takes_large_objects_segments(segmented, driver, container: Container):
    mine = segmented.get_container(container.name)  # 1 MiB segments
    mine.upload_blob(OneWayStream(os.urandom(2 * MIB)), blob_name="big.bin")
    for index in range(3):
        mine.upload_blob(io.BytesIO(b"x"), blob_name=f"{index}.txt")
    container.delete_blobs(["big.bin", "0.txt", "1.txt", "2.txt"])
    assert list(container) == []
    assert _segments(driver, container) == []


def test_delete_sends_no_head(segmented, container: Container, sent):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="a.txt")
    sent.clear()
    blob.delete()  # "not an SLO manifest", then a plain DELETE
    assert [method for method, _ in sent] == ["DELETE", "DELETE"], sent
    sent.clear()
    with pytest.raises(NotFoundError):
        blob.delete()
    assert [method for method, _ in sent] == ["DELETE"], sent  # its answer says: not found
    large = segmented.get_container(container.name).upload_blob(
        OneWayStream(os.urandom(2 * MIB)), blob_name="big.bin"
    )
    sent.clear()
    large.delete()
    assert [method for method, _ in sent] == ["DELETE"], sent  # with its segments


def test_download_is_one_streamed_get_resumed_where_cut(server, tmp_path):
    data = os.urandom(3 * MIB)
    with start_fault_proxy(server.proxy_url) as proxy:
        driver = SwiftDriver(
            server.user, server.key, auth_url=proxy.url + "/auth/v1.0", retry_backoff=0.01
        )
        container = driver.create_container(unique_name("resume"))
        container.upload_blob(io.BytesIO(data), blob_name="r.bin")
        proxy.clear()
        container.download_blobs(["r.bin"], str(tmp_path))  # a name: no size known, no HEAD
        assert (tmp_path / "r.bin").read_bytes() == data
        assert [(seen.method, seen.fault) for seen in proxy.requests] == [("GET", None)]
        blob = container.get_blob("r.bin")  # a ranged GET of the first bytes: kept no bytes
        proxy.clear()
        proxy.drop_response("GET", rf"/{container.name}/r\.bin$", times=1)
        out = io.BytesIO()
        blob.download(out)  # checked against the MD5 it knows
        assert out.getvalue() == data
        gets = [seen.fault for seen in proxy.requests if seen.method == "GET"]
        assert gets == ["drop_response", None]  # cut halfway, then the rest from there
        with container.get_blob("r.bin").open("rb") as file:  # random access stays
            file.seek(2 * MIB)
            assert file.read(10) == data[2 * MIB : 2 * MIB + 10]
        container.get_blob("r.bin").delete()
        container.delete()


def test_a_retried_delete_whose_first_answer_was_lost_succeeds(container: Container, monkeypatch):
    blob = container.upload_blob(io.BytesIO(b"x"), blob_name="lost.txt")
    original = requests.Session.send
    lost: list[str] = []

    def send(self, request, **kwargs):
        response = original(self, request, **kwargs)
        if request.method in ("DELETE", "PUT") and "lost" in request.url and not lost:
            lost.append(request.method)
            raise requests.exceptions.ConnectionError("the answer was lost")
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    blob.delete()  # done by the first try: the retry's 404 is no error
    assert lost == ["DELETE"]
    lost.clear()
    fs = container.driver.fs
    fs.pipe_file(f"{container.name}/lost.txt", b"new", mode="create")  # the retry's 412: ours
    assert lost == ["PUT"]
    assert fs.cat_file(f"{container.name}/lost.txt") == b"new"
    with pytest.raises(FileExistsError):  # someone else's object: still refused
        fs.pipe_file(f"{container.name}/lost.txt", b"other", mode="create")


# -- listing and requests per operation -------------------------------------------------------


def test_paged_listing_lists_everything(driver, container: Container, sent):
    small_pages = type(driver)(driver.key, driver.secret, **_login(driver), listing_page_size=2)
    for index in range(5):
        container.upload_blob(io.BytesIO(b"x"), blob_name=f"d/{index}.txt")
    sent.clear()
    names = [blob.name for blob in small_pages.get_container(container.name)]
    assert names == [f"d/{index}.txt" for index in range(5)]
    listings = [url for method, url in sent if method == "GET" and "format=json" in url]
    assert len(listings) == 3  # pages of 2, 2 and 1


def test_missing_container_and_blob_are_not_found(driver):
    ghost = Container(unique_name("ghost"), driver)
    with pytest.raises(NotFoundError):
        list(ghost)
    with pytest.raises(NotFoundError):
        driver.get_container(ghost.name).get_blob("x")


# -- memory -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_transfer_memory_stays_flat_as_blobs_grow(rig, swift_server, tmp_path):
    """benchmarks.swift_memory on the session's Swift: growth is one segment, whatever the size."""
    if rig.name != "swift":
        pytest.skip("cloudfiles streams through the same filesystem: measured once, on swift")

    def probe(size_mib: int) -> dict[str, float]:
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.swift_memory", "--driver", rig.name,
             "--size-mib", str(size_mib), "--workdir", str(tmp_path),
             "--auth-url", swift_server.auth_url, "--user", swift_server.user,
             "--key", swift_server.key],
            cwd=REPO, capture_output=True, text=True, check=True, timeout=300,
        )  # fmt: skip
        return json.loads(result.stdout)

    small, large = probe(40), probe(104)  # both above one segment
    for key in ("upload_path_mib", "upload_stream_mib", "download_path_mib", "download_stream_mib"):
        assert large[key] < 96, (key, large)  # one 32 MiB segment plus a chunk or two
        # read-ahead timing moves a download's peak by up to 16 MiB between runs; growth
        # with size would add a multiple of the 64 MiB between the two sizes
        assert large[key] - small[key] < 24, (key, small, large)
