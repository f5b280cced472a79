"""Seeding on several connections: tables that do not depend on each other, written at once.

``seed(plan, dsn, jobs=N)`` (``supaseed seed --jobs N``; template databases: automatic) splits the
insert order (:func:`pytest_supaseed.schema.graph.insert_order`) into *waves* (:func:`plan_waves`):
consecutive tables none of which references another of the same wave. The tables of a wave are
written at once, each by its own thread on its own connection, each in one ``COPY`` and one
transaction that commits before the next wave starts: a child reads its parents' keys only once
they are committed and visible to every connection.

The rows do not depend on the number of connections or on timing. Every table's rows come from
its own random streams (the seed and the table's name) and from what is committed in the
database when its wave starts, which is what a run on one connection has committed at that point
too: a wave holds only tables that do not reference each other, and a table with an enabled
``INSERT`` trigger (which may write into another table) is a wave of its own, so the waves keep the
one-connection order's effects. Warnings, relaxations and histograms are merged in insert order.
Left alone: two tables whose columns draw from one shared sequence (``DEFAULT nextval('s')`` on
both) get its values in the order the server hands them out.

All or nothing: a parallel run commits table by table, so a failure must undo the commits.
:class:`ParallelRun` records the id of every transaction the run committed (on every connection);
:func:`undo` deletes the rows those transactions wrote (``xmin``, children first, rows of triggers
too) and puts every sequence back: the database ends as it was, as after a rolled-back run in one
transaction. A template database is dropped on failure anyway. What this cannot undo is a run
killed outright (the process or the machine): with ``--dsn`` on a database you care about, keep the
default ``--jobs 1`` (one transaction) or use ``--resumable``.

Progress: :class:`Meter` counts the rows every connection writes and logs a ``progress`` event
with rows/s every few seconds (and one at the end); the command line shows it on the bars.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg

from ..config.models import TableConfig
from ..errors import BackendError
from ..logs import event
from ..schema.model import Schema
from .atomic import SequenceState, restore_sequences, sequence_state
from .progress import Progress, RichProgress, SilentProgress
from .xids import current_xids, delete_written_rows

__all__ = [
    "AUTO_MIN_ROWS",
    "Meter",
    "ParallelRun",
    "plan_waves",
    "resolve_jobs",
    "run_wave",
    "undo",
]

Conn = psycopg.Connection[Any]
T = TypeVar("T")

#: With ``jobs`` automatic, plans with fewer rows than this use one connection (opening more
#: costs more than it saves).
AUTO_MIN_ROWS = 100_000


@dataclass
class ParallelRun:
    """A seeding run that may use several connections (``jobs``: None = automatic).

    Collects the ids of the transactions the run commits (:meth:`mark`, called inside each) and
    the connections it opened; :meth:`close` closes them.
    """

    dsn: str
    jobs: int | None = None
    xids: list[str] = field(default_factory=list)
    used: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _spare: list[Conn] = field(default_factory=list, repr=False)

    def mark(self, conn: Conn, tables: Iterable[str] = ()) -> None:
        """Record ``conn``'s current transaction, and the savepoints inside it that wrote rows in
        ``tables``, as the run's (call inside it, after its writes: :mod:`.xids`)."""
        xids = current_xids(conn, tables)
        with self._lock:
            self.xids.extend(xids)

    def connections(self, main: Conn, count: int) -> list[Conn]:
        """``count`` connections: ``main`` and ``count - 1`` others to the same database
        (opened once per run, kept for the next wave)."""
        while len(self._spare) < count - 1:
            self._spare.append(psycopg.connect(self.dsn, autocommit=True, connect_timeout=10))
        self.used = max(self.used, count)
        return [main, *self._spare[: count - 1]]

    def close(self) -> None:
        """Close the extra connections."""
        for conn in self._spare:
            with contextlib.suppress(psycopg.Error):
                conn.close()
        self._spare.clear()


def has_insert_trigger(schema: Schema, name: str, config: TableConfig | None) -> bool:
    """``name`` has an enabled user trigger on ``INSERT`` that the plan does not switch off."""
    if config is not None and config.disable_triggers:
        return False
    return any(t.enabled and "INSERT" in t.events for t in schema.tables[name].triggers)


def plan_waves(
    schema: Schema,
    order: Sequence[str],
    configs: Mapping[str, TableConfig],
    deferred: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[list[str]]:
    """Split ``order`` (an insert order) into waves of consecutive tables that may be written at
    once: no table of a wave references another one of it (foreign keys named in ``deferred``,
    set later, and self-references do not count), and a table with an insert trigger is alone."""
    waves: list[list[str]] = []
    current: list[str] = []
    for name in order:
        refs = {
            fk.ref_table
            for fk in schema.tables[name].foreign_keys
            if fk.name not in deferred and not fk.is_self_reference
        }
        alone = has_insert_trigger(schema, name, configs.get(name))
        if current and (
            alone
            or refs & set(current)
            or any(has_insert_trigger(schema, t, configs.get(t)) for t in current)
        ):
            waves.append(current)
            current = []
        current.append(name)
    if current:
        waves.append(current)
    return waves


def resolve_jobs(requested: int | None, waves: Sequence[Sequence[str]], rows: int) -> int:
    """Connections to use: ``requested``, or automatically the machine's cores (at most the
    widest wave; 1 for plans under :data:`AUTO_MIN_ROWS` rows); never more than the widest wave."""
    widest = max((len(w) for w in waves), default=1)
    if requested is None:
        if rows < AUTO_MIN_ROWS:
            return 1
        requested = os.cpu_count() or 1
    return max(1, min(requested, widest))


def run_wave(
    run: ParallelRun,
    main: Conn,
    jobs: Sequence[Callable[[Conn], T]],
) -> list[T]:
    """Run each of ``jobs`` on a connection of its own, at most ``run.jobs`` at once; results in
    the order of ``jobs``. The first failure cancels the statements of the others and is raised
    (a genuine error before a cancellation it caused)."""
    if len(jobs) == 1:
        return [jobs[0](main)]
    conns = run.connections(main, len(jobs))
    free = list(conns)
    lock = threading.Lock()
    busy: dict[int, Conn] = {}

    def call(index: int) -> T:
        with lock:
            conn = free.pop()
            busy[index] = conn
        try:
            return jobs[index](conn)
        finally:
            with lock:
                busy.pop(index, None)
                free.append(conn)

    with ThreadPoolExecutor(max_workers=len(conns), thread_name_prefix="supaseed-seed") as pool:
        futures: list[Future[T]] = [pool.submit(call, i) for i in range(len(jobs))]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in futures if f.done() and f.exception() is not None]
        if failed:
            # the others' statements are cancelled: their errors (a "canceling statement" of
            # theirs, explained as a write error) are consequences, the first failure is raised
            with lock:
                for conn in busy.values():
                    with contextlib.suppress(psycopg.Error):
                        conn.cancel_safe()
            wait(pending)
            raise failed[0].exception()  # type: ignore[misc]
        return [f.result() for f in futures]


def undo(
    conn: Conn | None,
    dsn: str,
    xids: Sequence[str],
    tables: Sequence[str],
    sequences: SequenceState,
) -> dict[str, int]:
    """Delete the rows the transactions ``xids`` wrote in ``tables`` (children first) and put the
    sequences back as ``sequences`` has them, in one transaction; rows deleted per table.

    Uses ``conn`` when it still works, else a new connection to ``dsn``. Raises
    :class:`BackendError` when the database cannot be reached (the rows stay: the message says
    which run they belong to)."""
    deleted: dict[str, int] = {}
    own = conn is None or conn.closed or conn.broken
    try:
        target = psycopg.connect(dsn, autocommit=True, connect_timeout=10) if own else conn
    except psycopg.Error as exc:
        raise BackendError(
            f"the seeding run failed and the rows it committed ({len(xids)} transactions) could "
            f"not be removed: {' '.join(str(exc).split())}. Fix: drop the database, or delete "
            "the rows written by those transactions"
        ) from None
    assert target is not None
    try:
        if xids:
            with target.transaction():
                target.execute(
                    "create temp table _supaseed_undo on commit drop as "
                    "select unnest(%s::text[])::xid8::xid as xid",
                    [list(xids)],
                )
                for name in tables:
                    count = delete_written_rows(target, name, "_supaseed_undo")
                    if count:
                        deleted[name] = count
        restore_sequences(target, sequences)
    finally:
        if own:
            target.close()
    event(
        "undo",
        f"seeding failed: removed {sum(deleted.values())} rows it had committed",
        level=logging.WARNING if deleted else logging.INFO,
        rows=sum(deleted.values()),
    )
    return deleted


def guarded(
    run: ParallelRun, conn: Conn, tables: Callable[[], Sequence[str]], body: Callable[[], T]
) -> T:
    """``body()``; when it fails, :func:`undo` what it committed (``tables()``: where to look,
    children first) and re-raise."""
    saved = sequence_state(conn)
    try:
        return body()
    except BaseException:
        run.close()
        try:
            undo(conn, run.dsn, run.xids, tables(), saved)
        except Exception as cleanup:  # the run's own error is what the user must see
            event(
                "undo",
                "seeding failed and removing the rows it had committed failed too: "
                f"{' '.join(str(cleanup).split())}. Fix: drop the database, or delete the rows "
                f"of transactions {', '.join(run.xids)}",
                level=logging.ERROR,
            )
        raise
    finally:
        run.close()


class Meter(Progress):
    """Counts the rows written on every connection; logs a ``progress`` event with rows/s at most
    every ``every`` seconds, and :meth:`done` one at the end. Thread-safe."""

    def __init__(self, inner: RichProgress | SilentProgress, *, every: float = 5.0) -> None:
        self.inner = inner
        self.every = every
        self.rows = 0
        self.started = time.perf_counter()
        self._last = self.started
        self._lock = threading.Lock()
        self.connections = 1

    def start(self, table: str, total: int) -> None:
        """Forwarded to the bars."""
        self.inner.start(table, total)

    def advance(self, rows: int) -> None:
        """Count ``rows`` and move the bars."""
        self.add(rows)
        self.inner.advance(rows)

    def finish(self) -> None:
        """Forwarded to the bars."""
        self.inner.finish()

    def view(self) -> Progress:
        """Progress of one more table written at the same time: its own bar, the same count."""
        return _MeterView(self, self.inner.view())

    def add(self, rows: int) -> None:
        """``rows`` more rows were written (any connection)."""
        now = time.perf_counter()
        with self._lock:
            self.rows += rows
            due = now - self._last >= self.every
            if due:
                self._last = now
            total = self.rows
        if due:
            self._log(total, now)

    def done(self) -> None:
        """The last progress event: every row, the overall rate."""
        self._log(self.rows, time.perf_counter())

    @property
    def rate(self) -> float:
        """Rows per second since the meter started."""
        return self.rows / max(time.perf_counter() - self.started, 1e-9)

    def _log(self, rows: int, now: float) -> None:
        seconds = max(now - self.started, 1e-9)
        event(
            "progress",
            f"{rows:,} rows written, {rows / seconds:,.0f} rows/s on {self.connections} "
            f"connection{'s' if self.connections > 1 else ''}",
            rows=rows,
            rows_per_s=round(rows / seconds),
            connections=self.connections,
            duration=seconds,
        )


class _MeterView(Progress):
    """One table's bar, counting into the run's :class:`Meter`."""

    def __init__(self, meter: Meter, bars: Progress) -> None:
        self.meter = meter
        self.bars = bars

    def start(self, table: str, total: int) -> None:
        """Forwarded to the bar."""
        self.bars.start(table, total)

    def advance(self, rows: int) -> None:
        """Count ``rows`` and move the bar."""
        self.meter.add(rows)
        self.bars.advance(rows)

    def finish(self) -> None:
        """Forwarded to the bar."""
        self.bars.finish()
