"""Streaming: 1,000,000 rows into one table, peak RSS of the seeding process.

Rows are generated in batches of 10,000 and streamed into COPY, so memory stays flat however many
rows a table gets. Prints the process's peak RSS (``ru_maxrss``) before and after seeding.

    .venv/bin/python bench/seed_memory.py [--dsn DSN] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import resource
import time

import psycopg

from pytest_supaseed.seed import seed

TABLE = """
create table events (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    description text,
    created_at timestamptz not null default now(),
    amount numeric(10,2) not null check (amount > 0),
    quantity integer not null,
    active boolean not null,
    tags text[]
)
"""


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    name = "supaseed_bench_memory"
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    dsn = psycopg.conninfo.make_conninfo(args.dsn, dbname=name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(TABLE)
        before = peak_mb()
        start = time.perf_counter()
        result = seed({"seed": 1, "tables": {"events": {"count": args.rows}}}, dsn)
        elapsed = time.perf_counter() - start
        with psycopg.connect(dsn) as conn:
            row = conn.execute("select count(*) from events").fetchone()
        counted = row[0] if row else 0
        print(
            f"{result.rows['public.events']:,} rows written ({counted:,} counted) in {elapsed:.1f} s"
        )
        print(f"  {result.rows['public.events'] / elapsed:,.0f} rows/s end to end")
        print(f"  peak RSS before seeding {before:.0f} MB, after {peak_mb():.0f} MB (limit 200 MB)")
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


if __name__ == "__main__":
    main()
