"""Render `run --json` files as the Markdown tables of RESULTS.md.

python -m benchmarks.report .cache/bench-results/s3.json [...]
"""

from __future__ import annotations

import json
import math
import sys


def spread_of(row: dict) -> str:
    """The lowest and highest ratio of one rep to the raw client's rep beside it."""
    if "ratio_min" not in row or row.get("runs") == 1:
        return "1 rep"
    return f"{row['ratio_min']:.2f}..{row['ratio_max']:.2f}"


def table(result: dict) -> str:
    lines = [
        f"### {result['driver']} ({result['seconds']:.0f} s)",
        "",
        "| workload | client | ms/op | ratio | spread | cpu ms/op | req/op | peak+MiB | rss MiB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        if row["workload"] == "import":
            lines.append(f"| import | `{row['client']}` | {row['s'] * 1e3:.0f} | | | | | | |")
        elif "skipped" in row:
            lines.append(f"| {row['workload']} | {row['client']} | skipped: {row['skipped']} |")
        else:
            requests = row["req_per_op"]
            shown = "n/a" if math.isnan(requests) else f"{requests:.2f}"
            ratio = f"{row['ratio']:.2f}" if "ratio" in row else ""
            spread = spread_of(row) if "ratio" in row else ""
            lines.append(
                f"| {row['workload']} | {row['client']} | {row['s_per_op'] * 1e3:.3f} | {ratio}"
                f" | {spread}"
                f" | {row['cpu_per_op'] * 1e3:.3f} | {shown} | {row['peak_growth_mib']:.1f}"
                f" | {row['rss_mib']:.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    for path in sys.argv[1:]:
        with open(path) as file:
            print(table(json.load(file)))
            print()


if __name__ == "__main__":
    main()
