"""Tests on the database seeded from ../supaseed.toml, through the ``supaseed`` fixture.

Without a marker, ``supaseed`` seeds the project's plan file. The plan is seeded once into a
template database (reused by later runs until a migration, the plan or a guide changes), each
xdist worker clones it once, and every test runs in a transaction rolled back afterwards.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from conftest import DEMO_EMAIL, DEMO_USER

from pytest_supaseed.options import Settings
from pytest_supaseed.testing import (
    Supaseed,
    assert_distribution,
    assert_not_visible,
    assert_rls_enabled,
    assert_visible,
)

GUIDES = Path(__file__).parent.parent / "content" / "guides"


def test_plan_seeds_users_next_to_the_seed_sql_user(supaseed: Supaseed) -> None:
    # [users] count = 4, plus demo@example.com from supabase/seed.sql.
    assert supaseed.count("auth.users") == 5
    assert DEMO_EMAIL in supaseed.users
    assert supaseed.users[DEMO_EMAIL] == DEMO_USER
    seeded = [email for email in supaseed.users if email != DEMO_EMAIL]
    assert len(seeded) == 4
    assert all(email.endswith("@example.com") for email in seeded)
    # The signup trigger made a profile per user, named after the e-mail (second migration).
    usernames = {r["username"] for r in supaseed.table("profiles")}
    assert usernames == {email.split("@")[0] for email in supaseed.users}


def test_report_matches_the_database(supaseed: Supaseed, supaseed_settings: Settings) -> None:
    # The plan's seed = 42, unless the run says --supaseed-seed N (which wins).
    assert supaseed.result.seed == (
        supaseed_settings.seed if supaseed_settings.seed is not None else 42
    )
    assert supaseed.result.rows["auth.users"] == 4  # created by the plan (demo was already there)
    assert supaseed.result.rows["public.notes"] == supaseed.count("notes") - 1  # + seed.sql's note
    assert supaseed.result.rows["public.articles"] == supaseed.count("articles") == 6


def test_seeded_users_can_sign_in(supaseed: Supaseed) -> None:
    # Real bcrypt hashes: GoTrue's password check would accept the plan's password.
    email = supaseed.random.choice(sorted(supaseed.users))
    password = "demo-password" if email == DEMO_EMAIL else "testingpassword"
    ok = supaseed.conn.execute(
        "select encrypted_password = extensions.crypt(%s, encrypted_password) "
        "from auth.users where email = %s",
        (password, email),
    ).fetchone()
    assert ok == (True,)


def test_every_profile_got_one_to_four_notes(supaseed: Supaseed) -> None:
    counts = assert_distribution(
        supaseed.conn, "notes", "owner_id", min=1, max=5, targets="profiles"
    )
    # count_per_parent gave each profile 1-4 notes; the demo user also has seed.sql's "Welcome".
    for owner, n in counts.items():
        assert 1 <= n - (owner == DEMO_USER) <= 4
    assert sum(counts.values()) == supaseed.count("notes")


def test_every_public_table_has_rls(supaseed: Supaseed) -> None:
    assert_rls_enabled(supaseed.conn, "public")


def test_users_see_exactly_their_own_notes(supaseed: Supaseed) -> None:
    all_notes = supaseed.table("notes")
    for email, user_id in supaseed.users.items():
        own = {n["id"] for n in all_notes if n["owner_id"] == user_id}
        with supaseed.as_user(email) as uid:
            assert uid == user_id
            assert {n["id"] for n in supaseed.table("notes")} == own
            assert supaseed.count("notes") == len(own) > 0


def test_notes_are_hidden_from_other_users_and_anon(supaseed: Supaseed) -> None:
    emails = sorted(supaseed.users)
    owner, other = supaseed.random.sample(emails, 2)
    ids = [n["id"] for n in supaseed.table("notes", where=f"owner_id = '{supaseed.users[owner]}'")]
    assert_visible(supaseed.conn, owner, "public.notes", ids)
    assert_not_visible(supaseed.conn, other, "public.notes", ids)
    assert_not_visible(supaseed.conn, "anon", "public.notes", ids)
    assert_visible(supaseed.conn, "service_role", "public.notes", ids)


def test_a_user_cannot_write_into_someone_elses_notes(supaseed: Supaseed) -> None:
    victim = supaseed.users[DEMO_EMAIL]
    attacker = next(email for email in supaseed.users if email != DEMO_EMAIL)
    # pytest.raises around the block: the block's savepoint rolls back, the test goes on.
    with pytest.raises(psycopg.errors.InsufficientPrivilege), supaseed.as_user(attacker):
        supaseed.conn.execute(
            "insert into notes (owner_id, title) values (%s, 'forged')", (victim,)
        )
    with supaseed.as_user(attacker):
        # RLS filters the UPDATE's rows: nothing of the victim's changes.
        cur = supaseed.conn.execute(
            "update notes set title = 'hacked' where owner_id = %s", (victim,)
        )
        assert cur.rowcount == 0
    assert supaseed.count("notes") == len(supaseed.table("notes", where="title <> 'hacked'"))


def test_articles_come_from_the_markdown_guides(supaseed: Supaseed) -> None:
    titles = {r["title"] for r in supaseed.table("articles")}
    files = sorted(GUIDES.glob("*.md"))
    assert len(titles) == len(files) == 6
    for path in files:
        title = next(line for line in path.read_text().splitlines() if line.startswith("title:"))
        assert title.removeprefix("title:").strip() in titles
    row = supaseed.table("articles", where="slug = 'keyboard-shortcuts'")[0]
    assert row["title"] == "Keyboard shortcuts"
    assert "`Ctrl+Enter` saves" in row["body"]
    assert row["read_minutes"] == 1


def test_articles_are_spread_over_authors(supaseed: Supaseed) -> None:
    # [associations.articles_to_authors]: 6 guides over 5 profiles, 1-2 each (even_spread).
    counts = assert_distribution(
        supaseed.conn, "articles", "author_id", min=1, max=2, total=6, targets="profiles"
    )
    assert sorted(counts.values()) == [1, 1, 1, 1, 2]


def test_anon_reads_published_articles_only(supaseed: Supaseed) -> None:
    (draft,) = supaseed.table("articles", where="not published")
    assert draft["title"] == "Offline mode (draft)"
    published = [r["id"] for r in supaseed.table("articles", where="published")]
    with supaseed.as_anon():
        assert supaseed.count("articles") == len(published) == 5
    assert_visible(supaseed.conn, "anon", "public.articles", published)
    assert_not_visible(supaseed.conn, "anon", "public.articles", [draft["id"]])
    # Its author sees the draft; another user does not.
    author = next(e for e, uid in supaseed.users.items() if uid == draft["author_id"])
    stranger = next(e for e, uid in supaseed.users.items() if uid != draft["author_id"])
    assert_visible(supaseed.conn, author, "public.articles", [draft["id"]])
    assert_not_visible(supaseed.conn, stranger, "public.articles", [draft["id"]])


def test_service_role_sees_everything(supaseed: Supaseed) -> None:
    total = supaseed.count("notes"), supaseed.count("articles")
    with supaseed.as_service_role():
        assert (supaseed.count("notes"), supaseed.count("articles")) == total
    with supaseed.as_anon():
        assert supaseed.count("notes") == 0


@pytest.mark.parametrize("n", range(4))
def test_writes_are_rolled_back_after_each_test(supaseed: Supaseed, n: int) -> None:
    # Whatever order pytest-randomly picks, no earlier test's notes are here: only the seeded ones.
    assert supaseed.count("notes") == supaseed.result.rows["public.notes"] + 1
    with supaseed.as_user(DEMO_EMAIL):
        for i in range(n + 1):
            supaseed.conn.execute("insert into notes (title) values (%s)", (f"scratch {i}",))
    assert len(supaseed.table("notes", where="title like 'scratch %'")) == n + 1
