"""Start a driver's loopback server, set up each workload's data, measure its rows, print a table.

    python -m benchmarks run --driver s3 [--quick] [--only put,get] [--json OUT]

Metrics are defined in benchmarks/README.md. Which rows a run has and their data are here;
running each (client, workload) in a fresh process, interleaved rep by rep against the same
server, and folding the reps into a row is `benchmarks.measure`'s. The ratio is ours / raw of
the medians.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.measure import ANCHORS, HEADER, RAW, ROOT, measure

MIB = 1 << 20


TARGET_ROWS = "put,overwrite,get_by_name,put_path,list,large,bulk"
"""``--targets``: the workloads of issue #19's target table (no anchors but obstore in bulk,
one listing of 50,000, the 512 MiB transfers the table names), and overwrites beside puts."""
TARGET_LARGE = {
    "s3": ("upload_path", "download_path"),
    "minio": ("upload_path", "download_path"),
    "swift": ("download_path",),
    "local": ("upload_stream",),
}
"""``--targets``: the 512 MiB transfers with a target, per driver (none elsewhere)."""

LABELS = {"get_by_name": "get_blob+download"}
"""Row labels of workloads whose name says less than the code they time."""

PANDAS_RUNS = 7
"""Worker runs per client for the pandas row: a read's wall time swings 2x run to run on a
shared machine, so the median needs more runs than the other rows."""


def plan(driver: str, quick: bool) -> dict:
    """Counts per workload: full fits ~10 minutes per driver on 2 shared cores."""
    small = 200 if quick else 2000
    lists = [500] if quick else [5000, 50000]
    return {
        "small": small,
        "get_blob": 100 if quick else 500,
        "anchor_small": 100 if quick else 500,  # anchors' small ops (0.11 takes ~35 ms/put)
        "reps": 2 if quick else 3,
        "lists": lists,
        "list_reps": 3,
        "large_mib": [8, 32] if quick else [64, 512],
        "bulk": 200 if quick else 2000,
        "bulk_reps": 2 if quick else 3,
        "pandas_rows": 200_000 if quick else 2_000_000,
        "pandas_reps": 3 if quick else 5,
        "list_sizes": [4096, 64 * MIB],  # local: listing cost vs blob size (sparse files)
    }


# -- servers ------------------------------------------------------------------------------------


@contextlib.contextmanager
def start_server(driver: str, workdir: Path) -> Iterator[dict]:
    """A loopback server for ``driver`` and the record the worker's clients connect with."""
    if driver in ("s3", "minio"):
        from tests.servers import start_moto  # noqa: PLC0415

        with start_moto(workdir) as moto:
            yield {"endpoint": moto.endpoint_url, "key": moto.access_key, "secret": moto.secret_key}
    elif driver == "gcs":
        from tests.rigs.gcs import token_endpoint, write_service_account  # noqa: PLC0415
        from tests.servers import start_fake_gcs  # noqa: PLC0415

        with token_endpoint() as token_uri, start_fake_gcs(workdir) as gcs:
            key = write_service_account(workdir / "service-account.json", token_uri)
            yield {"endpoint": gcs.endpoint_url, "credentials": str(key), "project": gcs.project}
    elif driver == "azure":
        from tests.servers import start_azurite  # noqa: PLC0415

        with start_azurite(workdir) as azurite:
            yield {
                "account": azurite.account_name,
                "key": azurite.account_key,
                "endpoint": azurite.blob_endpoint,
                "connection_string": azurite.connection_string,
            }
    elif driver == "swift":
        from tests.servers import start_swift  # noqa: PLC0415

        with start_swift(workdir) as swift:
            yield {"auth_url": swift.auth_url, "user": swift.user, "key": swift.key}
    elif driver == "local":
        yield {"root": str(workdir / "store")}
    else:
        raise SystemExit(f"unknown driver {driver!r}")


# -- data setup (untimed, through our bulk calls) ------------------------------------------------


def populate(driver, container: str, names: list[str], size: int, sparse_root: str | None) -> None:
    box = driver.create_container(container)
    if sparse_root:  # local: write the files directly (sparse for big sizes), with an xattr
        for name in names:
            path = os.path.join(sparse_root, container, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as file:
                file.truncate(size)
                os.setxattr(file.fileno(), "user.content-type", b"application/octet-stream")
        return
    data = os.urandom(size)
    for start in range(0, len(names), 5000):
        box.upload_blobs([(io.BytesIO(data), name) for name in names[start : start + 5000]])


def import_times(driver: str, reps: int = 7) -> list[dict]:
    """Median wall time of ``import X`` in a fresh interpreter (bytecode written), minus a bare
    interpreter's."""
    module = {
        "s3": "cloudstorage.drivers.amazon",
        "minio": "cloudstorage.drivers.minio",
        "gcs": "cloudstorage.drivers.google",
        "azure": "cloudstorage.drivers.microsoft",
        "local": "cloudstorage.drivers.local",
        "swift": "cloudstorage.drivers.rackspace",
    }[driver]
    raw = {"s3": "boto3", "minio": "boto3", "gcs": "google.cloud.storage"}.get(
        driver,
        {"azure": "azure.storage.blob", "swift": "openstack", "local": "os"}.get(driver, "os"),
    )
    statements = {"(bare interpreter)": "pass", "cloudstorage": "import cloudstorage"}
    statements[module] = f"import {module}"
    statements[raw] = f"import {raw}"
    samples: dict[str, list[float]] = {label: [] for label in statements}
    # An installed package imports from its bytecode: write it once (whatever
    # PYTHONDONTWRITEBYTECODE says), then time the imports that read it.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(statement: str) -> None:
        subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT, env=environment)

    for statement in statements.values():
        run(statement)
    for _ in range(reps):
        for label, statement in statements.items():
            start = time.perf_counter()
            run(statement)
            samples[label].append(time.perf_counter() - start)
    bare = statistics.median(samples["(bare interpreter)"])
    return [
        {"workload": "import", "client": label, "s": statistics.median(s) - bare}
        for label, s in samples.items()
        if label != "(bare interpreter)"
    ]


class Session:
    """One driver's run: its server, our driver on it, the clients, the rows measured."""

    def __init__(self, args, server: dict, workdir: Path) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _clients import make_driver  # noqa: PLC0415

        self.kind = args.driver
        self.counts = plan(self.kind, args.quick)
        if getattr(args, "count", None):  # small ops per rep (a shared machine's short run)
            self.counts["small"] = args.count
        if getattr(args, "reps", None):
            self.counts["reps"] = args.reps
        self.raw = RAW[self.kind]
        self.large_workloads: tuple[str, ...] = (
            "upload_path", "upload_stream", "download_path", "download_stream"
        )  # fmt: skip
        anchors = [] if args.no_anchors else list(ANCHORS)
        if getattr(args, "targets", False):  # issue #19's table: its rows and yardsticks only
            largest = self.counts["large_mib"][-1:]  # 512 MiB (32 with --quick)
            self.counts.update(lists=self.counts["lists"][-1:], large_mib=largest)
            self.counts["list_sizes"] = self.counts["list_sizes"][:1]
            self.large_workloads = TARGET_LARGE.get(self.kind, ())
            anchors = [anchor for anchor in anchors if anchor == "obstore"]
        if getattr(args, "lists", None):  # e.g. 5,000 where the emulator cannot hold 50,000
            self.counts["lists"] = [int(number) for number in args.lists.split(",")]
        if self.kind in ("gcs", "minio", "swift") and "cloudstorage-0.11" in anchors:
            # 0.11 cannot reach these at all (and `--targets` has dropped it already)
            anchors.remove("cloudstorage-0.11")
        self.everyone = ["ours", self.raw, *anchors]
        if getattr(args, "targets", False):
            self.everyone = ["ours", self.raw]  # obstore: the bulk rows only (`bulk`)
        self.obstore = "obstore" in anchors
        self.server, self.workdir = server, workdir
        self.driver = make_driver(self.kind, server)
        self.local_root = server.get("root")
        self.rows: list[dict] = []

    def measure(self, label: str, clients: list[str], reps: int, **spec) -> None:
        spec = {"driver": self.kind, "server": self.server, **spec}
        measure(label, clients, spec, reps, self.workdir, self.rows, self.raw)

    def small(self, want) -> None:
        """The 4 KiB rows: ``put`` creates blobs (a fresh folder per rep and client, named by
        the worker), ``overwrite`` replaces blobs stored here first, the gets read stored ones."""
        counts = self.counts
        names = [f"s/{i:05d}.bin" for i in range(counts["small"])]
        if any(map(want, ("get", "get_blob", "get_by_name"))):
            populate(self.driver, "bench-get", names, 4096, None)
        if want("overwrite"):
            populate(self.driver, "bench-overwrite", names, 4096, None)
        self.driver.create_container("bench-put")
        for workload, container, count in (
            ("put", "bench-put", counts["small"]),
            ("overwrite", "bench-overwrite", counts["small"]),
            ("get", "bench-get", counts["small"]),
            ("get_blob", "bench-get", counts["get_blob"]),
            ("get_by_name", "bench-get", counts["small"]),
        ):
            if want(workload):
                # overwrite: no target, ours and raw only (its cost is a documented trade-off)
                clients = ["ours", self.raw] if workload == "overwrite" else self.everyone
                self.measure(
                    f"{LABELS.get(workload, workload)} 4KiB", clients, counts["reps"],
                    workload=workload, container=container, count=count, prefix="s", size=4096,
                    anchor_count=counts["anchor_small"],
                )  # fmt: skip
        if self.local_root and want("put_path"):  # vs shutil.copyfile (the yardstick)
            for suffix, label in ((".txt", ".txt"), ("", "noext")):  # named type; bytes sniffed
                self.measure(
                    f"put_path 4KiB {label}", ["ours", self.raw], counts["reps"],
                    workload="put_path", container="bench-put", count=counts["small"],
                    prefix=f"p-{label.lstrip('.')}", size=4096, suffix=suffix,
                )  # fmt: skip

    def lists(self) -> None:
        sizes = self.counts["list_sizes"] if self.local_root else self.counts["list_sizes"][:1]
        reps = self.counts["list_reps"]
        for number in self.counts["lists"]:
            for size in sizes if number == self.counts["lists"][0] else sizes[:1]:
                box = f"bench-list-{number}-{size}"
                names = [f"d{i % 100:02d}/{i:06d}.bin" for i in range(number)]
                began = time.perf_counter()
                populate(self.driver, box, names, size, self.local_root)
                print(f"# populated {number} x {size} B in {time.perf_counter() - began:.0f} s")
                label = f"list {number}" + (f" x{size // 1024}KiB" if self.local_root else "")
                spec = {"workload": "list", "container": box, "count": 1}
                self.measure(label, self.everyone, reps, **spec)
                if size == sizes[0]:
                    self.measure(f"list {number} prefix 1%", self.everyone, reps,
                                 list_prefix="d07/", **spec)  # fmt: skip

    def large(self) -> None:
        if not self.large_workloads:
            return
        box = self.driver.create_container("bench-large")
        for mib in self.counts["large_mib"]:
            source = self.workdir / f"large-{mib}.bin"
            block = os.urandom(MIB)
            with source.open("wb") as file:
                for _ in range(mib):
                    file.write(block)
            box.upload_blob(str(source), blob_name=f"large-{mib}.bin")
            for workload in self.large_workloads:
                self.measure(
                    f"{workload} {mib}MiB", ["ours", self.raw], 1, workload=workload,
                    container="bench-large", source=str(source), blob=f"large-{mib}.bin",
                )  # fmt: skip
            source.unlink()

    def bulk(self) -> None:
        self.driver.create_container("bench-bulk")
        count = self.counts["bulk"]
        if count > self.counts["small"] or "bench-get" not in self.driver:
            names = [f"s/{i:05d}.bin" for i in range(count)]
            populate(self.driver, "bench-get", names, 4096, None)
        # the yardstick: the fastest of a raw thread pool and obstore, same run
        clients = ["ours", self.raw, *(["obstore"] if self.obstore else [])]
        for workload, container, prefix in (
            ("bulk_put", "bench-bulk", "b"),
            ("bulk_get", "bench-get", "s"),
            ("bulk_delete", "bench-bulk", "del"),
        ):
            self.measure(
                f"{workload} {count}x4KiB", clients, self.counts["bulk_reps"], workload=workload,
                container=container, count=count, prefix=prefix, size=4096,
            )  # fmt: skip

    def pandas(self) -> None:
        import pandas as pd  # noqa: PLC0415

        rows = self.counts["pandas_rows"]
        frame = pd.DataFrame({"a": range(rows), "b": [1.5] * rows, "c": ["x"] * rows})
        path = self.workdir / "frame.parquet"
        frame.to_parquet(path)
        box = self.driver.create_container("bench-pandas")
        box.upload_blob(str(path), blob_name="frame.parquet")
        mib = path.stat().st_size / MIB
        self.measure(
            f"pandas read_parquet {mib:.0f}MiB", ["ours", self.raw], PANDAS_RUNS, workload="pandas",
            container="bench-pandas", blob="frame.parquet", count=self.counts["pandas_reps"],
        )  # fmt: skip


def main(args) -> None:
    """Run every selected workload for ``args.driver``; print rows as they come."""
    # SIGTERM unwinds like Ctrl-C, so the servers' context managers stop them
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    chosen = args.only or (TARGET_ROWS if getattr(args, "targets", False) else None)
    only = set(chosen.split(",")) if chosen else None

    def want(name: str) -> bool:
        return only is None or name in only

    started, load = time.perf_counter(), [os.getloadavg()[0]]
    print(f"# driver {args.driver}  {'quick' if args.quick else 'full'}")
    print(f"# python {platform.python_version()}  {platform.machine()}  cpus {os.cpu_count()}")
    rows: list[dict] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-", dir=args.workdir) as tmp:
            workdir = Path(tmp)
            with start_server(args.driver, workdir) as server:
                session = Session(args, server, workdir)
                print(f"# counts {json.dumps(session.counts)}")  # with the options applied
                rows = session.rows
                print(HEADER)
                if want("import"):
                    for row in import_times(args.driver):
                        rows.append(row)
                        print(f"{'import':<26} {row['client']:<34} {row['s'] * 1e3:8.1f} ms")
                small = ("put", "overwrite", "get", "get_blob", "get_by_name", "put_path")
                if any(map(want, small)):
                    session.small(want)
                for name in ("list", "large", "bulk", "pandas"):
                    if want(name):
                        getattr(session, {"list": "lists"}.get(name, name))()
    finally:  # a failed run still leaves what it measured
        elapsed = time.perf_counter() - started
        print(f"# {args.driver}: {elapsed:.0f} s")
        if args.json:
            load.append(os.getloadavg()[0])  # the shared machine's load: at start and end
            out = {"driver": args.driver, "rows": rows, "seconds": elapsed, "load": load}
            out["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(out, indent=1))
