"""Acting as Supabase users against MakerKit v2's real RLS policies, and the RLS assertions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_supaseed import demo_schemas
from pytest_supaseed.config.models import SeedPlan
from pytest_supaseed.errors import SupaseedError
from pytest_supaseed.schema.introspect import introspect
from pytest_supaseed.seed.accounts import seed_users_and_accounts
from pytest_supaseed.seed.makerkit import MAKERKIT_TEAM_ID, STANDARD_USERS
from pytest_supaseed.testing import (
    as_anon,
    as_service_role,
    as_user,
    assert_not_visible,
    assert_rls_enabled,
    assert_visible,
)

STD = {u.email: u.id for u in STANDARD_USERS}


@pytest.fixture
def makerkit(supabase_db: str) -> Iterator[psycopg.Connection]:
    """MakerKit v2 seeded with its standard users plus 3 outsiders; a connection in a transaction."""
    with psycopg.connect(supabase_db, autocommit=True) as setup:
        setup.execute(demo_schemas.sql("v2"))
        plan = SeedPlan.model_validate({"users": {"makerkit_test_users": True, "count": 3}})
        seed_users_and_accounts(setup, plan, introspect(setup), seed=11)
    with psycopg.connect(supabase_db) as conn:  # not autocommit: the test runs in a transaction
        conn.execute("select 1")
        yield conn
        conn.rollback()


def _outsider(conn: psycopg.Connection) -> str:
    row = conn.execute(
        "select email from auth.users where email not like '%%@makerkit.dev' order by email limit 1"
    ).fetchone()
    assert row is not None
    return str(row[0])


def _team_ids(conn: psycopg.Connection) -> list[uuid.UUID]:
    return [r[0] for r in conn.execute("select id from public.accounts where slug = 'makerkit'")]


def test_owner_sees_the_team_an_outsider_does_not_anon_sees_nothing(
    makerkit: psycopg.Connection,
) -> None:
    with as_user(makerkit, "owner@makerkit.dev") as owner_id:
        assert owner_id == STD["owner@makerkit.dev"]
        visible = {r[0] for r in makerkit.execute("select id from public.accounts")}
    assert MAKERKIT_TEAM_ID in visible
    assert STD["owner@makerkit.dev"] in visible  # own personal account
    outsider = _outsider(makerkit)
    with as_user(makerkit, outsider) as outsider_id:
        visible = {r[0] for r in makerkit.execute("select id from public.accounts")}
    assert visible == {outsider_id}
    with as_anon(makerkit):
        assert makerkit.execute("select count(*) from public.accounts").fetchone() == (0,)
        assert makerkit.execute("select count(*) from public.accounts_memberships").fetchone() == (
            0,
        )
    assert_visible(makerkit, "owner@makerkit.dev", "public.accounts", [MAKERKIT_TEAM_ID])
    assert_not_visible(makerkit, outsider, "public.accounts", [MAKERKIT_TEAM_ID])
    assert_not_visible(makerkit, "anon", "public.accounts", [MAKERKIT_TEAM_ID, *STD.values()])
    assert_not_visible(makerkit, "anon", "public.config", ["true"], column="enable_team_accounts")


def test_claims_are_shaped_like_supabase_tokens(makerkit: psycopg.Connection) -> None:
    with as_user(makerkit, "test@makerkit.dev"):
        uid, role, jwt, current = makerkit.execute(
            "select auth.uid(), auth.role(), auth.jwt(), current_user"
        ).fetchone() or (None, None, None, None)
    assert uid == STD["test@makerkit.dev"]
    assert (role, current) == ("authenticated", "authenticated")
    assert jwt["sub"] == str(uid)
    assert jwt["email"] == "test@makerkit.dev"
    assert jwt["aud"] == "authenticated"
    assert jwt["aal"] == "aal1"
    assert jwt["app_metadata"]["role"] == "super-admin"
    assert jwt["app_metadata"]["provider"] == "email"
    assert jwt["user_metadata"] == {}
    assert jwt["exp"] - jwt["iat"] == 3600
    assert {"iss", "session_id", "amr", "is_anonymous"} <= set(jwt)
    with as_user(makerkit, str(STD["member@makerkit.dev"]), aal="aal2", claims={"x": 1}):
        jwt = makerkit.execute("select auth.jwt()").fetchone()[0]  # type: ignore[index]
    assert jwt["email"] == "member@makerkit.dev"
    assert jwt["aal"] == "aal2"
    assert jwt["x"] == 1


def test_blocks_nest_and_restore_role_and_claims(makerkit: psycopg.Connection) -> None:
    def state() -> tuple[object, ...]:
        row = makerkit.execute("select current_user, auth.uid(), auth.role()").fetchone()
        assert row is not None
        return tuple(row)

    before = state()
    with as_user(makerkit, "owner@makerkit.dev"):
        assert state() == ("authenticated", STD["owner@makerkit.dev"], "authenticated")
        with as_anon(makerkit):
            assert state() == ("anon", None, "anon")
            with as_user(makerkit, "member@makerkit.dev"):  # reads auth.users though anon cannot
                assert state()[1] == STD["member@makerkit.dev"]
            assert state() == ("anon", None, "anon")
            with as_service_role(makerkit):
                assert state() == ("service_role", None, "service_role")
                # service_role bypasses RLS: every account
                count = makerkit.execute("select count(*) from public.accounts").fetchone()
                assert count == (9,)
            assert state() == ("anon", None, "anon")
        assert state() == ("authenticated", STD["owner@makerkit.dev"], "authenticated")
    assert state() == before


def test_blocks_work_whatever_row_factory_the_connection_has(
    makerkit: psycopg.Connection,
) -> None:
    makerkit.row_factory = dict_row  # type: ignore[assignment]
    with as_user(makerkit, "owner@makerkit.dev") as owner_id, as_anon(makerkit):
        row = makerkit.execute("select current_user as who, session_user as login").fetchone()
        assert row == {"who": "anon", "login": "authenticator"}
    assert owner_id == STD["owner@makerkit.dev"]
    assert_visible(makerkit, "owner@makerkit.dev", "public.accounts", [MAKERKIT_TEAM_ID])
    assert_not_visible(makerkit, "anon", "public.accounts", [MAKERKIT_TEAM_ID])
    with (
        pytest.raises(SupaseedError, match=r"did you mean 'owner@makerkit\.dev'"),
        as_user(makerkit, "owner@makerkit.de"),
    ):
        pass


def test_a_block_in_the_callers_pipeline_restores_role_and_session(
    makerkit: psycopg.Connection,
) -> None:
    # the block's own statements are left unread in the caller's pipeline: the block still sees
    # that it ended normally and restores the role, the claims and the session user
    with makerkit.pipeline(), as_user(makerkit, "owner@makerkit.dev"):
        makerkit.execute("select 1")
    row = makerkit.execute(
        "select session_user::text, current_user::text, auth.uid() is null"
    ).fetchone()
    assert row == ("postgres", "postgres", True)


def test_an_error_inside_rolls_back_the_block_only(makerkit: psycopg.Connection) -> None:
    makerkit.execute("update public.config set billing_provider = 'paddle'")
    with pytest.raises(psycopg.errors.RaiseException), as_user(makerkit, "member@makerkit.dev"):
        # MakerKit forbids removing the primary owner from the team
        makerkit.execute(
            "delete from public.accounts_memberships where user_id = %s",
            [STD["test@makerkit.dev"]],
        )
    row = makerkit.execute("select current_user, billing_provider::text from public.config")
    assert row.fetchone() == ("postgres", "paddle")


def test_outside_a_transaction_is_refused(supabase_conn: psycopg.Connection) -> None:
    with pytest.raises(SupaseedError, match="needs an open transaction"), as_anon(supabase_conn):
        pass
    with pytest.raises(SupaseedError, match="needs an open transaction"):
        assert_visible(supabase_conn, "anon", "auth.users", [uuid.uuid4()])


def test_unknown_user_names_the_closest_email(makerkit: psycopg.Connection) -> None:
    with (
        pytest.raises(SupaseedError, match=r"did you mean 'owner@makerkit.dev'"),
        as_user(makerkit, "ownr@makerkit.dev"),
    ):
        pass
    # the failed lookup left the transaction usable
    assert makerkit.execute("select 1").fetchone() == (1,)


def test_visibility_failures_name_user_table_and_ids(makerkit: psycopg.Connection) -> None:
    outsider = _outsider(makerkit)
    with pytest.raises(AssertionError) as hidden:
        assert_visible(makerkit, outsider, "accounts", [MAKERKIT_TEAM_ID])
    message = str(hidden.value)
    assert outsider in message
    assert "accounts" in message
    assert str(MAKERKIT_TEAM_ID) in message
    with pytest.raises(AssertionError) as leaked:
        assert_not_visible(makerkit, "member@makerkit.dev", "public.accounts", _team_ids(makerkit))
    assert "member@makerkit.dev" in str(leaked.value)
    assert str(MAKERKIT_TEAM_ID) in str(leaked.value)
    assert "RLS lets them through" in str(leaked.value)
    # service_role is not let through by RLS: it bypasses it, and the message says so
    with pytest.raises(AssertionError) as bypassed:
        assert_not_visible(makerkit, "service_role", "public.accounts", _team_ids(makerkit))
    assert "service_role bypasses RLS" in str(bypassed.value)
    assert "RLS lets them through" not in str(bypassed.value)
    # upper-case text ids match the uuid column
    assert_visible(makerkit, "test@makerkit.dev", "accounts", [str(MAKERKIT_TEAM_ID).upper()])


def test_assert_rls_enabled_lists_every_table_without_rls(makerkit: psycopg.Connection) -> None:
    assert_rls_enabled(makerkit)  # MakerKit enables RLS everywhere
    makerkit.execute("create table public.zz_notes (id int); create table public.aa_tags (id int)")
    with pytest.raises(AssertionError) as missing:
        assert_rls_enabled(makerkit)
    text = str(missing.value)
    assert "2 table(s)" in text
    assert "public.aa_tags" in text
    assert "public.zz_notes" in text
    assert_rls_enabled(makerkit, exclude=["aa_tags", "public.zz_notes"])


def test_works_in_an_explicit_transaction_on_an_autocommit_connection(
    supabase_conn: psycopg.Connection,
) -> None:
    from pytest_supaseed.seed.auth_users import UserSpec, create_auth_users

    ids = create_auth_users(supabase_conn, [UserSpec("solo@example.com", "pw")], cost=4)
    with supabase_conn.transaction():
        with as_user(supabase_conn, "SOLO@example.com") as user_id:
            row = supabase_conn.execute("select auth.uid(), current_user").fetchone()
        assert row == (ids["solo@example.com"], "authenticated")
        assert user_id == ids["solo@example.com"]
        supabase_conn.execute(
            "create table public.notes (id int primary key); insert into public.notes values (1);"
            "alter table public.notes enable row level security"
        )
        # no policy: RLS hides the row from anon; service_role bypasses RLS
        assert_not_visible(supabase_conn, "anon", "public.notes", [1])
        assert_visible(supabase_conn, "service_role", "public.notes", [1])
        # auth.users is not granted to anon at all: reported as such, and nothing is visible
        with pytest.raises(AssertionError, match="no privilege on the table"):
            assert_visible(supabase_conn, "anon", "auth.users", [user_id])
    # the settings were local to the transaction
    after = supabase_conn.execute("select auth.uid(), current_user = session_user").fetchone()
    assert after == (None, True)


def test_v3_super_admin_needs_its_second_factor(supabase_conn: psycopg.Connection) -> None:
    supabase_conn.execute(demo_schemas.sql("v3"))
    plan = SeedPlan.model_validate({"users": {"makerkit_test_users": True, "count": 2}})
    result = seed_users_and_accounts(supabase_conn, plan, introspect(supabase_conn), seed=2)
    assert result.rows["auth.mfa_factors"] == 1
    factor = supabase_conn.execute(
        "select user_id, factor_type::text, status::text from auth.mfa_factors"
    ).fetchall()
    assert factor == [(STD["super-admin@makerkit.dev"], "totp", "verified")]
    everyone = [r[0] for r in supabase_conn.execute("select id from public.accounts")]
    with supabase_conn.transaction():
        with as_user(supabase_conn, "super-admin@makerkit.dev", aal="aal2"):
            assert supabase_conn.execute("select public.is_super_admin()").fetchone() == (True,)
        with as_user(supabase_conn, "super-admin@makerkit.dev"):
            # aal1 with a verified factor: not MFA-compliant, the restrictive policy hides all
            assert supabase_conn.execute("select count(*) from public.accounts").fetchone() == (0,)
            assert supabase_conn.execute("select public.is_super_admin()").fetchone() == (False,)
        with as_user(supabase_conn, "super-admin@makerkit.dev", aal="aal2"):
            seen = {r[0] for r in supabase_conn.execute("select id from public.accounts")}
        assert seen == set(everyone)
        # member@ has no factor: compliant at aal1, sees its own and its team's accounts only
        assert_visible(supabase_conn, "member@makerkit.dev", "accounts", [MAKERKIT_TEAM_ID])
        assert_not_visible(
            supabase_conn, "member@makerkit.dev", "accounts", [STD["super-admin@makerkit.dev"]]
        )
