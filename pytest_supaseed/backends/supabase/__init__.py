"""The Supabase compatibility layer: what Supabase apps expect of their database, on a plain Postgres.

Supabase apps reference ``auth.users``, ``auth.uid()``, the roles ``anon`` / ``authenticated`` /
``service_role``, ``storage.buckets`` and extensions in schema ``extensions``. A plain PostgreSQL
(the embedded server, or a DSN) has none of it; :func:`install_supabase_layer` adds it, written after
Supabase's own definitions (supabase/postgres init scripts, supabase/auth and supabase/storage
migrations), and does nothing on a real Supabase database.

The SQL lives next to this module (:data:`LAYER_SQL_FILES`, plus ``uuid_shim.sql`` where uuid-ossp
is missing); :func:`layer_fingerprint` hashes it so that cached databases can be keyed on it.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import psycopg
from psycopg import sql

from ...errors import BackendError
from ..extensions import PRESENT_ON_SUPABASE, pack_fingerprint

__all__ = [
    "LAYER_SQL_FILES",
    "LAYER_VERSION",
    "SEARCH_PATH",
    "InstallResult",
    "LayerState",
    "install_supabase_layer",
    "layer_fingerprint",
    "layer_marker",
    "layer_state",
]

#: Bumped when the layer changes in a way a reader of the marker should see at a glance.
LAYER_VERSION = 1

#: The layer's SQL files, in the order they run (the roles file commits on its own first).
LAYER_SQL_FILES: tuple[str, ...] = (
    "roles.sql",
    "auth.sql",
    "storage.sql",
    "grants.sql",
    "realtime.sql",
)

#: Run instead of ``create extension "uuid-ossp"`` where the server lacks that extension.
UUID_SHIM_FILE = "uuid_shim.sql"

#: Supabase's search_path (set server-wide there), so unqualified ``uuid_generate_v4()`` resolves.
SEARCH_PATH = '"$user", public, extensions'

_MARKER_PREFIX = "pytest-supaseed compatibility layer"

#: Extensions Supabase keeps in schema ``extensions``; pgcrypto is required, the others optional.
_EXTENSIONS: tuple[str, ...] = ("pgcrypto", "uuid-ossp", "citext")

# Serialises two installs into the same database; databases of one server do not contend because
# advisory locks are scoped to a database. Any constant works: it only has to be this layer's.
_INSTALL_LOCK_KEY = 0x5355_5041_4C41_5952  # "SUPALAYR"

LayerState = Literal["absent", "present", "outdated", "supabase"]
InstallResult = Literal["installed", "present", "supabase"]


def _sql_text(name: str) -> str:
    return (resources.files(__name__) / name).read_text(encoding="utf-8")


@cache
def layer_fingerprint() -> str:
    """SHA-256 (hex) of the layer: its version and every SQL file, names included.

    Anything that changes what :func:`install_supabase_layer` creates changes this value.
    """
    digest = hashlib.sha256(f"v{LAYER_VERSION}\0".encode())
    for name in (*LAYER_SQL_FILES, UUID_SHIM_FILE):
        digest.update(name.encode() + b"\0" + _sql_text(name).encode() + b"\0")
    digest.update(",".join(_EXTENSIONS).encode() + b"\0" + SEARCH_PATH.encode())
    digest.update(",".join(PRESENT_ON_SUPABASE).encode() + b"\0" + pack_fingerprint().encode())
    return digest.hexdigest()


def layer_marker() -> str:
    """The comment on schema ``auth`` that marks a database carrying this exact layer."""
    return f"{_MARKER_PREFIX} v{LAYER_VERSION} ({layer_fingerprint()[:16]})"


def layer_state(conn: psycopg.Connection[Any]) -> LayerState:
    """What the database of ``conn`` has: ``"absent"`` (no ``auth.users``), ``"present"`` (this
    layer, same fingerprint), ``"outdated"`` (another version of this layer) or ``"supabase"``
    (an ``auth.users`` this layer did not make: a real Supabase database, left alone).
    """
    row = conn.execute(
        """
        select to_regclass('auth.users') is not null,
               obj_description(n.oid, 'pg_namespace')
        from (select 1) as one
        left join pg_catalog.pg_namespace n on n.nspname = 'auth'
        """
    ).fetchone()
    assert row is not None  # the query always returns one row
    has_users, comment = bool(row[0]), row[1]
    if not has_users:
        return "absent"
    if comment == layer_marker():
        return "present"
    if isinstance(comment, str) and comment.startswith(_MARKER_PREFIX):
        return "outdated"
    return "supabase"


def install_supabase_layer(
    conn: psycopg.Connection[Any], *, use_uuid_ossp: bool | None = None
) -> InstallResult:
    """Give the database of ``conn`` the parts of Supabase that apps rely on; return what happened.

    Returns ``"supabase"`` when the database already has Supabase's own ``auth.users`` (nothing is
    installed), ``"present"`` when this layer is already there, ``"installed"`` after installing it.
    ``conn`` must belong to a superuser (the layer creates a BYPASSRLS role and extensions).
    Idempotent, and safe while other processes install into other databases of the same server.

    ``use_uuid_ossp``: ``None`` (default) uses the uuid-ossp extension when the server has it and
    the built-in equivalent (``uuid_shim.sql``) otherwise; ``False`` forces the equivalent.

    Also sets ``search_path`` to Supabase's (:data:`SEARCH_PATH`) for this session and as the
    database's default, so migrations that call ``uuid_generate_v4()`` unqualified work. Call it on
    a ``CREATE DATABASE ... TEMPLATE`` clone too: it answers ``"present"`` and restores that
    default, which Postgres does not copy to clones.
    """
    state = layer_state(conn)
    if state == "supabase":
        return "supabase"
    if state == "outdated":
        raise BackendError(
            f"database {_dbname(conn)!r} carries another version of the pytest-supaseed Supabase "
            f"layer than this one ({layer_marker()!r}). Drop the database (the plugin rebuilds its "
            "supaseed_* databases by itself; run pytest with --supaseed-rebuild if it kept an old one)."
        )
    if state == "absent":
        _require_superuser(conn)
        with conn.transaction():
            _run_file(conn, "roles.sql")
        with conn.transaction():
            conn.execute("select pg_advisory_xact_lock(%s)", [_INSTALL_LOCK_KEY])
            # Another process may have finished the same database while this one waited.
            state = layer_state(conn)
            if state == "absent":
                _install_extensions(conn, use_uuid_ossp)
                for name in LAYER_SQL_FILES[1:]:
                    _run_file(conn, name)
                _install_platform_extensions(conn)
                conn.execute(
                    sql.SQL("comment on schema auth is {}").format(sql.Literal(layer_marker()))
                )
        if state != "absent":
            return install_supabase_layer(conn, use_uuid_ossp=use_uuid_ossp)
        _set_search_path(conn)
        return "installed"
    _set_search_path(conn)
    return "present"


def _set_search_path(conn: psycopg.Connection[Any]) -> None:
    """Supabase's search_path for this session and as the database default.

    The default is (re)written when missing because ``CREATE DATABASE ... TEMPLATE`` does not copy
    database settings: calling :func:`install_supabase_layer` on a clone restores it.
    """
    with conn.transaction():
        # Two processes finishing the same database would both write the setting (a unique
        # violation in pg_db_role_setting): the install lock orders them.
        conn.execute("select pg_advisory_xact_lock(%s)", [_INSTALL_LOCK_KEY])
        _write_search_path_default(conn)
    conn.execute("select set_config('search_path', %s, false)", [SEARCH_PATH])


def _write_search_path_default(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        """
        select exists (
            select from pg_catalog.pg_db_role_setting s
            join pg_catalog.pg_database d on d.oid = s.setdatabase
            where d.datname = current_database() and s.setrole = 0
              and %s = any (s.setconfig)
        )
        """,
        ["search_path=" + SEARCH_PATH],
    ).fetchone()
    if not (row and row[0]):
        conn.execute(
            sql.SQL("alter database {} set search_path = {}").format(
                sql.Identifier(_dbname(conn)), sql.SQL(SEARCH_PATH)
            )
        )


def _dbname(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute("select current_database()").fetchone()
    assert row is not None
    return str(row[0])


def _require_superuser(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        "select current_user, rolsuper from pg_catalog.pg_roles where rolname = current_user"
    ).fetchone()
    if row is None or not row[1]:
        user = row[0] if row else "?"
        raise BackendError(
            f"installing the Supabase compatibility layer into {_dbname(conn)!r} needs a superuser "
            f"connection, but {user!r} is not one (the layer creates the BYPASSRLS role "
            "service_role and the pgcrypto extension). Connect as a superuser such as postgres."
        )


def _run_file(conn: psycopg.Connection[Any], name: str) -> None:
    """Run one SQL file of the layer, statement by statement, so a failure names file and line."""
    for line, statement in _statements(_sql_text(name)):
        try:
            conn.execute(statement.encode())
        except psycopg.Error as exc:
            diag = exc.diag
            where = f" ({diag.context.strip()})" if diag.context else ""
            raise BackendError(
                f"pytest_supaseed/backends/supabase/{name}:{line}: "
                f"{diag.message_primary or exc}{where}. The layer is only installed into databases "
                "without an auth.users table; if this database already has parts of Supabase's "
                "auth or storage schema, start from an empty database or from a real Supabase one."
            ) from exc


_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]*\$")


def _statements(text: str) -> list[tuple[int, str]]:
    """Split the layer's SQL into (first line, statement) on ``;`` outside quotes and comments.

    Enough for the files of this package: quoted strings, ``$tag$`` bodies and ``--`` comments.
    """
    out: list[tuple[int, str]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "-" and text.startswith("--", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif char == "'":
            i = text.find("'", i + 1)
            while i >= 0 and text.startswith("''", i):
                i = text.find("'", i + 2)
            i = n if i < 0 else i
        elif char == "$" and (tag := _DOLLAR_TAG.match(text, i)):
            close = text.find(tag.group(), tag.end())
            i = n if close < 0 else close + len(tag.group()) - 1
        elif char == ";":
            _append_statement(out, text, start, i)
            start = i + 1
        i += 1
    _append_statement(out, text, start, n)
    return out


def _append_statement(out: list[tuple[int, str]], text: str, start: int, end: int) -> None:
    """Append ``text[start:end]`` with the line of its first code line, unless it is only comments."""
    lines = text[start:end].splitlines()
    for offset, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("--"):
            first_line = text.count("\n", 0, start) + offset + 1
            out.append((first_line, "\n".join(lines[offset:]).strip()))
            return


def _install_extensions(conn: psycopg.Connection[Any], use_uuid_ossp: bool | None) -> None:
    """pgcrypto, uuid-ossp (or its equivalent) and citext, all in schema ``extensions``."""
    available = {
        str(name) for (name,) in conn.execute("select name from pg_catalog.pg_available_extensions")
    }
    installed = {
        str(name): str(schema)
        for name, schema in conn.execute(
            """
            select e.extname, n.nspname
            from pg_catalog.pg_extension e
            join pg_catalog.pg_namespace n on n.oid = e.extnamespace
            """
        )
    }
    conn.execute("create schema if not exists extensions")
    for ext in _EXTENSIONS:
        if ext in installed:
            # A template database may carry it in public; Supabase apps call extensions.crypt().
            if installed[ext] != "extensions":
                conn.execute(
                    sql.SQL("alter extension {} set schema extensions").format(sql.Identifier(ext))
                )
        elif ext == "uuid-ossp" and use_uuid_ossp is False:
            continue
        elif ext in available:
            conn.execute(
                sql.SQL("create extension {} with schema extensions").format(sql.Identifier(ext))
            )
        elif ext == "pgcrypto":
            raise BackendError(
                f"the server of database {_dbname(conn)!r} lacks the pgcrypto extension, which "
                "Supabase apps need (extensions.crypt, gen_salt). Install the server's contrib "
                "package (Debian: postgresql-contrib) or use the embedded backend, whose bundled "
                "server has it."
            )
    if "uuid-ossp" not in installed and (use_uuid_ossp is False or "uuid-ossp" not in available):
        _run_file(conn, UUID_SHIM_FILE)


def _install_platform_extensions(conn: psycopg.Connection[Any]) -> None:
    """What a new Supabase project has before its first migration (pg_net, supabase_functions,
    pgsodium, supabase_vault, pg_graphql, realtime), where the server offers it.

    The embedded server offers them through the extension pack (``backends/extensions``); on a
    server without them nothing is created, and the preflight check names what a project's own
    files need.
    """
    available = {
        str(name) for (name,) in conn.execute("select name from pg_catalog.pg_available_extensions")
    }
    for ext in PRESENT_ON_SUPABASE:
        if ext in available:
            conn.execute(
                sql.SQL("create extension if not exists {} with schema extensions").format(
                    sql.Identifier(ext)
                )
                if ext == "pg_net"
                else sql.SQL("create extension if not exists {}").format(sql.Identifier(ext))
            )
