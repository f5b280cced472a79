"""Property-based tests with ``pytest_supaseed.testing.strategies``.

``rows(table)`` knows the column types, lengths and CHECKs of an introspected table, so every
example is a row the database accepts: a failure is the app's bug. ``from_pool(pool)`` draws
assets of an asset pool (shrinking toward the first file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from pytest_supaseed.assets import load_pool
from pytest_supaseed.config import resolve_plan
from pytest_supaseed.schema import Table, introspect
from pytest_supaseed.testing import Supaseed, assert_not_visible, assert_visible
from pytest_supaseed.testing.strategies import from_pool, rows

ROOT = Path(__file__).parent.parent
# The plan's pool of markdown guides, loaded as the seeding engine loads it (6 small files).
GUIDES = load_pool("guides", resolve_plan(rootdir=ROOT).plan.asset_pools["guides"], ROOT)

# The ``supaseed`` fixture is created once per test, not per example: an example that writes runs
# in a savepoint that it rolls back, so examples never see each other's rows.
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


@EXAMPLES
@given(guide=from_pool(GUIDES))
def test_every_guide_is_an_article_anon_sees_once_published(supaseed: Supaseed, guide: Any) -> None:
    (article,) = [r for r in supaseed.table("articles") if r["title"] == guide.fields["title"]]
    assert article["body"] == guide.body
    assert article["published"] is guide.fields["published"]
    check = assert_visible if guide.fields["published"] else assert_not_visible
    check(supaseed.conn, "anon", "public.articles", [article["id"]])
    author = next(e for e, uid in supaseed.users.items() if uid == article["author_id"])
    assert_visible(supaseed.conn, author, "public.articles", [article["id"]])
