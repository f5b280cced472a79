"""Per-test cost of ``supaseed_db`` against pytest-postgresql's ``postgresql`` fixture, same run.

Both sides use the same embedded server and a template with the same content (the same migration
and seed plan). pytest-postgresql clones its template for every test (``CREATE DATABASE ...
TEMPLATE``) and drops it after; supaseed clones once per worker and rolls back per test.

Each per-test figure is pytest's own time for the test (setup + call + teardown, as its reports
give them), median over the tests of a run, with a ``select 1`` body so that only the fixture is
measured; the first test (which pays for session set-up) is left out. Wall-clock slopes of whole
subprocess runs are too noisy on this shared machine for sub-millisecond costs. Repetitions are
interleaved because this machine has phases where CREATE DATABASE runs slower.
Also measured: warm start to the first test (one seeded test against one plain test), and the
wall time of the supaseed tests under ``-n 2`` against ``-n 0``.

Run: ``python bench/surface_overhead.py [--tests 300] [--reps 3] [--rows 10000]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

MIGRATION = """\
create table public.items (
  id uuid primary key,
  owner_id uuid references auth.users (id),
  title text not null,
  body text,
  score integer not null,
  price numeric(10, 2),
  created_at timestamptz not null,
  tags text[]
);
"""

TEMPLATE = """\
description = "bench: users and {rows} items"
seed = 1

[users]
count = 20
makerkit_test_users = false

[accounts]
personal = false

[tables."public.items"]
count = {rows}
"""

CONFTEST = """\
import json
import os
from pathlib import Path

import psycopg
from pytest_postgresql import factories


def load(host, port, user, dbname, password, autocommit=False, **_):
    # The same content as supaseed's template: the Supabase layer, the migration, the same plan.
    from pytest_supaseed.backends.supabase import install_supabase_layer
    from pytest_supaseed.config import resolve_plan
    from pytest_supaseed.seed import seed

    dsn = f"host={host} port={port} user={user} dbname={dbname} password={password}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        install_supabase_layer(conn)
        conn.execute(Path("supabase/migrations/0001_items.sql").read_text())
    root = Path(__file__).parent
    seed(resolve_plan("bench", rootdir=root).plan, dsn, progress=False)


postgresql_noproc = factories.postgresql_noproc(
    host=os.environ["BENCH_HOST"], port=int(os.environ["BENCH_PORT"]), user="postgres",
    password=os.environ.get("BENCH_PASSWORD") or None, dbname="ppgbench", load=[load],
)
postgresql = factories.postgresql("postgresql_noproc")

_durations = {}


def pytest_runtest_logreport(report):
    # pytest's own timing of setup, call and teardown, at full precision, in test order.
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    if os.environ.get("BENCH_TIMES"):
        Path(os.environ["BENCH_TIMES"]).write_text(json.dumps(list(_durations.values())))
"""

TESTS = """\
import os
import pytest

N = int(os.environ.get("BENCH_COUNT", "20"))

@pytest.mark.supaseed("bench")
@pytest.mark.parametrize("i", range(N))
def test_supaseed(supaseed_db, i):
    assert supaseed_db.execute("select 1").fetchone() == (1,)

@pytest.mark.parametrize("i", range(N))
def test_peer(postgresql, i):
    assert postgresql.execute("select 1").fetchone() == (1,)

@pytest.mark.supaseed("bench")
def test_seeded_content(supaseed_db, postgresql):
    # Both fixtures see the same template content.
    query = "select count(*), sum(score) from items"
    assert supaseed_db.execute(query).fetchone() == postgresql.execute(query).fetchone()

@pytest.mark.parametrize("i", range(N))
def test_plain(i):
    assert i >= 0
"""


def bench_env(dsn: str) -> dict[str, str]:
    """``BENCH_PASSWORD`` for the fixtures that connect by hand: the embedded server asks every
    connection for its superuser password (scram-sha-256)."""
    from psycopg.conninfo import conninfo_to_dict

    return {"BENCH_PASSWORD": str(conninfo_to_dict(dsn).get("password") or "")}


def make_project(root: Path, rows: int) -> None:
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "0001_items.sql").write_text(MIGRATION)
    (root / "supaseed" / "templates").mkdir(parents=True)
    (root / "supaseed" / "templates" / "bench.toml").write_text(TEMPLATE.format(rows=rows))
    (root / "conftest.py").write_text(CONFTEST)
    (root / "test_bench.py").write_text(TESTS)


def run(root: Path, env: dict[str, str], count: int, *args: str) -> float:
    env = {**env, "BENCH_COUNT": str(count)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    done = subprocess.run([*cmd, *args], cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"pytest failed ({' '.join(args)}):\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return elapsed


def test_times(root: Path, env: dict[str, str], count: int, kind: str) -> tuple[float, float]:
    """(median per-test ms, first test ms) of ``test_<kind>``: pytest's own setup + call +
    teardown durations; the first test also pays for the session's set-up."""
    import json

    report = root / f"times-{kind}.json"
    run(root, {**env, "BENCH_TIMES": str(report)}, count, "-k", f"test_{kind}")
    times = json.loads(report.read_text())
    return statistics.median(times[1:]) * 1000, times[0] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    from pytest_supaseed.backends.embedded import start_embedded

    with tempfile.TemporaryDirectory(prefix="supaseed-bench-") as tmp:
        root = Path(tmp)
        make_project(root, args.rows)
        server = start_embedded(None, root)
        try:
            info = server.details
            env = dict(os.environ)
            env.update(bench_env(server.dsn))
            env.update(
                BENCH_HOST=info.get("host", "127.0.0.1"),
                BENCH_PORT=str(info.get("port")),
                SUPASEED_BACKEND="external",
                SUPASEED_DATABASE_URL=server.dsn,
            )
            # Warm up (builds both templates) and check both fixtures see the same data.
            run(root, env, 1, "-k", "test_seeded_content")

            per_test: dict[str, list[float]] = {"supaseed": [], "peer": [], "plain": []}
            first: dict[str, list[float]] = {"supaseed": [], "peer": [], "plain": []}
            for _ in range(args.reps):
                for kind in per_test:
                    median, first_ms = test_times(root, env, args.tests, kind)
                    per_test[kind].append(median)
                    first[kind].append(first_ms)

            starts: dict[str, list[float]] = {"supaseed": [], "plain": []}
            for _ in range(args.reps + 2):
                for kind in starts:
                    starts[kind].append(run(root, env, 1, "-k", f"test_{kind}"))

            serial, parallel = [], []
            for _ in range(args.reps):
                serial.append(run(root, env, args.tests, "-k", "test_supaseed", "-n", "0"))
                parallel.append(run(root, env, args.tests, "-k", "test_supaseed", "-n", "2"))
        finally:
            server.stop()

    med = {k: statistics.median(v) for k, v in per_test.items()}
    ours_net = med["supaseed"] - med["plain"]
    peer_net = med["peer"] - med["plain"]
    start_ours = statistics.median(starts["supaseed"])
    start_plain = statistics.median(starts["plain"])
    print(
        textwrap.dedent(
            f"""
            template: {args.rows} rows of an 8-column table + 20 users; {args.tests} tests per run;
            per-test time = pytest's setup + call + teardown, median over the run's tests, then the
            median of {args.reps} interleaved runs (ms per test, gross / net of a plain test)

            | fixture | per test, gross | per test, net of plain |
            | --- | ---: | ---: |
            | plain test (no fixture) | {med["plain"]:.2f} | - |
            | supaseed `supaseed_db` (clone per worker, rollback per test) | {med["supaseed"]:.2f} | {ours_net:.2f} |
            | pytest-postgresql `postgresql` (clone per test) | {med["peer"]:.2f} | {peer_net:.2f} |

            per-test overhead ratio, pytest-postgresql / supaseed (net): {peer_net / max(ours_net, 0.01):.0f}x
            warm start to the first test, in pytest (server start, base database and template
              lookup, worker clone, first transaction): {statistics.median(first["supaseed"]):.0f} ms
              (pytest-postgresql's first test: {statistics.median(first["peer"]):.0f} ms)
            whole run of one test (interpreter + plugins included): supaseed {start_ours:.2f} s,
              plain test {start_plain:.2f} s
            {args.tests} supaseed tests: -n 0 {statistics.median(serial):.2f} s, -n 2 {statistics.median(parallel):.2f} s
              (ratio -n 2 / -n 0: {statistics.median(parallel) / statistics.median(serial):.2f})
            """
        )
    )


if __name__ == "__main__":
    main()
