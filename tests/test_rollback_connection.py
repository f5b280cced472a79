"""The connection tests borrow: one message after each test (rollback + reset), state that
outlives a rollback cleared, commit/rollback refused while lent, full reset after a test that
ended its own transaction."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import pq

from pytest_supaseed.lifecycle.connections import ReusedConnection, test_transaction


def _frontend_queries(trace: Path) -> list[str]:
    """The Query messages the client sent, from libpq's protocol trace."""
    lines = trace.read_text().splitlines()
    return [
        line.split("\t", 3)[3] for line in lines if line.startswith("F\t") and "\tQuery\t" in line
    ]


def test_one_message_after_a_test_and_state_is_reset(fresh_db: str, tmp_path: Path) -> None:
    slot = ReusedConnection(fresh_db)
    trace = tmp_path / "trace.txt"
    with trace.open("w") as out:
        with test_transaction(slot) as conn:
            conn.execute("select pg_advisory_lock(42)")
            conn.execute("prepare leftover as select 1")
            conn.execute("set work_mem = '1MB'")  # inside the test's transaction: rolled back
            conn.execute("create temp table scratch (n int)")
            conn.pgconn.trace(out.fileno())  # from here on: what the end of the test sends
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        conn.pgconn.untrace()
    sent = _frontend_queries(trace)
    assert len(sent) == 1, sent
    assert sent[0].strip().startswith('"ROLLBACK; SELECT pg_advisory_unlock_all()')
    with test_transaction(slot) as again:
        assert again is conn  # the same connection, lent again
        assert again.execute(
            "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()"
        ).fetchone() == (0,)
        assert again.execute("select count(*) from pg_prepared_statements").fetchone() == (0,)
        assert again.execute("show work_mem").fetchone() != ("1MB",)
        assert again.execute("select to_regclass('pg_temp.scratch')").fetchone() == (None,)
    slot.close()


def test_commit_and_rollback_are_refused_while_lent(fresh_db: str) -> None:
    slot = ReusedConnection(fresh_db)
    with test_transaction(slot) as conn:
        conn.execute("create table kept (n int)")
        for end in (conn.commit, conn.rollback):
            with pytest.raises(psycopg.ProgrammingError, match='isolation="database"'):
                end()
        with conn.transaction():  # a savepoint inside the test's transaction
            conn.execute("insert into kept values (1)")
    with psycopg.connect(fresh_db) as other:
        assert other.execute("select to_regclass('public.kept')").fetchone() == (None,)
    slot.close()


def test_a_test_that_ended_its_transaction_gets_a_full_reset(fresh_db: str) -> None:
    slot = ReusedConnection(fresh_db)
    with test_transaction(slot) as conn:
        conn.execute("rollback")  # raw SQL: what follows runs outside any transaction
        conn.execute("set work_mem = '1MB'")
        conn.execute("set role pg_read_all_data")
    with test_transaction(slot) as again:
        assert again.execute("show work_mem").fetchone() != ("1MB",)
        assert again.execute("select current_user = session_user").fetchone() == (True,)
    slot.close()
