"""CI sharding benchmark: what one CI job costs for example_project, split or not, cold or warm.

Run: ``.venv/bin/python bench/ci_shards.py`` (as in CI: each job starts from an empty cache root
unless it restores one). Every scenario runs in this one process, one after the other, on a copy
of ``example_project``; times are wall seconds of whole ``pytest`` commands, printed with the load
average so that they are read as ratios on the machine they ran on.

Scenarios (each job: ``pytest -n 2``):
- one job, embedded, cold: an empty cache root (initdb, base database, every template built);
- one job, embedded, warm: an empty cache root after ``supaseed cache import`` of the first
  job's export (the import's own time reported beside it);
- 2 shards (pytest-split ``--splits 2 --group N``, durations from the cold run), embedded, cold:
  each shard a job of its own; CI time = the slower shard;
- 2 shards by path (a plain matrix: half of the test files each), embedded, cold;
- 2 shards, external server (a Postgres service container; here the :5432 one), cold: the
  project's base and template databases are dropped before each shard.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = "postgresql://postgres@127.0.0.1:5432/postgres"
CLI = ("-c", "from pytest_supaseed.cli import main; raise SystemExit(main())")


def _cache() -> Path:
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None
    path = Path(tempfile.mkdtemp(prefix="supaseed-ci-bench-", dir=shm))
    os.chmod(path, 0o755)
    return path


def _run(project: Path, cache: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SUPASEED_"))}
    env["SUPASEED_CACHE_DIR"] = str(cache)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 5):
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    return seconds


def _pytest(project: Path, cache: Path, *args: str) -> float:
    return _run(project, cache, "-m", "pytest", "-q", "-p", "no:randomly", "-n", "2", *args)


def _drop_project_caches() -> None:
    from pytest_supaseed.lifecycle.databases import drop_database, list_databases

    # Only what this bench made: the databases of example_project's content are named by hash.
    for name in list_databases(EXTERNAL):
        if name.startswith(("supaseed_base_", "supaseed_tpl_")) and name in _made:
            drop_database(EXTERNAL, name)


_made: set[str] = set()


def main() -> None:
    """Run every scenario and print a table."""
    work = Path(tempfile.mkdtemp(prefix="supaseed-ci-bench-proj-"))
    project = work / "example_project"
    shutil.copytree(ROOT / "example_project", project)
    caches: list[Path] = []
    rows: list[tuple[str, str]] = []
    try:
        files = sorted(
            p.relative_to(project).as_posix() for p in (project / "tests").glob("test_*.py")
        )
        half = [files[0::2], files[1::2]]

        cold = _cache()
        caches.append(cold)
        t_cold = _pytest(project, cold, "--store-durations", "-p", "no:cacheprovider")
        rows.append(("one job, embedded, cold cache", f"{t_cold:.1f}"))

        bundle = work / "bundle"
        t_export = _run(project, cold, *CLI, "cache", "export", str(bundle))
        warm = _cache()
        caches.append(warm)
        t_import = _run(project, warm, *CLI, "cache", "import", str(bundle))
        t_warm = _pytest(project, warm, "-p", "no:cacheprovider")
        rows.append(("  cache export (after the cold job)", f"{t_export:.1f}"))
        rows.append(
            ("one job, embedded, warm (cache import + run)", f"{t_import:.1f} + {t_warm:.1f}")
        )

        for label, shard_args in (
            ("2 shards, pytest-split, embedded, cold", [["--splits", "2", "--group", "1"], ["--splits", "2", "--group", "2"]]),
            ("2 shards by path, embedded, cold", half),
        ):  # fmt: skip
            times = []
            for args in shard_args:
                cache = _cache()
                caches.append(cache)
                times.append(_pytest(project, cache, "-p", "no:cacheprovider", *args))
            rows.append((label, f"max({', '.join(f'{t:.1f}' for t in times)}) = {max(times):.1f}"))

        from pytest_supaseed.lifecycle.databases import list_databases

        before = set(list_databases(EXTERNAL))
        times = []
        for args in half:
            _drop_project_caches()
            cache = _cache()
            caches.append(cache)
            times.append(
                _pytest(
                    project,
                    cache,
                    "-p",
                    "no:cacheprovider",
                    "--supaseed-backend",
                    "external",
                    "--supaseed-dsn",
                    EXTERNAL,
                    *args,
                )
            )
            _made.update(set(list_databases(EXTERNAL)) - before)
        _drop_project_caches()
        rows.append(
            (
                "2 shards by path, external :5432 (service container), cold",
                f"max({', '.join(f'{t:.1f}' for t in times)}) = {max(times):.1f}",
            )
        )
    finally:
        from pytest_supaseed.backends.embedded import reap_orphans

        for cache in caches:
            reap_orphans(cache)
            shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(
        f"example_project, pytest -n 2 per job; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"{'scenario':<62} seconds")
    for label, value in rows:
        print(f"{label:<62} {value}")
    with psycopg.connect(EXTERNAL) as conn:
        conn.execute("select 1")


if __name__ == "__main__":
    main()
