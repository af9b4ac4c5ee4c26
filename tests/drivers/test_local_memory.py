"""Streaming: a transfer's peak memory does not grow with the blob (measured, not timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def probe(size_mib: int, workdir: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory_probe", "--size-mib", str(size_mib),
         "--workdir", str(workdir)],
        cwd=REPO, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return json.loads(result.stdout)


def test_memory_stays_flat_as_blobs_grow(tmp_path):
    small, large = probe(16, tmp_path), probe(256, tmp_path)
    for key in ("upload_path_mib", "upload_stream_mib", "download_path_mib", "download_stream_mib"):
        assert large[key] < 64, (key, large)
        assert large[key] - small[key] < 8, (key, small, large)
