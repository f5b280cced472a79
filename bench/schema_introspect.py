"""Schema introspection speed: introspect() on a generated 500-table schema.

Measured side by side in one run, on the same server and connection:
- ``select 1``: one round trip, the unit everything is expressed in;
- ``introspect()``: the whole Schema (tables, columns, keys, uniques, checks, foreign keys, enums,
  triggers, policies, functions), one query per catalog;
- a naive reader issuing one ``information_schema.columns`` query per table (what the per-table
  approach costs for columns alone).
Each figure is the median of ``--repeat`` runs.

    .venv/bin/python bench/schema_introspect.py [--dsn DSN] [--tables 500] [--repeat 7]

Without ``--dsn`` it starts the plugin's own embedded server (what tests use, PostgreSQL 17 when
the embedded binaries are installed) for a throw-away project and stops it afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from pytest_supaseed.schema import insert_order, introspect

DB_NAME = "supaseed_bench_introspect"


def schema_sql(tables: int) -> str:
    """DDL of ``tables`` tables: identity keys, varchar/numeric/enum/array columns, uniques, a
    partial unique index, checks, foreign keys to earlier tables (and to themselves), triggers
    and RLS policies on some, so every catalog query has real work."""
    parts = [
        "create function public.touch() returns trigger language plpgsql as "
        "$$ begin new.updated_at := now(); return new; end $$;"
    ]
    for e in range(10):
        parts.append(
            f"create type public.status_{e} as enum ('draft', 'live', 'archived', 'e{e}');"
        )
    for i in range(tables):
        fks = ""
        if i:
            fks += f", parent_id bigint references public.t{i // 2:04d} (id) on delete cascade"
        if i % 7 == 0:
            fks += f", previous_id bigint references public.t{i:04d} (id)"
        parts.append(
            f"""create table public.t{i:04d} (
  id bigint generated always as identity primary key,
  name varchar({50 + i % 200}) not null,
  slug text not null unique,
  status public.status_{i % 10} not null default 'draft',
  amount numeric(12, 2) check (amount >= 0),
  tags text[] default '{{}}',
  meta jsonb not null default '{{}}'::jsonb,
  owner uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz{fks}
);
create unique index t{i:04d}_owner_live on public.t{i:04d} (owner) where status = 'live';"""
        )
        if i % 5 == 0:
            parts.append(
                f"create trigger t{i:04d}_touch before update on public.t{i:04d} "
                f"for each row execute function public.touch();\n"
                f"alter table public.t{i:04d} enable row level security;\n"
                f"create policy t{i:04d}_read on public.t{i:04d} for select using (status = 'live');"
            )
    return "\n".join(parts)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=None, help="superuser DSN (default: embedded server)")
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if args.dsn is not None:
        run(args, args.dsn, "--dsn")
        return
    from pytest_supaseed.backends.embedded import start_embedded

    with tempfile.TemporaryDirectory() as project:
        handle = start_embedded(rootdir=Path(project))
        try:
            run(args, str(handle.dsn), "embedded")
        finally:
            handle.stop()


def run(args: argparse.Namespace, admin_dsn: str, server: str) -> None:
    """Build the schema in a scratch database on ``admin_dsn``, measure, print, drop it."""
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{DB_NAME}" with (force)')
        admin.execute(f'create database "{DB_NAME}"')
    dsn = make_conninfo(admin_dsn, dbname=DB_NAME)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            with conn.transaction():
                conn.execute(schema_sql(args.tables))
            conn.execute("analyze")
            introspect(conn)  # warm the catalog caches once, like every later run

            round_trip = median_ms(lambda: conn.execute("select 1").fetchone(), args.repeat * 20)
            whole = median_ms(lambda: introspect(conn), args.repeat)
            schema = introspect(conn)
            order = median_ms(lambda: insert_order(schema), args.repeat)
            names = [t.name for t in schema.tables.values()]

            def naive() -> None:
                for name in names:
                    conn.execute(
                        "select column_name, data_type, is_nullable, column_default "
                        "from information_schema.columns "
                        "where table_schema = 'public' and table_name = %s order by ordinal_position",
                        [name],
                    ).fetchall()

            per_table = median_ms(naive, max(1, args.repeat // 2))
            version = conn.info.server_version
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{DB_NAME}" with (force)')

    columns = sum(len(t.columns) for t in schema.tables.values())
    fks = sum(len(t.foreign_keys) for t in schema.tables.values())
    print(
        f"Schema introspection, {len(schema.tables)} tables, {columns} columns, {fks} foreign keys, "
        f"PostgreSQL {version // 10000}.{version % 100} ({server}), median of {args.repeat}"
    )
    print(f"{'measure':<48}{'ms':>10}{'x select 1':>12}")
    for label, ms in (
        ("select 1 round trip", round_trip),
        ("introspect() whole schema", whole),
        ("insert_order() on it (pure Python)", order),
        ("naive: information_schema.columns per table", per_table),
    ):
        print(f"{label:<48}{ms:>10.2f}{ms / round_trip:>12.0f}")
    print(
        f"per-table reader (columns only) / introspect() (everything): {per_table / whole:.2f}; "
        f"introspect() per table: {whole / len(schema.tables):.2f} ms"
    )


if __name__ == "__main__":
    main()
