"""Run one (client, workload) job in a fresh worker process; fold reps into one row per client.

Used by `benchmarks.run`: ``measure`` runs a spec for each client, rep after rep interleaved
(so a noisy neighbour hits every client alike), and summarises the reps as the medians that
the table prints (`format_row`, `HEADER`; the columns are defined in benchmarks/README.md).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks import setup_anchors

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "_worker.py"
RAW = {
    "s3": "boto3",
    "minio": "boto3",
    "gcs": "google-cloud-storage",
    "azure": "azure-storage-blob",
    "local": "os+xattr",
    "swift": "swiftclient",
}
"""The raw client of each driver: the denominator of every ratio."""
ANCHORS = {"obstore": "anchors", "libcloud": "anchors", "cloudstorage-0.11": "cs011"}
VENV_OF = {**ANCHORS, "swiftclient": "anchors"}  # clients run from a benchmark venv


def interpreter(client: str) -> tuple[str | None, str | None]:
    """(python, None) for a client, or (None, why it is skipped)."""
    if client not in VENV_OF:
        return sys.executable, None
    venv = VENV_OF[client]
    reason = setup_anchors.failure(venv)
    if reason and client in (*RAW.values(), "obstore") and _importable(client):
        # a raw client (or obstore, which needs nothing else) installed beside ours
        return sys.executable, None
    if reason:
        return None, f"anchor venv {venv!r} unusable: {reason}"
    return str(setup_anchors.python_of(venv)), None


def _importable(client: str) -> bool:
    import importlib.util  # noqa: PLC0415

    module = {"swiftclient": "swiftclient"}.get(client, client)
    return importlib.util.find_spec(module) is not None


WORKER_TIMEOUT = 900
"""Seconds one job may take (Azurite deletes 2,000 blobs beside 50,000 in more)."""


def run_worker(spec: dict, workdir: Path) -> dict:
    """Run one job in a fresh process with its client's interpreter; its RESULT record."""
    python, reason = interpreter(spec["client"])
    if python is None:
        return {"skipped": reason}
    if spec["client"] not in VENV_OF:
        spec = {**spec, "repo_root": str(ROOT)}
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps({**spec, "scratch": str(workdir)}))
    env = {**os.environ, "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false", "PYTHONHASHSEED": "0"}
    try:
        done = subprocess.run(
            [python, str(WORKER), str(spec_path)],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(workdir),
            check=False,
            timeout=WORKER_TIMEOUT,
        )
    except subprocess.TimeoutExpired:  # the row is skipped, the driver's other rows still run
        return {"skipped": f"timed out after {WORKER_TIMEOUT} s"}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"skipped": f"failed: {tail[:160]}"}


def measure(label, clients, spec, reps, workdir, rows, raw):
    """Run ``spec`` for each client, ``reps`` times interleaved; append one row per client.

    Each job carries its ``rep`` (0, 1, ...): a workload that must not find its names from an
    earlier rep (``put``: blobs created, not overwritten) names them after it."""
    runs: dict[str, list[dict]] = {client: [] for client in clients}
    for rep in range(reps):
        for client in clients:
            if runs[client] and "skipped" in runs[client][-1]:
                continue
            job = {**spec, "client": client, "rep": rep}
            if client in ANCHORS and spec.get("anchor_count"):  # per-op figures, fewer ops
                job["count"] = min(job["count"], spec["anchor_count"])
            runs[client].append(run_worker(job, workdir))
    summary = {}
    for client, results in runs.items():
        ok = [r for r in results if "skipped" not in r]
        if not ok:
            summary[client] = {"skipped": results[-1]["skipped"]}
            continue
        ops = ok[0]["ops"]
        summary[client] = {
            "s_per_op": statistics.median(r["wall"] / ops for r in ok),
            "cpu_per_op": statistics.median(r["cpu"] / ops for r in ok),
            "req_per_op": statistics.median(r["requests"] / ops for r in ok),
            "peak_growth_mib": max(r["peak_growth_mib"] for r in ok),
            "rss_mib": statistics.median(r["rss_mib"] for r in ok),
            "runs": len(ok),
            **({"listed": ok[0]["listed"]} if "listed" in ok[0] else {}),
        }
    base = summary.get(raw, {}).get("s_per_op")
    for client, row in summary.items():
        if base and "s_per_op" in row:
            row["ratio"] = row["s_per_op"] / base
            # spread: the ratio of each rep to the raw client's rep run beside it
            pairs = zip(runs[client], runs[raw], strict=False)
            each = [
                (a["wall"] / a["ops"]) / (b["wall"] / b["ops"])
                for a, b in pairs
                if "wall" in a and "wall" in b
            ]
            if each:
                row["ratio_min"], row["ratio_max"] = min(each), max(each)
        rows.append({"workload": label, "client": client, **row})
        print(format_row(rows[-1]), flush=True)


def format_row(row: dict) -> str:
    """One printed line of the table (`HEADER`'s columns)."""
    head = f"{row['workload']:<26} {row['client']:<21}"
    if "skipped" in row:
        return f"{head} skipped: {row['skipped']}"
    ratio = f"{row['ratio']:6.2f}" if "ratio" in row else "     -"
    if row["client"] == "obstore":  # Rust HTTP client: the Python-side counter cannot see it
        row["req_per_op"] = float("nan")
    return (
        f"{head} {row['s_per_op'] * 1e3:10.3f} {ratio} {row['cpu_per_op'] * 1e3:9.3f}"
        f" {row['req_per_op']:8.2f} {row['peak_growth_mib']:8.1f} {row['rss_mib']:7.1f}"
    )


HEADER = (
    f"{'workload':<26} {'client':<21} {'ms/op':>10} {'ratio':>6} {'cpu ms/op':>9}"
    f" {'req/op':>8} {'peak+MiB':>8} {'rss MiB':>7}"
)
