"""Connections to a seeded database: a worker's clone, the reused connection, the test transaction.

Plain library code (no pytest): the fixtures, the CLI and bench/ use the same pieces.

After a test, ``ROLLBACK`` and the reset of what a rollback leaves behind travel together, as one
simple-query message: one round trip per test, where ``ROLLBACK`` then ``DISCARD ALL`` took two
(``DISCARD ALL`` cannot run in a multi-statement message: it refuses transaction blocks). What a
rollback already undoes is not reset again: settings (``SET``, ``set_config``), roles, temporary
tables and cursors made inside the test's transaction die with it.

The reset is sent when the test ends and its answer read when the connection is lent again (before
the next ``BEGIN``): the server rolls back while pytest reports the test, instead of the test
waiting for it. Nothing else can use the connection in between, and a reset that failed means a
new connection for the next test, as before. The connection never prepares statements on its own
(``prepare_threshold=None``): psycopg's cache of prepared statements would not see the reset.
"""

from __future__ import annotations

import hashlib
import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus
from psycopg.rows import tuple_row

from .databases import Server, clone_database, drop_database

__all__ = [
    "ReusedConnection",
    "RollbackConnection",
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


#: After a test that is still inside its transaction (the usual case): end it, then clear the
#: session state that outlives a rollback (session advisory locks, prepared statements, the
#: sequence cache of ``currval``).
END_OF_TEST = "ROLLBACK; SELECT pg_advisory_unlock_all(); DEALLOCATE ALL; DISCARD SEQUENCES"

#: After a test that ended its transaction itself (a raw ``ROLLBACK`` or ``COMMIT``): what it did
#: next ran outside any transaction, so everything is reset.
FULL_RESET = "DISCARD ALL"

_NO_COMMIT = (
    "{} is not allowed on this connection: the test's transaction is rolled back after the test "
    "so that nothing reaches the next one. Use conn.transaction() for a savepoint, or "
    '@pytest.mark.supaseed(..., isolation="database") for a test that must commit.'
)


class RollbackConnection(psycopg.Connection[Any]):
    """An autocommit connection lent to test after test (see the module docstring).

    While lent (between :meth:`begin_test` and :meth:`end_test`), ``commit()`` and ``rollback()``
    raise :class:`psycopg.ProgrammingError`; ``conn.transaction()`` makes savepoints.
    """

    _lent = False
    #: a reset was sent after the last test and its answer is not read yet
    _pending = False

    def begin_test(self) -> None:
        """Open the test's transaction (one round trip) and lend the connection."""
        self.execute("BEGIN")
        self._lent = True

    def end_test(self) -> bool:
        """Roll the test back and reset the session in one message, sent without waiting for
        the answer (:meth:`settle` reads it); ``False`` when the connection cannot be trusted for
        another test (closed, broken, left mid-query)."""
        self._lent = False
        if self.closed or self.broken or not self.autocommit:
            return False
        status = self.info.transaction_status
        if status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            query = END_OF_TEST
        elif status == TransactionStatus.IDLE:
            query = FULL_RESET
        else:
            return False
        try:
            if self.prepare_threshold is not None:
                # a test turned psycopg's prepared statements on: let psycopg see the reset
                self.execute(query)
                return self.info.transaction_status == TransactionStatus.IDLE
            self.pgconn.send_query(query.encode())
            while self.pgconn.flush():
                select.select([], [self.pgconn.socket], [])
        except psycopg.Error:
            return False
        self._pending = True
        return True

    def settle(self) -> bool:
        """Read the answer to the reset :meth:`end_test` sent; ``False`` when it failed or the
        connection cannot be trusted for another test."""
        if not self._pending:
            return not (self.closed or self.broken)
        self._pending = False
        pgconn = self.pgconn
        ok = True
        try:
            while True:
                while pgconn.is_busy():
                    select.select([pgconn.socket], [], [])
                    pgconn.consume_input()
                result = pgconn.get_result()
                if result is None:
                    break
                ok = ok and result.status in (ExecStatus.COMMAND_OK, ExecStatus.TUPLES_OK)
        except (psycopg.Error, OSError):
            return False
        return ok and self.info.transaction_status == TransactionStatus.IDLE

    def commit(self) -> None:
        """Refused while a test holds the connection (see :data:`_NO_COMMIT`)."""
        if self._lent:
            raise psycopg.ProgrammingError(_NO_COMMIT.format("commit()"))
        super().commit()

    def rollback(self) -> None:
        """Refused while a test holds the connection: the rollback comes after the test."""
        if self._lent:
            raise psycopg.ProgrammingError(_NO_COMMIT.format("rollback()"))
        super().rollback()


class ReusedConnection:
    """One connection to a database, handed to test after test and reset in between.

    Opening a connection costs milliseconds; handing one back costs one round trip: the rollback
    and the reset of what outlives it go as one message (:class:`RollbackConnection`). A
    connection the test closed or broke is replaced.
    """

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: RollbackConnection | None = None

    def acquire(self) -> RollbackConnection:
        """A live autocommit connection, reset after the last test (a new one if the last was
        closed, discarded, or its reset failed)."""
        conn = self._conn
        if conn is not None and not conn.settle():
            conn.close()
            conn = self._conn = None
        if conn is None:
            conn = self._conn = RollbackConnection.connect(
                self.dsn, autocommit=True, prepare_threshold=None
            )
        return conn

    def release(self) -> None:
        """End the test's transaction and reset the session, or drop the connection when it
        cannot be trusted."""
        conn = self._conn
        if conn is None or conn.closed:
            self._conn = None
            return
        if conn.end_test():
            conn.row_factory = tuple_row
        else:
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

    ``conn.transaction()`` inside it makes savepoints; ``conn.commit()`` and ``conn.rollback()``
    raise, because a commit would let a test's rows reach the next test.
    """
    slot = ReusedConnection(target) if isinstance(target, str) else target
    conn = slot.acquire()
    try:
        conn.begin_test()
        yield conn
    finally:
        slot.release()
        if isinstance(target, str):
            slot.close()


test_transaction.__test__ = False  # type: ignore[attr-defined]  # not a test despite its name
