"""MakerKit's standard users, trigger-made personal accounts, teams and memberships, per kit.

Each test applies one of the package's MakerKit-shaped demo schemas (with the kit's own triggers
and policies) to a database with the Supabase layer, then runs the users phase against it.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from pytest_supaseed import demo_schemas
from pytest_supaseed.config.models import SeedPlan
from pytest_supaseed.schema.introspect import introspect
from pytest_supaseed.seed.accounts import UsersResult, seed_users_and_accounts
from pytest_supaseed.seed.makerkit import (
    CUSTOM_ROLE,
    MAKERKIT_TEAM_ID,
    STANDARD_USERS,
    TEST_PASSWORD,
)

STD = {u.email: u.id for u in STANDARD_USERS}


def _seed(conn: psycopg.Connection, kit_file: str | None, **plan: Any) -> UsersResult:
    if kit_file is not None:
        conn.execute(demo_schemas.sql(kit_file))
    return seed_users_and_accounts(
        conn, SeedPlan.model_validate({"seed": 7, **plan}), introspect(conn), seed=7
    )


def _standard_plan(**users: Any) -> dict[str, Any]:
    return {"users": {"makerkit_test_users": True, **users}}


def test_v2_standard_users_exist_once_with_fixed_ids_and_log_in(
    supabase_conn: psycopg.Connection,
) -> None:
    result = _seed(supabase_conn, "makerkit_v2.sql", **_standard_plan())
    assert result.kit == "v2"
    assert result.users == STD
    rows = supabase_conn.execute(
        """
        select u.email, u.id, count(*) over (partition by u.email),
               extensions.crypt(%s, u.encrypted_password) = u.encrypted_password,
               u.instance_id = '00000000-0000-0000-0000-000000000000', u.aud, u.role,
               u.email_confirmed_at is not null,
               u.confirmation_token = '' and u.recovery_token = ''
                 and u.email_change_token_new = '' and u.email_change = '',
               u.raw_app_meta_data,
               (select count(*) from auth.identities i
                 where i.user_id = u.id and i.provider = 'email' and i.provider_id = u.id::text)
        from auth.users u order by u.email
        """,
        [TEST_PASSWORD],
    ).fetchall()
    assert {r[0]: r[1] for r in rows} == STD
    for email, _, copies, password_ok, nil, aud, role, confirmed, tokens, app, identities in rows:
        assert copies == 1, email
        assert password_ok, f"{email}: crypt('testingpassword', hash) <> hash"
        assert nil, email
        assert (aud, role) == ("authenticated", "authenticated")
        assert confirmed, email
        assert tokens, email
        assert identities == 1, email
        assert app["provider"] == "email"
        assert app["providers"] == ["email"]
        expected_role = (
            "super-admin" if email in ("test@makerkit.dev", "super-admin@makerkit.dev") else None
        )
        assert app.get("role") == expected_role, email


def test_v2_personal_accounts_come_from_the_trigger_once_each(
    supabase_conn: psycopg.Connection,
) -> None:
    result = _seed(supabase_conn, "makerkit_v2.sql", **_standard_plan())
    rows = supabase_conn.execute(
        "select primary_owner_user_id, id, name, email, slug from public.accounts "
        "where is_personal_account order by email"
    ).fetchall()
    assert len(rows) == 5
    for owner, account, name, email, slug in rows:
        assert owner == account == STD[email]  # the trigger gives the account the user's id
        assert name == email.split("@")[0]  # no `name` in metadata: the trigger's fallback
        assert slug is None
    assert result.personal_accounts == STD


def test_v2_team_makerkit_and_its_four_memberships(supabase_conn: psycopg.Connection) -> None:
    result = _seed(supabase_conn, "makerkit_v2.sql", **_standard_plan())
    team = supabase_conn.execute(
        "select id, name, slug, primary_owner_user_id, is_personal_account from public.accounts "
        "where not is_personal_account"
    ).fetchall()
    assert team == [(MAKERKIT_TEAM_ID, "Makerkit", "makerkit", STD["test@makerkit.dev"], False)]
    members: dict[str, str] = dict(
        supabase_conn.execute(
            "select u.email, m.account_role from public.accounts_memberships m "
            "join auth.users u on u.id = m.user_id where m.account_id = %s",
            [MAKERKIT_TEAM_ID],
        ).fetchall()
    )
    assert members == {
        "test@makerkit.dev": "owner",
        "owner@makerkit.dev": "owner",
        "member@makerkit.dev": "member",
        "custom@makerkit.dev": CUSTOM_ROLE,
    }
    level = supabase_conn.execute(
        "select hierarchy_level from public.roles where name = %s", [CUSTOM_ROLE]
    ).fetchone()
    assert level == (4,)
    assert result.team_accounts == {"makerkit": MAKERKIT_TEAM_ID}
    assert len(result.memberships) == 4
    assert result.rows["public.accounts"] == 6
    assert result.rows["public.accounts_memberships"] == 4
    assert result.rows["public.roles"] == 1  # the custom role, inserted by the seeder
    assert result.warnings == []


def test_v2_plan_users_and_teams_are_spread_and_deterministic(
    supabase_conn: psycopg.Connection,
) -> None:
    plan = {
        "users": {"count": 12, "roles": ["owner", "member"], "metadata": {"locale": "en"}},
        "accounts": {"teams": 3, "members_per_team": {"min": 2, "max": 4}},
    }
    result = _seed(supabase_conn, "makerkit_v2.sql", **plan)
    assert len(result.users) == 12
    teams = supabase_conn.execute(
        "select a.id, a.slug, a.primary_owner_user_id, count(m.user_id), "
        "bool_or(m.user_id = a.primary_owner_user_id and m.account_role = 'owner') "
        "from public.accounts a join public.accounts_memberships m on m.account_id = a.id "
        "where not a.is_personal_account group by a.id order by a.slug"
    ).fetchall()
    assert len(teams) == 3
    for _, slug, _, members, owner_is_owner in teams:
        assert 2 <= members <= 4, slug
        assert owner_is_owner, slug
    assert sorted(result.team_accounts) == [t[1] for t in teams]
    names = supabase_conn.execute(
        "select a.name, u.raw_user_meta_data from public.accounts a "
        "join auth.users u on u.id = a.id where a.is_personal_account"
    ).fetchall()
    assert len(names) == 12
    for name, meta in names:
        assert name == meta["name"]  # the trigger read the name we put in user metadata
        assert meta["locale"] == "en"
    # same seed, emptied tables (truncate fires no row triggers): the same users, teams, members
    supabase_conn.execute("truncate auth.users, public.accounts cascade")
    again = _seed(supabase_conn, None, **plan)
    assert again.users == result.users
    assert again.team_accounts == result.team_accounts
    assert sorted(again.memberships) == sorted(result.memberships)


def test_v2_users_from_the_projects_seed_sql_are_reused(supabase_conn: psycopg.Connection) -> None:
    supabase_conn.execute(demo_schemas.sql("v2"))
    first = seed_users_and_accounts(
        supabase_conn, SeedPlan.model_validate(_standard_plan()), introspect(supabase_conn), seed=1
    )
    second = seed_users_and_accounts(
        supabase_conn, SeedPlan.model_validate(_standard_plan()), introspect(supabase_conn), seed=1
    )
    assert second.users == first.users
    assert second.rows["auth.users"] == 0
    counts = supabase_conn.execute(
        "select (select count(*) from auth.users), (select count(*) from public.accounts), "
        "(select count(*) from public.accounts_memberships)"
    ).fetchone()
    assert counts == (5, 6, 4)


def test_v3_gets_the_same_rows_as_v2(supabase_conn: psycopg.Connection) -> None:
    result = _seed(supabase_conn, "makerkit_v3.sql", **_standard_plan())
    assert result.kit == "v3"
    assert result.users == STD
    assert result.personal_accounts == STD
    assert result.team_accounts == {"makerkit": MAKERKIT_TEAM_ID}
    assert {(u, r) for _, u, r in result.memberships} == {
        (STD["test@makerkit.dev"], "owner"),
        (STD["owner@makerkit.dev"], "owner"),
        (STD["member@makerkit.dev"], "member"),
        (STD["custom@makerkit.dev"], CUSTOM_ROLE),
    }


def test_lite_gets_trigger_made_accounts_and_no_teams(supabase_conn: psycopg.Connection) -> None:
    result = _seed(
        supabase_conn, "makerkit_lite.sql", users={"makerkit_test_users": True, "count": 3}
    )
    assert result.kit == "lite"
    accounts: dict[str, uuid.UUID] = dict(
        supabase_conn.execute("select email, id from public.accounts").fetchall()
    )
    assert len(accounts) == 8
    for email, account in accounts.items():
        assert account == result.users[email]
    assert result.personal_accounts == accounts
    assert result.team_accounts == {}
    assert result.memberships == []
    assert any("lite has no team accounts" in w for w in result.warnings)


def test_v1_gets_profiles_an_organization_and_integer_roles(
    supabase_conn: psycopg.Connection,
) -> None:
    result = _seed(supabase_conn, "makerkit_v1.sql", **_standard_plan())
    assert result.kit == "v1"
    profiles = supabase_conn.execute(
        "select id, onboarded from public.users order by id"
    ).fetchall()
    assert profiles == sorted((i, True) for i in STD.values())
    orgs = supabase_conn.execute("select id, uuid, name from public.organizations").fetchall()
    assert [(o[1], o[2]) for o in orgs] == [(MAKERKIT_TEAM_ID, "Makerkit")]
    roles: dict[str, int] = dict(
        supabase_conn.execute(
            "select u.email, m.role from public.memberships m join auth.users u on u.id = m.user_id "
            "where m.organization_id = %s",
            [orgs[0][0]],
        ).fetchall()
    )
    # one Owner (2) per v1 organization; the other owner is Admin (1); custom-role -> Member (0)
    assert roles == {
        "test@makerkit.dev": 2,
        "owner@makerkit.dev": 1,
        "member@makerkit.dev": 0,
        "custom@makerkit.dev": 0,
    }
    assert result.team_accounts == {"makerkit": MAKERKIT_TEAM_ID}
    assert result.personal_accounts == {}
    assert any("integer roles only" in w for w in result.warnings)


def test_custom_schema_gets_users_and_nothing_kit_specific(
    supabase_conn: psycopg.Connection,
) -> None:
    supabase_conn.execute(
        "create table public.accounts (id uuid primary key, name text);"
        "create table public.posts (id serial primary key, author uuid references auth.users);"
    )
    result = _seed(supabase_conn, None, **_standard_plan(count=4), accounts={"teams": 2})
    assert result.kit == "custom"
    assert len(result.users) == 9
    assert supabase_conn.execute("select count(*) from auth.users").fetchone() == (9,)
    assert supabase_conn.execute("select count(*) from public.accounts").fetchone() == (0,)
    assert result.personal_accounts == {}
    assert result.team_accounts == {}
    assert result.rows == {"auth.users": 9, "auth.identities": 9}
    assert any("accounts.teams = 2 was ignored" in w for w in result.warnings)


def test_teams_without_users_is_a_clear_error(supabase_conn: psycopg.Connection) -> None:
    from pytest_supaseed.errors import SupaseedError

    with pytest.raises(SupaseedError, match=r"accounts.teams = 2 needs users"):
        _seed(supabase_conn, "makerkit_v2.sql", accounts={"teams": 2})


def test_missing_trigger_is_reported_not_papered_over(supabase_conn: psycopg.Connection) -> None:
    supabase_conn.execute(demo_schemas.sql("v2"))
    supabase_conn.execute("alter table auth.users disable trigger on_auth_user_created")
    result = seed_users_and_accounts(
        supabase_conn,
        SeedPlan.model_validate({"users": {"count": 2}}),
        introspect(supabase_conn),
        seed=1,
        kit="v2",
    )
    assert result.personal_accounts == {}
    assert any("2 of 2 user(s) have no personal account" in w for w in result.warnings)
    assert supabase_conn.execute("select count(*) from public.accounts").fetchone() == (0,)


def test_unknown_kit_name_is_rejected(supabase_conn: psycopg.Connection) -> None:
    from pytest_supaseed.errors import SupaseedError

    with pytest.raises(SupaseedError, match="unknown MakerKit flavour 'v9'"):
        seed_users_and_accounts(
            supabase_conn, SeedPlan(), introspect(supabase_conn), seed=1, kit="v9"
        )


def test_standard_ids_are_makerkits() -> None:
    # the fixed ids MakerKit's e2e tests and seed.sql use
    assert STD["test@makerkit.dev"] == uuid.UUID("31a03e74-1639-45b6-bfa7-77447f1a4762")
    assert STD["super-admin@makerkit.dev"] == uuid.UUID("c5b930c9-0a76-412e-a836-4bc4849a3270")


def test_v1_plan_teams_become_organizations_with_one_owner_each(
    supabase_conn: psycopg.Connection,
) -> None:
    result = _seed(
        supabase_conn,
        "makerkit_v1.sql",
        users={"count": 6},
        accounts={"teams": 2, "members_per_team": 3},
    )
    orgs = supabase_conn.execute(
        "select o.uuid, count(m.id), count(*) filter (where m.role = 2) "
        "from public.organizations o join public.memberships m on m.organization_id = o.id "
        "group by o.uuid"
    ).fetchall()
    assert len(orgs) == 2
    for org_uuid, members, owners in orgs:
        assert members == 3
        assert owners == 1
        assert org_uuid in result.team_accounts.values()
    assert supabase_conn.execute("select count(*) from public.users").fetchone() == (6,)
    assert result.rows["public.organizations"] == 2
    assert result.rows["public.memberships"] == 6


def test_teams_with_only_the_standard_users_use_them(supabase_conn: psycopg.Connection) -> None:
    result = _seed(supabase_conn, "makerkit_v2.sql", **_standard_plan(), accounts={"teams": 1})
    assert len(result.team_accounts) == 2
    other = next(v for k, v in result.team_accounts.items() if k != "makerkit")
    members = {u for a, u, _ in result.memberships if a == other}
    assert members
    assert members <= set(STD.values())


def test_users_phase_is_reproducible_across_builds(supabase_conn: psycopg.Connection) -> None:
    """Two builds with the same seed give the same auth.users rows, timestamps included."""
    supabase_conn.execute(demo_schemas.sql("v2"))
    rows = []
    for _ in range(2):
        with supabase_conn.transaction(force_rollback=True):
            _seed(supabase_conn, None, **_standard_plan())
            rows.append(
                supabase_conn.execute(
                    "select id, email, encrypted_password, created_at, updated_at, "
                    "email_confirmed_at, raw_app_meta_data from auth.users order by email"
                ).fetchall()
            )
    assert rows[0]
    assert rows[0] == rows[1]


def test_plan_app_metadata_reaches_every_synthetic_user_and_their_jwt(
    supabase_conn: psycopg.Connection,
) -> None:
    from pytest_supaseed.testing import as_user

    result = _seed(
        supabase_conn,
        None,
        users={"count": 3, "app_metadata": {"role": "editor", "plan": "pro"}},
        accounts={"personal": False},
    )
    metas = supabase_conn.execute(
        "select raw_app_meta_data from auth.users order by email"
    ).fetchall()
    assert len(metas) == 3
    for (meta,) in metas:
        assert meta == {
            "provider": "email",
            "providers": ["email"],
            "role": "editor",
            "plan": "pro",
        }
    email = sorted(result.users)[0]
    with supabase_conn.transaction(), as_user(supabase_conn, email):
        row = supabase_conn.execute("select auth.jwt() -> 'app_metadata' ->> 'role'").fetchone()
    assert row == ("editor",)
