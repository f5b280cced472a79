"""Act as a Supabase user inside a test's transaction, and check what row level security lets through.

Supabase's API (PostgREST) runs every request as ``set local role authenticated`` (or ``anon``,
``service_role``) with the caller's JWT claims in the setting ``request.jwt.claims``; policies read
them through ``auth.uid()`` and ``auth.jwt()``. The context managers here do exactly that, so a test
sees what the app's users see::

    with as_user(conn, "owner@makerkit.dev"):
        rows = conn.execute("select id from public.accounts").fetchall()

Each block runs in a savepoint: on a normal exit the previous role and claims are restored (blocks
nest); when the block raises, its changes, role and claims are rolled back together and the
surrounding transaction stays usable, so ``pytest.raises`` around a forbidden insert just works.
Everything is transaction-local: the blocks refuse to run outside a transaction, where ``set local``
would silently do nothing.

Inside a block the session user is ``authenticator`` (when the login user is a superuser and the
Supabase roles exist), as under PostgREST: ``set role`` may switch among anon, authenticated and
service_role only, so ``set role postgres`` fails. PostgreSQL still lets a superuser *login* run
``set session authorization postgres`` (it checks the login user, and no SQL-level hook can forbid
it on the same connection, which the test needs to see its uncommitted rows); a block that does is
failed when it ends and everything it did is rolled back with its savepoint. The residual: a block
that switches to postgres and back to authenticator before it ends is not noticed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import PipelineStatus, TransactionStatus

from ..errors import SupaseedError, did_you_mean
from .queries import tuple_rows

__all__ = [
    "ISSUER",
    "as_anon",
    "as_service_role",
    "as_user",
    "assert_not_visible",
    "assert_rls_enabled",
    "assert_visible",
]

#: ``iss`` of the claims: what a local Supabase stack (``supabase start``) puts in its tokens.
ISSUER = "http://127.0.0.1:54321/auth/v1"

#: Lifetime of the claimed token (GoTrue's default ``jwt_expiry``).
_EXPIRY_SECONDS = 3600

# Settings a block changes. The legacy per-claim settings are written too, because older
# auth.uid()/auth.role()/auth.email() read `request.jwt.claim.sub` first: a stale value there would
# override the claims document.
_SETTINGS = (
    "role",
    "request.headers",
    "request.jwt.claims",
    "request.jwt.claim.sub",
    "request.jwt.claim.role",
    "request.jwt.claim.email",
)

#: The login role PostgREST connects as (member of anon, authenticated and service_role only).
_AUTHENTICATOR = "authenticator"
_API_ROLES = ("anon", "authenticated", "service_role")

_SESSION_NAMESPACE = uuid.UUID("3d1c6a52-8f0e-5b9a-a1c4-7e2d9b0f6c33")


def _require_transaction(conn: psycopg.Connection[Any], what: str) -> None:
    __tracebackhide__ = True
    status = conn.info.transaction_status
    if status == TransactionStatus.INTRANS:
        return
    if status == TransactionStatus.INERROR:
        raise SupaseedError(
            f"{what} cannot run: the current transaction is aborted by an earlier error. Roll it "
            "back (or wrap the failing statement in `with conn.transaction():`) first."
        )
    raise SupaseedError(
        f"{what} needs an open transaction: `set local role` and the JWT claims only last until "
        "the end of the current transaction, and outside one they would silently do nothing. "
        "Use the `supaseed` fixture's connection (each test runs in a transaction), or wrap the "
        "code in `with conn.transaction():`."
    )


@contextmanager
def _acting_as(
    conn: psycopg.Connection[Any],
    role: str,
    claims_for: Callable[[psycopg.Cursor[Any] | None, int], dict[str, Any]],
    headers: Mapping[str, str] | None = None,
    lookup: tuple[sql.SQL, list[Any]] | None = None,
) -> Iterator[None]:
    """Savepoint, switch role and claims, restore them on exit.

    ``claims_for(cursor, now)`` builds the claims from the cursor of ``lookup`` (a query run as the
    login user after ``set local role none``, so that a nested block, inside ``as_anon`` say, can
    still read ``auth.users``) and the server's time in epoch seconds.

    ``request.headers`` is set as PostgREST sets it: a JSON object of the request's headers with
    lower-cased names (``{}`` when the block gives none).

    A block costs six round trips: the savepoint, the current settings, one pipeline that switches
    to the login user and runs ``lookup``, the new settings, one pipeline that checks and restores,
    and the release.
    """
    __tracebackhide__ = True
    with conn.transaction():
        row = tuple_rows(conn, _READ_SETTINGS).fetchone()
        assert row is not None
        previous = dict(zip(_SETTINGS, row))
        previous_session, now, login, can_switch = row[-4:]
        with _batched(conn):
            # As the login user (a nested block may have switched to the authenticator), role none.
            if can_switch and previous_session != login:
                _apply(conn, {"session_authorization": login})
            conn.execute("set local role none")
            found = tuple_rows(conn, *lookup) if lookup is not None else None
        claims = claims_for(found, now)
        with _batched(conn):
            if can_switch:
                # As PostgREST: a non-superuser login role (authenticator) that may only switch to
                # the API roles, so `set role postgres` inside the block fails as on Supabase.
                _apply(conn, {"session_authorization": _AUTHENTICATOR})
            _apply(
                conn,
                {
                    "role": role,
                    "request.headers": json.dumps(
                        {str(k).lower(): str(v) for k, v in (headers or {}).items()}
                    ),
                    "request.jwt.claims": json.dumps(claims),
                    "request.jwt.claim.sub": str(claims.get("sub") or ""),
                    "request.jwt.claim.role": str(claims.get("role") or ""),
                    "request.jwt.claim.email": str(claims.get("email") or ""),
                },
            )
        yield
        if conn.info.pipeline_status != PipelineStatus.OFF:
            # the block ran in a pipeline of the caller's: its results must be in before the
            # transaction's status says whether the block ended normally
            with conn.pipeline():
                pass
        # Only reached on a normal exit; on an exception the savepoint rollback restores all.
        if conn.info.transaction_status == TransactionStatus.INTRANS:
            with _batched(conn):
                users = tuple_rows(conn, _SESSION_AND_ROLE) if can_switch else None
                if can_switch:
                    _apply(conn, {"session_authorization": login})
                    if previous_session != login:
                        _apply(conn, {"session_authorization": previous_session})
                _apply(conn, {name: previous[name] or "" for name in _SETTINGS})
            if users is not None:
                # Checked after the restore was sent: a refusal rolls back the savepoint, restore
                # included, so the order does not matter.
                _refuse_escape(users.fetchone(), role)


#: The settings a block changes, the session user, the server's time, the login user and whether
#: blocks switch to the authenticator. The login user is the backend's own (``pg_stat_activity``'s
#: ``usename``, read for this backend only), not the name the client sent: a pooler may rewrite it
#: (Supavisor's ``postgres.<tenant>``). Switching needs the login user to be a superuser (``set
#: session authorization``) and an ``authenticator`` role that is a member of the API roles (the
#: Supabase layer makes it; a real Supabase has it). Read anew by every block: a test may create or
#: drop these roles in its transaction.
_READ_SETTINGS = sql.SQL(
    sql.SQL(
        """
    with login as (
        select pg_catalog.pg_get_userbyid(a.usesysid)::text as name
        from pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a
    )
    select {settings}, session_user::text, extract(epoch from now())::bigint, login.name,
           case when coalesce((select r.rolsuper from pg_catalog.pg_roles r
                               where r.rolname = login.name), false)
                     and exists (select from pg_catalog.pg_roles where rolname = {authenticator})
                     and exists (select from pg_catalog.pg_roles where rolname = 'authenticated')
                then pg_catalog.pg_has_role({authenticator}, 'authenticated', 'MEMBER')
                else false end
    from login
    """
    )
    .format(
        settings=sql.SQL(", ").join(
            sql.SQL("current_setting({}, true)").format(sql.Literal(name)) for name in _SETTINGS
        ),
        authenticator=sql.Literal(_AUTHENTICATOR),
    )
    .as_string()  # composed once, not per block
)

_SESSION_AND_ROLE = "select session_user::text, current_user::text"


def _refuse_escape(row: tuple[Any, ...] | None, role: str) -> None:
    """Fail the block (its savepoint is rolled back) when it left the authenticator's session.

    A superuser login may always ``set session authorization`` (PostgreSQL checks the login user,
    not the current one), and no SQL-level hook can forbid it on the same connection. So the block
    is checked when it ends: any work done after such a switch is undone with the savepoint.
    """
    __tracebackhide__ = True
    assert row is not None
    session, current = str(row[0]), str(row[1])
    if session == _AUTHENTICATOR and current in (_AUTHENTICATOR, *_API_ROLES):
        return
    raise SupaseedError(
        f"A block acting as {role} ended as session user '{session}', role '{current}': the code "
        "in it ran `set session authorization` / `reset session authorization`, which a Supabase "
        "API request (logged in as authenticator) cannot do. Its changes were rolled back. Act "
        "as the superuser outside the as_user/as_anon/as_service_role block."
    )


def _apply(conn: psycopg.Connection[Any], settings: Mapping[str, str]) -> None:
    # `role` = '' is not a valid role; 'none' is what `reset role` means inside set_config.
    values = [v if (k != "role" or v) else "none" for k, v in settings.items()]
    conn.execute(_set_configs(tuple(settings)), values)


@cache
def _set_configs(names: tuple[str, ...]) -> sql.SQL:
    """``select set_config(name, %s, true), ...`` for ``names`` (built once per set of names)."""
    calls = ", ".join(f"set_config({sql.quote(name)}, %s, true)" for name in names)
    return sql.SQL(f"select {calls}")


def _batched(conn: psycopg.Connection[Any]) -> AbstractContextManager[Any]:
    """Send the statements of the block in one round trip (libpq's pipeline mode, libpq >= 14)."""
    return conn.pipeline() if psycopg.Pipeline.is_supported() else nullcontext()


def _time_claims(now: int) -> dict[str, int]:
    return {"iat": now, "exp": now + _EXPIRY_SECONDS}


def _user_lookup(user: str | uuid.UUID) -> tuple[sql.SQL, list[Any]]:
    """The query (and its parameters) that reads ``user``'s claims data: an email or an id."""
    key = _as_id(user)
    if key is not None:
        where, param = "id = %s", str(key)
    else:
        where, param = "lower(email) = lower(%s)", str(user)
    query = sql.SQL(
        "select id, email, phone, raw_app_meta_data, raw_user_meta_data, "
        "coalesce((to_jsonb(u) ->> 'is_anonymous')::boolean, false) "
        "from auth.users u where " + where
    )
    return query, [param]


def _found_user(
    conn: psycopg.Connection[Any], cur: psycopg.Cursor[Any] | None, user: str | uuid.UUID
) -> tuple[Any, ...]:
    """The row :func:`_user_lookup` read, or an error naming the closest emails."""
    __tracebackhide__ = True
    row = cur.fetchone() if cur is not None else None
    if row is None:
        emails = [
            e
            for (e,) in tuple_rows(
                conn,
                "select email from auth.users where email is not null order by email limit 10000",
            )
        ]
        hint = did_you_mean(str(user), emails) if _as_id(user) is None else ""
        raise SupaseedError(
            f"no auth user {user!r} in auth.users{hint}. Seed the user first (the plan's "
            "`users` section) or pass an existing email or id."
        )
    return tuple(row)


def _as_id(user: str | uuid.UUID) -> uuid.UUID | None:
    """``user`` as a user id, or None when it is not one (an email)."""
    if isinstance(user, uuid.UUID):
        return user
    try:
        return uuid.UUID(user)
    except ValueError:
        return None


@contextmanager
def as_user(
    conn: psycopg.Connection[Any],
    user: str | uuid.UUID,
    *,
    aal: str = "aal1",
    claims: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Iterator[uuid.UUID]:
    """Run the block as the Supabase user ``user`` (email or id): role ``authenticated`` + claims.

    The claims are built from the user's ``auth.users`` row the way GoTrue issues them (``sub``,
    ``email``, ``phone``, ``role``, ``aud``, ``app_metadata``, ``user_metadata``, ``aal``,
    ``amr``, ``session_id``, ``is_anonymous``, ``iss``, ``iat``, ``exp``); ``aal="aal2"`` claims a
    second factor (MakerKit's super-admin checks need it) and ``claims`` overrides or adds keys.
    ``headers`` become ``request.headers`` as PostgREST sets them (names lower-cased), for apps
    that read ``current_setting('request.headers', true)::json ->> 'x-forwarded-for'``.
    Yields the user's id. Needs an open transaction; restores the previous role on exit.
    """
    __tracebackhide__ = True
    _require_transaction(conn, "as_user()")
    found: list[uuid.UUID] = []

    def build(cur: psycopg.Cursor[Any] | None, now: int) -> dict[str, Any]:
        __tracebackhide__ = True
        user_id, email, phone, app_meta, user_meta, anonymous = _found_user(conn, cur, user)
        found.append(user_id)
        times = _time_claims(now)
        built: dict[str, Any] = {
            "iss": ISSUER,
            "sub": str(user_id),
            "aud": "authenticated",
            "exp": times["exp"],
            "iat": times["iat"],
            "email": email or "",
            "phone": phone or "",
            "app_metadata": app_meta or {},
            "user_metadata": user_meta or {},
            "role": "authenticated",
            "aal": aal,
            "amr": [{"method": "password", "timestamp": times["iat"]}],
            "session_id": str(uuid.uuid5(_SESSION_NAMESPACE, str(user_id))),
            "is_anonymous": bool(anonymous),
        }
        built.update(claims or {})
        return built

    with _acting_as(conn, "authenticated", build, headers, _user_lookup(user)):
        yield found[0]


@contextmanager
def _as_role(
    conn: psycopg.Connection[Any],
    role: str,
    what: str,
    headers: Mapping[str, str] | None = None,
) -> Iterator[None]:
    """Run the block as a Supabase API role with that role's key claims (no ``sub``)."""
    __tracebackhide__ = True
    _require_transaction(conn, what)

    def build(_cur: psycopg.Cursor[Any] | None, now: int) -> dict[str, Any]:
        return {"iss": "supabase-demo", "role": role, **_time_claims(now)}

    with _acting_as(conn, role, build, headers):
        yield


def as_anon(
    conn: psycopg.Connection[Any], *, headers: Mapping[str, str] | None = None
) -> AbstractContextManager[None]:
    """Run the block as an anonymous visitor: role ``anon``, the anon key's claims, no ``sub``.

    ``headers`` become ``request.headers``, as in :func:`as_user`.
    """
    return _as_role(conn, "anon", "as_anon()", headers)


def as_service_role(
    conn: psycopg.Connection[Any], *, headers: Mapping[str, str] | None = None
) -> AbstractContextManager[None]:
    """Run the block as the backend (role ``service_role``, which bypasses RLS), claims included.

    ``headers`` become ``request.headers``, as in :func:`as_user`.
    """
    return _as_role(conn, "service_role", "as_service_role()", headers)


def assert_rls_enabled(
    conn: psycopg.Connection[Any],
    schema: str = "public",
    *,
    exclude: Iterable[str] = (),
) -> None:
    """Fail listing every table (and partitioned table) of ``schema`` without row level security.

    ``exclude`` names tables that are public on purpose (``"countries"`` or ``"public.countries"``).
    """
    __tracebackhide__ = True
    skip = {name.split(".")[-1] for name in exclude}
    rows = tuple_rows(
        conn,
        """
        select c.relname
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = %s and c.relkind in ('r', 'p') and not c.relrowsecurity
          and not c.relispartition
        order by c.relname
        """,
        [schema],
    ).fetchall()
    missing = [name for (name,) in rows if name not in skip]
    if missing:
        listed = "\n".join(f"  - {schema}.{name}" for name in missing)
        raise AssertionError(
            f"{len(missing)} table(s) in schema {schema!r} have row level security disabled, so "
            f"every role with a grant reads and writes all their rows:\n{listed}\n"
            "Fix: `alter table <table> enable row level security;` (plus policies), or pass "
            "exclude=[...] for tables that are public on purpose."
        )


def _split_table(table: str) -> sql.Composable:
    schema, _, name = table.rpartition(".")
    return sql.Identifier(schema or "public", name)


def _visibility(
    conn: psycopg.Connection[Any],
    user: str | uuid.UUID,
    table: str,
    ids: Iterable[Any],
    column: str,
) -> tuple[str, dict[str, bool]]:
    """(who, {id as text: visible}) for ``ids`` of ``table`` seen by ``user``."""
    __tracebackhide__ = True
    wanted = [str(i) for i in ids]
    if not wanted:
        raise SupaseedError(f"no ids given to check in {table}: pass at least one id")
    target = _split_table(table)
    type_row = tuple_rows(
        conn,
        "select format_type(a.atttypid, a.atttypmod) from pg_attribute a "
        "where a.attrelid = to_regclass(%s) and a.attname = %s and not a.attisdropped",
        [table if "." in table else f"public.{table}", column],
    ).fetchone()
    if type_row is None:
        raise SupaseedError(
            f"{table}.{column} does not exist: name the table as 'schema.table' and the key "
            "column with column=..."
        )
    col_type = sql.SQL(type_row[0])  # format_type() output is a valid, quoted type name
    # Casting the given ids to the column's type makes '5DEA…' and UUID objects compare as equal.
    query = sql.SQL(
        "select w.given, exists (select 1 from {table} t where t.{col} = w.given::{type}) "
        "from unnest(%s::text[]) as w(given)"
    ).format(table=target, col=sql.Identifier(column), type=col_type)
    who = str(user)
    denied = False
    rows: list[tuple[Any, ...]] = []
    try:
        if isinstance(user, str) and user in ("anon", "service_role"):
            with as_anon(conn) if user == "anon" else as_service_role(conn):
                rows = tuple_rows(conn, query, [wanted]).fetchall()
        else:
            with as_user(conn, user) as user_id:
                who = f"{user} ({user_id})" if str(user) != str(user_id) else str(user)
                rows = tuple_rows(conn, query, [wanted]).fetchall()
    except psycopg.errors.InsufficientPrivilege:
        # No grant at all: the role sees none of the rows (the savepoint already rolled back).
        denied = True
    if denied:
        return who + " (no privilege on the table)", dict.fromkeys(wanted, False)
    return who, {given: bool(seen) for given, seen in rows}


def assert_visible(
    conn: psycopg.Connection[Any],
    user: str | uuid.UUID,
    table: str,
    ids: Iterable[Any],
    *,
    column: str = "id",
) -> None:
    """Fail unless ``user`` (email, id, ``"anon"`` or ``"service_role"``) sees every row of ``ids``.

    Runs the check as that user inside a savepoint of the current transaction; the failure names
    the user, the table and the rows they cannot see.
    """
    __tracebackhide__ = True
    _require_transaction(conn, "assert_visible()")
    who, seen = _visibility(conn, user, table, ids, column)
    hidden = [i for i, visible in seen.items() if not visible]
    if hidden:
        raise AssertionError(
            f"as {who}, {len(hidden)} of {len(seen)} row(s) of {table} are not visible "
            f"({column} = {', '.join(hidden)}). Either the rows do not exist or RLS hides them."
        )


def assert_not_visible(
    conn: psycopg.Connection[Any],
    user: str | uuid.UUID,
    table: str,
    ids: Iterable[Any],
    *,
    column: str = "id",
) -> None:
    """Fail if ``user`` (email, id, ``"anon"`` or ``"service_role"``) sees any row of ``ids``.

    The failure names the user, the table and the rows that leak through RLS.
    """
    __tracebackhide__ = True
    _require_transaction(conn, "assert_not_visible()")
    who, seen = _visibility(conn, user, table, ids, column)
    leaked = [i for i, visible in seen.items() if visible]
    if leaked:
        why = (
            "service_role bypasses RLS (it has BYPASSRLS), so it sees every row; assert "
            "visibility for anon or a signed-in user instead"
            if user == "service_role"
            else "RLS lets them through"
        )
        raise AssertionError(
            f"as {who}, {len(leaked)} of {len(seen)} row(s) of {table} are visible but should "
            f"not be ({column} = {', '.join(leaked)}): {why}."
        )
