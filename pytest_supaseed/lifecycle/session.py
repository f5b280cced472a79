"""Clone per worker, roll back per test: everything one worker seeds and clones in a run.

Used alike by the pytest fixtures (one :class:`SeedSession` per xdist worker) and by anything else
that wants seeded databases from plans (a :class:`SeedSession` is a context manager).

A request whose plan inputs are unchanged since it was last resolved (on this machine, by any run
or worker: :mod:`.resolution_cache`) gets its template database's name from the recorded
resolution, without resolving the plan: the resolved plan (and the plan models, pydantic) loads
only when something asks for it (:attr:`SeededDatabase.resolved`, a template database to build).
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import psycopg

from ..backends.base import ServerHandle
from ..options import Settings
from ..seed_result import SeedResult
from .connections import ReusedConnection, test_transaction, worker_database
from .databases import AdminSession, clone_database, drop_database
from .leases import RunLease
from .request import SupaseedRequest
from .resolution_cache import PlanRecord, ResolutionCache, default_resolution_cache, request_key
from .template_db import TemplateDatabase, effective_seed, provide_template_db, template_db_name

if TYPE_CHECKING:
    from ..config.resolve import ResolvedPlan


class PlanBuilder(Protocol):
    """What a session needs a plan for (:class:`~.template_build.TemplateBuilder`): it loads the
    plan models and the seeding engine, so a session asks for it only when it must."""

    def resolve(self, request: SupaseedRequest) -> tuple[ResolvedPlan, str]:
        """The resolved plan ``request`` asks for, and a label for reports."""

    def identity(self, resolved: ResolvedPlan) -> tuple[str, tuple[Path, ...]]:
        """The plan's hash and the SQL files its template database applies itself."""

    def build(self, dsn: str, resolved: ResolvedPlan, seed: int) -> tuple[SeedResult, float]:
        """Seed the new database ``dsn``; its result and the build time."""


class Prebuilt(Protocol):
    """Template databases built ahead on another thread (:class:`~.prebuild.Prebuild`)."""

    def take(self, key: str) -> tuple[TemplateDatabase, Callable[[], ResolvedPlan]] | None:
        """The template database of request ``key`` (:func:`request_identity`) and how to get its
        resolved plan, once built or reused; None when the caller must provide it itself."""


def request_identity(request: SupaseedRequest) -> str:
    """The key a session knows a request by (template, customizations, seed)."""
    return json.dumps(
        (request.template, request.customizations, request.seed), sort_keys=True, default=str
    )


__all__ = ["Prebuilt", "SeedSession", "SeededDatabase", "request_identity"]


@dataclass
class SeededDatabase:
    """A worker's clone of a template database: its DSN, the template database and the plan
    (:attr:`resolved`, resolved on first access by ``resolver``)."""

    dsn: str
    template_db: TemplateDatabase
    resolver: Callable[[], ResolvedPlan] = field(repr=False, compare=False)

    @functools.cached_property
    def resolved(self) -> ResolvedPlan:
        """The resolved plan the template database was seeded from."""
        return self.resolver()


class _StaleRecord(Exception):
    """A recorded resolution disagrees with a full one (an input it did not record changed)."""


class SeedSession:
    """Everything a worker seeds and clones in one run: template databases, worker clones,
    connections. ``with SeedSession(...) as session:`` closes them on exit.

    Tests on the same template database share one open connection per worker; each test runs
    inside its own transaction on it, rolled back at teardown (so the per-test cost is a BEGIN and
    a ROLLBACK).
    """

    def __init__(
        self,
        server: ServerHandle,
        base_database: str,
        settings: Settings,
        worker_id: str,
        run_id: str,
        lease: RunLease | None = None,
        *,
        builder: Callable[[], PlanBuilder],
        prebuilt: Prebuilt | None = None,
    ) -> None:
        self.server = server
        #: The server, for this session's clones, drops and template look-ups on one connection.
        self.admin = AdminSession(server)
        #: Gives the :class:`PlanBuilder` (called once, when a plan is first needed).
        self._make_builder = builder
        self._builder: PlanBuilder | None = None
        #: The run's lease: template databases are held through it, clones carry its token.
        self.lease = lease
        self.base_database = base_database
        self.settings = settings
        self.worker_id = worker_id
        self.run_id = run_id
        self.template_dbs: dict[str, TemplateDatabase] = {}
        self._clones: dict[str, SeededDatabase] = {}
        self._by_request: dict[str, SeededDatabase] = {}
        self._connections: dict[str, ReusedConnection] = {}
        self._stack = ExitStack()
        #: Recorded plan resolutions (None: always resolve in full).
        self.resolutions: ResolutionCache | None = default_resolution_cache()
        #: Template databases a thread builds ahead of the tests that need them (or None).
        self.prebuilt = prebuilt

    def __enter__(self) -> SeedSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def builder(self) -> PlanBuilder:
        """The session's :class:`PlanBuilder`, made on first use."""
        if self._builder is None:
            self._builder = self._make_builder()
        return self._builder

    def resolve(self, request: SupaseedRequest) -> tuple[ResolvedPlan, str]:
        """The resolved plan a request asks for, and a label for reports."""
        return self.builder.resolve(request)

    def seeded(self, request: SupaseedRequest) -> SeededDatabase:
        """This worker's clone of the template database for ``request`` (seeding it if needed).

        Resolved once per distinct request and worker: afterwards a test pays a dict lookup.
        """
        key = request_identity(request)
        known = self._by_request.get(key)
        if known is not None:
            return known
        taken = self.prebuilt.take(key) if self.prebuilt is not None else None
        if taken is not None:
            template_db, resolver = taken
            if self.lease is not None:
                self.lease.hold(template_db.name)
        else:
            template_db, resolver = self.template_db(request)
        clone = self._clones.get(template_db.name)
        if clone is None:
            self.template_dbs.setdefault(template_db.name, template_db)
            dsn = self._stack.enter_context(
                worker_database(
                    self.admin,
                    template_db.name,
                    self.worker_id,
                    keep=self.settings.keep,
                    run_token=self.lease.token if self.lease is not None else None,
                )
            )
            clone = SeededDatabase(dsn, template_db, resolver)
            self._clones[template_db.name] = clone
        self._by_request[key] = clone
        return clone

    def template_db(
        self, request: SupaseedRequest
    ) -> tuple[TemplateDatabase, Callable[[], ResolvedPlan]]:
        """The template database of ``request`` (reused, or built now) and how to get its resolved
        plan: from the recorded resolution when every input it read is unchanged, else by
        resolving now. Makes no clone (:meth:`seeded` does)."""
        key = request_key(
            template=request.template,
            customizations=request.customizations,
            seed=request.seed,
            settings_seed=self.settings.seed,
            rootdir=self.settings.rootdir,
            migrations=self.settings.migrations,
        )
        recorded = self.resolutions.lookup(key) if self.resolutions is not None else None
        if recorded is not None:
            resolver = functools.cache(lambda: self.resolve(request)[0])

            def build(dsn: str) -> tuple[SeedResult, float]:
                # Building needs the plan itself; it must be the plan the record describes.
                resolved = resolver()
                if self._record_of(request, resolved, recorded.label) != recorded:
                    raise _StaleRecord
                return self._build(dsn, resolved, recorded.seed)

            try:
                return self._provide(recorded, build), resolver
            except _StaleRecord:
                pass  # the database was not built; resolve in full below
        started = time.time_ns()
        resolved, label = self.resolve(request)
        record = self._record_of(request, resolved, label)
        if self.resolutions is not None:
            self.resolutions.record(key, record, resolved, request.template, since_ns=started)
        template_db = self._provide(record, lambda dsn: self._build(dsn, resolved, record.seed))
        return template_db, lambda: resolved

    def _record_of(
        self, request: SupaseedRequest, resolved: ResolvedPlan, label: str
    ) -> PlanRecord:
        digest, own_sql = self.builder.identity(resolved)
        seed = effective_seed(request.seed, self.settings.seed, resolved.plan.seed)
        return PlanRecord(plan_hash=digest, seed=seed, label=label, own_sql=own_sql)

    def _provide(
        self, record: PlanRecord, build: Callable[[str], tuple[SeedResult, float]]
    ) -> TemplateDatabase:
        return provide_template_db(
            self.admin,
            self.base_database,
            template_db_name(self.base_database, record.plan_hash, record.seed, record.own_sql),
            record.plan_hash,
            build,
            seed=record.seed,
            label=record.label,
            rebuild_token=self.run_id if self.settings.rebuild else None,
            before=self.lease.hold if self.lease is not None else None,
        )

    def _build(self, dsn: str, resolved: ResolvedPlan, seed: int) -> tuple[SeedResult, float]:
        return self.builder.build(dsn, resolved, seed)

    @contextmanager
    def transaction(self, dsn: str) -> Iterator[psycopg.Connection]:
        """This worker's reused connection to ``dsn`` inside a transaction rolled back on exit."""
        slot = self._connections.get(dsn)
        if slot is None:
            slot = self._connections[dsn] = ReusedConnection(dsn)
        with test_transaction(slot) as conn:
            yield conn

    @contextmanager
    def fresh_clone(self, request: SupaseedRequest | None) -> Iterator[str]:
        """A clone of the request's template database (or of the base database) for one test,
        dropped after."""
        source = self.seeded(request).template_db.name if request else self.base_database
        name = (
            self.lease.database_name("t", uuid.uuid4().hex[:16])
            if self.lease is not None
            else f"supaseed_t_{uuid.uuid4().hex[:16]}"
        )
        dsn = clone_database(self.admin, source, name)
        try:
            yield dsn
        finally:
            if not self.settings.keep:
                drop_database(self.admin, name)

    def close(self) -> None:
        """Close the connections and drop the worker clones (unless ``--supaseed-keep``)."""
        for slot in self._connections.values():
            slot.close()
        self._connections.clear()
        try:
            self._stack.close()
        finally:
            self.admin.close()
