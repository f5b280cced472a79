"""``@pytest.mark.supaseed``: another template, plan customizations, a seed, a database of one's own.

Each distinct (template, customizations, seed) is its own template database, seeded once.
"""

from __future__ import annotations

import psycopg
import pytest
from conftest import DEMO_EMAIL, DEMO_USER

from pytest_supaseed.options import Settings
from pytest_supaseed.testing import Supaseed, as_user, assert_distribution


@pytest.mark.supaseed(users={"count": 9})
def test_customization_changes_one_section(supaseed: Supaseed) -> None:
    # The rest of supaseed.toml still applies: notes per user, guides, their association.
    assert supaseed.plan.users.count == 9
    assert supaseed.count("auth.users") == 10  # + demo@example.com
    # 10 profiles, min 1 article each, 6 guides: the association's synthetic fallback writes 4
    # generated articles (valid for every check, e.g. the slug regex) to meet min_per_target.
    assert_distribution(supaseed.conn, "articles", "author_id", min=1, max=1, targets="profiles")
    assert supaseed.count("articles") == 10
    assert len(supaseed.table("articles", where="slug = 'keyboard-shortcuts'")) == 1


@pytest.mark.supaseed(tables={"public.notes": {"count_per_parent": {"owner_id": 3}}})
def test_customization_of_a_table(supaseed: Supaseed) -> None:
    counts = assert_distribution(supaseed.conn, "notes", "owner_id", min=3, max=4)
    assert counts.pop(DEMO_USER) == 4  # 3 seeded + seed.sql's note
    assert set(counts.values()) == {3}


@pytest.mark.supaseed("crowd")
def test_project_template(supaseed: Supaseed) -> None:
    # supaseed/templates/crowd.toml: 40 users, 0-2 notes each, no articles.
    crowd = [email for email in supaseed.users if email.endswith("@crowd.test")]
    assert len(crowd) == 40
    assert len(supaseed.users) == 41
    assert supaseed.count("articles") == 0
    assert_distribution(supaseed.conn, "notes", "owner_id", max=3, targets="profiles")
    # Pagination as a user: their notes only, newest first, in pages of 1.
    email = supaseed.random.choice(crowd)
    with supaseed.as_user(email) as uid:
        titles = [r["title"] for r in supaseed.table("notes", order_by="created_at desc, id")]
        page = supaseed.conn.execute(
            "select title from notes order by created_at desc, id limit 1 offset 0"
        ).fetchall()
        assert [t for (t,) in page] == titles[:1]
        assert all(r["owner_id"] == uid for r in supaseed.table("notes"))


@pytest.mark.supaseed(seed=1234)
def test_marker_seed(supaseed: Supaseed, supaseed_settings: Settings) -> None:
    # --supaseed-seed (when given) wins over the marker, which wins over the plan's seed = 42.
    expected = supaseed_settings.seed if supaseed_settings.seed is not None else 1234
    assert supaseed.result.seed == expected
    assert supaseed.count("auth.users") == 5  # the same plan, other values


@pytest.mark.supaseed(isolation="database")
def test_isolation_database_allows_commit(supaseed: Supaseed) -> None:
    # A fresh clone for this test alone: code that commits (or opens its own connections) works.
    with supaseed.conn.transaction():
        supaseed.conn.execute(
            "insert into notes (owner_id, title) values (%s, 'committed')", (DEMO_USER,)
        )
    supaseed.conn.commit()
    with psycopg.connect(supaseed.dsn) as other:
        seen = other.execute("select count(*) from notes where title = 'committed'").fetchone()
    assert seen == (1,)


def test_committed_rows_never_reach_other_tests(supaseed: Supaseed) -> None:
    # The clone above is dropped after its test; this one sees the shared template's rows.
    assert supaseed.table("notes", where="title = 'committed'") == []


@pytest.mark.supaseed(users={"count": 2})
class TestClassMarker:
    """A class (or module: ``pytestmark = pytest.mark.supaseed(...)``) marker applies to each test."""

    def test_class_marker_applies(self, supaseed: Supaseed) -> None:
        assert supaseed.count("auth.users") == 3

    def test_supaseed_db_follows_the_marker_too(self, supaseed_db: psycopg.Connection) -> None:
        # The plain connection fixture gets the same seeded database; act as a user by e-mail.
        with as_user(supaseed_db, DEMO_EMAIL) as uid:
            rows = supaseed_db.execute("select distinct owner_id from notes").fetchall()
        assert rows == [(uid,)]
