"""The MakerKit demo schemas behave like the kits: triggers, constraints, RLS, helpers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import psycopg
import pytest

Loader = Callable[[str], psycopg.Connection]


def _user(conn: psycopg.Connection, email: str, name: str | None = None) -> uuid.UUID:
    meta = json.dumps({"name": name} if name else {})
    row = conn.execute(
        "insert into auth.users (id, email, raw_user_meta_data) values (gen_random_uuid(), %s, %s) "
        "returning id",
        [email, meta],
    ).fetchone()
    assert row is not None
    return row[0]


def _as_user(conn: psycopg.Connection, user_id: uuid.UUID, **claims: object) -> None:
    """Inside the current transaction: become ``authenticated`` with a JWT for ``user_id``."""
    payload = {"sub": str(user_id), "role": "authenticated", "aal": "aal1", **claims}
    conn.execute("select set_config('request.jwt.claims', %s, true)", [json.dumps(payload)])
    conn.execute("set local role authenticated")


@pytest.mark.parametrize("flavour", ["v2", "v3"])
def test_personal_account_from_the_auth_trigger(load_demo: Loader, flavour: str) -> None:
    conn = load_demo(flavour)
    ada = _user(conn, "ada@example.com", "Ada Lovelace")
    bob = _user(conn, "bob@example.com")
    rows = conn.execute(
        "select id, primary_owner_user_id, name, is_personal_account, slug, email "
        "from public.accounts order by email"
    ).fetchall()
    assert rows == [
        (ada, ada, "Ada Lovelace", True, None, "ada@example.com"),
        (bob, bob, "bob", True, None, "bob@example.com"),
    ]


def test_v2_constraints_slug_and_memberships(load_demo: Loader) -> None:
    conn = load_demo("v2")
    ada = _user(conn, "ada@example.com")
    with pytest.raises(psycopg.errors.CheckViolation, match="accounts_slug_null_if_personal"):
        conn.execute(
            "insert into public.accounts (name, primary_owner_user_id, is_personal_account, slug) "
            "values ('x', %s, true, 'x')",
            [ada],
        )
    with pytest.raises(psycopg.errors.UniqueViolation, match="unique_personal_account"):
        conn.execute(
            "insert into public.accounts (name, primary_owner_user_id, is_personal_account) "
            "values ('again', %s, true)",
            [ada],
        )
    slugs = [
        conn.execute(
            "insert into public.accounts (name, primary_owner_user_id) values (%s, %s) returning slug",
            [name, ada],
        ).fetchone()
        for name in ("Acme Rockets!", "acme rockets")
    ]
    assert slugs == [("acme-rockets",), ("acme-rockets-1",)]
    # a service session (auth.uid() null) does not join the creator: the seeder must
    assert conn.execute("select count(*) from public.accounts_memberships").fetchone() == (0,)
    assert conn.execute(
        "select role, array_agg(permission::text order by permission) from public.role_permissions "
        "group by role order by role"
    ).fetchall() == [
        ("member", ["settings.manage", "invites.manage"]),
        (
            "owner",
            [
                "roles.manage",
                "billing.manage",
                "settings.manage",
                "members.manage",
                "invites.manage",
            ],
        ),
    ]


def test_v2_rls_team_accounts_visible_to_members_only(load_demo: Loader) -> None:
    conn = load_demo("v2")
    owner = _user(conn, "owner@example.com")
    member = _user(conn, "member@example.com")
    outsider = _user(conn, "outsider@example.com")
    with conn.transaction():
        _as_user(conn, owner)
        team = conn.execute("select id from public.create_team_account('Makerkit')").fetchone()
        assert team is not None
        # the creator acting as themself joins as owner (add_current_user_to_new_account)
        assert conn.execute(
            "select account_role from public.accounts_memberships where account_id = %s", [team[0]]
        ).fetchall() == [("owner",)]
    conn.execute(
        "insert into public.accounts_memberships (user_id, account_id, account_role) "
        "values (%s, %s, 'member')",
        [member, team[0]],
    )

    def visible(user: uuid.UUID) -> list[str]:
        with conn.transaction():
            _as_user(conn, user)
            return [r[0] for r in conn.execute("select name from public.accounts order by name")]

    # team mates see each other's personal accounts (is_account_team_member), as in MakerKit
    assert visible(owner) == ["Makerkit", "member", "owner"]
    assert visible(member) == ["Makerkit", "member", "owner"]
    assert visible(outsider) == ["outsider"]


def test_v3_super_admin_needs_aal2(load_demo: Loader) -> None:
    conn = load_demo("v3")
    admin = _user(conn, "super-admin@example.com")
    for aal, expected in (("aal1", (False, True)), ("aal2", (True, True))):
        with conn.transaction():
            _as_user(conn, admin, aal=aal, app_metadata={"role": "super-admin"})
            assert (
                conn.execute("select public.is_super_admin(), public.is_mfa_compliant()").fetchone()
                == expected
            )
    # a verified factor makes aal1 sessions non-compliant
    conn.execute(
        "insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at) "
        "values (gen_random_uuid(), %s, 'totp', 'totp', 'verified', now(), now())",
        [admin],
    )
    with conn.transaction():
        _as_user(conn, admin, aal="aal1")
        assert conn.execute("select public.is_mfa_compliant()").fetchone() == (False,)


def test_lite_account_per_user(load_demo: Loader) -> None:
    conn = load_demo("lite")
    ada = _user(conn, "ada@example.com")
    conn.execute("update auth.users set email = 'ada@new.example' where id = %s", [ada])
    assert conn.execute("select id, name, email from public.accounts").fetchall() == [
        (ada, "ada", "ada@new.example")
    ]


def test_v1_onboarding_creates_profile_org_and_owner_membership(load_demo: Loader) -> None:
    conn = load_demo("v1")
    ada = _user(conn, "ada@example.com")
    assert conn.execute("select count(*) from public.users").fetchone() == (0,)  # no auth trigger
    org_uuid = conn.execute(
        "select public.create_new_organization('IndieCorp', %s)", [ada]
    ).fetchone()
    assert org_uuid is not None
    assert conn.execute(
        "select u.onboarded, o.name, m.role from public.memberships m "
        "join public.users u on u.id = m.user_id join public.organizations o on o.id = m.organization_id "
        "where o.uuid = %s",
        [org_uuid[0]],
    ).fetchall() == [(True, "IndieCorp", 2)]
