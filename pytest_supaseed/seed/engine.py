"""The seeding run: plan + database in, seeded database and a :class:`SeedResult` out.

Phases, each timed in :attr:`SeedResult.phases`:

1. ``introspect``: read the schema (:func:`pytest_supaseed.schema.introspect`, cached per catalog
   fingerprint: :func:`pytest_supaseed.schema.cache.introspect_cached`);
2. ``users``: Supabase auth users and MakerKit accounts (:mod:`pytest_supaseed.seed.accounts`), when
   the plan asks for them; the tables that phase fills become existing parents;
3. one phase per planned table, in foreign-key order
   (:func:`pytest_supaseed.schema.graph.insert_order`): rows generated column-wise in batches
   (:class:`pytest_supaseed.generate.table.TableRows`) and streamed into ``COPY``, one transaction per
   table, then sequences advanced past explicit ids;
4. ``cycles``: foreign keys that closed a cycle were left NULL; they are set by one UPDATE per key.

A plan with AI-written columns (``[ai]``, :mod:`pytest_supaseed.ai`) passes each table's batches
through :class:`pytest_supaseed.ai.engine.TableFiller` before ``COPY``; its usage is
:attr:`SeedResult.ai`.

:func:`seed` runs them in one transaction (all or nothing), retried from a fresh start on a
transient fault (:mod:`pytest_supaseed.faults`); with ``resumable=True`` each batch commits with
its progress in a journal inside the database (:mod:`pytest_supaseed.seed.journal`), and
``resume=True`` continues such a run where it stopped. Each phase and table is logged as an event
(:mod:`pytest_supaseed.logs`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import psycopg.errors
import psycopg.rows
from psycopg import sql

from ..ai.engine import AIRun
from ..assets import load_pool, map_rows
from ..associate.report import render_distribution
from ..associate.solver import distribute_from_config
from ..config.asset_sections import MappingConfig
from ..config.models import Expression, SeedPlan, TableConfig
from ..errors import (
    ConfigError,
    GenerationError,
    SchemaError,
    UnknownTableError,
    did_you_mean,
)
from ..faults import RetryPolicy, call_with_retries, is_transient
from ..generate.columns import INT_RANGES, scalar_type
from ..generate.overrides import override_generator
from ..generate.table import (
    ParentKeys,
    PerParent,
    TableRows,
    deferred_values,
    derive_rng,
    leave_to_database,
    uses_sequence,
)
from ..generate.values import REFERENCE, Constant, PerValue
from ..generate.vocab import vocabulary
from ..logs import event
from ..schema.cache import introspect_cached
from ..schema.detect import PLATFORM_SCHEMAS
from ..schema.graph import insert_order
from ..schema.model import Column, ForeignKey, Schema, Table, qualify
from ..seed_result import SeedResult
from .accounts import seed_users_and_accounts
from .atomic import connect_target, seed_atomically
from .explain import ColumnSources, explain_phase_error, explain_write_error
from .journal import Journal, journal_exists, plan_digest, rollback_recorded_run
from .keys import read_parent_keys
from .parallel import Meter, ParallelRun, guarded, plan_waves, resolve_jobs, run_wave
from .progress import Progress, progress_for
from .storage import seed_storage
from .writer import copy_rows, copy_type, user_triggers_disabled

#: Rows of a table named in the plan without ``count`` or ``count_per_parent``.
DEFAULT_COUNT = 10
#: Rows generated and sent per batch: bounds memory (a batch of 10k 8-column rows is a few MB).
BATCH_SIZE = 10_000

Conn = psycopg.Connection[Any]


def seed(
    plan: SeedPlan | Mapping[str, Any] | None,
    dsn: str,
    *,
    seed: int | None = None,
    progress: bool | None = None,
    rootdir: str | Path | None = None,
    strict: bool = False,
    resumable: bool = False,
    resume: bool = False,
    retry: RetryPolicy | None = None,
    jobs: int | None = 1,
) -> SeedResult:
    """Seed the database at ``dsn`` as ``plan`` says and return what was written.

    ``seed`` overrides the plan's own seed (``--supaseed-seed``); ``progress`` forces progress
    bars on or off (default: on for a terminal outside pytest); ``rootdir`` is the directory the
    plan's asset-pool paths are relative to (default: the current directory).

    All or nothing: the run is one transaction; when anything fails the database is left exactly
    as it was (rows rolled back, sequences restored) and the error names the plan key at fault.
    ``strict``: a warning (a file a pool skipped, a glob that matched nothing ...) or a relaxation
    (a constraint met only approximately) is an error too, and nothing is written. A transient fault (connection lost, server restarting, deadlock
    ...) rolls the run back and it starts again from a fresh generator state, so a retried seed
    writes exactly the rows an undisturbed one writes; ``retry`` sets the caps (default
    :meth:`RetryPolicy.from_env`). With ``resumable`` each batch commits with its progress in a
    journal (schema ``supaseed_journal``); ``resume`` continues the run that journal records (a
    retry after a transient fault resumes by itself). The journal is dropped when the run ends.

    ``jobs``: connections to write tables that do not depend on each other at once
    (:mod:`pytest_supaseed.seed.parallel`); None picks them by the machine's cores and the plan's
    size. Any value other than 1 commits table by table and, when the run fails, deletes what it
    committed (the rows are the same whatever the number); 1 is one transaction.
    """
    plan = _as_plan(plan)
    run_seed = plan.seed if seed is None else seed
    where = _where(dsn)
    digest = plan_digest(plan.model_dump_json(), run_seed)

    def checked(result: SeedResult) -> SeedResult:
        problems = result.strict_problems
        if strict and problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ConfigError(
                f"strict: {problems[0]}{more}. Nothing was written. Fix: remove the cause (for "
                "a relaxation: loosen the constraint or seed more targets), or seed without "
                "--strict to accept it as a warning"
            )
        return result

    def attempt(number: int) -> SeedResult:
        # The first connection fails with one clear line; a reconnection after a transient fault
        # (the server restarting) keeps the raw fault, so that it is retried.
        conn = (
            connect_target(dsn, what="the seeding DSN")
            if number == 1
            else psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        )
        with conn:
            if jobs != 1 and not (resumable or resume):
                run = ParallelRun(dsn, jobs)
                tables: list[str] = []
                try:
                    return guarded(
                        run,
                        conn,
                        lambda: tables,
                        lambda: checked(
                            _seed_connection(
                                conn,
                                plan,
                                seed=run_seed,
                                progress=progress,
                                rootdir=rootdir,
                                parallel=run,
                                written=tables,
                            )
                        ),
                    )
                except psycopg.Error as exc:
                    if is_transient(exc):
                        raise
                    raise explain_phase_error(exc, "commit") from None
            if not (resumable or resume):
                try:
                    return seed_atomically(
                        conn,
                        lambda: checked(
                            seed_connection(
                                conn, plan, seed=run_seed, progress=progress, rootdir=rootdir
                            )
                        ),
                    )
                except psycopg.Error as exc:  # at COMMIT: a deferred constraint or trigger
                    if is_transient(exc):
                        raise
                    raise explain_phase_error(exc, "commit") from None
            if resume or (number > 1 and journal_exists(conn)):
                journal = Journal.resume(conn, digest, run_seed, where)
            else:
                journal = Journal.start(conn, digest, run_seed, where)
            # --strict decides after the last batch, when the batches are committed: the journal
            # stays until then, so that a refused run can take back what it wrote
            journal.close_at_end = not strict
            result = seed_connection(
                conn, plan, seed=run_seed, progress=progress, rootdir=rootdir, journal=journal
            )
            if strict and result.strict_problems:
                rollback_recorded_run(conn, where)
            elif strict:
                with conn.transaction():
                    journal.close()
            return checked(result)

    return call_with_retries(attempt, what=f"seeding {where}", policy=retry)


def _as_plan(plan: SeedPlan | Mapping[str, Any] | None) -> SeedPlan:
    if plan is None:
        return SeedPlan()
    return plan if isinstance(plan, SeedPlan) else SeedPlan.model_validate(plan)


def _where(dsn: str) -> str:
    """``database 'x' on host:port`` (no password) for messages."""
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    host = params.get("host") or params.get("hostaddr") or "the default host"
    port = f":{params['port']}" if params.get("port") else ""
    return f"database '{params.get('dbname') or params.get('user') or '?'}' on {host}{port}"


def seed_connection(
    conn: Conn,
    plan: SeedPlan | Mapping[str, Any] | None,
    *,
    seed: int | None = None,
    progress: bool | None = None,
    schema: Schema | None = None,
    rootdir: str | Path | None = None,
    journal: Journal | None = None,
) -> SeedResult:
    """Like :func:`seed` on an open autocommit connection (left open), without retries.

    ``schema``: an already introspected schema of this database, to skip introspection.
    ``journal``: commit batch by batch and record the progress there (a resumable run); without
    it, the caller decides the transaction (:func:`seed` opens one around the whole run).
    """
    return _seed_connection(
        conn,
        plan,
        seed=seed,
        progress=progress,
        schema=schema,
        rootdir=rootdir,
        journal=journal,
    )


def _seed_connection(
    conn: Conn,
    plan: SeedPlan | Mapping[str, Any] | None,
    *,
    seed: int | None = None,
    progress: bool | None = None,
    schema: Schema | None = None,
    rootdir: str | Path | None = None,
    journal: Journal | None = None,
    parallel: ParallelRun | None = None,
    written: list[str] | None = None,
) -> SeedResult:
    """:func:`seed_connection`; with ``parallel``, every write commits on its own (each table on
    a connection of the run) and is recorded there; ``written`` receives, children first, every
    table a failed run may have written rows in (for :func:`~.parallel.undo`)."""
    plan = _as_plan(plan)
    run_seed = plan.seed if seed is None else seed
    result = SeedResult(seed=run_seed)
    phase = ["introspect"]
    try:
        return _run(
            conn,
            plan,
            run_seed,
            result,
            progress,
            schema,
            rootdir,
            phase,
            journal,
            parallel,
            written,
        )
    except psycopg.Error as exc:
        if is_transient(exc):
            raise  # retried by seed() (connection lost, server restarting ...)
        raise explain_phase_error(exc, phase[0]) from None


def _run(
    conn: Conn,
    plan: SeedPlan,
    run_seed: int,
    result: SeedResult,
    progress: bool | None,
    schema: Schema | None,
    rootdir: str | Path | None,
    phase: list[str],
    journal: Journal | None,
    parallel: ParallelRun | None = None,
    written_in: list[str] | None = None,
) -> SeedResult:
    started = clock = time.perf_counter()
    if schema is None:
        schema = introspect_cached(
            conn, include=plan_schemas(plan), app_schemas=plan.schemas is None
        )
    schema = with_storage_owners(schema)
    if written_in is not None:
        written_in[:] = _children_first(schema)
    result.phases["introspect"] = time.perf_counter() - clock
    root = Path(rootdir) if rootdir is not None else Path.cwd()
    assets = _AssetRows(plan, root, run_seed, result)
    assets.check_strict_pools()  # strict pools are validated whether a mapping uses them or not
    planned_keys = {_table(schema, k, f"tables.{k}").qualified_name: k for k in plan.tables}
    # Everything the plan says is checked before the first row is written (when the plan has a
    # users phase, the tables it fills are known only after it, so the rest is checked then).
    event(
        "phase",
        f"introspect: {len(schema.tables)} tables",
        phase="introspect",
        tables=len(schema.tables),
        duration=result.phases["introspect"],
    )
    if journal is not None and journal.resumed:
        done = sum(1 for s in journal.steps.values() if s.done)
        event(
            "resume",
            f"resuming: {done} steps done, {sum(s.rows for s in journal.steps.values())} rows "
            "already committed",
            steps_done=done,
            rows=sum(s.rows for s in journal.steps.values()),
        )
    counts_before = _row_counts(conn, schema)
    filled_by_users: set[str] = set()
    if _wants_users(plan):
        phase[0] = "users"
        filled_by_users = _users_phase(conn, plan, schema, run_seed, result, journal, parallel)
    phase[0] = "tables"
    planned = _planned_tables(plan, schema, filled_by_users, result)
    mapped = _mapped_tables(plan, schema, planned)
    _warn_no_effect(plan, schema, planned, result)
    if not planned and not filled_by_users:
        result.warnings.append(
            "the plan fills no table: add [tables.<name>] with a count, a [mappings] entry or "
            "[users]; nothing was seeded"
        )
    for name, config in planned.items():
        _per_parent(schema.tables[name], config)  # a wrong count_per_parent fails before writing
    _check_generators(conn, schema, planned, mapped, run_seed)  # impossible CHECKs, before writing
    phase[0] = "associations"
    associated = _associated_tables(plan, schema, planned)
    phase[0] = "tables"
    ai = _ai_run(plan, schema, planned, mapped, assets, run_seed, result)
    order = insert_order(schema, planned) if planned else None
    deferrable = [
        d.foreign_key
        for d in (order.deferred if order else ())
        if not d.foreign_key.is_self_reference and not d.foreign_key.nullable
    ]
    if deferrable and journal is not None:
        raise ConfigError(
            "this plan cannot be seeded resumably: foreign key(s) "
            + ", ".join(f"{fk.table}.{fk.name}" for fk in deferrable)
            + " close a cycle with DEFERRABLE NOT NULL keys, checked only at commit, so the whole "
            "run must be one transaction; seed without --resumable"
        )
    # A cycle broken by a DEFERRABLE NOT NULL key: its rows go in with placeholder values, checked
    # only at commit, so the whole run is one transaction (each table a savepoint inside it).
    with (
        contextlib.closing(ai) if ai is not None else contextlib.nullcontext(),
        conn.transaction() if deferrable else contextlib.nullcontext(),
    ):
        for fk in deferrable:
            conn.execute(
                sql.SQL("SET CONSTRAINTS {} DEFERRED").format(
                    sql.Identifier(fk.table.split(".", 1)[0], fk.name)
                )
            )

        # Each table: its given rows (mapping, association) prepared on this connection, then its
        # rows written; a parallel run writes the tables of a wave at once (seed/parallel.py).
        def prepare(name: str) -> tuple[Table, list[ForeignKey], Any, ColumnSources, SeedResult]:
            table = schema.tables[name]
            deferred = [
                d.foreign_key
                for d in order.deferred_for(name)  # type: ignore[union-attr]
                if not d.foreign_key.is_self_reference
            ]
            part = SeedResult(seed=run_seed)  # merged into result in insert order
            given = assets.rows(table, *mapped[name]) if name in mapped else None
            if name in associated:
                synthetic = (
                    functools.partial(assets.synthetic, table, *mapped[name])
                    if name in mapped
                    else None
                )
                given = _associate(
                    conn, table, planned[name], associated[name], given, run_seed, part, synthetic
                )
            sources = ColumnSources(
                planned_keys.get(name, name),
                planned[name],
                (mapped[name][0], dict(mapped[name][1].fields)) if name in mapped else None,
            )
            return table, deferred, given, sources, part

        def write(
            name: str, prepared: tuple[Any, ...], bars: Progress, on: Conn
        ) -> tuple[int, float, SeedResult]:
            table, deferred, given, sources, part = prepared
            clock = time.perf_counter()
            written = _seed_table(
                on,
                table,
                planned[name],
                run_seed,
                deferred,
                bars,
                part,
                given,
                ai,
                sources,
                journal,
                parallel,
            )
            seconds = time.perf_counter() - clock
            event(
                "table",
                f"{name}: {written} rows in {seconds:.2f} s",
                table=name,
                rows=written,
                duration=seconds,
            )
            return written, seconds, part

        def record(name: str, written: int, seconds: float, part: SeedResult) -> None:
            result.phases[name] = seconds
            result.rows[name] = result.rows.get(name, 0) + written
            result.histograms += part.histograms
            result.relaxations += part.relaxations
            result.warnings += part.warnings

        tables = order.tables if order else ()
        waves = [[name] for name in tables]
        jobs = 1
        if parallel is not None and not deferrable and ai is None and journal is None and order:
            waves = plan_waves(
                schema, tables, planned, {d.foreign_key.name for d in order.deferred}
            )
            estimate = sum(_estimated_rows(schema, planned, tables).values())
            jobs = resolve_jobs(parallel.jobs, waves, estimate)
            if jobs == 1:
                waves = [[name] for name in tables]
        with progress_for(progress) as shown:
            meter = Meter(shown)
            meter.connections = jobs
            for wave in waves:
                for chunk in (wave[i : i + jobs] for i in range(0, len(wave), jobs)):
                    prepared = [(name, prepare(name)) for name in chunk]
                    if len(chunk) == 1:
                        name, ready = prepared[0]
                        record(name, *write(name, ready, meter, conn))
                        continue
                    assert parallel is not None
                    outcomes = run_wave(
                        parallel,
                        conn,
                        [
                            functools.partial(write, name, ready, meter.view())
                            for name, ready in prepared
                        ],
                    )
                    for (name, _), outcome in zip(prepared, outcomes):
                        record(name, *outcome)
            meter.done()
        if order is not None and any(not d.foreign_key.is_self_reference for d in order.deferred):
            phase[0] = "cycles"
            clock = time.perf_counter()
            step = journal.step("#cycles") if journal is not None else None
            if step is None or not step.done:
                if journal is not None and not step.started:  # type: ignore[union-attr]
                    journal.begin("#cycles", {})
                with conn.transaction():
                    if journal is not None:
                        journal.mark_transaction()
                    for edge in order.deferred:
                        if not edge.foreign_key.is_self_reference:
                            _close_cycle(conn, schema, edge.foreign_key, run_seed, result)
                    # after the writes: each UPDATE ran in a savepoint, with an id of its own
                    closed = {e.foreign_key.table for e in order.deferred}
                    if journal is not None:
                        journal.mark_transaction(closed)
                    if parallel is not None:
                        parallel.mark(conn, closed)
                    if journal is not None:
                        journal.finish("#cycles", 0)
            result.phases["cycles"] = time.perf_counter() - clock
            event("phase", "cycles closed", phase="cycles", duration=result.phases["cycles"])
    if plan.storage:
        phase[0] = "storage"
        step = journal.step("#storage") if journal is not None else None
        if step is not None and step.done:
            made = step.rows  # committed before the interruption
        else:
            if journal is not None and not step.started:  # type: ignore[union-attr]
                journal.begin("#storage", {})
            with (
                conn.transaction()
                if journal is not None or parallel is not None
                else contextlib.nullcontext()
            ):
                if journal is not None:
                    journal.mark_transaction()
                made = seed_storage(conn, plan, result.users, assets.pool, run_seed)
                if parallel is not None:
                    parallel.mark(conn)
                if journal is not None:
                    journal.finish("#storage", made)
        result.rows["storage.objects"] = result.rows.get("storage.objects", 0) + made
    _count_trigger_rows(conn, schema, counts_before, result)
    result.totals = _totals(conn, schema, result)
    if journal is not None and journal.close_at_end:
        with conn.transaction():
            journal.close()
    event(
        "seed",
        f"seed {run_seed}: {result.total_rows} rows in {len(result.rows)} tables",
        seed=run_seed,
        rows=result.total_rows,
        tables=len(result.rows),
        rows_per_s=round(result.total_rows / max(time.perf_counter() - started, 1e-9)),
        duration=time.perf_counter() - started,
    )
    return result


def _estimated_rows(
    schema: Schema, planned: Mapping[str, TableConfig], order: Iterable[str]
) -> dict[str, int]:
    """Rows each planned table will get, roughly (``count_per_parent``: the parent's estimate
    times the mean per parent), to decide how many connections are worth it."""
    estimates: dict[str, int] = {}
    for name in order:
        config = planned[name]
        if config.count_per_parent:
            ((key, count),) = list(config.count_per_parent.items())[:1]
            parent = next(
                (
                    fk.ref_table
                    for fk in schema.tables[name].foreign_keys
                    if key in fk.columns or qualify(key) == fk.ref_table or key == fk.name
                ),
                None,
            )
            per = (count.min + count.max) / 2
            estimates[name] = int(estimates.get(parent or "", DEFAULT_COUNT) * per)
        else:
            estimates[name] = DEFAULT_COUNT if config.count is None else config.count
    return estimates


def _children_first(schema: Schema) -> list[str]:
    """Every table of ``schema``, children before parents where the keys allow (to delete)."""
    try:
        order = list(insert_order(schema).tables)
    except SchemaError:
        order = sorted(schema.tables)
    return list(reversed(order))


def _totals(conn: Conn, schema: Schema, result: SeedResult) -> dict[str, int]:
    """Rows each table holds after seeding: the seeded tables and every application table (so
    rows made by triggers, migrations or seed files show next to the rows the seeder wrote)."""
    names = list(result.rows)
    names += sorted(
        n for n, t in schema.tables.items() if t.schema not in PLATFORM_SCHEMAS and n not in names
    )
    totals: dict[str, int] = {}
    for name in names:
        table_schema, table = name.split(".", 1)
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table_schema, table))
        ).fetchone()
        totals[name] = int(row[0]) if row else 0
    return totals


def _row_counts(conn: Conn, schema: Schema) -> dict[str, int]:
    """Exact row count of every introspected table, in one query."""
    names = sorted(schema.tables)
    if not names:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}::text, count(*) FROM {}").format(
            sql.Literal(name), sql.Identifier(*name.split(".", 1))
        )
        for name in names
    )
    try:
        with conn.transaction():
            rows = conn.execute(query).fetchall()
    except psycopg.errors.InsufficientPrivilege:
        return {}  # a seeding role that may not read every table: no trigger count
    return {str(name): int(count) for name, count in rows}


def _count_trigger_rows(
    conn: Conn, schema: Schema, before: Mapping[str, int], result: SeedResult
) -> None:
    """Rows that appeared in tables beyond the ones the run wrote: the database's triggers."""
    after = _row_counts(conn, schema)
    if not before or not after:
        return
    for name, count in after.items():
        made = count - before.get(name, 0) - result.rows.get(name, 0)
        if made > 0:
            result.by_triggers[name] = made


#: Columns Supabase Storage fills with the uploading user's id without a foreign key (Storage
#: dropped it), so that a plan can give each seeded user their own objects:
#: ``count_per_parent = { owner = { min = 2, max = 2 } }`` on ``storage.objects``.
STORAGE_OWNER_COLUMNS = (("storage.objects", "owner"), ("storage.buckets", "owner"))


def with_storage_owners(schema: Schema) -> Schema:
    """``schema`` with ``storage.objects.owner`` / ``storage.buckets.owner`` seen as references
    to ``auth.users(id)`` (as Storage uses them), where no real foreign key covers them."""
    if "auth.users" not in schema.tables:
        return schema
    tables = dict(schema.tables)
    changed = False
    for name, column in STORAGE_OWNER_COLUMNS:
        table = tables.get(name)
        if table is None or not table.has_column(column):
            continue
        if any(column in fk.columns for fk in table.foreign_keys):
            continue
        implied = ForeignKey(
            name=f"{table.name}_{column}_supaseed_implied",
            table=name,
            columns=(column,),
            ref_table="auth.users",
            ref_columns=("id",),
            nullable=table.column(column).nullable,
        )
        keys = tuple(sorted((*table.foreign_keys, implied), key=lambda fk: fk.name))
        tables[name] = dataclasses.replace(table, foreign_keys=keys)
        changed = True
    return dataclasses.replace(schema, tables=tables) if changed else schema


def plan_schemas(plan: SeedPlan) -> list[str]:
    """The schemas ``plan`` names: its ``schemas``, else public and every schema its table, mapping
    and association keys name (``"app.projects"`` -> ``app``, ``"storage.objects"`` -> ``storage``).

    Without ``schemas`` the engine also reads every schema of the application (each non-system
    schema outside :data:`~pytest_supaseed.schema.introspect.PLATFORM_SCHEMAS`), so a table in a
    schema the migrations create is seeded without any setting."""
    if plan.schemas is not None:
        return list(plan.schemas)
    found = {"public"}
    keys = [*plan.tables, *(m.table for m in plan.mappings.values())]
    for association in plan.associations.values():
        keys += [association.items, association.targets]
    for key in keys:
        if "." in key:
            found.add(key.split(".", 1)[0])
    return sorted(found)


def _ai_run(
    plan: SeedPlan,
    schema: Schema,
    planned: dict[str, TableConfig],
    mapped: dict[str, tuple[str, MappingConfig]],
    assets: _AssetRows,
    run_seed: int,
    result: SeedResult,
) -> AIRun | None:
    """The run's AI state (:class:`pytest_supaseed.ai.engine.AIRun`) when the plan turns AI on,
    else None; httpx (the optional ``[ai]`` extra) is imported only when it is on."""
    if not plan.ai.enabled:
        return None
    estimates = {}
    for name, config in planned.items():
        if name in mapped:
            estimates[name] = mapped[name][1].count or 0
        elif config.count_per_parent:
            estimates[name] = max(c.max for c in config.count_per_parent.values()) * DEFAULT_COUNT
        else:
            estimates[name] = DEFAULT_COUNT if config.count is None else config.count
    run = AIRun(
        plan,
        schema,
        planned,
        rootdir=assets.rootdir,
        seed=run_seed,
        load_pool=assets.pool,
        warn=result.warnings.append,
        estimates=estimates,
    )
    result.ai = run.usage
    return run


def _pools_read_by_mappings(plan: SeedPlan) -> set[str]:
    """Pools a mapping reads: its own, and any its field expressions name (``random(other)``)."""
    used = {m.pool for m in plan.mappings.values()}
    for mapping in plan.mappings.values():
        for expression in mapping.fields.values():
            used |= {
                name
                for name in plan.asset_pools
                if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", expression)
            }
    return used


def _warn_no_effect(
    plan: SeedPlan,
    schema: Schema,
    planned: Mapping[str, TableConfig],
    result: SeedResult,
) -> None:
    """A plan key that changes nothing is a warning: it is usually a mistake."""
    read = _pools_read_by_mappings(plan)
    for name, pool in sorted(plan.asset_pools.items()):
        if name not in read and not pool.strict:
            result.warnings.append(
                f"asset_pools.{name} has no effect: no mapping reads it (add a [mappings] entry "
                "with pool = "
                f'"{name}", set strict = true to validate it anyway, or remove it)'
            )
    for qualified, config in planned.items():
        table = schema.tables[qualified]
        for column in config.columns:
            if table.has_column(column) and table.column(column).generated:
                result.warnings.append(
                    f"tables.{qualified}.columns.{column} has no effect: {qualified}.{column} is "
                    "a generated column, computed by the database (remove the override)"
                )
        if config.disable_triggers and not table.triggers:
            result.warnings.append(
                f"tables.{qualified}.disable_triggers has no effect: {qualified} has no user "
                "triggers (remove it)"
            )


def _wants_users(plan: SeedPlan) -> bool:
    return bool(plan.users.count > 0 or plan.users.makerkit_test_users or plan.accounts.teams > 0)


def _check_generators(
    conn: Conn,
    schema: Schema,
    planned: Mapping[str, TableConfig],
    mapped: Mapping[str, tuple[str, MappingConfig]],
    run_seed: int,
) -> None:
    """Build every planned table's generators once, writing nothing: a CHECK no value can meet,
    a check nobody understands, a bad constant are errors before the first row is sent."""
    for name, config in planned.items():
        table = schema.tables[name]
        overrides = _overrides(conn, table, config)
        if name in mapped:
            for column in mapped[name][1].fields:
                if table.has_column(column):
                    overrides.setdefault(column, Constant(None))
        TableRows(
            table,
            seed=run_seed,
            count=0,
            # one placeholder parent each: nothing is drawn for 0 rows, nothing is refused
            parents={
                fk.name: ParentKeys(fk.ref_columns, [(None,) * len(fk.ref_columns)])
                for fk in table.foreign_keys
            },
            overrides=overrides,
            vocab=vocabulary(),
        )


def _users_phase(
    conn: Conn,
    plan: SeedPlan,
    schema: Schema,
    run_seed: int,
    result: SeedResult,
    journal: Journal | None = None,
    parallel: ParallelRun | None = None,
) -> set[str]:
    if not _wants_users(plan):
        return set()
    clock = time.perf_counter()
    step = journal.step("#users") if journal is not None else None
    if step is not None and step.done:
        # committed before the interruption: what it wrote is in the journal
        rows: dict[str, int] = {str(k): int(n) for k, n in step.state["rows"].items()}
        result.users.update({e: uuid.UUID(u) for e, u in step.state["users"].items()})
        result.warnings += list(step.state["warnings"])
    else:
        if journal is not None and step is not None and not step.started:
            journal.begin("#users", {})
        with (
            conn.transaction()
            if journal is not None or parallel is not None
            else contextlib.nullcontext()
        ):
            if journal is not None:
                journal.mark_transaction()
            outcome = seed_users_and_accounts(conn, plan, schema, seed=run_seed)
            # after the writes: the kit's savepoints have ids of their own, and its triggers may
            # write any table (read while the database holds little more than migrations' rows)
            if journal is not None:
                journal.mark_transaction(schema.tables)
            if parallel is not None:
                parallel.mark(conn, schema.tables)
            rows = {qualify(t): n for t, n in outcome.rows.items()}
            if journal is not None:
                journal.finish(
                    "#users",
                    sum(rows.values()),
                    {
                        "rows": rows,
                        "users": {e: str(u) for e, u in outcome.users.items()},
                        "warnings": list(outcome.warnings),
                    },
                )
        result.users.update(outcome.users)
        result.warnings += outcome.warnings
    result.phases["users"] = time.perf_counter() - clock
    result.rows.update(rows)
    event(
        "phase",
        f"users: {sum(rows.values())} rows in {len(rows)} tables",
        phase="users",
        rows=sum(rows.values()),
        tables=len(rows),
        duration=result.phases["users"],
    )
    return set(rows)


def _planned_tables(
    plan: SeedPlan, schema: Schema, filled: set[str], result: SeedResult | None
) -> dict[str, TableConfig]:
    planned: dict[str, TableConfig] = {}
    for key, config in plan.tables.items():
        table = _table(schema, key, f"tables.{key}")  # with did-you-mean
        if table.qualified_name in filled:
            assert result is not None
            result.warnings.append(
                f"{table.qualified_name} was filled by the users/accounts phase; its [tables] "
                "entry was not applied"
            )
            continue
        if table.qualified_name in planned:
            raise ConfigError(
                f"{table.qualified_name} is planned twice ('{key}' and another spelling)",
                key_path=f"tables.{key}",
            )
        planned[table.qualified_name] = config
    return planned


def _table(schema: Schema, name: str, key_path: str) -> Table:
    """``schema.table(name)``; a missing table is a ConfigError at the plan key that names it."""
    try:
        return schema.table(name)
    except SchemaError as exc:
        text = str(exc).rstrip(". ")
        raise UnknownTableError(
            f"{text}. Fix the table name in the plan", key_path=key_path
        ) from None


def _mapped_tables(
    plan: SeedPlan, schema: Schema, planned: dict[str, TableConfig]
) -> dict[str, tuple[str, MappingConfig]]:
    """Tables filled from asset pools, added to ``planned``: {table: (mapping name, mapping)}."""
    mapped: dict[str, tuple[str, MappingConfig]] = {}
    for name, mapping in sorted(plan.mappings.items()):
        where = f"mappings.{name}"
        table = _table(schema, mapping.table, f"{where}.table")
        if mapping.pool not in plan.asset_pools:
            raise ConfigError(
                f"mapping '{name}' uses pool '{mapping.pool}', which [asset_pools] does not define"
                f"{did_you_mean(mapping.pool, plan.asset_pools)}",
                key_path=f"{where}.pool",
            )
        qualified = table.qualified_name
        if qualified in mapped:
            raise ConfigError(
                f"{qualified} is the table of mappings '{mapped[qualified][0]}' and '{name}'; one "
                "mapping per table is supported",
                key_path=where,
            )
        config = planned.get(qualified, TableConfig())
        if config.count is not None and mapping.count is None:
            # [tables].count with a mapping is the mapping's count: assets first, then synthetic
            # rows (a plan that extends a template can turn its count_per_parent into a count).
            mapping = mapping.model_copy(update={"count": config.count})
        elif config.count is not None or config.count_per_parent is not None:
            raise ConfigError(
                f"{qualified} has both a count in [tables] and mapping '{name}'; the mapping "
                f'decides the rows (set its count), remove the count from [tables."{qualified}"]',
                key_path=where,
            )
        planned[qualified] = config
        mapped[qualified] = (name, mapping)
    return mapped


def _associated_tables(
    plan: SeedPlan, schema: Schema, planned: dict[str, TableConfig]
) -> dict[str, tuple[str, Any, ForeignKey]]:
    """Item tables whose parent is chosen by an association: {table: (name, config, key)}."""
    found: dict[str, tuple[str, Any, ForeignKey]] = {}
    for name, config in sorted(plan.associations.items()):
        where = f"associations.{name}"
        items = _table(schema, config.items, f"{where}.items")
        targets = _table(schema, config.targets, f"{where}.targets")
        fk = next(
            (
                f
                for f in items.foreign_keys
                if f.columns == (config.fk_column,) and f.ref_table == targets.qualified_name
            ),
            None,
        )
        if fk is None:
            options = [c for f in items.foreign_keys for c in f.columns]
            raise ConfigError(
                f"{items.qualified_name}.{config.fk_column} is not a single-column foreign key to "
                f"{targets.qualified_name}{did_you_mean(config.fk_column, options)}",
                key_path=f"{where}.fk_column",
            )
        if items.qualified_name in found:
            raise ConfigError(
                f"{items.qualified_name} is the item table of associations "
                f"'{found[items.qualified_name][0]}' and '{name}'; one per table is supported",
                key_path=where,
            )
        table_config = planned.get(items.qualified_name)
        if table_config is None:
            raise ConfigError(
                f"association '{name}' distributes {items.qualified_name}, which the plan does not "
                f'fill: add [tables."{items.qualified_name}"] (with a count) or a mapping',
                key_path=f"{where}.items",
            )
        if table_config.count_per_parent is not None:
            raise ConfigError(
                f"{items.qualified_name} has both count_per_parent and association '{name}'; "
                "the association decides each row's parent, remove count_per_parent",
                key_path=where,
            )
        found[items.qualified_name] = (name, config, fk)
    return found


def _associate(
    conn: Conn,
    table: Table,
    config: TableConfig,
    association: tuple[str, Any, ForeignKey],
    given: list[dict[str, Any]] | None,
    run_seed: int,
    result: SeedResult,
    synthetic: Callable[[int], list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of an item table with their parent chosen by the association engine.

    Items are the mapped asset rows when the table has a mapping, else ``count`` placeholder rows.
    Targets are the parent's rows (all columns, so weights and constraints can read them). Placed
    items keep their values; each target's synthetic items are rows with only the parent given.
    """
    name, assoc, fk = association
    key = "\x00supaseed_key"
    if given is None:
        count = DEFAULT_COUNT if config.count is None else config.count
        given = [{} for _ in range(count)]
    items = [{**row, key: i} for i, row in enumerate(given)]
    ref_schema, ref_name = fk.ref_table.split(".", 1)
    ref_col = fk.ref_columns[0]
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        targets = cur.execute(
            sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                sql.Identifier(ref_schema, ref_name), sql.Identifier(ref_col)
            )
        ).fetchall()
    records = [{**t, key: t[ref_col]} for t in targets]
    if assoc.name is None:
        assoc = assoc.model_copy(update={"name": name})
    placed = distribute_from_config(assoc, items, records, run_seed, key=key)
    result.histograms.append(render_distribution(placed, relaxations=False))
    relaxed = [f"association '{name}': {r}" for r in placed.relaxations]
    if placed.unused:
        relaxed.append(
            f"association '{name}': {len(placed.unused)} of {len(items)} "
            f"{table.qualified_name} rows had no room under the constraints and were not written"
        )
    result.relaxations += relaxed
    for text in relaxed:
        event("relaxation", text, table=table.qualified_name, association=name)
    column = fk.columns[0]
    rows = [{**given[int(item)], column: target} for item, target in placed.assignments]  # type: ignore[call-overload]
    wanted = sum(placed.synthetic.get(target, 0) for target in placed.targets)
    # A mapped table's synthetic items are the mapping's synthetic rows (fallbacks, and a slug or
    # read time derived from the row's own title and body); else the engine generates them.
    made = iter(synthetic(wanted) if synthetic is not None else [{} for _ in range(wanted)])
    for target in placed.targets:
        rows += [{**next(made), column: target} for _ in range(placed.synthetic.get(target, 0))]
    return rows


class _AssetRows:
    """Asset pools loaded on first use, and mapped rows for a table."""

    def __init__(self, plan: SeedPlan, rootdir: Path, run_seed: int, result: SeedResult) -> None:
        self.plan = plan
        self.rootdir = rootdir
        self.seed = run_seed
        self.result = result
        self.pools: dict[str, Any] = {}

    def load(self, name: str) -> Any:
        """Pool ``name``, loaded once; what it dropped or found nothing for becomes warnings."""
        if name not in self.pools:
            pool = load_pool(name, self.plan.asset_pools[name], self.rootdir)
            self.pools[name] = pool
            self.result.warnings += [
                f"pool '{name}': skipped {problem} (set strict = true to make this an error)"
                for problem in pool.errors
            ]
            self.result.warnings += pool.warnings
        return self.pools[name]

    def pool(self, name: str) -> Any:
        """The asset pool ``name`` (loaded on first use, its problems reported as warnings)."""
        return self.load(name)

    def check_strict_pools(self) -> None:
        """Load every ``strict = true`` pool now: its problems are errors even when no mapping
        uses it (a strict pool is a promise that its files are right)."""
        for name, config in sorted(self.plan.asset_pools.items()):
            if config.strict:
                self.load(name)

    def rows(self, table: Table, name: str, mapping: MappingConfig) -> list[dict[str, Any]]:
        self.load(mapping.pool)
        for other in sorted(_pools_read_by_mappings(self.plan) & set(self.plan.asset_pools)):
            if any(
                re.search(rf"(?<![\w.]){re.escape(other)}(?![\w])", e)
                for e in mapping.fields.values()
            ):
                self.load(other)  # random(other) in an expression reads another pool
        rng = derive_rng(self.seed, table.qualified_name, "#assets", name)
        return map_rows(self.pools[mapping.pool], mapping, table.columns, rng, pools=self.pools)

    def synthetic(
        self, table: Table, name: str, mapping: MappingConfig, count: int
    ) -> list[dict[str, Any]]:
        """``count`` synthetic rows of a mapping (no asset): its fallbacks, and columns derived
        from the row's own generated text (a slug from its title, a read time from its body)."""
        if count == 0:
            return []
        pool = self.pool(mapping.pool)
        rng = derive_rng(self.seed, table.qualified_name, "#synthetic", name)
        wanted = mapping.model_copy(update={"count": count, "synthetic_fill": True})
        return map_rows(pool, wanted, table.columns, rng, assets=[], pools=self.pools)


def _parent_keys(conn: Conn, fk: ForeignKey) -> ParentKeys:
    """Keys of the rows of ``fk``'s parent table, ordered by value (deterministic); many keys of
    one uuid/integer column are held packed (:mod:`pytest_supaseed.seed.keys`)."""
    return ParentKeys(fk.ref_columns, read_parent_keys(conn, fk))


def _per_parent(table: Table, config: TableConfig) -> PerParent | None:
    if not config.count_per_parent:
        return None
    if len(config.count_per_parent) > 1:
        raise ConfigError(
            f"{table.qualified_name}: count_per_parent names {len(config.count_per_parent)} "
            f"parents ({', '.join(config.count_per_parent)}); one parent per table is supported: "
            "keep one (rows then reference the other parents at random)",
            key_path=f"tables.{table.qualified_name}.count_per_parent",
        )
    ((key, count),) = config.count_per_parent.items()
    for fk in table.foreign_keys:
        if key in fk.columns or qualify(key) == fk.ref_table or key == fk.name:
            return PerParent(fk, count.min, count.max)
    options = [c for fk in table.foreign_keys for c in (*fk.columns, fk.ref_table)]
    raise ConfigError(
        f"'{key}' is neither a parent table nor a foreign-key column of {table.qualified_name}"
        f"{did_you_mean(key, options)}; foreign keys: {', '.join(options) or 'none'}",
        key_path=f"tables.{table.qualified_name}.count_per_parent",
    )


def _overrides(conn: Conn, table: Table, config: TableConfig) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in config.column_values().items():
        where = f"tables.{table.qualified_name}.columns.{name}"
        if not table.has_column(name):
            raise ConfigError(
                f"{table.qualified_name} has no column '{name}'"
                f"{did_you_mean(name, table.column_names)}",
                key_path=where,
            )
        if isinstance(value, Expression):
            generator = override_generator(value.source, is_expression=True, where=where)
            if table.column(name).base_type == "timestamp with time zone":
                generator = _aware(generator)
            out[name] = generator
        else:
            constant = _typed_constant(conn, table.column(name), value.value, where)
            out[name] = override_generator(constant, is_expression=False, where=where)
    return out


def _aware(generator: object) -> object:
    """A Faker datetime is naive; binary COPY into a timestamptz column needs a zone: read a
    naive value as UTC (what the server does with it under the default TimeZone)."""
    if not isinstance(generator, PerValue):
        return generator
    make = generator.make

    def aware(rng: Any) -> Any:
        value = make(rng)
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value

    return PerValue(aware)


def _typed_constant(conn: Conn, column: Column, value: Any, where: str) -> Any:
    """A string constant for a column binary COPY sends as another type (a date, a number, a
    uuid ...), read by the server as that type: ``"2024-05-01"`` becomes a date. A string the
    type does not accept is a :class:`ConfigError` naming the column, before any row is sent."""
    if not isinstance(value, str):
        return value
    type_name, binary = copy_type(column)
    if not binary or type_name in ("text", "character varying", "character", "json", "jsonb"):
        return value  # sent as text, or a JSON string: the value as written
    try:
        with conn.transaction():
            row = conn.execute(sql.SQL("SELECT %s::{}").format(sql.SQL(column.type)), [value])
            return row.fetchone()[0]  # type: ignore[index]
    except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as error:
        hint = {
            "default": '; to leave the column to the database write "{{ default }}"',
            "null": '; for NULL write "{{ null }}"',
        }.get(value, "")
        raise ConfigError(
            f"constant {value!r} is not a valid {column.type} for column {column.name}: "
            f"{error.diag.message_primary or error}{hint or f'. Fix: write a {column.type} value'}",
            key_path=where,
        ) from None


def _seed_table(
    conn: Conn,
    table: Table,
    config: TableConfig,
    run_seed: int,
    deferred: list[ForeignKey],
    bars: Progress,
    result: SeedResult,
    given: list[dict[str, Any]] | None = None,
    ai: Any = None,
    sources: ColumnSources | None = None,
    journal: Journal | None = None,
    parallel: ParallelRun | None = None,
) -> int:
    step = journal.step(table.qualified_name) if journal is not None else None
    if step is not None and step.done:
        return step.rows  # committed before the interruption
    schema_fks = {fk.name for fk in deferred}
    overrides = _overrides(conn, table, config)
    parents: dict[str, ParentKeys] = {}
    for fk in table.foreign_keys:
        if fk.name in schema_fks or fk.is_self_reference:
            parents[fk.name] = ParentKeys(fk.ref_columns, [])
            continue
        keys = _parent_keys(conn, fk)
        if not len(keys.keys) and fk.nullable and not any(c in overrides for c in fk.columns):
            for col in fk.columns:
                overrides[col] = Constant(None)
            result.warnings.append(
                f"{table.qualified_name}.{', '.join(fk.columns)} left NULL: {fk.ref_table} has no rows"
            )
        parents[fk.name] = keys
    if step is not None and step.started:
        # what the table held when the run first reached it, not what the run committed since
        starts = {str(k): int(n) for k, n in step.state["starts"].items()}
        existing = int(step.state["existing"])
    else:
        starts = _key_starts(conn, table, overrides)
        (existing,) = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table.schema, table.name))
        ).fetchone() or (0,)
        if journal is not None:
            step = journal.begin(table.qualified_name, {"starts": starts, "existing": existing})
    count = DEFAULT_COUNT if config.count is None else config.count
    rows = TableRows(
        table,
        seed=run_seed,
        count=count,
        per_parent=_per_parent(table, config),
        parents=parents,
        overrides=overrides,
        deferred=sorted(schema_fks),
        sequence_starts=starts,
        vocab=vocabulary(),
        given_rows=given,
        existing_rows=int(existing),
        send=ai.columns_for(table) if ai is not None else (),
    )
    filler = ai.table(table, rows) if ai is not None else None
    batches = _batches(rows) if filler is None else filler.batches(_batches(rows))
    bars.start(table.qualified_name, rows.total)
    sources = sources or ColumnSources(table.qualified_name, config)
    try:
        if journal is not None:
            written = _copy_in_batches(
                conn, table, config, rows, batches, overrides, starts, bars, result, journal
            )
        else:
            written = _copy_at_once(
                conn, table, config, rows, batches, overrides, starts, bars, result, parallel
            )
    except psycopg.Error as exc:
        if is_transient(exc):
            raise  # retried by seed() (connection lost, server restarting ...)
        raise explain_write_error(exc, table, sources) from None
    except (TypeError, ValueError, OverflowError) as exc:
        # psycopg could not turn a plan value into the column's type (5 for a text[] column ...)
        raise ConfigError(
            f"{table.qualified_name}: a value of the plan cannot be sent as its column's type "
            f"({exc}); check the constants and mapped values of {table.qualified_name} against "
            "the column types",
            key_path=f'tables."{sources.table_key}".columns',
        ) from None
    bars.finish()
    result.warnings += rows.report.warnings
    result.relaxations += rows.report.relaxations
    for text in rows.report.relaxations:
        event("relaxation", text, table=table.qualified_name)
    return written


def _copy_at_once(
    conn: Conn,
    table: Table,
    config: TableConfig,
    rows: TableRows,
    batches: Iterable[Any],
    overrides: Mapping[str, object],
    starts: Mapping[str, int],
    bars: Progress,
    result: SeedResult,
    parallel: ParallelRun | None = None,
) -> int:
    """Every batch in one COPY, in one transaction (a savepoint inside :func:`seed`'s; committed
    on its own in a parallel run, which records it)."""
    overlap = rows.total > BATCH_SIZE  # generation of the next batch overlaps the server's work
    with conn.transaction():
        if config.disable_triggers:
            with user_triggers_disabled(conn, table.qualified_name):
                written = copy_rows(
                    conn, table, rows.columns, batches, on_batch=bars.advance, overlap=overlap
                )
        else:
            with _stamps_pinned(conn, table, overrides, result):
                written = copy_rows(
                    conn, table, rows.columns, batches, on_batch=bars.advance, overlap=overlap
                )
        for name in starts:
            if uses_sequence(table.column(name)):
                _advance_sequence(conn, table, name)
        if parallel is not None:
            parallel.mark(conn)
    return written


def _copy_in_batches(
    conn: Conn,
    table: Table,
    config: TableConfig,
    rows: TableRows,
    batches: Iterable[Any],
    overrides: Mapping[str, object],
    starts: Mapping[str, int],
    bars: Progress,
    result: SeedResult,
    journal: Journal,
) -> int:
    """One transaction per batch, each recording its progress in ``journal``.

    A resumed table regenerates its stream from the start (the generators are deterministic per
    table and seed) and skips the batches the journal says are committed: they are generated,
    which advances every random stream and unique-key set exactly as before, but neither encoded
    nor sent.
    """
    name = table.qualified_name
    step = journal.step(name)
    skip, written = step.batches, step.rows
    if written:
        bars.advance(written)
        event(
            "skip",
            f"{name}: {skip} batches ({written} rows) already committed, regenerated and skipped",
            table=name,
            batches=skip,
            rows=written,
        )
    for index, batch in enumerate(batches):
        if index < skip:
            continue
        with conn.transaction():
            journal.mark_transaction()
            if config.disable_triggers:
                with user_triggers_disabled(conn, name):
                    written += copy_rows(conn, table, rows.columns, [batch], on_batch=bars.advance)
            else:
                with _stamps_pinned(conn, table, overrides, result):
                    written += copy_rows(conn, table, rows.columns, [batch], on_batch=bars.advance)
            journal.advance(name, index + 1, written)
    with conn.transaction():
        journal.mark_transaction()
        for column in starts:
            if uses_sequence(table.column(column)):
                sequence = conn.execute(
                    "select pg_get_serial_sequence(%s, %s)",
                    [f'"{table.schema}"."{table.name}"', column],
                ).fetchone()
                if sequence and sequence[0]:
                    journal.save_sequence(name, str(sequence[0]))
                _advance_sequence(conn, table, column)
        journal.finish(name, written)
    return written


#: Name of the trigger that pins stamps: BEFORE row triggers fire in name order, so it runs last.
PIN_TRIGGER = "~supaseed_pin_stamps"


@contextlib.contextmanager
def _stamps_pinned(
    conn: Conn, table: Table, overrides: Mapping[str, object], result: SeedResult
) -> Iterator[None]:
    """While the block COPYs, set timestamps a BEFORE INSERT trigger stamps with ``now()`` to
    :data:`REFERENCE`.

    A trigger of our own (:data:`PIN_TRIGGER`, named to fire after the table's own BEFORE INSERT
    triggers) replaces a stamp column's value when it equals ``now()``: the transaction's start,
    which no generated value equals, so exactly the stamped values are pinned. It exists only inside
    the caller's transaction (dropped before it ends, with its function in ``pg_temp``). Pinning as
    rows arrive, rather than by an UPDATE afterwards, leaves no dead row versions and keeps the rows
    in the order they were generated, so a table seeded in one COPY and one seeded batch by batch
    (resumable runs) hold the same rows in the same order. Columns the plan leaves to the database
    (``"default"``) are left alone; ``clock_timestamp()`` stamps are not recognised and keep the
    build time. Without the right to create triggers on the table a warning says so.
    """
    stamps = _stamp_columns(conn, table, overrides)
    if not stamps:
        yield
        return
    checks = sql.SQL(" ").join(
        sql.SQL("IF NEW.{c} = now()::{t} THEN NEW.{c} := {ref}::timestamptz{z}; END IF;").format(
            c=sql.Identifier(c.name),
            t=sql.SQL(c.base_type),
            ref=sql.Literal(REFERENCE.isoformat()),
            # a plain timestamp gets the reference instant's UTC wall clock
            z=sql.SQL("" if "with time zone" in c.base_type else " AT TIME ZONE 'UTC'"),
        )
        for c in stamps
    )
    body = f"BEGIN {checks.as_string(conn)} RETURN NEW; END"
    ident = sql.Identifier(table.schema, table.name)
    function = sql.Identifier("pg_temp", "supaseed_pin_stamps")
    trigger = sql.Identifier(PIN_TRIGGER)
    try:
        with conn.transaction():
            conn.execute(
                sql.SQL(
                    "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}"
                ).format(function, sql.Literal(body))
            )
            conn.execute(
                sql.SQL(
                    "CREATE TRIGGER {} BEFORE INSERT ON {} FOR EACH ROW EXECUTE FUNCTION {}()"
                ).format(trigger, ident, function)
            )
    except psycopg.errors.InsufficientPrivilege:
        result.warnings.append(
            f"{table.qualified_name}.{', '.join(c.name for c in stamps)}: a trigger stamped them "
            "with the build time and the seeding role may not create a trigger on the table to "
            "pin them, so they differ from build to build"
        )
        yield
        return
    yield
    conn.execute(sql.SQL("DROP TRIGGER {} ON {}").format(trigger, ident))
    conn.execute(sql.SQL("DROP FUNCTION {}()").format(function))


def _stamp_columns(conn: Conn, table: Table, overrides: Mapping[str, object]) -> list[Column]:
    """Timestamp columns an enabled BEFORE INSERT row trigger may stamp with ``now()``."""
    row = conn.execute(
        "select exists (select 1 from pg_trigger where tgrelid = %s::regclass "
        "and not tgisinternal and tgenabled in ('O', 'A') and (tgtype & 7) = 7)",
        [table.qualified_name],
    ).fetchone()
    if not row or not row[0]:
        return []  # no enabled BEFORE INSERT row trigger
    leave = leave_to_database()
    return [
        c
        for c in table.columns
        if not c.generated
        and not c.is_array
        and overrides.get(c.name) is not leave
        and scalar_type(c.base_type).startswith("timestamp")
    ]


def _batches(rows: TableRows) -> Iterator[dict[str, list[Any]] | int]:
    yield from rows.batches(BATCH_SIZE)


def _key_starts(conn: Conn, table: Table, overrides: Mapping[str, object]) -> dict[str, int]:
    """First value for each single-column integer key: after the rows already there, so seeding
    a table that has rows (or seeding twice) does not collide."""
    starts: dict[str, int] = {}
    for col in table.columns:
        if col.name in overrides:
            continue
        if scalar_type(col.base_type) not in INT_RANGES:
            continue
        if col.name not in table.primary_key and (col.name,) not in table.unique_column_sets():
            continue
        (start,) = conn.execute(
            sql.SQL("SELECT coalesce(max({}), 0) + 1 FROM {}").format(
                sql.Identifier(col.name), sql.Identifier(table.schema, table.name)
            )
        ).fetchone() or (1,)
        starts[col.name] = int(start)
    return starts


def _advance_sequence(conn: Conn, table: Table, column: str) -> None:
    # Explicit ids bypass the sequence; move it past them so the app's own inserts do not collide.
    conn.execute(
        sql.SQL(
            "SELECT setval(seq, m) FROM (SELECT pg_get_serial_sequence(%s, %s) AS seq, "
            "(SELECT max({}) FROM {}) AS m) s WHERE seq IS NOT NULL AND m IS NOT NULL"
        ).format(sql.Identifier(column), sql.Identifier(table.schema, table.name)),
        (f'"{table.schema}"."{table.name}"', column),
    )


def _close_cycle(
    conn: Conn, schema: Schema, fk: ForeignKey, run_seed: int, result: SeedResult
) -> None:
    """Point a cycle-breaking foreign key at real parents with one UPDATE: the rows whose key
    matches no parent (NULL, or a placeholder under a deferred constraint)."""
    table = schema.tables[fk.table]
    key = table.primary_key or next(iter(table.unique_column_sets()), ())
    if not key:
        raise GenerationError(
            f"{fk.table}.{', '.join(fk.columns)} closes a cycle but {fk.table} has no primary "
            "key to update rows by; add a primary key or break the cycle elsewhere"
        )
    ident = sql.Identifier(table.schema, table.name)
    key_cols = sql.SQL(", ").join(sql.Identifier(c) for c in key)
    ref_schema, ref_name = fk.ref_table.split(".", 1)
    null_cond = sql.SQL("NOT EXISTS (SELECT 1 FROM {} p WHERE {})").format(
        sql.Identifier(ref_schema, ref_name),
        sql.SQL(" AND ").join(
            sql.SQL("p.{} = {}.{}").format(sql.Identifier(r), ident, sql.Identifier(c))
            for c, r in zip(fk.columns, fk.ref_columns)
        ),
    )
    own = [
        tuple(r)
        for r in conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(
                key_cols, ident, null_cond, key_cols
            )
        ).fetchall()
    ]
    parents = _parent_keys(conn, fk)
    rows = deferred_values(run_seed, table, fk, own, parents)
    if not rows:
        result.warnings.append(f"{fk.table}.{', '.join(fk.columns)} left NULL: no rows to point at")
        return
    names = [f"f{i}" for i in range(len(fk.columns))] + [f"k{i}" for i in range(len(key))]
    select_list = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(sql.Identifier(c), sql.Identifier(n))
        for c, n in zip((*fk.columns, *key), names)
    )
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = s.{}").format(sql.Identifier(c), sql.Identifier(f"f{i}"))
        for i, c in enumerate(fk.columns)
    )
    match = sql.SQL(" AND ").join(
        sql.SQL("t.{} = s.{}").format(sql.Identifier(c), sql.Identifier(f"k{i}"))
        for i, c in enumerate(key)
    )
    with conn.transaction():
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE _supaseed_cycle ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA"
            ).format(select_list, ident)
        )
        with (
            conn.cursor() as cur,
            cur.copy(
                sql.SQL("COPY _supaseed_cycle ({}) FROM STDIN").format(
                    sql.SQL(", ").join(sql.Identifier(n) for n in names)
                )
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        # The rows' new versions are written in the order the join yields them, and a dump lists
        # rows in that physical order: a nested loop over the temporary table (in the order the
        # values were generated) into the key's index makes it the same on every run, whatever
        # statistics autovacuum has gathered meanwhile.
        conn.execute("ANALYZE _supaseed_cycle")
        # and the table's own statistics, as of now: left to autovacuum they may say it is empty
        # (analyzed before the seed), which makes scanning it the outer side, in key order
        conn.execute(sql.SQL("ANALYZE {}").format(ident))
        conn.execute("SET LOCAL enable_hashjoin = off")
        conn.execute("SET LOCAL enable_mergejoin = off")
        conn.execute(
            sql.SQL("UPDATE {} AS t SET {} FROM _supaseed_cycle s WHERE {}").format(
                ident, assignments, match
            )
        )
        conn.execute("RESET enable_hashjoin")
        conn.execute("RESET enable_mergejoin")
    result.rows.setdefault(fk.table, 0)
