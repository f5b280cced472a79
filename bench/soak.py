"""Soak: 1,000 randomized tests under ``pytest -n 2`` (pytest-randomly order), zero leaked rows.

    .venv/bin/python bench/soak.py [--tests 1000] [--workers 2]

Writes a small Supabase project to a temporary directory (a ``notes`` table owned by auth users,
plan template ``soak``: 8 users, 40 notes) and a test module of ``--tests`` tests. Every test first
checks the counts it starts from (40 notes, 8 users, no row of any other test), then writes a random
number of rows (inserts, updates, deletes, a failing statement inside a savepoint), each test's own
``random.Random`` deciding; one test in ten runs with ``isolation="database"`` and commits. A single
leaked row from any earlier test fails the next test that sees it. Runs in its own cache directory
(a cold start: initdb, base and template databases are built once). Prints the outcome line, the
wall time and the load average; exits 1 unless every test passed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIGRATION = """\
create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id),
  title text not null unique,
  body text
);
"""
PLAN = """\
description = "soak: eight users, forty notes"
seed = 3
[users]
count = 8
makerkit_test_users = false
[accounts]
personal = false
[tables."public.notes"]
count = 40
"""
TESTS = """\
import random

import psycopg
import pytest

NOTES, USERS = 40, 8


def check_start(conn):
    assert conn.execute("select count(*) from notes").fetchone() == (NOTES,)
    assert conn.execute("select count(*) from auth.users").fetchone() == (USERS,)
    assert conn.execute("select count(*) from notes where title like 'soak-%'").fetchone() == (0,)


def churn(conn, rng, tag):
    owners = [r[0] for r in conn.execute("select id from auth.users order by id")]
    for i in range(rng.randint(1, 25)):
        conn.execute(
            "insert into notes (owner_id, title, body) values (%s, %s, %s)",
            (rng.choice(owners), f"soak-{tag}-{i}", "x" * rng.randint(0, 200)),
        )
    conn.execute("update notes set body = 'changed' where id %% %s = 0", (rng.randint(2, 7),))
    conn.execute("delete from notes where id in (select id from notes order by random() limit %s)",
                 (rng.randint(0, 5),))
    try:
        with conn.transaction():
            conn.execute("insert into notes (owner_id, title) values (%s, %s), (%s, %s)",
                         (owners[0], f"soak-{tag}-dup", owners[0], f"soak-{tag}-dup"))
    except psycopg.errors.UniqueViolation:
        pass


@pytest.mark.supaseed("soak")
@pytest.mark.parametrize("i", range({count}))
def test_soak(supaseed_db, i):
    check_start(supaseed_db)
    churn(supaseed_db, random.Random(i), i)


@pytest.mark.supaseed("soak", isolation="database")
@pytest.mark.parametrize("i", range({count_db}))
def test_soak_committed(supaseed_db, i):
    check_start(supaseed_db)
    churn(supaseed_db, random.Random(-i), f"db{{i}}")
    supaseed_db.commit()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="supaseed-soak-"))
    cache = Path(tempfile.mkdtemp(prefix="supaseed-soak-cache-", dir="/dev/shm"))
    os.chmod(root, 0o755)
    os.chmod(cache, 0o755)
    try:
        (root / "supabase" / "migrations").mkdir(parents=True)
        (root / "supabase" / "migrations" / "20240101000000_notes.sql").write_text(MIGRATION)
        (root / "supaseed" / "templates").mkdir(parents=True)
        (root / "supaseed" / "templates" / "soak.toml").write_text(PLAN)
        in_db = args.tests // 10
        (root / "test_soak.py").write_text(
            TESTS.replace("{count}", str(args.tests - in_db)).replace("{count_db}", str(in_db))
        )
        env = {**os.environ, "SUPASEED_CACHE_DIR": str(cache)}
        load = os.getloadavg()[0]
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-n",
                str(args.workers),
                "-p",
                "randomly",
                "-p",
                "no:cacheprovider",
                str(root / "test_soak.py"),
            ],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
        lines = out.stdout.strip().splitlines()
        print(
            "\n".join(
                line for line in lines if "passed" in line or "failed" in line or "seed" in line
            )
        )
        print(f"{args.tests} tests, -n {args.workers}: {elapsed:.1f} s; load average {load:.2f} -> "
              f"{os.getloadavg()[0]:.2f}")  # fmt: skip
        if out.returncode != 0:
            print(out.stdout[-5000:], out.stderr[-2000:])
            raise SystemExit(1)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pytest_supaseed.backends.embedded import reap_orphans;"
                "from pathlib import Path; reap_orphans(Path(sys.argv[1]))",
                str(cache),
            ],
            check=False,
        )
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
