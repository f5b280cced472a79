"""Large data: seed N rows (1M, 10M) of a realistic schema, against raw binary COPY, with peak RSS.

Schema: ``users``, ``accounts`` (owner -> users) and five app tables (``projects`` -> accounts,
``tasks`` -> projects, ``comments`` -> tasks and users, ``tags`` -> accounts, ``events`` ->
accounts, with ``jsonb``); rows split 5/5/10/30/30/5/15 %. Each measure runs in a child process of
its own (peak RSS = that child's ``ru_maxrss``), on a fresh database of the same server, one after
the other in one run; rows/s include the commit.

- supaseed: ``seed(plan, dsn)`` end to end (introspection, generation, binary COPY, commit), one
  connection (the engine today);
- raw binary COPY: the same tables filled with cheap generated values through psycopg's binary
  COPY, one connection, tables in FK order, streaming (no rows kept).

    .venv/bin/python bench/large_data.py [--dsn DSN] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid

import psycopg

SCHEMA = """
create table users (id uuid primary key, email text not null unique, full_name text not null,
  created_at timestamptz not null);
create table accounts (id uuid primary key, owner_id uuid not null references users (id),
  name text not null, created_at timestamptz not null);
create table projects (id uuid primary key, account_id uuid not null references accounts (id),
  name text not null, created_at timestamptz not null);
create table tasks (id uuid primary key, project_id uuid not null references projects (id),
  title text not null, done boolean not null, priority integer not null,
  created_at timestamptz not null);
create table comments (id uuid primary key, task_id uuid not null references tasks (id),
  author_id uuid not null references users (id), body text not null,
  created_at timestamptz not null);
create table tags (id uuid primary key, account_id uuid not null references accounts (id),
  label text not null);
create table events (id uuid primary key, account_id uuid not null references accounts (id),
  kind text not null, payload jsonb not null, created_at timestamptz not null);
"""
SHARES = {
    "users": 0.05,
    "accounts": 0.05,
    "projects": 0.10,
    "tasks": 0.30,
    "comments": 0.30,
    "tags": 0.05,
    "events": 0.15,
}


def counts(rows: int) -> dict[str, int]:
    """Rows per table for ``rows`` in all."""
    return {table: max(1, int(rows * share)) for table, share in SHARES.items()}


def fresh(admin: str, name: str) -> str:
    """A new database ``name`` with the schema; its DSN."""
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    dsn = psycopg.conninfo.make_conninfo(admin, dbname=name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return dsn


def child_supaseed(dsn: str, rows: int) -> None:
    """Seed with the plugin's engine."""
    from pytest_supaseed.seed import seed

    plan = {
        "seed": 1,
        "users": {"count": 0, "makerkit_test_users": False},
        "accounts": {"personal": False},
        "tables": {f"public.{t}": {"count": n} for t, n in counts(rows).items()},
    }
    seed(plan, dsn, progress=False)


def child_raw(dsn: str, rows: int) -> None:
    """Raw binary COPY of cheap values, tables in FK order, streaming."""
    import datetime as dt
    import random

    rng = random.Random(1)
    n = counts(rows)
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    def ids(table: str, i: int) -> uuid.UUID:
        return uuid.UUID(int=(hash(table) & 0xFFFF) << 64 | i)

    def pick(table: str) -> uuid.UUID:
        return ids(table, rng.randrange(n[table]))

    makers = {
        "users": (
            "id, email, full_name, created_at",
            ["uuid", "text", "text", "timestamptz"],
            lambda i: (ids("users", i), f"user{i}@example.com", f"User {i}", now),
        ),
        "accounts": (
            "id, owner_id, name, created_at",
            ["uuid", "uuid", "text", "timestamptz"],
            lambda i: (ids("accounts", i), pick("users"), f"Account {i}", now),
        ),
        "projects": (
            "id, account_id, name, created_at",
            ["uuid", "uuid", "text", "timestamptz"],
            lambda i: (ids("projects", i), pick("accounts"), f"Project {i}", now),
        ),
        "tasks": (
            "id, project_id, title, done, priority, created_at",
            ["uuid", "uuid", "text", "bool", "int4", "timestamptz"],
            lambda i: (ids("tasks", i), pick("projects"), f"Task {i}", i % 2 == 0, i % 5, now),
        ),
        "comments": (
            "id, task_id, author_id, body, created_at",
            ["uuid", "uuid", "uuid", "text", "timestamptz"],
            lambda i: (ids("comments", i), pick("tasks"), pick("users"), f"Comment {i}", now),
        ),
        "tags": (
            "id, account_id, label",
            ["uuid", "uuid", "text"],
            lambda i: (ids("tags", i), pick("accounts"), f"tag{i}"),
        ),
        "events": (
            "id, account_id, kind, payload, created_at",
            ["uuid", "uuid", "text", "jsonb", "timestamptz"],
            lambda i: (ids("events", i), pick("accounts"), "click", json.dumps({"i": i}), now),
        ),
    }
    with psycopg.connect(dsn) as conn:
        for table, (columns, types, make) in makers.items():
            with conn.cursor().copy(f"copy {table} ({columns}) from stdin (format binary)") as copy:
                copy.set_types(types)
                for i in range(n[table]):
                    copy.write_row(make(i))
        conn.commit()


def measure(kind: str, admin: str, rows: int) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one child run of ``kind``."""
    name = f"supaseed_bench_large_{uuid.uuid4().hex[:8]}"
    dsn = fresh(admin, name)
    try:
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--child-dsn", dsn, "--rows", str(rows)],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        if out.returncode != 0:
            sys.exit(f"{kind} failed:\n{out.stderr[-3000:]}")
        rss = float(out.stdout.strip().splitlines()[-1])
        with psycopg.connect(dsn) as conn:
            total = sum(
                int(conn.execute(f"select count(*) from {t}").fetchone()[0])  # type: ignore[index]
                for t in SHARES
            )
        assert total == sum(counts(rows).values()), (kind, total)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
    return seconds, rss


def main() -> None:
    """Parse arguments; run both measures (or be one child)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["supaseed", "raw"])
    parser.add_argument("--child-dsn")
    args = parser.parse_args()
    if args.child:
        (child_supaseed if args.child == "supaseed" else child_raw)(args.child_dsn, args.rows)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return
    total = sum(counts(args.rows).values())
    results = {kind: measure(kind, args.dsn, args.rows) for kind in ("raw", "supaseed")}
    load = os.getloadavg()
    print(f"{total:,} rows, 1 connection; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for kind, (seconds, rss) in results.items():
        print(
            f"{kind:<9} {seconds:7.1f} s  {total / seconds:10,.0f} rows/s  peak RSS {rss:6.0f} MB"
        )
    ratio = results["raw"][0] / results["supaseed"][0]
    print(f"supaseed / raw binary COPY: {ratio:.2f}x")


if __name__ == "__main__":
    main()
