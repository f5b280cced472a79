"""The journal of a resumable seeding run, kept inside the target database.

``supaseed seed --dsn DSN --resumable`` commits in batches; each commit records, in the same
transaction, how far the run got, in schema ``supaseed_journal``:

- ``run``: the one run in progress: a digest of the plan and the seed (a resume with another plan or
  seed is refused), when it started;
- ``step``: one row per step (``#users``, each table, ``#cycles``): its state at the start (the first
  key values and the row count the table had: a resumed table must continue from the same ones,
  not from the rows the run itself committed), batches and rows committed, done or not, the
  sequence values before the run moved them;
- ``xact``: the id of every transaction the run committed, so that ``--rollback`` finds every row
  it wrote (``xmin``), triggers' rows included.

Because a batch and its journal entry commit together, a crash, a Ctrl-C or a server restart leaves
the journal exactly in step with the data. When the run completes, the journal schema is dropped
(in the transaction of the last step), so the database ends exactly as after a run in one go.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from ..errors import ConfigError
from ..schema import introspect
from ..schema.graph import insert_order
from .xids import current_xids, delete_written_rows

__all__ = ["JOURNAL_SCHEMA", "Journal", "Step", "plan_digest", "rollback", "rollback_run"]

JOURNAL_SCHEMA = "supaseed_journal"

Conn = psycopg.Connection[Any]

_CREATE = f"""
create schema {JOURNAL_SCHEMA};
create table {JOURNAL_SCHEMA}.run (
    one boolean primary key default true check (one),
    plan_digest text not null,
    seed bigint not null,
    started_at timestamptz not null default now()
);
create table {JOURNAL_SCHEMA}.step (
    name text primary key,
    position int not null,
    state jsonb not null default '{{}}',
    batches int not null default 0,
    rows bigint not null default 0,
    done boolean not null default false,
    sequences jsonb not null default '{{}}'
);
create table {JOURNAL_SCHEMA}.xact (xid xid8 primary key);
comment on schema {JOURNAL_SCHEMA} is
    'pytest-supaseed: progress of a resumable seeding run (supaseed seed --resume / --rollback)';
"""


def plan_digest(plan_json: str, seed: int) -> str:
    """The digest a journal records: the plan as JSON and the seed."""
    return hashlib.sha256(f"{seed}\0{plan_json}".encode()).hexdigest()[:16]


@dataclass
class Step:
    """One step of a resumable run as the journal has it."""

    name: str
    state: dict[str, Any] = field(default_factory=dict)
    batches: int = 0
    rows: int = 0
    done: bool = False
    started: bool = False


def journal_exists(conn: Conn) -> bool:
    """Whether the database holds the journal of a resumable run."""
    row = conn.execute(
        "select exists (select 1 from pg_namespace where nspname = %s)", [JOURNAL_SCHEMA]
    ).fetchone()
    return bool(row and row[0])


def describe_journal(conn: Conn) -> str:
    """A line saying what the journal records: when the run started, steps done."""
    row = conn.execute(
        f"select started_at, (select count(*) filter (where done) from {JOURNAL_SCHEMA}.step), "
        f"(select coalesce(sum(rows), 0) from {JOURNAL_SCHEMA}.step) from {JOURNAL_SCHEMA}.run"
    ).fetchone()
    if row is None:
        return "an empty journal"
    started, done, rows = row
    return (
        f"a run started {started:%Y-%m-%d %H:%M:%S %Z} ({done} steps done, {rows} rows committed)"
    )


class Journal:
    """The journal of one resumable run on an autocommit connection (see the module docstring).

    Open it with :meth:`start` (a new run; refuses when one is recorded) or :meth:`resume` (the run
    recorded; refuses when none is, or when it was another plan or seed).
    """

    def __init__(self, conn: Conn, steps: dict[str, Step]) -> None:
        self.conn = conn
        self.steps = steps
        self.resumed = any(s.started for s in steps.values())
        self._position = len(steps)
        #: Dropped by the run's last transaction; False: the caller closes it (or rolls the run
        #: back) after checking the result (``--strict``).
        self.close_at_end = True

    @classmethod
    def start(cls, conn: Conn, digest: str, seed: int, where: str) -> Journal:
        """Create the journal for a new run of the plan ``digest`` at ``seed``."""
        if journal_exists(conn):
            raise ConfigError(
                f"{where} already holds a resumable seeding run ({describe_journal(conn)}): "
                "continue it with --resume, or remove what it wrote with --rollback"
            )
        with conn.transaction():
            conn.execute(_CREATE)
            conn.execute(
                f"insert into {JOURNAL_SCHEMA}.run (plan_digest, seed) values (%s, %s)",
                [digest, seed],
            )
        return cls(conn, {})

    @classmethod
    def resume(cls, conn: Conn, digest: str, seed: int, where: str) -> Journal:
        """The journal of the run recorded in the database; it must be of the same plan and seed."""
        if not journal_exists(conn):
            raise ConfigError(
                f"{where} holds no resumable seeding run to resume (no {JOURNAL_SCHEMA} schema): "
                "start one with --resumable"
            )
        row = conn.execute(f"select plan_digest, seed from {JOURNAL_SCHEMA}.run").fetchone()
        if row is None or (row[0], int(row[1])) != (digest, seed):
            recorded = f"seed {row[1]}, plan digest {row[0]}" if row else "nothing"
            raise ConfigError(
                f"the resumable run in {where} was started with another plan or seed ({recorded}; "
                f"now seed {seed}, plan digest {digest}): resume it with the same plan and --seed, "
                "or remove what it wrote with --rollback"
            )
        steps = {
            name: Step(name, dict(state), int(batches), int(rows), bool(done), started=True)
            for name, state, batches, rows, done in conn.execute(
                f"select name, state, batches, rows, done from {JOURNAL_SCHEMA}.step "
                "order by position"
            ).fetchall()
        }
        return cls(conn, steps)

    def step(self, name: str) -> Step:
        """The step ``name`` (a new, not started one when the journal has none)."""
        return self.steps.get(name) or Step(name)

    def begin(self, name: str, state: dict[str, Any]) -> Step:
        """Record that step ``name`` starts with ``state`` (committed now)."""
        with self.conn.transaction():
            self.conn.execute(
                f"insert into {JOURNAL_SCHEMA}.step (name, position, state) values (%s, %s, %s)",
                [name, self._position, Jsonb(state)],
            )
        self._position += 1
        step = self.steps[name] = Step(name, state, started=True)
        return step

    def mark_transaction(self, tables: Iterable[str] = ()) -> None:
        """Record the current transaction, and the savepoints inside it that wrote rows in
        ``tables``, as the run's (call inside each write transaction; with ``tables``, after its
        writes: :mod:`.xids`)."""
        for xid in current_xids(self.conn, tables):
            self.conn.execute(
                f"insert into {JOURNAL_SCHEMA}.xact values (%s::xid8) on conflict do nothing",
                [xid],
            )

    def advance(self, name: str, batches: int, rows: int) -> None:
        """Batches and rows of step ``name`` committed so far (call inside the batch's transaction)."""
        self.conn.execute(
            f"update {JOURNAL_SCHEMA}.step set batches = %s, rows = %s where name = %s",
            [batches, rows, name],
        )
        step = self.steps[name]
        step.batches, step.rows = batches, rows

    def save_sequence(self, name: str, sequence: str) -> None:
        """Remember ``sequence``'s value before the run moves it (for ``--rollback``)."""
        row = self.conn.execute(
            # ``sequence`` as pg_get_serial_sequence() spells it: qualified and quoted already
            sql.SQL("select last_value, is_called from {}").format(sql.SQL(sequence))
        ).fetchone()
        if row is not None:
            self.conn.execute(
                f"update {JOURNAL_SCHEMA}.step set sequences = sequences || %s where name = %s "
                f"and not sequences ? %s",
                [Jsonb({sequence: [int(row[0]), bool(row[1])]}), name, sequence],
            )

    def finish(self, name: str, rows: int, state: dict[str, Any] | None = None) -> None:
        """Step ``name`` is done with ``rows`` rows (call inside its last transaction)."""
        self.conn.execute(
            f"update {JOURNAL_SCHEMA}.step set done = true, rows = %s, "
            "state = state || %s where name = %s",
            [rows, Jsonb(state or {}), name],
        )
        step = self.steps[name]
        step.done, step.rows = True, rows
        if state:
            step.state.update(state)

    def close(self) -> None:
        """The run is complete: drop the journal (call inside the last transaction)."""
        self.conn.execute(f"drop schema {JOURNAL_SCHEMA} cascade")


def rollback_run(conn: Conn, tables: Iterable[str], where: str) -> dict[str, int]:
    """Remove what a half-finished resumable run wrote, then its journal; rows deleted per table.

    ``tables``: every table that may hold the run's rows (children before parents). The rows are
    those whose ``xmin`` is one of the run's transactions (so rows that triggers wrote go too);
    sequences the run moved get their values back. One transaction: all or nothing.
    """
    if not journal_exists(conn):
        raise ConfigError(
            f"{where} holds no resumable seeding run to roll back (no {JOURNAL_SCHEMA} schema)"
        )
    deleted: dict[str, int] = {}
    with conn.transaction():
        conn.execute(
            f"create temp table _supaseed_xids on commit drop as "
            f"select xid::xid as xid from {JOURNAL_SCHEMA}.xact"
        )
        for name in tables:
            count = delete_written_rows(conn, name, "_supaseed_xids")
            if count:
                deleted[name] = count
        for (sequences,) in conn.execute(
            f"select sequences from {JOURNAL_SCHEMA}.step where sequences <> '{{}}'"
        ).fetchall():
            for sequence, (value, called) in dict(sequences).items():
                conn.execute("select setval(%s, %s, %s)", [sequence, value, called])
        conn.execute(f"drop schema {JOURNAL_SCHEMA} cascade")
    return deleted


def rollback(dsn: str) -> dict[str, int]:
    """``supaseed seed --dsn DSN --rollback``: remove what the half-finished resumable run recorded
    in that database wrote (see :func:`rollback_run`); rows deleted per table."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        where = f"database '{conn.info.dbname}'"
        if not journal_exists(conn):
            raise ConfigError(
                f"{where} holds no resumable seeding run to roll back (no {JOURNAL_SCHEMA} schema)"
            )
        return rollback_recorded_run(conn, where)


def rollback_recorded_run(conn: Conn, where: str) -> dict[str, int]:
    """:func:`rollback_run` over every table of the database, children first."""
    schema = introspect(conn)
    order = [t for t in insert_order(schema).tables if not t.startswith(JOURNAL_SCHEMA + ".")]
    return rollback_run(conn, reversed(order), where)


def state_json(state: dict[str, Any]) -> str:
    """``state`` as canonical JSON (for messages and tests)."""
    return json.dumps(state, sort_keys=True)
