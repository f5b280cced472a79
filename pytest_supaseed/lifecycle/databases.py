"""Create, clone and drop databases, only ever ones named ``supaseed_*``.

:func:`ensure_database` builds a database once, under a PostgreSQL advisory lock (safe across xdist
workers and concurrent runs), under a temporary name that is renamed when the build completes,
so a crash never leaves a half-built database that a later run would reuse.
"""

from __future__ import annotations

import hashlib
import json
import re
import select
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import UnsafeDatabaseError

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


def _connect_admin(server: Server | AdminSession) -> AbstractContextManager[psycopg.Connection]:
    """A superuser connection to ``server`` for one ``with`` block: a new one, closed after, or
    the one an :class:`AdminSession` lends."""
    if isinstance(server, AdminSession):
        return server.borrow()
    return _new_admin_connection(server)


def _new_admin_connection(server: Server) -> psycopg.Connection:
    import psycopg

    return psycopg.connect(_admin_dsn(server), autocommit=True)


class AdminSession:
    """A server whose admin work (clones, drops, metadata reads) reuses one connection.

    It goes wherever a server goes (it has ``dsn`` and ``dsn_for``): the helpers of this module
    then borrow its connection instead of opening one each. A connection costs a password
    handshake (scram-sha-256, ~5 ms on the embedded server), and a run's session clones and drops
    each template database it uses, and reads each one's metadata. A block that raises, or leaves
    the connection in a transaction, closes it (an advisory lock it held goes with it); a
    connection the server hung up on (a stop, a restart) is replaced when next borrowed. One
    thread at a time, and not re-entrant (a block must not borrow again inside itself):
    :class:`~pytest_supaseed.lifecycle.session.SeedSession` makes one for its own thread.
    ``close()`` when done.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self._conn: psycopg.Connection | None = None

    @property
    def dsn(self) -> str:
        return _admin_dsn(self.server)

    def dsn_for(self, dbname: str) -> str:
        return dsn_for(self.server, dbname)

    @contextmanager
    def borrow(self) -> Iterator[psycopg.Connection]:
        """The session's connection (opened, or replaced if the server hung up on it)."""
        from psycopg.pq import TransactionStatus

        conn = self._conn
        if conn is not None and (conn.closed or conn.broken or _hung_up(conn)):
            conn.close()
            conn = self._conn = None
        if conn is None:
            conn = self._conn = _new_admin_connection(self.server)
        try:
            yield conn
        except BaseException:
            self.close()
            raise
        if conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
            self.close()

    def close(self) -> None:
        """Close the connection (the next borrow opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _hung_up(conn: psycopg.Connection) -> bool:
    """An idle connection with something to read was told something unasked: the server is
    shutting down or ended the session (no LISTEN is ever issued on an admin connection)."""
    try:
        readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


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


#: Tries to copy a template (see :func:`_create`): the first waits for other sessions to leave it
#: (the server itself waits up to 5 s before it refuses), the later ones terminate them first.
_CLONE_PATIENT_ATTEMPTS = 1
_CLONE_ATTEMPTS = 20


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
    # A template in use cannot be copied. Other runs sharing the server connect to the shared base
    # and template databases for moments (a plan check, a build's introspection): wait for them
    # rather than cut them off (CREATE DATABASE waits up to 5 s for them); only a session still
    # there then (a psql left open) is terminated.
    for attempt in range(_CLONE_ATTEMPTS):
        if attempt >= _CLONE_PATIENT_ATTEMPTS:
            terminate_connections(conn, template)
        try:
            conn.execute(sql.encode())
            break
        except psycopg.errors.ObjectInUse:
            if attempt == _CLONE_ATTEMPTS - 1:
                raise
            time.sleep(min(0.02 * (attempt + 1), 0.1))
    _copy_settings(conn, template, name)


def _copy_settings(conn: psycopg.Connection, template: str, name: str) -> None:
    """Give ``name`` the database-level settings of ``template`` (``ALTER DATABASE ... SET``).

    CREATE DATABASE ... TEMPLATE copies the files but not these settings, and the Supabase layer
    relies on one: ``search_path`` including ``extensions`` (so ``crypt()`` resolves unqualified).
    """
    row = conn.execute(
        "select s.setconfig from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase "
        "where d.datname = %s and s.setrole = 0",
        (template,),
    ).fetchone()
    for entry in row[0] if row and row[0] else []:
        key, _, value = str(entry).partition("=")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", key):
            continue
        if key in _LIST_SETTINGS:
            items = [item.strip().strip('"') for item in value.split(",") if item.strip()]
            rendered = b", ".join(_literal(conn, item) for item in items)
        else:
            rendered = _literal(conn, value)
        conn.execute(f"alter database {_ident(name)} set {key} = ".encode() + rendered)


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
    row = conn.execute(
        "select datistemplate or not datallowconn, datconnlimit = -2 "
        "from pg_database where datname = %s",
        (name,),
    ).fetchone()
    if row is None:
        return
    flagged, invalid = row
    if flagged and not invalid:
        # A template flag blocks DROP; clear it (issue seen in pytest-postgresql #914). A database
        # a DROP left half-done is "invalid" (datconnlimit -2): ALTER refuses it, DROP finishes it.
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


def build_lock_key(temp_name: str) -> int:
    """The advisory lock held while a database is built under temporary name ``temp_name``
    (pruning skips a temporary whose lock is taken: it is being built)."""
    return _lock_key(temp_name)


def drop_database_locked(conn: psycopg.Connection, name: str) -> None:
    """Drop ``name`` through an open admin connection (the caller holds whatever lock applies)."""
    _drop(conn, name)


_META_PREFIX = "pytest-supaseed "
# Settings whose value is a list: pg_dump quotes them element by element, and so must we.
_LIST_SETTINGS = frozenset(
    {"search_path", "temp_tablespaces", "local_preload_libraries", "session_preload_libraries"}
)


def read_metadata(conn: psycopg.Connection, name: str) -> dict[str, Any] | None:
    """The JSON metadata the plugin keeps in database ``name``'s comment; None if no such database,
    ``{}`` when it has none (a database built by this plugin always has some)."""
    row = conn.execute(
        "select shobj_description(oid, 'pg_database') from pg_database where datname = %s", (name,)
    ).fetchone()
    if row is None:
        return None
    text = row[0] or ""
    if not text.startswith(_META_PREFIX):
        return {}
    try:
        data = json.loads(text[len(_META_PREFIX) :])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def write_metadata(conn: psycopg.Connection, name: str, updates: Mapping[str, Any]) -> None:
    """Merge ``updates`` into database ``name``'s metadata (kept as its comment, so it follows
    renames and is readable from any database without connecting to ``name``)."""
    data = {**(read_metadata(conn, check_name(name)) or {}), **updates}
    conn.execute(
        f"comment on database {_ident(name)} is ".encode()
        + _literal(conn, _META_PREFIX + json.dumps(data, sort_keys=True))
    )


def database_metadata(server: Server, name: str) -> dict[str, Any] | None:
    """:func:`read_metadata` through a new admin connection to ``server``."""
    with _connect_admin(server) as conn:
        return read_metadata(conn, name)


def _build_token(conn: psycopg.Connection, name: str) -> str | None:
    token = (read_metadata(conn, name) or {}).get("build_token")
    return str(token) if token is not None else None


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

    lock_key = build_lock_key(_temp_name(name))
    with _connect_admin(server) as conn:
        if reusable(conn):
            return dsn_for(server, name)
        conn.execute("select pg_advisory_lock(%s)", (lock_key,))
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
                built: dict[str, Any] = {"built_at": time.time()}
                if rebuild_token is not None:
                    built["build_token"] = rebuild_token
                write_metadata(conn, temp, built)
                conn.execute(f"alter database {_ident(temp)} rename to {_ident(name)}".encode())
            except BaseException:
                _drop(conn, temp)
                raise
        finally:
            conn.execute("select pg_advisory_unlock(%s)", (lock_key,))
    return dsn_for(server, name)


def _literal(conn: psycopg.Connection, value: str) -> bytes:
    # COMMENT takes no bind parameters; quote the value as an SQL literal instead.
    from psycopg import sql

    return sql.Literal(value).as_bytes(conn)


# Databases a run makes for itself and drops at its end; any left over belong to a killed run.
TRANSIENT_PREFIXES = ("supaseed_w_", "supaseed_t_", "supaseed_tmp_")
# Databases kept between runs as caches, named by a hash of what built them.
CACHED_PREFIXES = ("supaseed_base_", "supaseed_tpl_")


def prune_databases(server: Server, *, in_use: Iterable[str], keep_newest: int = 8) -> list[str]:
    """Drop what a server's caches no longer need; returns the names dropped.

    Transient databases (worker and test clones, half-built temporaries) not in ``in_use`` are
    dropped; of each cached kind (base databases, templates), those in ``in_use`` and the
    ``keep_newest`` most recently built stay. Only for a server no other run is using: the
    embedded backend's project cluster, at the end of the run that holds its lock.
    """
    keep = set(in_use)
    dropped: list[str] = []
    with _connect_admin(server) as conn:
        names = [
            str(row[0])
            for row in conn.execute(
                "select datname from pg_database where starts_with(datname, %s) order by 1",
                (PREFIX,),
            ).fetchall()
        ]
        doomed = [n for n in names if n.startswith(TRANSIENT_PREFIXES) and n not in keep]
        for prefix in CACHED_PREFIXES:
            cached = [n for n in names if n.startswith(prefix) and n not in keep]
            by_age = sorted(
                cached,
                key=lambda n: float((read_metadata(conn, n) or {}).get("built_at", 0.0)),
                reverse=True,
            )
            doomed += by_age[max(keep_newest, 0) :]
        for name in doomed:
            _drop(conn, name)
            dropped.append(name)
    return dropped
