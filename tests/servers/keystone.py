"""A real OpenStack Keystone v3 (PyPI ``keystone``, sqlite, fernet tokens) on 127.0.0.1.

Keystone lives in its own venv at ``.cache/keystone-venv`` (``scripts/install-servers``;
``CLOUDSTORAGE_KEYSTONE_VENV`` points elsewhere). `start_keystone` writes a config, runs
``keystone-manage db_sync``, ``fernet_setup``, ``credential_setup`` and ``bootstrap`` (admin
user, project, region), serves ``keystone.wsgi.api.application`` with werkzeug, then adds a
project and user of the tests' own (domain ``cs-domain``, role ``member``) and an
``object-store`` service with one endpoint per region it is given (Keystone replaces
``$(project_id)s`` in a URL with the project of the token).
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._process import CACHE_DIR, LOCALHOST, Server, ServerProcess, free_port, stop_on_error

KEYSTONE_VENV = Path(os.environ.get("CLOUDSTORAGE_KEYSTONE_VENV") or CACHE_DIR / "keystone-venv")
ADMIN_PASSWORD = "admin-s3cr3t"
DOMAIN, PROJECT, USER, PASSWORD = "cs-domain", "cs-project", "cs-user", "cs-passw0rd"
REGIONS = ("RegionOne", "RegionTwo", "RegionThree")

_SERVE = """
import sys
port = int(sys.argv[1])
sys.argv = sys.argv[:1]  # oslo.config parses the command line: leave it nothing to parse
from werkzeug.serving import run_simple
from keystone.wsgi.api import application
run_simple("127.0.0.1", port, application, threaded=True)
"""

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class KeystoneServer(Server):
    """A running Keystone: ``auth_url`` is its ``/v3``."""

    auth_url: str
    token_expiration: int

    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """One admin API call (JSON in, JSON out), with a fresh admin token (tokens may be
        made to live seconds only)."""
        request = urllib.request.Request(
            self.auth_url + path,
            data=json.dumps(body).encode() if body else None,
            method=method,
            headers={"Content-Type": "application/json", "X-Auth-Token": self.admin_token()},
        )
        with _OPENER.open(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")  # type: ignore[no-any-return]

    def revoke(self, token: str) -> None:
        """Revoke ``token`` (Swift then answers it 401, as an expired one)."""
        request = urllib.request.Request(
            self.auth_url + "/auth/tokens",
            method="DELETE",
            headers={"X-Auth-Token": self.admin_token(), "X-Subject-Token": token},
        )
        with _OPENER.open(request, timeout=30):
            pass

    def admin_token(self) -> str:
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "domain": {"id": "default"},
                            "password": ADMIN_PASSWORD,
                        }
                    },
                },
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        }
        request = urllib.request.Request(
            self.auth_url + "/auth/tokens",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with _OPENER.open(request, timeout=30) as response:
            return str(response.headers["X-Subject-Token"])


def _conf(workdir: Path, token_expiration: int) -> Path:
    text = f"""[DEFAULT]
log_file = {workdir / "keystone-app.log"}
[database]
connection = sqlite:///{workdir / "keystone.db"}
[token]
provider = fernet
expiration = {token_expiration}
allow_expired_window = 0
[fernet_tokens]
key_repository = {workdir / "fernet-keys"}
[fernet_receipts]
key_repository = {workdir / "fernet-keys"}
[credential]
key_repository = {workdir / "credential-keys"}
"""
    path = workdir / "keystone.conf"
    path.write_text(text)
    return path


def _manage(conf: Path, *commands: list[str]) -> None:
    """Run ``keystone-manage`` commands at once (each its own process); raise if one fails."""
    running = [
        (command[0], subprocess.Popen(
            [KEYSTONE_VENV / "bin" / "keystone-manage", "--config-file", conf, *command],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ))
        for command in commands
    ]  # fmt: skip
    for name, process in running:
        output, _ = process.communicate()
        if process.returncode:
            raise RuntimeError(f"keystone-manage {name} failed:\n{output}")


def start_keystone(
    workdir: Path, object_store_urls: dict[str, str], token_expiration: int = 3600
) -> KeystoneServer:
    """Set up and serve Keystone; the object store of region R is ``object_store_urls[R]``."""
    python = KEYSTONE_VENV / "bin" / "python"
    if not python.exists():
        raise FileNotFoundError(f"{python} is missing: run scripts/install-servers")
    workdir.mkdir(parents=True, exist_ok=True)
    conf = _conf(workdir, token_expiration)
    port = free_port()
    auth_url = f"http://{LOCALHOST}:{port}/v3"
    user = os.environ.get("USER") or "root"
    owner = ["--keystone-user", user, "--keystone-group", user]
    # the key repositories do not need the database: set up side by side (each import ~2 s)
    _manage(conf, ["db_sync"], ["fernet_setup", *owner], ["credential_setup", *owner])
    _manage(conf, [
        "bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
        "--bootstrap-region-id", REGIONS[0], "--bootstrap-admin-url", auth_url,
        "--bootstrap-public-url", auth_url, "--bootstrap-internal-url", auth_url,
    ])  # fmt: skip
    process = ServerProcess(
        "keystone", [python, "-c", _SERVE, str(port)], workdir,
        env={"OS_KEYSTONE_CONFIG_FILES": str(conf)},
    )  # fmt: skip
    server = KeystoneServer(
        processes=(process.start(),), auth_url=auth_url, token_expiration=token_expiration
    )
    with stop_on_error(server):
        process.wait_http(f"{auth_url}/", 60)
        _populate(server, object_store_urls)
    return server


def _populate(server: KeystoneServer, object_store_urls: dict[str, str]) -> None:
    """The tests' domain, project and user (member role), and the object-store endpoints."""
    domain = server.call("POST", "/domains", {"domain": {"name": DOMAIN}})["domain"]
    project = server.call(
        "POST", "/projects", {"project": {"name": PROJECT, "domain_id": domain["id"]}}
    )["project"]
    user = server.call(
        "POST",
        "/users",
        {"user": {"name": USER, "domain_id": domain["id"], "password": PASSWORD}},
    )["user"]
    roles = server.call("GET", "/roles?name=member", {})["roles"]
    server.call("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{roles[0]['id']}",
                {})  # fmt: skip
    service = server.call(
        "POST", "/services", {"service": {"type": "object-store", "name": "swift"}}
    )["service"]
    for region, url in object_store_urls.items():
        if region != REGIONS[0]:  # bootstrap made the first
            server.call("POST", "/regions", {"region": {"id": region}})
        endpoint = {"service_id": service["id"], "interface": "public", "region_id": region,
                    "url": url}  # fmt: skip
        server.call("POST", "/endpoints", {"endpoint": endpoint})
