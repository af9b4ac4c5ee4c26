"""The GCS rig: a GoogleStorageDriver on fake-gcs-server, with a throwaway service account.

The service-account JSON is written by the test with a freshly generated RSA key, so V4
signed URLs and POST policies are made offline. Its ``token_uri`` points at a tiny local
OAuth token endpoint, so the driver goes through the same JWT-bearer token flow as on GCS
(fake-gcs-server ignores the bearer token it then receives).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.servers._process import LOCALHOST

if TYPE_CHECKING:
    from tests.rigs import Rig
    from tests.rigs.pool import ServerPool

_FAKE_GCS_CONDITIONS = (
    "fake-gcs-server ignores ifGenerationMatch=0 on rewrite and on resumable uploads (GCS "
    "answers 412); it enforces it on one-request uploads (tested)"
)
KNOWN_GAPS = {
    "test_create_only_copy_within_a_store_refuses_an_existing_blob": _FAKE_GCS_CONDITIONS,
    "test_create_only_move_onto_an_existing_blob_keeps_both": _FAKE_GCS_CONDITIONS,
    "test_create_only_copy_onto_a_blob_says_it_exists": _FAKE_GCS_CONDITIONS,
    "test_create_only_large_upload_refuses_an_existing_blob": _FAKE_GCS_CONDITIONS,
    "test_patch_replaces_metadata_and_settings": (
        "fake-gcs-server stores a metadata key PATCHed to null as '' instead of removing it, "
        "and ignores null for cacheControl (GCS removes both)"
    ),
}

SERVICE_ACCOUNT_EMAIL = "cloudstorage-test@test-project.iam.gserviceaccount.com"


class _TokenHandler(BaseHTTPRequestHandler):
    """Answers every POST with a bearer token, like oauth2.googleapis.com/token does."""

    expires_in = 3600
    issued: dict[str, float] | None = None
    """If set: each token gets its own name, noted here with when it was issued."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        token = "test-token"
        if self.issued is not None:
            token = f"token-{len(self.issued)}"
            self.issued[token] = time.monotonic()
        body = json.dumps(
            {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def token_endpoint(expires_in: int = 3600, issued: dict[str, float] | None = None) -> Iterator[str]:
    """A local OAuth token endpoint on a free port, for the service account's ``token_uri``:
    tokens that live ``expires_in`` seconds, each noted in ``issued`` (if given)."""
    handler = type("Tokens", (_TokenHandler,), {"expires_in": expires_in, "issued": issued})
    server = ThreadingHTTPServer((LOCALHOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCALHOST}:{server.server_address[1]}/token"
    finally:
        server.shutdown()
        server.server_close()


def write_service_account(path: Path, token_uri: str, project: str = "test-project") -> Path:
    """Write a service-account JSON with a new 2048-bit RSA key; returns ``path``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": SERVICE_ACCOUNT_EMAIL,
        "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info))
    return path


@contextmanager
def start_gcs(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    from cloudstorage.drivers.google import GoogleStorageDriver  # noqa: PLC0415  # optional extra
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    server = servers.get("fake_gcs")
    with token_endpoint() as token_uri:
        credentials = write_service_account(workdir / "service-account.json", token_uri)
        driver = GoogleStorageDriver(
            key=str(credentials), project=server.project, endpoint_url=server.endpoint_url
        )
        yield Rig(
            name="gcs",
            driver=driver,
            http_download_urls=True,
            known_gaps=KNOWN_GAPS,
            server_checks=False,
        )
