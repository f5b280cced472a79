"""Supabase auth users, written the way Supabase's auth server (GoTrue) writes them, in bulk.

A seeded user must be able to log in through the real auth server, so every column GoTrue reads at
login is filled the way GoTrue itself fills it:

- ``instance_id`` is the nil uuid and ``aud`` / ``role`` are ``authenticated`` (GoTrue looks users
  up by those);
- ``encrypted_password`` is a ``$2a$`` bcrypt hash made by pgcrypto's ``crypt()`` (pgcrypto cannot
  verify ``$2b$`` hashes: it silently returns garbage);
- ``email_confirmed_at`` is set (otherwise: "Email not confirmed");
- the token columns GoTrue scans into Go strings are ``''``, never NULL (NULL there is a 500 at login);
- ``confirmed_at`` is a generated column and is never written;
- one ``auth.identities`` row per user (provider ``email``, ``provider_id`` = the user id).

bcrypt is slow on purpose (~50 ms per hash at GoTrue's cost 10), so each *distinct* password is
hashed once and the hash is shared by every user with that password. The salt comes from the seed,
so the same seed gives byte-identical hashes: a seeded database is reproducible down to its hashes.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from ..errors import SchemaError, SupaseedError

__all__ = [
    "DEFAULT_BCRYPT_COST",
    "NIL_INSTANCE_ID",
    "AuthUsersResult",
    "UserSpec",
    "bcrypt_salt",
    "create_auth_users",
    "hash_passwords",
    "insert_auth_users",
    "user_id_for_email",
]

#: ``auth.users.instance_id`` of every user of a Supabase project (GoTrue filters on it).
NIL_INSTANCE_ID = uuid.UUID(int=0)

#: GoTrue's own bcrypt cost (Go's ``bcrypt.DefaultCost``).
DEFAULT_BCRYPT_COST = 10

# Namespace of the ids derived from an email when a spec brings no id (uuid5: stable everywhere).
_USER_ID_NAMESPACE = uuid.UUID("6f1c1f3e-4b0e-5d35-9a43-5c1d2f9b7a10")

_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_STD_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_BCRYPT_B64 = str.maketrans(_STD_B64_ALPHABET, _BCRYPT_ALPHABET)

# Columns GoTrue scans into non-nullable Go strings; some have no '' default, so always write ''.
_EMPTY_STRING_COLUMNS = (
    "confirmation_token",
    "recovery_token",
    "email_change_token_new",
    "email_change",
    "email_change_token_current",
    "phone_change",
    "phone_change_token",
    "reauthentication_token",
)

# Columns without which a row is not a Supabase user at all.
_REQUIRED_USER_COLUMNS = (
    "instance_id",
    "id",
    "aud",
    "role",
    "email",
    "encrypted_password",
    "email_confirmed_at",
    "raw_app_meta_data",
    "raw_user_meta_data",
    "created_at",
    "updated_at",
)

# (password, cost, salt) -> hash. bcrypt is a pure function of these three, so a hash computed once
# in this process is valid for every later database (a warm rebuild skips ~50 ms per password).
_HASH_CACHE: dict[tuple[str, int, str], str] = {}


@dataclass(frozen=True, slots=True)
class UserSpec:
    """One auth user to create.

    Attributes:
        email: the login; stored lower-cased, as GoTrue stores it.
        password: the clear-text password the user logs in with.
        id: the user's id; ``None`` derives a stable id from the email (:func:`user_id_for_email`).
        app_metadata: merged into ``raw_app_meta_data`` after ``provider``/``providers`` (e.g.
            MakerKit's ``{"role": "super-admin"}``).
        user_metadata: ``raw_user_meta_data``: what sign-up triggers read (``name``,
            ``avatar_url``).
        phone: optional phone number (stored without confirmation).
    """

    email: str
    password: str
    id: uuid.UUID | None = None
    app_metadata: Mapping[str, Any] = field(default_factory=dict)
    user_metadata: Mapping[str, Any] = field(default_factory=dict)
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class AuthUsersResult:
    """What :func:`insert_auth_users` did.

    Attributes:
        ids: email (lower case) -> user id, for every spec, created or reused.
        created: emails inserted by this call, in spec order.
        reused: emails that already existed (e.g. from the project's ``seed.sql``) and were left
            untouched.
        warnings: one sentence per surprise (an existing user whose id differs from the spec's).
    """

    ids: dict[str, uuid.UUID]
    created: tuple[str, ...]
    reused: tuple[str, ...]
    warnings: tuple[str, ...]


def user_id_for_email(email: str) -> uuid.UUID:
    """The stable id a user without an explicit id gets: uuid5 of the lower-cased email."""
    return uuid.uuid5(_USER_ID_NAMESPACE, email.strip().lower())


def bcrypt_salt(rng: random.Random, cost: int = DEFAULT_BCRYPT_COST) -> str:
    """A ``$2a$`` bcrypt salt (``$2a$10$`` + 22 characters) drawn from ``rng``.

    ``$2a$`` because pgcrypto's ``crypt()`` verifies ``$2a$`` but not ``$2b$``, and GoTrue accepts
    both. The 16 salt bytes are encoded in bcrypt's base64 alphabet; dropping the last two of the
    24 standard-base64 characters leaves the canonical 22 (the last one carries 2 bits).
    """
    if not 4 <= cost <= 31:
        raise SupaseedError(f"bcrypt cost must be between 4 and 31, got {cost}")
    raw = rng.getrandbits(128).to_bytes(16, "big")
    encoded = base64.b64encode(raw).decode("ascii").translate(_TO_BCRYPT_B64)[:22]
    return f"$2a${cost:02d}${encoded}"


def _crypt_function(conn: psycopg.Connection[Any]) -> sql.Composable:
    """The qualified name of pgcrypto's ``crypt(text, text)``, preferring schema ``extensions``."""
    row = conn.execute(
        """
        select n.nspname
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where p.proname = 'crypt' and p.pronargs = 2
          and p.proargtypes[0] = 'text'::regtype and p.proargtypes[1] = 'text'::regtype
        order by n.nspname = 'extensions' desc, n.nspname
        limit 1
        """
    ).fetchone()
    if row is None:
        raise SchemaError(
            "pgcrypto's crypt() is not installed in this database, so user passwords cannot be "
            "hashed. Run `create extension pgcrypto with schema extensions` (the Supabase "
            "compatibility layer, install_supabase_layer(), does this)."
        )
    return sql.SQL("{}.crypt").format(sql.Identifier(row[0]))


def hash_passwords(
    conn: psycopg.Connection[Any],
    passwords: Iterable[str],
    *,
    seed: int | str = 0,
    cost: int = DEFAULT_BCRYPT_COST,
) -> dict[str, str]:
    """Hash each distinct password once with pgcrypto's ``crypt()``; return password -> hash.

    The salt of a password is drawn from ``random.Random(f"{seed}:password:{password}")``, so the
    hash is the same in every run with the same seed. All missing hashes are computed in one query.
    """
    distinct = sorted(set(passwords))
    salts = {pw: bcrypt_salt(random.Random(f"{seed}:password:{pw}"), cost) for pw in distinct}
    hashes = {
        pw: _HASH_CACHE[(pw, cost, salts[pw])]
        for pw in distinct
        if (pw, cost, salts[pw]) in _HASH_CACHE
    }
    missing = [pw for pw in distinct if pw not in hashes]
    if missing:
        query = sql.SQL(
            "select t.pw, {crypt}(t.pw, t.salt) from unnest(%s::text[], %s::text[]) as t(pw, salt)"
        ).format(crypt=_crypt_function(conn))
        for pw, hashed in conn.execute(query, [missing, [salts[pw] for pw in missing]]):
            if not isinstance(hashed, str) or not hashed.startswith("$2a$"):
                raise SupaseedError(
                    f"crypt() returned an unexpected hash {hashed!r} for a password"
                )
            _HASH_CACHE[(pw, cost, salts[pw])] = hashed
            hashes[pw] = hashed
    return hashes


def _auth_columns(conn: psycopg.Connection[Any], table: str) -> dict[str, bool]:
    """Writable columns of ``auth.<table>`` -> NOT NULL; generated columns are left out."""
    rows = conn.execute(
        """
        select a.attname, a.attnotnull
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'auth' and c.relname = %s
          and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        """,
        [table],
    ).fetchall()
    if not rows:
        raise SchemaError(
            f"auth.{table} does not exist: this database has no Supabase auth schema. Install the "
            "compatibility layer first (pytest_supaseed.backends.supabase.install_supabase_layer), "
            "or point the plugin at a Supabase database."
        )
    return {name: notnull for name, notnull in rows}


def _normalise(users: Sequence[UserSpec]) -> list[tuple[str, uuid.UUID, UserSpec]]:
    """(email, id, spec) per spec; duplicate emails or ids are an error naming both specs."""
    seen_emails: dict[str, int] = {}
    seen_ids: dict[uuid.UUID, str] = {}
    out: list[tuple[str, uuid.UUID, UserSpec]] = []
    for index, spec in enumerate(users):
        email = spec.email.strip().lower()
        if "@" not in email or any(c in email for c in "\t\n\r\\ "):
            raise SupaseedError(f"user #{index}: {spec.email!r} is not an email address")
        if email in seen_emails:
            raise SupaseedError(
                f"user #{index}: email {email!r} is already used by user #{seen_emails[email]}; "
                "each auth user needs its own email"
            )
        user_id = spec.id if spec.id is not None else user_id_for_email(email)
        if user_id in seen_ids:
            raise SupaseedError(
                f"user #{index} ({email}): id {user_id} is already used by {seen_ids[user_id]}"
            )
        seen_emails[email] = index
        seen_ids[user_id] = email
        out.append((email, user_id, spec))
    return out


def insert_auth_users(
    conn: psycopg.Connection[Any],
    users: Sequence[UserSpec],
    *,
    seed: int | str = 0,
    cost: int = DEFAULT_BCRYPT_COST,
    now: datetime | None = None,
) -> AuthUsersResult:
    """Create ``users`` in ``auth.users`` + ``auth.identities`` with two COPYs; see the module doc.

    Users whose email already exists (the project's ``seed.sql`` made them) are reused, not
    duplicated: their id is returned and their rows are left untouched. An existing user holding a
    spec's id under another email is an error. ``now`` stamps ``created_at``/``updated_at``/
    ``email_confirmed_at`` (default: the transaction's ``now()``).
    """
    specs = _normalise(users)
    if not specs:
        return AuthUsersResult({}, (), (), ())
    user_columns = _auth_columns(conn, "users")
    identity_columns = _auth_columns(conn, "identities")
    missing = [c for c in _REQUIRED_USER_COLUMNS if c not in user_columns]
    if missing:
        raise SchemaError(
            f"auth.users lacks column(s) {', '.join(missing)}: it is not Supabase's auth.users "
            "(or a very old one). Reinstall the Supabase compatibility layer."
        )

    existing: dict[str, uuid.UUID] = {}
    owners_of_ids: dict[uuid.UUID, str | None] = {}
    for user_id, email in _users_like(conn, specs):
        if email is not None:
            existing[email] = user_id
        owners_of_ids[user_id] = email

    warnings: list[str] = []
    to_create: list[tuple[str, uuid.UUID, UserSpec]] = []
    ids: dict[str, uuid.UUID] = {}
    for email, user_id, spec in specs:
        if email in existing:
            ids[email] = existing[email]
            if spec.id is not None and existing[email] != spec.id:
                warnings.append(
                    f"auth user {email} already exists with id {existing[email]}, not the expected "
                    f"{spec.id}; the existing user is used"
                )
            continue
        if user_id in owners_of_ids:
            raise SupaseedError(
                f"cannot create auth user {email} with id {user_id}: auth.users already has that "
                f"id for {owners_of_ids[user_id]!r}. Give the user another id or remove the old row."
            )
        ids[email] = user_id
        to_create.append((email, user_id, spec))

    if to_create:
        if now is None:
            row = conn.execute("select now()").fetchone()
            assert row is not None
            now = row[0]
        assert now is not None
        hashes = hash_passwords(conn, (s.password for _, _, s in to_create), seed=seed, cost=cost)
        _copy_users(conn, user_columns, to_create, hashes, now)
        _insert_identities(conn, identity_columns, [i for _, i, _ in to_create])

    created = tuple(e for e, _, _ in to_create)
    reused = tuple(e for e, _, _ in specs if e in existing)
    return AuthUsersResult(ids, created, reused, tuple(warnings))


#: Up to this many rows in auth.users, :func:`_users_like` reads them all rather than sending the
#: specs' emails and ids (parsing 10,000 of each costs the server ~25 ms, an empty table nothing).
_READ_ALL_BELOW = 1_000


def _users_like(
    conn: psycopg.Connection[Any], specs: Sequence[tuple[str, uuid.UUID, UserSpec]]
) -> list[tuple[uuid.UUID, str | None]]:
    """(id, lower(email)) of the auth.users rows that have a spec's email or id."""
    small = conn.execute(
        "select id, lower(email) from auth.users limit %s", [_READ_ALL_BELOW + 1]
    ).fetchall()
    if len(small) <= _READ_ALL_BELOW:
        emails = {e for e, _, _ in specs}
        ids = {i for _, i, _ in specs}
        return [(i, e) for i, e in small if e in emails or i in ids]
    return conn.execute(
        "select id, lower(email) from auth.users "
        "where lower(email) = any(string_to_array(%s, E'\\n')) "
        "or id = any(string_to_array(%s, E'\\n')::uuid[])",
        # one newline-joined string per list: ~2x cheaper to send than 10,000 array elements
        ["\n".join(e for e, _, _ in specs), "\n".join(str(i) for _, i, _ in specs)],
    ).fetchall()


def create_auth_users(
    conn: psycopg.Connection[Any],
    users: Sequence[UserSpec],
    *,
    seed: int | str = 0,
    cost: int = DEFAULT_BCRYPT_COST,
    now: datetime | None = None,
) -> dict[str, uuid.UUID]:
    """Create Supabase auth users that can log in; return email (lower case) -> user id.

    One bcrypt hash per distinct password, one COPY into ``auth.users`` and one into
    ``auth.identities``. Existing users with the same email are reused (see
    :func:`insert_auth_users`, which also reports what was created and reused).
    """
    return insert_auth_users(conn, users, seed=seed, cost=cost, now=now).ids


def _copy_text(value: str) -> str:
    """``value`` escaped for COPY's text format (backslash first, then the separators)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_users(
    conn: psycopg.Connection[Any],
    columns: Mapping[str, bool],
    rows: Sequence[tuple[str, uuid.UUID, UserSpec]],
    hashes: Mapping[str, str],
    now: datetime,
) -> None:
    # Only columns this auth.users has: the layer, a Supabase image or an older GoTrue differ.
    fixed: dict[str, str] = {
        "instance_id": str(NIL_INSTANCE_ID),
        "aud": "authenticated",
        "role": "authenticated",
        "email_confirmed_at": now.isoformat(),
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "email_change_confirm_status": "0",
        "is_sso_user": "f",
        "is_anonymous": "f",
    }
    fixed.update({c: "" for c in _EMPTY_STRING_COLUMNS})
    fixed = {k: v for k, v in fixed.items() if k in columns}
    per_user = ["id", "email", "encrypted_password", "raw_app_meta_data", "raw_user_meta_data"]
    with_phone = "phone" in columns and any(s.phone for _, _, s in rows)
    if with_phone:
        per_user.append("phone")
    names = per_user + list(fixed)
    # The row tail is the same for every user: format it once. Formatting the text rows here is
    # ~5x faster than psycopg's per-value write_row, and COPY is the fastest way in.
    tail = "\t" + "\t".join(_copy_text(v) for v in fixed.values()) + "\n"
    plain_app_meta = json.dumps({"provider": "email", "providers": ["email"]})
    copy = sql.SQL("copy auth.users ({}) from stdin").format(
        sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    # Rows are sent in chunks while the next ones are formatted, so the server parses and indexes
    # (11 indexes on auth.users) while Python works: the two overlap on two cores.
    with conn.cursor() as cur, cur.copy(copy) as out:
        lines: list[str] = []
        for email, user_id, spec in rows:
            app_meta = (
                json.dumps({"provider": "email", "providers": ["email"], **spec.app_metadata})
                if spec.app_metadata
                else plain_app_meta
            )
            user_meta = json.dumps(dict(spec.user_metadata)) if spec.user_metadata else "{}"
            line = "\t".join(
                map(_copy_text, (str(user_id), email, hashes[spec.password], app_meta, user_meta))
            )
            if with_phone:
                line += "\t" + (_copy_text(spec.phone) if spec.phone else "\\N")  # \N is NULL
            lines.append(line + tail)
            if len(lines) == 500:
                out.write("".join(lines))
                lines.clear()
        if lines:
            out.write("".join(lines))


def _insert_identities(
    conn: psycopg.Connection[Any],
    columns: Mapping[str, bool],
    user_ids: Sequence[uuid.UUID],
) -> None:
    """One ``email`` identity per new user, built in SQL from the ``auth.users`` rows just written.

    The identity id is ``md5('identity:' || user id)`` as a uuid: deterministic like the user id,
    and free of a uuid extension.
    """
    # Since GoTrue 2.x (2023-11) the old text id is `provider_id` and `id` is a uuid primary key;
    # older auth schemas keep the user id as text in `id`.
    if "provider_id" in columns:
        names = ["id", "provider_id"]
        values = ["md5('identity:' || u.id::text)::uuid", "u.id::text"]
    else:
        names = ["id"]
        values = ["u.id::text"]
    names += ["user_id", "identity_data", "provider"]
    values += [
        "u.id",
        "jsonb_build_object('sub', u.id::text, 'email', u.email, "
        "'email_verified', true, 'phone_verified', false)",
        "'email'",
    ]
    for stamp in ("last_sign_in_at", "created_at", "updated_at"):
        if stamp in columns:
            names.append(stamp)
            values.append("u.created_at")
    query = sql.SQL(
        "insert into auth.identities ({names}) select {values} from auth.users u "
        "where u.id = any(string_to_array(%s, E'\\n')::uuid[])"
    ).format(
        names=sql.SQL(", ").join(sql.Identifier(n) for n in names),
        values=sql.SQL(", ").join(sql.SQL(v) for v in values),
    )
    conn.execute(query, ["\n".join(map(str, user_ids))])
