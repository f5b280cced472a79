"""``rows()`` examples go into the real table: every example is accepted by PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from pytest_supaseed.errors import GenerationError
from pytest_supaseed.generate.strategies import rows
from pytest_supaseed.schema import Schema, introspect

ALL_TYPES_SQL = (Path(__file__).parent.parent / "seed" / "all_types.sql").read_text()
ORGS = [uuid.UUID(int=i) for i in range(1, 4)]


def insert(conn: psycopg.Connection[Any], table: str, batch: list[dict[str, Any]]) -> None:
    for row in batch:
        conn.execute(
            sql.SQL("insert into {} ({}) values ({})").format(
                sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, row)),
                sql.SQL(", ").join(sql.Placeholder() * len(row)),
            ),
            [psycopg.types.json.Jsonb(v) if isinstance(v, dict) else v for v in row.values()],
        )


@pytest.fixture
def schema_conn(fresh_conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    fresh_conn.execute(ALL_TYPES_SQL)
    fresh_conn.execute("insert into categories (id, title) values (1, 'root')")
    for org in ORGS:
        fresh_conn.execute(
            "insert into organizations (id, name, slug) values (%s, 'o', %s)", (org, str(org))
        )
    return fresh_conn


@pytest.fixture
def schema(schema_conn: psycopg.Connection[Any]) -> Schema:
    return introspect(schema_conn)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_example_of_members_is_accepted(
    schema_conn: psycopg.Connection[Any], schema: Schema, data: st.DataObject
) -> None:
    table = schema.table("members")
    assert table.column("rank").domain_checks == ("VALUE > 0",)  # used by default
    batch = data.draw(rows(table, parents={"organizations": ORGS}, max_size=5))
    assert {r["organization_id"] for r in batch} <= set(ORGS)
    emails = [r["email"].lower() for r in batch]
    assert len(emails) == len(set(emails))  # citext: unique without regard to case
    # one transaction per example, rolled back: examples never see each other's rows
    with schema_conn.transaction():
        insert(schema_conn, "members", batch)
        raise psycopg.Rollback()  # leaves the transaction block quietly, rolled back


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_products_honour_checks_and_composite_unique(
    schema_conn: psycopg.Connection[Any], schema: Schema, data: st.DataObject
) -> None:
    table = schema.table("products")
    batch = data.draw(rows(table, parents={"organizations": ORGS, "categories": [1]}, max_size=6))
    for row in batch:
        assert row["price"] > 0
        assert 0 <= row["quantity"] <= 500
        assert row["starts_on"] < row["ends_on"]
        assert len(row["sku"]) <= 12
    with schema_conn.transaction():
        insert(schema_conn, "products", batch)
        raise psycopg.Rollback()  # leaves the transaction block quietly, rolled back


def test_missing_parents_for_a_not_null_key_is_an_error(schema: Schema) -> None:
    table = schema.table("members")
    with pytest.raises(GenerationError, match=r"public\.members\.organization_id references"):
        rows(table)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_regex_checks_are_met_by_from_regex(
    fresh_conn: psycopg.Connection[Any], data: st.DataObject
) -> None:
    fresh_conn.execute(
        "create table if not exists codes (id uuid primary key, code varchar(8) not null "
        "check (code ~ '^[A-Z]{3}-[0-9]+$'), active boolean not null check (active = true))"
    )
    batch = data.draw(rows(introspect(fresh_conn).table("codes"), max_size=4))
    assert all(r["active"] is True for r in batch)
    with fresh_conn.transaction():
        insert(fresh_conn, "codes", batch)
        raise psycopg.Rollback()
