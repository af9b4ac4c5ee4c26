"""Smoke tests: start each server, do one real round trip, stop it, check its processes are gone."""

from __future__ import annotations

import contextlib
import hmac
import os
import time
import uuid
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path
from typing import TypeVar

import boto3
import pytest
import requests
from botocore.client import BaseClient
from botocore.config import Config

from . import Server, SwiftServer, start_azurite, start_fake_gcs, start_moto, start_swift

S = TypeVar("S", bound=Server)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def stopped_after(server: S) -> Iterator[S]:
    """Yield the server, stop it, then check that none of its process groups is left."""
    try:
        yield server
    finally:
        server.stop()
    assert server.pids
    assert not [pid for pid in server.pids if _group_alive(pid)]


def _s3(endpoint: str, access_key: str, secret_key: str) -> BaseClient:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def test_moto(tmp_path: Path) -> None:
    with stopped_after(start_moto(tmp_path)) as moto:
        s3 = _s3(moto.endpoint_url, moto.access_key, moto.secret_key)
        s3.create_bucket(Bucket="bkt")
        s3.put_object(Bucket="bkt", Key="a/b.txt", Body=b"hello moto")
        assert s3.get_object(Bucket="bkt", Key="a/b.txt")["Body"].read() == b"hello moto"
        moto.reset()
        assert s3.list_buckets()["Buckets"] == []


def test_fake_gcs(tmp_path: Path) -> None:
    with stopped_after(start_fake_gcs(tmp_path)) as gcs:
        api = f"{gcs.endpoint_url}/storage/v1"
        created = requests.post(
            f"{api}/b", params={"project": gcs.project}, json={"name": "bkt"}, timeout=10
        )
        assert created.status_code == 200, created.text
        uploaded = requests.post(
            f"{gcs.endpoint_url}/upload/storage/v1/b/bkt/o",
            params={"uploadType": "media", "name": "a/b.txt"},
            data=b"hello gcs",
            headers={"Content-Type": "text/plain"},
            timeout=10,
        )
        assert uploaded.status_code == 200, uploaded.text
        meta = requests.get(f"{api}/b/bkt/o/a%2Fb.txt", timeout=10).json()
        assert (meta["size"], meta["contentType"]) == ("9", "text/plain")
        assert (
            requests.get(f"{api}/b/bkt/o/a%2Fb.txt", params={"alt": "media"}, timeout=10).content
            == b"hello gcs"
        )


def test_azurite(tmp_path: Path) -> None:
    blob = pytest.importorskip("azure.storage.blob")
    with stopped_after(start_azurite(tmp_path)) as azurite:
        service = blob.BlobServiceClient.from_connection_string(azurite.connection_string)
        container = service.create_container("bkt")
        container.upload_blob("a/b.txt", b"hello azurite", metadata={"k": "v"})
        client = container.get_blob_client("a/b.txt")
        assert client.download_blob().readall() == b"hello azurite"
        assert client.get_blob_properties().metadata == {"k": "v"}


def test_swift(tmp_path: Path) -> None:
    with stopped_after(start_swift(tmp_path)) as swift:
        login = requests.get(
            swift.auth_url, headers={"X-Auth-User": swift.user, "X-Auth-Key": swift.key}, timeout=10
        )
        assert login.status_code == 200, login.text
        url, token = login.headers["X-Storage-Url"], login.headers["X-Auth-Token"]
        assert url == swift.storage_url
        auth = {"X-Auth-Token": token}
        assert requests.put(f"{url}/bkt", headers=auth, timeout=10).status_code == 201
        put = requests.put(
            f"{url}/bkt/a/b.txt",
            data=b"hello swift",
            timeout=10,
            headers={**auth, "Content-Type": "text/plain", "X-Object-Meta-K": "v"},
        )
        assert put.status_code == 201, put.text
        got = requests.get(f"{url}/bkt/a/b.txt", headers=auth, timeout=10)
        assert (got.status_code, got.content, got.headers["X-Object-Meta-K"]) == (
            200,
            b"hello swift",
            "v",
        )

        # the other account's key does not open this one
        wrong = requests.get(
            swift.auth_url,
            headers={"X-Auth-User": swift.user, "X-Auth-Key": swift.other_key},
            timeout=10,
        )
        assert wrong.status_code == 401

        # tempurl is in the pipeline and checks signatures
        assert (
            requests.post(
                url, headers={**auth, "X-Account-Meta-Temp-URL-Key": "s3cret"}, timeout=10
            ).status_code
            == 204
        )
        path, expires = f"/v1/{swift.account}/bkt/a/b.txt", int(time.time()) + 60
        sig = hmac.new(b"s3cret", f"GET\n{expires}\n{path}".encode(), sha256).hexdigest()
        temp = f"{swift.proxy_url}{path}?temp_url_expires={expires}&temp_url_sig="
        assert requests.get(temp + sig, timeout=10).content == b"hello swift"
        assert (
            requests.get(temp + sig[:-1] + ("0" if sig[-1] != "0" else "1"), timeout=10).status_code
            == 401
        )


def test_swift_s3api(swift_server: SwiftServer) -> None:
    """On the session's Swift (test_swift checks start and stop): a bucket of its own."""
    swift = swift_server
    bucket = f"bkt-{uuid.uuid4().hex[:8]}"
    s3 = _s3(swift.s3_endpoint, swift.user, swift.key)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="a/b.txt", Body=b"hello s3api")
    assert s3.get_object(Bucket=bucket, Key="a/b.txt")["Body"].read() == b"hello s3api"

    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "a/b.txt"}, ExpiresIn=60
    )
    assert requests.get(url, timeout=10).content == b"hello s3api"
    sig_at = url.index("X-Amz-Signature=") + len("X-Amz-Signature=")
    tampered = url[:sig_at] + ("0" if url[sig_at] != "0" else "1") + url[sig_at + 1 :]
    assert requests.get(tampered, timeout=10).status_code == 403

    expiring = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "a/b.txt"}, ExpiresIn=1
    )
    time.sleep(2.1)
    assert requests.get(expiring, timeout=10).status_code == 403

    wrong = _s3(swift.s3_endpoint, swift.user, swift.other_key)
    with pytest.raises(wrong.exceptions.ClientError, match="SignatureDoesNotMatch"):
        wrong.get_object(Bucket=bucket, Key="a/b.txt")
