"""Create, clone and drop databases, only ever ones named ``supaseed_*``.

:func:`ensure_database` builds a database once, under a PostgreSQL advisory lock (safe across xdist
workers and concurrent runs), under a temporary name that is renamed when the build completes,
so a crash never leaves a half-built database that a later run would reuse.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from .errors import UnsafeDatabaseError

if TYPE_CHECKING:
    import psycopg

PREFIX = "supaseed_"
_NAME_RE = re.compile(r"^[a-z0-9_]{1,63}$")


class HasDsn(Protocol):
    """Anything with a superuser DSN and ``dsn_for(dbname)`` (a :class:`ServerHandle`)."""

    @property
    def dsn(self) -> str: ...

    def dsn_for(self, dbname: str) -> str: ...


Server = HasDsn | str


def check_name(name: str) -> str:
    """Return ``name`` if the plugin may create/drop it, else raise :class:`UnsafeDatabaseError`."""
    if not name.startswith(PREFIX):
        raise UnsafeDatabaseError(
            f"Refusing to create or drop database {name!r}: pytest-supaseed only touches databases "
            f"whose name starts with {PREFIX!r}. Rename it, e.g. {PREFIX + name.lower()[:54]!r}."
        )
    if not _NAME_RE.match(name):
        raise UnsafeDatabaseError(
            f"Database name {name!r} must be 1-63 characters of a-z, 0-9 and '_' "
            "(PostgreSQL truncates longer names silently)."
        )
    return name


def _admin_dsn(server: Server) -> str:
    return server if isinstance(server, str) else server.dsn


def dsn_for(server: Server, dbname: str) -> str:
    """DSN of ``dbname`` on ``server`` (a handle or a superuser DSN)."""
    if isinstance(server, str):
        from psycopg.conninfo import make_conninfo

        return make_conninfo(server, dbname=dbname)
    return server.dsn_for(dbname)


def _connect_admin(server: Server) -> psycopg.Connection:
    import psycopg

    return psycopg.connect(_admin_dsn(server), autocommit=True)


def _ident(name: str) -> str:
    # Names passed check_name() hold only [a-z0-9_], so plain double quoting is exact.
    return '"' + name + '"'


def database_exists(server: Server, name: str) -> bool:
    """Whether database ``name`` exists on ``server``."""
    with _connect_admin(server) as conn:
        return _exists(conn, name)


def _exists(conn: psycopg.Connection, name: str) -> bool:
    return (
        conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone() is not None
    )


def terminate_connections(conn: psycopg.Connection, name: str) -> int:
    """Terminate every other session connected to ``name``; returns how many were."""
    row = conn.execute(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity "
        "where datname = %s and pid <> pg_backend_pid()",
        (name,),
    ).fetchone()
    return int(row[0]) if row else 0


def _server_version(conn: psycopg.Connection) -> int:
    return int(conn.info.server_version)


def create_database(server: Server, name: str, template: str | None = None) -> str:
    """``CREATE DATABASE name [TEMPLATE template STRATEGY FILE_COPY]``; returns the new DSN."""
    check_name(name)
    with _connect_admin(server) as conn:
        _create(conn, name, template)
    return dsn_for(server, name)


def _create(conn: psycopg.Connection, name: str, template: str | None) -> None:
    import psycopg

    if template is None:
        conn.execute(f"create database {_ident(check_name(name))}".encode())
        return
    if not _NAME_RE.match(template):
        raise UnsafeDatabaseError(f"Template name {template!r} is not a plain identifier.")
    # FILE_COPY (PG15+) copies the files instead of WAL-logging every block: ~10x faster on tmpfs.
    strategy = " strategy file_copy" if _server_version(conn) >= 150000 else ""
    sql = f"create database {_ident(name)} template {_ident(template)}{strategy}"
    for attempt in range(20):
        terminate_connections(conn, template)
        try:
            conn.execute(sql.encode())
            return
        except psycopg.errors.ObjectInUse:
            # Someone connected to the template between the terminate and the copy: try again.
            if attempt == 19:
                raise
            time.sleep(0.02 * (attempt + 1))


def clone_database(server: Server, template: str, name: str) -> str:
    """Copy ``template`` to a new database ``name`` (dropping a leftover ``name`` first)."""
    check_name(name)
    with _connect_admin(server) as conn:
        _drop(conn, name)
        _create(conn, name, template)
    return dsn_for(server, name)


def drop_database(server: Server, name: str) -> None:
    """Drop ``name`` if it exists, terminating its sessions; refuses names without the prefix."""
    check_name(name)
    with _connect_admin(server) as conn:
        _drop(conn, name)


def _drop(conn: psycopg.Connection, name: str) -> None:
    check_name(name)
    if not _exists(conn, name):
        return
    # A template flag blocks DROP; clear it (issue seen in pytest-postgresql #914).
    conn.execute(
        f"alter database {_ident(name)} with is_template false allow_connections true".encode()
    )
    force = " with (force)" if _server_version(conn) >= 130000 else ""
    if not force:
        terminate_connections(conn, name)
    conn.execute(f"drop database if exists {_ident(name)}{force}".encode())


def list_databases(server: Server, prefix: str = PREFIX) -> list[str]:
    """Names of databases starting with ``prefix`` (which must itself start with ``supaseed_``)."""
    with _connect_admin(server) as conn:
        rows = conn.execute(
            "select datname from pg_database where starts_with(datname, %s) order by 1", (prefix,)
        ).fetchall()
    return [str(r[0]) for r in rows]


def _lock_key(name: str) -> int:
    # A signed 64-bit advisory lock key derived from the name; one lock per database name.
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _temp_name(name: str) -> str:
    return PREFIX + "tmp_" + hashlib.sha256(name.encode()).hexdigest()[:16]


def _build_token(conn: psycopg.Connection, name: str) -> str | None:
    row = conn.execute(
        "select shobj_description(oid, 'pg_database') from pg_database where datname = %s", (name,)
    ).fetchone()
    text = row[0] if row else None
    return text.removeprefix(_TOKEN_PREFIX) if text and text.startswith(_TOKEN_PREFIX) else None


_TOKEN_PREFIX = "supaseed build "


def ensure_database(
    server: Server,
    name: str,
    build: Callable[[str], None],
    *,
    template: str | None = None,
    rebuild: bool = False,
    rebuild_token: str | None = None,
) -> str:
    """DSN of ``name``, building it first if it does not exist.

    ``build(dsn)`` fills a new database (created empty, or from ``template``) under a temporary
    name; it is renamed to ``name`` only when ``build`` returns. Concurrent callers (xdist workers,
    parallel runs) wait on an advisory lock and reuse the finished database.

    ``rebuild`` drops and builds it again on every call. ``rebuild_token`` (e.g. the test run's
    id, the same in every xdist worker) rebuilds it once per token: a database built under the same
    token is reused, so only the first worker of a run rebuilds.
    """
    check_name(name)

    def reusable(conn: psycopg.Connection) -> bool:
        if rebuild or not _exists(conn, name):
            return False
        return rebuild_token is None or _build_token(conn, name) == rebuild_token

    with _connect_admin(server) as conn:
        if reusable(conn):
            return dsn_for(server, name)
        conn.execute("select pg_advisory_lock(%s)", (_lock_key(name),))
        try:
            if reusable(conn):
                return dsn_for(server, name)
            _drop(conn, name)
            temp = _temp_name(name)
            _drop(conn, temp)  # the leftover of a crashed build
            _create(conn, temp, template)
            try:
                build(dsn_for(server, temp))
                terminate_connections(conn, temp)
                if rebuild_token is not None:
                    conn.execute(
                        f"comment on database {_ident(temp)} is ".encode()
                        + _literal(conn, _TOKEN_PREFIX + rebuild_token)
                    )
                conn.execute(f"alter database {_ident(temp)} rename to {_ident(name)}".encode())
            except BaseException:
                _drop(conn, temp)
                raise
        finally:
            conn.execute("select pg_advisory_unlock(%s)", (_lock_key(name),))
    return dsn_for(server, name)


def _literal(conn: psycopg.Connection, value: str) -> bytes:
    # COMMENT takes no bind parameters; quote the value as an SQL literal instead.
    from psycopg import sql

    return sql.Literal(value).as_bytes(conn)
