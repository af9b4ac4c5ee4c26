"""Memory follows the bytes moved: a small transfer does not reserve a large part's buffer.

Bulk calls run many small transfers at once, so a buffer sized for a large part (8 MiB on
S3) taken for each 4 KiB blob multiplies by the transfers in flight.
"""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from cloudstorage import Container

MiB = 1024 * 1024


def _peak_of_small_transfers(container: Container, tmp_path: Path) -> tuple[int, int]:
    """Python's peak allocation while 4 KiB blobs go up from a path and come down to one."""
    source = tmp_path / "small.bin"
    source.write_bytes(os.urandom(4096))
    container.upload_blob(str(source), blob_name="warm.bin")  # clients and sessions exist now
    container.get_blob("warm.bin").download(str(tmp_path / "warm.out"))
    tracemalloc.start()
    try:
        for number in range(4):
            container.upload_blob(str(source), blob_name=f"small-{number}.bin")
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for number in range(4):
            container.get_blob(f"small-{number}.bin").download(str(tmp_path / f"{number}.out"))
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return upload_peak, download_peak


def test_small_transfers_hold_memory_near_their_size(container: Container, tmp_path: Path):
    upload_peak, download_peak = _peak_of_small_transfers(container, tmp_path)
    assert upload_peak < 2 * MiB, f"uploading 4 KiB blobs peaked at {upload_peak / MiB:.1f} MiB"
    assert download_peak < 2 * MiB, f"downloading them peaked at {download_peak / MiB:.1f} MiB"
