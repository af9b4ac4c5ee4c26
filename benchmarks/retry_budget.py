"""Attempts and time to give up under a persistent 503, per driver, with its default options.

Metric: for one lookup of an existing blob (``container.get_blob``) and one existence check
(``name in container``) through a `FaultProxy` that answers every request for that blob with
503 (S3's SlowDown body for the S3 family): the requests the proxy saw for the blob, the wall
time until the call raised (or answered), and what it raised or answered. Real backoffs, no
test shortcuts. Run with ``.venv/bin/python -m benchmarks.retry_budget [RIG ...]
[--retries N]`` from the repository root (default: every cloud rig, default options).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.rigs import RigPool, ServerPool
from tests.rigs.proxied import CLOUD_FAMILY as CLOUD_RIGS
from tests.rigs.proxied import proxied_driver, upstream
from tests.servers.fault_proxy import S3_SLOW_DOWN, FaultProxy

BUSY = {"s3": S3_SLOW_DOWN, "minio": S3_SLOW_DOWN, "digitalocean": S3_SLOW_DOWN}


def measure(name: str, options: dict[str, Any]) -> list[tuple[str, int, float, str]]:
    """(call, attempts, seconds, outcome) for the lookup and the existence check."""
    workdir = Path(tempfile.mkdtemp(prefix=f"retry-budget-{name}-"))
    rows = []
    with ServerPool(workdir) as servers:
        rigs = RigPool(servers)
        rig = rigs.get(name)
        proxy = FaultProxy(upstream(rig, servers))
        stops: list[Any] = []
        try:
            driver = proxied_driver(rig, proxy.url, servers, stops, **options)
            container = rig.driver.create_container(f"budget-{int(time.time() * 1000)}")
            container.upload_blob(io.BytesIO(b"x" * 1000), blob_name="b.bin")
            theirs = driver.get_container(container.name)
            status, headers, body = BUSY.get(name, (503, {}, b"busy"))
            for call, action in (
                ("get_blob", lambda: theirs.get_blob("b.bin")),
                ("in", lambda: "b.bin" in theirs),
            ):
                proxy.clear()
                proxy.fail("*", rf"/{container.name}/(o/)?b\.bin", 10_000, status, headers, body)
                started = time.monotonic()
                try:
                    outcome = repr(action())
                except Exception as exc:
                    outcome = type(exc).__name__
                rows.append((call, proxy.count("fail"), time.monotonic() - started, outcome))
        finally:
            for stop in stops:
                stop()
            proxy.close()
            rigs.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rigs", nargs="*", default=list(CLOUD_RIGS))
    parser.add_argument("--retries", type=int, default=None)
    args = parser.parse_args()
    options = {} if args.retries is None else {"retries": args.retries}
    print("| driver | call | attempts | seconds to give up | outcome |")
    print("| --- | --- | --- | --- | --- |")
    for name in args.rigs:
        for call, attempts, seconds, outcome in measure(name, options):
            print(f"| {name} | {call} | {attempts} | {seconds:.1f} | {outcome} |", flush=True)


if __name__ == "__main__":
    main()
