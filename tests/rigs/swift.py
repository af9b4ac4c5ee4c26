"""The Swift rigs: SwiftDriver (TempAuth v1) and CloudFilesDriver, on the session's Swift.

Cloud Files logs in at a small identity endpoint of ours (Rackspace's ``POST /v2.0/tokens``
with ``RAX-KSKEY:apiKeyCredentials``) that answers with a real TempAuth token of the Swift
and a service catalog whose object store, in every Cloud Files region, is that Swift. The
object store is real; only the identity service is ours.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudstorage.drivers.rackspace import CloudFilesDriver, SwiftDriver
from tests.servers import SwiftServer
from tests.servers._process import LOCALHOST

if TYPE_CHECKING:
    from tests.rigs import Rig
    from tests.rigs.pool import ServerPool

REGIONS = ("DFW", "ORD", "IAD", "LON", "SYD", "HKG")


def tempauth_login(
    server: SwiftServer, user: str, key: str, auth_url: str | None = None
) -> tuple[str, str]:
    """(token, storage URL) from the Swift's TempAuth, at ``auth_url`` if given (a proxy's).

    TempAuth builds the storage URL from the Host of the login request, so a login through a
    proxy returns a storage URL on that proxy.
    """
    request = urllib.request.Request(
        auth_url or server.auth_url, headers={"X-Auth-User": user, "X-Auth-Key": key}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return response.headers["X-Auth-Token"], response.headers["X-Storage-Url"]


@dataclass
class Identity:
    """A Rackspace-style identity service on 127.0.0.1 in front of a real Swift."""

    url: str
    httpd: ThreadingHTTPServer
    requests: list[dict[str, Any]]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def start_identity(
    server: SwiftServer,
    extra_services: list[dict[str, Any]] | None = None,
    tempauth_url: str | None = None,
) -> Identity:
    """Answers ``POST /v2.0/tokens`` for the Swift's users; user name = TempAuth user.

    The token comes from TempAuth at ``tempauth_url`` (default: the Swift's own), whose storage
    URL becomes the catalog's object store: a TempAuth URL on a proxy puts the store behind it.
    """
    seen: list[dict[str, Any]] = []
    users = {server.user: server.key, server.other_user: server.other_key}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            seen.append(body)
            creds = body.get("auth", {}).get("RAX-KSKEY:apiKeyCredentials", {})
            user, key = creds.get("username"), creds.get("apiKey")
            if self.path.rstrip("/") != "/v2.0/tokens" or users.get(user) != key:
                self._answer(401, {"unauthorized": {"code": 401, "message": "bad credentials"}})
                return
            token, storage_url = tempauth_login(server, user, key, tempauth_url)
            endpoints = [
                {"region": region, "tenantId": server.account, "publicURL": storage_url,
                 "internalURL": storage_url}
                for region in REGIONS
            ]  # fmt: skip
            catalog = [
                {"name": "cloudFiles", "type": "object-store", "endpoints": endpoints},
                *(extra_services or []),
            ]
            access = {
                "token": {"id": token, "expires": "2099-01-01T00:00:00Z",
                          "RAX-AUTH:defaultRegion": "IAD"},
                "serviceCatalog": catalog,
                "user": {"name": user},
            }  # fmt: skip
            self._answer(200, {"access": access})

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer((LOCALHOST, 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return Identity(f"http://{LOCALHOST}:{httpd.server_address[1]}/v2.0/", httpd, seen)


def swift_driver(server: SwiftServer, **kwargs: Any) -> SwiftDriver:
    return SwiftDriver(server.user, server.key, auth_url=server.auth_url, **kwargs)


def cloudfiles_driver(
    server: SwiftServer, identity: Identity, region: str = "IAD", **kwargs: Any
) -> CloudFilesDriver:
    """A Cloud Files driver logging in at ``identity`` (in front of ``server``)."""
    return CloudFilesDriver(server.user, server.key, region=region, auth_url=identity.url, **kwargs)


@contextmanager
def start_swift_rig(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    yield Rig(name="swift", driver=swift_driver(servers.get("swift")), http_download_urls=True)


@contextmanager
def start_cloudfiles(workdir: Path, servers: ServerPool) -> Iterator[Rig]:
    from tests.rigs import Rig  # noqa: PLC0415  # the package imports this module

    driver = cloudfiles_driver(servers.get("swift"), servers.get("identity"))
    yield Rig(name="cloudfiles", driver=driver, http_download_urls=True)
