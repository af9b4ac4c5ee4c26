"""``python -m benchmarks run --driver s3 [--quick]`` / ``setup-anchors`` / ``results [--run]``.

Older single-purpose probes stay runnable on their own: ``python -m benchmarks.memory_probe``,
``benchmarks.gcs_requests``, ``benchmarks.azure_requests``, ``benchmarks.swift_memory`` and
``benchmarks/s3_small_and_large.py``; `run` measures the same things for every driver.
"""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the benchmarks for one driver")
    run.add_argument(
        "--driver", required=True, choices=["local", "s3", "minio", "gcs", "azure", "swift"]
    )
    run.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    run.add_argument(
        "--only",
        help="comma list of: import,put,overwrite,get,get_blob,get_by_name,put_path,list,large,"
        "bulk,pandas",
    )
    run.add_argument(
        "--targets",
        action="store_true",
        help="only the rows of issue #19's target table (full counts, fewer rows; see README)",
    )
    run.add_argument("--count", type=int, help="small puts/gets per rep (default 2,000)")
    run.add_argument("--reps", type=int, help="reps of the small workloads (default 3)")
    run.add_argument("--lists", help="comma list of listing sizes (default 5000,50000)")
    run.add_argument("--no-anchors", action="store_true", help="skip obstore, libcloud, 0.11")
    run.add_argument("--json", help="also write the rows to this JSON file")
    run.add_argument("--workdir", help="where servers and data live (default: a temp dir)")
    commands.add_parser("setup-anchors", help="create the anchors' venvs in .cache/bench-venvs")
    commands.add_parser("results", help="regenerate RESULTS.md and the plot (see --help)")
    if sys.argv[1:2] == ["results"]:
        from benchmarks import results  # noqa: PLC0415

        results.main(sys.argv[2:])
        return
    args = parser.parse_args()
    if args.command == "setup-anchors":
        from benchmarks import setup_anchors  # noqa: PLC0415

        sys.argv = sys.argv[:1]
        setup_anchors.main()
    else:
        from benchmarks import run as runner  # noqa: PLC0415

        runner.main(args)


if __name__ == "__main__":
    main()
