"""The servers and rigs of one test session: each started once, on first use, stopped at close.

A `ServerPool` holds at most one of each server (moto, Swift, Azurite, fake-gcs-server and the
Cloud Files identity service in front of that Swift); a `RigPool` holds at most one of each
rig, built on the pool's servers. The suite's session fixtures (``tests/conftest.py``) own one
of each; benchmarks use `start_rig`, which needs no pytest. Every rig and test of a session
shares the one server of its kind: they keep apart by fresh container names.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tests.servers import start_azurite, start_fake_gcs, start_moto, start_swift

if TYPE_CHECKING:
    from tests.rigs import Rig


class ServerPool:
    """One server of each kind, started on first `get` under ``workdir``, stopped by `close`."""

    KINDS = ("moto", "swift", "azurite", "fake_gcs", "identity")

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._started: dict[str, Any] = {}
        self._stack = ExitStack()
        self._lock = threading.RLock()

    def get(self, kind: str) -> Any:
        """The session's server of this kind (one of `KINDS`), started now if not yet."""
        with self._lock:
            if kind not in self._started:
                server = self._start(kind)
                self._stack.callback(server.stop)
                self._started[kind] = server
            return self._started[kind]

    def _start(self, kind: str) -> Any:
        starters: dict[str, Callable[[Path], Any]] = {
            "moto": start_moto,
            "swift": start_swift,
            "azurite": start_azurite,
            "fake_gcs": start_fake_gcs,
        }
        if kind == "identity":
            from tests.rigs.swift import start_identity  # noqa: PLC0415  # imports this module

            return start_identity(self.get("swift"))
        workdir = self.workdir / kind
        workdir.mkdir(parents=True, exist_ok=True)
        return starters[kind](workdir)

    def close(self) -> None:
        """Stop every server started, last first."""
        with self._lock:
            self._started.clear()
            self._stack.close()

    def __enter__(self) -> ServerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class RigPool:
    """One rig of each name (``tests.rigs.STARTERS``) on a `ServerPool`'s servers."""

    def __init__(self, servers: ServerPool) -> None:
        self.servers = servers
        self._rigs: dict[str, Rig] = {}
        self._stack = ExitStack()

    def get(self, name: str) -> Rig:
        """The session's rig ``name``, started now if not yet."""
        from tests.rigs import STARTERS  # noqa: PLC0415  # the package imports this module

        if name not in self._rigs:
            workdir = self.servers.workdir / f"rig-{name}"
            workdir.mkdir(parents=True, exist_ok=True)
            self._rigs[name] = self._stack.enter_context(STARTERS[name](workdir, self.servers))
        return self._rigs[name]

    def close(self) -> None:
        """Stop every rig started (the servers stay: they are the `ServerPool`'s)."""
        self._rigs.clear()
        self._stack.close()


@contextmanager
def start_rig(name: str, workdir: Path) -> Iterator[Rig]:
    """The rig ``name`` on servers of its own, for use outside the test suite (benchmarks)."""
    with ServerPool(workdir) as servers:
        rigs = RigPool(servers)
        try:
            yield rigs.get(name)
        finally:
            rigs.close()
