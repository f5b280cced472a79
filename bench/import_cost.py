"""Import cost of the plugin and of an xdist worker's path, this tree against an anchor commit.

    python bench/import_cost.py [--anchor REV] [--runs N]

The anchor's ``pytest_supaseed/`` is extracted with ``git archive`` into a temporary folder and
put first on ``PYTHONPATH``; each import set then runs ``--runs`` times in fresh interpreters,
anchor and this tree alternating, with ``-X importtime`` and bytecode caches on (``PYTHONDONTWRITEBYTECODE``
removed from the environment, one warm-up run each). Printed per set: the median of the summed
top-level cumulative import times, the number of ``pytest_supaseed`` modules loaded, whether the
seeding engine and httpx were loaded, the ratio this tree / anchor, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What a plain ``pytest`` run imports of ours, and what an xdist worker that clones a template
#: database imports (the pytest layer, the worker's session, the ``supaseed`` fixture's object).
SETS = {
    "plugin": ["pytest_supaseed.plugin"],
    "worker": [
        "pytest_supaseed.plugin",
        "pytest_supaseed.run_state",
        "pytest_supaseed.fixtures",
        "pytest_supaseed.marker",
        "pytest_supaseed.lifecycle.session",
        "pytest_supaseed.lifecycle.connections",
        "pytest_supaseed.testing.supaseed",
    ],
}

PROBE = (
    "import sys; {imports}; "
    "print(sum(m.startswith('pytest_supaseed') for m in sys.modules), "
    "'pytest_supaseed.seed.engine' in sys.modules, 'httpx' in sys.modules)"
)


def _extract(rev: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", rev, "pytest_supaseed"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _run(modules: list[str], pythonpath: str | None) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = PROBE.format(imports="; ".join(f"import {m}" for m in modules))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tempfile.gettempdir(),  # not ROOT: this tree must come from PYTHONPATH or the venv
    )
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line.split(":", 1)[1].split("|")
        if not parts[2].startswith("  "):  # top level: the name is indented by one space only
            total += int(parts[1])
    return total / 1000, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchor", default="main", help="the commit to compare with")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _extract(args.anchor, Path(tmp))
        trees = {"anchor": tmp, "this": str(ROOT)}
        print(f"anchor {args.anchor}; {args.runs} runs each; load {os.getloadavg()}")
        for name, modules in SETS.items():
            times: dict[str, list[float]] = {t: [] for t in trees}
            facts = {}
            for path in trees.values():
                _run(modules, path)  # warm-up: writes the bytecode caches
            for _ in range(args.runs):
                for tree, path in trees.items():
                    ms, facts[tree] = _run(modules, path)
                    times[tree].append(ms)
            medians = {t: statistics.median(v) for t, v in times.items()}
            for tree in trees:
                modules_loaded, engine, httpx = facts[tree].split()
                print(
                    f"{name:7} {tree:6} {medians[tree]:7.1f} ms  {modules_loaded:>3} modules  "
                    f"engine={engine} httpx={httpx}"
                )
            print(f"{name:7} ratio  {medians['this'] / medians['anchor']:.2f}x")
        print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
