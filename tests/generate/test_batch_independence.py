"""The rows of a table do not depend on the batch size they are generated in.

Every random stream of a table is drawn chunk by chunk (generate/table.py ``CHUNK_ROWS``); a batch
is a slice of a chunk. The same table generated with batch sizes 1, 7, 1000 and 10,000 must give
the same rows: NULL masks, per-column draws, foreign keys, self-references, one-to-one and
per-parent keys, pattern redraws, ``a < b`` fixes and unique-key retries (with rows dropped).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from pytest_supaseed.generate import table as table_module
from pytest_supaseed.generate import values as v
from pytest_supaseed.generate.table import ParentKeys, PerParent, TableRows
from pytest_supaseed.schema import introspect
from pytest_supaseed.schema.model import Table

SCHEMA = """
create table parent (id uuid primary key, name text not null);
create table item (
  id bigint primary key,
  parent_id uuid references parent (id),
  up_id bigint references item (id),
  note text,
  full_name text,
  email text unique,
  flag boolean,
  score integer check (score between 0 and 1000),
  price numeric(8, 2),
  labels text[],
  code text check (code ~ '^[A-F]'),
  title text check (length(title) >= 24),
  address inet,
  created_at timestamptz,
  updated_at timestamptz,
  day date,
  slot smallint check (slot between 1 and 12),
  unique (day, slot)
);
create table profile (parent_id uuid not null unique references parent (id), bio text);
create table child (id uuid primary key, parent_id uuid not null references parent (id),
  body text, seen boolean);
"""

BATCH_SIZES = (1, 7, 1000, 10_000)
Generate = Callable[[int], dict[str, list[Any]]]


def concatenated(rows: TableRows, batch_size: int) -> dict[str, list[Any]]:
    """Every batch of ``rows`` joined column by column; each batch at most ``batch_size`` rows."""
    out: dict[str, list[Any]] = {name: [] for name in rows.columns}
    for batch in rows.batches(batch_size):
        assert isinstance(batch, dict)
        sizes = {len(values) for values in batch.values()}
        assert len(sizes) == 1
        assert 0 < sizes.pop() <= batch_size
        for name, values in batch.items():
            out[name] += values
    return out


@pytest.fixture
def tables(fresh_conn: psycopg.Connection[Any]) -> dict[str, Table]:
    fresh_conn.execute(SCHEMA)
    return introspect(fresh_conn).tables


def parent_keys(n: int) -> ParentKeys:
    return ParentKeys(("id",), sorted((uuid.UUID(int=(i * 7919) << 64 | i),) for i in range(n)))


def assert_same_for_every_batch_size(generate: Generate) -> dict[str, list[Any]]:
    first = generate(BATCH_SIZES[0])
    for size in BATCH_SIZES[1:]:
        other = generate(size)
        assert other.keys() == first.keys()
        for name in first:
            assert other[name] == first[name], f"column {name}: batch size {size} differs from 1"
    return first


def test_rows_do_not_depend_on_the_batch_size(tables: dict[str, Table]) -> None:
    item = tables["public.item"]
    fks = {fk.columns[0]: fk for fk in item.foreign_keys}
    reports: list[TableRows] = []

    def generate(batch_size: int) -> dict[str, list[Any]]:
        rows = TableRows(
            item,
            seed=11,
            count=table_module.CHUNK_ROWS + 2345,  # two chunks, the second one partial
            parents={
                fks["parent_id"].name: parent_keys(300),
                fks["up_id"].name: ParentKeys(("id",), []),
            },
            sequence_starts={"id": 1},
        )
        reports.append(rows)
        return concatenated(rows, batch_size)

    rows = assert_same_for_every_batch_size(generate)
    gens = reports[0].generators
    # the kinds of draws this test is about are really there
    assert isinstance(gens["note"], v.WithNulls)
    assert isinstance(gens["flag"], v.WithNulls)
    assert isinstance(gens["labels"], v.WithNulls)
    assert isinstance(gens["email"], v.Emails)
    total = len(rows["id"])
    assert rows["note"].count(None) > total // 20
    assert rows["parent_id"].count(None) == 0 < len(set(rows["parent_id"]))
    assert None in rows["up_id"]
    assert len(set(rows["up_id"])) > total // 5
    ids = set(rows["id"])  # without the dropped rows: nothing points at one of them
    assert all(up is None or up in ids for up in rows["up_id"])
    assert all(c is None or c[0] in "ABCDEFabcdef" for c in rows["code"])  # redrawn to match
    assert all(t is None or len(t) >= 24 for t in rows["title"])  # padded
    assert all(
        a is None or b is None or a <= b for a, b in zip(rows["created_at"], rows["updated_at"])
    )
    # unique (day, slot) ran out of values: rows were dropped, each report says the same
    dropped = {r.report.dropped for r in reports}
    assert len(dropped) == 1
    assert dropped.pop() == table_module.CHUNK_ROWS + 2345 - total > 0
    pairs = [(d, s) for d, s in zip(rows["day"], rows["slot"]) if d is not None and s is not None]
    assert len(pairs) == len(set(pairs))


def test_one_to_one_and_per_parent_keys_do_not_depend_on_the_batch_size(
    tables: dict[str, Table],
) -> None:
    parents = parent_keys(6000)
    profile, child = tables["public.profile"], tables["public.child"]
    (profile_fk,) = profile.foreign_keys
    (child_fk,) = child.foreign_keys

    def one_to_one(batch_size: int) -> dict[str, list[Any]]:
        rows = TableRows(profile, seed=3, count=5000, parents={profile_fk.name: parents})
        return concatenated(rows, batch_size)

    def per_parent(batch_size: int) -> dict[str, list[Any]]:
        rows = TableRows(
            child,
            seed=3,
            per_parent=PerParent(child_fk, 0, 4),
            parents={child_fk.name: parents},
        )
        return concatenated(rows, batch_size)

    owners = assert_same_for_every_batch_size(one_to_one)["parent_id"]
    assert len(owners) == len(set(owners)) == 5000
    children = assert_same_for_every_batch_size(per_parent)["parent_id"]
    assert len(children) > table_module.CHUNK_ROWS  # more than one chunk
    assert children == sorted(children)  # each parent's rows together, in key order
    assert 0 < len(set(children)) < 6000  # some parents got no rows


def test_a_batch_size_below_one_is_refused(tables: dict[str, Table]) -> None:
    rows = TableRows(tables["public.parent"], seed=1, count=3)
    with pytest.raises(ValueError, match="batch_size must be at least 1, not 0"):
        next(rows.batches(0))
