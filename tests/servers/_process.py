"""Shared plumbing for the test servers: ports, readiness polling, processes, server records."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache"
VENV_BIN = Path(sys.executable).parent
LOCALHOST = "127.0.0.1"

# A urllib opener that never goes through an HTTP proxy: every server here is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct free ports (all sockets are held until every port is picked)."""
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((LOCALHOST, 0))
            ports.append(sock.getsockname()[1])
        return ports


def http_request(
    url: str, method: str = "GET", data: bytes | None = None, timeout: float = 10.0
) -> int:
    """Send one request without any proxy and return the HTTP status (error statuses included)."""
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def _poll(
    probe: str, check: Callable[[], bool], timeout: float, process: ServerProcess | None
) -> None:
    """Call ``check`` until it is true; raise on timeout or when ``process`` has exited."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and not process.running:
            raise RuntimeError(
                f"{process.name} exited (code {process.returncode}) before {probe} answered;"
                f" log {process.log_path}:\n{process.log_tail()}"
            )
        if check():
            return
        if time.monotonic() > deadline:
            tail = f"; log {process.log_path}:\n{process.log_tail()}" if process is not None else ""
            raise TimeoutError(f"{probe} did not answer within {timeout:.0f} s{tail}")
        time.sleep(0.05)


def wait_http(url: str, timeout: float = 30.0, process: ServerProcess | None = None) -> None:
    """Poll ``url`` until the server gives any HTTP answer (an error status counts as an answer).

    With ``process``, fail early (with the end of its log) if that process exits meanwhile.
    """

    def answered() -> bool:
        try:
            http_request(url, timeout=2.0)
        except (OSError, urllib.error.URLError):
            return False
        return True

    _poll(url, answered, timeout, process)


def wait_tcp(port: int, timeout: float = 30.0, process: ServerProcess | None = None) -> None:
    """Poll until something accepts TCP connections on 127.0.0.1:``port``."""

    def accepts() -> bool:
        try:
            socket.create_connection((LOCALHOST, port), timeout=1.0).close()
        except OSError:
            return False
        return True

    _poll(f"tcp://{LOCALHOST}:{port}", accepts, timeout, process)


class ServerProcess:
    """One server command run in its own process group, logging to ``<workdir>/<name>.log``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        workdir: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = [os.fspath(arg) for arg in argv]
        self.workdir = workdir
        self.env = dict(os.environ, **env) if env else None
        self.log_path = workdir / f"{name}.log"
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        """Start the command (once) and return self."""
        if self._popen is not None:
            raise RuntimeError(f"{self.name} already started")
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._popen = subprocess.Popen(
                self.argv,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        """Process id (also the id of its process group)."""
        if self._popen is None:
            raise RuntimeError(f"{self.name} not started")
        return self._popen.pid

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def wait_http(self, url: str, timeout: float = 30.0) -> None:
        """:func:`wait_http`, failing early if this process dies."""
        wait_http(url, timeout, self)

    def wait_tcp(self, port: int, timeout: float = 30.0) -> None:
        """:func:`wait_tcp`, failing early if this process dies."""
        wait_tcp(port, timeout, self)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the process group led by our pid, then SIGKILL it after ``timeout`` seconds."""
        if self._popen is None or self._popen.returncode is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, sig)
            try:
                self._popen.wait(timeout)
                break
            except subprocess.TimeoutExpired:
                continue
        # kill whatever of the group outlived its leader, and give init a moment to reap it
        deadline = time.monotonic() + 2.0
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, signal.SIGKILL)
            while time.monotonic() < deadline:
                os.killpg(self._popen.pid, 0)
                time.sleep(0.02)

    def __enter__(self) -> ServerProcess:
        return self if self._popen is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited {self.returncode}"
        return f"<ServerProcess {self.name} pid={self._popen.pid if self._popen else None} {state}>"


# --- what the tests get back ------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """Base record of a started server: its processes; stop it, or use it as a context manager."""

    processes: tuple[ServerProcess, ...]

    @property
    def pids(self) -> tuple[int, ...]:
        return tuple(process.pid for process in self.processes)

    def stop(self) -> None:
        """Stop every process, last started first."""
        for process in reversed(self.processes):
            process.stop()

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def stop_on_error(server: Server) -> Iterator[Server]:
    """Stop ``server`` if its start-up (the ``with`` body) fails, then re-raise."""
    try:
        yield server
    except BaseException:
        server.stop()
        raise


@dataclass(frozen=True)
class MotoServer(Server):
    """moto's S3 endpoint; any credentials are accepted, none are checked."""

    endpoint_url: str
    access_key: str = "testing"
    secret_key: str = "testing"
    region: str = "us-east-1"

    def reset(self) -> None:
        """Wipe every bucket and object (POST /moto-api/reset)."""
        status = http_request(f"{self.endpoint_url}/moto-api/reset", method="POST", data=b"")
        if status != 200:
            raise RuntimeError(f"moto reset answered {status}")


@dataclass(frozen=True)
class FakeGcsServer(Server):
    """fake-gcs-server's JSON/XML API at ``endpoint_url`` (no credentials, no signature checks)."""

    endpoint_url: str
    project: str = "test-project"


@dataclass(frozen=True)
class AzuriteServer(Server):
    """Azurite's blob service, with the well-known development account."""

    blob_endpoint: str
    account_name: str
    account_key: str

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account_name};"
            f"AccountKey={self.account_key};BlobEndpoint={self.blob_endpoint};"
        )


@dataclass(frozen=True)
class SwiftServer(Server):
    """A Swift all-in-one: v1 (tempauth) auth, the proxy, and S3 through ``s3api`` on the same port.

    ``user``/``key`` log in at ``auth_url``; for S3 they are also the access key and secret
    (``s3_endpoint``, path-style). ``other_user``/``other_key`` belong to a second account.
    """

    proxy_url: str
    auth_url: str
    user: str
    key: str
    account: str
    other_user: str
    other_key: str
    memcache: str
    region: str = "us-east-1"

    @property
    def s3_endpoint(self) -> str:
        return self.proxy_url

    @property
    def storage_url(self) -> str:
        """The account URL tempauth hands out for ``user``."""
        return f"{self.proxy_url}/v1/{self.account}"
