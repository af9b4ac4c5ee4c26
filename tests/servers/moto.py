"""moto's server as the S3 endpoint (it checks no signatures: use Swift's s3api for that)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ._process import LOCALHOST, VENV_BIN, MotoServer, ServerProcess, free_port, stop_on_error


def start_moto(workdir: Path, timeout: float = 30.0) -> MotoServer:
    """Start ``moto_server`` on a free port; ready when ``GET /moto-api/`` answers."""
    binary = VENV_BIN / "moto_server"
    if not binary.exists():
        binary = Path(shutil.which("moto_server") or binary)
    port = free_port()
    process = ServerProcess("moto", [binary, "-H", LOCALHOST, "-p", str(port)], workdir).start()
    server = MotoServer(processes=(process,), endpoint_url=f"http://{LOCALHOST}:{port}")
    with stop_on_error(server):
        process.wait_http(f"{server.endpoint_url}/moto-api/", timeout)
    return server
