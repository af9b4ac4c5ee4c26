"""An OpenStack Swift all-in-one (tempauth, tempurl, formpost, s3api) plus its memcached.

Swift lives in its own venv at ``.cache/swift-venv`` and memcached comes from Debian; both are
installed by ``scripts/install-servers``. Everything else (confs, rings, devices, logs) goes in
the work directory.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ._process import CACHE_DIR, LOCALHOST, ServerProcess, SwiftServer, free_ports, stop_on_error

SWIFT_VENV = Path(os.environ.get("CLOUDSTORAGE_SWIFT_VENV") or CACHE_DIR / "swift-venv")
STORAGE_SERVERS = ("account", "container", "object")
USER, KEY, ACCOUNT = "test:tester", "testing", "AUTH_test"
OTHER_USER, OTHER_KEY = "test2:tester2", "testing2"
DIGESTS = "sha1 sha256 sha512"

PROXY_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl"
    " ratelimit formpost s3api tempauth copy container-quotas account-quotas slo dlo"
    " versioned_writes symlink proxy-logging proxy-server"
)

_BUILD_RINGS = """
import json, sys
from swift.common.ring import RingBuilder
for path, port in json.loads(sys.argv[1]):
    builder = RingBuilder(6, 1, 1)
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": port,
                     "device": "d1", "weight": 1.0})
    builder.rebalance()
    builder.get_ring().save(path)
"""

Conf = Mapping[str, Mapping[str, object]]


def _write_conf(path: Path, sections: Conf) -> Path:
    """Write an ini file from {section: {key: value}}."""
    text = "".join(
        f"[{name}]\n" + "".join(f"{key} = {value}\n" for key, value in options.items()) + "\n"
        for name, options in sections.items()
    )
    path.write_text(text)
    return path


def _defaults(swift_dir: Path, port: int, log_level: str = "INFO") -> dict[str, object]:
    return {
        "bind_ip": LOCALHOST,
        "bind_port": port,
        "workers": 0,
        "mount_check": "false",
        "user": pwd.getpwuid(os.getuid()).pw_name,
        "swift_dir": swift_dir,
        "devices": swift_dir / "node",
        "log_level": log_level,
    }


def _storage_conf(kind: str, swift_dir: Path, port: int) -> Conf:
    return {
        "DEFAULT": _defaults(swift_dir, port, "WARNING"),
        "pipeline:main": {"pipeline": f"healthcheck {kind}-server"},
        f"app:{kind}-server": {"use": f"egg:swift#{kind}"},
        "filter:healthcheck": {"use": "egg:swift#healthcheck"},
    }


def _proxy_conf(swift_dir: Path, port: int, memcache: str) -> Conf:
    # every filter of the pipeline under its own egg name; those with options are overridden below
    plain = {
        f"filter:{name}": {"use": f"egg:swift#{name.replace('-', '_')}"}
        for name in PROXY_PIPELINE.split()
        if name != "proxy-server"
    }
    return {
        "DEFAULT": _defaults(swift_dir, port),
        "pipeline:main": {"pipeline": PROXY_PIPELINE},
        "app:proxy-server": {
            "use": "egg:swift#proxy",
            "account_autocreate": "true",
            "allow_account_management": "true",
        },
        **plain,
        "filter:cache": {"use": "egg:swift#memcache", "memcache_servers": memcache},
        # sha1 stated explicitly: openstacksdk signs temp URLs and forms with HMAC-SHA1 only
        "filter:tempurl": {"use": "egg:swift#tempurl", "allowed_digests": DIGESTS},
        "filter:formpost": {"use": "egg:swift#formpost", "allowed_digests": DIGESTS},
        "filter:s3api": {"use": "egg:swift#s3api", "location": "us-east-1"},
        "filter:versioned_writes": {
            "use": "egg:swift#versioned_writes",
            "allow_versioned_writes": "true",
            "allow_object_versioning": "true",
        },
        "filter:tempauth": {
            "use": "egg:swift#tempauth",
            "user_admin_admin": "admin .admin .reseller_admin",
            f"user_{USER.replace(':', '_')}": f"{KEY} .admin",
            f"user_{OTHER_USER.replace(':', '_')}": f"{OTHER_KEY} .admin",
        },
    }


def _memcached_argv(port: int) -> list[str]:
    binary = shutil.which("memcached") or "/usr/bin/memcached"
    if not Path(binary).exists():
        raise FileNotFoundError("memcached is missing: run scripts/install-servers")
    argv = [binary, "-l", LOCALHOST, "-p", str(port), "-U", "0", "-m", "64"]
    if os.geteuid() == 0:  # memcached refuses to run as root without -u
        argv += ["-u", "root"]
    return argv


def start_swift(workdir: Path, timeout: float = 60.0) -> SwiftServer:
    """Write the confs, build the rings and start memcached plus the four Swift servers.

    Ready when memcached accepts connections and each server's ``/healthcheck`` answers.
    """
    python = SWIFT_VENV / "bin" / "python"
    if not python.exists():
        raise FileNotFoundError(f"{python} is missing: run scripts/install-servers")
    swift_dir = workdir / "swift"
    (swift_dir / "node" / "d1").mkdir(parents=True, exist_ok=True)
    proxy_port, memcache_port, *storage_ports = free_ports(2 + len(STORAGE_SERVERS))
    ports = dict(zip(STORAGE_SERVERS, storage_ports, strict=True))

    _write_conf(
        swift_dir / "swift.conf",
        {
            "swift-hash": {
                "swift_hash_path_prefix": "cloudstorage",
                "swift_hash_path_suffix": "tests",
            },
            "storage-policy:0": {"name": "gold", "default": "yes"},
        },
    )
    rings = [(str(swift_dir / f"{kind}.ring.gz"), port) for kind, port in ports.items()]
    built = subprocess.run(
        [python, "-c", _BUILD_RINGS, json.dumps(rings)], capture_output=True, text=True, check=False
    )
    if built.returncode:
        raise RuntimeError(f"building the Swift rings failed:\n{built.stderr}")

    memcache = f"{LOCALHOST}:{memcache_port}"
    confs = {
        kind: _write_conf(swift_dir / f"{kind}-server.conf", _storage_conf(kind, swift_dir, port))
        for kind, port in ports.items()
    }
    confs["proxy"] = _write_conf(
        swift_dir / "proxy-server.conf", _proxy_conf(swift_dir, proxy_port, memcache)
    )

    memcached = ServerProcess("memcached", _memcached_argv(memcache_port), workdir)
    servers = {
        kind: ServerProcess(
            f"swift-{kind}", [SWIFT_VENV / "bin" / f"swift-{kind}-server", conf, "-v"], workdir
        )
        for kind, conf in confs.items()
    }
    proxy_url = f"http://{LOCALHOST}:{proxy_port}"
    server = SwiftServer(
        processes=(memcached, *servers.values()),
        proxy_url=proxy_url,
        auth_url=f"{proxy_url}/auth/v1.0",
        user=USER,
        key=KEY,
        account=ACCOUNT,
        other_user=OTHER_USER,
        other_key=OTHER_KEY,
        memcache=memcache,
    )
    with stop_on_error(server):
        for process in server.processes:  # all at once: the four imports overlap
            process.start()
        memcached.wait_tcp(memcache_port, timeout)
        for kind, process in servers.items():
            port = proxy_port if kind == "proxy" else ports[kind]
            process.wait_http(f"http://{LOCALHOST}:{port}/healthcheck", timeout)
    return server


KEYSTONE_PIPELINE = PROXY_PIPELINE.replace(" s3api tempauth ", " authtoken keystoneauth ")
"""The proxy pipeline with Keystone's token check (keystonemiddleware) in place of TempAuth."""


def start_keystone_proxy(
    server: SwiftServer, port: int, auth_url: str, service: Mapping[str, str], timeout: float = 60.0
) -> ServerProcess:
    """A second proxy on ``port`` in front of ``server``'s storage, accepting Keystone tokens.

    ``auth_url`` is Keystone's ``/v3``; ``service`` the user that validates tokens there
    (``username``, ``password``, ``project_name``). Accounts are ``AUTH_<project id>``.
    """
    proxy = next(process for process in server.processes if process.name == "swift-proxy")
    conf_path = Path(proxy.argv[1])
    swift_dir = conf_path.parent
    conf = {k: dict(v) for k, v in _proxy_conf(swift_dir, port, server.memcache).items()}
    conf["pipeline:main"] = {"pipeline": KEYSTONE_PIPELINE}
    for name in ("filter:tempauth", "filter:s3api"):
        conf.pop(name)
    conf["filter:authtoken"] = {
        "paste.filter_factory": "keystonemiddleware.auth_token:filter_factory",
        "www_authenticate_uri": auth_url,
        "auth_url": auth_url,
        "auth_type": "password",
        "user_domain_id": "default",
        "project_domain_id": "default",
        "delay_auth_decision": "true",
        "token_cache_time": "-1",  # every token checked at Keystone: a revoked one is refused
        **service,
    }
    conf["filter:keystoneauth"] = {
        "use": "egg:swift#keystoneauth",
        "operator_roles": "admin, member",
        "reseller_prefix": "AUTH_",
    }
    path = _write_conf(swift_dir / "proxy-keystone.conf", conf)
    process = ServerProcess(
        "swift-proxy-keystone",
        [SWIFT_VENV / "bin" / "python", SWIFT_VENV / "bin" / "swift-proxy-server", path, "-v"],
        conf_path.parent.parent,
    ).start()  # fmt: skip
    try:
        process.wait_http(f"http://{LOCALHOST}:{port}/healthcheck", timeout)
    except BaseException:
        process.stop()
        raise
    return process
