"""Peak memory of a cross-driver copy (local store → S3 on moto), in a process of its own.

Same metric as `benchmarks.memory_probe`: growth of the peak resident set (``VmHWM``) while
``Container.copy_blob`` streams a blob between two drivers. Also times a copy within the S3
store (server-side: CopyObject) for comparison. Starts and stops its own moto server.

    python -m benchmarks.copy_memory --size-mib 256 [--workdir DIR]

Prints one JSON line: size, growth in MiB and seconds of the cross-driver copy, and seconds of
the server-side copy. The issue's target: growth within 64 MiB for 256 MiB.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.memory_probe import growth_mib, write_source
from cloudstorage.drivers.local import LocalDriver
from tests.rigs.s3 import s3_driver
from tests.servers import start_moto


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        source_path = write_source(workdir, args.size_mib)
        local = LocalDriver(str(Path(workdir) / "store")).create_container("probe")
        source = local.upload_blob(source_path, "big.bin", meta_data={"k": "v"})
        with start_moto(Path(workdir)) as server:
            target = s3_driver(server).create_container("probe")
            results: dict[str, Any] = {"size_mib": args.size_mib}
            started = time.perf_counter()
            results["cross_driver_copy_mib"] = growth_mib(lambda: target.copy_blob(source))
            results["cross_driver_copy_s"] = round(time.perf_counter() - started, 2)
            copied = target.get_blob("big.bin")
            if copied.size != source.size or dict(copied.meta_data) != {"k": "v"}:
                raise RuntimeError(f"the copy is not the source: {copied.size} bytes")
            started = time.perf_counter()
            target.copy_blob(copied, "again.bin")
            results["server_side_copy_s"] = round(time.perf_counter() - started, 2)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
