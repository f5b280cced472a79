"""Large data: seed N rows (1M, 10M) of a realistic schema, against raw binary COPY, with peak RSS.

Schema: ``users``, ``accounts`` (owner -> users) and five app tables (``projects`` -> accounts,
``tasks`` -> projects, ``comments`` -> tasks and users, ``tags`` -> accounts, ``events`` ->
accounts, with ``jsonb``); rows split 5/5/10/30/30/5/15 %. Each measure runs in a child process of
its own (peak RSS = that child's ``ru_maxrss``), on a fresh database of the same server, one after
the other in one run; rows/s include the commit.

- supaseed: ``seed(plan, dsn, jobs=J)`` end to end (introspection, generation, binary COPY,
  commit) on J connections (tables of one FK wave at once: seed/parallel.py);
- raw binary COPY: the same tables filled with cheap generated values through psycopg's binary
  COPY, streaming (no rows kept), on the same J connections: the same waves (users; accounts;
  events, projects, tags; tasks; comments), each table one COPY and one commit on a thread and
  connection of its own;
- raw binary COPY of the same rows: the rows supaseed wrote, dumped (``copy ... to stdout (format
  binary)``, not timed) and written back the same way on the same J connections and waves: the
  server does exactly the work it did for supaseed and the client only reads files, so this ratio
  is what supaseed costs beyond writing its rows (its anchor, as the users bench's).

Each (rows, jobs) pair runs raw, raw with scattered keys, supaseed, then the same rows, side by
side; a ratio is the anchor's seconds / supaseed's seconds. Peak RSS is the child's (threads included). CPU: the child's own (user + system, threads
included, from ``getrusage``) and its server backends' (``/proc/<pid>/stat`` of every backend
connected to the bench database, sampled every 0.1 s while the child runs; the server's background
processes are not counted), each in microseconds per row.

    .venv/bin/python bench/large_data.py [--dsn DSN] [--rows 1000000 10000000] [--jobs 1 2]

``--per-parent`` measures one big child table under ``count_per_parent`` instead: ``tasks`` gets
N/10 rows and ``comments`` 5-15 rows per task (N in all, about), supaseed only, on one
connection: its rows/s and peak RSS.

    .venv/bin/python bench/large_data.py --per-parent --rows 10000000

``--profile`` runs supaseed once in this process under cProfile on one connection (the profiler
sees one thread) and prints where the client's time goes: the functions with the most own time,
and the time spent waiting for the server (psycopg's wait functions) apart.

    .venv/bin/python bench/large_data.py --profile --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

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


def waves() -> list[list[str]]:
    """The tables in the waves the engine writes them in (seed/parallel.py: plan_waves)."""
    return [["users"], ["accounts"], ["events", "projects", "tags"], ["tasks"], ["comments"]]


def child_supaseed(dsn: str, rows: int, jobs: int) -> None:
    """Seed with the plugin's engine."""
    from pytest_supaseed.seed import seed

    plan = {
        "seed": 1,
        "users": {"count": 0, "makerkit_test_users": False},
        "accounts": {"personal": False},
        "tables": {f"public.{t}": {"count": n} for t, n in counts(rows).items()},
    }
    seed(plan, dsn, progress=False, jobs=jobs)


def child_per_parent(dsn: str, rows: int) -> None:
    """Seed ``comments`` under ``count_per_parent`` of ``tasks`` (5-15 each)."""
    from pytest_supaseed.seed import seed

    small = {f"public.{t}": {"count": 1000} for t in ("users", "accounts", "projects")}
    plan = {
        "seed": 1,
        "users": {"count": 0, "makerkit_test_users": False},
        "accounts": {"personal": False},
        "tables": {
            **small,
            "public.tasks": {"count": rows // 10},
            "public.comments": {"count_per_parent": {"task_id": {"min": 5, "max": 15}}},
        },
    }
    seed(plan, dsn, progress=False, jobs=1)


def child_raw(dsn: str, rows: int, jobs: int, scattered: bool = False) -> None:
    """Raw binary COPY of cheap values, tables in FK waves, streaming, ``jobs`` connections; keys
    in insert order (each index appended to), or ``scattered`` over the key space as random
    uuids are (each insert lands on a random index page, as supaseed's uuid keys do)."""
    import datetime as dt
    import random
    from concurrent.futures import ThreadPoolExecutor

    n = counts(rows)
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    def ids(table: str, i: int) -> uuid.UUID:
        prefix = sum(table.encode()) & 0xFFFF
        if scattered:
            return uuid.UUID(int=((i * 0x9E3779B97F4A7C15 + prefix) & 0xFFFFFFFFFFFFFFFF) << 64 | i)
        return uuid.UUID(int=prefix << 64 | i)

    def makers(rng: random.Random) -> dict[str, tuple[str, list[str], Any]]:
        def pick(table: str) -> uuid.UUID:
            return ids(table, rng.randrange(n[table]))

        return {
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

    def fill(table: str) -> None:
        columns, types, make = makers(random.Random(table))[table]
        with psycopg.connect(dsn) as conn:
            with conn.cursor().copy(f"copy {table} ({columns}) from stdin (format binary)") as copy:
                copy.set_types(types)
                for i in range(n[table]):
                    copy.write_row(make(i))
            conn.commit()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for wave in waves():
            list(pool.map(fill, wave))


def dump_rows(dsn: str, folder: Path) -> None:
    """Every bench table of ``dsn`` in binary COPY format, one file per table in ``folder``
    (what :func:`child_raw_same` writes back)."""
    with psycopg.connect(dsn) as conn:
        for table in SHARES:
            with (
                (folder / f"{table}.bin").open("wb") as out,
                conn.cursor().copy(f"copy {table} to stdout (format binary)") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)


def child_raw_same(dsn: str, folder: Path, jobs: int) -> None:
    """Raw binary COPY of the very rows supaseed wrote (dumped by :func:`dump_rows`): the same
    waves on ``jobs`` connections, each table one COPY streamed from its file and one commit.
    The server does exactly the work it did for supaseed; the client only reads files."""
    from concurrent.futures import ThreadPoolExecutor

    def fill(table: str) -> None:
        with psycopg.connect(dsn) as conn:
            with (
                conn.cursor().copy(f"copy {table} from stdin (format binary)") as copy,
                (folder / f"{table}.bin").open("rb") as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            conn.commit()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for wave in waves():
            list(pool.map(fill, wave))


class BackendCpu(threading.Thread):
    """CPU seconds (user + system) of the server backends connected to database ``name``, read
    from ``/proc/<pid>/stat`` every 0.1 s until :meth:`stop` (a backend's last sample counts)."""

    def __init__(self, admin: str, name: str) -> None:
        super().__init__(daemon=True)
        self.admin, self.name = admin, name
        self.seen: dict[int, float] = {}
        self.done = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            while not self.done.wait(0.1):
                pids = conn.execute(
                    "select pid from pg_stat_activity where datname = %s", [self.name]
                ).fetchall()
                for (pid,) in pids:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue  # gone, or another host's server: nothing to read
                    self.seen[pid] = (int(fields[11]) + int(fields[12])) / self.tick

    def stop(self) -> float:
        """Stop sampling; the backends' CPU seconds."""
        self.done.set()
        self.join()
        return sum(self.seen.values())


def measure(
    kind: str, admin: str, rows: int, jobs: int, rows_dir: Path | None = None
) -> tuple[float, float, int, float, float]:
    """Seconds, peak RSS (MB), rows written, client CPU seconds and server backends' CPU seconds
    of one child run of ``kind``. ``rows_dir``: for ``supaseed``, where to dump the rows it wrote
    (after the measure); for ``raw-same``, where to read them from."""
    name = f"supaseed_bench_large_{uuid.uuid4().hex[:8]}"
    dsn = fresh(admin, name)
    backends = BackendCpu(admin, name)
    backends.start()
    try:
        started = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                kind,
                "--child-dsn",
                dsn,
                "--rows",
                str(rows),
                "--jobs",
                str(jobs),
                *(["--child-rows-dir", str(rows_dir)] if kind == "raw-same" and rows_dir else []),
            ],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        server_cpu = backends.stop()
        if out.returncode != 0:
            sys.exit(f"{kind} failed:\n{out.stderr[-3000:]}")
        *_, cpu_line, rss_line = out.stdout.strip().splitlines()
        rss, client_cpu = float(rss_line), float(cpu_line.split()[1])
        with psycopg.connect(dsn) as conn:
            total = sum(
                int(conn.execute(f"select count(*) from {t}").fetchone()[0])  # type: ignore[index]
                for t in SHARES
            )
        assert kind == "per-parent" or total == sum(counts(rows).values()), (kind, total)
        if kind == "supaseed" and rows_dir is not None:
            dump_rows(dsn, rows_dir)  # not timed
    finally:
        backends.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
    return seconds, rss, total, client_cpu, server_cpu


def profile(admin: str, rows: int) -> None:
    """cProfile of one supaseed run on one connection: own time by function, waits apart."""
    import cProfile
    import pstats

    name = f"supaseed_bench_large_{uuid.uuid4().hex[:8]}"
    dsn = fresh(admin, name)
    try:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        cpu = time.process_time()
        profiler.runcall(child_supaseed, dsn, rows, 1)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in entries.values())
    waits = sum(
        tt
        for (path, _, func), (_, _, tt, _, _) in entries.items()
        if ("psycopg" in path and "wait" in func) or func in ("<built-in method select.poll>",)
    )
    print(
        f"{rows:,} rows, 1 connection, profiler on: {wall:.1f} s wall, {cpu:.1f} s CPU of this "
        f"process, {total:.1f} s profiled, of which {waits:.1f} s waiting for the server"
    )
    stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    """Parse arguments; run every measure (or be one child)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument(
        "--jobs",
        type=int,
        nargs="+",
        default=None,
        help="connections (default: 1 and the engine's automatic choice, min(cores, 3))",
    )
    parser.add_argument(
        "--per-parent",
        action="store_true",
        help="one child table of about N rows under count_per_parent (supaseed only)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one supaseed run")
    parser.add_argument(
        "--child", choices=["supaseed", "raw", "raw-scattered", "raw-same", "per-parent"]
    )
    parser.add_argument("--child-dsn")
    parser.add_argument("--child-rows-dir", type=Path)
    args = parser.parse_args()
    if args.child:
        if args.child == "supaseed":
            child_supaseed(args.child_dsn, args.rows[0], args.jobs[0])
        elif args.child == "per-parent":
            child_per_parent(args.child_dsn, args.rows[0])
        elif args.child == "raw-same":
            child_raw_same(args.child_dsn, args.child_rows_dir, args.jobs[0])
        else:
            child_raw(args.child_dsn, args.rows[0], args.jobs[0], args.child == "raw-scattered")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(f"cpu {usage.ru_utime + usage.ru_stime:.3f}")
        print(usage.ru_maxrss / 1024)
        return
    jobs = args.jobs or sorted({1, min(os.cpu_count() or 1, 3)})
    print(
        f"cores {os.cpu_count()}; load average at start {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    if args.profile:
        profile(args.dsn, args.rows[0])
        return
    if args.per_parent:
        print(f"{'rows':>12} {'supaseed rows/s':>15} {'peak RSS':>9} {'load':>5}")
        for rows in args.rows:
            seconds, rss, total, _, _ = measure("per-parent", args.dsn, rows, 1)
            print(
                f"{total:>12,} {total / seconds:>15,.0f} {rss:>7.0f}MB {os.getloadavg()[0]:>5.1f}",
                flush=True,
            )
        return
    print(
        f"{'rows':>12} {'conns':>5} {'raw rows/s':>11} {'scattered':>10} {'same rows':>10} "
        f"{'supaseed':>10} {'ratio':>6} {'ratio/sc':>8} {'ratio/same':>10} {'raw RSS':>8} "
        f"{'supaseed RSS':>12} {'load':>5}"
    )
    for rows in args.rows:
        total = sum(counts(rows).values())
        for j in jobs:
            raw = measure("raw", args.dsn, rows, j)
            scattered = measure("raw-scattered", args.dsn, rows, j)
            with tempfile.TemporaryDirectory(prefix="supaseed-bench-rows-") as folder:
                ours = measure("supaseed", args.dsn, rows, j, Path(folder))
                same = measure("raw-same", args.dsn, rows, j, Path(folder))
            print(
                f"{total:>12,} {j:>5} {total / raw[0]:>11,.0f} {total / scattered[0]:>10,.0f} "
                f"{total / same[0]:>10,.0f} {total / ours[0]:>10,.0f} {raw[0] / ours[0]:>5.2f}x "
                f"{scattered[0] / ours[0]:>7.2f}x {same[0] / ours[0]:>9.2f}x {raw[1]:>6.0f}MB "
                f"{ours[1]:>10.0f}MB {os.getloadavg()[0]:>5.1f}",
                flush=True,
            )
            cpu = "  ".join(
                f"{label} client {m[3] / total * 1e6:.1f} + server {m[4] / total * 1e6:.1f} us/row "
                f"({m[4] / m[0]:.2f} cores)"
                for label, m in (
                    ("raw", raw),
                    ("scattered", scattered),
                    ("same rows", same),
                    ("supaseed", ours),
                )
            )
            print(f"{'':>12} CPU: {cpu}", flush=True)


if __name__ == "__main__":
    main()
