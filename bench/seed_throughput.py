"""Seeding throughput: supaseed end to end vs raw binary COPY vs Faker-per-value + executemany.

All three fill the same 8-column table with 100,000 rows, side by side in one run, on the same
server; each measure includes its commit and is the median of ``--repeat`` runs. Also compares the
cost per value of Faker, Faker without weighting, mimesis and supaseed's pool sampling.

    .venv/bin/python bench/seed_throughput.py [--dsn DSN] [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg

from pytest_supaseed.generate.values import Choice
from pytest_supaseed.generate.vocab import vocabulary
from pytest_supaseed.seed import seed

TABLE = """
create table bench_items (
    id uuid primary key default gen_random_uuid(),
    title text not null,
    body text,
    created_at timestamptz not null default now(),
    score integer not null,
    meta jsonb not null,
    active boolean not null,
    tags text[]
)
"""
TYPES = ["uuid", "text", "text", "timestamptz", "int4", "jsonb", "bool", "text[]"]
COLUMNS = "id, title, body, created_at, score, meta, active, tags"


def fresh_database(admin_dsn: str, name: str) -> str:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(TABLE)
    return dsn


def truncate(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("truncate bench_items")
        conn.execute("checkpoint")


def run_supaseed(dsn: str, rows: int) -> float:
    start = time.perf_counter()
    seed({"seed": 1, "tables": {"bench_items": {"count": rows}}}, dsn, progress=False)
    return time.perf_counter() - start


def prebuilt_rows(rows: int) -> list[tuple[Any, ...]]:
    r = random.Random(1)
    v = vocabulary()
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return [
        (
            uuid.UUID(int=r.getrandbits(128)),
            r.choice(v.titles),
            r.choice(v.paragraphs),
            base + dt.timedelta(seconds=r.randrange(10**7)),
            r.randrange(1000),
            {"label": r.choice(v.words), "score": r.randrange(100)},
            r.random() < 0.5,
            [r.choice(v.words)],
        )
        for _ in range(rows)
    ]


def run_raw_copy(dsn: str, prebuilt: list[tuple[Any, ...]]) -> float:
    with psycopg.connect(dsn, autocommit=True) as conn:
        start = time.perf_counter()
        statement = f"copy bench_items ({COLUMNS}) from stdin (format binary)"
        with conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
            copy.set_types(TYPES)
            for row in prebuilt:
                copy.write_row(row)
        return time.perf_counter() - start


def run_faker_executemany(dsn: str, rows: int) -> float:
    from faker import Faker

    fake = Faker()
    fake.seed_instance(1)
    start = time.perf_counter()
    data = [
        (
            fake.uuid4(),
            fake.sentence(nb_words=4),
            fake.paragraph(),
            fake.date_time_between(start_date="-2y", tzinfo=dt.UTC),
            fake.random_int(0, 1000),
            json.dumps({"label": fake.word(), "score": fake.random_int(0, 100)}),
            fake.boolean(),
            [fake.word()],
        )
        for _ in range(rows)
    ]
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            f"insert into bench_items ({COLUMNS}) values (%s, %s, %s, %s, %s, %s::jsonb, %s, %s)",
            data,
        )
    return time.perf_counter() - start


def per_value(label: str, make: Callable[[], object], n: int = 20_000) -> tuple[str, float]:
    start = time.perf_counter()
    for _ in range(n):
        make()
    return label, (time.perf_counter() - start) / n * 1e6


def library_costs() -> list[tuple[str, float]]:
    from faker import Faker
    from mimesis import Locale, Person, Text

    fake = Faker()
    fake.seed_instance(1)
    flat = Faker(use_weighting=False)
    flat.seed_instance(1)
    person, text = Person(Locale.EN, seed=1), Text(Locale.EN, seed=1)
    v = vocabulary()
    r = random.Random(1)
    names = [f"{a} {b}" for a in v.first_names[:300] for b in v.last_names[:20]]
    pooled_n = 100_000
    pool = Choice(names)
    start = time.perf_counter()
    pool(pooled_n, r)
    pooled = (time.perf_counter() - start) / pooled_n * 1e6
    return [
        per_value("Faker name()", fake.name),
        per_value("Faker(use_weighting=False) name()", flat.name),
        per_value("mimesis Person.full_name()", person.full_name),
        per_value("Faker sentence()", fake.sentence),
        per_value("mimesis Text.sentence()", text.sentence),
        ("supaseed pool sampling (per value)", pooled),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    dsn = fresh_database(args.dsn, "supaseed_bench_throughput")
    vocabulary()  # built once per process; not part of any single seeding's cost
    prebuilt = prebuilt_rows(args.rows)
    runs: dict[str, list[float]] = {"supaseed": [], "raw": [], "faker": []}
    for _ in range(args.repeat):  # interleaved, so server and machine noise hit all alike
        truncate(dsn)
        runs["supaseed"].append(run_supaseed(dsn, args.rows))
        truncate(dsn)
        runs["raw"].append(run_raw_copy(dsn, prebuilt))
        truncate(dsn)
        runs["faker"].append(run_faker_executemany(dsn, args.rows))
    med = {k: statistics.median(v) for k, v in runs.items()}
    rate = {k: args.rows / s for k, s in med.items()}
    print(f"{args.rows} rows x 8 columns, median of {args.repeat} interleaved runs")
    print(
        f"  supaseed seed() end to end      {med['supaseed']:6.2f} s  {rate['supaseed']:>9,.0f} rows/s"
    )
    print(f"  raw binary COPY, pre-built rows {med['raw']:6.2f} s  {rate['raw']:>9,.0f} rows/s")
    print(f"  Faker per value + executemany   {med['faker']:6.2f} s  {rate['faker']:>9,.0f} rows/s")
    print(f"  supaseed / raw COPY  = {rate['supaseed'] / rate['raw']:.2f}x")
    print(f"  supaseed / Faker+executemany = {rate['supaseed'] / rate['faker']:.1f}x")
    print("cost per value (µs):")
    for label, micros in library_costs():
        print(f"  {label:<40} {micros:7.2f}")
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        conn.execute('drop database if exists "supaseed_bench_throughput" with (force)')


if __name__ == "__main__":
    main()
