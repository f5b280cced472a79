"""Property-based tests: Hypothesis draws rows valid for the real schema and the test checks RLS.

``pytest_supaseed.testing.strategies.rows(table)`` knows the column types, lengths and CHECKs of an
introspected table, so every example is a row the database accepts: a failure is the app's bug.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from pytest_supaseed.handle import Supaseed
from pytest_supaseed.schema import Table, introspect
from pytest_supaseed.testing import assert_not_visible
from pytest_supaseed.testing.strategies import rows

# The ``supaseed`` fixture is created once per test, not per example: each example below runs in a
# savepoint that it rolls back, so examples never see each other's rows.
EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def notes_table(supaseed: Supaseed) -> Table:
    """public.notes as introspected from the test database (once per test, not per example)."""
    return introspect(supaseed.conn).table("public.notes")


@EXAMPLES
@given(data=st.data())
def test_any_valid_note_round_trips_for_its_owner_only(
    supaseed: Supaseed, notes_table: Table, data: Any
) -> None:
    owner, stranger = data.draw(st.permutations(sorted(supaseed.users)))[:2]
    batch = data.draw(rows(notes_table, parents={"public.profiles": [supaseed.users[owner]]}))
    with supaseed.conn.transaction():
        with supaseed.as_user(owner):
            before = supaseed.count("notes")
            ids = []
            for row in batch:
                row.pop("id", None)  # let the identity column number it (see the docs)
                cur = supaseed.conn.execute(
                    sql.SQL("insert into notes ({}) values ({}) returning id").format(
                        sql.SQL(", ").join(map(sql.Identifier, row)),
                        sql.SQL(", ").join(sql.Placeholder() * len(row)),
                    ),
                    list(row.values()),
                )
                ids.append(cur.fetchone()[0])
            assert supaseed.count("notes") == before + len(batch)
            stored = supaseed.table("notes", where=f"id >= {min(ids)}", order_by="id")
            assert [r["title"] for r in stored] == [r["title"] for r in batch]
        assert_not_visible(supaseed.conn, stranger, "public.notes", ids)
        assert_not_visible(supaseed.conn, "anon", "public.notes", ids)
        raise psycopg.Rollback()
