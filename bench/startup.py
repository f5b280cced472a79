"""Start-up benchmark: from nothing to the first query, embedded backend vs a plain initdb + pg_ctl.

Run: ``.venv/bin/python bench/startup.py [--repeat 5]``. Every variant runs in the same process,
interleaved, so machine noise hits them alike; the table reports medians and ratios to the plain
``initdb`` + ``pg_ctl start -w`` baseline. Data directories live where the plugin puts them
(tmpfs ``/dev/shm`` when present) so that only the method differs.

Variants:
- plain: ``initdb`` + ``pg_ctl start -w`` + connect + ``select 1`` (as ``nobody`` when root);
- cold: ``start_embedded`` with an empty cache (runs initdb once, copies it, starts postgres);
- new project: the initdb cache exists, this project's cluster does not (a copy + start);
- warm: this project's persistent cluster exists (the usual case: restart it);
- pytest warm: a whole ``pytest`` run of one ``supaseed_db`` test vs one plain test (overhead);
- per test: what ``supaseed_db`` costs each test once the server runs (a reused connection reset
  with one message: ROLLBACK + what a rollback leaves behind) next to opening a new connection per test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from pytest_supaseed.backends.binaries import find_binaries, runnable_by
from pytest_supaseed.backends.embedded import cache_root, free_port, run_as, start_embedded
from pytest_supaseed.lifecycle.base import ensure_base_database
from pytest_supaseed.lifecycle.connections import (
    ReusedConnection,
    test_transaction,
    worker_database,
)


def _first_query(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("select 1").fetchone()


def plain_initdb_pg_ctl(base: Path) -> float:
    """initdb + pg_ctl start -w + first query; returns seconds (stop and cleanup not counted)."""
    owner = run_as()
    bins = find_binaries()
    if owner is not None:
        bins = runnable_by(bins, owner.uid, owner.gid, cache_root())
    kwargs = owner.popen_kwargs() if owner else {}
    data = Path(tempfile.mkdtemp(prefix="plain-", dir=base))
    if owner is not None:
        os.chown(data, owner.uid, owner.gid)
    port = free_port()
    env = {**os.environ, "LC_ALL": "C"}
    t0 = time.perf_counter()
    subprocess.run(
        [
            bins.tool("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        env=env,
        **kwargs,
    )
    subprocess.run(
        [
            bins.tool("pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(data / "log"),
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
        env=env,
        **kwargs,
    )
    _first_query(f"postgresql://postgres@127.0.0.1:{port}/postgres")
    elapsed = time.perf_counter() - t0
    subprocess.run(
        [bins.tool("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
        check=True,
        capture_output=True,
        env=env,
        **kwargs,
    )
    shutil.rmtree(data, ignore_errors=True)
    return elapsed


def embedded(cache: Path, project: Path) -> float:
    """start_embedded + first query with SUPASEED_CACHE_DIR=cache; returns seconds."""
    os.environ["SUPASEED_CACHE_DIR"] = str(cache)
    t0 = time.perf_counter()
    handle = start_embedded(rootdir=project)
    _first_query(handle.dsn)
    elapsed = time.perf_counter() - t0
    handle.stop()
    return elapsed


def pytest_run(folder: Path, test: str) -> float:
    (folder / "test_x.py").write_text(test)
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            str(folder),
        ],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    return time.perf_counter() - t0


def per_test(project: Path, rounds: int = 500) -> dict[str, float]:
    """Median seconds of one test's transaction: reused connection vs a new one each time."""
    handle = start_embedded(rootdir=project)
    try:
        base = ensure_base_database(handle, project)
        with worker_database(handle, base, "bench") as dsn:
            reused = ReusedConnection(dsn)
            samples: dict[str, list[float]] = {"reused connection": [], "new connection": []}
            for _ in range(rounds):
                for name, target in (("reused connection", reused), ("new connection", dsn)):
                    t0 = time.perf_counter()
                    with test_transaction(target) as conn:
                        conn.execute("select 1").fetchone()
                    samples[name].append(time.perf_counter() - t0)
            reused.close()
    finally:
        handle.stop()
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    work = Path(tempfile.mkdtemp(prefix="supaseed-bench-", dir=base))
    os.chmod(work, 0o755)
    results: dict[str, list[float]] = {k: [] for k in ("plain", "cold", "new project", "warm")}
    pytest_results: dict[str, list[float]] = {"plain test": [], "supaseed_db test": []}
    saved_env = os.environ.get("SUPASEED_CACHE_DIR")
    try:
        warm_cache = work / "warm-cache"
        embedded(
            warm_cache, work / "warm-project"
        )  # prepare: initdb cache + the persistent cluster
        pj = work / "pytest-project"
        pj.mkdir()
        pytest_run(pj, "def test_x(supaseed_db):\n    supaseed_db.execute('select 1')\n")
        for i in range(args.repeat):
            steps: list[tuple[str, Callable[[], float]]] = [
                ("plain", lambda: plain_initdb_pg_ctl(work)),
                ("cold", lambda i=i: embedded(work / f"cold-{i}", work / "p")),
                ("new project", lambda i=i: embedded(warm_cache, work / f"new-{i}")),
                ("warm", lambda: embedded(warm_cache, work / "warm-project")),
            ]
            for name, step in steps:
                results[name].append(step())
            pytest_results["plain test"].append(pytest_run(pj, "def test_x():\n    pass\n"))
            pytest_results["supaseed_db test"].append(
                pytest_run(pj, "def test_x(supaseed_db):\n    supaseed_db.execute('select 1')\n")
            )
        per_test_results = per_test(Path(__file__).resolve().parents[1] / "example_project")
    finally:
        if saved_env is None:
            os.environ.pop("SUPASEED_CACHE_DIR", None)
        else:
            os.environ["SUPASEED_CACHE_DIR"] = saved_env
        shutil.rmtree(work, ignore_errors=True)

    plain = statistics.median(results["plain"])
    print(f"start-up to first query, median of {args.repeat} interleaved runs, data on {base}")
    print("| variant | median | min-max | ratio to plain initdb + pg_ctl |")
    print("| --- | --- | --- | --- |")
    for name, values in results.items():
        med = statistics.median(values)
        print(
            f"| {name} | {med * 1000:.0f} ms | {min(values) * 1000:.0f}-{max(values) * 1000:.0f} ms "
            f"| {med / plain:.2f} |"
        )
    base_run = statistics.median(pytest_results["plain test"])
    print()
    print("| whole pytest run | median | ratio to a plain one-test run |")
    print("| --- | --- | --- |")
    for name, values in pytest_results.items():
        med = statistics.median(values)
        print(f"| {name} | {med * 1000:.0f} ms | {med / base_run:.2f} |")
    new = per_test_results["new connection"]
    print()
    print("| per test (example_project, 500 rounds) | median | ratio to a new connection |")
    print("| --- | --- | --- |")
    for name, med in per_test_results.items():
        print(f"| {name} | {med * 1000:.2f} ms | {med / new:.2f} |")


if __name__ == "__main__":
    main()
