"""All or nothing: seeding a database the plugin did not create.

:func:`seed_atomically` runs the whole seeding run in one transaction (each table a savepoint
inside it). PostgreSQL rolls back every row, trigger switch and temporary table on failure; the one
thing a rollback does not undo is a sequence (``nextval`` and ``setval`` are not transactional),
so the state of every sequence is read first and put back after a failure. A failing run leaves the
target as it was: ``pg_dump`` before and after are identical (tests/safety/ checks it).

:func:`connect_target` turns the ways a connection fails (an invalid DSN, nothing listening, a
wrong password, a missing database) into one line each, as the pytest path does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from ..backends.base import non_local_hosts, redact
from ..errors import BackendError, ConfigError, UnsafeDatabaseError

__all__ = [
    "check_target",
    "connect_target",
    "restore_sequences",
    "seed_atomically",
    "sequence_state",
]

T = TypeVar("T")
Conn = psycopg.Connection[Any]

#: (oid, last_value, is_called) of every sequence of the database
SequenceState = list[tuple[int, int, bool]]


def check_target(dsn: str, *, allow_remote: bool = False, flag: str = "--allow-remote") -> None:
    """Refuse, before any connection, a DSN that is not valid or whose host is not this machine.

    A database the plugin did not create on another machine is someone's real data: writing there
    needs ``allow_remote`` (``flag`` names the option in the message).
    """
    try:
        conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(
            f"--dsn is not a valid DSN ({' '.join(str(exc).split())}); write it as "
            "postgresql://user:password@host:port/dbname"
        ) from None
    remote = non_local_hosts(dsn)
    if remote and not allow_remote:
        raise UnsafeDatabaseError(
            f"refusing to seed {redact(dsn)}: its host {', '.join(remote)} is not this machine, "
            f"and seeding writes rows there. Fix: pass {flag} if that database is meant for it "
            "(nothing was sent to it)"
        )


def connect_target(dsn: str, *, what: str = "--dsn") -> Conn:
    """An autocommit connection to ``dsn``; every failure is one :class:`BackendError` line."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(
            f"{what} is not a valid DSN ({str(exc).strip()}); write it as "
            "postgresql://user:password@host:port/dbname"
        ) from None
    shown = redact(dsn)
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        text = " ".join(str(exc).split())
        lower = text.lower()
        if "password authentication failed" in lower or "no password supplied" in lower:
            fix = "check the user and password in the DSN"
        elif "does not exist" in lower and "database" in lower:
            fix = f"create the database {params.get('dbname', '')!r} first, or fix its name"
        elif "refused" in lower or "no such file" in lower:
            fix = "is the server running and listening on that host and port?"
        elif "timeout" in lower or "timed out" in lower:
            fix = "the server did not answer within 10 s: check the host and port"
        else:
            fix = "check the DSN"
        raise BackendError(f"cannot connect to {shown}: {text}. Fix: {fix}") from None


def sequence_state(conn: Conn) -> SequenceState:
    """``last_value`` and ``is_called`` of every sequence in ``conn``'s database."""
    rows = conn.execute(
        "select c.oid, n.nspname, c.relname from pg_class c join pg_namespace n "
        "on n.oid = c.relnamespace where c.relkind = 'S' and c.relpersistence <> 't' "
        "order by c.oid"
    ).fetchall()
    state: SequenceState = []
    for oid, schema, name in rows:
        try:
            with conn.transaction():
                row = conn.execute(
                    sql.SQL("SELECT last_value, is_called FROM {}").format(
                        sql.Identifier(schema, name)
                    )
                ).fetchone()
        except psycopg.errors.InsufficientPrivilege:
            continue  # a sequence we may not read we cannot advance either
        if row is not None:
            state.append((int(oid), int(row[0]), bool(row[1])))
    return state


def restore_sequences(conn: Conn, state: SequenceState) -> None:
    """Put every sequence of ``state`` back where it was (after a rolled-back run)."""
    for oid, last_value, is_called in state:
        with contextlib.suppress(psycopg.Error), conn.transaction():
            conn.execute("SELECT setval(%s::oid::regclass, %s, %s)", (oid, last_value, is_called))


def seed_atomically(conn: Conn, run: Callable[[], T]) -> T:
    """Run ``run`` (which writes through ``conn``) as one transaction; on any failure roll it
    back and restore the sequences, so the database is left exactly as it was."""
    if conn.broken or not conn.autocommit:
        raise BackendError("seed_atomically needs an open autocommit connection")
    saved = sequence_state(conn)
    try:
        with conn.transaction():
            return run()
    except BaseException:
        if not conn.closed and not conn.broken:
            with contextlib.suppress(psycopg.Error):
                restore_sequences(conn, saved)
        raise
