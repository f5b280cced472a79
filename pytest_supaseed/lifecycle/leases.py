"""Many runs, one server: advisory-lock leases decide what a run may drop.

Every run (a pytest session and its xdist workers, or one ``supaseed`` command) holds a *lease*: a
session-level ``pg_advisory_lock_shared`` on a key derived from its run id, held by one idle
connection per process for the run's life. Each xdist worker takes it in shared mode, so the lease
is held while any process of the run lives, and is gone the moment the last one exits or is killed
(PostgreSQL releases session locks when the connection ends).

- Databases a run makes for itself (worker clones ``supaseed_w_<run>_...``, per-test clones
  ``supaseed_t_<run>_...``) carry the run's token in their name; cleanup drops one only when the
  lease of that token is gone (``pg_try_advisory_lock`` on the key succeeds from another session).
- Shared, content-addressed databases (base ``supaseed_base_*``, templates ``supaseed_tpl_*``) are
  built once under the build lock of :func:`~pytest_supaseed.lifecycle.databases.ensure_database`
  and reused by every run. A run takes a shared-mode lock on each one it uses *before* looking at
  it; pruning drops one only while holding the exclusive lock on it (which it gets only when no
  live run holds the shared one), so a run never loses a database it uses, and a run arriving
  while one is dropped waits, then builds it again.
- Half-built temporaries (``supaseed_tmp_*``) are dropped only when their build lock is free.
- Clones named before run tokens (``supaseed_w_<hash>_<worker>``, ``supaseed_t_<16 hex>``) have no
  lease to ask. On a server only this run uses they are dropped; on a shared one, one is dropped
  when its owner is provably gone: nobody is connected to it (``DROP DATABASE`` without
  ``FORCE`` refuses otherwise, in the same statement) and it was created more than
  :data:`LEGACY_GRACE_SECONDS` ago (read from its directory with ``pg_stat_file``; a role without
  the right to read it leaves them alone). Old versions kept such a clone only while a run used
  it, and connected to it all that time, save for the moments between two tests.

Works the same for an external server shared by CI shards and for several processes on one
embedded cluster: the leases live in the server itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import psycopg
from psycopg import sql

from .databases import (
    PREFIX,
    Server,
    build_lock_key,
    drop_database_locked,
    list_databases,
    read_metadata,
)

__all__ = [
    "RunLease",
    "cache_in_use",
    "cache_key",
    "prune_server",
    "run_alive",
    "run_key",
    "run_token",
    "run_token_of",
]

# The token of a run in the names of its own databases: supaseed_w_<token>_<hash>_<worker> and
# supaseed_t_<token>_<16 hex> (names from before run tokens, supaseed_w_<hash>_<worker> and
# supaseed_t_<16 hex>, do not match: their 12 hex are no run's)
_RUN_DB_RE = re.compile(
    r"^supaseed_(?:w_([0-9a-f]{12})_[0-9a-f]{10}_|t_([0-9a-f]{12})_[0-9a-f]{16}$)"
)
#: Prefixes of shared, content-addressed databases (kept between runs).
SHARED_PREFIXES = ("supaseed_base_", "supaseed_tpl_")
TEMP_PREFIX = "supaseed_tmp_"
# Run-scoped names from before run tokens (see the module docstring for when they are dropped).
LEGACY_TRANSIENT_PREFIXES = ("supaseed_w_", "supaseed_t_")
#: A clone named before run tokens, on a shared server, is dropped only when older than this and
#: unconnected.
LEGACY_GRACE_SECONDS = 3600.0


def _key(namespace: str, value: str) -> int:
    digest = hashlib.sha256(f"pytest-supaseed:{namespace}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def run_token(run_id: str) -> str:
    """The 12 hex characters of ``run_id`` that the names of the run's databases carry."""
    return hashlib.sha256(run_id.encode()).hexdigest()[:12]


def run_token_of(dbname: str) -> str | None:
    """The run token in a run-scoped database's name (``supaseed_w_<token>_...``), else None."""
    match = _RUN_DB_RE.match(dbname)
    return (match.group(1) or match.group(2)) if match else None


def run_key(token: str) -> int:
    """The advisory-lock key of a run's lease (from its :func:`run_token`)."""
    return _key("run", token)


def cache_key(name: str) -> int:
    """The advisory-lock key a run holds in shared mode while it uses shared database ``name``."""
    return _key("cache", name)


def _try_exclusive(conn: psycopg.Connection, key: int) -> bool:
    row = conn.execute("select pg_try_advisory_lock(%s)", (key,)).fetchone()
    return bool(row and row[0])


def _unlock(conn: psycopg.Connection, key: int) -> None:
    conn.execute("select pg_advisory_unlock(%s)", (key,))


def run_alive(conn: psycopg.Connection, token: str) -> bool:
    """Whether some process still holds the lease of run ``token`` (checked from ``conn``, which
    must not be a lease connection of that run: a session's own lock is re-entrant)."""
    key = run_key(token)
    if _try_exclusive(conn, key):
        _unlock(conn, key)
        return False
    return True


def cache_in_use(conn: psycopg.Connection, name: str) -> bool:
    """Whether a live run holds shared database ``name`` (seen from ``conn``, not a lease one)."""
    key = cache_key(name)
    if _try_exclusive(conn, key):
        _unlock(conn, key)
        return False
    return True


class RunLease:
    """The lease of run ``run_id`` in this process: one idle connection holding the run's lock
    (shared mode: every xdist worker of the run holds it too) and a shared lock on every shared
    database this process uses. ``with RunLease(server, run_id) as lease:``; closing the
    connection (or the process dying) releases everything.
    """

    def __init__(self, server: Server, run_id: str) -> None:
        self.server = server
        self.run_id = run_id
        self.token = run_token(run_id)
        self._conn: psycopg.Connection | None = None
        self._held: set[str] = set()

    def __enter__(self) -> RunLease:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            dsn = self.server if isinstance(self.server, str) else self.server.dsn
            conn = psycopg.connect(dsn, autocommit=True, application_name="supaseed lease")
            conn.execute("select pg_advisory_lock_shared(%s)", (run_key(self.token),))
            for name in sorted(self._held):
                conn.execute("select pg_advisory_lock_shared(%s)", (cache_key(name),))
            self._conn = conn
        return self._conn

    def acquire(self) -> None:
        """Take the run's lease now (idempotent)."""
        self._connection()

    def hold(self, name: str) -> None:
        """Hold shared database ``name`` for the rest of the run: pruning will not drop it. Call it
        *before* using or building ``name``; it waits while a prune is dropping it."""
        if name in self._held:
            return
        self._connection().execute("select pg_advisory_lock_shared(%s)", (cache_key(name),))
        self._held.add(name)

    @property
    def held(self) -> frozenset[str]:
        """The shared databases this lease holds."""
        return frozenset(self._held)

    def database_name(self, kind: str, *parts: str) -> str:
        """``supaseed_<kind>_<token>_<parts...>``: a run-scoped database name (max 63 chars)."""
        name = "_".join((PREFIX + kind, self.token, *parts))
        return name[:63]

    def close(self) -> None:
        """Release the lease (closing its connection)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _drop_abandoned(conn: psycopg.Connection, name: str) -> bool:
    """Drop legacy clone ``name`` if it is older than :data:`LEGACY_GRACE_SECONDS` and nobody is
    connected to it; whether it was dropped."""
    try:
        with conn.transaction():
            row = conn.execute(
                "select extract(epoch from now() - (pg_stat_file('base/' || oid || '/PG_VERSION'))"
                ".modification) from pg_database where datname = %s and not datistemplate",
                (name,),
            ).fetchone()
    except psycopg.Error:
        return False  # no right to read the server's files (pg_read_server_files): left alone
    if row is None or row[0] is None or float(row[0]) < LEGACY_GRACE_SECONDS:
        return False
    try:
        # no FORCE: the server refuses while any session is connected to it
        conn.execute(sql.SQL("drop database {}").format(sql.Identifier(name)))
    except (psycopg.errors.ObjectInUse, psycopg.errors.InvalidCatalogName):
        return False
    return True


def prune_server(
    server: Server,
    *,
    in_use: Iterable[str] = (),
    keep_newest: int | None = None,
    exclusive: bool = False,
    names: Iterable[str] | None = None,
) -> list[str]:
    """Drop what no live run uses; returns the names dropped. Safe while other runs use the server.

    - run-scoped databases (``supaseed_w_<run>_...``, ``supaseed_t_<run>_...``) whose run's lease
      is gone;
    - half-built temporaries (``supaseed_tmp_*``) whose build lock is free;
    - with ``keep_newest``: of each shared kind (base databases, templates), those beyond the
      ``keep_newest`` most recently built that are not in ``in_use`` and that no live run holds
      (each is dropped while holding its exclusive lock, so no run can start using it meanwhile);
    - with ``exclusive`` (a server only this run uses, such as the embedded project cluster held by
      its file lock): also transient names from before run tokens (``supaseed_w_<hash>_gw0``);
    - ``names`` limits the candidates (default: every ``supaseed_*`` database of the server).
    """
    keep = set(in_use)
    dropped: list[str] = []
    dsn = server if isinstance(server, str) else server.dsn
    existing = set(list_databases(server))
    candidates = existing if names is None else existing & set(names)
    names = sorted(n for n in candidates if n not in keep)
    with psycopg.connect(dsn, autocommit=True, application_name="supaseed prune") as conn:

        def drop_under(key: int, name: str) -> None:
            if not _try_exclusive(conn, key):
                return  # held by a live run, or being built right now
            try:
                drop_database_locked(conn, name)
                dropped.append(name)
            finally:
                _unlock(conn, key)

        for name in names:
            token = run_token_of(name)
            if token is not None:
                drop_under(run_key(token), name)
            elif name.startswith(TEMP_PREFIX):
                drop_under(build_lock_key(name), name)
            elif exclusive and name.startswith(LEGACY_TRANSIENT_PREFIXES):
                drop_database_locked(conn, name)
                dropped.append(name)
            elif name.startswith(LEGACY_TRANSIENT_PREFIXES) and _drop_abandoned(conn, name):
                dropped.append(name)
        if keep_newest is not None:
            for prefix in SHARED_PREFIXES:
                cached = [n for n in names if n.startswith(prefix)]
                by_age = sorted(
                    cached,
                    key=lambda n: float((read_metadata(conn, n) or {}).get("built_at", 0.0)),
                    reverse=True,
                )
                for name in by_age[max(keep_newest, 0) :]:
                    drop_under(cache_key(name), name)
    return dropped
