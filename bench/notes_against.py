"""The notes app (examples/notes), warm and cold, this checkout against an earlier commit, side by side.

    .venv/bin/python bench/notes_against.py --commit e83e888 [--rounds 5]

Each side runs its own commit's ``examples/notes`` with ``python -m pytest -q -p no:cacheprovider``
in a venv of its own (pytest-supaseed ``[hypothesis,asyncio]`` + pytest-xdist, as the app's README
says to install it; made once under ``--venvs`` like ``bench/run_all.py``'s), with
PYTHONDONTWRITEBYTECODE=1 and its own ``SUPASEED_CACHE_DIR`` on tmpfs. Warm = the side's cache
filled by a run before; cold = an empty cache (initdb, cluster, base database, template databases).
Rounds interleave the sides (warm, cold per side); the table gives medians (min-max), the ratio now /
commit, and cold / warm, with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from run_all import (
    REPO,
    cache_dir,
    interleave,
    load1,
    make_venv,
    median,
    py,
    spread,
    timed_run,
    venvs,
)


def commit_venv(root: Path, commit: str) -> tuple[Path, Path]:
    """The venv with ``commit``'s code and that commit's source folder (extracted once)."""
    source = root / f"source-{commit}"
    if not source.exists():
        source.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", commit], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    venv = make_venv(root, f"notes-{commit}", [f"{source}[hypothesis,asyncio]", "pytest-xdist"])
    return venv, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--commit", required=True, help="the earlier commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--venvs", type=Path, default=Path.home() / ".cache" / "supaseed-bench")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", args.commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    old_venv, old_source = commit_venv(args.venvs, commit)
    sides = {
        commit: (old_venv, old_source / "examples" / "notes"),
        "now": (venvs(args.venvs, {"now_notes"})["now_notes"], REPO / "examples" / "notes"),
    }
    cmd = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]

    def run(side: str, cache: Path) -> float:
        venv, project = sides[side]
        env = {**os.environ, "SUPASEED_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}
        return timed_run([py(venv), *cmd], project, env)

    def warm(side: str) -> Callable[[], float]:
        cache = cache_dir(f"against-{'old' if side == commit else 'now'}")
        return lambda: run(side, cache)

    def cold(side: str) -> Callable[[], float]:
        def once() -> float:
            with tempfile.TemporaryDirectory(prefix="cold-", dir=cache_dir("")) as tmp:
                Path(tmp).chmod(0o777)
                return run(side, Path(tmp))

        return once

    variants: dict[str, Callable[[], float]] = {}
    for side in sides:
        variants[f"{side} warm"] = warm(side)
        variants[f"{side} cold"] = cold(side)
        variants[f"{side} warm"]()  # fills the side's cache: what "warm" means
    before = load1()
    times = interleave(variants, args.rounds)
    after = load1()
    print(
        f"notes app, {args.rounds} interleaved rounds, PYTHONDONTWRITEBYTECODE=1, load average "
        f"(1 min) {before:.2f} -> {after:.2f} on {os.cpu_count()} cores\n"
    )
    print(f"| run | {commit} | now | now / {commit} |")
    print("| --- | ---: | ---: | ---: |")
    for kind in ("warm", "cold"):
        old, new = times[f"{commit} {kind}"], times[f"now {kind}"]
        print(
            f"| {kind} | {spread(old)} s | {spread(new)} s | **{median(new) / median(old):.2f}** |"
        )
    old_ratio = median(times[f"{commit} cold"]) / median(times[f"{commit} warm"])
    new_ratio = median(times["now cold"]) / median(times["now warm"])
    print(f"| cold / warm | {old_ratio:.2f} | {new_ratio:.2f} | |")


if __name__ == "__main__":
    main()
