"""Resume: a 1,000,000-row resumable seed SIGKILLed twice at random points, resumed each time,
must end with the dump of an uninterrupted (all-or-nothing) run of the same plan and seed.

    .venv/bin/python bench/resume_kill.py [--dsn DSN] [--rows 1000000] [--kills 2] [--random 1]

Two databases on the server of DSN (default: the local PostgreSQL on :5432): ``..._ref`` seeded in
one go with ``supaseed seed --dsn``, ``..._run`` with ``--resumable``, killed (SIGKILL) once the
journal has committed a row count drawn from ``random.Random(--random)``, then ``--resume`` (killed
again, up to ``--kills`` times), then ``--resume`` to the end. Compares ``pg_dump`` of both: each
table's rows sorted (heap placement after a kill differs; see docs/production/hardening.md), and also says
whether the raw dumps are byte-identical. Prints the wall time of each run and the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from pytest_supaseed.backends.binaries import find_binaries

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
CLI = "import sys; from pytest_supaseed.cli import main; sys.exit(main())"


def dumps(dsn: str) -> tuple[str, str]:
    """(raw dump, dump with each table's rows sorted), without pg_dump's random restrict key."""
    out = subprocess.run(
        [find_binaries(None).tool("pg_dump"), "--no-owner", "-d", dsn],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    raw = [line for line in out.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))]
    lines: list[str] = []
    rows: list[str] | None = None
    for line in raw:
        if rows is not None and line == "\\.":
            lines += sorted(rows)
            rows = None
        if rows is not None:
            rows.append(line)
            continue
        lines.append(line)
        if line.startswith("COPY ") and line.endswith("FROM stdin;"):
            rows = []
    return "\n".join(raw), "\n".join(lines)


def committed(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        try:
            row = conn.execute(
                "select coalesce(sum(rows), 0) from supaseed_journal.step"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def command(plan: Path, dsn: str, *flags: str) -> list[str]:
    return [sys.executable, "-c", CLI, "seed", "--plan", str(plan), "--dsn", dsn, "--no-progress",
            "--rootdir", str(plan.parent), *flags]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--random", type=int, default=1)
    args = parser.parse_args()
    names = ["supaseed_bench_resume_ref", "supaseed_bench_resume_run"]
    # Both databases are copies of one with the schema, so their catalogs match exactly.
    template = "supaseed_bench_resume_schema"
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        version = conn.info.server_version
        for name in [*names, template]:
            conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{template}"')
        with psycopg.connect(make_conninfo(args.dsn, dbname=template), autocommit=True) as tpl:
            tpl.execute(SCHEMA)
        for name in names:
            conn.execute(f'create database "{name}" template "{template}"')
    ref, run = (make_conninfo(args.dsn, dbname=n) for n in names)
    workdir = Path(tempfile.mkdtemp(prefix="supaseed-resume-"))
    plan = workdir / "supaseed.toml"
    plan.write_text(
        f"seed = 21\n[tables.parents]\ncount = 100\n[tables.events]\ncount = {args.rows}\n"
    )
    try:
        print(f"server {version}, load average {os.getloadavg()[0]:.2f}, {args.rows:,} rows")
        start = time.perf_counter()
        subprocess.run(command(plan, ref), check=True, stdout=subprocess.DEVNULL)
        print(f"uninterrupted (one transaction): {time.perf_counter() - start:.1f} s")
        points = sorted(
            random.Random(args.random).sample(range(args.rows // 20, args.rows), args.kills)
        )
        flags = ["--resumable"]
        total = 0.0
        for point in points:
            start = time.perf_counter()
            process = subprocess.Popen(command(plan, run, *flags), stdout=subprocess.DEVNULL)
            while committed(run) < point:
                if process.poll() is not None:
                    raise SystemExit(
                        f"the run ended before {point} rows (exit {process.returncode})"
                    )
                time.sleep(0.02)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            total += time.perf_counter() - start
            print(f"{' '.join(flags)}: SIGKILL after {committed(run):,} committed rows "
                  f"(aimed at {point:,}), {time.perf_counter() - start:.1f} s")  # fmt: skip
            flags = ["--resume"]
        start = time.perf_counter()
        subprocess.run(command(plan, run, "--resume"), check=True, stdout=subprocess.DEVNULL)
        total += time.perf_counter() - start
        print(f"--resume to the end: {time.perf_counter() - start:.1f} s (all runs {total:.1f} s)")
        (ref_raw, ref_sorted), (run_raw, run_sorted) = dumps(ref), dumps(run)
        with psycopg.connect(run) as conn:
            count = conn.execute("select count(*) from events").fetchone()
            journal = conn.execute(
                "select count(*) from pg_namespace where nspname = 'supaseed_journal'"
            ).fetchone()
        print(
            f"rows in events: {count[0] if count else 0:,}; journal schema left: {bool(journal and journal[0])}"
        )
        print(f"dump (rows sorted per table) identical: {ref_sorted == run_sorted}")
        print(f"dump byte-identical (physical row order too): {ref_raw == run_raw}")
        print(f"load average {os.getloadavg()[0]:.2f}")
        if ref_sorted != run_sorted:
            raise SystemExit(1)
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            for name in [*names, template]:
                conn.execute(f'drop database if exists "{name}" with (force)')


if __name__ == "__main__":
    main()
