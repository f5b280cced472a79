"""The example app's tests: real Postgres, Supabase auth and RLS, one rolled-back transaction each."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from conftest import DEMO_USER, act_as, create_user


def test_seed_ran_after_migrations(supaseed_db: psycopg.Connection) -> None:
    row = supaseed_db.execute(
        "select p.username, count(n.id) from public.profiles p "
        "left join public.notes n on n.owner_id = p.id where p.id = %s group by p.username",
        (DEMO_USER,),
    ).fetchone()
    assert row == ("demo", 1)


def test_demo_password_checks_with_pgcrypto(supaseed_db: psycopg.Connection) -> None:
    ok = supaseed_db.execute(
        "select encrypted_password = extensions.crypt('demo-password', encrypted_password) "
        "from auth.users where id = %s",
        (DEMO_USER,),
    ).fetchone()
    assert ok == (True,)


def test_signup_trigger_creates_profile(supaseed_db: psycopg.Connection, alice: uuid.UUID) -> None:
    row = supaseed_db.execute("select username from profiles where id = %s", (alice,)).fetchone()
    assert row == ("alice",)


def test_owner_sees_only_own_notes(supaseed_db: psycopg.Connection, alice: uuid.UUID) -> None:
    act_as(supaseed_db, alice)
    assert supaseed_db.execute("select auth.uid()").fetchone() == (alice,)
    supaseed_db.execute("insert into notes (title) values ('mine')")
    titles = [r[0] for r in supaseed_db.execute("select title from notes")]
    assert titles == ["mine"], "the demo user's note is hidden by RLS"


def test_cannot_write_a_note_for_someone_else(
    supaseed_db: psycopg.Connection, alice: uuid.UUID
) -> None:
    act_as(supaseed_db, alice)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        supaseed_db.execute(
            "insert into notes (owner_id, title) values (%s, 'forged')", (DEMO_USER,)
        )


def test_anon_sees_profiles_but_no_notes(supaseed_db: psycopg.Connection) -> None:
    act_as(supaseed_db, None)
    assert supaseed_db.execute("select auth.uid()").fetchone() == (None,)
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (0,)
    assert supaseed_db.execute("select count(*) from profiles").fetchone() == (1,)


def test_service_role_bypasses_rls(supaseed_db: psycopg.Connection, alice: uuid.UUID) -> None:
    supaseed_db.execute("insert into notes (owner_id, title) values (%s, 'a')", (alice,))
    supaseed_db.execute("set local role service_role")
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (2,)


@pytest.mark.parametrize("n", range(6))
def test_writes_never_leak_between_tests(supaseed_db: psycopg.Connection, n: int) -> None:
    user = create_user(supaseed_db, f"user{n}@example.com")
    act_as(supaseed_db, user)
    supaseed_db.execute("insert into notes (title) values (%s)", (f"note {n}",))
    supaseed_db.execute("reset role")
    # Only the seed's user and this test's user exist; earlier tests' users were rolled back.
    assert supaseed_db.execute("select count(*) from auth.users").fetchone() == (2,)
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (2,)
