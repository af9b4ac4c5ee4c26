"""Child processes that tests kill with SIGKILL in the middle of their work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tests.servers._process import REPO_ROOT

READY = "UNDER WAY"
"""What a child prints once the work to be interrupted is under way."""


@contextmanager
def python_child(code: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """``python -c code args...`` from the repository root, reaped however the block ends."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()


def wait_until_under_way(child: subprocess.Popen[str]) -> None:
    """Block until the child prints `READY` (a failure if it dies or says anything else)."""
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == READY, f"the child failed before it got under way: {line!r}"


def kill_hard(child: subprocess.Popen[str]) -> None:
    """SIGKILL: no ``finally``, no abort, no cleanup runs in the child."""
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
