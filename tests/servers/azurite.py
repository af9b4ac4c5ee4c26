"""Azurite's blob service, installed by ``scripts/install-servers`` into ``.cache/azurite``."""

from __future__ import annotations

from pathlib import Path

from ._process import CACHE_DIR, LOCALHOST, AzuriteServer, ServerProcess, free_port, stop_on_error

AZURITE_DIR = CACHE_DIR / "azurite"
ACCOUNT_NAME = "devstoreaccount1"
# Azurite's well-known development key (public, documented by Microsoft).
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def start_azurite(workdir: Path, timeout: float = 30.0) -> AzuriteServer:
    """Start ``azurite-blob`` in memory on a free port; ready when the blob endpoint answers."""
    binary = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"
    if not binary.exists():
        raise FileNotFoundError(f"{binary} is missing: run scripts/install-servers")
    port = free_port()
    argv: list[str | Path] = [
        binary, "--silent", "--disableTelemetry", "--inMemoryPersistence",
        "--blobHost", LOCALHOST, "--blobPort", str(port), "--loose", "--skipApiVersionCheck",
    ]  # fmt: skip
    process = ServerProcess("azurite", argv, workdir).start()
    server = AzuriteServer(
        processes=(process,),
        blob_endpoint=f"http://{LOCALHOST}:{port}/{ACCOUNT_NAME}",
        account_name=ACCOUNT_NAME,
        account_key=ACCOUNT_KEY,
    )
    with stop_on_error(server):
        process.wait_http(f"{server.blob_endpoint}?comp=list", timeout)
    return server
