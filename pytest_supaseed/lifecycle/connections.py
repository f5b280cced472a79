"""Connections to a seeded database: a worker's clone, the reused connection, the test transaction.

Plain library code (no pytest): the fixtures, the CLI and bench/ use the same pieces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row

from .databases import Server, clone_database, drop_database

__all__ = [
    "ReusedConnection",
    "WorkerDatabase",
    "test_transaction",
    "worker_database",
    "worker_database_name",
]


def worker_database_name(source: str, worker_id: str, run_token: str | None = None) -> str:
    """``supaseed_w_<run token>_<hash of source>_<worker>``: the clone of ``source`` one xdist
    worker of one run uses (the run token lets runs sharing a server tell their clones apart; see
    :mod:`pytest_supaseed.lifecycle.leases`). Without a token: ``supaseed_w_<hash>_<worker>``."""
    worker = "".join(ch for ch in worker_id.lower() if ch.isalnum() or ch == "_")[:20] or "main"
    if run_token is None:
        digest = hashlib.sha256(source.encode()).hexdigest()[:12]
        return f"supaseed_w_{digest}_{worker}"
    digest = hashlib.sha256(source.encode()).hexdigest()[:10]
    return f"supaseed_w_{run_token}_{digest}_{worker}"


class WorkerDatabase:
    """A worker's clone of database ``source``, as a context manager (in the manner of
    pytest-postgresql's ``DatabaseJanitor``): cloned on enter (the DSN is returned), dropped on exit
    unless ``keep``."""

    def __init__(
        self,
        server: Server,
        source: str,
        worker_id: str,
        *,
        keep: bool = False,
        run_token: str | None = None,
    ) -> None:
        self.server = server
        self.source = source
        self.name = worker_database_name(source, worker_id, run_token)
        self.keep = keep

    def __enter__(self) -> str:
        return clone_database(self.server, self.source, self.name)

    def __exit__(self, *exc_info: object) -> None:
        if not self.keep:
            drop_database(self.server, self.name)


def worker_database(
    server: Server,
    source: str,
    worker_id: str,
    *,
    keep: bool = False,
    run_token: str | None = None,
) -> WorkerDatabase:
    """Clone database ``source`` for ``worker_id`` (of the run ``run_token``, when given);
    ``with`` yields the clone's DSN and drops it after (unless ``keep``)."""
    return WorkerDatabase(server, source, worker_id, keep=keep, run_token=run_token)


class ReusedConnection:
    """One connection to a database, handed to test after test and reset in between.

    Opening a connection costs milliseconds; resetting one costs a ROLLBACK and a ``DISCARD ALL``
    (which also clears what a rollback does not: prepared statements, advisory locks, session
    settings). A connection the test closed, broke or left in a transaction is replaced.
    """

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: psycopg.Connection | None = None

    def acquire(self) -> psycopg.Connection:
        """A live autocommit connection (a new one if the last was closed or discarded)."""
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.dsn, autocommit=True)
        return self._conn

    def release(self) -> None:
        """Reset the connection for the next test, or drop it when it cannot be trusted."""
        conn = self._conn
        if conn is None or conn.closed:
            self._conn = None
            return
        try:
            if (
                conn.broken
                or not conn.autocommit
                or conn.info.transaction_status != TransactionStatus.IDLE
            ):
                raise psycopg.InterfaceError("connection left in an unusable state")
            conn.execute("discard all")
            conn.row_factory = tuple_row
        except psycopg.Error:
            conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the connection for good."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> ReusedConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextmanager
def test_transaction(target: str | ReusedConnection) -> Iterator[psycopg.Connection]:
    """A connection (new for a DSN, reused for a :class:`ReusedConnection`) inside a transaction
    that is always rolled back.

    ``conn.transaction()`` inside it makes savepoints; ``conn.commit()`` raises, because a commit
    would let a test's rows reach the next test.
    """
    slot = ReusedConnection(target) if isinstance(target, str) else target
    conn = slot.acquire()
    try:
        tx = conn.transaction(force_rollback=True)
        tx.__enter__()
        try:
            yield conn
        finally:
            if not conn.closed:
                try:
                    tx.__exit__(None, None, None)
                except psycopg.Error:
                    conn.close()  # broken during the test; closing rolls back server-side
    finally:
        slot.release()
        if isinstance(target, str):
            slot.close()


test_transaction.__test__ = False  # type: ignore[attr-defined]  # not a test despite its name
