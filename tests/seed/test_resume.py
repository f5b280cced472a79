"""Resumable seeding: SIGKILL mid-run, ``--resume``, and the dump equals an uninterrupted run's.

The kills land at points drawn from a seeded ``random.Random`` (a row count the journal must reach
first), never after a wall time. Dumps are compared with pg_dump of the server's own version, each
table's data lines in sorted order: where PostgreSQL places a row in the heap depends on its
free-space map, which a killed run (aborted rows, a new backend that resumes) leaves different, so
the *physical* order of rows can differ while every row, value, sequence and object is identical.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from dumps import dump
from psycopg.conninfo import make_conninfo

from pytest_supaseed.cli import main
from pytest_supaseed.errors import ConfigError
from pytest_supaseed.seed import seed
from pytest_supaseed.seed.journal import JOURNAL_SCHEMA

SCHEMA = """
create table parents (id serial primary key, name text not null unique);
create table events (
    id bigserial primary key,
    parent_id int not null references parents(id),
    code text not null unique,
    name text not null,
    amount numeric(10,2) not null check (amount > 0),
    created_at timestamptz not null,
    updated_at timestamptz,
    tags text[]
);
create function stamp() returns trigger language plpgsql as
  $$ begin new.updated_at := now(); return new; end $$;
create trigger events_stamp before insert on events for each row execute function stamp();
"""
ROWS = 50_000
PLAN = f"seed = 11\n[tables.parents]\ncount = 40\n[tables.events]\ncount = {ROWS}\n"


@pytest.fixture
def databases(pg_superuser_dsn: str) -> Iterator[tuple[str, str]]:
    """Two new databases with :data:`SCHEMA`: (reference, resumed)."""
    names = [f"supaseed_resume_{uuid.uuid4().hex[:10]}_{i}" for i in range(2)]
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f'create database "{name}"')
    dsns = [make_conninfo(pg_superuser_dsn, dbname=n) for n in names]
    for dsn in dsns:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(SCHEMA)
    try:
        yield dsns[0], dsns[1]
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            for name in names:
                conn.execute(f'drop database if exists "{name}" with (force)')


def committed_rows(dsn: str, conn: psycopg.Connection | None = None) -> int:
    """Rows the journal records as committed (through ``conn`` when given: an autocommit
    connection reused by a polling loop, rather than a new server process every 10 ms)."""
    if conn is None:
        with psycopg.connect(dsn, autocommit=True) as own:
            return committed_rows(dsn, own)
    try:
        row = conn.execute(f"select coalesce(sum(rows), 0) from {JOURNAL_SCHEMA}.step").fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row else 0


def seed_command(plan: Path, dsn: str, *flags: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from pytest_supaseed.cli import main; sys.exit(main())",
        "seed",
        "--plan",
        str(plan),
        "--dsn",
        dsn,
        "--rootdir",
        str(plan.parent),
        "--no-progress",
        *flags,
    ]


def kill_when(command: list[str], dsn: str, rows: int) -> int:
    """Run ``command``; SIGKILL it once the journal records ``rows`` committed rows. Returns the
    rows committed when it died."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with psycopg.connect(dsn, autocommit=True) as poll:
            while committed_rows(dsn, poll) < rows:
                if process.poll() is not None:
                    raise AssertionError(
                        f"the seed ended before {rows} rows: {process.stderr.read().decode()}"  # type: ignore[union-attr]
                    )
                time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    return committed_rows(dsn)


def test_killed_twice_and_resumed_gives_the_uninterrupted_dump(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    reference, resumed = databases
    plan = tmp_path / "supaseed.toml"
    plan.write_text(PLAN)
    assert main(["seed", "--plan", str(plan), "--dsn", reference, "--no-progress"]) == 0
    points = sorted(random.Random(14).sample(range(5_000, ROWS - 5_000), 2))
    first = kill_when(seed_command(plan, resumed, "--resumable"), resumed, points[0])
    second = kill_when(seed_command(plan, resumed, "--resume"), resumed, points[1])
    assert first < second < ROWS + 40  # the second run continued: no batch was written twice
    with psycopg.connect(resumed) as conn:
        assert conn.execute("select count(*) from events").fetchone()[0] == second - 40  # type: ignore[index]
    done = subprocess.run(
        seed_command(plan, resumed, "--resume"), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    # SeedResult.summary(): one line per table, "  <table>  <rows>[  <seconds> s]", padded
    assert re.search(rf"^ +public\.events +{ROWS}( +[0-9.]+ s)?$", done.stdout, re.M), done.stdout
    # the journal is ours, not the app's: never listed, never counted as made by triggers
    assert "supaseed_journal" not in done.stdout
    assert "made by triggers" not in done.stdout
    assert dump(resumed) == dump(reference)


def test_resume_refuses_another_seed_and_rollback_removes_the_run(
    databases: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, target = databases
    plan = tmp_path / "supaseed.toml"
    plan.write_text(PLAN)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("insert into parents (name) values ('kept')")
        before = dump(target)
    kill_when(seed_command(plan, target, "--resumable"), target, 10_000)
    # a second --resumable, and a --resume with another seed, are refused with the way out
    assert main(["seed", "--plan", str(plan), "--dsn", target, "--resumable"]) == 1
    assert "continue it with --resume, or remove what it wrote with --rollback" in (
        capsys.readouterr().err
    )
    with pytest.raises(ConfigError, match="another plan or seed"):
        seed(
            {"seed": 12, "tables": {"parents": {"count": 40}, "events": {"count": ROWS}}},
            target,
            resume=True,
        )
    assert main(["seed", "--plan", str(plan), "--dsn", target, "--rollback"]) == 0
    assert "rows removed" in capsys.readouterr().out
    assert dump(target) == before  # the pre-existing row kept, sequences back, journal gone
    assert main(["seed", "--plan", str(plan), "--dsn", target, "--rollback"]) == 1
    assert "no resumable seeding run to roll back" in capsys.readouterr().err
