"""The per-row fast paths of large seeds: parent keys drawn from a packed set, uuid values sent as
their 16 bytes. Each gives exactly the rows the plain path gives."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg.pq import Format

from pytest_supaseed.generate.packed import packed_uuid
from pytest_supaseed.generate.table import ParentKeys, TableRows
from pytest_supaseed.schema import introspect
from pytest_supaseed.seed import keys
from pytest_supaseed.seed.writer import binary_encoder, copy_rows

SCHEMA = """
create table parent_u (id uuid primary key);
create table parent_i (id bigint primary key);
create table child (id int primary key, u_id uuid references parent_u (id),
  i_id bigint not null references parent_i (id), note text);
"""


class _MyUUID(uuid.UUID):
    """A UUID subclass (as some libraries hand out)."""


def test_packed_draws_are_the_list_draws(
    fresh_conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_conn.execute(SCHEMA)
    fresh_conn.execute(
        "insert into parent_u select gen_random_uuid() from generate_series(1, 700);"
        "insert into parent_i select (g * 7919) - 2000000 from generate_series(1, 700) g"
    )
    table = introspect(fresh_conn).tables["public.child"]
    fks = {fk.columns[0]: fk for fk in table.foreign_keys}
    monkeypatch.setattr(keys, "PACKED_MIN_ROWS", 10)
    monkeypatch.setattr(keys, "CHUNK_ROWS", 256)
    packed = {c: keys.read_parent_keys(fresh_conn, fk) for c, fk in fks.items()}
    assert all(isinstance(p, keys.PackedKeys) for p in packed.values())
    listed = {c: list(p) for c, p in packed.items()}
    assert [k for (k,) in listed["u_id"]] == [
        r[0] for r in fresh_conn.execute("select id from parent_u order by id")
    ]
    indices = [0, 699, 5, 5, 350]
    for c in fks:
        got = packed[c].column(indices)  # type: ignore[attr-defined]
        assert got == [listed[c][i][0] for i in indices]
        assert [type(v) for v in got] == [type(listed[c][0][0])] * len(indices)

    def rows(parents: dict[str, Any]) -> list[dict[str, list[Any]]]:
        generated = TableRows(
            table,
            seed=7,
            count=2500,
            parents={fk.name: ParentKeys(fk.ref_columns, parents[c]) for c, fk in fks.items()},
        )
        return [b for b in generated.batches(batch_size=600) if not isinstance(b, int)]

    from_packed, from_list = rows(packed), rows(listed)
    assert from_packed == from_list
    assert sum(len(b["i_id"]) for b in from_packed) == 2500
    assert len({v for b in from_packed for v in b["i_id"]}) > 500  # drawn across the whole set


def test_uuid_values_travel_as_their_bytes(fresh_conn: psycopg.Connection[Any]) -> None:
    fresh_conn.execute("create table t (id int primary key, u uuid, note text)")
    table = introspect(fresh_conn).tables["public.t"]
    assert binary_encoder(table.column("u"), "uuid") is not None
    before = fresh_conn.adapters.get_dumper_by_oid(17, Format.BINARY)
    values = [uuid.uuid4(), None, _MyUUID(int=2**127 + 5), uuid.UUID(int=0)]
    batch: dict[str, list[Any]] = {"id": [1, 2, 3, 4], "u": values, "note": ["a", None, "c", "d"]}
    with fresh_conn.transaction():
        assert copy_rows(fresh_conn, table, ["id", "u", "note"], [batch]) == 4
    got = fresh_conn.execute("select id, u, note from t order by id").fetchall()
    assert got == [(1, values[0], "a"), (2, None, None), (3, values[2], "c"), (4, values[3], "d")]
    # the by-oid bytes dumper was switched on the writer's cursor only, not on the connection
    assert fresh_conn.adapters.get_dumper_by_oid(17, Format.BINARY) is before


def test_a_uuid_column_refuses_what_is_not_a_uuid(fresh_conn: psycopg.Connection[Any]) -> None:
    fresh_conn.execute("create table t (id int primary key, u uuid)")
    table = introspect(fresh_conn).tables["public.t"]
    batch: dict[str, list[Any]] = {
        "id": [1, 2],
        "u": [uuid.uuid4(), "6f1c1b1e-0000-4000-8000-000000000000"],
    }
    with pytest.raises(TypeError, match="is not a UUID"), fresh_conn.transaction():
        copy_rows(fresh_conn, table, ["id", "u"], [batch])
    assert fresh_conn.execute("select count(*) from t").fetchone() == (0,)


def test_packed_uuid_keys_travel_in_binary_and_text_copy(
    fresh_conn: psycopg.Connection[Any],
) -> None:
    # a uuid drawn from packed keys keeps its 16 bytes: sent as they are in a binary COPY, as
    # its text in a text COPY (a money column makes the COPY text), equal to the plain UUID
    fresh_conn.execute(
        "create table b (id int primary key, u uuid);"
        "create table t (id int primary key, u uuid, price money)"
    )
    tables = introspect(fresh_conn).tables
    plain = [uuid.uuid4() for _ in range(3)]
    packed = [packed_uuid(bytearray(u.bytes)) for u in plain]
    assert packed == plain
    assert [hash(p) for p in packed] == [hash(u) for u in plain]
    assert [str(p) for p in packed] == [str(u) for u in plain]
    assert isinstance(packed[0], uuid.UUID)
    with fresh_conn.transaction():
        batch: dict[str, list[Any]] = {"id": [1, 2, 3], "u": [packed[0], None, packed[2]]}
        assert copy_rows(fresh_conn, tables["public.b"], ["id", "u"], [batch]) == 3
        text_batch: dict[str, list[Any]] = {
            "id": [1, 2, 3],
            "u": packed,
            "price": [Decimal("1.50")] * 3,
        }
        assert copy_rows(fresh_conn, tables["public.t"], ["id", "u", "price"], [text_batch]) == 3
    got = fresh_conn.execute("select u from b order by id").fetchall()
    assert got == [(plain[0],), (None,), (plain[2],)]
    assert fresh_conn.execute("select u from t order by id").fetchall() == [(u,) for u in plain]
