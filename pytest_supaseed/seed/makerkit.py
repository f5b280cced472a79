"""MakerKit's standard test users and its account rows, per kit version.

What each MakerKit version expects after ``supabase db reset`` (facts from MakerKit's own
``seed.sql`` and migrations; the SQL here is ours):

- ``v2`` / ``v3`` (the "turbo" kit): a trigger on ``auth.users`` (``kit.setup_new_user``) makes
  each user's *personal* account, with the user's id. We never insert those: inserting would
  violate ``unique_personal_account``; we look them up. *Team* accounts and their memberships are
  inserted explicitly, because the trigger that adds a team's creator fires only when
  ``primary_owner_user_id = auth.uid()``, and ``auth.uid()`` is null in a seeding session.
- ``lite``: the trigger makes one ``public.accounts`` row per user (id = user id); no teams.
- ``v1`` (organizations era): no trigger; ``public.users`` profiles, ``public.organizations`` and
  ``public.memberships`` with integer roles (Member 0, Admin 1, Owner 2) are inserted.
- ``custom``: nothing kit-specific.

Timestamps: the rows this module makes or finds for new users (trigger-made personal accounts,
team accounts, memberships, v1 profiles and organizations) get ``created_at``/``updated_at`` set
to a fixed instant when :func:`write_kit_rows` is given ``now`` (the users phase passes the
engine's ``REFERENCE``): one UPDATE per table afterwards, with the table's user triggers disabled
for that statement (MakerKit's ``trigger_set_timestamps`` would write ``now()`` again and
``prevent_memberships_update`` refuses it), so the same plan and seed give the same rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import psycopg
import psycopg.errors
from psycopg import sql

from ..errors import SchemaError
from .auth_users import UserSpec
from .writer import user_triggers_disabled

__all__ = [
    "CUSTOM_ROLE",
    "CUSTOM_ROLE_LEVEL",
    "MAKERKIT_TEAM_ID",
    "MAKERKIT_TEAM_NAME",
    "MAKERKIT_TEAM_SLUG",
    "STANDARD_USERS",
    "SUPER_ADMIN_TOTP_SECRET",
    "TEST_PASSWORD",
    "V1_ROLES",
    "KitRows",
    "StandardUser",
    "TeamSpec",
    "add_super_admin_factor",
    "makerkit_team",
    "standard_user_specs",
    "write_kit_rows",
]

KitName = Literal["v1", "lite", "v2", "v3", "custom"]

#: The password of every MakerKit test user (MakerKit's e2e tests log in with it).
TEST_PASSWORD = "testingpassword"

#: MakerKit's seeded team account.
MAKERKIT_TEAM_ID = uuid.UUID("5deaa894-2094-4da3-b4fd-1fada0809d1c")
MAKERKIT_TEAM_NAME = "Makerkit"
MAKERKIT_TEAM_SLUG = "makerkit"

#: The role custom@makerkit.dev holds in the team, created by MakerKit's seed.sql.
CUSTOM_ROLE = "custom-role"
CUSTOM_ROLE_LEVEL = 4

#: The TOTP secret of super-admin@makerkit.dev's verified factor in MakerKit's seed.sql: add it to
#: an authenticator app to log in as the super admin with a second factor.
SUPER_ADMIN_TOTP_SECRET = "NHOHJVGPO3R3LKVPRMNIYLCDMBHUM2SE"

_FACTOR_NAMESPACE = uuid.UUID("9a4c2e77-1d3b-5f60-8e2a-4b7c9d0e1f23")

#: v1's integer membership roles (src/lib/organizations/types/membership-role.ts).
V1_ROLES: Mapping[str, int] = {"member": 0, "admin": 1, "owner": 2}


@dataclass(frozen=True, slots=True)
class StandardUser:
    """One of MakerKit's standard test users, with its fixed id and its role in team "Makerkit"."""

    email: str
    id: uuid.UUID
    app_metadata: Mapping[str, Any]
    team_role: str | None


STANDARD_USERS: tuple[StandardUser, ...] = (
    StandardUser(
        "test@makerkit.dev",
        uuid.UUID("31a03e74-1639-45b6-bfa7-77447f1a4762"),
        {"role": "super-admin"},
        "owner",
    ),
    StandardUser(
        "owner@makerkit.dev", uuid.UUID("5c064f1b-78ee-4e1c-ac3b-e99aa97c99bf"), {}, "owner"
    ),
    StandardUser(
        "member@makerkit.dev", uuid.UUID("6b83d656-e4ab-48e3-a062-c0c54a427368"), {}, "member"
    ),
    StandardUser(
        "custom@makerkit.dev", uuid.UUID("b73eb03e-fb7a-424d-84ff-18e2791ce0b4"), {}, CUSTOM_ROLE
    ),
    StandardUser(
        "super-admin@makerkit.dev",
        uuid.UUID("c5b930c9-0a76-412e-a836-4bc4849a3270"),
        {"role": "super-admin"},
        None,
    ),
)
"""test@ is the team's primary owner; super-admin@ belongs to no team (MakerKit gives it a TOTP
factor; without one, MakerKit's ``is_super_admin()`` is false for it)."""


@dataclass(frozen=True, slots=True)
class TeamSpec:
    """A team account to create with its members.

    Attributes:
        id: the account id (v1: the organization's ``uuid``).
        name: display name.
        slug: URL slug (unique); v1 organizations have none and ignore it.
        owner: primary owner's user id; also a member with the kit's top role.
        members: ``(user id, role name)`` in order, the owner included.
    """

    id: uuid.UUID
    name: str
    slug: str
    owner: uuid.UUID
    members: tuple[tuple[uuid.UUID, str], ...] = ()


@dataclass(slots=True)
class KitRows:
    """What :func:`write_kit_rows` wrote or found.

    ``memberships`` holds ``(account id, user id, role)`` with the role as the kit stores it
    (v1: ``"0"``/``"1"``/``"2"``).
    """

    personal_accounts: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    team_accounts: dict[str, uuid.UUID] = field(default_factory=dict)
    memberships: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def standard_user_specs(password: str = TEST_PASSWORD) -> list[UserSpec]:
    """The five standard test users as :class:`UserSpec`\\ s (fixed ids, MakerKit's metadata)."""
    return [
        UserSpec(email=u.email, password=password, id=u.id, app_metadata=dict(u.app_metadata))
        for u in STANDARD_USERS
    ]


def makerkit_team() -> TeamSpec:
    """Team account "Makerkit" with test@ (primary owner), owner@, member@ and custom@."""
    members = tuple((u.id, u.team_role) for u in STANDARD_USERS if u.team_role is not None)
    return TeamSpec(
        id=MAKERKIT_TEAM_ID,
        name=MAKERKIT_TEAM_NAME,
        slug=MAKERKIT_TEAM_SLUG,
        owner=STANDARD_USERS[0].id,
        members=members,
    )


def write_kit_rows(
    conn: psycopg.Connection[Any],
    kit: KitName,
    users: Mapping[uuid.UUID, Mapping[str, Any]],
    teams: Sequence[TeamSpec],
    *,
    now: datetime | None = None,
    new_users: Collection[uuid.UUID] | None = None,
) -> KitRows:
    """Write (or find) the kit's rows for ``users`` (id -> user metadata) and ``teams``.

    Call after the auth users exist. Idempotent per row: existing accounts, roles and memberships
    (e.g. from the project's ``seed.sql``) are kept, never duplicated.

    ``now``: stamp ``created_at``/``updated_at`` of the rows made here with this instant instead
    of the build time (see the module doc); only rows made by this call and the personal accounts
    of ``new_users`` (default: all of ``users``) are stamped, rows found from earlier are left as
    they are.
    """
    out = KitRows()
    made: dict[str, list[tuple[Any, ...]]] = {}
    if kit in ("v2", "v3"):
        _write_turbo(conn, users, teams, out, made)
    elif kit == "lite":
        _find_personal(conn, "lite", users, out)
        if teams:
            out.warnings.append(
                f"MakerKit lite has no team accounts; {len(teams)} planned team(s) were not created"
            )
    elif kit == "v1":
        _write_v1(conn, users, teams, out, made)
    if now is not None:
        fresh = set(users) if new_users is None else set(new_users)
        personal = [(a,) for owner, a in out.personal_accounts.items() if owner in fresh]
        made.setdefault("public.accounts", [])[:0] = personal
        for table, keys in made.items():
            key = _STAMP_KEYS[table]
            _stamp(conn, table, key, keys, now, out)
    return out


# The key each stamped table's rows are named by in :func:`_stamp`.
_STAMP_KEYS: Mapping[str, tuple[str, ...]] = {
    "public.accounts": ("id",),
    "public.accounts_memberships": ("account_id", "user_id"),
    "public.users": ("id",),
    "public.organizations": ("id",),
    "public.memberships": ("id",),
}


def _stamp(
    conn: psycopg.Connection[Any],
    table: str,
    key: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    now: datetime,
    out: KitRows,
) -> None:
    """Set ``created_at``/``updated_at`` (those the table has, where not NULL) of ``rows`` (key
    values) to ``now``.

    The table's enabled user triggers are disabled for the UPDATE and restored in the same
    transaction (other sessions never see them off). Without the right to alter the table (it
    belongs to another role), the rows keep the build time and a warning says so.
    """
    if not rows:
        return
    columns: dict[str, bool] = dict(
        conn.execute(
            "select attname, atttypid = 'timestamptz'::regtype from pg_attribute "
            "where attrelid = %s::regclass and attnum > 0 and not attisdropped "
            "and attgenerated = '' and attname in ('created_at', 'updated_at') "
            "and atttypid in ('timestamptz'::regtype, 'timestamp'::regtype) order by attnum",
            [table],
        ).fetchall()
    )
    if not columns:
        return
    schema, name = table.split(".", 1)
    # a plain timestamp gets the instant's UTC wall clock, whatever the session's time zone
    utc = sql.SQL("{}::timestamptz at time zone 'UTC'").format(sql.Placeholder())
    update = sql.SQL(
        "update {t} set {sets} where ({key}) in (select * from unnest({arrays}))"
    ).format(
        t=sql.Identifier(schema, name),
        sets=sql.SQL(", ").join(
            # a NULL stays NULL: only values the build stamped are replaced
            sql.SQL("{c} = CASE WHEN {c} IS NULL THEN NULL ELSE {v} END").format(
                c=sql.Identifier(c), v=sql.Placeholder() if with_zone else utc
            )
            for c, with_zone in columns.items()
        ),
        key=sql.SQL(", ").join(sql.Identifier(k) for k in key),
        arrays=sql.SQL(", ").join(sql.Placeholder() for _ in key),
    )
    params: list[Any] = [now] * len(columns) + [[r[i] for r in rows] for i in range(len(key))]
    try:
        with conn.transaction(), user_triggers_disabled(conn, table):
            conn.execute(update, params)
    except psycopg.errors.InsufficientPrivilege as error:
        out.warnings.append(
            f"{table}: {', '.join(columns)} of the {len(rows)} seeded row(s) keep the build time "
            f"(the seeding role may not disable the table's triggers to set them: {error})"
        )


def _find_personal(
    conn: psycopg.Connection[Any],
    kit: KitName,
    users: Mapping[uuid.UUID, Mapping[str, Any]],
    out: KitRows,
) -> None:
    """Look up the personal accounts MakerKit's trigger made; warn about users without one."""
    ids = list(users)
    if kit == "lite":
        query = "select id, id from public.accounts where id = any(%s)"
    else:
        query = (
            "select primary_owner_user_id, id from public.accounts "
            "where is_personal_account and primary_owner_user_id = any(%s)"
        )
    out.personal_accounts = {owner: acc for owner, acc in conn.execute(query, [ids])}
    out.rows["public.accounts"] = len(out.personal_accounts)
    missing = len(ids) - len(out.personal_accounts)
    if missing:
        out.warnings.append(
            f"{missing} of {len(ids)} user(s) have no personal account in public.accounts: the "
            "trigger on auth.users that MakerKit uses to create them (on_auth_user_created) is "
            "missing or disabled. Personal accounts are never inserted by the seeder."
        )


def _roles(conn: psycopg.Connection[Any]) -> dict[str, int]:
    return dict(conn.execute("select name, hierarchy_level from public.roles").fetchall())


def _ensure_roles(conn: psycopg.Connection[Any], wanted: Iterable[str], out: KitRows) -> str:
    """Create missing roles (custom-role at level 4 as MakerKit does); return the top role."""
    roles = _roles(conn)
    if not roles:
        raise SchemaError(
            "public.roles is empty: MakerKit's roles seed migration (owner = 1, member = 2) has "
            "not run. Apply all migrations before seeding."
        )
    for name in dict.fromkeys(wanted):
        if name in roles:
            continue
        used = set(roles.values())
        level = CUSTOM_ROLE_LEVEL if name == CUSTOM_ROLE else max(used) + 1
        while level in used:
            level += 1
        conn.execute(
            "insert into public.roles (name, hierarchy_level) values (%s, %s)", [name, level]
        )
        out.rows["public.roles"] = out.rows.get("public.roles", 0) + 1  # inserted, not a trigger's
        roles[name] = level
        if name != CUSTOM_ROLE:
            out.warnings.append(
                f"role {name!r} did not exist in public.roles; created with hierarchy_level "
                f"{level} (no permissions)"
            )
    return min(roles, key=roles.__getitem__)


def _write_turbo(
    conn: psycopg.Connection[Any],
    users: Mapping[uuid.UUID, Mapping[str, Any]],
    teams: Sequence[TeamSpec],
    out: KitRows,
    made: dict[str, list[tuple[Any, ...]]],
) -> None:
    _find_personal(conn, "v2", users, out)
    if not teams:
        return
    top = _ensure_roles(conn, (role for t in teams for _, role in t.members), out)
    existing = dict(
        conn.execute(
            "select id, slug from public.accounts where id = any(%s) or slug = any(%s)",
            [[t.id for t in teams], [t.slug for t in teams]],
        ).fetchall()
    )
    taken_slugs = {slug: acc for acc, slug in existing.items()}
    new = [t for t in teams if t.id not in existing and t.slug not in taken_slugs]
    for team in teams:
        if team.id in existing or team.slug in taken_slugs:
            out.team_accounts[team.slug] = taken_slugs.get(team.slug, team.id)
    if new:
        with conn.cursor() as cur:
            cur.executemany(
                "insert into public.accounts (id, primary_owner_user_id, name, slug, "
                "is_personal_account) values (%s, %s, %s, %s, false)",
                [(t.id, t.owner, t.name, t.slug) for t in new],
            )
    for team in new:
        out.team_accounts[team.slug] = team.id
    made["public.accounts"] = [(t.id,) for t in new]
    rows = []
    for team in teams:
        account = out.team_accounts[team.slug]
        members = dict(team.members)
        members[team.owner] = top  # the primary owner always holds the top role
        rows += [(account, user_id, role) for user_id, role in members.items()]
    # on conflict: a row the project's seed.sql (or an auth.uid()-aware trigger) made wins
    made["public.accounts_memberships"] = [
        (a, u)
        for a, u in conn.execute(
            "insert into public.accounts_memberships (account_id, user_id, account_role) "
            "select * from unnest(%s::uuid[], %s::uuid[], %s::varchar[]) "
            "on conflict (user_id, account_id) do nothing returning account_id, user_id",
            [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
        )
    ]
    out.memberships = [
        (a, u, r)
        for a, u, r in conn.execute(
            "select account_id, user_id, account_role from public.accounts_memberships "
            "where account_id = any(%s) order by account_id, user_id",
            [list(out.team_accounts.values())],
        )
    ]
    out.rows["public.accounts"] += len(new)
    out.rows["public.accounts_memberships"] = len(out.memberships)


def _v1_role(role: str, out: KitRows) -> int:
    if role in V1_ROLES:
        return V1_ROLES[role]
    out.warnings.append(
        f"MakerKit v1 memberships have integer roles only (member 0, admin 1, owner 2); role "
        f"{role!r} became member (0)"
    )
    return V1_ROLES["member"]


def _write_v1(
    conn: psycopg.Connection[Any],
    users: Mapping[uuid.UUID, Mapping[str, Any]],
    teams: Sequence[TeamSpec],
    out: KitRows,
    made: dict[str, list[tuple[Any, ...]]],
) -> None:
    # Profiles: v1 makes them at onboarding, not by trigger. onboarded = true so the app does not
    # send seeded users through onboarding again.
    profiles = [(uid, meta.get("name"), meta.get("avatar_url")) for uid, meta in users.items()]
    made["public.users"] = [
        tuple(r)
        for r in conn.execute(
            "insert into public.users (id, display_name, photo_url, onboarded) "
            "select id, name, photo, true from unnest(%s::uuid[], %s::text[], %s::text[]) "
            "as p(id, name, photo) on conflict (id) do nothing returning id",
            [[p[0] for p in profiles], [p[1] for p in profiles], [p[2] for p in profiles]],
        )
    ]
    out.rows["public.users"] = len(made["public.users"])
    organizations: dict[uuid.UUID, int] = dict(
        conn.execute(
            "select uuid, id from public.organizations where uuid = any(%s)",
            [[t.id for t in teams]],
        ).fetchall()
    )
    created = 0
    for team in teams:
        if team.id not in organizations:
            row = conn.execute(
                "insert into public.organizations (uuid, name) values (%s, %s) returning id",
                [team.id, team.name],
            ).fetchone()
            assert row is not None
            organizations[team.id] = row[0]
            made.setdefault("public.organizations", []).append((row[0],))
            created += 1
        out.team_accounts[team.slug] = team.id
    # v1 has one Owner per organization (ownership is transferred, not shared): the primary owner
    # is Owner, other "owner" members become Admin.
    rows = []
    for team in teams:
        for user_id, role in team.members:
            if user_id == team.owner:
                level = V1_ROLES["owner"]
            else:
                level = min(_v1_role(role, out), V1_ROLES["admin"])
            rows.append((user_id, organizations[team.id], level))
        if team.owner not in dict(team.members):
            rows.append((team.owner, organizations[team.id], V1_ROLES["owner"]))
    made["public.memberships"] = [
        tuple(r)
        for r in conn.execute(
            "insert into public.memberships (user_id, organization_id, role) "
            "select u, o, r from unnest(%s::uuid[], %s::bigint[], %s::int[]) "
            "with ordinality as m(u, o, r, n) order by n "
            "on conflict (user_id, organization_id) do nothing returning id",
            [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
        )
    ]
    by_org = {v: k for k, v in organizations.items()}
    out.memberships = [
        (by_org[org], user_id, str(role))
        for user_id, org, role in conn.execute(
            "select user_id, organization_id, role from public.memberships "
            "where organization_id = any(%s) order by organization_id, user_id",
            [list(organizations.values())],
        )
    ]
    out.rows["public.organizations"] = created
    out.rows["public.memberships"] = len(out.memberships)


def add_super_admin_factor(
    conn: psycopg.Connection[Any], user_id: uuid.UUID, *, now: datetime | None = None
) -> int:
    """Give ``user_id`` MakerKit's verified TOTP factor (v2/v3 super admin); return rows added.

    ``now`` stamps the factor's ``created_at``/``updated_at`` (default: the transaction's
    ``now()``; the users phase passes the engine's reference instant).

    MakerKit's super-admin checks need ``aal2`` and, in v3, a user with a verified factor is only
    MFA-compliant at ``aal2``: the factor makes super-admin@ behave as in MakerKit's own seed
    (``as_user(conn, "super-admin@makerkit.dev", aal="aal2")``). Nothing happens when
    ``auth.mfa_factors`` does not exist or the user already has a TOTP factor.
    """
    row = conn.execute("select to_regclass('auth.mfa_factors') is not null").fetchone()
    if row is None or not row[0]:
        return 0
    cur = conn.execute(
        """
        insert into auth.mfa_factors (id, user_id, factor_type, status, secret, created_at,
                                      updated_at)
        select %s, %s, 'totp', 'verified', %s, coalesce(%s, now()), coalesce(%s, now())
        where not exists (
          select 1 from auth.mfa_factors where user_id = %s and factor_type = 'totp'
        )
        """,
        [
            uuid.uuid5(_FACTOR_NAMESPACE, str(user_id)),
            user_id,
            SUPER_ADMIN_TOTP_SECRET,
            now,
            now,
            user_id,
        ],
    )
    return cur.rowcount
