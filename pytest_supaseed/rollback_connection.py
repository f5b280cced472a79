"""The connection tests borrow, one transaction per test, ended with one message.

After a test, ``ROLLBACK`` and the reset of what a rollback leaves behind travel together, as one
simple-query message: one round trip per test, where ``ROLLBACK`` then ``DISCARD ALL`` took two
(``DISCARD ALL`` cannot run in a multi-statement message: it refuses transaction blocks). What a
rollback already undoes is not reset again: settings (``SET``, ``set_config``), roles, temporary
tables and cursors made inside the test's transaction die with it.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

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

    def begin_test(self) -> None:
        """Open the test's transaction (one round trip) and lend the connection."""
        self.execute("BEGIN")
        self._lent = True

    def end_test(self) -> bool:
        """Roll the test back and reset the session in one message; ``False`` when the
        connection cannot be trusted for another test (closed, broken, left mid-query)."""
        self._lent = False
        if self.closed or self.broken or not self.autocommit:
            return False
        status = self.info.transaction_status
        try:
            if status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
                self.execute(END_OF_TEST)
            elif status == TransactionStatus.IDLE:
                self.execute(FULL_RESET)
            else:
                return False
        except psycopg.Error:
            return False
        return self.info.transaction_status == TransactionStatus.IDLE

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
