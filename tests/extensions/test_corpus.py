"""Ten app schemas modelled on classes of real Supabase projects apply on the embedded default.

Each app of ``apps/`` is built as the plugin builds a project (preflight, Supabase layer with the
extension pack, migrations, seed.sql) and seeded with three users by the seed engine. Per app: its
signup trigger made one row per seeded user and makes one for a new signup, and its main RLS rule
shows an owner's row to the owner only: not to another user, not to anon.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from ext_apps import USERS, AppDatabases, TxFactory
from psycopg import sql

from pytest_supaseed.testing import as_anon, as_user


@dataclass(frozen=True)
class App:
    """What to check in one app: where signup writes, and one owner-only row."""

    name: str
    signup_table: str  # schema.table the signup trigger fills
    signup_key: str  # its column holding the user id
    insert: str  # SQL making a row owned by %(owner)s; returns its key
    select: str  # SQL returning that row by %(key)s
    insert_as_owner: bool = True  # False: the app's backend (superuser) writes it


APPS = [
    App(
        "user_management_starter",
        "public.profiles",
        "id",
        "insert into public.todos (task) values ('write the tests') returning id",
        "select id from public.todos where id = %(key)s",
    ),
    App(
        "makerkit_accounts",
        "public.accounts",
        "primary_owner_user_id",
        "insert into public.notes (account_id, title) values (%(owner)s, 'Roadmap') returning id",
        "select id from public.notes where id = %(key)s",
    ),
    App(
        "cron_digest",
        "public.profiles",
        "id",
        "insert into public.reminders (user_id, title, due_at)"
        " values (%(owner)s, 'Renew passport', now()) returning id",
        "select id from public.reminders where id = %(key)s",
    ),
    App(
        "vault_integrations",
        "public.users",
        "id",
        "select public.save_integration_token('github', 'ghp_owner_token')",
        "select id from public.integrations where id = %(key)s",
    ),
    App(
        "queue_uploads",
        "public.profiles",
        "id",
        "insert into public.uploads (path) values ('avatars/me.png') returning id",
        "select id from public.uploads where id = %(key)s",
    ),
    App(
        "realtime_chat",
        "public.profiles",
        "id",
        "insert into public.rooms (name) values ('general') returning id",
        "select id from public.rooms where id = %(key)s",
    ),
    App(
        "jwt_invites",
        "public.profiles",
        "id",
        "insert into public.workspaces (name) values ('Acme') returning id",
        "select id from public.workspaces where id = %(key)s",
    ),
    App(
        "outside_public",
        "app.profiles",
        "user_id",
        "insert into app.projects (title) values ('Secret plan') returning id",
        "select id from app.projects where id = %(key)s",
    ),
    App(
        "http_enrichment",
        "public.profiles",
        "id",
        "insert into public.companies (domain) values ('acme.test') returning id",
        "select id from public.companies where id = %(key)s",
    ),
    App(
        "subscription_payments",
        "public.users",
        "id",
        "insert into public.subscriptions (id, user_id, status, price_id)"
        " values ('sub_owner', %(owner)s, 'active', 'price_pro_m') returning id",
        "select id from public.subscriptions where id = %(key)s",
        insert_as_owner=False,
    ),
]


def _count_for(conn: psycopg.Connection[Any], app: App, ids: list[uuid.UUID]) -> int:
    schema, table = app.signup_table.split(".")
    row = conn.execute(
        sql.SQL("select count(*) from {} where {} = any(%s)").format(
            sql.Identifier(schema, table), sql.Identifier(app.signup_key)
        ),
        [ids],
    ).fetchone()
    assert row is not None
    return int(row[0])


def _visible(conn: psycopg.Connection[Any], query: str, key: Any) -> bool:
    """Whether ``query`` returns the row; a permission error counts as not visible."""
    try:
        with conn.transaction():
            return conn.execute(query, {"key": key}).fetchone() is not None
    except psycopg.errors.InsufficientPrivilege:
        return False


@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_signup_trigger_made_a_row_per_seeded_user_and_per_new_signup(
    apps: AppDatabases, tx: TxFactory, app: App
) -> None:
    db = apps.get(app.name)
    conn = tx(db)
    assert len(db.users) == USERS
    assert _count_for(conn, app, list(db.users.values())) == USERS
    new_id = uuid.uuid4()
    conn.execute(
        "insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at)"
        " values (%s, 'authenticated', 'authenticated', 'new.signup@example.test',"
        ' \'{"full_name": "New Signup"}\', now())',
        [new_id],
    )
    assert _count_for(conn, app, [new_id]) == 1


@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_rls_shows_an_owners_row_to_the_owner_only(
    apps: AppDatabases, tx: TxFactory, app: App
) -> None:
    db = apps.get(app.name)
    conn = tx(db)
    owner, stranger = sorted(db.users)[:2]
    owner_id = db.users[owner]
    if app.insert_as_owner:
        with as_user(conn, owner):
            row = conn.execute(app.insert, {"owner": owner_id}).fetchone()
    else:
        row = conn.execute(app.insert, {"owner": owner_id}).fetchone()
    assert row is not None
    assert row[0] is not None
    key = row[0]
    with as_user(conn, owner):
        assert _visible(conn, app.select, key), f"{app.name}: the owner does not see their row"
    with as_user(conn, stranger):
        assert not _visible(conn, app.select, key), f"{app.name}: another user sees the row"
    with as_anon(conn):
        assert not _visible(conn, app.select, key), f"{app.name}: anon sees the row"
    # The row is really there: the superuser (the app's backend) sees it.
    assert _visible(conn, app.select, key)


def test_rows_made_by_signup_triggers_are_counted_in_the_seed_summary(apps: AppDatabases) -> None:
    from pytest_supaseed.seed import seed

    db = apps.fresh("user_management_starter")
    result = seed({"seed": 11, "users": {"count": 2}}, db.dsn, progress=False)
    assert result.rows["auth.users"] == 2
    assert result.by_triggers == {"public.profiles": 2}
    assert "public.profiles" not in result.rows
    assert "public.profiles          2  made by triggers" in result.summary()
    # MakerKit-style: the users phase reports the personal accounts it expects from the kit's
    # trigger; the memberships the same trigger makes are counted as trigger rows.
    kit = seed(
        {"seed": 11, "users": {"count": 2}}, apps.fresh("makerkit_accounts").dsn, progress=False
    )
    assert kit.by_triggers == {"public.accounts_memberships": 2}
