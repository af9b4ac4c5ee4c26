"""Create the anchors' virtual environments under ``.cache/bench-venvs/`` (never committed).

- ``anchors``: apache-libcloud and obstore (each benchmarked beside our driver where it can
  reach the loopback server), and python-swiftclient, Swift's raw client;
- ``cs011``: the old ``cloudstorage`` 0.11 with its amazon, local, google and microsoft
  extras. Its pinned dependencies need ``pip<24.1`` (newer pips reject its metadata).

    python -m benchmarks.setup_anchors [--only anchors|cs011]

A failed install is reported and leaves a ``FAILED`` file with pip's output tail in the venv;
the benchmark runner then skips that anchor with the reason.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".cache" / "bench-venvs"
SPECS: dict[str, list[list[str]]] = {
    "anchors": [
        ["apache-libcloud==3.9.1", "fasteners", "obstore==0.12.1", "python-swiftclient>=4.6,<5"]
    ],
    "cs011": [
        ["pip<24.1", "setuptools<70", "wheel"],
        ["cloudstorage[amazon,local,google,microsoft]==0.11.0"],
    ],
}


def python_of(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def failure(name: str) -> str | None:
    """Why the anchor venv ``name`` cannot be used, or None."""
    failed = VENVS / name / "FAILED"
    if failed.exists():
        return failed.read_text().strip().splitlines()[-1][:200]
    if not python_of(name).exists():
        return f"no venv at {VENVS / name} (run: python -m benchmarks.setup_anchors)"
    if not (VENVS / name / "OK").exists():
        return f"{VENVS / name} is incomplete (re-run python -m benchmarks.setup_anchors)"
    return None


def create(name: str) -> bool:
    target = VENVS / name
    if (target / "OK").exists():
        print(f"{name}: ready at {target}")
        return True
    (target / "FAILED").unlink(missing_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    for packages in SPECS[name]:
        result = subprocess.run(
            [str(python_of(name)), "-m", "pip", "install", "-q", *packages],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            tail = (result.stderr or result.stdout).strip().splitlines()[-15:]
            (target / "FAILED").write_text("\n".join([*tail, f"pip install {packages} failed"]))
            print(f"{name}: FAILED installing {packages}:\n  " + "\n  ".join(tail))
            return False
    (target / "OK").write_text("ok\n")
    print(f"{name}: ready at {target}")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SPECS))
    args = parser.parse_args()
    names = [args.only] if args.only else list(SPECS)
    results = [create(name) for name in names]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
