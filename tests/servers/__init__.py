"""Start and stop the real servers the tests run against: moto, fake-gcs-server, Azurite, Swift.

Each ``start_*(workdir)`` picks free ports on 127.0.0.1, waits until the server answers and
returns a frozen record (endpoint, credentials, processes) with ``stop()``; records are also
context managers. Install what they need with ``scripts/install-servers``.
"""

from __future__ import annotations

from ._process import AzuriteServer, FakeGcsServer, MotoServer, Server, ServerProcess, SwiftServer
from .azurite import start_azurite
from .fake_gcs import start_fake_gcs
from .moto import start_moto
from .swift import start_swift

__all__ = [
    "AzuriteServer",
    "FakeGcsServer",
    "MotoServer",
    "Server",
    "ServerProcess",
    "SwiftServer",
    "start_azurite",
    "start_fake_gcs",
    "start_moto",
    "start_swift",
]
