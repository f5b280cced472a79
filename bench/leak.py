"""Leak check: seed the same plan 50 times in one process; the resident set must stay flat.

    .venv/bin/python bench/leak.py [--dsn DSN] [--times 50] [--rows 20000]

Each round seeds a fresh copy of one database (the Supabase layer plus a ``notes`` table) with the
same plan: 50 auth users and ``--rows`` notes. The RSS (``/proc/self/statm``) after round 5 (caches
warm: Faker, vocabularies, psycopg adapters) is the baseline; growth to the last round must stay
under 10 %. Exits 1 when it does not.
"""

from __future__ import annotations

import argparse
import gc
import os
import time

import psycopg
from psycopg.conninfo import make_conninfo

from pytest_supaseed.backends.supabase import install_supabase_layer
from pytest_supaseed.seed import seed

SCHEMA = """
create table public.notes (
    id bigint generated always as identity primary key,
    owner_id uuid not null references auth.users (id),
    title text not null,
    body text,
    created_at timestamptz not null default now()
);
"""
WARM = 5


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--times", type=int, default=50)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    plan = {
        "seed": 5,
        "users": {"count": 50, "makerkit_test_users": False},
        "accounts": {"personal": False},
        "tables": {"public.notes": {"count": args.rows}},
    }
    template, target = "supaseed_bench_leak_schema", "supaseed_bench_leak"
    with psycopg.connect(args.dsn, autocommit=True) as admin:
        for name in (target, template):
            admin.execute(f'drop database if exists "{name}" with (force)')
        admin.execute(f'create database "{template}"')
        with psycopg.connect(make_conninfo(args.dsn, dbname=template), autocommit=True) as conn:
            install_supabase_layer(conn)
            conn.execute(SCHEMA)
        print(f"load average {os.getloadavg()[0]:.2f}; {args.times} rounds of {args.rows:,} notes")
        samples: list[float] = []
        start = time.perf_counter()
        try:
            for round_ in range(1, args.times + 1):
                admin.execute(f'drop database if exists "{target}" with (force)')
                admin.execute(f'create database "{target}" template "{template}"')
                result = seed(plan, make_conninfo(args.dsn, dbname=target), progress=False)
                del result
                gc.collect()
                samples.append(rss_mb())
                if round_ in (1, WARM) or round_ % 10 == 0:
                    print(f"  round {round_:>3}: RSS {samples[-1]:.1f} MB")
        finally:
            for name in (target, template):
                admin.execute(f'drop database if exists "{name}" with (force)')
    base, last = samples[WARM - 1], samples[-1]
    growth = (last - base) / base * 100
    print(
        f"RSS after round {WARM} {base:.1f} MB, after round {args.times} {last:.1f} MB: "
        f"{growth:+.1f} % (limit +10 %); {time.perf_counter() - start:.0f} s; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if growth >= 10:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
